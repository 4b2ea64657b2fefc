/* launcher/inherit: lwkrun takes the plugin's plan only when it is this
 * rank's and is in force in this process (affinity, memory bind, sched);
 * anything else sends it back to computing the plan. Run against this
 * process's real affinity and memory policy (Check forks each test). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "exec.h"
#include "inherit.h"
#include "check_run.h"

static struct lwk_topo topo;
static char cpus[256], wider[300];
static char e_cpus[320], e_rank_cpus[320];

static void setup(void)
{
	struct lwk_err err = { 0 };
	hwloc_bitmap_t cur = hwloc_bitmap_alloc(), w;

	ck_assert_msg(lwk_topo_load(&topo, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(hwloc_get_cpubind(topo.t, cur, HWLOC_CPUBIND_THREAD), 0);
	hwloc_bitmap_list_snprintf(cpus, sizeof(cpus), cur);
	/* a partition one CPU wider than this process's affinity */
	w = hwloc_bitmap_dup(cur);
	hwloc_bitmap_set(w, (unsigned)hwloc_bitmap_last(cur) + 1);
	hwloc_bitmap_list_snprintf(wider, sizeof(wider), w);
	hwloc_bitmap_free(w);
	hwloc_bitmap_free(cur);
	snprintf(e_cpus, sizeof(e_cpus), "LWK_CPUS=%s", wider);
	snprintf(e_rank_cpus, sizeof(e_rank_cpus), "LWK_RANK_CPUS=%s", cpus);
}

static void teardown(void)
{
	lwk_topo_fini(&topo);
}

/* memory bound to NUMA node 0, as the plugin's task_init leaves a task */
static void bind_mem0(void)
{
	hwloc_bitmap_t n0 = hwloc_bitmap_alloc();

	hwloc_bitmap_set(n0, 0);
	ck_assert_int_eq(hwloc_set_membind(topo.t, n0, HWLOC_MEMBIND_BIND,
					   HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET |
					   HWLOC_MEMBIND_STRICT), 0);
	hwloc_bitmap_free(n0);
}

static int inherit(char **env, unsigned rank, unsigned size, struct lwkrun_plan *pl,
		   struct lwk_err *err)
{
	struct lwkrun_local loc = { rank, size, LWKRUN_SRC_SLURM };
	char *prog[] = { "./sim", "-x", NULL };

	lwkrun_plan_init(pl);
	lwk_err_clear(err);
	return lwkrun_plan_inherit(&loc, env, prog, pl, err);
}

START_TEST(taken_when_in_force)
{
	char *env[] = { e_cpus, "LWK_MEMS=0", "LWK_PARTITION=job.7", "LWK_SPEC=cores:2",
			e_rank_cpus, "LWK_RANK_MEMS=0", "LWK_LOCAL_RANK=0", "LWK_LOCAL_SIZE=1",
			NULL };
	struct lwkrun_plan pl;
	struct lwk_err err;

	bind_mem0();
	ck_assert_msg(inherit(env, 0, 1, &pl, &err) == 1, "%s", err.msg);
	ck_assert_str_eq(pl.argv[0], "./sim");
	ck_assert_str_eq(pl.argv[1], "-x");
	ck_assert_ptr_null(pl.argv[2]);
	ck_assert_str_eq(pl.part_id, "job.7");
	ck_assert(!pl.rank.bind);		/* nothing left to do but exec */
	ck_assert_uint_eq(pl.rank.nenv, 0);
	ck_assert_int_eq(lwkrun_apply(NULL, &pl, &err), 0);
	lwkrun_plan_fini(&pl);
}
END_TEST

START_TEST(computed_otherwise)
{
	char *base[] = { e_cpus, "LWK_MEMS=0", "LWK_SPEC=cores:2", e_rank_cpus,
			 "LWK_RANK_MEMS=0", "LWK_LOCAL_RANK=0", "LWK_LOCAL_SIZE=1", NULL };
	char other[320], other_part[320], *fifo[9], *elsewhere[9], *nomems[9];
	int beyond = hwloc_bitmap_last(hwloc_topology_get_complete_cpuset(topo.t)) + 1;
	struct lwkrun_plan pl;
	struct lwk_err err;

	memcpy(fifo, base, sizeof(base));
	fifo[2] = "LWK_SPEC=cores:2,sched:fifo";
	memcpy(elsewhere, base, sizeof(base));
	snprintf(other, sizeof(other), "LWK_RANK_CPUS=%d", beyond);
	snprintf(other_part, sizeof(other_part), "LWK_CPUS=%d", beyond);
	memcpy(nomems, base, sizeof(base));
	nomems[1] = "LWK_MEMS=";

	/* not bound in memory yet: the plan is not in force */
	ck_assert_int_eq(inherit(base, 0, 1, &pl, &err), 0);
	ck_assert_msg(strstr(err.msg, "memory policy") != NULL, "%s", err.msg);
	lwkrun_plan_fini(&pl);
	bind_mem0();
	/* another rank's plan (mpirun inside the task) */
	ck_assert_int_eq(inherit(base, 1, 2, &pl, &err), 0);
	ck_assert_msg(strstr(err.msg, "local rank 0 of 1") != NULL, "%s", err.msg);
	lwkrun_plan_fini(&pl);
	/* a share this process is not bound to */
	elsewhere[0] = other_part;	/* a CPU beyond the node */
	elsewhere[3] = other;
	ck_assert_int_eq(inherit(elsewhere, 0, 1, &pl, &err), 0);
	ck_assert_msg(strstr(err.msg, "CPU affinity") != NULL, "%s", err.msg);
	lwkrun_plan_fini(&pl);
	/* sched:fifo not in force */
	ck_assert_int_eq(inherit(fifo, 0, 1, &pl, &err), 0);
	ck_assert_msg(strstr(err.msg, "SCHED_FIFO") != NULL, "%s", err.msg);
	lwkrun_plan_fini(&pl);
	/* no LWK_MEMS: no plan from the plugin */
	ck_assert_int_eq(inherit(nomems, 0, 1, &pl, &err), 0);
	lwkrun_plan_fini(&pl);
	/* the share outside the partition */
	{
		char *outside[] = { "LWK_CPUS=0", "LWK_MEMS=0", e_rank_cpus, "LWK_RANK_MEMS=0",
				    "LWK_LOCAL_RANK=0", "LWK_LOCAL_SIZE=1", NULL };

		if (strcmp(cpus, "0")) {
			ck_assert_int_eq(inherit(outside, 0, 1, &pl, &err), 0);
			ck_assert_msg(strstr(err.msg, "not in the partition") != NULL, "%s",
				      err.msg);
			lwkrun_plan_fini(&pl);
		}
	}
	/* malformed */
	base[5] = "LWK_LOCAL_RANK=x";
	ck_assert_int_eq(inherit(base, 0, 1, &pl, &err), 0);
	lwkrun_plan_fini(&pl);
}
END_TEST

