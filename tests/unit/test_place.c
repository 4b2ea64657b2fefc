/* lwk/place: choosing LWK cores and memory from a job's allocation. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fixtures.h"
#include "place.h"
#include "policy.h"
#include "spec.h"
#include "synth.h"
#include "check_run.h"

#define GiB (UINT64_C(1) << 30)
#define MiB (UINT64_C(1) << 20)

static struct lwk_topo tp;
static struct lwk_spec spec;
static struct lwk_policy pol;
static struct lwk_placement pl;
static struct lwk_err err;

static void setup(void)
{
	spec_blank(&spec);
	policy_blank(&pol);
	lwk_placement_init(&pl);
	memset(&err, 0, sizeof(err));
	tp.t = NULL;
}

static void teardown(void)
{
	lwk_placement_fini(&pl);
	hwloc_bitmap_free(spec.numa);
	hwloc_bitmap_free(pol.lwk_cpus);
	lwk_topo_fini(&tp);
}

static void load(const char *desc)
{
	ck_assert_msg(lwk_topo_load_synthetic(&tp, desc, &err) == 0, "%s", err.msg);
}

/* Places on alloc (a CPU list), expecting success. */
static void place_ok(const char *alloc, uint64_t alloc_mem)
{
	hwloc_bitmap_t a = bm(alloc);

	ck_assert_msg(lwk_place(&tp, &pol, &spec, a, alloc_mem, &pl, &err) == 0, "%s", err.msg);
	/* invariants of every placement */
	ck_assert(hwloc_bitmap_isincluded(pl.cpus, a));
	ck_assert(!hwloc_bitmap_intersects(pl.cpus, pl.linux_cpus));
	hwloc_bitmap_t u = hwloc_bitmap_alloc();
	hwloc_bitmap_or(u, pl.cpus, pl.linux_cpus);
	ck_assert(hwloc_bitmap_isequal(u, a));
	hwloc_bitmap_free(u);
	ck_assert_uint_eq(pl.pages, spec.pages);
	hwloc_bitmap_free(a);
}

static void place_fails(const char *alloc, uint64_t alloc_mem)
{
	hwloc_bitmap_t a = bm(alloc);

	ck_assert_int_eq(lwk_place(&tp, &pol, &spec, a, alloc_mem, &pl, &err), -1);
	ck_assert(hwloc_bitmap_iszero(pl.cpus));
	ck_assert_uint_eq(pl.ncores, 0);
	ck_assert_uint_eq(pl.nmem, 0);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_uint_gt(strlen(err.msg), 10);
	if (getenv("LWK_TEST_SHOW_ERRORS"))	/* to read the messages as users will */
		lwk_err_print(&err, stderr);
	hwloc_bitmap_free(a);
}

#define ck_assert_has(msg, sub) \
	ck_assert_msg(strstr((msg), (sub)) != NULL, "\"%s\" lacks \"%s\"", (msg), (sub))

START_TEST(too_many_cores_message)
{
	load("pack:1 numa:1 core:4 pu:1");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 8);
	place_fails("0-3", 0);
	ck_assert_str_eq(err.msg, "'cores:8': the job has 4 cores on this node and 1 must stay on Linux; ask for at most 3");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	place_ok("0-3", 0);
	ck_assert_bm(pl.cpus, "1-3");
	ck_assert_bm(pl.linux_cpus, "0");
	ck_assert_uint_eq(pl.ncores, 3);
	ck_assert_uint_eq(pl.nmem, 0);	/* no mem: */
	spec_cores(&spec, LWK_AMOUNT_COUNT, 0);
	place_fails("0-3", 0);
	ck_assert_has(err.msg, "'cores:0': ask for at least 1 core");
}
END_TEST

START_TEST(all_keeps_cpu0)
{
	load("pack:2 numa:1 core:4 pu:1");
	place_ok("0-7", 0);		/* no cores: key means all */
	ck_assert_bm(pl.cpus, "1-7");
	ck_assert_bm(pl.linux_cpus, "0");
	ck_assert_bm(pl.mems, "0-1");
	ck_assert_uint_eq(pl.ncores, 7);
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	place_ok("0-7", 0);
	ck_assert_bm(pl.cpus, "1-7");
	pol.min_linux_cores = 0;
	place_ok("0-7", 0);
	ck_assert_bm(pl.cpus, "0-7");
	ck_assert(hwloc_bitmap_iszero(pl.linux_cpus));
}
END_TEST

