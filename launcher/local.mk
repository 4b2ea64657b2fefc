# launcher: lwkrun, the per-rank launcher (see launcher/*.h)
bin_PROGRAMS += launcher/lwkrun
launcher_lwkrun_SOURCES = \
	launcher/lwkrun.c \
	launcher/localrank.c launcher/localrank.h \
	launcher/part.c launcher/part.h \
	launcher/plan.c launcher/plan.h \
	launcher/exec.c launcher/exec.h \
	launcher/inherit.c launcher/inherit.h \
	launcher/bundle.c launcher/bundle.h \
	launcher/container.c launcher/container.h
launcher_lwkrun_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) $(PMIX_CFLAGS) $(JSONC_CFLAGS)
# libpmix is dlopened by its full path, only when PMIx is needed
# (localrank.c): lwkrun links neither it nor its RUNPATH, which would make
# the loader search that directory first for every library at every start.
launcher_lwkrun_LDFLAGS = -Wl,--as-needed
launcher_lwkrun_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS) -ldl $(JSONC_LIBS)
EXTRA_DIST += tests/launcher/run tests/mpi_report.c
EXTRA_DIST += tests/containers/run tests/containers/images.sh tests/slurm/containers.sh
