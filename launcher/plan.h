/* A rank's plan: everything lwkrun will do before exec, computed without
 * touching the process, so --dry-run can print exactly what a run does.
 *
 * The rank's share, binding, scheduling and environment are liblwk's rank
 * plan (rank.h), the same the SPANK plugin gives a task of srun --lwk;
 * lwkrun adds where the rank and partition came from, PMIX_MCA_gds for a
 * rank found through PMIx, and the exec line (the program itself, or
 * mcexec -n / yod -R MPI, which place the rank on mckernel/mos).
 */
#ifndef LWKRUN_PLAN_H
#define LWKRUN_PLAN_H

#include <stdio.h>

#include "localrank.h"
#include "part.h"
#include "rank.h"

struct lwkrun_plan {
	struct lwkrun_local local;
	enum lwkrun_part_src part_src;
	char part_id[LWK_ID_MAX];
	hwloc_bitmap_t part_cpus;
	enum lwk_backend_kind backend;
	struct lwk_rank_plan rank;	/* share, binding, sched, environment */
	char **argv;			/* exec line, NULL-terminated (exec.h) */
	char nbuf[16];			/* storage for mcexec's -n value */
	char osbuf[16];			/* and for its instance number */
	char lwk_path[4096];		/* the partition's lwk_path (part.h) */
};

void lwkrun_plan_init(struct lwkrun_plan *p);
void lwkrun_plan_fini(struct lwkrun_plan *p);

/* envp: the environment the program would inherit; prog: PROGRAM ARGS...
 * (NULL-terminated, borrowed for the plan's lifetime). */
int lwkrun_plan_build(const struct lwk_topo *tp, const struct lwkrun_local *loc,
		      const struct lwkrun_part *part, char *const *envp, char *const *prog,
		      struct lwkrun_plan *out, struct lwk_err *err);

/* The value the plan gives name, or NULL if the plan does not touch it. */
const char *lwkrun_plan_env(const struct lwkrun_plan *p, const char *name);

/* Human-readable, one "key: value" per line, ending with "exec: ..." */
void lwkrun_plan_print(const struct lwkrun_plan *p, FILE *f);

#endif
