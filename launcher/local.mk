# launcher: lwkrun, the per-rank launcher (see launcher/*.h), in two programs.
# lwkrun is the front (front.c): it takes the plugin's plan and execs, and is
# linked statically when the toolchain can (configure: LWKRUN_FRONT_LDFLAGS,
# hwloc's bitmaps from libhwloc.a), with no library to load at a start.
# Everything else it hands to lwkrun-full, installed in pkglibexecdir.
bin_PROGRAMS += launcher/lwkrun
launcher_lwkrun_SOURCES = \
	launcher/front.c \
	launcher/localrank.c launcher/localrank.h \
	launcher/part_env.c launcher/part.h \
	launcher/inherit.c launcher/inherit.h \
	launcher/exec.c launcher/exec_line.c launcher/exec.h launcher/exec_line.h \
	lwk/env.c lwk/error.c lwk/spec.c lwk/list.c
launcher_lwkrun_CPPFLAGS = $(AM_CPPFLAGS) -DLWKRUN_FULL='"$(pkglibexecdir)/lwkrun-full"'
launcher_lwkrun_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
launcher_lwkrun_LDFLAGS = $(LWKRUN_FRONT_LDFLAGS)
launcher_lwkrun_LDADD = $(LWKRUN_FRONT_LIBS)

pkglibexec_PROGRAMS += launcher/lwkrun-full
launcher_lwkrun_full_SOURCES = \
	launcher/lwkrun.c \
	launcher/localrank.c launcher/localrank_pmix.c launcher/localrank.h \
	launcher/part_env.c launcher/part.c launcher/part.h \
	launcher/plan.c launcher/plan.h \
	launcher/exec.c launcher/exec_line.c launcher/apply.c launcher/exec.h launcher/exec_line.h \
	launcher/inherit.c launcher/inherit_plan.c launcher/inherit.h \
	launcher/bundle.c launcher/bundle.h \
	launcher/container.c launcher/container.h
launcher_lwkrun_full_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) $(PMIX_CFLAGS) $(JSONC_CFLAGS)
# libpmix is dlopened by its full path, only when PMIx is needed
# (localrank_pmix.c): lwkrun-full links neither it nor its RUNPATH, which
# would make the loader search that directory first for every library.
launcher_lwkrun_full_LDFLAGS = -Wl,--as-needed
launcher_lwkrun_full_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS) -ldl $(JSONC_LIBS)
EXTRA_DIST += tests/launcher/run tests/mpi_report.c
EXTRA_DIST += tests/containers/run tests/containers/images.sh tests/slurm/containers.sh