/* mos places the rank itself (yod): nothing bound to check */
START_TEST(taken_for_mos)
{
	char *env[] = { e_cpus, "LWK_MEMS=0", "LWK_BACKEND=mos", e_rank_cpus,
			"LWK_RANK_MEMS=0", "LWK_LOCAL_RANK=1", "LWK_LOCAL_SIZE=2", NULL };
	struct lwkrun_plan pl;
	struct lwk_err err;

	ck_assert_msg(inherit(env, 1, 2, &pl, &err) == 1, "%s", err.msg);
	ck_assert_str_eq(pl.argv[0], "yod");
	ck_assert_str_eq(pl.argv[1], "-R");
	ck_assert_str_eq(pl.argv[2], "MPI");
	ck_assert_str_eq(pl.argv[3], "./sim");
	lwkrun_plan_fini(&pl);
}
END_TEST

/* The front's checks need no registry; a mckernel partition's instance is
 * the full lwkrun's to look up, and an unknown one sends it to computing
 * the plan (which then says what is wrong). */
START_TEST(mckernel_instance_from_the_registry)
{
	char *env[] = { e_cpus, "LWK_MEMS=0", "LWK_BACKEND=mckernel", "LWK_PARTITION=nosuch",
			"LWK_STATEDIR=/nonexistent/lwk-test", e_rank_cpus, "LWK_RANK_MEMS=0",
			"LWK_LOCAL_RANK=0", "LWK_LOCAL_SIZE=1", NULL };
	struct lwkrun_local loc = { 0, 1, LWKRUN_SRC_SLURM };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_inherited in;
	struct lwkrun_plan pl;
	struct lwk_err err;

	lwkrun_inherited_init(&in);
	lwk_err_clear(&err);
	ck_assert_msg(lwkrun_inherit_check(&loc, env, prog, &in, &err) == 1, "%s", err.msg);
	ck_assert_int_eq(in.part.backend, LWK_BACKEND_MCKERNEL);
	ck_assert_int_eq(in.part.mck_os, -1);		/* not looked up */
	ck_assert_str_eq(in.part.id, "nosuch");
	lwkrun_inherited_fini(&in);
	ck_assert_int_eq(inherit(env, 0, 1, &pl, &err), 0);
	ck_assert_msg(strstr(err.msg, "McKernel instance") != NULL, "%s", err.msg);
	lwkrun_plan_fini(&pl);
}
END_TEST

/* No LWK_MEMS: the variables alone leave the nodes empty, and the front's
 * checks decline (the full lwkrun takes them from the topology). */
START_TEST(no_mems_declined)
{
	char *env[] = { e_cpus, e_rank_cpus, "LWK_RANK_MEMS=0", "LWK_LOCAL_RANK=0",
			"LWK_LOCAL_SIZE=1", NULL };
	struct lwkrun_local loc = { 0, 1, LWKRUN_SRC_SLURM };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_part part;
	struct lwkrun_inherited in;
	struct lwk_err err;

	lwkrun_part_init(&part);
	lwk_err_clear(&err);
	ck_assert_int_eq(lwkrun_part_read_env(env, &part, &err), 1);
	ck_assert(hwloc_bitmap_iszero(part.mems));
	lwkrun_part_fini(&part);
	lwkrun_inherited_init(&in);
	ck_assert_int_eq(lwkrun_inherit_check(&loc, env, prog, &in, &err), 0);
	lwkrun_inherited_fini(&in);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lwkrun_inherit");
	TCase *tc = tcase_create("inherit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, taken_when_in_force);
	tcase_add_test(tc, computed_otherwise);
	tcase_add_test(tc, taken_for_mos);
	tcase_add_test(tc, mckernel_instance_from_the_registry);
	tcase_add_test(tc, no_mems_declined);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
