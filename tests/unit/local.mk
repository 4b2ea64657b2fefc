# Unit tests (Check). Each module group lists its tests in its own fragment:
#   check_PROGRAMS += tests/unit/test_x ; TESTS += tests/unit/test_x
#   tests_unit_test_x_SOURCES = tests/unit/test_x.c
#   tests_unit_test_x_CFLAGS = $(UNIT_CFLAGS) ; tests_unit_test_x_LDADD = $(UNIT_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(HWLOC_CFLAGS)
UNIT_LIBS = lwk/liblwk.la $(CHECK_LIBS) $(HWLOC_LIBS) $(NUMA_LIBS)
# every test program ends its main() with lwk_check_run (check_run.h)
EXTRA_DIST += tests/unit/check_run.h

include $(srcdir)/tests/unit/spec.mk
include $(srcdir)/tests/unit/place.mk
include $(srcdir)/tests/unit/native.mk
include $(srcdir)/tests/unit/noise_stats.mk
include $(srcdir)/tests/unit/launcher.mk
include $(srcdir)/tests/unit/backends.mk
include $(srcdir)/tests/unit/noise.mk
include $(srcdir)/tests/unit/containers.mk
