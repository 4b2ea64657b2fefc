/* A rank's plan: everything lwkrun will do before exec, computed without
 * touching the process, so --dry-run can print exactly what a run does.
 *
 * native: bind to the rank's share (lwk_share) of the partition's cores and
 * its NUMA nodes, hugetlb-backed heap for pages:2m/1g, SCHED_FIFO for
 * sched:fifo, OpenMP variables for the share, then exec the program.
 * mckernel/mos: the multi-kernel places the rank (mcexec -n / yod -R MPI);
 * lwkrun only sets the environment and execs the backend's launcher.
 */
#ifndef LWKRUN_PLAN_H
#define LWKRUN_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "localrank.h"
#include "part.h"

#define LWKRUN_MAX_ENV 16

struct lwkrun_setenv {
	const char *name;
	char *value;		/* what the program gets (owned) */
	bool kept;		/* the user's value stays; value is a copy of it */
};

struct lwkrun_plan {
	struct lwkrun_local local;
	enum lwkrun_part_src part_src;
	char part_id[LWK_ID_MAX];
	hwloc_bitmap_t part_cpus;
	enum lwk_backend_kind backend;
	bool bind;			/* lwkrun binds cpus/mems itself (native) */
	bool prebound;			/* share = the affinity the caller gave */
	hwloc_bitmap_t cpus;		/* the rank's PUs */
	hwloc_bitmap_t mems;		/* the rank's NUMA nodes */
	unsigned ncores;
	enum lwk_pages pages;
	enum lwk_sched sched;
	struct lwkrun_setenv env[LWKRUN_MAX_ENV];
	unsigned nenv;
	char **argv;			/* exec line, NULL-terminated (exec.h) */
	char nbuf[16];			/* storage for mcexec's -n value */
	char osbuf[16];			/* and for its instance number */
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
