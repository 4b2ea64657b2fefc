# unit tests of the container pieces: lwkrun's bundle copy and cgroup test
# (launcher/bundle.c, container.c) and the plugin's oci.conf rules (spank/oci.c)
check_PROGRAMS += tests/unit/test_containers
TESTS += tests/unit/test_containers
tests_unit_test_containers_SOURCES = tests/unit/test_containers.c \
	launcher/bundle.c launcher/container.c spank/oci.c
tests_unit_test_containers_CFLAGS = $(UNIT_CFLAGS) $(PMIX_CFLAGS) $(JSONC_CFLAGS) \
	-I$(top_srcdir)/launcher -I$(top_srcdir)/spank
tests_unit_test_containers_LDADD = $(UNIT_LIBS) $(JSONC_LIBS)
