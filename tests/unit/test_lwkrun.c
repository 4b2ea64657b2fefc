/* launcher/: local rank discovery from the environment, partitions from the
 * LWK_* environment and the caller's affinity, the rank's plan, and the
 * exec lines of the mckernel and mos backends against their documented
 * syntax (mcexec -n <ranks-per-node> prog args; yod -R MPI prog args). */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "env.h"
#include "exec.h"
#include "localrank.h"
#include "part.h"
#include "plan.h"
#include "synth.h"
#include "check_run.h"

static struct lwkrun_local discover_ok(char **envp)
{
	struct lwkrun_local l = { 99, 99, LWKRUN_SRC_PMIX };
	struct lwk_err err = { 0 };

	ck_assert_msg(lwkrun_local_discover(envp, &l, &err) == 0, "%s", err.msg);
	return l;
}

static const char *discover_err(char **envp)
{
	static struct lwk_err err;
	struct lwkrun_local l;

	lwk_err_clear(&err);
	ck_assert_int_eq(lwkrun_local_discover(envp, &l, &err), -1);
	ck_assert_uint_gt(strlen(err.msg), 0);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	return err.msg;
}

START_TEST(getenv_exact_name)
{
	char *env[] = { "SLURM_LOCALID_X=5", "SLURM_LOCALID=3", "A=", NULL };

	ck_assert_str_eq(lwkrun_getenv(env, "SLURM_LOCALID"), "3");
	ck_assert_str_eq(lwkrun_getenv(env, "A"), "");
	ck_assert_ptr_null(lwkrun_getenv(env, "SLURM"));
	ck_assert_ptr_null(lwkrun_getenv(NULL, "A"));
}
END_TEST

START_TEST(local_single)
{
	char *env[] = { "PATH=/bin", NULL };
	struct lwkrun_local l = discover_ok(env);

	ck_assert_uint_eq(l.rank, 0);
	ck_assert_uint_eq(l.size, 1);
	ck_assert_int_eq(l.src, LWKRUN_SRC_SINGLE);
}
END_TEST

START_TEST(local_ompi_mpich)
{
	char *ompi[] = { "OMPI_COMM_WORLD_LOCAL_RANK=3", "OMPI_COMM_WORLD_LOCAL_SIZE=4", NULL };
	char *mpich[] = { "MPI_LOCALRANKID=1", "MPI_LOCALNRANKS=2", NULL };
	struct lwkrun_local l;

	l = discover_ok(ompi);
	ck_assert_uint_eq(l.rank, 3);
	ck_assert_uint_eq(l.size, 4);
	ck_assert_int_eq(l.src, LWKRUN_SRC_OMPI);
	l = discover_ok(mpich);
	ck_assert_uint_eq(l.rank, 1);
	ck_assert_uint_eq(l.size, 2);
	ck_assert_int_eq(l.src, LWKRUN_SRC_MPICH);
}
END_TEST

/* mpirun inside an sbatch script: the batch step's SLURM_LOCALID=0 is
 * inherited; the innermost launcher's variables win. */
START_TEST(local_innermost_wins)
{
	char *env[] = { "OMPI_COMM_WORLD_LOCAL_RANK=1", "OMPI_COMM_WORLD_LOCAL_SIZE=2",
			"MPI_LOCALRANKID=0", "MPI_LOCALNRANKS=3",
			"SLURM_LOCALID=0", "SLURM_NODEID=0", "SLURM_STEP_TASKS_PER_NODE=1", NULL };
	struct lwkrun_local l = discover_ok(env);

	ck_assert_int_eq(l.src, LWKRUN_SRC_OMPI);
	ck_assert_uint_eq(l.rank, 1);
	ck_assert_uint_eq(l.size, 2);
	l = discover_ok(env + 2);
	ck_assert_int_eq(l.src, LWKRUN_SRC_MPICH);
	ck_assert_uint_eq(l.size, 3);
	l = discover_ok(env + 4);
	ck_assert_int_eq(l.src, LWKRUN_SRC_SLURM);
	ck_assert_uint_eq(l.size, 1);
}
END_TEST