/* util and min_linux_cores: the larger wins; kept cores spread over nodes */
START_TEST(util_spread)
{
	load("pack:2 numa:1 core:4 pu:1");
	spec.keys |= LWK_KEY_UTIL;
	spec.util = 2;
	place_ok("0-7", 0);
	ck_assert_bm(pl.linux_cpus, "0,4");
	ck_assert_bm(pl.cpus, "1-3,5-7");
	spec.util = 3;
	place_ok("0-7", 0);
	ck_assert_bm(pl.linux_cpus, "0-1,4");
	spec.util = 0;
	pol.min_linux_cores = 2;
	place_ok("0-7", 0);
	ck_assert_bm(pl.linux_cpus, "0,4");
	spec.util = 8;
	place_fails("0-7", 0);
	ck_assert_has(err.msg, "no core can become an LWK core: the job has 8 cores on this node and 8 must stay on Linux");
}
END_TEST

START_TEST(balanced_high_cores)
{
	load("pack:2 numa:1 core:8 pu:1");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 4);
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "6-7,14-15");
	ck_assert_bm(pl.mems, "0-1");
	/* odd count: the extra core goes where more are left (node 1) */
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "7,14-15");
	/* only node 1 left with room: the rest goes there */
	spec_cores(&spec, LWK_AMOUNT_COUNT, 10);
	place_ok("0-3,8-15", 0);	/* node 0: 4 cores, 1 kept -> 3 available */
	ck_assert_bm(pl.cpus, "1-3,9-15");
	ck_assert_uint_eq(pl.ncores, 10);
	spec_cores(&spec, LWK_AMOUNT_COUNT, 1);
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "15");
	ck_assert_bm(pl.mems, "1");
}
END_TEST

/* Whole cores only, with Linux's SMT numbering (core i = {i, i+8}). */
START_TEST(smt_whole_cores)
{
	synth_load(&tp, 2, 1, 4, 2, 1);
	spec_cores(&spec, LWK_AMOUNT_COUNT, 2);
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "3,7,11,15");
	ck_assert_bm(pl.linux_cpus, "0-2,4-6,8-10,12-14");
	ck_assert_uint_eq(pl.ncores, 2);
	/* core 3 has only one thread allocated: it cannot be an LWK core and
	 * is the one kept on Linux, so core 0 may be an LWK core */
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	place_ok("0-3,8-10", 0);
	ck_assert_bm(pl.cpus, "0-2,8-10");
	ck_assert_bm(pl.linux_cpus, "3");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 4);
	place_fails("0-3,8-10", 0);
	ck_assert_str_eq(err.msg, "'cores:4': the job has 4 cores on this node, 1 cannot be LWK cores (1 with a hyperthread not in the job); ask for at most 3");
}
END_TEST

START_TEST(policy_lwk_cpus)
{
	synth_load(&tp, 2, 1, 4, 2, 1);	/* core i = {i, i+8} */
	pol.lwk_cpus = bm("1-7,9-15");		/* CPU 0 (core 0) never an LWK CPU */
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "1-7,9-15");	/* core 0 already satisfies min_linux_cores */
	spec.keys |= LWK_KEY_UTIL;
	spec.util = 2;				/* one more, on the other NUMA node */
	place_ok("0-15", 0);
	ck_assert_bm(pl.linux_cpus, "0,4,8,12");
	/* a core with one thread outside lwk_cpus is out entirely */
	hwloc_bitmap_free(pol.lwk_cpus);
	pol.lwk_cpus = bm("1-7,9-14");
	spec.util = 0;
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "1-6,9-14");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 7);
	place_fails("0-15", 0);
	ck_assert_str_eq(err.msg, "'cores:7': the job has 8 cores on this node, 2 cannot be LWK cores (2 outside the site's lwk_cpus); ask for at most 6");
	/* lwk_cpus outside the job entirely */
	hwloc_bitmap_free(pol.lwk_cpus);
	pol.lwk_cpus = bm("3");
	place_fails("0-15", 0);
	ck_assert_has(err.msg, "no core can become an LWK core");
	ck_assert_has(err.msg, "ask Slurm for cores among the site's lwk_cpus");
}
END_TEST

