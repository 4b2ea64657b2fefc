# unit tests of lwk/noise over fake /sys/kernel/lwk and /proc trees
check_PROGRAMS += tests/unit/test_noise
TESTS += tests/unit/test_noise
tests_unit_test_noise_SOURCES = tests/unit/test_noise.c
tests_unit_test_noise_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_noise_LDADD = $(UNIT_LIBS)