START_TEST(local_slurm)
{
	char *step[] = { "SLURM_LOCALID=2", "SLURM_NODEID=3", "SLURM_GTIDS=9",
			 "SLURM_STEP_TASKS_PER_NODE=1,2(x2),4", "SLURM_TASKS_PER_NODE=8(x4)", NULL };
	char *gtids[] = { "SLURM_LOCALID=1", "SLURM_NODEID=0", "SLURM_GTIDS=4,5,6",
			  "SLURM_TASKS_PER_NODE=8", NULL };
	char *job[] = { "SLURM_LOCALID=5", "SLURM_NODEID=1", "SLURM_TASKS_PER_NODE=2,6", NULL };
	char *nocount[] = { "SLURM_LOCALID=0", NULL };
	struct lwkrun_local l;

	l = discover_ok(step);		/* node 3 of 1,2,2,4: 4 tasks */
	ck_assert_int_eq(l.src, LWKRUN_SRC_SLURM);
	ck_assert_uint_eq(l.rank, 2);
	ck_assert_uint_eq(l.size, 4);
	l = discover_ok(gtids);
	ck_assert_uint_eq(l.size, 3);
	l = discover_ok(job);
	ck_assert_uint_eq(l.rank, 5);
	ck_assert_uint_eq(l.size, 6);
	/* SLURM_LOCALID alone does not say how many: single without PMIx. */
	l = discover_ok(nocount);
	ck_assert_int_eq(l.src, LWKRUN_SRC_SINGLE);
}
END_TEST

START_TEST(local_errors)
{
	char *half[] = { "OMPI_COMM_WORLD_LOCAL_RANK=0", NULL };
	char *over[] = { "MPI_LOCALRANKID=2", "MPI_LOCALNRANKS=2", NULL };
	char *zero[] = { "MPI_LOCALRANKID=0", "MPI_LOCALNRANKS=0", NULL };
	char *junk[] = { "OMPI_COMM_WORLD_LOCAL_RANK=1x", "OMPI_COMM_WORLD_LOCAL_SIZE=2", NULL };
	char *neg[] = { "OMPI_COMM_WORLD_LOCAL_RANK=-1", "OMPI_COMM_WORLD_LOCAL_SIZE=2", NULL };
	char *slurm_over[] = { "SLURM_LOCALID=2", "SLURM_NODEID=0",
			       "SLURM_STEP_TASKS_PER_NODE=2", NULL };
	char *slurm_bad[] = { "SLURM_LOCALID=0", "SLURM_NODEID=0",
			      "SLURM_STEP_TASKS_PER_NODE=2(x", NULL };
	char *slurm_node[] = { "SLURM_LOCALID=0", "SLURM_NODEID=5",
			       "SLURM_STEP_TASKS_PER_NODE=2(x2)", NULL };

	ck_assert_ptr_nonnull(strstr(discover_err(half), "OMPI_COMM_WORLD_LOCAL_SIZE"));
	ck_assert_ptr_nonnull(strstr(discover_err(over), "expected 0 <= rank < size"));
	ck_assert_ptr_nonnull(strstr(discover_err(zero), "MPI_LOCALNRANKS=0"));
	ck_assert_ptr_nonnull(strstr(discover_err(junk), "=1x"));
	ck_assert_ptr_nonnull(strstr(discover_err(neg), "=-1"));
	ck_assert_ptr_nonnull(strstr(discover_err(slurm_over), "only 2 task(s)"));
	ck_assert_ptr_nonnull(strstr(discover_err(slurm_bad), "SLURM_STEP_TASKS_PER_NODE"));
	ck_assert_ptr_nonnull(strstr(discover_err(slurm_node), "no entry for node 5"));
}
END_TEST

