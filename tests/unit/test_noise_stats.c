/* Unit tests of bench/stats: the numbers the isolation study reports. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "check_run.h"

START_TEST(percentile_nearest_rank)
{
	uint64_t v[100];
	int i;

	for (i = 0; i < 100; i++)
		v[i] = (uint64_t)(i + 1);	/* 1..100 */
	ck_assert_uint_eq(ns_percentile(v, 100, 50), 50);
	ck_assert_uint_eq(ns_percentile(v, 100, 99), 99);
	ck_assert_uint_eq(ns_percentile(v, 100, 99.9), 100);
	ck_assert_uint_eq(ns_percentile(v, 100, 100), 100);
	ck_assert_uint_eq(ns_percentile(v, 100, 1), 1);
	ck_assert_uint_eq(ns_percentile(v, 100, 0.5), 1);
	ck_assert_uint_eq(ns_percentile(v, 100, 0), 1);
}
END_TEST

START_TEST(percentile_small_and_empty)
{
	uint64_t one[1] = { 7 }, two[2] = { 3, 9 }, three[3] = { 1, 2, 30 };

	ck_assert_uint_eq(ns_percentile(NULL, 0, 50), 0);
	ck_assert_uint_eq(ns_percentile(one, 1, 50), 7);
	ck_assert_uint_eq(ns_percentile(one, 1, 99.9), 7);
	ck_assert_uint_eq(ns_percentile(two, 2, 50), 3);	/* rank ceil(1.0) = 1 */
	ck_assert_uint_eq(ns_percentile(two, 2, 50.1), 9);
	ck_assert_uint_eq(ns_percentile(three, 3, 50), 2);
	ck_assert_uint_eq(ns_percentile(three, 3, 99), 30);
}
END_TEST

START_TEST(percentile_p999_of_thousands)
{
	/* 10000 samples, 0..9999: p99.9 = rank 9990 = value 9989 */
	uint64_t *v = malloc(10000 * sizeof(*v));
	int i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 10000; i++)
		v[i] = (uint64_t)i;
	ck_assert_uint_eq(ns_percentile(v, 10000, 99.9), 9989);
	ck_assert_uint_eq(ns_percentile(v, 10000, 99), 9899);
	ck_assert_uint_eq(ns_percentile(v, 10000, 50), 4999);
	free(v);
}
END_TEST

START_TEST(stats_sorts_and_summarises)
{
	uint64_t v[] = { 500, 100, 300, 200, 400, 1000000 };
	struct ns_stats st;

	ns_stats_compute(v, 6, &st);
	ck_assert_uint_eq(st.count, 6);
	ck_assert_uint_eq(st.min, 100);
	ck_assert_uint_eq(st.max, 1000000);
	ck_assert_uint_eq(st.median, 300);	/* rank 3 of 6 */
	ck_assert_uint_eq(st.p99, 1000000);
	ck_assert_uint_eq(st.p999, 1000000);
	ck_assert_double_eq_tol(st.sum, 1001500.0, 1e-6);
	ck_assert_double_eq_tol(st.mean, 1001500.0 / 6, 1e-6);
	/* sorted in place */
	ck_assert_uint_eq(v[0], 100);
	ck_assert_uint_eq(v[5], 1000000);
}
END_TEST

START_TEST(stats_empty)
{
	struct ns_stats st;

	st.count = 99;
	ns_stats_compute(NULL, 0, &st);
	ck_assert_uint_eq(st.count, 0);
	ck_assert_uint_eq(st.max, 0);
	ck_assert_double_eq(st.mean, 0);
}
END_TEST

START_TEST(stats_large_values_do_not_overflow)
{
	/* a minute-long detour stays exact in sum and mean */
	uint64_t v[] = { 60000000000ull, 60000000000ull, UINT64_MAX / 4 };
	struct ns_stats st;

	ns_stats_compute(v, 3, &st);
	ck_assert_uint_eq(st.max, UINT64_MAX / 4);
	ck_assert(st.sum > 4e18);
}
END_TEST

START_TEST(overhead_percent)
{
	ck_assert_double_eq_tol(noise_overhead_pct(25e6, 1e9), 2.5, 1e-12);
	ck_assert_double_eq_tol(noise_overhead_pct(0, 1e9), 0, 1e-12);
	ck_assert_double_eq(noise_overhead_pct(5, 0), 0);
	ck_assert_double_eq(noise_overhead_pct(5, -1), 0);
}
END_TEST

START_TEST(fwq_noise_is_excess_over_min)
{
	uint64_t v[] = { 100, 100, 150, 100, 1100 };

	ck_assert_double_eq_tol(fwq_noise_ns(v, 5, 100), 1050, 1e-9);
	ck_assert_double_eq_tol(fwq_noise_ns(v, 5, 1100), 0, 1e-9);
	ck_assert_double_eq_tol(fwq_noise_ns(v, 0, 0), 0, 1e-9);
	/* 1050 ns of noise in 1550 ns of run time */
	ck_assert_double_eq_tol(noise_overhead_pct(fwq_noise_ns(v, 5, 100), 1550),
				100.0 * 1050 / 1550, 1e-9);
}
END_TEST

START_TEST(expected_max_degenerate)
{
	uint64_t same[] = { 5, 5, 5, 5 }, v[] = { 1, 3 };

	ck_assert_double_eq_tol(expected_max_of(same, 4, 1000), 5, 1e-9);
	/* one rank: the mean */
	ck_assert_double_eq_tol(expected_max_of(v, 2, 1), 2, 1e-12);
	/* two ranks from {1,3}: max is 1 only if both draw 1 (1/4) */
	ck_assert_double_eq_tol(expected_max_of(v, 2, 2), 0.25 * 1 + 0.75 * 3, 1e-12);
	ck_assert_double_eq(expected_max_of(v, 0, 4), 0);
	ck_assert_double_eq(expected_max_of(v, 2, 0), 0);
}
END_TEST

START_TEST(expected_max_rare_noise_amplified)
{
	/* 1 sample in 1000 is 100x slower: one node rarely sees it, but a
	 * barrier over 10000 nodes almost always does (Ferreira et al.) */
	uint64_t *v = malloc(1000 * sizeof(*v));
	double e1, e10k;
	int i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 999; i++)
		v[i] = 1000;
	v[999] = 100000;
	e1 = expected_max_of(v, 1000, 1);
	e10k = expected_max_of(v, 1000, 10000);
	ck_assert_double_eq_tol(e1, 1000 + 99000.0 / 1000, 1e-6);
	/* P(no rank sees it) = 0.999^10000 ~ 4.5e-5 */
	ck_assert_double_eq_tol(e10k, 100000 - 99000 * pow(0.999, 10000), 1e-3);
	ck_assert(e10k > 99000);
	free(v);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("noise_stats");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, percentile_nearest_rank);
	tcase_add_test(tc, percentile_small_and_empty);
	tcase_add_test(tc, percentile_p999_of_thousands);
	tcase_add_test(tc, stats_sorts_and_summarises);
	tcase_add_test(tc, stats_empty);
	tcase_add_test(tc, stats_large_values_do_not_overflow);
	tcase_add_test(tc, overhead_percent);
	tcase_add_test(tc, fwq_noise_is_excess_over_min);
	tcase_add_test(tc, expected_max_degenerate);
	tcase_add_test(tc, expected_max_rare_noise_amplified);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lwk_check_run(suite());
}
