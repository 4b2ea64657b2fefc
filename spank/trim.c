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
 * the LWK core; on Slurm 26.05's cgroup v1 also the task_<n> cpuset under
 * it): no affinity can leave them, so those cpusets lose the LWK CPUs first
 * (or, left with none, take the job's Linux CPUs, which the job's cpuset
 * holds), and the kernel moves their tasks with them.
 * These are the job's own processes and cgroups and end with it, before the
 * partition is torn down: nothing to restore.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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

/* The file that lists the CPUs of the cpuset directory made of the first
 * len characters of dir; pre is the hierarchy's prefix of cpuset files. */
static void cpus_file(const char *dir, size_t len, const char *pre, char *path, size_t size)
{
	snprintf(path, size, "%.*s/%scpus", (int)len, dir, pre);
}

/* The CPUs of that cpuset; on cgroup v2 an empty cpuset.cpus means the
 * parent's, which its cpuset.cpus.effective lists. */
static int cpus_of(const char *dir, size_t len, const char *pre, hwloc_bitmap_t set)
{
	char path[PATH_MAX + 32];

	cpus_file(dir, len, pre, path, sizeof(path));
	if (lwk_read_list(path, set, NULL) < 0)
		return -1;
	if (hwloc_bitmap_iszero(set)) {
		snprintf(path, sizeof(path), "%.*s/cpuset.cpus.effective", (int)len, dir);
		if (!access(path, F_OK) && lwk_read_list(path, set, NULL) < 0)
			return -1;
	}
	return 0;
}

#define TRIM_DEPTH 8	/* job_<id>/step_<id>/task_<n> and a little more */

/* The cpuset of pid loses the LWK CPUs (left with none, it takes
 * linux_cpus), for a step's cpuset that holds LWK CPUs only. Slurm nests
 * them (job_<id>/step_<id>, and from 26.05 task_<n> under the step's on
 * cgroup v1) and a cgroup v1 cpuset must stay within its parent's: the chain
 * up to the first cpuset that already holds the new CPUs (the job's) widens
 * to them top-down, then gives up the LWK CPUs bottom-up. A parent that
 * cannot yet (another child still on an LWK CPU) keeps them: its children
 * place the tasks. 0 if pid's own cpuset changed. */
static int trim_cpuset(const char *pid, hwloc_const_bitmap_t lwk, hwloc_const_bitmap_t linux_cpus)
{
	char dir[PATH_MAX], root[PATH_MAX], path[PATH_MAX + 32];
	size_t len[TRIM_DEPTH], rootlen;	/* level n: the first len[n] characters */
	hwloc_bitmap_t old[TRIM_DEPTH] = { NULL }, want = hwloc_bitmap_alloc(),
		       set = hwloc_bitmap_alloc();
	const char *pre;
	int n, top = -1, rc = -1;

	if (!want || !set || lwk_cpuset_of(pid, dir, sizeof(dir), root, sizeof(root)) ||
	    !strcmp(dir, root))
		goto out;	/* the root is the native backend's to empty */
	pre = strcmp(root, LWK_CG1_ROOT) ? "cpuset." : lwk_cg1_prefix();
	rootlen = strlen(root);
	len[0] = strlen(dir);
	for (n = 0; n < TRIM_DEPTH; n++) {
		if (!(old[n] = hwloc_bitmap_alloc()) || cpus_of(dir, len[n], pre, old[n]))
			goto out;
		if (!n) {
			if (!hwloc_bitmap_intersects(old[0], lwk))
				goto out;	/* refused for another reason */
			hwloc_bitmap_andnot(want, old[0], lwk);
			if (hwloc_bitmap_iszero(want))
				hwloc_bitmap_copy(want, linux_cpus);
			if (hwloc_bitmap_iszero(want))
				goto out;
		} else if (hwloc_bitmap_isincluded(want, old[n])) {
			top = n;	/* holds the new CPUs already */
			break;
		}
		if (len[n] <= rootlen || n + 1 == TRIM_DEPTH)
			goto out;	/* reached the root */
		len[n + 1] = len[n];
		while (len[n + 1] > rootlen && dir[len[n + 1] - 1] != '/')
			len[n + 1]--;
		if (len[n + 1] <= rootlen)
			goto out;
		len[n + 1]--;	/* the parent, without its '/' */
	}
	if (top < 0)
		goto out;
	for (n = top - 1; n >= 0; n--) {	/* widen, parents first */
		hwloc_bitmap_or(set, old[n], want);
		cpus_file(dir, len[n], pre, path, sizeof(path));
		if (!hwloc_bitmap_isequal(set, old[n]) && lwk_write_list(path, set, NULL) < 0)
			goto out;
	}
	for (n = 0; n < top; n++) {	/* give up the LWK CPUs, children first */
		hwloc_bitmap_or(set, old[n], want);
		hwloc_bitmap_andnot(set, set, lwk);
		cpus_file(dir, len[n], pre, path, sizeof(path));
		if (lwk_write_list(path, set, NULL) < 0)
			break;
		if (!n)
			rc = 0;
	}
	if (!rc)
		slurm_info("lwk: cpuset %s of an earlier step left the LWK CPUs", dir);
out:
	for (n = 0; n < TRIM_DEPTH; n++)
		hwloc_bitmap_free(old[n]);
	hwloc_bitmap_free(want);
	hwloc_bitmap_free(set);
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
		/* refused (EINVAL): the thread's cpuset holds none of cur; once
		 * that cpuset left the LWK CPUs, the thread may take cur */
		if (!tried && (tried = 1) && trim_cpuset(pid, lwk, linux_cpus) == 0 &&
		    (hwloc_set_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) == 0 ||
		     (hwloc_get_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) == 0 &&
		      !hwloc_bitmap_intersects(cur, lwk))))
			(*moved)++;
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
