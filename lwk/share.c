/* One local rank's share of the partition's cores.
 *
 * Every rank gets s or s+1 cores. When the balanced share fits in a NUMA
 * node, no rank straddles nodes: s is the largest size such that the nodes
 * hold nranks blocks of s cores, ranks go to nodes where they add the most
 * cores (ties: fewest ranks per core, then the highest node, so that the
 * larger blocks land on the lowest ranks), and within a node the first
 * ranks get the extra core. Cores that cannot be shared out that way stay
 * unused rather than have a rank straddle nodes or take more than its
 * peers. When the balanced share is larger than any node, the cores are
 * cut into contiguous blocks in NUMA order, the remainder to the lowest
 * ranks. Every rank computes the same plan, so the shares never overlap.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cores.h"
#include "place.h"

void lwk_share_init(struct lwk_share *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->cpus = hwloc_bitmap_alloc();
	sh->mems = hwloc_bitmap_alloc();
}

void lwk_share_fini(struct lwk_share *sh)
{
	hwloc_bitmap_free(sh->cpus);
	hwloc_bitmap_free(sh->mems);
	memset(sh, 0, sizeof(*sh));
}

/* Cores used on a node of c cores by n ranks of s or s+1 cores. */
static unsigned used(unsigned c, unsigned n, unsigned s)
{
	uint64_t u = (uint64_t)n * (s + 1);

	return u < c ? (unsigned)u : c;
}

/* Finds rank's block [*start, *start + *len) in the NUMA-ordered core list. */
static void plan_local(const struct lwk_cores *c, unsigned q, unsigned rank,
		       unsigned nranks, unsigned *nr, unsigned *start, unsigned *len)
{
	unsigned s, k, j, r;

	/* largest s with room for nranks blocks; s = 1 always fits */
	for (s = q; s > 1; s--) {
		unsigned fit = 0;

		for (k = 0; k < c->nnodes && fit < nranks; k++)
			fit += lwk_cores_in(c, k) / s;
		if (fit >= nranks)
			break;
	}
	memset(nr, 0, c->nnodes * sizeof(*nr));
	for (j = 0; j < nranks; j++) {
		unsigned best = c->nnodes, gbest = 0;

		for (k = 0; k < c->nnodes; k++) {
			unsigned ck = lwk_cores_in(c, k), g;

			if ((uint64_t)(nr[k] + 1) * s > ck)
				continue;
			g = used(ck, nr[k] + 1, s) - used(ck, nr[k], s);
			if (best == c->nnodes || g > gbest ||
			    (g == gbest && (uint64_t)nr[k] * lwk_cores_in(c, best) <=
					   (uint64_t)nr[best] * ck)) {
				best = k;
				gbest = g;
			}
		}
		nr[best]++;	/* room for nranks blocks: always found */
	}
	for (k = 0, r = 0; k < c->nnodes; k++) {
		unsigned ck = lwk_cores_in(c, k), up;

		if (rank >= r + nr[k]) {
			r += nr[k];
			continue;
		}
		j = rank - r;
		up = ck - nr[k] * s < nr[k] ? ck - nr[k] * s : nr[k];
		*start = c->first[k] + j * s + (j < up ? j : up);
		*len = s + (j < up);
		return;
	}
}

int lwk_share(const struct lwk_topo *tp, hwloc_const_bitmap_t part_cpus,
	      unsigned rank, unsigned nranks, int smt, struct lwk_share *out,
	      struct lwk_err *err)
{
	struct lwk_cores c;
	unsigned *nr = NULL, k, q, maxc = 0, start = 0, len = 0, i;
	hwloc_bitmap_t tmp = NULL;
	int ret = -1;

	if (!out->cpus || !out->mems)
		return lwk_err_set(err, ENOMEM, "out of memory");
	hwloc_bitmap_zero(out->cpus);
	hwloc_bitmap_zero(out->mems);
	out->ncores = 0;
	if (nranks == 0 || rank >= nranks)
		return lwk_err_set(err, EINVAL, "local rank %u of %u does not exist; check the launcher's rank environment",
				   rank, nranks);
	if (!part_cpus || hwloc_bitmap_iszero(part_cpus))
		return lwk_err_set(err, EINVAL, "the LWK partition has no CPUs; recreate it with some cores");
	if (lwk_cores_get(tp, part_cpus, &c, err) < 0)
		return -1;
	if (nranks > c.ncores) {
		lwk_err_set(err, ENOSPC, "%u local ranks but only %u LWK core%s on this node; run at most %u rank%s per node or ask for more cores (cores:)",
			    nranks, c.ncores, c.ncores == 1 ? "" : "s", c.ncores,
			    c.ncores == 1 ? "" : "s");
		goto out;
	}
	nr = calloc(c.nnodes, sizeof(*nr));
	tmp = hwloc_bitmap_alloc();
	if (!nr || !tmp) {
		lwk_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < c.nnodes; k++)
		if (lwk_cores_in(&c, k) > maxc)
			maxc = lwk_cores_in(&c, k);
	q = c.ncores / nranks;
	if (q <= maxc) {
		plan_local(&c, q, rank, nranks, nr, &start, &len);
	} else {
		unsigned e = c.ncores % nranks;

		start = rank * q + (rank < e ? rank : e);
		len = q + (rank < e);
	}
	for (i = start; i < start + len; i++) {
		hwloc_bitmap_and(tmp, c.core[i]->cpuset, part_cpus);
		if (smt)
			hwloc_bitmap_or(out->cpus, out->cpus, tmp);
		else
			hwloc_bitmap_set(out->cpus, (unsigned)hwloc_bitmap_first(tmp));
	}
	out->ncores = len;
	lwk_topo_cpus_to_mems(tp, out->cpus, out->mems);
	ret = 0;
out:
	free(nr);
	hwloc_bitmap_free(tmp);
	lwk_cores_free(&c);
	return ret;
}
