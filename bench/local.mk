# bench: rules added by its owner
# lwknoise: FWQ, selfish-detour and BSP noise measurement (issue 6)
bin_PROGRAMS += bench/lwknoise
bench_lwknoise_SOURCES = bench/lwknoise.c bench/stats.c bench/stats.h
bench_lwknoise_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) -pthread
bench_lwknoise_LDADD = $(HWLOC_LIBS) -lm -lpthread
EXTRA_DIST += bench/isolation/run
# lwkrun_overhead: what lwkrun adds to a process start (issue 4; target < 2 ms)
noinst_PROGRAMS += bench/lwkrun_overhead
bench_lwkrun_overhead_SOURCES = bench/lwkrun_overhead.c
bench_lwkrun_overhead_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
bench_lwkrun_overhead_LDADD = $(HWLOC_LIBS)
# exec_floor: a program that only execs, built as lwkrun's front is
# (issue 16; launcher/local.mk)
noinst_SCRIPTS = bench/exec_floor
CLEANFILES += bench/exec_floor
EXTRA_DIST += bench/exec_floor.c
bench/exec_floor: $(srcdir)/bench/exec_floor.c Makefile
	@$(MKDIR_P) bench
	$(AM_V_CCLD)$(LWKRUN_FRONT_CC) $(LWKRUN_FRONT_CFLAGS) $(LWKRUN_FRONT_LDFLAGS) \
		-o $@ $(srcdir)/bench/exec_floor.c
# partition_bench: create+destroy cost of a native partition (issue 2)
noinst_PROGRAMS += bench/partition_bench
bench_partition_bench_SOURCES = bench/partition_bench.c
bench_partition_bench_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
bench_partition_bench_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS)
# lwkshare-bench: cost of lwk_share / lwk_place on a 256-core, 8-NUMA machine (issue 4)
noinst_PROGRAMS += bench/lwkshare-bench
bench_lwkshare_bench_SOURCES = bench/lwkshare_bench.c bench/stats.c bench/stats.h
bench_lwkshare_bench_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
bench_lwkshare_bench_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS) -lm
# lwkrun_scale: lwkrun's start by path (discovery, topology cache, the plugin's plan), alone and N at once (issue 16)
noinst_PROGRAMS += bench/lwkrun_scale
bench_lwkrun_scale_SOURCES = bench/lwkrun_scale.c
bench_lwkrun_scale_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
bench_lwkrun_scale_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS)
EXTRA_DIST += bench/scale/guest bench/scale/run