START_TEST(slurm_count_list)
{
	struct lwk_err err = { 0 };
	unsigned c = 0, i;
	static const unsigned want[] = { 2, 2, 2, 1, 7, 7 };

	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(lwkrun_slurm_tasks_on_node("2(x3),1,7(x2)", i, &c, &err), 0);
		ck_assert_uint_eq(c, want[i]);
	}
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("2(x3),1,7(x2)", 6, &c, &err), -1);
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("", 0, &c, &err), -1);
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("2(x0)", 0, &c, &err), -1);
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("2(3)", 0, &c, &err), -1);
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("2,,3", 1, &c, &err), -1);
	ck_assert_int_eq(lwkrun_slurm_tasks_on_node("x", 0, &c, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'x' is not a Slurm task count list"));
}
END_TEST

/* No PMIx server in the environment: no PMIx_Init at all. */
START_TEST(pmix_absent)
{
	char *env[] = { "PATH=/bin", NULL };
	struct lwkrun_local l;
	struct lwk_err err = { 0 };

	ck_assert_int_eq(lwkrun_local_from_pmix(env, &l, &err), 0);
}
END_TEST

static void argv_eq(char **got, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		ck_assert_ptr_nonnull(got[i]);
		ck_assert_str_eq(got[i], want[i]);
	}
	ck_assert_ptr_null(got[i]);
}

START_TEST(exec_lines)
{
	char *prog[] = { "./a.out", "-x", "two words", NULL };
	static const char *const native[] = { "./a.out", "-x", "two words", NULL };
	/* mcexec [opts] prog args; -n <ranks-per-node>, the same in every rank. */
	static const char *const mck[] = { "mcexec", "-n", "16", "./a.out", "-x", "two words", NULL };
	/* yod -R MPI prog args: 1/MPI_LOCALNRANKS of the LWK, by MPI_LOCALRANKID. */
	static const char *const mos[] = { "yod", "-R", "MPI", "./a.out", "-x", "two words", NULL };
	/* mcexec [opts] [<N>] prog args: a leading number picks /dev/mcos<N>. */
	static const char *const mck3[] = { "mcexec", "-n", "4", "3", "./a.out", "-x", "two words", NULL };
	char nbuf[16], osbuf[16];
	char **v;

	v = lwkrun_exec_line(LWK_BACKEND_NATIVE, 16, -1, prog, nbuf, osbuf, sizeof(nbuf));
	argv_eq(v, native);
	free(v);
	v = lwkrun_exec_line(LWK_BACKEND_MCKERNEL, 16, -1, prog, nbuf, osbuf, sizeof(nbuf));
	argv_eq(v, mck);
	free(v);
	v = lwkrun_exec_line(LWK_BACKEND_MCKERNEL, 4, 3, prog, nbuf, osbuf, sizeof(nbuf));
	argv_eq(v, mck3);
	free(v);
	v = lwkrun_exec_line(LWK_BACKEND_MOS, 16, 3, prog, nbuf, osbuf, sizeof(nbuf));
	argv_eq(v, mos);
	free(v);
}
END_TEST

static char *print_argv(char **argv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	lwkrun_print_argv(argv, f);
	fclose(f);
	return buf;
}

START_TEST(argv_quoting)
{
	char *a[] = { "./prog", "a b", "it's", "", "x=1,2:3", "$HOME", NULL };
	char *s = print_argv(a);

	ck_assert_str_eq(s, "./prog 'a b' 'it'\\''s' '' x=1,2:3 '$HOME'");
	free(s);
}
END_TEST

/* 2 packages x 2 NUMA x 4 cores x 2 PUs, Linux SMT numbering: 16 cores,
 * PUs 0-15 the first threads, 16-31 their siblings. */
static struct lwk_topo topo;

static void topo_setup(void)
{
	synth_load(&topo, 2, 2, 4, 2, 1);
}

static void topo_teardown(void)
{
	lwk_topo_fini(&topo);
}

static void part_env(char **env, struct lwkrun_part *p)
{
	struct lwk_err err = { 0 };

	lwkrun_part_init(p);
	ck_assert_msg(lwkrun_part_from_env(&topo, env, p, &err) == 1, "%s", err.msg);
}

