/* The environment between the SPANK plugin (or any caller) and lwkrun.
 *
 * The plugin exports the LWK_* "partition" variables into each task of an
 * LWK step; lwkrun reads them to learn which partition it runs in, takes the
 * rank's share and exports the LWK_* "rank" variables to the program. All CPU
 * and NUMA lists are OS indexes in hwloc list syntax ("0-3,8").
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
 * task_init alike: LWK_LOCAL_RANK/SIZE, LWK_RANK_CPUS/MEMS (rank.h). */
#include "rank.h"

#endif
