# unit tests of the McKernel and mOS backends' command construction
check_PROGRAMS += tests/unit/test_backends
TESTS += tests/unit/test_backends
tests_unit_test_backends_SOURCES = tests/unit/test_backends.c tests/unit/synth.h
tests_unit_test_backends_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_backends_LDADD = $(UNIT_LIBS)
