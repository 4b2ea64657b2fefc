/* lwkshare-bench: what placement costs on a large node.
 *
 * Times lwk_share (one rank's share: 256 cores, 8 NUMA nodes, 64 ranks; the
 * launcher does this once per rank at start, target < 1 ms) and lwk_place
 * (the whole partition for the same machine) on a synthetic topology, plus
 * loading this machine's topology (discovered, and from the node's cache),
 * which slurmstepd and lwkrun also pay; and lwk_place_avoid (placement
 * around unmovable IRQs) against lwk_place in the same run, and reading this
 * machine's interrupts, which slurmstepd pays per partition. Prints median and
 * p99; a benchmark, not a test: it never fails on time.
 *
 *   lwkshare-bench [-n REPS] [-t "SYNTHETIC TOPOLOGY"] [-r RANKS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lwk/irq.h"
#include "lwk/place.h"
#include "lwk/policy.h"
#include "lwk/spec.h"
#include "lwk/topo.h"
#include "lwk/topo_cache.h"
#include "stats.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double report(const char *what, uint64_t *v, size_t n, double target_us)
{
	struct ns_stats st;

	ns_stats_compute(v, n, &st);
	printf("%-44s median %8.1f us  p99 %8.1f us  max %8.1f us", what,
	       st.median / 1e3, st.p99 / 1e3, st.max / 1e3);
	if (target_us > 0)
		printf("  (target < %.0f us: %s)", target_us,
		       st.p99 / 1e3 < target_us ? "met" : "MISSED");
	printf("\n");
	return (double)st.median;
}

static int die(const struct lwk_err *err)
{
	lwk_err_print(err, stderr);
	return 1;
}

int main(int argc, char **argv)
{
	const char *desc = "pack:2 numa:4 core:32 pu:2";
	unsigned reps = 1000, nranks = 64, i;
	struct lwk_err err = { 0 };
	struct lwk_topo tp, me;
	struct lwk_placement pl;
	struct lwk_share sh;
	struct lwk_policy pol;
	struct lwk_spec spec;
	hwloc_bitmap_t alloc;
	uint64_t *v;
	char what[128];
	int c;

	while ((c = getopt(argc, argv, "n:t:r:h")) != -1) {
		switch (c) {
		case 'n':
			reps = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			desc = optarg;
			break;
		case 'r':
			nranks = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: %s [-n REPS] [-t \"SYNTHETIC TOPOLOGY\"] [-r RANKS]\n",
				argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!reps || !nranks) {
		fprintf(stderr, "lwk: -n and -r need a positive number\n");
		return 2;
	}
	v = calloc(reps, sizeof(*v));
	if (!v)
		return 1;
	if (lwk_topo_load_synthetic(&tp, desc, &err) < 0)
		return die(&err);
	printf("machine \"%s\": %u cores, %d NUMA nodes; %u repetitions\n", desc,
	       lwk_topo_ncores(&tp), hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_NUMANODE), reps);

	lwk_policy_init(&pol);
	lwk_spec_init(&spec);
	if (lwk_spec_parse(&spec, "cores:all,mem:50%", &err) < 0)
		return die(&err);
	alloc = hwloc_bitmap_dup(hwloc_topology_get_complete_cpuset(tp.t));
	lwk_placement_init(&pl);
	for (i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		if (lwk_place(&tp, &pol, &spec, alloc, 0, &pl, &err) < 0)
			return die(&err);
		v[i] = now_ns() - t0;
	}
	report("lwk_place cores:all,mem:50% (whole node)", v, reps, 0);

	/* issue 15: the same choice with unmovable IRQs on every 4th PU (one
	 * managed queue per 4 CPUs, as NVMe drives with fewer queues than CPUs),
	 * half of them busy; baseline lwk_place of the same spec, same run */
	{
		unsigned npu = (unsigned)hwloc_bitmap_last(alloc) + 1;
		uint64_t *cost = calloc(npu, sizeof(*cost));
		double med0, med1;
		struct lwk_spec half;

		lwk_spec_init(&half);
		if (!cost || lwk_spec_parse(&half, "cores:50%,mem:50%", &err) < 0)
			return die(&err);
		for (unsigned k = 0; k < npu; k += 4)
			cost[k] = 1 + (k % 8 ? 0 : 100000);
		for (i = 0; i < reps; i++) {
			uint64_t t0 = now_ns();

			if (lwk_place(&tp, &pol, &half, alloc, 0, &pl, &err) < 0)
				return die(&err);
			v[i] = now_ns() - t0;
		}
		med0 = report("lwk_place cores:50%,mem:50% (baseline)", v, reps, 0);
		for (i = 0; i < reps; i++) {
			uint64_t t0 = now_ns();

			if (lwk_place_avoid(&tp, &pol, &half, alloc, 0, cost, npu, &pl, &err) < 0)
				return die(&err);
			v[i] = now_ns() - t0;
		}
		med1 = report("lwk_place_avoid cores:50%,mem:50%, unmovable IRQs on every 4th CPU", v,
			      reps, 1000);
		printf("  ratio avoid/baseline (medians): %.2f\n", med0 > 0 ? med1 / med0 : 0);
		for (i = 0; i < reps && i < 200; i++) {
			struct lwk_irqs x;
			uint64_t t0 = now_ns();

			if (lwk_irqs_read("", 0, &x, &err) < 0)
				return die(&err);
			v[i] = now_ns() - t0;
			lwk_irqs_fini(&x);
		}
		report("lwk_irqs_read (this machine's /proc, no probe)", v, i, 0);
		lwk_spec_fini(&half);
		free(cost);
	}

	/* every core of the node in the partition, ranks in turn */
	lwk_share_init(&sh);
	for (i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		if (lwk_share(&tp, alloc, i % nranks, nranks, 0, &sh, &err) < 0)
			return die(&err);
		v[i] = now_ns() - t0;
	}
	snprintf(what, sizeof(what), "lwk_share %u cores / %u ranks (one rank)",
		 lwk_topo_ncores(&tp), nranks);
	report(what, v, reps, 1000);

	/* lwkrun loads the real topology once per start: a few rounds suffice */
	for (i = 0; i < reps && i < 50; i++) {
		uint64_t t0 = now_ns();

		if (lwk_topo_load(&me, &err) < 0)
			return die(&err);
		v[i] = now_ns() - t0;
		lwk_topo_fini(&me);
	}
	report("lwk_topo_load (this machine)", v, i, 0);

	/* the same machine from the node's topology cache (topo_cache.h), in
	 * a private state directory */
	{
		char dir[] = "/tmp/lwkshare-bench-XXXXXX", file[64];

		if (!mkdtemp(dir))
			return 1;
		if (lwk_topo_load_node(&me, dir, LWK_TOPO_SAVE, NULL, 0, &err) < 0)
			return die(&err);
		lwk_topo_fini(&me);
		for (i = 0; i < reps && i < 50; i++) {
			uint64_t t0 = now_ns();

			if (lwk_topo_load_node(&me, dir, 0, NULL, 0, &err) != 1)
				return die(&err);
			v[i] = now_ns() - t0;
			lwk_topo_fini(&me);
		}
		report("lwk_topo_load_node (this machine, cached)", v, i, 0);
		snprintf(file, sizeof(file), "%s/%s", dir, LWK_TOPO_CACHE_FILE);
		unlink(file);
		rmdir(dir);
	}

	lwk_share_fini(&sh);
	lwk_placement_fini(&pl);
	hwloc_bitmap_free(alloc);
	lwk_spec_fini(&spec);
	lwk_policy_fini(&pol);
	lwk_topo_fini(&tp);
	free(v);
	return 0;
}
