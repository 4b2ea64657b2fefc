/* lwk/share: one local rank's share of the partition's cores. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "place.h"
#include "synth.h"
#include "check_run.h"

static struct lwk_err err;

#define ck_assert_has(msg, sub) \
	ck_assert_msg(strstr((msg), (sub)) != NULL, "\"%s\" lacks \"%s\"", (msg), (sub))

static void share_ok(struct lwk_topo *tp, const char *part, unsigned rank, unsigned n,
		     int smt, const char *want_cpus, const char *want_mems)
{
	struct lwk_share sh;
	hwloc_bitmap_t p = bm(part);

	lwk_share_init(&sh);
	ck_assert_msg(lwk_share(tp, p, rank, n, smt, &sh, &err) == 0, "%s", err.msg);
	ck_assert_bm(sh.cpus, want_cpus);
	ck_assert_bm(sh.mems, want_mems);
	lwk_share_fini(&sh);
	hwloc_bitmap_free(p);
}

START_TEST(examples)
{
	struct lwk_topo tp;
	unsigned r;
	char want[32];

	synth_load(&tp, 1, 1, 10, 1, 0);	/* remainder to the lowest ranks */
	share_ok(&tp, "0-9", 0, 3, 0, "0-3", "0");
	share_ok(&tp, "0-9", 1, 3, 0, "4-6", "0");
	share_ok(&tp, "0-9", 2, 3, 0, "7-9", "0");
	share_ok(&tp, "0-9", 0, 1, 0, "0-9", "0");
	share_ok(&tp, "2,5,7", 1, 3, 0, "5", "0");
	lwk_topo_fini(&tp);

	synth_load(&tp, 2, 1, 2, 1, 0);		/* one rank larger than a node */
	share_ok(&tp, "0-3", 0, 1, 0, "0-3", "0-1");
	lwk_topo_fini(&tp);

	synth_load(&tp, 2, 1, 4, 1, 0);		/* 3 ranks on 2 x 4: no straddling */
	share_ok(&tp, "0-7", 0, 3, 0, "0-2", "0");
	share_ok(&tp, "0-7", 1, 3, 0, "4-5", "1");
	share_ok(&tp, "0-7", 2, 3, 0, "6-7", "1");
	lwk_topo_fini(&tp);

	synth_load(&tp, 2, 4, 32, 1, 0);	/* 256 cores, 8 nodes */
	for (r = 0; r < 64; r++) {
		snprintf(want, sizeof(want), "%u-%u", 4 * r, 4 * r + 3);
		share_ok(&tp, "0-255", r, 64, 0, want, r < 32 ? (r < 16 ? (r < 8 ? "0" : "1") : (r < 24 ? "2" : "3")) :
			 (r < 48 ? (r < 40 ? "4" : "5") : (r < 56 ? "6" : "7")));
	}
	/* 12 ranks: 17 cores for ranks 0-3 (alone on nodes 0-3), 16 for the rest */
	share_ok(&tp, "0-255", 0, 12, 0, "0-16", "0");
	share_ok(&tp, "0-255", 3, 12, 0, "96-112", "3");
	share_ok(&tp, "0-255", 4, 12, 0, "128-143", "4");
	share_ok(&tp, "0-255", 11, 12, 0, "240-255", "7");
	/* 9 ranks: one per node with 17 cores, the last node holds two of 16 */
	share_ok(&tp, "0-255", 0, 9, 0, "0-16", "0");
	share_ok(&tp, "0-255", 6, 9, 0, "192-208", "6");
	share_ok(&tp, "0-255", 7, 9, 0, "224-239", "7");
	share_ok(&tp, "0-255", 8, 9, 0, "240-255", "7");
	/* 3 ranks larger than a node: contiguous cut, remainder first */
	share_ok(&tp, "0-255", 0, 3, 0, "0-85", "0-2");
	share_ok(&tp, "0-255", 1, 3, 0, "86-170", "2-5");
	share_ok(&tp, "0-255", 2, 3, 0, "171-255", "5-7");
	lwk_topo_fini(&tp);
}
END_TEST

START_TEST(smt_threads)
{
	struct lwk_topo tp;

	synth_load(&tp, 2, 1, 4, 2, 1);		/* core i = {i, i+8}, node = i / 4 */
	share_ok(&tp, "1-7,9-15", 0, 2, 1, "1-3,9-11", "0");
	share_ok(&tp, "1-7,9-15", 0, 2, 0, "1-3", "0");
	share_ok(&tp, "1-7,9-15", 1, 2, 0, "4-7", "1");
	share_ok(&tp, "1-7,9-15", 1, 2, 1, "4-7,12-15", "1");
	/* a core with one thread in the partition still counts, with that thread */
	share_ok(&tp, "3,11,12", 1, 2, 1, "12", "1");
	share_ok(&tp, "3,11,12", 1, 2, 0, "12", "1");
	lwk_topo_fini(&tp);
}
END_TEST

