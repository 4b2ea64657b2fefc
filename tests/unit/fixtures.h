/* Spec and policy structs filled by hand, as lwk_spec_parse and
 * lwk_policy_init would (the placement tests do not depend on them). */
#ifndef TESTS_UNIT_FIXTURES_H
#define TESTS_UNIT_FIXTURES_H

#include <string.h>

#include "place.h"

static inline void spec_blank(struct lwk_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->pages = LWK_PAGES_2M;
	s->report = true;
}

static inline void spec_cores(struct lwk_spec *s, enum lwk_amount kind, unsigned n)
{
	s->keys |= LWK_KEY_CORES;
	s->cores_kind = kind;
	s->cores = n;
}

static inline void spec_mem(struct lwk_spec *s, enum lwk_mem_unit unit, uint64_t v)
{
	s->keys |= LWK_KEY_MEM;
	s->mem_unit = unit;
	s->mem = v;
}

static inline void policy_blank(struct lwk_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->min_linux_cores = 1;
	p->max_core_share = 100;
	p->max_mem_share = 90;
}

#endif