static void plan_ok(struct lwkrun_plan *pl, unsigned rank, unsigned size,
		    const struct lwkrun_part *p, char **env, char **prog)
{
	struct lwkrun_local l = { rank, size, LWKRUN_SRC_OMPI };
	struct lwk_err err = { 0 };

	lwkrun_plan_init(pl);
	ck_assert_msg(lwkrun_plan_build(&topo, &l, p, env, prog, pl, &err) == 0, "%s", err.msg);
}

static char *plan_text(const struct lwkrun_plan *pl)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	lwkrun_plan_print(pl, f);
	fclose(f);
	return buf;
}

START_TEST(part_from_env)
{
	char *env[] = { "LWK_CPUS=4-15", "LWK_PARTITION=job.7", "LWK_BACKEND=mos",
			"LWK_SPEC=cores:12,pages:1g,sched:fifo", NULL };
	char *bare[] = { "LWK_CPUS=8-11", NULL };
	char *none[] = { "PATH=/bin", NULL };
	char *bad[][3] = {
		{ "LWK_CPUS=", NULL }, { "LWK_CPUS=1-x", NULL },
		{ "LWK_CPUS=1", "LWK_BACKEND=linux", NULL },
		{ "LWK_CPUS=1", "LWK_SPEC=cores:x", NULL },
		{ "LWK_CPUS=1", "LWK_MEMS=a", NULL },
	};
	struct lwkrun_part p;
	struct lwk_err err = { 0 };
	size_t i;

	part_env(env, &p);
	ck_assert_str_eq(p.id, "job.7");
	ck_assert_int_eq(p.backend, LWK_BACKEND_MOS);
	ck_assert_int_eq(p.pages, LWK_PAGES_1G);
	ck_assert_int_eq(p.sched, LWK_SCHED_FIFO);
	ck_assert_int_eq(hwloc_bitmap_weight(p.cpus), 12);
	ck_assert_int_eq(hwloc_bitmap_weight(p.mems), 3);	/* NUMA nodes 1-3 */
	lwkrun_part_fini(&p);

	part_env(bare, &p);	/* defaults: native, the spec's default pages (2m) */
	ck_assert_str_eq(p.id, "");
	ck_assert_int_eq(p.backend, LWK_BACKEND_NATIVE);
	ck_assert_int_eq(p.pages, LWK_PAGES_2M);
	ck_assert_int_eq(p.sched, LWK_SCHED_NORMAL);
	ck_assert_int_eq(hwloc_bitmap_first(p.mems), 2);
	ck_assert_int_eq(hwloc_bitmap_weight(p.mems), 1);
	lwkrun_part_fini(&p);

	lwkrun_part_init(&p);
	ck_assert_int_eq(lwkrun_part_from_env(&topo, none, &p, &err), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		lwk_err_clear(&err);
		ck_assert_int_eq(lwkrun_part_from_env(&topo, bad[i], &p, &err), -1);
		ck_assert_msg(strstr(err.msg, "LWK_"), "%s", err.msg);
	}
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(part_from_affinity)
{
	struct lwkrun_part p;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t all = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo.t));
	hwloc_bitmap_t some = hwloc_bitmap_alloc();

	lwkrun_part_init(&p);
	ck_assert_int_eq(lwkrun_part_from_affinity(&topo, all, &p, &err), 0);
	ck_assert(!p.prebound);		/* everything allowed: the ranks share it */
	ck_assert_int_eq(p.pages, LWK_PAGES_4K);
	hwloc_bitmap_list_sscanf(some, "3,19");
	ck_assert_int_eq(lwkrun_part_from_affinity(&topo, some, &p, &err), 0);
	ck_assert(p.prebound);		/* a launcher already bound this rank */
	hwloc_bitmap_zero(some);
	ck_assert_int_eq(lwkrun_part_from_affinity(&topo, some, &p, &err), -1);
	lwkrun_part_fini(&p);
	hwloc_bitmap_free(all);
	hwloc_bitmap_free(some);
}
END_TEST

