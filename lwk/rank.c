#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "rank.h"

void lwk_rank_plan_init(struct lwk_rank_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->cpus = hwloc_bitmap_alloc();
	p->mems = hwloc_bitmap_alloc();
}

void lwk_rank_plan_fini(struct lwk_rank_plan *p)
{
	unsigned i;

	for (i = 0; i < p->nenv; i++)
		free(p->env[i].value);
	hwloc_bitmap_free(p->cpus);
	hwloc_bitmap_free(p->mems);
	memset(p, 0, sizeof(*p));
}

const char *lwk_rank_env(const struct lwk_rank_plan *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nenv; i++)
		if (!strcmp(p->env[i].name, name))
			return p->env[i].value;
	return NULL;
}

static int push(struct lwk_rank_plan *p, const char *name, const char *value, bool kept,
		struct lwk_err *err)
{
	struct lwk_rank_env *e;

	if (p->nenv == LWK_RANK_MAX_ENV)
		return lwk_err_set(err, ENOSPC, "internal: more than %d environment changes",
				   LWK_RANK_MAX_ENV);
	e = &p->env[p->nenv];
	e->name = name;
	e->kept = kept;
	e->value = strdup(value);
	if (!e->value)
		return lwk_err_set(err, ENOMEM, "out of memory");
	p->nenv++;
	return 0;
}

int lwk_rank_env_add(struct lwk_rank_plan *p, lwk_getenv_fn get, void *ctx, const char *name,
		     const char *value, bool force, struct lwk_err *err)
{
	const char *old = force || !get ? NULL : get(ctx, name);

	return push(p, name, old ? old : value, old != NULL, err);
}

static int add_uint(struct lwk_rank_plan *p, const struct lwk_rank_req *req, const char *name,
		    unsigned v, bool force, struct lwk_err *err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return lwk_rank_env_add(p, req->getenv, req->getenv_ctx, name, buf, force, err);
}

static int add_list(struct lwk_rank_plan *p, const char *name, hwloc_const_bitmap_t set,
		    struct lwk_err *err)
{
	char *s = NULL;
	int ret;

	if (hwloc_bitmap_list_asprintf(&s, set) < 0)
		return lwk_err_set(err, ENOMEM, "out of memory");
	ret = push(p, name, s, false, err);
	free(s);
	return ret;
}

/* One OpenMP place per PU of the share: "{2},{3}". */
static int add_omp_places(struct lwk_rank_plan *p, const struct lwk_rank_req *req,
			  struct lwk_err *err)
{
	size_t len = (size_t)hwloc_bitmap_weight(p->cpus) * 14 + 1, off = 0;
	char *s = malloc(len);
	int i, ret;

	if (!s)
		return lwk_err_set(err, ENOMEM, "out of memory");
	s[0] = '\0';
	hwloc_bitmap_foreach_begin(i, p->cpus)
		off += snprintf(s + off, len - off, "%s{%d}", off ? "," : "", i);
	hwloc_bitmap_foreach_end();
	ret = lwk_rank_env_add(p, req->getenv, req->getenv_ctx, "OMP_PLACES", s, false, err);
	free(s);
	return ret;
}

/* pages:2m/1g: glibc backs malloc with hugetlb pages (glibc >= 2.35). A
 * GLIBC_TUNABLES the user set keeps its items; one that already chooses
 * glibc.malloc.hugetlb is left as it is. */
static int add_hugetlb(struct lwk_rank_plan *p, const struct lwk_rank_req *req,
		       struct lwk_err *err)
{
	static const char name[] = "GLIBC_TUNABLES", item[] = "glibc.malloc.hugetlb=2";
	const char *old = req->getenv ? req->getenv(req->getenv_ctx, name) : NULL;
	char *v;
	int ret;

	if (!old || !*old)
		return push(p, name, item, false, err);
	if (strstr(old, "glibc.malloc.hugetlb="))
		return push(p, name, old, true, err);
	v = malloc(strlen(old) + sizeof(item) + 1);
	if (!v)
		return lwk_err_set(err, ENOMEM, "out of memory");
	sprintf(v, "%s:%s", old, item);
	ret = push(p, name, v, false, err);
	free(v);
	return ret;
}

/* Cores (not PUs) that set touches; PUs when the topology has no cores. */
static unsigned count_cores(const struct lwk_topo *tp, hwloc_const_bitmap_t set)
{
	int n = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_CORE), i;
	unsigned c = 0;

	if (n <= 0)
		return (unsigned)hwloc_bitmap_weight(set);
	for (i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_CORE, (unsigned)i);

		if (o && hwloc_bitmap_intersects(o->cpuset, set))
			c++;
	}
	return c;
}

static int share_native(const struct lwk_topo *tp, const struct lwk_rank_req *req,
			struct lwk_rank_plan *out, struct lwk_err *err)
{
	struct lwk_share sh;
	char list[64];
	unsigned n;

	if (req->prebound) {
		hwloc_bitmap_copy(out->cpus, req->cpus);
		hwloc_bitmap_copy(out->mems, req->mems);
		out->ncores = count_cores(tp, out->cpus);
		return 0;
	}
	n = count_cores(tp, req->cpus);
	hwloc_bitmap_list_snprintf(list, sizeof(list), req->cpus);
	if (n < req->size)
		return lwk_err_set(err, EINVAL, "%u local ranks but the partition has only %u cores "
				   "(cpus %s): start at most %u ranks per node or ask for more cores",
				   req->size, n, list, n);
	lwk_share_init(&sh);
	if (lwk_share(tp, req->cpus, req->rank, req->size, 0, &sh, err)) {
		lwk_share_fini(&sh);
		return -1;
	}
	hwloc_bitmap_copy(out->cpus, sh.cpus);
	hwloc_bitmap_copy(out->mems, sh.mems);
	out->ncores = sh.ncores;
	lwk_share_fini(&sh);
	return 0;
}

