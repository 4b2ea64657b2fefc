# lwk/spec.mk: the --lwk spec grammar, index lists and the site policy
lwk_liblwk_la_SOURCES += lwk/spec.c lwk/policy.c lwk/spec_check.c lwk/list.c lwk/list.h
EXTRA_DIST += etc/lwk.conf
