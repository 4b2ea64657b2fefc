/* Internal to liblwk: the cores of a CPU set grouped by NUMA node, which
 * placement and sharing both walk. A core belongs to the first NUMA node (in
 * hwloc logical order) whose CPUs cover it, so memory-side nodes sharing a
 * cpuset (e.g. MCDRAM) do not count twice. */
#ifndef LWK_CORES_H
#define LWK_CORES_H

#include "topo.h"

struct lwk_cores {
	unsigned nnodes;	/* NUMA nodes of the machine, logical order */
	hwloc_obj_t *node;	/* [nnodes] */
	unsigned *first;	/* [nnodes + 1]: node k's cores are core[first[k]..first[k+1]) */
	unsigned ncores;
	hwloc_obj_t *core;	/* cores intersecting the set, by node, then logical order */
};

/* Cores with at least one PU in set. */
int lwk_cores_get(const struct lwk_topo *tp, hwloc_const_bitmap_t set,
		  struct lwk_cores *c, struct lwk_err *err);
void lwk_cores_free(struct lwk_cores *c);

static inline unsigned lwk_cores_in(const struct lwk_cores *c, unsigned k)
{
	return c->first[k + 1] - c->first[k];
}

#endif
