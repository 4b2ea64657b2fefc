# unit tests of bench/stats (lwknoise's statistics)
check_PROGRAMS += tests/unit/test_noise_stats
TESTS += tests/unit/test_noise_stats
tests_unit_test_noise_stats_SOURCES = tests/unit/test_noise_stats.c bench/stats.c bench/stats.h
tests_unit_test_noise_stats_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/bench
tests_unit_test_noise_stats_LDADD = $(CHECK_LIBS) -lm