START_TEST(errors)
{
	struct lwk_topo tp;
	struct lwk_share sh;
	hwloc_bitmap_t p = bm("0-3"), empty = hwloc_bitmap_alloc();

	synth_load(&tp, 1, 1, 8, 2, 0);
	lwk_share_init(&sh);
	ck_assert_int_eq(lwk_share(&tp, p, 0, 5, 0, &sh, &err), -1);
	ck_assert_str_eq(err.msg, "5 local ranks but only 2 LWK cores on this node; run at most 2 ranks per node or ask for more cores (cores:)");
	ck_assert(hwloc_bitmap_iszero(sh.cpus));
	ck_assert_int_eq(lwk_share(&tp, p, 2, 2, 0, &sh, &err), -1);
	ck_assert_has(err.msg, "local rank 2 of 2");
	ck_assert_int_eq(lwk_share(&tp, p, 0, 0, 0, &sh, &err), -1);
	ck_assert_int_eq(lwk_share(&tp, empty, 0, 1, 0, &sh, &err), -1);
	ck_assert_has(err.msg, "no CPUs");
	ck_assert_int_eq(lwk_share(&tp, p, 1, 2, 0, &sh, &err), 0);
	ck_assert_bm(sh.cpus, "2");
	lwk_share_fini(&sh);
	hwloc_bitmap_free(p);
	hwloc_bitmap_free(empty);
	lwk_topo_fini(&tp);
}
END_TEST

/* Partitions of a machine: all cores, the first n, uneven per node, all but core 0. */
static void make_part(struct lwk_topo *tp, unsigned mode, hwloc_bitmap_t part)
{
	unsigned nc = lwk_topo_ncores(tp), nn, i;

	nn = (unsigned)hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_NUMANODE);
	hwloc_bitmap_zero(part);
	for (i = 0; i < nc; i++) {
		unsigned per = nc / nn, k = i / per, j = i % per;
		bool in;

		switch (mode) {
		case 0: in = true; break;
		case 1: in = i < nc * 3 / 4 + 1; break;
		case 2: in = j < (per * (k + 1) + nn - 1) / nn; break;
		default: in = i != 0; break;
		}
		if (in)
			hwloc_bitmap_or(part, part, lwk_topo_core(tp, i)->cpuset);
	}
}

