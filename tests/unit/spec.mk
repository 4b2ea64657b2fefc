# unit tests of lwk/spec (and lwk/list); the bad-spec table is shared with
# the Slurm tests, so its path is compiled in (LWK_BAD_SPECS env overrides).
check_PROGRAMS += tests/unit/test_spec
TESTS += tests/unit/test_spec
tests_unit_test_spec_SOURCES = tests/unit/test_spec.c
tests_unit_test_spec_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLWK_BAD_SPECS=\"$(abs_top_srcdir)/tests/data/bad-specs.tsv\"
tests_unit_test_spec_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_spec_LDADD = $(UNIT_LIBS)
EXTRA_DIST += tests/data/bad-specs.tsv

# unit tests of lwk/policy (config files in a temp dir, allow-lists, bounds)
check_PROGRAMS += tests/unit/test_policy
TESTS += tests/unit/test_policy
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLWK_EXAMPLE_CONF=\"$(abs_top_srcdir)/etc/lwk.conf\"
tests_unit_test_policy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_policy_LDADD = $(UNIT_LIBS)
