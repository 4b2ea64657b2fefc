# unit tests of lwk/noise over fake /sys/kernel/lwk and /proc trees
check_PROGRAMS += tests/unit/test_noise
TESTS += tests/unit/test_noise
tests_unit_test_noise_SOURCES = tests/unit/test_noise.c
tests_unit_test_noise_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_noise_LDADD = $(UNIT_LIBS)

# lwk/irq over fake /proc and debugfs trees, and placement that avoids unmovable IRQs
check_PROGRAMS += tests/unit/test_irq
TESTS += tests/unit/test_irq
tests_unit_test_irq_SOURCES = tests/unit/test_irq.c tests/unit/synth.h tests/unit/fixtures.h
tests_unit_test_irq_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_irq_LDADD = $(UNIT_LIBS)
