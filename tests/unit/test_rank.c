/* lwk/rank: one local rank's plan (share, environment, binding), the part
 * lwkrun and the SPANK plugin's task_init have in common. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "place.h"
#include "rank.h"
#include "synth.h"
#include "check_run.h"

static struct lwk_err err;

/* A getenv like the plugin's over spank_getenv: one buffer, rewritten (and
 * first spoiled) by every call, so a plan that holds on to a value across
 * calls reads garbage. */
static char spoil_buf[256];
static unsigned spoil_calls;

static const char *spoiling_get(void *ctx, const char *name)
{
	const char *v = lwk_envp_get(ctx, name);

	spoil_calls++;
	memset(spoil_buf, 'X', sizeof(spoil_buf) - 1);
	spoil_buf[sizeof(spoil_buf) - 1] = '\0';
	if (!v)
		return NULL;
	ck_assert_uint_lt(strlen(v), sizeof(spoil_buf));
	strcpy(spoil_buf, v);
	return spoil_buf;
}

static void req_init(struct lwk_rank_req *r, enum lwk_backend_kind b, hwloc_const_bitmap_t cpus,
		     hwloc_const_bitmap_t mems, unsigned rank, unsigned size, char **envp)
{
	memset(r, 0, sizeof(*r));
	r->backend = b;
	r->cpus = cpus;
	r->mems = mems;
	r->pages = LWK_PAGES_2M;
	r->sched = LWK_SCHED_NORMAL;
	r->rank = rank;
	r->size = size;
	r->getenv = spoiling_get;
	r->getenv_ctx = envp;
}

static void plan_ok(const struct lwk_topo *tp, const struct lwk_rank_req *r,
		    struct lwk_rank_plan *p)
{
	lwk_rank_plan_init(p);
	ck_assert_msg(lwk_rank_plan(tp, r, p, &err) == 0, "%s", err.msg);
}

static const struct lwk_rank_env *entry(const struct lwk_rank_plan *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nenv; i++)
		if (!strcmp(p->env[i].name, name))
			return &p->env[i];
	return NULL;
}

#define ck_assert_env(p, name, want, want_kept) do {				\
	const struct lwk_rank_env *_e = entry((p), (name));			\
	ck_assert_msg(_e != NULL, "%s not in the plan", (name));		\
	ck_assert_str_eq(_e->value, (want));					\
	ck_assert_msg(_e->kept == (want_kept), "%s: kept is %d", (name), _e->kept); \
} while (0)

/* The plan's order is the order lwkrun --dry-run prints. */
static void names_are(const struct lwk_rank_plan *p, const char *const *want)
{
	unsigned i;

	for (i = 0; want[i]; i++) {
		ck_assert_uint_lt(i, p->nenv);
		ck_assert_str_eq(p->env[i].name, want[i]);
	}
	ck_assert_uint_eq(i, p->nenv);
}

