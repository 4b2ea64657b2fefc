/* Whether the plugin's plan for this local rank is in force, read with libc
 * alone: what lwkrun's front (front.c) checks before it execs the program
 * itself. These are inherit.h's checks, which the full lwkrun makes with
 * hwloc's bitmaps, made here without a CPU-set library (the front is built
 * with musl where it can, and includes no hwloc):
 *   - the task's CPU affinity and memory binding, as the kernel holds them,
 *     are printed as lists the way the plugin prints LWK_RANK_CPUS and
 *     LWK_RANK_MEMS (env.h: hwloc's list form, "0-3,8") and compared with
 *     them byte for byte;
 *   - "the rank's lists lie in the partition's" reads the lists in that
 *     printed form only (ascending, maximal runs "A-B", no leading zeros).
 * A list written any other way is not the plugin's: not in force, and the
 * full lwkrun, which reads whatever hwloc reads, decides.
 *
 * In force when all of these hold:
 *   - PROGRAM is given; LWK_CPUS, LWK_MEMS, LWK_RANK_CPUS and LWK_RANK_MEMS
 *     are set, the rank's lists within the partition's;
 *   - LWK_LOCAL_RANK and LWK_LOCAL_SIZE are, in decimal, the local rank
 *     and size lwkrun found (localrank.h);
 *   - LWK_BACKEND is native (or unset) or mos; mckernel is the full
 *     lwkrun's (its McKernel instance is in the registry);
 *   - LWK_SPEC's sched: item, if it has one, is sched:fifo or sched:normal
 *     (the plugin writes the spec canonically; no other item matters here);
 *   - native: the affinity printed is LWK_RANK_CPUS, the memory policy is
 *     MPOL_BIND and its nodes printed are LWK_RANK_MEMS, and with
 *     sched:fifo the task runs SCHED_FIFO.
 * LWK_PARTITION and LWK_STATEDIR are not read: the front needs neither.
 */
#ifndef LWKRUN_INFORCE_H
#define LWKRUN_INFORCE_H

#include <stdbool.h>
#include <stddef.h>

#include "localrank.h"
#include "spec_kinds.h"

/* Indexes below this, as the full lwkrun (inherit.c): NR_CPUS <= 8192. */
#define LWKRUN_MAX_IDS 8192
#define LWKRUN_MASK_WORDS (LWKRUN_MAX_IDS / (8 * sizeof(unsigned long)))

/* This thread as the kernel holds it; bit i of word i / (8 * sizeof(long))
 * is index i, as the system calls fill them. */
struct lwkrun_task_state {
	unsigned long cpus[LWKRUN_MASK_WORDS];	/* CPU affinity */
	unsigned long mems[LWKRUN_MASK_WORDS];	/* the memory policy's nodes */
	int mem_mode;				/* MPOL_*, flags off; -1 unknown */
	int policy;				/* SCHED_*; -1 unknown */
};

/* Reads it with three system calls (sched_getaffinity, get_mempolicy,
 * sched_getscheduler, raw: musl's sched_getscheduler is a stub). What
 * cannot be read is left empty or -1, which no plan matches. */
void lwkrun_task_state_read(struct lwkrun_task_state *t);

/* mask, printed as a list, is list byte for byte (false for an empty mask). */
bool lwkrun_mask_is_list(const unsigned long *mask, size_t words, const char *list);

/* 1 when every index of a is in b, 0 when not, -1 when a or b is empty or
 * not a list in the printed form. */
int lwkrun_list_within(const char *a, const char *b);

/* 1 when the plugin's plan is in force (see above), *backend then native or
 * mos; 0 when not. prog is PROGRAM ARGS..., now the task's state. */
int lwkrun_in_force(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
		    const struct lwkrun_task_state *now, enum lwk_backend_kind *backend);

#endif
