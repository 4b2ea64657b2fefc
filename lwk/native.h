/* Native backend internals.
 *
 * Node-wide state is a pure function of the baseline (the node's values
 * before the first partition, saved durably before the first change) and of
 * the set of partitions recorded in the registry:
 *   Linux cpuset and every steerable mask = baseline minus the union of
 *   partition CPUs (an IRQ left with no CPU goes to all Linux CPUs; no
 *   Linux CPU at all is an error), huge pages = baseline + the sum of
 *   reservations. With no partition left the baseline is written back as it
 *   was read and deleted.
 * lwk_native_plan computes that state without touching the node (unit
 * tested); lwk_native_apply makes the node match a plan (idempotent, so a
 * crash anywhere is repaired by applying again). Per-partition cpusets are
 * backend steps (native.c, journalled).
 */
#ifndef LWK_NATIVE_H
#define LWK_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwloc.h>

#include "error.h"
#include "partition.h"

#define LWK_CG1_ROOT "/sys/fs/cgroup/cpuset"
#define LWK_CG2_ROOT "/sys/fs/cgroup"
#define LWK_CG_DIR "lwk"		/* parent of the partition cpusets */
#define LWK_CG1_LINUX "lwk.linux"	/* v1: the rest of the system */

struct lwk_irq_base {
	unsigned irq;
	hwloc_bitmap_t mask;	/* smp_affinity_list as found */
};

struct lwk_hp_base {
	unsigned node;
	unsigned kb;		/* page size */
	uint64_t nr;		/* nr_hugepages as found */
};

struct lwk_baseline {
	int cgroup;			/* 1 or 2 */
	char boot_id[40];		/* the boot it was read in */
	hwloc_bitmap_t online;		/* online CPUs */
	hwloc_bitmap_t mems;		/* root cpuset mems */
	int root_lb;			/* v1: root sched_load_balance; -1 unknown */
	int v2_cpuset;			/* v2: +cpuset was in root subtree_control */
	bool has_dfl, has_wq;
	char dfl_raw[256], wq_raw[256];	/* written back verbatim */
	hwloc_bitmap_t dfl, wq;
	size_t nirq;
	struct lwk_irq_base *irq;
	size_t nhp;
	struct lwk_hp_base *hp;
};

void lwk_baseline_init(struct lwk_baseline *b);
void lwk_baseline_fini(struct lwk_baseline *b);
char *lwk_baseline_format(const struct lwk_baseline *b);
int lwk_baseline_parse(struct lwk_baseline *b, const char *text, struct lwk_err *err);
/* Reads the live node (cgroup version, masks, IRQs, huge pages). */
int lwk_baseline_read(struct lwk_baseline *b, struct lwk_err *err);

struct lwk_native_plan {
	bool any;			/* some steered partition exists */
	hwloc_bitmap_t lwk;		/* union of partition CPUs */
	hwloc_bitmap_t linux_cpus;	/* online minus lwk */
	hwloc_bitmap_t dfl, wq;
	hwloc_bitmap_t *irq;		/* per b->irq[] */
	uint64_t *hp;			/* per b->hp[] */
};

void lwk_native_plan_init(struct lwk_native_plan *pl);
void lwk_native_plan_fini(struct lwk_native_plan *pl);
/* Partitions of backends without LWK_BACKEND_STEER are ignored. Errors:
 * overlapping partitions, no CPU left for Linux, CPUs not online, huge
 * pages of a size or on a node the node lacks. */
int lwk_native_plan(const struct lwk_baseline *b, const struct lwk_partition *parts,
		    size_t n, struct lwk_native_plan *pl, struct lwk_err *err);

/* Makes the node match pl (pl->any false: the baseline verbatim). Appends
 * remarks (IRQs that refused a mask) to note. */
int lwk_native_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		     char *note, size_t notelen, struct lwk_err *err);

/* Pieces of apply, one file each. */
int lwk_cg1_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		  struct lwk_err *err);
int lwk_cg2_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		  struct lwk_err *err);
int lwk_steer_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		    char *note, size_t notelen, struct lwk_err *err);
int lwk_huge_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		   struct lwk_err *err);
int lwk_steer_read(struct lwk_baseline *b, struct lwk_err *err);
int lwk_huge_read(struct lwk_baseline *b, struct lwk_err *err);

/* 1 or 2 for the cgroup version that has cpuset here, 0 if none. */
int lwk_cgroup_version(void);
/* Partition cpusets (backend steps). */
int lwk_cg1_make(const struct lwk_partition *p, const char *path, char *note, size_t notelen,
		 struct lwk_err *err);
int lwk_cg2_make(const struct lwk_partition *p, const char *path, struct lwk_err *err);
/* Moves tasks out of path (to the Linux cpuset) and removes it; absent is fine. */
int lwk_cg_remove(int version, const char *path, struct lwk_err *err);
/* The partition's NUMA nodes: p->mems, or those of its CPUs if empty. */
void lwk_native_mems(const struct lwk_partition *p, hwloc_bitmap_t mems);
bool lwk_cg1_exclusive(const char *path);
/* "cpuset." before cgroup v1 cpuset file names, unless the hierarchy was
 * mounted with noprefix. */
const char *lwk_cg1_prefix(void);
int lwk_cg_attach(int version, const char *path, pid_t pid, struct lwk_err *err);

/* Huge page size in kB for a page kind (0 for 4k: nothing reserved). */
unsigned lwk_hp_kb(enum lwk_pages pages);

#endif