START_TEST(numa_restriction)
{
	load("pack:1 numa:4 core:4 pu:1");	/* node n: CPUs 4n..4n+3 */
	spec.keys |= LWK_KEY_NUMA;
	spec.numa = bm("1,3");
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "4-7,12-15");	/* nodes 0,2 stay Linux: enough kept */
	ck_assert_bm(pl.mems, "1,3");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	place_ok("0-15", 0);
	ck_assert_bm(pl.cpus, "7,14-15");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 9);
	place_fails("0-15", 0);
	ck_assert_has(err.msg, "8 cannot be LWK cores (8 outside numa:1,3)");
	ck_assert_has(err.msg, "ask for at most 8");
	/* a node without the job's cores */
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	place_fails("0-7", 0);
	ck_assert_str_eq(err.msg, "'numa:1,3': the job has no cores on NUMA node 3 of this node; its cores are on NUMA nodes 0-1, choose among those");
	hwloc_bitmap_free(spec.numa);
	spec.numa = bm("9");
	place_fails("0-15", 0);
	ck_assert_has(err.msg, "NUMA node 9");
	/* only the job's node 1 chosen; min_linux_cores on node 1 itself */
	hwloc_bitmap_free(spec.numa);
	spec.numa = bm("1");
	place_ok("4-7", 0);
	ck_assert_bm(pl.cpus, "5-7");
}
END_TEST

START_TEST(percentages_and_share)
{
	load("pack:2 numa:1 core:4 pu:1");
	spec_cores(&spec, LWK_AMOUNT_PERCENT, 50);
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 4);
	ck_assert_bm(pl.cpus, "2-3,6-7");
	spec_cores(&spec, LWK_AMOUNT_PERCENT, 100);	/* clamped to what may be LWK */
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 7);
	spec_cores(&spec, LWK_AMOUNT_PERCENT, 1);	/* at least one */
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 1);
	spec_cores(&spec, LWK_AMOUNT_PERCENT, 40);	/* 3.2 -> 3 */
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 3);

	pol.max_core_share = 50;
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 4);
	ck_assert_bm(pl.cpus, "2-3,6-7");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 6);
	place_fails("0-7", 0);
	ck_assert_str_eq(err.msg, "'cores:6': the site lets the LWK take at most 50% of the job's 8 cores on this node; ask for at most 4");
	spec_cores(&spec, LWK_AMOUNT_PERCENT, 90);
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.ncores, 4);
	pol.max_core_share = 10;
	place_fails("0-7", 0);
	ck_assert_has(err.msg, "at most 10% of the job's cores");
}
END_TEST

/* Odd Slurm allocations: scattered cores over 8 NUMA nodes, SMT. */
START_TEST(odd_allocation_256)
{
	struct lwk_err e2 = { 0 };
	hwloc_bitmap_t a = hwloc_bitmap_alloc();
	unsigned k, per[8] = { 0 };
	int i;

	synth_load(&tp, 2, 4, 32, 2, 1);	/* node n: cores 32n.., core i = {i, i+256} */
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-255", a, &e2), 0);
	spec.keys |= LWK_KEY_UTIL;
	spec.util = 8;
	ck_assert_int_eq(lwk_place(&tp, &pol, &spec, a, 0, &pl, &err), 0);
	ck_assert_uint_eq(pl.ncores, 248);
	ck_assert_int_eq(hwloc_bitmap_weight(pl.cpus), 496);
	ck_assert_bm(pl.mems, "0-7");
	for (k = 0; k < 8; k++)		/* one kept per node: its first core */
		ck_assert(hwloc_bitmap_isset(pl.linux_cpus, 32 * k) &&
			  hwloc_bitmap_isset(pl.linux_cpus, 32 * k + 256));
	ck_assert_int_eq(hwloc_bitmap_weight(pl.linux_cpus), 16);

	/* 3 cores on node 0, 1 on node 2, 6 on node 5, 10 cores asked minus 1 kept */
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "1,5,9,70,160-165", a, &e2), 0);
	spec.util = 0;
	spec_cores(&spec, LWK_AMOUNT_COUNT, 6);
	ck_assert_int_eq(lwk_place(&tp, &pol, &spec, a, 0, &pl, &err), 0);
	hwloc_bitmap_foreach_begin(i, pl.cpus) {
		if (i < 256)
			per[i / 32]++;
	} hwloc_bitmap_foreach_end();
	/* kept: core 1 (lowest); then 2 on node 0, 1 on node 2, 3 on node 5 */
	ck_assert_uint_eq(per[0], 2);
	ck_assert_uint_eq(per[2], 1);
	ck_assert_uint_eq(per[5], 3);
	ck_assert(hwloc_bitmap_isset(pl.linux_cpus, 1));
	ck_assert_bm(pl.mems, "0,2,5");
	hwloc_bitmap_free(a);
}
END_TEST

