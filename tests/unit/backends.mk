# unit tests of the McKernel and mOS backends' command construction
check_PROGRAMS += tests/unit/test_backends
TESTS += tests/unit/test_backends
tests_unit_test_backends_SOURCES = tests/unit/test_backends.c tests/unit/synth.h
tests_unit_test_backends_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_backends_LDADD = $(UNIT_LIBS)

# A TEST DOUBLE of libihk (not IHK) for tests/backends/run: the mckernel
# backend's libihk path, several instances side by side.
check_LTLIBRARIES = tests/doubles/libihk.la
tests_doubles_libihk_la_SOURCES = tests/doubles/libihk.c
tests_doubles_libihk_la_CFLAGS = $(AM_CFLAGS)
tests_doubles_libihk_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
