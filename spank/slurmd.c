/* slurmd (its start): undo what crashed creators and ended jobs left behind,
 * before this node takes new jobs. A partition counts as in use while a
 * slurmstepd of its owner job runs on the node (slurmstepd names itself
 * "slurmstepd: [JOB.STEP]"); partitions not owned by a job are left alone. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwk_spank.h"
#include "partition.h"
#include "topo_cache.h"

static bool job_running(const char *owner)
{
	char want[64], path[64], buf[128];
	unsigned long job;
	char *end;
	struct dirent *d;
	DIR *dir;
	bool found = false;

	if (strncmp(owner, "job:", 4) != 0)
		return true;
	job = strtoul(owner + 4, &end, 10);
	if (*end || end == owner + 4)
		return true;
	snprintf(want, sizeof(want), "slurmstepd: [%lu.", job);
	dir = opendir("/proc");
	if (!dir)
		return true;
	while (!found && (d = readdir(dir))) {
		FILE *f;
		size_t n;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/cmdline", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		found = strncmp(buf, want, strlen(want)) == 0;
	}
	closedir(dir);
	return found;
}

/* The node's topology, discovered here once so that every LWK step's
 * slurmstepd and every rank's lwkrun load the state directory's copy
 * (topo_cache.h) instead of discovering the node again. */
static void warm_topology(void)
{
	struct lwk_topo tp;
	struct lwk_err err;
	char why[512];
	int rc;

	lwk_err_clear(&err);
	rc = lwk_topo_load_node(&tp, lwk_plugin.pol.statedir, LWK_TOPO_SAVE, why, sizeof(why),
				&err);
	if (rc < 0)
		slurm_error("lwk: cannot read this node's topology at slurmd start: %s", err.msg);
	else if (rc == 0)
		slurm_info("lwk: node topology discovered and saved (%s)", why);
	lwk_topo_fini(&tp);
}

int lwk_slurmd_init(spank_t sp)
{
	unsigned count = 0;
	struct lwk_err err;

	lwk_err_clear(&err);
	if (lwk_reap(lwk_plugin.pol.statedir, NULL, true, job_running, &count, &err)) {
		slurm_error("lwk: reaping stale LWK partitions at slurmd start failed: %s", err.msg);
		return 0;	/* slurmd still serves non-LWK jobs; steps will report */
	}
	if (count)
		slurm_info("lwk: %u stale LWK partition(s) reaped at slurmd start", count);
	warm_topology();
	return 0;
}