START_TEST(bad_inputs)
{
	hwloc_bitmap_t empty = hwloc_bitmap_alloc();

	load("pack:1 numa:1 core:4 pu:1");
	ck_assert_int_eq(lwk_place(&tp, &pol, &spec, empty, 0, &pl, &err), -1);
	ck_assert_has(err.msg, "no CPUs on this node");
	place_fails("2-9", 0);
	ck_assert_has(err.msg, "not all on this node");
	spec.none = true;
	place_fails("0-3", 0);
	ck_assert_has(err.msg, "'none'");
	spec.none = false;
	place_fails("0", 0);		/* one core, kept on Linux */
	ck_assert_str_eq(err.msg, "'cores:all': no core can become an LWK core: the job has 1 core on this node and 1 must stay on Linux; give the job more cores on this node");
	hwloc_bitmap_free(empty);
}
END_TEST

/* Parses the size or percentage that follows "at most mem:" in msg. */
static void suggested(const char *msg, struct lwk_spec *s)
{
	const char *p = strstr(msg, "at most mem:");
	char *end;
	uint64_t v;

	ck_assert_ptr_nonnull(p);
	v = strtoull(p + 12, &end, 10);
	switch (*end) {
	case '%': spec_mem(s, LWK_MEM_PERCENT, v); return;
	case 'T': v <<= 10; /* fall through */
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; break;
	default: break;
	}
	spec_mem(s, LWK_MEM_BYTES, v);
}

START_TEST(memory_split)
{
	unsigned k;

	load("pack:2 numa:1(memory=64GiB) core:5 pu:1");
	spec.keys |= LWK_KEY_UTIL;
	spec.util = 2;				/* cores 0 and 5 kept: 4 + 4 LWK */
	spec_mem(&spec, LWK_MEM_BYTES, 8 * GiB);
	place_ok("0-9", 0);
	ck_assert_uint_eq(pl.nmem, 2);
	ck_assert_uint_eq(pl.mem[0].node, 0);
	ck_assert_uint_eq(pl.mem[0].bytes, 4 * GiB);
	ck_assert_uint_eq(pl.mem[1].node, 1);
	ck_assert_uint_eq(pl.mem[1].bytes, 4 * GiB);

	/* 3:1 split, rounded up to the page size of pages: */
	spec.util = 0;
	spec_cores(&spec, LWK_AMOUNT_COUNT, 4);
	place_ok("0-2,5-9", 0);			/* node 0: 3 cores, 1 kept -> 2 */
	ck_assert_bm(pl.cpus, "1-2,8-9");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	place_ok("0-1,5-9", 0);			/* node 0: 1 LWK core, node 1: 2 */
	ck_assert_bm(pl.cpus, "1,8-9");
	spec_mem(&spec, LWK_MEM_BYTES, 3 * GiB + 3 * MiB);
	place_ok("0-1,5-9", 0);
	ck_assert_uint_eq(pl.mem[0].bytes, 1 * GiB + 2 * MiB);	/* 1G+1M -> 2M pages */
	ck_assert_uint_eq(pl.mem[1].bytes, 2 * GiB + 2 * MiB);
	spec.keys |= LWK_KEY_PAGES;
	spec.pages = LWK_PAGES_1G;
	place_ok("0-1,5-9", 0);
	ck_assert_uint_eq(pl.mem[0].bytes, 2 * GiB);
	ck_assert_uint_eq(pl.mem[1].bytes, 3 * GiB);
	ck_assert_uint_eq(pl.pages, LWK_PAGES_1G);
	spec.pages = LWK_PAGES_4K;		/* no huge pages, still recorded */
	spec_mem(&spec, LWK_MEM_BYTES, 3 * GiB + 3);
	place_ok("0-1,5-9", 0);
	ck_assert_uint_eq(pl.pages, LWK_PAGES_4K);
	ck_assert_uint_eq(pl.mem[0].bytes, 1 * GiB + 4096);
	ck_assert_uint_eq(pl.mem[1].bytes, 2 * GiB + 4096);
	for (k = 0; k < pl.nmem; k++)
		ck_assert_uint_eq(pl.mem[k].bytes % 4096, 0);
}
END_TEST

