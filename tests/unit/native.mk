# unit tests of lwk/native: the registry and the node-state model
check_PROGRAMS += tests/unit/test_registry tests/unit/test_native_plan
TESTS += tests/unit/test_registry tests/unit/test_native_plan
tests_unit_test_registry_SOURCES = tests/unit/test_registry.c
tests_unit_test_registry_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_registry_LDADD = $(UNIT_LIBS)
tests_unit_test_native_plan_SOURCES = tests/unit/test_native_plan.c
tests_unit_test_native_plan_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_native_plan_LDADD = $(UNIT_LIBS)
EXTRA_DIST += tests/root/run
