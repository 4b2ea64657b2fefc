# launcher: lwkrun, the per-rank launcher (see launcher/*.h)
bin_PROGRAMS += launcher/lwkrun
launcher_lwkrun_SOURCES = \
	launcher/lwkrun.c \
	launcher/env.h \
	launcher/localrank.c launcher/localrank.h \
	launcher/part.c launcher/part.h \
	launcher/plan.c launcher/plan.h \
	launcher/exec.c launcher/exec.h
launcher_lwkrun_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) $(PMIX_CFLAGS)
launcher_lwkrun_LDADD = lwk/liblwk.la $(PMIX_LIBS) $(HWLOC_LIBS) $(NUMA_LIBS)
