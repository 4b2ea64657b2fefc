/* Local rank discovery through PMIx, and the order of all sources
 * (localrank.h). Apart from localrank.c, whose environment readers the
 * static front (front.c) links without PMIx's header or dlopen. */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pmix.h>
#include <unistd.h>

#include "localrank.h"

extern char **environ;

/* libpmix and what it pulls in (libevent, munge, udev) cost about a
 * millisecond of every start, so it is loaded only when PMIx is the one
 * source left. By its full path from pkg-config pmix (configure): lwkrun
 * carries no RUNPATH, which the loader would search first, a dozen failed
 * opens, for every library of every start. The loader's own search is the
 * fallback (a PMIx moved since the build). */
#define LWKRUN_LIBPMIX "libpmix.so.2"
#ifdef LWK_PMIX_LIBDIR
#define LWKRUN_LIBPMIX_PATH LWK_PMIX_LIBDIR "/" LWKRUN_LIBPMIX
#endif

static struct {
	__typeof__(PMIx_Init) *init;
	__typeof__(PMIx_Get) *get;
	__typeof__(PMIx_Finalize) *finalize;
	__typeof__(PMIx_Error_string) *error_string;
	__typeof__(PMIx_Data_type_string) *data_type_string;
	__typeof__(PMIx_Value_destruct) *value_destruct;
} px;

