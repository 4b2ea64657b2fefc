# unit tests of lwk/topo, lwk/place and lwk/rank
check_PROGRAMS += tests/unit/test_topo
TESTS += tests/unit/test_topo
tests_unit_test_topo_SOURCES = tests/unit/test_topo.c tests/unit/synth.h
tests_unit_test_topo_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_topo_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_place
TESTS += tests/unit/test_place
tests_unit_test_place_SOURCES = tests/unit/test_place.c tests/unit/synth.h tests/unit/fixtures.h
tests_unit_test_place_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_place_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_share
TESTS += tests/unit/test_share
tests_unit_test_share_SOURCES = tests/unit/test_share.c tests/unit/synth.h
tests_unit_test_share_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_share_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_rank
TESTS += tests/unit/test_rank
tests_unit_test_rank_SOURCES = tests/unit/test_rank.c tests/unit/synth.h
tests_unit_test_rank_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_rank_LDADD = $(UNIT_LIBS)

check_PROGRAMS += tests/unit/test_topo_cache
TESTS += tests/unit/test_topo_cache
tests_unit_test_topo_cache_SOURCES = tests/unit/test_topo_cache.c
tests_unit_test_topo_cache_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_topo_cache_LDADD = $(UNIT_LIBS)
