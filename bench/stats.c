#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void ns_sort(uint64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t ns_percentile(const uint64_t *sorted, size_t n, double p)
{
	double r;
	size_t rank;

	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	/* ceil(p/100 * n) computed with a small tolerance, so that e.g. the
	 * p50 of 100 samples is rank 50, not 51 through rounding error */
	r = p / 100.0 * (double)n;
	rank = (size_t)ceil(r - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

void ns_stats_compute(uint64_t *v, size_t n, struct ns_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	if (n == 0)
		return;
	ns_sort(v, n);
	st->count = n;
	st->min = v[0];
	st->max = v[n - 1];
	st->median = ns_percentile(v, n, 50);
	st->p99 = ns_percentile(v, n, 99);
	st->p999 = ns_percentile(v, n, 99.9);
	for (i = 0; i < n; i++)
		st->sum += (double)v[i];
	st->mean = st->sum / (double)n;
}

double noise_overhead_pct(double noise_ns, double runtime_ns)
{
	if (runtime_ns <= 0)
		return 0;
	return 100.0 * noise_ns / runtime_ns;
}

double fwq_noise_ns(const uint64_t *v, size_t n, uint64_t min)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] > min)
			s += (double)(v[i] - min);
	return s;
}

double expected_max_of(const uint64_t *sorted, size_t n, unsigned ranks)
{
	double e = 0, prev = 0, cur;
	size_t i;

	if (n == 0 || ranks == 0)
		return 0;
	for (i = 1; i <= n; i++) {
		cur = pow((double)i / (double)n, (double)ranks);
		e += (double)sorted[i - 1] * (cur - prev);
		prev = cur;
	}
	return e;
}
