# unit tests of launcher/ (lwkrun): local rank discovery, plans, exec lines
check_PROGRAMS += tests/unit/test_lwkrun
TESTS += tests/unit/test_lwkrun
tests_unit_test_lwkrun_SOURCES = tests/unit/test_lwkrun.c tests/unit/synth.h \
	launcher/localrank.c launcher/localrank_pmix.c launcher/part_env.c launcher/part.c \
	launcher/plan.c launcher/exec.c launcher/exec_line.c launcher/apply.c
tests_unit_test_lwkrun_CFLAGS = $(UNIT_CFLAGS) $(PMIX_CFLAGS) -I$(top_srcdir)/launcher
tests_unit_test_lwkrun_LDFLAGS = -Wl,--as-needed
tests_unit_test_lwkrun_LDADD = $(UNIT_LIBS) $(PMIX_LIBS)

# lwkrun taking the plugin's plan (launcher/inherit)
check_PROGRAMS += tests/unit/test_lwkrun_inherit
TESTS += tests/unit/test_lwkrun_inherit
tests_unit_test_lwkrun_inherit_SOURCES = tests/unit/test_lwkrun_inherit.c \
	launcher/inherit.c launcher/inherit_plan.c launcher/localrank.c launcher/localrank_pmix.c \
	launcher/part_env.c launcher/part.c launcher/plan.c launcher/exec.c launcher/exec_line.c launcher/apply.c
tests_unit_test_lwkrun_inherit_CFLAGS = $(UNIT_CFLAGS) $(PMIX_CFLAGS) -I$(top_srcdir)/launcher
tests_unit_test_lwkrun_inherit_LDFLAGS = -Wl,--as-needed
tests_unit_test_lwkrun_inherit_LDADD = $(UNIT_LIBS) -ldl

# lwkrun's front: its checks with libc alone (launcher/inforce), against hwloc
check_PROGRAMS += tests/unit/test_lwkrun_front
TESTS += tests/unit/test_lwkrun_front
tests_unit_test_lwkrun_front_SOURCES = tests/unit/test_lwkrun_front.c \
	launcher/inforce.c launcher/localrank.c
tests_unit_test_lwkrun_front_CFLAGS = $(UNIT_CFLAGS) -I$(top_srcdir)/launcher
tests_unit_test_lwkrun_front_LDADD = $(UNIT_LIBS)
