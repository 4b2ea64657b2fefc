/* Taking the rank's plan as the plugin made it.
 *
 * Under srun --lwk, the plugin's task_init has already done for this very
 * local rank everything lwkrun would do (spank/stepd.c): the share
 * (lwk_rank_plan on the node's topology), the binding of CPUs and memory,
 * sched:, and the LWK_*, OMP_* and GLIBC_TUNABLES variables. lwkrun then
 * only checks that this is so and execs the program (or mcexec / yod),
 * without loading the node's topology, where most of its start went.
 *
 * Taken only when all of these hold, else lwkrun computes the plan itself
 * (lwkrun under mpirun inside an LWK step, a task whose affinity was
 * changed since, an environment copied elsewhere, lwkrun alone):
 *   - LWK_CPUS and LWK_MEMS (the partition), LWK_RANK_CPUS, LWK_RANK_MEMS,
 *     LWK_LOCAL_RANK and LWK_LOCAL_SIZE are set and well-formed, the rank's
 *     CPUs and nodes lie in the partition's, and the local rank and size
 *     are the ones lwkrun found (localrank.h);
 *   - native: this thread's CPU affinity is exactly LWK_RANK_CPUS and its
 *     memory policy binds it to exactly LWK_RANK_MEMS; with sched:fifo it
 *     runs SCHED_FIFO.
 * lwkrun_inherit_check makes these checks with hwloc's bitmaps (the static
 * front makes the same with libc alone, on the lists as the plugin prints
 * them: inforce.h); lwkrun_plan_inherit (inherit_plan.c) turns them into the
 * plan the full lwkrun runs, which binds and exports nothing (all done) and holds
 * the exec line; --dry-run and --verbose, which print a plan, compute it.
 */
#ifndef LWKRUN_INHERIT_H
#define LWKRUN_INHERIT_H

#include "localrank.h"
#include "part.h"
#include "plan.h"

struct lwkrun_inherited {
	struct lwkrun_part part;	/* from LWK_* (mck_os not looked up) */
	unsigned rank, size;		/* LWK_LOCAL_RANK, LWK_LOCAL_SIZE */
	hwloc_bitmap_t cpus, mems;	/* LWK_RANK_CPUS, LWK_RANK_MEMS */
};

void lwkrun_inherited_init(struct lwkrun_inherited *in);
void lwkrun_inherited_fini(struct lwkrun_inherited *in);

/* 1: the plugin's plan for this local rank is in force, in is filled;
 * 0: compute it (err may say why, for tests). prog is PROGRAM ARGS... */
int lwkrun_inherit_check(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
			 struct lwkrun_inherited *in, struct lwk_err *err);

/* The full lwkrun's: the checks, then (mckernel) the partition's instance
 * from the registry, into a plan ready to exec. 1: out is the plugin's
 * plan; 0: compute it (err may say why); out is left initialized. */
int lwkrun_plan_inherit(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
			struct lwkrun_plan *out, struct lwk_err *err);

#endif
