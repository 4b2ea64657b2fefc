/* Noise statistics: order statistics of nanosecond samples, noise overhead,
 * and the expected cost of a barrier at scale.
 *
 * Percentiles use the nearest-rank definition (the smallest sample such that
 * at least p% of the samples are <= it), so every reported value is a value
 * that was actually measured. Functions taking `sorted` expect ascending order.
 */
#ifndef LWK_BENCH_STATS_H
#define LWK_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct ns_stats {
	size_t count;
	uint64_t min, median, p99, p999, max;
	double mean;
	double sum;		/* ns; double: sums of many samples overflow nothing */
};

/* Sorts v (n samples) in place and fills st. n == 0 gives all zeros. */
void ns_stats_compute(uint64_t *v, size_t n, struct ns_stats *st);

/* Nearest-rank percentile, 0 < p <= 100; 0 if n == 0. */
uint64_t ns_percentile(const uint64_t *sorted, size_t n, double p);

void ns_sort(uint64_t *v, size_t n);

/* 100 * noise / runtime, 0 when runtime is 0. */
double noise_overhead_pct(double noise_ns, double runtime_ns);

/* FWQ: the noise in a set of work samples is what each took beyond the
 * fastest one: sum(v[i] - min). */
double fwq_noise_ns(const uint64_t *v, size_t n, uint64_t min);

/* Expected maximum of `ranks` independent draws from the empirical
 * distribution of the sorted samples: what one bulk-synchronous step costs
 * when every one of `ranks` nodes sees this node's noise independently.
 * E[max] = sum_i v(i) * ((i/n)^r - ((i-1)/n)^r). */
double expected_max_of(const uint64_t *sorted, size_t n, unsigned ranks);

#endif
