/* When a job's first LWK step makes its partition on a node, steps of the
 * job that started earlier (analytics, the extern step) may run on the
 * cores that just became LWK cores: with task/cgroup their tasks live in
 * Slurm's job_<id> cpusets, which keep every core of the job and which the
 * native backend leaves alone. Each of their threads loses the LWK CPUs from
 * its affinity here, as a step that starts later loses them in task_init.
 * (With proctrack/linuxproc the tasks live in the root cpuset, which the
 * backend empties into its Linux cpuset.)
 *
 * A thread that was bound to LWK CPUs only (task/affinity binds each task
 * to its own cores) goes to the job's Linux CPUs on the node, as a later
 * step's task would; with none, it stays and is logged.
 *
 * With ConstrainCores, a step's own cpuset (Slurm's step_<id>, under the
 * job's) may hold LWK CPUs only (`srun -c1` given the core that then became
 * the LWK core): no affinity can leave them, so that cpuset loses the LWK
 * CPUs first (or, left with none, takes the job's Linux CPUs, which the
 * job's cpuset holds), and the kernel moves its tasks with it.
 * These are the job's own processes and cgroups and end with it, before the
 * partition is torn down: nothing to restore.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lwk_spank.h"
#include "native.h"
#include "sysfile.h"

/* Is process pid in a cgroup of job (a path segment "job_<job>")? */
static int of_job(const char *pid, const char *seg)
{
	char path[64], line[1024];
	size_t n = strlen(seg);
	FILE *f;
	int yes = 0;

	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!yes && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, seg);

		/* "/job_12/" or "/job_12" at the end, never "/job_123" */
		yes = p && (p[n] == '/' || p[n] == '\n' || p[n] == '\0');
	}
	fclose(f);
	return yes;
}

/* The cpuset of pid loses the LWK CPUs (or, left with none, takes
 * linux_cpus): for a step cpuset that holds LWK CPUs only. 0 if it changed. */
static int trim_cpuset(const char *pid, hwloc_const_bitmap_t lwk, hwloc_const_bitmap_t linux_cpus)
{
	char rel[512], path[1024];
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	int v = lwk_cgroup_version(), rc = -1;

	snprintf(path, sizeof(path), "/proc/%s/cpuset", pid);
	if (!cur || !v || lwk_read_str(path, rel, sizeof(rel), NULL) < 0)
		goto out;
	rel[strcspn(rel, "\n")] = '\0';
	if (!strcmp(rel, "/"))
		goto out;	/* the root is the native backend's to empty */
	snprintf(path, sizeof(path), "%s%s/cpuset.cpus", v == 1 ? LWK_CG1_ROOT : LWK_CG2_ROOT,
		 rel);
	if (v == 1 && access(path, F_OK))	/* cgroup v1 mounted with noprefix */
		snprintf(path, sizeof(path), LWK_CG1_ROOT "%s/cpus", rel);
	if (lwk_read_list(path, cur, NULL) < 0 || !hwloc_bitmap_intersects(cur, lwk))
		goto out;
	hwloc_bitmap_andnot(cur, cur, lwk);
	if (hwloc_bitmap_iszero(cur))
		hwloc_bitmap_copy(cur, linux_cpus);
	if (!hwloc_bitmap_iszero(cur) && lwk_write_list(path, cur, NULL) == 0) {
		slurm_info("lwk: cpuset %s of an earlier step left the LWK CPUs", rel);
		rc = 0;
	}
out:
	hwloc_bitmap_free(cur);
	return rc;
}

/* Drops lwk from the affinity of every thread of pid; counts those moved. */
static void trim_threads(hwloc_topology_t t, const char *pid, hwloc_const_bitmap_t lwk,
			 hwloc_const_bitmap_t linux_cpus, unsigned *moved, unsigned *stuck)
{
	char path[64];
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	struct dirent *de;
	int tried = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	d = opendir(path);
	if (!d || !cur)
		goto out;
	while ((de = readdir(d))) {
		pid_t tid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		tid = (pid_t)strtol(de->d_name, NULL, 10);
		if (hwloc_get_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) ||
		    !hwloc_bitmap_intersects(cur, lwk))
			continue;	/* gone, or already off the LWK CPUs */
		hwloc_bitmap_andnot(cur, cur, lwk);
		if (hwloc_bitmap_iszero(cur))
			hwloc_bitmap_copy(cur, linux_cpus);
		if (hwloc_bitmap_iszero(cur)) {
			(*stuck)++;
			continue;
		}
		if (hwloc_set_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) == 0) {
			(*moved)++;
			continue;
		}
		/* refused (EINVAL): the thread's cpuset holds none of cur */
		if (!tried && (tried = 1) && trim_cpuset(pid, lwk, linux_cpus) == 0 &&
		    (hwloc_get_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) ||
		     !hwloc_bitmap_intersects(cur, lwk)))
			(*moved)++;	/* its cpuset moved it */
		else
			(*stuck)++;
	}
out:
	if (d)
		closedir(d);
	hwloc_bitmap_free(cur);
}

void lwk_trim_job_tasks(hwloc_topology_t t, uint32_t job, hwloc_const_bitmap_t lwk,
			hwloc_const_bitmap_t linux_cpus)
{
	char seg[32], self[16];
	unsigned moved = 0, stuck = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d)
		return;
	snprintf(seg, sizeof(seg), "/job_%" PRIu32, job);
	snprintf(self, sizeof(self), "%ld", (long)getpid());
	while ((de = readdir(d))) {
		/* slurmstepd itself must still fork tasks onto the LWK CPUs */
		if (!isdigit((unsigned char)de->d_name[0]) || !strcmp(de->d_name, self))
			continue;
		if (of_job(de->d_name, seg))
			trim_threads(t, de->d_name, lwk, linux_cpus, &moved, &stuck);
	}
	closedir(d);
	if (moved)
		slurm_info("lwk: job %u: %u thread(s) of the job's earlier steps moved off the LWK CPUs",
			   job, moved);
	if (stuck)
		slurm_error("lwk: job %u: %u thread(s) of the job's earlier steps could not leave the LWK CPUs (bound to them only, and the job has no Linux CPU here, or their cpuset refused): they stay",
			    job, stuck);
}
