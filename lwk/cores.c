/* Cores of a CPU set grouped by NUMA node. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cores.h"

static unsigned node_of(const struct lwk_cores *c, hwloc_obj_t core)
{
	unsigned k;

	for (k = 0; k < c->nnodes; k++)
		if (c->node[k]->cpuset && hwloc_bitmap_isincluded(core->cpuset, c->node[k]->cpuset))
			return k;
	for (k = 0; k < c->nnodes; k++)
		if (c->node[k]->cpuset && hwloc_bitmap_intersects(core->cpuset, c->node[k]->cpuset))
			return k;
	return 0;	/* hwloc puts every PU under a NUMA node; never reached */
}

int lwk_cores_get(const struct lwk_topo *tp, hwloc_const_bitmap_t set,
		  struct lwk_cores *c, struct lwk_err *err)
{
	unsigned total = lwk_topo_ncores(tp), i, k, n = 0;
	unsigned *nodeof = NULL, *pos = NULL;
	hwloc_obj_t *tmp = NULL;
	int nn = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_NUMANODE);

	memset(c, 0, sizeof(*c));
	if (nn <= 0)
		return lwk_err_set(err, ENODEV, "hwloc found no NUMA node on this machine; check that /sys is mounted");
	c->nnodes = (unsigned)nn;
	c->node = calloc(c->nnodes, sizeof(*c->node));
	c->first = calloc(c->nnodes + 1, sizeof(*c->first));
	c->core = calloc(total ? total : 1, sizeof(*c->core));
	tmp = calloc(total ? total : 1, sizeof(*tmp));
	nodeof = calloc(total ? total : 1, sizeof(*nodeof));
	pos = calloc(c->nnodes + 1, sizeof(*pos));
	if (!c->node || !c->first || !c->core || !tmp || !nodeof || !pos) {
		free(tmp);
		free(nodeof);
		free(pos);
		lwk_cores_free(c);
		return lwk_err_set(err, ENOMEM, "out of memory");
	}
	for (k = 0; k < c->nnodes; k++)
		c->node[k] = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, k);
	for (i = 0; i < total; i++) {
		hwloc_obj_t core = lwk_topo_core(tp, i);

		if (!core || !hwloc_bitmap_intersects(core->cpuset, set))
			continue;
		tmp[n] = core;
		nodeof[n] = node_of(c, core);
		c->first[nodeof[n] + 1]++;
		n++;
	}
	/* counting sort by node, stable: logical order within a node */
	for (k = 0; k < c->nnodes; k++)
		c->first[k + 1] += c->first[k];
	memcpy(pos, c->first, (c->nnodes + 1) * sizeof(*pos));
	for (i = 0; i < n; i++)
		c->core[pos[nodeof[i]]++] = tmp[i];
	c->ncores = n;
	free(tmp);
	free(nodeof);
	free(pos);
	return 0;
}

void lwk_cores_free(struct lwk_cores *c)
{
	free(c->node);
	free(c->first);
	free(c->core);
	memset(c, 0, sizeof(*c));
}