/* Native: every rank gets its own cores inside the partition, one PU per
 * core, and the plan's environment describes exactly those. */
START_TEST(plan_native_ranks)
{
	char *env[] = { "LWK_CPUS=4-15,20-31", "LWK_SPEC=pages:2m", NULL };
	char *prog[] = { "./sim", "in.dat", NULL };
	hwloc_bitmap_t seen = hwloc_bitmap_alloc();
	struct lwkrun_part p;
	unsigned r, n = 5, total = 0;

	part_env(env, &p);
	for (r = 0; r < n; r++) {
		struct lwkrun_plan pl;
		char buf[32], *s = NULL;
		const char *places;
		unsigned nplaces = 0;

		plan_ok(&pl, r, n, &p, env, prog);
		ck_assert(pl.rank.bind);
		ck_assert(hwloc_bitmap_isincluded(pl.rank.cpus, p.cpus));
		ck_assert(!hwloc_bitmap_intersects(pl.rank.cpus, seen));
		hwloc_bitmap_or(seen, seen, pl.rank.cpus);
		ck_assert_uint_eq((unsigned)hwloc_bitmap_weight(pl.rank.cpus), pl.rank.ncores);
		ck_assert_uint_ge(pl.rank.ncores, 12 / n);
		ck_assert_int_eq(hwloc_bitmap_weight(pl.rank.mems), 1);	/* fits in one node */
		ck_assert_uint_le(pl.rank.ncores, 12 / n + 1);
		total += pl.rank.ncores;
		snprintf(buf, sizeof(buf), "%u", pl.rank.ncores);
		ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_NUM_THREADS"), buf);
		snprintf(buf, sizeof(buf), "%u", r);
		ck_assert_str_eq(lwkrun_plan_env(&pl, LWK_ENV_LOCAL_RANK), buf);
		ck_assert_str_eq(lwkrun_plan_env(&pl, LWK_ENV_LOCAL_SIZE), "5");
		hwloc_bitmap_list_asprintf(&s, pl.rank.cpus);
		ck_assert_str_eq(lwkrun_plan_env(&pl, LWK_ENV_RANK_CPUS), s);
		free(s);
		places = lwkrun_plan_env(&pl, "OMP_PLACES");
		for (; *places; places++)
			nplaces += *places == '{';
		ck_assert_uint_eq(nplaces, pl.rank.ncores);
		ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_PROC_BIND"), "close");
		ck_assert_str_eq(lwkrun_plan_env(&pl, "GLIBC_TUNABLES"), "glibc.malloc.hugetlb=2");
		ck_assert_ptr_null(lwkrun_plan_env(&pl, "MPI_LOCALRANKID"));
		ck_assert_str_eq(pl.argv[0], "./sim");
		ck_assert_str_eq(pl.argv[1], "in.dat");
		ck_assert_ptr_null(pl.argv[2]);
		lwkrun_plan_fini(&pl);
	}
	/* lwk_share may leave a core idle rather than split a rank over NUMA
	 * nodes (place.h); never more than one rank's worth. */
	ck_assert_uint_le(total, 12);
	ck_assert_uint_gt(total, 12 - 12 / n);
	hwloc_bitmap_free(seen);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_user_env_kept)
{
	char *env[] = { "LWK_CPUS=0-3", "OMP_NUM_THREADS=7", "OMP_PLACES=cores",
			"GLIBC_TUNABLES=glibc.malloc.check=3", NULL };
	char *env2[] = { "LWK_CPUS=0-3", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1", NULL };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_part p;
	struct lwkrun_plan pl;
	char *text;

	part_env(env, &p);
	plan_ok(&pl, 0, 2, &p, env, prog);
	ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_NUM_THREADS"), "7");
	ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_PLACES"), "cores");
	ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_PROC_BIND"), "close");
	ck_assert_str_eq(lwkrun_plan_env(&pl, "GLIBC_TUNABLES"),
			 "glibc.malloc.check=3:glibc.malloc.hugetlb=2");
	text = plan_text(&pl);
	ck_assert_ptr_nonnull(strstr(text, "env: OMP_NUM_THREADS=7 (kept: set by the user)\n"));
	ck_assert_ptr_nonnull(strstr(text, "env: OMP_PROC_BIND=close\n"));
	free(text);
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);

	part_env(env2, &p);		/* the user's own hugetlb choice stays */
	plan_ok(&pl, 0, 1, &p, env2, prog);
	ck_assert_str_eq(lwkrun_plan_env(&pl, "GLIBC_TUNABLES"), "glibc.malloc.hugetlb=1");
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_pages_sched)
{
	char *p4k[] = { "LWK_CPUS=0-3", "LWK_SPEC=pages:4k,sched:fifo", NULL };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_part p;
	struct lwkrun_plan pl;
	char *text;

	part_env(p4k, &p);
	plan_ok(&pl, 0, 1, &p, p4k, prog);
	ck_assert_ptr_null(lwkrun_plan_env(&pl, "GLIBC_TUNABLES"));
	ck_assert_int_eq(pl.rank.sched, LWK_SCHED_FIFO);
	text = plan_text(&pl);
	ck_assert_ptr_nonnull(strstr(text, "sched: fifo"));
	ck_assert_ptr_nonnull(strstr(text, "memory: bind to NUMA 0, pages 4k\n"));
	free(text);
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_mckernel)
{
	char *env[] = { "LWK_CPUS=2-9", "LWK_BACKEND=mckernel", "LWK_SPEC=sched:fifo", NULL };
	char *prog[] = { "./sim", "a b", NULL };
	static const char *const want[] = { "mcexec", "-n", "3", "./sim", "a b", NULL };
	struct lwkrun_part p;
	struct lwkrun_plan pl;
	char *text;

	part_env(env, &p);
	plan_ok(&pl, 0, 3, &p, env, prog);
	argv_eq(pl.argv, want);
	ck_assert(!pl.rank.bind);			/* McKernel places the rank */
	ck_assert_int_eq(pl.rank.sched, LWK_SCHED_NORMAL);
	ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_NUM_THREADS"), "3");	/* 8 CPUs / 3: 3,3,2 */
	ck_assert_ptr_null(lwkrun_plan_env(&pl, "OMP_PLACES"));
	ck_assert_ptr_null(lwkrun_plan_env(&pl, "GLIBC_TUNABLES"));
	text = plan_text(&pl);
	ck_assert_ptr_nonnull(strstr(text, "\nexec: mcexec -n 3 ./sim 'a b'\n"));
	free(text);
	lwkrun_plan_fini(&pl);
	plan_ok(&pl, 2, 3, &p, env, prog);
	ck_assert_str_eq(lwkrun_plan_env(&pl, "OMP_NUM_THREADS"), "2");
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_mos)
{
	char *env[] = { "LWK_CPUS=2-9", "LWK_BACKEND=mos", "MPI_LOCALRANKID=7", NULL };
	char *prog[] = { "./sim", NULL };
	static const char *const want[] = { "yod", "-R", "MPI", "./sim", NULL };
	struct lwkrun_part p;
	struct lwkrun_plan pl;
	char *text;

	part_env(env, &p);
	plan_ok(&pl, 1, 4, &p, env, prog);
	argv_eq(pl.argv, want);
	/* yod -R MPI reads only these names: always ours, whatever was set. */
	ck_assert_str_eq(lwkrun_plan_env(&pl, "MPI_LOCALRANKID"), "1");
	ck_assert_str_eq(lwkrun_plan_env(&pl, "MPI_LOCALNRANKS"), "4");
	text = plan_text(&pl);
	ck_assert_ptr_nonnull(strstr(text, "\nexec: yod -R MPI ./sim\n"));
	ck_assert_ptr_nonnull(strstr(text, "env: MPI_LOCALRANKID=1\n"));
	free(text);
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_too_many_ranks)
{
	char *env[] = { "LWK_CPUS=0-2,16-18", NULL };	/* 3 cores, 6 PUs */
	char *mck[] = { "LWK_CPUS=0-2", "LWK_BACKEND=mckernel", NULL };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_local l = { 3, 4, LWKRUN_SRC_SLURM };
	struct lwk_err err = { 0 };
	struct lwkrun_part p;
	struct lwkrun_plan pl;

	part_env(env, &p);
	lwkrun_plan_init(&pl);
	ck_assert_int_eq(lwkrun_plan_build(&topo, &l, &p, env, prog, &pl, &err), -1);
	ck_assert_str_eq(err.msg, "4 local ranks but the partition has only 3 cores (cpus 0-2,16-18): "
			 "start at most 3 ranks per node or ask for more cores");
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);

	part_env(mck, &p);
	lwkrun_plan_init(&pl);
	ck_assert_int_eq(lwkrun_plan_build(&topo, &l, &p, mck, prog, &pl, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "4 local ranks but the partition has only 3 CPUs"));
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