static int pmix_load(struct lwk_err *err)
{
	void *h = NULL;

#ifdef LWKRUN_LIBPMIX_PATH
	h = dlopen(LWKRUN_LIBPMIX_PATH, RTLD_NOW | RTLD_LOCAL);
#endif
	if (!h)
		h = dlopen(LWKRUN_LIBPMIX, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return lwk_err_set(err, ENOENT, "cannot load %s (%s): install libpmix2, or set "
				   "SLURM_LOCALID or OMPI_COMM_WORLD_LOCAL_RANK", LWKRUN_LIBPMIX,
				   dlerror());
	/* ISO C has no conversion from dlsym's void * to a function
	 * pointer; copying the bits is what POSIX guarantees to work. */
#define SYM(field, name)							\
	do {									\
		void *p = dlsym(h, name);					\
		if (!p)								\
			return lwk_err_set(err, ENOENT, "%s has no %s: PMIx >= 4 is needed", \
					   LWKRUN_LIBPMIX, name);		\
		memcpy(&px.field, &p, sizeof(p));				\
	} while (0)
	SYM(init, "PMIx_Init");
	SYM(get, "PMIx_Get");
	SYM(finalize, "PMIx_Finalize");
	SYM(error_string, "PMIx_Error_string");
	SYM(data_type_string, "PMIx_Data_type_string");
	SYM(value_destruct, "PMIx_Value_destruct");
#undef SYM
	return 0;
}

/* PMIx stores integers with the type the server chose: accept any unsigned
 * or non-negative signed integer. */
static int value_uint(const pmix_value_t *v, unsigned *out)
{
	int64_t x;

	switch (v->type) {
	case PMIX_UINT8:	x = v->data.uint8; break;
	case PMIX_UINT16:	x = v->data.uint16; break;
	case PMIX_UINT32:	x = v->data.uint32; break;
	case PMIX_UINT64:	x = v->data.uint64 > INT64_MAX ? -1 : (int64_t)v->data.uint64; break;
	case PMIX_UINT:		x = v->data.uint; break;
	case PMIX_INT:		x = v->data.integer; break;
	case PMIX_INT16:	x = v->data.int16; break;
	case PMIX_INT32:	x = v->data.int32; break;
	case PMIX_INT64:	x = v->data.int64; break;
	default:		return -1;
	}
	if (x < 0 || x > UINT32_MAX)
		return -1;
	*out = (unsigned)x;
	return 0;
}

static int pmix_get_uint(const pmix_proc_t *proc, const char *key, unsigned *out,
			 struct lwk_err *err)
{
	pmix_value_t *val = NULL;
	pmix_status_t rc;
	int ret = 0;

	rc = px.get(proc, key, NULL, 0, &val);
	if (rc != PMIX_SUCCESS || !val)
		return lwk_err_set(err, EIO, "PMIx_Get(%s) failed: %s; set SLURM_LOCALID or "
				   "OMPI_COMM_WORLD_LOCAL_RANK instead", key, px.error_string(rc));
	if (value_uint(val, out))
		ret = lwk_err_set(err, EPROTO, "PMIx gave %s as a %s, not a non-negative integer",
				  key, px.data_type_string(val->type));
	px.value_destruct(val);		/* PMIX_VALUE_RELEASE, through px */
	free(val);
	return ret;
}

/* A copy of the environment, to put back exactly after PMIx is done. */
static int env_save(char ***out, struct lwk_err *err)
{
	size_t n = 0, i;
	char **v;

	while (environ[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return lwk_err_set(err, ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		v[i] = strdup(environ[i]);
		if (!v[i]) {
			while (i)
				free(v[--i]);
			free(v);
			return lwk_err_set(err, ENOMEM, "out of memory");
		}
	}
	*out = v;
	return 0;
}

/* Replaces the environment with saved (whose strings become the
 * environment's own, as putenv wants) and frees the array. */
static void env_restore(char **saved)
{
	size_t i;

	clearenv();
	for (i = 0; saved[i]; i++)
		if (putenv(saved[i]))
			free(saved[i]);
	free(saved);
}

int lwkrun_local_from_pmix(char *const *envp, struct lwkrun_local *out, struct lwk_err *err)
{
	pmix_proc_t me, wild;
	pmix_status_t rc;
	unsigned rank = 0, size = 0;
	char **saved = NULL;
	int ret;

	/* Only a PMIx server's child has a namespace; without one PMIx_Init
	 * would start a singleton and tell us nothing. */
	if (!lwkrun_getenv(envp, "PMIX_NAMESPACE"))
		return 0;
	if (pmix_load(err) || env_save(&saved, err))
		return -1;
	rc = px.init(&me, NULL, 0);
	if (rc != PMIX_SUCCESS) {
		env_restore(saved);
		return lwk_err_set(err, EIO, "PMIx_Init failed: %s; set SLURM_LOCALID or "
				   "OMPI_COMM_WORLD_LOCAL_RANK instead", px.error_string(rc));
	}
	PMIX_LOAD_PROCID(&wild, me.nspace, PMIX_RANK_WILDCARD);
	ret = pmix_get_uint(&me, PMIX_LOCAL_RANK, &rank, err);
	if (!ret)
		ret = pmix_get_uint(&wild, PMIX_LOCAL_SIZE, &size, err);
	/* Before exec, always: a connection dropped without finalize is
	 * PMIX_ERR_LOST_CONNECTION to the server, and Slurm kills the step. */
	rc = px.finalize(NULL, 0);
	/* The program gets the environment we were given, not PMIx's edits
	 * (PMIx_Init exports PMIX_MCA_* settings of its own) nor ours. */
	env_restore(saved);
	if (!ret && rc != PMIX_SUCCESS)
		ret = lwk_err_set(err, EIO, "PMIx_Finalize failed: %s", px.error_string(rc));
	if (ret)
		return -1;
	if (size == 0 || rank >= size)
		return lwk_err_set(err, EPROTO, "PMIx gave local rank %u of local size %u", rank, size);
	out->rank = rank;
	out->size = size;
	out->src = LWKRUN_SRC_PMIX;
	return 1;
}

int lwkrun_local_discover(char *const *envp, struct lwkrun_local *out, struct lwk_err *err)
{
	int rc = lwkrun_local_from_env(envp, out, err);

	if (!rc)
		rc = lwkrun_local_from_pmix(envp, out, err);
	if (rc < 0)
		return -1;
	if (!rc) {
		out->rank = 0;
		out->size = 1;
		out->src = LWKRUN_SRC_SINGLE;
	}
	return 0;
}
