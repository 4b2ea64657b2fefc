/* Unit tests of the node-state model (lwk/native_plan.c): the baseline's
 * text form and the plan, i.e. what the node must look like for a set of
 * partitions, including composition, rollback (the plan without the failed
 * partition) and the errors that must stop a create before any change.
 * Pure: nothing reads or writes /proc or /sys. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"
#include "registry.h"
#include "sysfile.h"
#include "check_run.h"

/* A 4-CPU, 2-node baseline: IRQ 10 everywhere, IRQ 11 pinned to CPU 1,
 * IRQ 12 on 2-3; 2M pages on both nodes (3 already), 1G on node 0. */
static void base4(struct lwk_baseline *b)
{
	static const char text[] =
		"boot=test\ncgroup=1\nonline=0-3\nmems=0-1\nroot_lb=1\nv2_cpuset=0\n"
		"dfl=0-3\ndfl_raw=f\nwq=0-3\nwq_raw=f\n"
		"irq=10 0-3\nirq=11 1\nirq=12 2-3\n"
		"hp=0 2048 3\nhp=1 2048 0\nhp=0 1048576 0\n";
	struct lwk_err err = { 0 };

	lwk_baseline_init(b);
	ck_assert_msg(lwk_baseline_parse(b, text, &err) == 0, "%s", err.msg);
}

static void part(struct lwk_partition *p, const char *id, const char *cpus)
{
	lwk_partition_init(p);
	snprintf(p->id, sizeof(p->id), "%s", id);
	hwloc_bitmap_list_sscanf(p->cpus, cpus);
	p->backend = LWK_BACKEND_NATIVE;
	p->state = LWK_PART_LIVE;
	p->pages = LWK_PAGES_2M;
}

static void mem(struct lwk_partition *p, unsigned node, uint64_t bytes)
{
	p->mem[p->nmem].node = node;
	p->mem[p->nmem].bytes = bytes;
	p->nmem++;
}

static char *lst(hwloc_const_bitmap_t s)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	hwloc_bitmap_list_snprintf(buf[k], sizeof(buf[k]), s);
	return buf[k];
}

START_TEST(test_baseline_roundtrip)
{
	struct lwk_baseline a, b;
	struct lwk_err err = { 0 };
	char *t1, *t2;

	base4(&a);
	ck_assert_str_eq(a.boot_id, "test");
	ck_assert_uint_eq(a.nirq, 3);
	ck_assert_uint_eq(a.nhp, 3);
	ck_assert_str_eq(a.dfl_raw, "f");
	t1 = lwk_baseline_format(&a);
	lwk_baseline_init(&b);
	ck_assert_int_eq(lwk_baseline_parse(&b, t1, &err), 0);
	t2 = lwk_baseline_format(&b);
	ck_assert_str_eq(t1, t2);
	free(t1);
	free(t2);
	lwk_baseline_fini(&a);
	lwk_baseline_fini(&b);

	lwk_baseline_init(&b);
	ck_assert_int_lt(lwk_baseline_parse(&b, "cgroup=1\nirq=x 1\n", &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "line 2"));
	lwk_baseline_fini(&b);
	lwk_baseline_init(&b);
	ck_assert_int_lt(lwk_baseline_parse(&b, "online=0-3\n", &err), 0);
	lwk_baseline_fini(&b);
}
END_TEST

START_TEST(test_no_partition)
{
	struct lwk_baseline b;
	struct lwk_native_plan pl;
	struct lwk_err err = { 0 };

	base4(&b);
	lwk_native_plan_init(&pl);
	ck_assert_int_eq(lwk_native_plan(&b, NULL, 0, &pl, &err), 0);
	ck_assert(!pl.any);	/* apply writes the baseline back verbatim */
	ck_assert(hwloc_bitmap_iszero(pl.lwk));
	ck_assert_uint_eq(pl.hp[0], 3);
	lwk_native_plan_fini(&pl);
	lwk_baseline_fini(&b);
}
END_TEST

START_TEST(test_one_partition)
{
	struct lwk_baseline b;
	struct lwk_native_plan pl;
	struct lwk_partition p;
	struct lwk_err err = { 0 };

	base4(&b);
	part(&p, "a", "1");
	mem(&p, 0, 16 << 20);
	mem(&p, 1, 3 << 20);	/* rounds up to 2 pages */
	lwk_native_plan_init(&pl);
	ck_assert_msg(lwk_native_plan(&b, &p, 1, &pl, &err) == 0, "%s", err.msg);
	ck_assert(pl.any);
	ck_assert_str_eq(lst(pl.lwk), "1");
	ck_assert_str_eq(lst(pl.linux_cpus), "0,2-3");
	ck_assert_str_eq(lst(pl.irq[0]), "0,2-3");
	ck_assert_str_eq(lst(pl.irq[1]), "0,2-3");	/* pinned to CPU 1 only: all Linux CPUs */
	ck_assert_str_eq(lst(pl.irq[2]), "2-3");		/* untouched */
	ck_assert_str_eq(lst(pl.dfl), "0,2-3");
	ck_assert_str_eq(lst(pl.wq), "0,2-3");
	ck_assert_uint_eq(pl.hp[0], 3 + 8);
	ck_assert_uint_eq(pl.hp[1], 2);
	ck_assert_uint_eq(pl.hp[2], 0);
	lwk_native_plan_fini(&pl);
	lwk_partition_fini(&p);
	lwk_baseline_fini(&b);
}
END_TEST

/* Two partitions compose; dropping one (destroy, or the rollback of a
 * failed create) gives exactly the plan of the other alone. */
