# liblwk: the core. Each module group adds its sources in its own fragment.
noinst_LTLIBRARIES += lwk/liblwk.la
lwk_liblwk_la_SOURCES = \
	lwk/error.c lwk/error.h \
	lwk/env.h lwk/spec.h lwk/spec_kinds.h lwk/policy.h lwk/topo.h lwk/place.h lwk/partition.h
lwk_liblwk_la_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
lwk_liblwk_la_LIBADD = $(HWLOC_LIBS) $(NUMA_LIBS)

include $(srcdir)/lwk/spec.mk
include $(srcdir)/lwk/place.mk
include $(srcdir)/lwk/native.mk
include $(srcdir)/lwk/backends.mk
include $(srcdir)/lwk/noise.mk
