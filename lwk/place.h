/* Placement: which of a job's cores and how much of which NUMA memory become
 * the LWK partition on a node (lwk_place), and which of the partition's cores
 * one local rank gets (lwk_share). Pure computations over a topology. */
#ifndef LWK_PLACE_H
#define LWK_PLACE_H

#include <stdint.h>

#include "policy.h"
#include "spec.h"
#include "topo.h"

#define LWK_MAX_NUMA 64

struct lwk_node_mem {
	unsigned node;		/* OS NUMA index */
	uint64_t bytes;		/* multiple of the page size */
};

struct lwk_placement {
	hwloc_bitmap_t cpus;		/* OS PUs of the LWK cores (whole cores) */
	hwloc_bitmap_t linux_cpus;	/* the allocation's PUs left to Linux */
	hwloc_bitmap_t mems;		/* NUMA nodes of the LWK cores */
	unsigned ncores;
	unsigned nmem;
	struct lwk_node_mem mem[LWK_MAX_NUMA];	/* reservation per node; empty without mem: */
	enum lwk_pages pages;
};

void lwk_placement_init(struct lwk_placement *pl);
void lwk_placement_fini(struct lwk_placement *pl);

/* Chooses LWK cores from alloc (OS PUs of the job's cores on this node):
 * balanced over the allocation's NUMA nodes (restricted to numa: if given),
 * only cores whose PUs are all in alloc and in policy lwk_cpus, keeping
 * max(util, min_linux_cores) cores on Linux (cores that cannot be LWK cores
 * count; more are kept lowest-numbered, spread over NUMA nodes), preferring
 * high-numbered cores for the LWK so CPU 0 stays on Linux. cores:N beyond
 * what fits (or beyond max_core_share) is an error saying how many to ask
 * for; N% (of the job's cores, at least 1) and all are clamped. mem: is split
 * over the chosen NUMA nodes in proportion to their LWK cores, each part
 * rounded up to the pages: size and within max_mem_share of its node.
 * alloc_mem is the job's memory on the node in bytes (0: unknown, then mem:N%
 * is of each NUMA node's memory, rounded down). spec and pol are only read:
 * the caller has parsed the spec and applied the policy. */
int lwk_place(const struct lwk_topo *tp, const struct lwk_policy *pol,
	      const struct lwk_spec *spec, hwloc_const_bitmap_t alloc,
	      uint64_t alloc_mem, struct lwk_placement *out, struct lwk_err *err);

/* lwk_place, with a cost per OS PU (cpu_cost[0..ncost-1], e.g. from
 * lwk_irqs_cost: what unmovable IRQs would inflict on an LWK core there).
 * The number of LWK cores per NUMA node and every rule above are kept;
 * within a node the cheapest candidates become LWK cores and the costliest
 * are the ones kept on Linux. Cores cost the sum of their PUs. With all
 * costs equal (or cpu_cost NULL) the choice is lwk_place's. When no cheap
 * core is left, the partition is still placed: the caller says so. */
int lwk_place_avoid(const struct lwk_topo *tp, const struct lwk_policy *pol,
		    const struct lwk_spec *spec, hwloc_const_bitmap_t alloc,
		    uint64_t alloc_mem, const uint64_t *cpu_cost, unsigned ncost,
		    struct lwk_placement *out, struct lwk_err *err);

/* lwk_place_avoid with the costs of this node's unmovable IRQs
 * (lwk_irqs_read_node with the registry statedir, NULL: LWK_STATEDIR). note (notelen bytes) receives "" or one sentence saying which
 * unmovable IRQs land on the chosen LWK CPUs anyway: the caller tells the
 * user and records it. Without a readable /proc/interrupts, or on a
 * topology that is not this machine's (synthetic, XML), or when the backend
 * lwk_partition_create would choose is not native: lwk_place. */
int lwk_place_irq(const char *statedir, const struct lwk_topo *tp, const struct lwk_policy *pol,
		  const struct lwk_spec *spec, hwloc_const_bitmap_t alloc, uint64_t alloc_mem,
		  struct lwk_placement *out, char *note, size_t notelen, struct lwk_err *err);

struct lwk_share {
	hwloc_bitmap_t cpus;	/* the rank's PUs (one per core unless smt) */
	hwloc_bitmap_t mems;	/* NUMA nodes of those PUs */
	unsigned ncores;
};

void lwk_share_init(struct lwk_share *sh);
void lwk_share_fini(struct lwk_share *sh);

/* Splits the partition's cores among nranks local ranks: every rank gets s
 * or s+1 cores, a contiguous block in NUMA order, the extra cores going to
 * the lowest ranks (of each node). When the balanced share fits in a NUMA
 * node no rank straddles nodes, even if that leaves some cores unused (9
 * ranks on 8 nodes of 32 cores get 16-17 cores each); otherwise the cores
 * are cut contiguously across nodes. Deterministic: each rank computes the
 * same plan. More ranks than cores is an error. smt: give all the
 * partition's PUs of each core, else the first one. */
int lwk_share(const struct lwk_topo *tp, hwloc_const_bitmap_t part_cpus,
	      unsigned rank, unsigned nranks, int smt, struct lwk_share *out,
	      struct lwk_err *err);

#endif