START_TEST(memory_percent_and_limits)
{
	load("pack:2 numa:1(memory=64GiB) core:4 pu:1");
	pol.min_linux_cores = 0;
	/* of the job's memory */
	spec_mem(&spec, LWK_MEM_PERCENT, 50);
	place_ok("0-7", 16 * GiB);
	ck_assert_uint_eq(pl.nmem, 2);
	ck_assert_uint_eq(pl.mem[0].bytes, 4 * GiB);
	ck_assert_uint_eq(pl.mem[1].bytes, 4 * GiB);
	/* of the NUMA nodes' memory when the job's is unknown */
	place_ok("0-7", 0);
	ck_assert_uint_eq(pl.mem[0].bytes, 32 * GiB);
	ck_assert_uint_eq(pl.mem[1].bytes, 32 * GiB);
	spec_mem(&spec, LWK_MEM_PERCENT, 90);
	place_ok("0-7", 0);
	ck_assert_uint_le(pl.mem[0].bytes, 64 * GiB / 10 * 9);
	ck_assert_uint_eq(pl.mem[0].bytes % (2 * MiB), 0);
	spec_mem(&spec, LWK_MEM_PERCENT, 95);
	place_fails("0-7", 0);
	ck_assert_str_eq(err.msg, "'mem:95%': the site lets the LWK reserve at most 90% of each NUMA node's memory; ask for at most mem:90%");

	/* max_mem_share of each node: 2 x 60G > 90% of 64G */
	spec_mem(&spec, LWK_MEM_BYTES, 120 * GiB);
	place_fails("0-7", 0);
	ck_assert_has(err.msg, "'mem:120G': NUMA node 0 would reserve 60G, more than the site's limit of 90% of its 64G; ask for at most mem:");
	suggested(err.msg, &spec);		/* the suggestion works */
	place_ok("0-7", 0);
	ck_assert_uint_gt(pl.mem[0].bytes, 57 * GiB);
	/* uneven cores: the node with more LWK cores hits the limit first */
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	spec_mem(&spec, LWK_MEM_BYTES, 100 * GiB);
	place_fails("0-1,4-7", 0);		/* node 0: 1 core, node 1: 2 */
	ck_assert_has(err.msg, "NUMA node 1 would reserve");
	suggested(err.msg, &spec);
	place_ok("0-1,4-7", 0);
	/* percentage of the job's memory beyond a node's limit */
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	spec_mem(&spec, LWK_MEM_PERCENT, 100);
	place_fails("0-7", 128 * GiB);
	ck_assert_has(err.msg, "ask for at most mem:");
	ck_assert_has(err.msg, "%");
	suggested(err.msg, &spec);
	place_ok("0-7", 128 * GiB);
	/* more than the job has */
	spec_mem(&spec, LWK_MEM_BYTES, 20 * GiB);
	place_fails("0-7", 16 * GiB);
	ck_assert_str_eq(err.msg, "'mem:20G': the job has only 16G of memory on this node; ask for at most mem:16G or give the job more memory (--mem)");
	spec_mem(&spec, LWK_MEM_BYTES, 0);
	place_fails("0-7", 0);
	ck_assert_has(err.msg, "'mem:0'");
}
END_TEST

/* A page larger than what the site lets a node give: advise smaller pages. */
START_TEST(memory_page_too_big)
{
	synth_load_mem(&tp, 2, 1, 2, 1, 0, 1);		/* 1G per node, 90% allowed */
	spec.keys |= LWK_KEY_PAGES;
	spec.pages = LWK_PAGES_1G;
	spec_mem(&spec, LWK_MEM_BYTES, 512 * MiB);
	place_fails("0-3", 0);
	ck_assert_str_eq(err.msg, "'mem:512M': NUMA node 0 would reserve 1G, more than the site's limit of 90% of its 1G; one 1G page is too much there, use pages:2m");
	spec.pages = LWK_PAGES_2M;
	place_ok("0-3", 0);
	ck_assert_uint_eq(pl.mem[0].bytes, 172 * MiB);	/* 1 of 3 LWK cores: 170.7M up to 2M pages */
	ck_assert_uint_eq(pl.mem[1].bytes, 342 * MiB);
}
END_TEST


