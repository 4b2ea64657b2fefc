/* One local rank's plan: its share of an LWK partition, how it is bound and
 * the environment its program gets, computed without touching the process
 * (lwk_rank_plan), then applied in the rank's own process before its exec
 * (lwk_rank_bind, lwk_rank_export, lwk_rank_sched). lwkrun and the SPANK
 * plugin's task_init both start ranks through it, so a rank gets the same
 * from `lwkrun PROGRAM` as from `srun --lwk=... PROGRAM`.
 *
 *   native:       share = lwk_share of the partition's cores (one PU per
 *                 core) and their NUMA nodes, or, prebound, what the caller
 *                 gives; CPUs bound, memory strictly bound to the share's
 *                 nodes; sched:fifo -> SCHED_FIFO priority 1; env
 *                 OMP_PLACES ("{2},{3}", a place per PU), OMP_PROC_BIND=close;
 *                 pages:2m/1g -> GLIBC_TUNABLES glibc.malloc.hugetlb=2.
 *   mckernel/mos: the multi-kernel places the rank (mcexec -n, yod -R MPI),
 *                 nothing is bound; the share is the whole partition and
 *                 ncores this rank's part of its CPUs as they split them.
 *                 mos also gets MPI_LOCALRANKID/MPI_LOCALNRANKS.
 *   always:       LWK_LOCAL_RANK/SIZE, LWK_RANK_CPUS/MEMS, OMP_NUM_THREADS.
 *
 * LWK_* and MPI_LOCAL* are always the plan's. OMP_* the user set are kept
 * (the entry is marked kept and export leaves it alone);
 * a GLIBC_TUNABLES the user set gets the hugetlb item appended, unless it
 * already chooses glibc.malloc.hugetlb.
 */
#ifndef LWK_RANK_H
#define LWK_RANK_H

#include <stdbool.h>

#include "env.h"
#include "spec.h"
#include "topo.h"

/* What the rank's program is told about its share: LWK_LOCAL_RANK/SIZE,
 * LWK_RANK_CPUS/MEMS (env.h). */

#define LWK_RANK_MAX_ENV 16

/* The user's value of name in the environment the program would inherit, or
 * NULL when unset. The string needs to stay valid only until the next call. */
typedef const char *(*lwk_getenv_fn)(void *ctx, const char *name);

/* lwk_envp_get (env.h) is the lwk_getenv_fn over an envp array. */

struct lwk_rank_req {
	enum lwk_backend_kind backend;	/* native, mckernel or mos */
	hwloc_const_bitmap_t cpus;	/* the partition's PUs */
	hwloc_const_bitmap_t mems;	/* its NUMA nodes */
	bool prebound;			/* native: cpus/mems already are the share */
	enum lwk_pages pages;		/* the spec's; used by native only */
	enum lwk_sched sched;		/* likewise */
	unsigned rank, size;		/* local rank, 0 <= rank < size */
	lwk_getenv_fn getenv;		/* the user's environment */
	void *getenv_ctx;
};

struct lwk_rank_env {
	const char *name;		/* static */
	char *value;			/* what the program gets (owned) */
	bool kept;			/* the user's value stays as it is */
};

struct lwk_rank_plan {
	unsigned rank, size;
	enum lwk_backend_kind backend;
	bool bind;			/* native: bind CPUs and memory */
	bool prebound;
	hwloc_bitmap_t cpus;		/* the rank's PUs */
	hwloc_bitmap_t mems;		/* its NUMA nodes */
	unsigned ncores;
	enum lwk_pages pages;		/* 4k unless native */
	enum lwk_sched sched;		/* normal unless native */
	struct lwk_rank_env env[LWK_RANK_MAX_ENV];
	unsigned nenv;
};

void lwk_rank_plan_init(struct lwk_rank_plan *p);
void lwk_rank_plan_fini(struct lwk_rank_plan *p);

/* Fills out (initialized, empty) for req. Errors: more local ranks than
 * cores (native) or CPUs (mckernel/mos), ENOMEM. */
int lwk_rank_plan(const struct lwk_topo *tp, const struct lwk_rank_req *req,
		  struct lwk_rank_plan *out, struct lwk_err *err);

/* Appends a variable of the caller's own (lwkrun: PMIX_MCA_gds); name must
 * outlive the plan. force: value wins; else a value get(ctx, name) returns
 * (get may be NULL) is kept. */
int lwk_rank_env_add(struct lwk_rank_plan *p, lwk_getenv_fn get, void *ctx, const char *name,
		     const char *value, bool force, struct lwk_err *err);

/* The value the plan gives name, or NULL if the plan does not touch it. */
const char *lwk_rank_env(const struct lwk_rank_plan *p, const char *name);

/* Binds the calling thread (in a task before exec: the process) to the
 * share's CPUs and, strictly, its NUMA nodes; nothing unless p->bind. */
int lwk_rank_bind(const struct lwk_topo *tp, const struct lwk_rank_plan *p, struct lwk_err *err);

/* Sets every entry not kept through set (0 on success, errno-style
 * otherwise: the message names the variable). */
typedef int (*lwk_setenv_fn)(void *ctx, const char *name, const char *value);
int lwk_rank_export(const struct lwk_rank_plan *p, lwk_setenv_fn set, void *ctx,
		    struct lwk_err *err);

/* sched:fifo (native): SCHED_FIFO priority 1 for the calling thread, which
 * survives exec. Needs CAP_SYS_NICE or RLIMIT_RTPRIO >= 1. */
int lwk_rank_sched(const struct lwk_rank_plan *p, struct lwk_err *err);

#endif
