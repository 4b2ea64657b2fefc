# launcher: lwkrun, the per-rank launcher (see launcher/*.h), in two programs.
# lwkrun is the front (front.c): it takes the plugin's plan and execs, with
# libc alone, so configure can build it statically against musl (musl-gcc),
# else against the system's libc (LWKRUN_FRONT_CC, _CFLAGS, _LDFLAGS): one
# compiler call, outside libtool, whose flags are the front compiler's own
# (installed as bin_SCRIPTS: a program built by a rule of ours).
# Everything else it hands to lwkrun-full, installed in pkglibexecdir.
LWKRUN_FRONT_SRC = \
	$(srcdir)/launcher/front.c $(srcdir)/launcher/inforce.c \
	$(srcdir)/launcher/localrank.c $(srcdir)/launcher/exec_line.c \
	$(srcdir)/lwk/env.c $(srcdir)/lwk/error.c
LWKRUN_FRONT_HDR = \
	$(srcdir)/launcher/inforce.h $(srcdir)/launcher/localrank.h \
	$(srcdir)/launcher/exec_line.h $(srcdir)/lwk/env.h $(srcdir)/lwk/error.h \
	$(srcdir)/lwk/spec_kinds.h
bin_SCRIPTS = launcher/lwkrun
CLEANFILES += launcher/lwkrun
EXTRA_DIST += launcher/front.c launcher/inforce.c launcher/inforce.h
launcher/lwkrun: $(LWKRUN_FRONT_SRC) $(LWKRUN_FRONT_HDR) Makefile
	@$(MKDIR_P) launcher
	$(AM_V_CCLD)$(LWKRUN_FRONT_CC) $(LWKRUN_FRONT_CFLAGS) \
		-I$(srcdir)/lwk -I$(srcdir)/launcher \
		-DLWKRUN_FULL='"$(pkglibexecdir)/lwkrun-full"' \
		$(LWKRUN_FRONT_LDFLAGS) -o $@ $(LWKRUN_FRONT_SRC)

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