/* Checks every property of the shares of all nranks ranks. */
static void check_shares(struct lwk_topo *tp, hwloc_bitmap_t part, unsigned nranks, int smt)
{
	unsigned nc = lwk_topo_ncores(tp), nn, i, r, k, C = 0, maxc = 0, mn = ~0u, mx = 0;
	unsigned *pos = calloc(nc, sizeof(*pos)), *cnt, *first = calloc(nranks, sizeof(*first));
	unsigned *fcore = calloc(nranks, sizeof(*fcore)), *size = calloc(nranks, sizeof(*size));
	int *owner = calloc(nc, sizeof(*owner));
	hwloc_bitmap_t uni = hwloc_bitmap_alloc(), cores = hwloc_bitmap_alloc();
	hwloc_bitmap_t ucores = hwloc_bitmap_alloc();	/* PUs of the cores used */
	hwloc_bitmap_t mine = hwloc_bitmap_alloc();
	struct lwk_share sh, again;
	bool equal = true;

	nn = (unsigned)hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_NUMANODE);
	cnt = calloc(nn, sizeof(*cnt));
	/* partition cores in logical (= NUMA) order, and per node */
	for (i = 0; i < nc; i++) {
		owner[i] = -1;
		if (hwloc_bitmap_intersects(lwk_topo_core(tp, i)->cpuset, part)) {
			pos[i] = C++;
			cnt[i / (nc / nn)]++;
		}
	}
	for (k = 0; k < nn; k++) {
		if (cnt[k] > maxc)
			maxc = cnt[k];
		if (cnt[k] && cnt[k] != C / nn)
			equal = false;
	}
	if (nranks > C) {
		lwk_share_init(&sh);
		ck_assert_int_eq(lwk_share(tp, part, 0, nranks, smt, &sh, &err), -1);
		lwk_share_fini(&sh);
		goto out;
	}
	for (r = 0; r < nranks; r++) {
		unsigned lo = ~0u, hi = 0, n = 0;

		lwk_share_init(&sh);
		lwk_share_init(&again);
		ck_assert_msg(lwk_share(tp, part, r, nranks, smt, &sh, &err) == 0, "%s", err.msg);
		ck_assert_int_eq(lwk_share(tp, part, r, nranks, smt, &again, &err), 0);
		ck_assert(hwloc_bitmap_isequal(sh.cpus, again.cpus));	/* deterministic */
		ck_assert(hwloc_bitmap_isincluded(sh.cpus, part));
		ck_assert(!hwloc_bitmap_intersects(sh.cpus, uni));	/* used at most once */
		hwloc_bitmap_or(uni, uni, sh.cpus);
		for (i = 0; i < nc; i++) {
			hwloc_const_bitmap_t cs = lwk_topo_core(tp, i)->cpuset;

			if (!hwloc_bitmap_intersects(cs, sh.cpus))
				continue;
			ck_assert_int_eq(owner[i], -1);
			owner[i] = (int)r;
			n++;
			/* smt: every partition thread of the core; else exactly one */
			hwloc_bitmap_and(cores, cs, part);
			hwloc_bitmap_or(ucores, ucores, cores);
			hwloc_bitmap_and(mine, cs, sh.cpus);
			if (smt) {
				ck_assert(hwloc_bitmap_isequal(mine, cores));
			} else {
				ck_assert_int_eq(hwloc_bitmap_weight(mine), 1);
				ck_assert_int_eq(hwloc_bitmap_first(mine), hwloc_bitmap_first(cores));
			}
			if (pos[i] < lo)
				fcore[r] = i;
			lo = pos[i] < lo ? pos[i] : lo;
			hi = pos[i] > hi ? pos[i] : hi;
		}
		ck_assert_uint_eq(n, sh.ncores);
		ck_assert_uint_ge(n, 1);
		if (!smt)
			ck_assert_int_eq(hwloc_bitmap_weight(sh.cpus), (int)n);
		ck_assert_uint_eq(hi - lo + 1, n);			/* contiguous */
		first[r] = lo;
		size[r] = n;
		if (r)
			ck_assert_uint_gt(lo, first[r - 1]);		/* in rank order */
		/* NUMA-local whenever the balanced share fits in a node */
		if (C / nranks <= maxc)
			ck_assert_msg(hwloc_bitmap_weight(sh.mems) == 1,
				      "rank %u of %u straddles nodes (C=%u maxc=%u)", r, nranks, C, maxc);
		mn = n < mn ? n : mn;
		mx = n > mx ? n : mx;
		lwk_share_fini(&sh);
		lwk_share_fini(&again);
	}
	ck_assert_uint_le(mx - mn, 1);				/* balanced */
	/* remainder to the lowest ranks (of each node when no rank straddles) */
	for (r = 1; r < nranks; r++)
		if (C / nranks > maxc || fcore[r] / (nc / nn) == fcore[r - 1] / (nc / nn))
			ck_assert_uint_ge(size[r - 1], size[r]);
	/* every core used when the cores divide evenly */
	if (C / nranks > maxc || (equal && nranks % nn == 0) ||
	    (C % nranks == 0 && equal && (C / nn) % (C / nranks) == 0))
		ck_assert_msg(hwloc_bitmap_isequal(ucores, part), "%u ranks left cores unused", nranks);
out:
	free(pos);
	free(cnt);
	free(first);
	free(fcore);
	free(size);
	free(owner);
	hwloc_bitmap_free(uni);
	hwloc_bitmap_free(cores);
	hwloc_bitmap_free(ucores);
	hwloc_bitmap_free(mine);
}

static const unsigned shapes[][4] = {	/* pack, numa per pack, cores per numa, pu */
	{ 1, 1, 1, 1 }, { 1, 1, 7, 2 }, { 1, 1, 64, 1 }, { 1, 2, 3, 1 }, { 1, 2, 16, 2 },
	{ 2, 1, 12, 1 }, { 2, 2, 5, 2 }, { 1, 4, 9, 1 }, { 2, 2, 24, 2 }, { 2, 4, 4, 1 },
	{ 2, 4, 32, 2 }, { 1, 8, 32, 1 }, { 1, 8, 3, 2 },
};

START_TEST(properties)
{
	const unsigned *sh = shapes[_i / 4];
	unsigned mode = _i % 4, n;
	struct lwk_topo tp;
	hwloc_bitmap_t part = hwloc_bitmap_alloc();

	synth_load(&tp, sh[0], sh[1], sh[2], sh[3], 1);
	make_part(&tp, mode, part);
	if (!hwloc_bitmap_iszero(part))
		for (n = 1; n <= 64; n++)
			check_shares(&tp, part, n, n % 2);
	hwloc_bitmap_free(part);
	lwk_topo_fini(&tp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("share");
	TCase *tc = tcase_create("share");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, examples);
	tcase_add_test(tc, smt_threads);
	tcase_add_test(tc, errors);
	tcase_add_loop_test(tc, properties, 0, (int)(sizeof(shapes) / sizeof(shapes[0])) * 4);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
