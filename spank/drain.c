/* Draining a node the job epilog could not restore. Slurm drains a node
 * whose epilog fails, but with the reason "Epilog error" and the cause only
 * in the slurmd log; an admin looking at `scontrol show node` should see
 * what is wrong and what to do. So the epilog drains the node itself, with
 * that reason, before it fails: slurmctld leaves the reason of a node that
 * is already draining alone (tested on 22.05 and 26.05, see spank_lwk(8)).
 *
 * scontrol is run from a path fixed at configure time, with a fixed argv,
 * never through a shell; the cause is our own error text. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lwk_spank.h"

/* How long scontrol may take (slurmctld's MessageTimeout is 10 s by
 * default); the epilog fails the node in any case. */
#define DRAIN_TIMEOUT_S 30

/* Slurm node names are plain words; anything else was not set by slurmd. */
static bool node_name_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && !strchr("._-", s[n]))
			return false;
	return n > 0 && n < 256;
}

int lwk_drain_reason(char *buf, size_t len, uint32_t job, const char *node, const char *statedir,
		     const char *cause)
{
	char sd[300] = "";
	int n;

	if (statedir && strcmp(statedir, LWK_STATEDIR) != 0)
		snprintf(sd, sizeof(sd), " --statedir %s", statedir);
	n = snprintf(buf, len,
		     "lwk: job %" PRIu32 ": node not restored: %s; fix that, run lwkpart%s "
		     "reap --job %" PRIu32 ", then scontrol update nodename=%s state=resume",
		     job, cause, sd, job, node);
	/* one line: slurmctld shows the reason as it is */
	for (char *p = buf; *p; p++)
		if (iscntrl((unsigned char)*p))
			*p = ' ';
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lwk_drain_node(uint32_t job, const char *cause)
{
	const char *node = getenv("SLURMD_NODENAME");
	char reason[1024], arg_node[300], arg_reason[1100];
	char *argv[] = { LWK_SCONTROL, "update", arg_node, "state=drain", arg_reason, NULL };
	struct lwk_cmd_out o;
	struct lwk_err err;

	if (!node || !node_name_ok(node)) {
		slurm_error("lwk: job %u: cannot drain this node: slurmd did not say its name "
			    "(SLURMD_NODENAME); Slurm drains it with \"Epilog error\"", job);
		return -1;
	}
	if (lwk_drain_reason(reason, sizeof(reason), job, node, lwk_plugin.pol.statedir, cause))
		slurm_info("lwk: job %u: drain reason cut to %zu characters", job,
			   sizeof(reason) - 1);
	snprintf(arg_node, sizeof(arg_node), "nodename=%s", node);
	snprintf(arg_reason, sizeof(arg_reason), "reason=%s", reason);
	lwk_err_clear(&err);
	if (lwk_cmd_run(argv, DRAIN_TIMEOUT_S, &o, &err) < 0) {
		slurm_error("lwk: job %u: cannot drain node %s: %s; Slurm drains it with "
			    "\"Epilog error\"", job, node, err.msg);
		return -1;
	}
	if (o.status != 0) {
		slurm_error("lwk: job %u: %s update nodename=%s state=drain failed (status %d): %s; "
			    "Slurm drains it with \"Epilog error\"", job, LWK_SCONTROL, node,
			    o.status, o.errline[0] ? o.errline : "no message");
		return -1;
	}
	slurm_info("lwk: job %u: node %s drained: %s", job, node, reason);
	return 0;
}
