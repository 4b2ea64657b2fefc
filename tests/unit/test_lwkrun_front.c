/* launcher/inforce: the front's checks with libc alone. Its lists must be
 * hwloc's: the masks it prints are compared with what hwloc prints for the
 * same sets, and its reading of lists ("within") with hwloc's inclusion,
 * over random sets; anything not in the printed form is refused (the full
 * lwkrun decides then). The checks themselves run on a given task state. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>
#include <check.h>

#include "inforce.h"
#include "check_run.h"

#define W (8 * sizeof(unsigned long))

static void to_mask(hwloc_const_bitmap_t b, unsigned long *mask)
{
	int i;

	memset(mask, 0, LWKRUN_MASK_WORDS * sizeof(*mask));
	hwloc_bitmap_foreach_begin(i, b)
		mask[(unsigned)i / W] |= 1UL << ((unsigned)i % W);
	hwloc_bitmap_foreach_end();
}

/* a random set: runs and single indexes anywhere below LWKRUN_MAX_IDS */
static void random_set(hwloc_bitmap_t b, unsigned *seed)
{
	unsigned n = 1 + rand_r(seed) % 6, k, lo, len;

	hwloc_bitmap_zero(b);
	for (k = 0; k < n; k++) {
		lo = rand_r(seed) % (rand_r(seed) % 2 ? 70 : LWKRUN_MAX_IDS);
		len = rand_r(seed) % 4 ? 1 + rand_r(seed) % 3 : 1 + rand_r(seed) % 200;
		if (lo + len > LWKRUN_MAX_IDS)
			len = LWKRUN_MAX_IDS - lo;
		hwloc_bitmap_set_range(b, lo, (int)(lo + len - 1));
	}
}

START_TEST(masks_print_as_hwloc)
{
	static unsigned long mask[LWKRUN_MASK_WORDS];
	hwloc_bitmap_t b = hwloc_bitmap_alloc();
	unsigned seed = 16, t;
	char *s = NULL, *other;

	for (t = 0; t < 2000; t++) {
		random_set(b, &seed);
		to_mask(b, mask);
		ck_assert_int_ge(hwloc_bitmap_list_asprintf(&s, b), 0);
		ck_assert_msg(lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, s), "set %s", s);
		/* its last index changed: another list */
		other = strdup(s);
		other[strlen(other) - 1] = other[strlen(other) - 1] == '9' ? '8' : '9';
		ck_assert_msg(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, other), "%s", other);
		free(other);
		free(s);
		s = NULL;
	}
	hwloc_bitmap_free(b);
	memset(mask, 0, sizeof(mask));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, ""));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0"));
	mask[0] = 0xf | 1UL << 8;
	ck_assert(lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0-3,8"));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0-3,8,"));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0-3"));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0,1,2,3,8"));
	ck_assert(!lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0-2,3,8"));
	mask[LWKRUN_MASK_WORDS - 1] = 1UL << (W - 1);
	ck_assert(lwkrun_mask_is_list(mask, LWKRUN_MASK_WORDS, "0-3,8,8191"));
}
END_TEST

START_TEST(within_as_hwloc)
{
	hwloc_bitmap_t a = hwloc_bitmap_alloc(), b = hwloc_bitmap_alloc();
	unsigned seed = 1, t, yes = 0;
	char *sa = NULL, *sb = NULL;

	for (t = 0; t < 2000; t++) {
		random_set(b, &seed);
		if (t % 2) {
			/* a part of b: mostly included */
			hwloc_bitmap_copy(a, b);
			hwloc_bitmap_clr(a, (unsigned)hwloc_bitmap_first(b));
			if (hwloc_bitmap_iszero(a) || t % 5 == 0)
				hwloc_bitmap_set(a, (unsigned)rand_r(&seed) % LWKRUN_MAX_IDS);
		} else {
			random_set(a, &seed);
		}
		hwloc_bitmap_list_asprintf(&sa, a);
		hwloc_bitmap_list_asprintf(&sb, b);
		ck_assert_msg(lwkrun_list_within(sa, sb) == hwloc_bitmap_isincluded(a, b),
			      "%s within %s", sa, sb);
		yes += hwloc_bitmap_isincluded(a, b);
		free(sa);
		free(sb);
		sa = sb = NULL;
	}
	ck_assert_uint_gt(yes, 500);	/* both answers were tried often */
	ck_assert_uint_lt(yes, 1500);
	hwloc_bitmap_free(a);
	hwloc_bitmap_free(b);
}
END_TEST

/* Lists hwloc would read but does not print, and junk: refused. */
START_TEST(within_refuses_other_forms)
{
	static const char *const bad[] = {
		"", "0-1,2", "2,1", "1,1", "3-3", "3-2", "01", "00", "0-", "-1", "1,", ",1", "0,,1",
		" 1", "1 ", "+1", "0x1", "8192", "0-8192", "1-2-3", "a", "99999999999999999999",
	};
	size_t i;

	ck_assert_int_eq(lwkrun_list_within("0", "0-3,8"), 1);
	ck_assert_int_eq(lwkrun_list_within("0-3,8", "0-3,8"), 1);
	ck_assert_int_eq(lwkrun_list_within("2,8", "0-3,5,8-9"), 1);
	ck_assert_int_eq(lwkrun_list_within("3-5", "0-3,5,8-9"), 0);
	ck_assert_int_eq(lwkrun_list_within("10", "0-3,5,8-9"), 0);
	ck_assert_int_eq(lwkrun_list_within("0,8191", "0-8191"), 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(lwkrun_list_within(bad[i], "0-8191") == -1, "'%s' as a", bad[i]);
		ck_assert_msg(lwkrun_list_within("0", bad[i]) == -1, "'%s' as b", bad[i]);
	}
	ck_assert_int_eq(lwkrun_list_within(NULL, "0"), -1);
}
END_TEST

