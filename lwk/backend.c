#include <string.h>

#include "backend.h"

/* Backends built into liblwk. A backend file defines its struct lwk_backend
 * and adds one line here (a weak reference would not pull its object out of
 * the static convenience library). */
static const struct lwk_backend *const backends[] = {
	&lwk_backend_native,
	&lwk_backend_mckernel,
	&lwk_backend_mos,
};

const struct lwk_backend *lwk_backend_get(enum lwk_backend_kind kind)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->kind == kind)
			return backends[i];
	return NULL;
}

const char *lwk_partition_step(const struct lwk_partition *p, const char *step)
{
	for (unsigned i = p->nsteps; i-- > 0;)
		if (!strcmp(p->step[i].name, step))
			return p->step[i].arg;
	return NULL;
}
