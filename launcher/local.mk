# launcher: lwkrun, the per-rank launcher (see launcher/*.h)
bin_PROGRAMS += launcher/lwkrun
launcher_lwkrun_SOURCES = \
	launcher/lwkrun.c \
	launcher/localrank.c launcher/localrank.h \
	launcher/part.c launcher/part.h \
	launcher/plan.c launcher/plan.h \
	launcher/exec.c launcher/exec.h
launcher_lwkrun_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) $(PMIX_CFLAGS)
# libpmix is dlopened only when PMIx is needed (localrank.c): --as-needed
# drops it from the start-up libraries and keeps its RUNPATH for dlopen.
launcher_lwkrun_LDFLAGS = -Wl,--as-needed
launcher_lwkrun_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS) $(PMIX_LIBS)
EXTRA_DIST += tests/launcher/run tests/mpi_report.c