/* Native: every rank's share is lwk_share's, and its variables say so. */
START_TEST(native_shares)
{
	static const char *const order[] = {
		LWK_ENV_LOCAL_RANK, LWK_ENV_LOCAL_SIZE, LWK_ENV_RANK_CPUS, LWK_ENV_RANK_MEMS,
		"OMP_NUM_THREADS", "OMP_PLACES", "OMP_PROC_BIND", "GLIBC_TUNABLES", NULL
	};
	char *envp[] = { "HOME=/", NULL };
	struct lwk_topo tp;
	hwloc_bitmap_t part, mems;
	unsigned r;

	synth_load(&tp, 2, 1, 4, 2, 1);		/* 2 nodes x 4 cores x 2 PUs, Linux SMT numbering */
	part = bm("1-7,9-15");			/* every core but core 0 */
	mems = bm("0-1");
	for (r = 0; r < 3; r++) {
		struct lwk_rank_req req;
		struct lwk_rank_plan p;
		struct lwk_share sh;
		char buf[16], *s = NULL, *places;
		int i;

		req_init(&req, LWK_BACKEND_NATIVE, part, mems, r, 3, envp);
		plan_ok(&tp, &req, &p);
		lwk_share_init(&sh);
		ck_assert_int_eq(lwk_share(&tp, part, r, 3, 0, &sh, &err), 0);
		ck_assert(hwloc_bitmap_isequal(p.cpus, sh.cpus));
		ck_assert(hwloc_bitmap_isequal(p.mems, sh.mems));
		ck_assert_uint_eq(p.ncores, sh.ncores);
		lwk_share_fini(&sh);
		ck_assert(p.bind);
		ck_assert(!p.prebound);
		ck_assert_int_eq(p.pages, LWK_PAGES_2M);
		names_are(&p, order);

		snprintf(buf, sizeof(buf), "%u", r);
		ck_assert_env(&p, LWK_ENV_LOCAL_RANK, buf, false);
		ck_assert_env(&p, LWK_ENV_LOCAL_SIZE, "3", false);
		hwloc_bitmap_list_asprintf(&s, p.cpus);
		ck_assert_env(&p, LWK_ENV_RANK_CPUS, s, false);
		free(s);
		hwloc_bitmap_list_asprintf(&s, p.mems);
		ck_assert_env(&p, LWK_ENV_RANK_MEMS, s, false);
		free(s);
		snprintf(buf, sizeof(buf), "%d", hwloc_bitmap_weight(p.cpus));
		ck_assert_env(&p, "OMP_NUM_THREADS", buf, false);
		places = calloc(1, 256);
		hwloc_bitmap_foreach_begin(i, p.cpus)
			sprintf(places + strlen(places), "%s{%d}", *places ? "," : "", i);
		hwloc_bitmap_foreach_end();
		ck_assert_env(&p, "OMP_PLACES", places, false);
		free(places);
		ck_assert_env(&p, "OMP_PROC_BIND", "close", false);
		ck_assert_env(&p, "GLIBC_TUNABLES", "glibc.malloc.hugetlb=2", false);
		ck_assert_str_eq(lwk_rank_env(&p, "OMP_PROC_BIND"), "close");
		ck_assert_ptr_null(lwk_rank_env(&p, "MPI_LOCALRANKID"));
		lwk_rank_plan_fini(&p);
	}
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* Exact shares on a small machine: rank 0 gets the extra core, one PU per core. */
START_TEST(native_exact)
{
	char *envp[] = { NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("2-4,10-12"), mems = bm("0");

	synth_load(&tp, 1, 1, 8, 2, 1);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 0, 2, envp);
	plan_ok(&tp, &req, &p);
	ck_assert_bm(p.cpus, "2-3");
	ck_assert_env(&p, "OMP_NUM_THREADS", "2", false);
	ck_assert_env(&p, "OMP_PLACES", "{2},{3}", false);
	ck_assert_env(&p, LWK_ENV_RANK_MEMS, "0", false);
	lwk_rank_plan_fini(&p);
	req.rank = 1;
	plan_ok(&tp, &req, &p);
	ck_assert_bm(p.cpus, "4");
	ck_assert_env(&p, "OMP_NUM_THREADS", "1", false);
	ck_assert_env(&p, "OMP_PLACES", "{4}", false);
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* OMP_* the user set are kept (and marked so); LWK_* are always the plan's. */
START_TEST(user_values_kept)
{
	char *envp[] = { "OMP_NUM_THREADS=7", "OMP_PLACES=cores", "OMP_PROC_BIND=spread",
			 "LWK_LOCAL_RANK=9", "LWK_RANK_CPUS=0-63", NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("0-3"), mems = bm("0");

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 1, 2, envp);
	plan_ok(&tp, &req, &p);
	ck_assert_env(&p, "OMP_NUM_THREADS", "7", true);
	ck_assert_env(&p, "OMP_PLACES", "cores", true);
	ck_assert_env(&p, "OMP_PROC_BIND", "spread", true);
	ck_assert_env(&p, LWK_ENV_LOCAL_RANK, "1", false);
	ck_assert_env(&p, LWK_ENV_RANK_CPUS, "2-3", false);
	lwk_rank_plan_fini(&p);

	/* an empty value is still the user's */
	envp[0] = "OMP_NUM_THREADS=";
	plan_ok(&tp, &req, &p);
	ck_assert_env(&p, "OMP_NUM_THREADS", "", true);
	lwk_rank_plan_fini(&p);

	/* without a getenv, nothing counts as set */
	req.getenv = NULL;
	plan_ok(&tp, &req, &p);
	ck_assert_env(&p, "OMP_NUM_THREADS", "2", false);
	ck_assert_env(&p, "OMP_PLACES", "{2},{3}", false);
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

static void pages_case(enum lwk_backend_kind b, enum lwk_pages pages, char **envp,
		       const char *want, bool want_kept)
{
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("0-3"), mems = bm("0");

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, b, part, mems, 0, 1, envp);
	req.pages = pages;
	plan_ok(&tp, &req, &p);
	if (want)
		ck_assert_env(&p, "GLIBC_TUNABLES", want, want_kept);
	else
		ck_assert_ptr_null(lwk_rank_env(&p, "GLIBC_TUNABLES"));
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}

START_TEST(pages)
{
	char *none[] = { NULL };
	char *other[] = { "GLIBC_TUNABLES=glibc.malloc.check=3:glibc.malloc.tcache_count=0", NULL };
	char *own[] = { "GLIBC_TUNABLES=glibc.malloc.check=3:glibc.malloc.hugetlb=1", NULL };
	char *empty[] = { "GLIBC_TUNABLES=", NULL };

	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_4K, none, NULL, false);
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_4K, other, NULL, false);	/* untouched */
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_2M, none, "glibc.malloc.hugetlb=2", false);
	/* glibc cannot ask for 1g: the same tunable, default huge page size */
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_1G, none, "glibc.malloc.hugetlb=2", false);
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_2M, other,
		   "glibc.malloc.check=3:glibc.malloc.tcache_count=0:glibc.malloc.hugetlb=2", false);
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_1G, own,
		   "glibc.malloc.check=3:glibc.malloc.hugetlb=1", true);
	pages_case(LWK_BACKEND_NATIVE, LWK_PAGES_2M, empty, "glibc.malloc.hugetlb=2", false);
	/* McKernel and mOS manage the rank's memory themselves */
	pages_case(LWK_BACKEND_MCKERNEL, LWK_PAGES_2M, none, NULL, false);
	pages_case(LWK_BACKEND_MOS, LWK_PAGES_1G, none, NULL, false);
}
END_TEST

