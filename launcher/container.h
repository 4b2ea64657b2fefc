/* lwkrun --container=BUNDLE: one rank as an OCI container, kept in its share.
 *
 * The runtime (runc, or crun with --cgroup-manager=disabled) is run from
 * lwkrun's own process, already placed on the rank's share, in the OCI
 * create/start order, so the container's process exists, stopped before the
 * user's program, while lwkrun looks at it FROM THE HOST (a container's own
 * /proc/self/cgroup may read "/" in its cgroup namespace):
 *   1. create (lwkrun is a child subreaper, so the container's init becomes
 *      lwkrun's child and its exit status lwkrun's);
 *   2. cgroup v1: a cpuset the runtime made below the partition's gets
 *      sched_load_balance 0, like the partition (a nested cpuset that balances
 *      would turn load balancing back on for its CPUs);
 *   3. check: /proc/PID/cgroup is lwkrun's own cpuset cgroup or below it,
 *      /proc/PID/status Cpus_allowed_list within the rank's CPUs; else the
 *      container is killed and deleted and lwkrun fails with one error;
 *   4. start, check again while it runs, forward SIGINT/TERM/HUP/QUIT/USR1/
 *      USR2 to it, wait, delete, and exit with its status (128+N if killed
 *      by signal N).
 * Runtimes are found in PATH by name; --runtime may name another binary of
 * runc's command line (runc or crun by its basename decides the flags).
 */
#ifndef LWKRUN_CONTAINER_H
#define LWKRUN_CONTAINER_H

#include "bundle.h"
#include "error.h"
#include "plan.h"

struct lwkrun_ctr_req {
	const char *runtime;		/* "runc" (default), "crun" or a path */
	const char *name;		/* container id; NULL: lwkrun-<pid> */
	const struct lwkrun_bundle *bundle;
	const struct lwkrun_plan *plan;
};

/* Runs the container to its end. Returns the exit status for lwkrun (the
 * container's), or -1 with err set when it could not be started or did not
 * hold its placement (then nothing of it is left running). */
int lwkrun_container_run(const struct lwkrun_ctr_req *req, struct lwk_err *err);

/* Plain lwkrun PROGRAM: a runtime that would make cgroups of its own (runc,
 * crun without --cgroup-manager=disabled) is refused with the way to run it
 * (--container). 0 for anything else (ch-run execs in place and is fine). */
int lwkrun_container_refuse(char *const *prog, struct lwk_err *err);

/* 1 if pid's cpuset cgroup is cg or below it; 0 if not; -1 unreadable.
 * cg: lwkrun_cpuset_cgroup of another process. Exposed for tests. */
int lwkrun_cgroup_within(const char *pid_cg, const char *cg);
/* pid's cpuset cgroup path ("/lwk/job.12"; v2: its one cgroup); 0 or -1. */
int lwkrun_cpuset_cgroup(long pid, char *buf, size_t len, int *version);

#endif
