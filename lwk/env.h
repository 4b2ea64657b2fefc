/* The environment between the SPANK plugin (or any caller) and lwkrun.
 *
 * The plugin exports the LWK_* "partition" variables into each task of an
 * LWK step; lwkrun reads them to learn which partition it runs in, takes the
 * rank's share and exports the LWK_* "rank" variables to the program. All CPU
 * and NUMA lists are OS indexes in hwloc list syntax ("0-3,8").
 *
 * The plugin writes every list as hwloc prints it: ascending, runs as "A-B",
 * no leading zeros, no spaces. lwkrun's front (launcher/inforce.h) relies on
 * it: it prints the task's CPU affinity and memory binding the same way and
 * compares them with LWK_RANK_CPUS and LWK_RANK_MEMS byte for byte, without
 * a CPU-set library. This header needs libc only (the front is built with
 * musl where it can, and includes no hwloc).
 */
#ifndef LWK_ENV_H
#define LWK_ENV_H

/* Set by the plugin (partition, node-wide). LWK_CPUS is required, the others
 * are optional. */
#define LWK_ENV_PARTITION	"LWK_PARTITION"	/* registry id, e.g. "job.1234" */
#define LWK_ENV_CPUS		"LWK_CPUS"	/* the partition's PUs */
#define LWK_ENV_MEMS		"LWK_MEMS"	/* its NUMA nodes (default: those of LWK_CPUS) */
#define LWK_ENV_BACKEND		"LWK_BACKEND"	/* native | mckernel | mos (default native) */
#define LWK_ENV_SPEC		"LWK_SPEC"	/* canonical --lwk spec: pages:, sched: ... */
#define LWK_ENV_STATEDIR	"LWK_STATEDIR"	/* registry directory, for --partition */

/* Set for the program (the rank's share) by lwkrun and by the plugin's
 * task_init alike (rank.h plans them). */
#define LWK_ENV_LOCAL_RANK	"LWK_LOCAL_RANK"	/* decimal, 0 .. size-1 */
#define LWK_ENV_LOCAL_SIZE	"LWK_LOCAL_SIZE"	/* decimal, local ranks on the node */
#define LWK_ENV_RANK_CPUS	"LWK_RANK_CPUS"	/* the rank's PUs */
#define LWK_ENV_RANK_MEMS	"LWK_RANK_MEMS"	/* its NUMA nodes */

/* The value of name in ctx, a NULL-terminated char *const * of "NAME=VALUE"
 * strings, or NULL (env.c; an lwk_getenv_fn, rank.h). */
const char *lwk_envp_get(void *ctx, const char *name);

#endif
