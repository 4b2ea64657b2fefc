/* The lwkctl partition spec (see mos.h). Pure: no I/O. */
#include <errno.h>
#include <stdio.h>

#include "mos.h"

void lwk_mos_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1ull << 30) == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(bytes >> 30));
	else
		snprintf(buf, len, "%lluM", (unsigned long long)((bytes + (1ull << 20) - 1) >> 20));
}

static int lowest_in(hwloc_const_bitmap_t a, hwloc_const_bitmap_t b, hwloc_const_bitmap_t minus)
{
	hwloc_bitmap_t t = hwloc_bitmap_alloc();
	int c;

	hwloc_bitmap_and(t, a, b);
	if (minus)
		hwloc_bitmap_andnot(t, t, minus);
	c = hwloc_bitmap_first(t);
	hwloc_bitmap_free(t);
	return c;
}

int lwk_mos_config(const struct lwk_topo *tp, hwloc_const_bitmap_t lwk,
		   hwloc_const_bitmap_t linux_cpus, const struct lwk_node_mem *mem,
		   unsigned nmem, char *buf, size_t len, struct lwk_err *err)
{
	hwloc_const_bitmap_t all = hwloc_topology_get_complete_cpuset(tp->t);
	hwloc_bitmap_t grp = hwloc_bitmap_alloc(), seen = hwloc_bitmap_alloc();
	hwloc_obj_t node = NULL;
	size_t used;
	int rc = -1, ngrp = 0;

	used = (size_t)snprintf(buf, len, "lwkcpus=");
	if (hwloc_bitmap_iszero(lwk) || !hwloc_bitmap_isincluded(lwk, all)) {
		lwk_err_set(err, EINVAL, "the mOS partition's CPUs are empty or not all on this node");
		goto out;
	}
	while ((node = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, node))) {
		char l[256];
		int util = -1;

		hwloc_bitmap_and(grp, lwk, node->cpuset);
		hwloc_bitmap_andnot(grp, grp, seen);	/* a CPU in one group only */
		if (hwloc_bitmap_iszero(grp))
			continue;
		hwloc_bitmap_or(seen, seen, grp);
		if (linux_cpus)
			util = lowest_in(linux_cpus, node->cpuset, lwk);
		if (util < 0)
			util = lowest_in(all, node->cpuset, lwk);
		if (util < 0 && linux_cpus)
			util = lowest_in(linux_cpus, all, lwk);
		if (util < 0)
			util = lowest_in(all, all, lwk);
		if (util < 0) {
			lwk_err_set(err, EINVAL, "no CPU is left to serve mOS as utility CPU: keep "
				    "at least one CPU on Linux (util:1)");
			goto out;
		}
		hwloc_bitmap_list_snprintf(l, sizeof(l), grp);
		used += (size_t)snprintf(buf + (used < len ? used : len), used < len ? len - used : 0,
					 "%s%d.%s", ngrp++ ? ":" : "", util, l);
	}
	for (unsigned i = 0, k = 0; i < nmem; i++) {
		uint64_t b = mem[i].bytes;
		char s[32];

		if (!b)
			continue;
		b = (b + LWK_MOS_SECTION - 1) / LWK_MOS_SECTION * LWK_MOS_SECTION;
		lwk_mos_size(b, s, sizeof(s));
		used += (size_t)snprintf(buf + (used < len ? used : len), used < len ? len - used : 0,
					 "%s%u:%s", k++ ? "," : " lwkmem=", mem[i].node, s);
	}
	if (used >= len) {
		lwk_err_set(err, E2BIG, "the mOS partition spec is too long");
		goto out;
	}
	rc = 0;
out:
	hwloc_bitmap_free(grp);
	hwloc_bitmap_free(seen);
	return rc;
}