/* mckernel/mos: nothing bound, the share is the partition, OMP_NUM_THREADS
 * the rank's part of the CPUs; mos: MPI_LOCALRANKID/NRANKS always ours. */
START_TEST(multikernels)
{
	char *envp[] = { "MPI_LOCALRANKID=7", "OMP_PLACES=threads", NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("2-9"), mems = bm("0");

	synth_load(&tp, 1, 1, 16, 1, 0);
	req_init(&req, LWK_BACKEND_MCKERNEL, part, mems, 2, 3, envp);
	req.sched = LWK_SCHED_FIFO;
	plan_ok(&tp, &req, &p);
	ck_assert(!p.bind);
	ck_assert_int_eq(p.sched, LWK_SCHED_NORMAL);
	ck_assert_int_eq(p.pages, LWK_PAGES_4K);
	ck_assert_bm(p.cpus, "2-9");
	ck_assert_env(&p, "OMP_NUM_THREADS", "2", false);	/* 8 CPUs / 3: 3,3,2 */
	ck_assert_ptr_null(lwk_rank_env(&p, "OMP_PLACES"));
	ck_assert_ptr_null(lwk_rank_env(&p, "OMP_PROC_BIND"));
	ck_assert_ptr_null(lwk_rank_env(&p, "MPI_LOCALRANKID"));
	/* nothing to bind, nothing to schedule: no-ops that succeed */
	ck_assert_int_eq(lwk_rank_bind(&tp, &p, &err), 0);
	ck_assert_int_eq(lwk_rank_sched(&p, &err), 0);
	lwk_rank_plan_fini(&p);

	req_init(&req, LWK_BACKEND_MOS, part, mems, 1, 4, envp);
	plan_ok(&tp, &req, &p);
	ck_assert_env(&p, "MPI_LOCALRANKID", "1", false);
	ck_assert_env(&p, "MPI_LOCALNRANKS", "4", false);
	ck_assert_env(&p, "OMP_NUM_THREADS", "2", false);
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* The caller's launcher already bound the rank: its binding is the share. */
START_TEST(prebound)
{
	char *envp[] = { NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t cpus = bm("3,19"), mems = bm("0");

	synth_load(&tp, 1, 1, 16, 2, 1);	/* 3 and 19: two PUs of core 3 */
	req_init(&req, LWK_BACKEND_NATIVE, cpus, mems, 0, 4, envp);
	req.prebound = true;
	plan_ok(&tp, &req, &p);
	ck_assert(p.prebound);
	ck_assert_bm(p.cpus, "3,19");
	ck_assert_uint_eq(p.ncores, 1);
	ck_assert_env(&p, "OMP_NUM_THREADS", "1", false);
	ck_assert_env(&p, "OMP_PLACES", "{3},{19}", false);
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(cpus);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

START_TEST(errors)
{
	char *envp[] = { NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("0-2"), mems = bm("0");

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 0, 4, envp);
	lwk_rank_plan_init(&p);
	ck_assert_int_eq(lwk_rank_plan(&tp, &req, &p, &err), -1);
	ck_assert_str_eq(err.msg, "4 local ranks but the partition has only 3 cores (cpus 0-2): "
			 "start at most 3 ranks per node or ask for more cores");
	lwk_rank_plan_fini(&p);

	req_init(&req, LWK_BACKEND_MCKERNEL, part, mems, 0, 4, envp);
	lwk_rank_plan_init(&p);
	ck_assert_int_eq(lwk_rank_plan(&tp, &req, &p, &err), -1);
	ck_assert_str_eq(err.msg, "4 local ranks but the partition has only 3 CPUs: "
			 "start at most 3 ranks per node or ask for more cores");
	lwk_rank_plan_fini(&p);

	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 2, 2, envp);
	lwk_rank_plan_init(&p);
	ck_assert_int_eq(lwk_rank_plan(&tp, &req, &p, &err), -1);
	ck_assert_int_eq(err.code, EINVAL);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* Export: every entry but the kept ones, through the caller's setter. */
struct rec {
	char names[512];
	const char *fail;	/* name whose set fails */
};

static int rec_set(void *ctx, const char *name, const char *value)
{
	struct rec *r = ctx;

	if (r->fail && !strcmp(name, r->fail))
		return EINVAL;
	snprintf(r->names + strlen(r->names), sizeof(r->names) - strlen(r->names), "%s=%s;",
		 name, value);
	return 0;
}

START_TEST(export)
{
	char *envp[] = { "OMP_NUM_THREADS=7", "OMP_PROC_BIND=spread", NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	struct rec r = { "", NULL };
	hwloc_bitmap_t part = bm("0-3"), mems = bm("0");

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 0, 1, envp);
	plan_ok(&tp, &req, &p);
	ck_assert_int_eq(lwk_rank_env_add(&p, lwk_envp_get, envp, "PMIX_MCA_gds", "hash", false,
					  &err), 0);
	ck_assert_int_eq(lwk_rank_export(&p, rec_set, &r, &err), 0);
	ck_assert_str_eq(r.names, "LWK_LOCAL_RANK=0;LWK_LOCAL_SIZE=1;LWK_RANK_CPUS=0-3;"
			 "LWK_RANK_MEMS=0;OMP_PLACES={0},{1},{2},{3};"
			 "GLIBC_TUNABLES=glibc.malloc.hugetlb=2;PMIX_MCA_gds=hash;");
	r.names[0] = '\0';
	r.fail = "OMP_PLACES";
	ck_assert_int_eq(lwk_rank_export(&p, rec_set, &r, &err), -1);
	ck_assert_str_eq(err.msg, "cannot set OMP_PLACES: Invalid argument");
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* getenv is asked once per variable it may keep (the plugin's costs a
 * spank_getenv each) and never for the variables that are always ours. */
START_TEST(getenv_calls)
{
	char *envp[] = { "GLIBC_TUNABLES=glibc.malloc.check=3", NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("0-3"), mems = bm("0");

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 0, 1, envp);
	spoil_calls = 0;
	plan_ok(&tp, &req, &p);
	/* OMP_NUM_THREADS, OMP_PLACES, OMP_PROC_BIND, GLIBC_TUNABLES */
	ck_assert_uint_eq(spoil_calls, 4);
	ck_assert_env(&p, "GLIBC_TUNABLES", "glibc.malloc.check=3:glibc.malloc.hugetlb=2", false);
	lwk_rank_plan_fini(&p);
	envp[0] = "GLIBC_TUNABLES=glibc.malloc.hugetlb=0";	/* kept: still one call */
	spoil_calls = 0;
	plan_ok(&tp, &req, &p);
	ck_assert_uint_eq(spoil_calls, 4);
	ck_assert_env(&p, "GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", true);
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* On this machine (Check runs each test in its own process): binding to the
 * CPUs we already have and their NUMA nodes works and is what we then have. */
START_TEST(bind_here)
{
	char *envp[] = { NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t cur = hwloc_bitmap_alloc(), mems = hwloc_bitmap_alloc();

	ck_assert_msg(lwk_topo_load(&tp, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(hwloc_get_cpubind(tp.t, cur, HWLOC_CPUBIND_THREAD), 0);
	lwk_topo_cpus_to_mems(&tp, cur, mems);
	req_init(&req, LWK_BACKEND_NATIVE, cur, mems, 0, 1, envp);
	req.prebound = true;
	plan_ok(&tp, &req, &p);
	ck_assert_msg(lwk_rank_bind(&tp, &p, &err) == 0, "%s", err.msg);
	hwloc_bitmap_zero(cur);
	ck_assert_int_eq(hwloc_get_cpubind(tp.t, cur, HWLOC_CPUBIND_THREAD), 0);
	ck_assert(hwloc_bitmap_isequal(cur, p.cpus));
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(cur);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

/* sched:fifo: SCHED_FIFO 1 when allowed, else one line saying what to do. */
START_TEST(sched_fifo)
{
	char *envp[] = { NULL };
	struct lwk_topo tp;
	struct lwk_rank_req req;
	struct lwk_rank_plan p;
	hwloc_bitmap_t part = bm("0-3"), mems = bm("0");
	struct sched_param sp;

	synth_load(&tp, 1, 1, 4, 1, 0);
	req_init(&req, LWK_BACKEND_NATIVE, part, mems, 0, 1, envp);
	plan_ok(&tp, &req, &p);
	ck_assert_int_eq(lwk_rank_sched(&p, &err), 0);		/* sched:normal */
	ck_assert_int_eq(sched_getscheduler(0), SCHED_OTHER);
	lwk_rank_plan_fini(&p);
	req.sched = LWK_SCHED_FIFO;
	plan_ok(&tp, &req, &p);
	if (lwk_rank_sched(&p, &err) == 0) {
		ck_assert_int_eq(sched_getscheduler(0), SCHED_FIFO);
		ck_assert_int_eq(sched_getparam(0, &sp), 0);
		ck_assert_int_eq(sp.sched_priority, 1);
	} else {
		ck_assert_int_eq(err.code, EPERM);
		ck_assert_ptr_nonnull(strstr(err.msg, "CAP_SYS_NICE"));
	}
	lwk_rank_plan_fini(&p);
	hwloc_bitmap_free(part);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

START_TEST(envp_get)
{
	char *envp[] = { "A=1", "AB=2", "B=", "C", NULL };

	ck_assert_str_eq(lwk_envp_get(envp, "A"), "1");
	ck_assert_str_eq(lwk_envp_get(envp, "AB"), "2");
	ck_assert_str_eq(lwk_envp_get(envp, "B"), "");
	ck_assert_ptr_null(lwk_envp_get(envp, "C"));
	ck_assert_ptr_null(lwk_envp_get(envp, "D"));
	ck_assert_ptr_null(lwk_envp_get(NULL, "A"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rank");
	TCase *tc = tcase_create("plan");

	tcase_add_test(tc, native_shares);
	tcase_add_test(tc, native_exact);
	tcase_add_test(tc, user_values_kept);
	tcase_add_test(tc, pages);
	tcase_add_test(tc, multikernels);
	tcase_add_test(tc, prebound);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, export);
	tcase_add_test(tc, getenv_calls);
	tcase_add_test(tc, bind_here);
	tcase_add_test(tc, sched_fifo);
	tcase_add_test(tc, envp_get);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
