/* The cpuset cgroup of a process and moving processes between cpusets, for
 * slurmstepd's fork hop (stepd.c). cgroup v1 (the cpuset hierarchy) or v2
 * (the unified hierarchy with the cpuset controller). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lwk_spank.h"

/* The cpuset directory of process pid ("self"), and its hierarchy root. */
int lwk_cpuset_of(const char *pid, char *dir, size_t len, char *root, size_t rlen)
{
	char path[64], line[PATH_MAX], v2[PATH_MAX] = "";
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		line[strcspn(line, "\n")] = '\0';
		if (!c)
			continue;
		if (strncmp(c, ":cpuset:", 8) == 0) {
			snprintf(root, rlen, "/sys/fs/cgroup/cpuset");
			snprintf(dir, len, "/sys/fs/cgroup/cpuset%s", c + 8);
			found = 1;
		} else if (strncmp(line, "0::", 3) == 0) {
			snprintf(v2, sizeof(v2), "%s", line + 3);
		}
	}
	fclose(f);
	if (!found && v2[0] && access("/sys/fs/cgroup/cpuset.cpus.effective", F_OK) == 0) {
		snprintf(root, rlen, "/sys/fs/cgroup");
		snprintf(dir, len, "/sys/fs/cgroup%s", v2);
		found = 1;
	}
	if (found) {
		size_t n = strlen(dir);

		while (n > 1 && dir[n - 1] == '/')
			dir[--n] = '\0';
	}
	return found ? 0 : -1;
}

int lwk_cpuset_move(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], buf[32];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	rc = fputs(buf, f) < 0 ? -1 : 0;
	if (fclose(f))
		rc = -1;
	return rc;
}

/* --- Warming the cgroup migration lock.
 * The first cgroup migration after a quiet spell waits for an RCU grace
 * period (the kernel's cgroup_threadgroup_rwsem switching to its writer
 * mode: ~9 ms here); migrations within a grace period of the last one do
 * not. Making a partition migrates the node's tasks; a step then moves
 * slurmstepd and its tasks. A thread that moves itself into the cpuset it is
 * already in (a no-op for the task) takes that wait in parallel with the
 * step's own work (topology, placement, the registry, IRQ steering) instead
 * of in series with it. Kernels with favordynmods never wait. */
static void *warm_thread(void *arg)
{
	char dir[PATH_MAX], root[PATH_MAX], path[PATH_MAX + 16], buf[32];
	FILE *f;
	int v1;

	(void)arg;
	if (lwk_cpuset_of("self", dir, sizeof(dir), root, sizeof(root)))
		return NULL;
	/* v1: one thread ("tasks"); v2: its process, to where it already is */
	v1 = strcmp(root, "/sys/fs/cgroup/cpuset") == 0;
	snprintf(path, sizeof(path), "%s/%s", dir, v1 ? "tasks" : "cgroup.procs");
	f = fopen(path, "we");
	if (!f)
		return NULL;
	snprintf(buf, sizeof(buf), "%ld\n", v1 ? (long)syscall(SYS_gettid) : (long)getpid());
	fputs(buf, f);
	fclose(f);
	return NULL;
}

int lwk_cpuset_warm(pthread_t *th)
{
	return pthread_create(th, NULL, warm_thread, NULL) == 0 ? 0 : -1;
}