START_TEST(plan_prebound)
{
	char *env[] = { "PATH=/bin", NULL };
	char *prog[] = { "./sim", NULL };
	hwloc_bitmap_t aff = hwloc_bitmap_alloc();
	struct lwk_err err = { 0 };
	struct lwkrun_part p;
	struct lwkrun_plan pl;
	char *text;

	hwloc_bitmap_list_sscanf(aff, "5,21");		/* one core, both threads */
	lwkrun_part_init(&p);
	ck_assert_int_eq(lwkrun_part_from_affinity(&topo, aff, &p, &err), 0);
	plan_ok(&pl, 1, 2, &p, env, prog);
	ck_assert(hwloc_bitmap_isequal(pl.rank.cpus, aff));	/* the launcher's binding stays */
	ck_assert_uint_eq(pl.rank.ncores, 1);
	text = plan_text(&pl);
	ck_assert_ptr_nonnull(strstr(text, "as the caller's launcher bound this rank"));
	ck_assert_ptr_nonnull(strstr(text, "partition: - (caller's affinity), backend native"));
	free(text);
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
	hwloc_bitmap_free(aff);
}
END_TEST

START_TEST(plan_no_program)
{
	char *env[] = { "LWK_CPUS=0-3", NULL };
	char *prog[] = { NULL };
	struct lwkrun_local l = { 0, 1, LWKRUN_SRC_SINGLE };
	struct lwk_err err = { 0 };
	struct lwkrun_part p;
	struct lwkrun_plan pl;

	part_env(env, &p);
	lwkrun_plan_init(&pl);
	ck_assert_int_eq(lwkrun_plan_build(&topo, &l, &p, env, prog, &pl, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no program to run"));
	lwkrun_plan_fini(&pl);
	lwkrun_part_fini(&p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lwkrun");
	TCase *env = tcase_create("env"), *plan = tcase_create("plan");

	tcase_add_test(env, getenv_exact_name);
	tcase_add_test(env, local_single);
	tcase_add_test(env, local_ompi_mpich);
	tcase_add_test(env, local_innermost_wins);
	tcase_add_test(env, local_slurm);
	tcase_add_test(env, local_errors);
	tcase_add_test(env, slurm_count_list);
	tcase_add_test(env, pmix_absent);
	tcase_add_test(env, exec_lines);
	tcase_add_test(env, argv_quoting);
	suite_add_tcase(s, env);
	tcase_add_checked_fixture(plan, topo_setup, topo_teardown);
	tcase_add_test(plan, part_from_env);
	tcase_add_test(plan, part_from_affinity);
	tcase_add_test(plan, plan_native_ranks);
	tcase_add_test(plan, plan_user_env_kept);
	tcase_add_test(plan, plan_pages_sched);
	tcase_add_test(plan, plan_mckernel);
	tcase_add_test(plan, plan_mos);
	tcase_add_test(plan, plan_too_many_ranks);
	tcase_add_test(plan, plan_prebound);
	tcase_add_test(plan, plan_no_program);
	suite_add_tcase(s, plan);
	return lwk_check_run(s);
}