/* mcexec -n and yod -R MPI split the partition's CPUs evenly among the
 * local ranks, by local rank; what this rank will get, for OMP_NUM_THREADS. */
static int share_lwk(const struct lwk_rank_req *req, struct lwk_rank_plan *out,
		     struct lwk_err *err)
{
	unsigned n = (unsigned)hwloc_bitmap_weight(req->cpus);

	if (n < req->size)
		return lwk_err_set(err, EINVAL, "%u local ranks but the partition has only %u CPUs: "
				   "start at most %u ranks per node or ask for more cores",
				   req->size, n, n);
	out->ncores = n / req->size + (req->rank < n % req->size);
	hwloc_bitmap_copy(out->cpus, req->cpus);
	hwloc_bitmap_copy(out->mems, req->mems);
	return 0;
}

int lwk_rank_plan(const struct lwk_topo *tp, const struct lwk_rank_req *req,
		  struct lwk_rank_plan *out, struct lwk_err *err)
{
	bool native = req->backend == LWK_BACKEND_NATIVE;

	if (!out->cpus || !out->mems)
		return lwk_err_set(err, ENOMEM, "out of memory");
	if (req->size == 0 || req->rank >= req->size)
		return lwk_err_set(err, EINVAL, "local rank %u of %u: the rank must be below the "
				   "number of local ranks", req->rank, req->size);
	out->rank = req->rank;
	out->size = req->size;
	out->backend = req->backend;
	out->bind = native;
	out->prebound = native && req->prebound;
	out->pages = native ? req->pages : LWK_PAGES_4K;
	out->sched = native ? req->sched : LWK_SCHED_NORMAL;

	if (native ? share_native(tp, req, out, err) : share_lwk(req, out, err))
		return -1;

	if (add_uint(out, req, LWK_ENV_LOCAL_RANK, req->rank, true, err) ||
	    add_uint(out, req, LWK_ENV_LOCAL_SIZE, req->size, true, err) ||
	    add_list(out, LWK_ENV_RANK_CPUS, out->cpus, err) ||
	    add_list(out, LWK_ENV_RANK_MEMS, out->mems, err) ||
	    add_uint(out, req, "OMP_NUM_THREADS", out->ncores, false, err))
		return -1;
	if (native && (add_omp_places(out, req, err) ||
		       lwk_rank_env_add(out, req->getenv, req->getenv_ctx, "OMP_PROC_BIND",
					"close", false, err)))
		return -1;
	if (out->pages != LWK_PAGES_4K && add_hugetlb(out, req, err))
		return -1;
	/* yod -R MPI reads only these names: always ours */
	if (req->backend == LWK_BACKEND_MOS &&
	    (add_uint(out, req, "MPI_LOCALRANKID", req->rank, true, err) ||
	     add_uint(out, req, "MPI_LOCALNRANKS", req->size, true, err)))
		return -1;
	return 0;
}

int lwk_rank_bind(const struct lwk_topo *tp, const struct lwk_rank_plan *p, struct lwk_err *err)
{
	char *s = NULL;

	if (!p->bind)
		return 0;
	/* This thread only: after exec it is the process, and binding other
	 * threads (lwkrun's PMIx ones, already joined) would only cost time. */
	if (hwloc_set_cpubind(tp->t, p->cpus, HWLOC_CPUBIND_THREAD)) {
		int e = errno;

		hwloc_bitmap_list_asprintf(&s, p->cpus);
		lwk_err_set(err, e, "cannot bind to cpus %s: %s; are they in this job's cpuset?",
			    s ? s : "?", strerror(e));
		free(s);
		return -1;
	}
	if (hwloc_set_membind(tp->t, p->mems, HWLOC_MEMBIND_BIND,
			      HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET |
			      HWLOC_MEMBIND_STRICT)) {
		int e = errno;

		hwloc_bitmap_list_asprintf(&s, p->mems);
		lwk_err_set(err, e, "cannot bind memory to NUMA node(s) %s: %s",
			    s ? s : "?", strerror(e));
		free(s);
		return -1;
	}
	return 0;
}

int lwk_rank_export(const struct lwk_rank_plan *p, lwk_setenv_fn set, void *ctx,
		    struct lwk_err *err)
{
	unsigned i;
	int e;

	for (i = 0; i < p->nenv; i++) {
		if (p->env[i].kept)
			continue;
		e = set(ctx, p->env[i].name, p->env[i].value);
		if (e)
			return lwk_err_set(err, e, "cannot set %s: %s", p->env[i].name,
					   strerror(e));
	}
	return 0;
}

int lwk_rank_sched(const struct lwk_rank_plan *p, struct lwk_err *err)
{
	struct sched_param sp = { .sched_priority = 1 };

	if (!p->bind || p->sched != LWK_SCHED_FIFO)
		return 0;
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		int e = errno;

		return lwk_err_set(err, e, "sched:fifo: cannot switch to SCHED_FIFO (%s): run with "
				   "CAP_SYS_NICE or an RLIMIT_RTPRIO >= 1, or ask for sched:normal",
				   strerror(e));
	}
	return 0;
}
