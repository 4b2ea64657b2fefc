/* The partition from the LWK_* variables alone (part.h): libc, hwloc's
 * bitmaps and liblwk's spec parser, no topology and no registry. */
#include <errno.h>
#include <string.h>

#include "env.h"
#include "localrank.h"
#include "part.h"

void lwkrun_part_init(struct lwkrun_part *p)
{
	memset(p, 0, sizeof(*p));
	p->backend = LWK_BACKEND_NATIVE;
	p->cpus = hwloc_bitmap_alloc();
	p->mems = hwloc_bitmap_alloc();
	p->pages = LWK_PAGES_4K;
	p->sched = LWK_SCHED_NORMAL;
	p->mck_os = -1;
}

void lwkrun_part_fini(struct lwkrun_part *p)
{
	hwloc_bitmap_free(p->cpus);
	hwloc_bitmap_free(p->mems);
	p->cpus = p->mems = NULL;
}

const char *lwkrun_part_src_name(enum lwkrun_part_src s)
{
	switch (s) {
	case LWKRUN_PART_ENV:		return "LWK_* environment";
	case LWKRUN_PART_REGISTRY:	return "registry";
	default:			return "caller's affinity";
	}
}

int lwkrun_backend_parse(const char *name, enum lwk_backend_kind *b, struct lwk_err *err)
{
	static const enum lwk_backend_kind kinds[] = {
		LWK_BACKEND_NATIVE, LWK_BACKEND_MCKERNEL, LWK_BACKEND_MOS
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(name, lwk_backend_name(kinds[i]))) {
			*b = kinds[i];
			return 0;
		}
	return lwk_err_set(err, EINVAL, "backend '%s' is not one of native, mckernel, mos", name);
}

static int parse_list(const char *var, const char *text, hwloc_bitmap_t set,
		      struct lwk_err *err)
{
	if (!*text || hwloc_bitmap_list_sscanf(set, text) < 0 || hwloc_bitmap_weight(set) <= 0)
		return lwk_err_set(err, EINVAL, "%s='%s' is not a list of OS indexes like '2-5,8'",
				   var, text);
	return 0;
}

int lwkrun_part_spec(const char *what, const char *text, struct lwkrun_part *out,
		     struct lwk_err *err)
{
	struct lwk_spec s;

	lwk_spec_init(&s);
	if (text && *text && lwk_spec_parse(&s, text, err)) {
		lwk_spec_fini(&s);
		return lwk_err_prefix(err, "%s", what);
	}
	out->pages = s.pages;
	out->sched = s.sched;
	lwk_spec_fini(&s);
	return 0;
}

int lwkrun_part_read_env(char *const *envp, struct lwkrun_part *out, struct lwk_err *err)
{
	const char *cpus = lwkrun_getenv(envp, LWK_ENV_CPUS);
	const char *mems = lwkrun_getenv(envp, LWK_ENV_MEMS);
	const char *id = lwkrun_getenv(envp, LWK_ENV_PARTITION);
	const char *backend = lwkrun_getenv(envp, LWK_ENV_BACKEND);

	if (!cpus)
		return 0;
	out->src = LWKRUN_PART_ENV;
	out->prebound = false;
	out->mck_os = -1;
	if (parse_list(LWK_ENV_CPUS, cpus, out->cpus, err))
		return -1;
	hwloc_bitmap_zero(out->mems);
	if (mems && *mems && parse_list(LWK_ENV_MEMS, mems, out->mems, err))
		return -1;
	out->backend = LWK_BACKEND_NATIVE;
	if (backend && *backend && lwkrun_backend_parse(backend, &out->backend, err))
		return lwk_err_prefix(err, "%s", LWK_ENV_BACKEND);
	if (id && strlen(id) >= sizeof(out->id))
		return lwk_err_set(err, EINVAL, "%s is longer than %zu characters",
				   LWK_ENV_PARTITION, sizeof(out->id) - 1);
	snprintf(out->id, sizeof(out->id), "%s", id ? id : "");
	return lwkrun_part_spec(LWK_ENV_SPEC, lwkrun_getenv(envp, LWK_ENV_SPEC), out, err) ? -1 : 1;
}
