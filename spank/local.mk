# spank: the SPANK plugin spank_lwk.so and its real-cluster tests.
slurm_plugin_LTLIBRARIES = spank/spank_lwk.la
spank_spank_lwk_la_SOURCES = \
	spank/lwk_spank.h spank/plugin.c spank/args.c spank/check.c \
	spank/srun.c spank/alloc.c spank/stepd.c spank/cpuset.c spank/job_script.c spank/drain.c \
	spank/slurmd.c \
	spank/step_report.c spank/trim.c spank/container.c spank/oci.c spank/oci.h \
	spank/argv.c spank/argv.h
# the lwkrun prepended to the programs of mckernel/mos steps (spank/argv.h),
# unless plugstack.conf says lwkrun=PATH
SPANK_LWKRUN_CPPFLAGS = -DLWK_LWKRUN_PATH='"$(bindir)/lwkrun"'
spank_spank_lwk_la_CPPFLAGS = $(AM_CPPFLAGS) $(SLURM_CPPFLAGS) $(SPANK_LWKRUN_CPPFLAGS)
spank_spank_lwk_la_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS) $(JSONC_CFLAGS)
# liblwk is a convenience library: linked in whole, nothing to install
spank_spank_lwk_la_LIBADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS) $(JSONC_LIBS)
spank_spank_lwk_la_LDFLAGS = -module -avoid-version -shared \
	-Wl,--version-script=$(srcdir)/spank/spank_lwk.map
EXTRA_spank_spank_lwk_la_DEPENDENCIES = spank/spank_lwk.map
EXTRA_DIST += spank/spank_lwk.map

# Slurm loads spank_lwk.so by path; the .la is of no use there.
install-data-hook: spank-remove-la
spank-remove-la:
	rm -f $(DESTDIR)$(slurm_plugindir)/spank_lwk.la
uninstall-hook: spank-uninstall-so
spank-uninstall-so:
	rm -f $(DESTDIR)$(slurm_plugindir)/spank_lwk.so
.PHONY: spank-remove-la spank-uninstall-so

EXTRA_DIST += tests/slurm/cluster tests/slurm/run

# Real Slurm cluster tests (root; starts and stops its own cluster).
check-slurm: all
	LWK_BUILDDIR=$(abs_top_builddir) $(SHELL) $(abs_top_srcdir)/tests/slurm/run
.PHONY: check-slurm
EXTRA_DIST += tests/slurm/scenarios.sh contrib/slurm/epilog contrib/slurm/plugstack.conf.d/lwk.conf \
	contrib/demo bench/launch_overhead

# Unit tests of the plugin's arguments, spec layering and drain reason (no Slurm needed).
check_PROGRAMS += tests/unit/test_spank_args
TESTS += tests/unit/test_spank_args
tests_unit_test_spank_args_SOURCES = tests/unit/test_spank_args.c spank/args.c spank/check.c spank/drain.c
tests_unit_test_spank_args_CPPFLAGS = $(AM_CPPFLAGS) $(SLURM_CPPFLAGS) $(SPANK_LWKRUN_CPPFLAGS)
tests_unit_test_spank_args_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_spank_args_LDADD = $(UNIT_LIBS)

# Unit tests of what the plugin does with a task's command line on
# mckernel/mos steps (spank/argv.c: prepend lwkrun, refuse, leave; --multi-prog).
check_PROGRAMS += tests/unit/test_spank_argv
TESTS += tests/unit/test_spank_argv
tests_unit_test_spank_argv_SOURCES = tests/unit/test_spank_argv.c spank/argv.c
tests_unit_test_spank_argv_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_spank_argv_LDADD = $(UNIT_LIBS)

# Compile check of the plugin against another Slurm series' headers
# (tests/slurm-headers/run): make spank-series-check SLURM_HEADERS=DIR
# SERIES_OUT=DIR compiles every plugin source with this build's flags
# (-Werror included) but DIR's slurm/*.h, and links DIR-built spank_lwk.so
# into SERIES_OUT. Nothing of the real build is touched.
# LWK_SERIES_PREPEND: whether DIR's spank.h declares spank_prepend_task_argv
# (what configure's AC_CHECK_DECLS finds in a real build for that series).
SPANK_SERIES_CC = $(CC) $(DEFS) $(DEFAULT_INCLUDES) -I$(SLURM_HEADERS) $(AM_CPPFLAGS) \
	$(SPANK_LWKRUN_CPPFLAGS) \
	-DLWK_SERIES_PREPEND=`grep -q 'spank_prepend_task_argv *(' $(SLURM_HEADERS)/slurm/spank.h && echo 1 || echo 0` \
	$(CPPFLAGS) $(AM_CFLAGS) $(HWLOC_CFLAGS) $(CFLAGS) -fPIC
spank-series-check: lwk/liblwk.la
	@test -n "$(SLURM_HEADERS)" && test -f "$(SLURM_HEADERS)/slurm/spank.h" && test -n "$(SERIES_OUT)" || \
		{ echo "lwk: give SLURM_HEADERS=DIR (with slurm/spank.h) and SERIES_OUT=DIR"; exit 1; }
	@rm -rf $(SERIES_OUT) && mkdir -p $(SERIES_OUT)
	@for f in $(spank_spank_lwk_la_SOURCES); do \
		case $$f in *.c) ;; *) continue ;; esac; \
		$(SPANK_SERIES_CC) -c $(srcdir)/$$f -o $(SERIES_OUT)/`basename $$f .c`.o || exit 1; \
	done
	@$(CC) -shared -o $(SERIES_OUT)/spank_lwk.so $(SERIES_OUT)/*.o lwk/.libs/liblwk.a \
		$(HWLOC_LIBS) $(NUMA_LIBS) -Wl,--version-script=$(srcdir)/spank/spank_lwk.map $(LDFLAGS)
.PHONY: spank-series-check
EXTRA_DIST += tests/slurm-headers/run tests/slurm-headers/plugin_version.c
