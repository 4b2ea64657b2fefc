# tools: the lwkpart admin CLI
sbin_PROGRAMS += tools/lwkpart
tools_lwkpart_SOURCES = tools/lwkpart.c
tools_lwkpart_CFLAGS = $(AM_CFLAGS) $(HWLOC_CFLAGS)
tools_lwkpart_LDADD = lwk/liblwk.la $(HWLOC_LIBS) $(NUMA_LIBS)
# the CLI's own tests (no root needed, nothing created)
TESTS += tests/tools/lwkpart-cli
EXTRA_DIST += tests/tools/lwkpart-cli
