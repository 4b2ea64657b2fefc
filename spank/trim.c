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
 * These are the job's own processes and end with it, before the partition
 * is torn down: nothing to restore.
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

/* Drops lwk from the affinity of every thread of pid; counts those moved. */
static void trim_threads(hwloc_topology_t t, const char *pid, hwloc_const_bitmap_t lwk,
			 hwloc_const_bitmap_t linux_cpus, unsigned *moved, unsigned *stuck)
{
	char path[64];
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	struct dirent *de;
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
		if (hwloc_set_proc_cpubind(t, tid, cur, HWLOC_CPUBIND_THREAD) == 0)
			(*moved)++;
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
		slurm_error("lwk: job %u: %u thread(s) of the job's earlier steps are bound to LWK CPUs only, and the job has no Linux CPU here: they stay",
			    job, stuck);
}