/* A task as the plugin's task_init leaves it: CPUs 2-3, node 0. */
static void plugin_task(struct lwkrun_task_state *t)
{
	memset(t, 0, sizeof(*t));
	t->cpus[0] = 0xc;
	t->mems[0] = 1;
	t->mem_mode = 2;	/* MPOL_BIND */
	t->policy = 0;		/* SCHED_OTHER */
}

static int in_force(const struct lwkrun_task_state *t, enum lwk_backend_kind *b, ...)
{
	char *env[] = { "LWK_CPUS=1-3", "LWK_MEMS=0", "LWK_RANK_CPUS=2-3", "LWK_RANK_MEMS=0",
			"LWK_LOCAL_RANK=1", "LWK_LOCAL_SIZE=2", "LWK_SPEC=cores:2,sched:normal",
			NULL, NULL, NULL, NULL };
	char *prog[] = { "./sim", NULL };
	struct lwkrun_local loc = { 1, 2, LWKRUN_SRC_SLURM };
	va_list ap;
	char *v;
	size_t i, n;

	/* NAME=VALUE overrides, NULL-terminated; "NAME" alone unsets it */
	va_start(ap, b);
	while ((v = va_arg(ap, char *))) {
		n = strcspn(v, "=");
		for (i = 0; env[i]; i++)
			if (!strncmp(env[i], v, n) && env[i][n] == '=')
				break;
		env[i] = v;
		if (!v[n])
			env[i] = "UNSET=";
	}
	va_end(ap);
	return lwkrun_in_force(&loc, env, prog, t, b);
}

START_TEST(in_force_checks)
{
	struct lwkrun_task_state t;
	enum lwk_backend_kind b = LWK_BACKEND_AUTO;
	char *noprog[] = { NULL };
	struct lwkrun_local loc = { 0, 1, LWKRUN_SRC_SINGLE };

	plugin_task(&t);
	ck_assert_int_eq(in_force(&t, &b, NULL), 1);
	ck_assert_int_eq(b, LWK_BACKEND_NATIVE);
	ck_assert_int_eq(in_force(&t, &b, "LWK_BACKEND=native", NULL), 1);
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC", NULL), 1);
	/* another rank's plan, a plan for another node size */
	ck_assert_int_eq(in_force(&t, &b, "LWK_LOCAL_RANK=0", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_LOCAL_SIZE=3", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_LOCAL_RANK=01", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_LOCAL_RANK", NULL), 0);
	/* the variables */
	ck_assert_int_eq(in_force(&t, &b, "LWK_MEMS", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_CPUS=2", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_RANK_CPUS=3,2", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_RANK_MEMS=1", NULL), 0);
	/* the task: affinity, memory policy, sched */
	t.cpus[0] = 0x4;
	ck_assert_int_eq(in_force(&t, &b, NULL), 0);
	plugin_task(&t);
	t.mem_mode = 0;
	ck_assert_int_eq(in_force(&t, &b, NULL), 0);
	plugin_task(&t);
	t.mems[0] = 3;
	ck_assert_int_eq(in_force(&t, &b, NULL), 0);
	plugin_task(&t);
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC=cores:2,sched:fifo", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC=SCHED:fifo", NULL), 0);	/* key in any case */
	t.policy = 1;	/* SCHED_FIFO */
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC=cores:2,sched:fifo", NULL), 1);
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC=cores:2,sched:FIFO", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_SPEC=sched:rr", NULL), 0);
	/* backends: mos binds nothing; mckernel and others are the full lwkrun's */
	memset(&t, 0, sizeof(t));
	t.mem_mode = t.policy = -1;
	ck_assert_int_eq(in_force(&t, &b, "LWK_BACKEND=mos", NULL), 1);
	ck_assert_int_eq(b, LWK_BACKEND_MOS);
	ck_assert_int_eq(in_force(&t, &b, "LWK_BACKEND=mckernel", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, "LWK_BACKEND=auto", NULL), 0);
	ck_assert_int_eq(in_force(&t, &b, NULL), 0);
	/* no program */
	plugin_task(&t);
	ck_assert_int_eq(lwkrun_in_force(&loc, (char *[]){ NULL }, noprog, &t, &b), 0);
}
END_TEST

/* The state read from this process is what hwloc sees of it. */
START_TEST(state_read)
{
	struct lwkrun_task_state t;
	hwloc_topology_t topo;
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	char *s = NULL;

	ck_assert_int_eq(hwloc_topology_init(&topo), 0);
	ck_assert_int_eq(hwloc_topology_load(topo), 0);
	ck_assert_int_eq(hwloc_get_cpubind(topo, cur, HWLOC_CPUBIND_THREAD), 0);
	hwloc_bitmap_list_asprintf(&s, cur);
	lwkrun_task_state_read(&t);
	ck_assert_msg(lwkrun_mask_is_list(t.cpus, LWKRUN_MASK_WORDS, s), "affinity %s", s);
	ck_assert_int_eq(t.policy, 0);
	ck_assert_int_ge(t.mem_mode, 0);
	free(s);
	hwloc_bitmap_free(cur);
	hwloc_topology_destroy(topo);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lwkrun_front");
	TCase *tc = tcase_create("inforce");

	tcase_add_test(tc, masks_print_as_hwloc);
	tcase_add_test(tc, within_as_hwloc);
	tcase_add_test(tc, within_refuses_other_forms);
	tcase_add_test(tc, in_force_checks);
	tcase_add_test(tc, state_read);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
