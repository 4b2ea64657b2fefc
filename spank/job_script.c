/* Job epilog (job script context, root, a process of its own): the
 * epilog is where the job's partitions on this node are torn down. It runs
 * once per job and node after every step has ended, including steps whose
 * slurmstepd was killed, which slurm_spank_exit of "the last step" cannot
 * promise (a node cannot know which step is the last). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwk_spank.h"
#include "partition.h"
#include "report.h"

static uint32_t job_id(spank_t sp)
{
	uint32_t job = 0;
	const char *e;

	if (spank_get_item(sp, S_JOB_ID, &job) == ESPANK_SUCCESS && job)
		return job;
	e = getenv("SLURM_JOB_ID");
	return e ? (uint32_t)strtoul(e, NULL, 10) : 0;
}

/* Does the registry hold a partition of this job, or one left half-made
 * or half-destroyed? Most jobs have none: their epilog then leaves the
 * registry alone, so node-wide trouble that is not theirs cannot fail (and
 * drain) it. An unreadable registry counts as work, so reap reports it. */
static bool has_work(const char *owner)
{
	struct lwk_partition *arr = NULL;
	size_t n = 0, i;
	struct lwk_err err;
	bool work = false;

	lwk_err_clear(&err);
	if (lwk_partition_list(lwk_plugin.pol.statedir, &arr, &n, &err))
		return err.code != ENOENT;
	for (i = 0; i < n && !work; i++)
		work = strcmp(arr[i].owner, owner) == 0 || arr[i].state != LWK_PART_LIVE;
	lwk_partition_list_free(arr, n);
	return work;
}

int lwk_job_epilog(spank_t sp)
{
	char owner[LWK_ID_MAX];
	unsigned count = 0;
	uint32_t job = job_id(sp);
	struct lwk_err err;

	if (!job)
		return 0;
	lwk_err_clear(&err);
	snprintf(owner, sizeof(owner), "job:%" PRIu32, job);
	if (!has_work(owner))
		return 0;
	/* the noise reports first: reaping unwatches the CPUs */
	if (lwk_report_write(lwk_plugin.pol.statedir, owner, lwk_plugin.pol.report_dir, &count,
			     &err))
		slurm_error("lwk: job %u: %s", job, err.msg);
	else if (count)
		slurm_info("lwk: job %u: noise report(s) in %s", job, lwk_plugin.pol.report_dir);
	lwk_err_clear(&err);
	count = 0;
	if (lwk_reap(lwk_plugin.pol.statedir, owner, false, NULL, &count, &err)) {
		/* The node is not in the state the next job expects: drained,
		 * with the cause and the fix as its reason (drain.c). Failing
		 * the epilog as well drains it even when scontrol could not. */
		slurm_error("lwk: job %u: tearing down its LWK partition failed: %s", job, err.msg);
		lwk_drain_node(job, err.msg);
		return -1;
	}
	if (count)
		slurm_info("lwk: job %u: %u LWK partition(s) torn down, node restored", job, count);
	return 0;
}