START_TEST(test_compose_and_rollback)
{
	struct lwk_baseline b;
	struct lwk_native_plan both, one, alone;
	struct lwk_partition p[2];
	struct lwk_err err = { 0 };

	base4(&b);
	part(&p[0], "a", "1");
	mem(&p[0], 0, 4 << 20);
	part(&p[1], "b", "3");
	p[1].pages = LWK_PAGES_1G;
	mem(&p[1], 0, 1ull << 30);
	lwk_native_plan_init(&both);
	ck_assert_msg(lwk_native_plan(&b, p, 2, &both, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(lst(both.lwk), "1,3");
	ck_assert_str_eq(lst(both.linux_cpus), "0,2");
	ck_assert_str_eq(lst(both.irq[0]), "0,2");
	ck_assert_str_eq(lst(both.irq[2]), "2");
	ck_assert_str_eq(lst(both.dfl), "0,2");
	ck_assert_uint_eq(both.hp[0], 3 + 2);
	ck_assert_uint_eq(both.hp[2], 1);

	lwk_native_plan_init(&one);
	ck_assert_int_eq(lwk_native_plan(&b, p, 1, &one, &err), 0);
	lwk_native_plan_init(&alone);
	ck_assert_int_eq(lwk_native_plan(&b, p, 1, &alone, &err), 0);
	ck_assert(hwloc_bitmap_isequal(one.lwk, alone.lwk));
	ck_assert_str_eq(lst(one.irq[2]), "2-3");	/* b's CPU is back */
	ck_assert_uint_eq(one.hp[2], 0);
	ck_assert_uint_eq(one.hp[0], 3 + 2);
	lwk_native_plan_fini(&both);
	lwk_native_plan_fini(&one);
	lwk_native_plan_fini(&alone);
	lwk_partition_fini(&p[0]);
	lwk_partition_fini(&p[1]);
	lwk_baseline_fini(&b);
}
END_TEST

static void plan_fails(const struct lwk_baseline *b, struct lwk_partition *p, size_t n,
		       const char *needle)
{
	struct lwk_native_plan pl;
	struct lwk_err err = { 0 };

	lwk_native_plan_init(&pl);
	ck_assert_msg(lwk_native_plan(b, p, n, &pl, &err) < 0, "plan accepted (want '%s')",
		      needle);
	ck_assert_msg(strstr(err.msg, needle), "'%s' lacks '%s'", err.msg, needle);
	lwk_native_plan_fini(&pl);
}

START_TEST(test_plan_errors)
{
	struct lwk_baseline b;
	struct lwk_partition p[2];

	base4(&b);
	part(&p[0], "a", "1-2");
	part(&p[1], "b", "2-3");
	plan_fails(&b, p, 2, "CPUs 2 of partition b are already in another");
	lwk_partition_fini(&p[1]);
	part(&p[1], "b", "0,3");
	plan_fails(&b, p, 2, "would leave no CPU for Linux");
	lwk_partition_fini(&p[1]);
	part(&p[1], "b", "7");
	plan_fails(&b, p + 1, 1, "not all online");
	lwk_partition_fini(&p[1]);
	part(&p[1], "b", "3");
	p[1].pages = LWK_PAGES_1G;
	mem(&p[1], 1, 1ull << 30);
	plan_fails(&b, p + 1, 1, "NUMA node 1 has no 1G huge pages");
	lwk_partition_fini(&p[0]);
	lwk_partition_fini(&p[1]);
	lwk_baseline_fini(&b);
}
END_TEST

/* Partitions that do not steer (backends not built in here) and records of
 * an earlier boot are not part of the node state. */
START_TEST(test_ignored)
{
	struct lwk_baseline b;
	struct lwk_native_plan pl;
	struct lwk_partition p[2];
	struct lwk_err err = { 0 };

	base4(&b);
	part(&p[0], "mck", "1");
	p[0].backend = LWK_BACKEND_MCKERNEL;
	if (lwk_backend_get(LWK_BACKEND_MCKERNEL) &&
	    (lwk_backend_get(LWK_BACKEND_MCKERNEL)->flags & LWK_BACKEND_STEER))
		p[0].backend = LWK_BACKEND_AUTO;	/* never a backend */
	part(&p[1], "old", "2");
	snprintf(p[1].boot_id, sizeof(p[1].boot_id), "another-boot");
	lwk_native_plan_init(&pl);
	ck_assert_int_eq(lwk_native_plan(&b, p, 2, &pl, &err), 0);
	ck_assert(!pl.any);
	lwk_native_plan_fini(&pl);
	lwk_partition_fini(&p[0]);
	lwk_partition_fini(&p[1]);
	lwk_baseline_fini(&b);
}
END_TEST

START_TEST(test_mask_format)
{
	hwloc_bitmap_t s = hwloc_bitmap_alloc(), t = hwloc_bitmap_alloc();
	char buf[128];

	ck_assert_int_eq(lwk_format_mask(s, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0");
	hwloc_bitmap_list_sscanf(s, "0-1");
	lwk_format_mask(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "00000003");
	hwloc_bitmap_list_sscanf(s, "0,40");
	lwk_format_mask(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "00000100,00000001");
	/* and the kernel's form parses back */
	ck_assert_int_eq(hwloc_bitmap_sscanf(t, buf), 0);
	ck_assert(hwloc_bitmap_isequal(s, t));
	ck_assert_int_lt(lwk_format_mask(s, buf, 8), 0);	/* too small: refused */
	hwloc_bitmap_free(s);
	hwloc_bitmap_free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("native_plan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_baseline_roundtrip);
	tcase_add_test(tc, test_no_partition);
	tcase_add_test(tc, test_one_partition);
	tcase_add_test(tc, test_compose_and_rollback);
	tcase_add_test(tc, test_plan_errors);
	tcase_add_test(tc, test_ignored);
	tcase_add_test(tc, test_mask_format);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lwk_check_run(suite());
}