/* The whole flow with the real parser and policy: Slurm's cores, the user's
 * spec, the site's lwk.conf keys, placement, then each rank's share. */
START_TEST(pipeline)
{
	struct lwk_spec us;
	struct lwk_policy site;
	struct lwk_share sh;
	hwloc_bitmap_t alloc = hwloc_bitmap_alloc(), seen = hwloc_bitmap_alloc();
	unsigned r;

	synth_load_mem(&tp, 2, 2, 8, 2, 1, 16);	/* 32 cores, 4 NUMA nodes of 16G, core i = {i, i+32} */
	lwk_policy_init(&site);
	ck_assert_msg(lwk_policy_set(&site, "min_linux_cores", "2", &err) == 0, "%s", err.msg);
	ck_assert_msg(lwk_policy_set(&site, "lwk_cpus", "1-31,33-63", &err) == 0, "%s", err.msg);
	ck_assert_int_eq(lwk_spec_parse(&us, "cores:12,mem:4G,numa:0-2,pages:1g", &err), 0);
	ck_assert_msg(lwk_policy_apply(&site, &us, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-23", alloc, &err), 0);	/* nodes 0-2 */
	ck_assert_msg(lwk_place(&tp, &site, &us, alloc, 0, &pl, &err) == 0, "%s", err.msg);
	/* core 0 (not an LWK CPU) and core 8 (spread) stay on Linux; 4 per node */
	ck_assert_bm(pl.cpus, "4-7,12-15,20-23,36-39,44-47,52-55");
	ck_assert_bm(pl.mems, "0-2");
	ck_assert_uint_eq(pl.nmem, 3);
	for (r = 0; r < 3; r++) {
		ck_assert_uint_eq(pl.mem[r].node, r);
		ck_assert_uint_eq(pl.mem[r].bytes, 2 * GiB);	/* 4G/3 rounded up to 1G pages */
	}
	lwk_share_init(&sh);
	for (r = 0; r < 6; r++) {
		ck_assert_msg(lwk_share(&tp, pl.cpus, r, 6, 1, &sh, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(sh.ncores, 2);
		ck_assert_int_eq(hwloc_bitmap_weight(sh.mems), 1);
		ck_assert_uint_eq((unsigned)hwloc_bitmap_first(sh.mems), r / 2);
		ck_assert(!hwloc_bitmap_intersects(seen, sh.cpus));
		hwloc_bitmap_or(seen, seen, sh.cpus);
	}
	ck_assert(hwloc_bitmap_isequal(seen, pl.cpus));

	/* too much: the message names the user's item as typed */
	lwk_spec_fini(&us);
	ck_assert_int_eq(lwk_spec_parse(&us, "cores:30", &err), 0);
	ck_assert_int_eq(lwk_policy_apply(&site, &us, &err), 0);
	ck_assert_int_eq(lwk_place(&tp, &site, &us, alloc, 0, &pl, &err), -1);
	ck_assert_str_eq(err.msg, "'cores:30': the job has 24 cores on this node, 1 cannot be LWK cores (1 outside the site's lwk_cpus) and 1 more must stay on Linux; ask for at most 22");
	lwk_share_fini(&sh);
	lwk_spec_fini(&us);
	lwk_policy_fini(&site);
	hwloc_bitmap_free(alloc);
	hwloc_bitmap_free(seen);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("place");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, too_many_cores_message);
	tcase_add_test(tc, all_keeps_cpu0);
	tcase_add_test(tc, util_spread);
	tcase_add_test(tc, balanced_high_cores);
	tcase_add_test(tc, smt_whole_cores);
	tcase_add_test(tc, policy_lwk_cpus);
	tcase_add_test(tc, numa_restriction);
	tcase_add_test(tc, percentages_and_share);
	tcase_add_test(tc, odd_allocation_256);
	tcase_add_test(tc, bad_inputs);
	tcase_add_test(tc, memory_split);
	tcase_add_test(tc, memory_percent_and_limits);
	tcase_add_test(tc, pipeline);
	tcase_add_test(tc, memory_page_too_big);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
