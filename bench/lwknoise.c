/* lwknoise: OS-noise measurement on given CPUs, one pinned worker per CPU.
 *
 *   fwq     fixed work quanta: repeat a calibrated quantum of register-only
 *           work; a sample's noise is its duration beyond the fastest sample.
 *   detour  selfish detour: spin reading the clock; any gap above
 *           threshold x (smallest gap) is a detour, i.e. time taken from us.
 *   bsp     bulk-synchronous mini-app: every iteration each thread computes
 *           one quantum then waits at a spinning barrier, so the slowest CPU
 *           sets the pace, as in a real simulation.
 *
 * Output: a per-CPU and overall summary (a table, --kv key=value lines, or
 * --json FILE) and optionally every raw sample (--csv FILE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <hwloc.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include "stats.h"

enum mode { M_FWQ, M_DETOUR, M_BSP };
static const char *const mode_name[] = { "fwq", "detour", "bsp" };

struct opts {
	enum mode mode;
	double duration_s;
	double quantum_us;		/* fwq, bsp */
	double threshold;		/* detour: multiple of the smallest gap */
	unsigned scale;			/* bsp: ranks for the extrapolation */
	size_t max_samples;		/* per CPU */
	const char *csv, *json;
	bool kv;
};

struct worker {
	pthread_t th;
	unsigned idx, cpu;
	int err;			/* errno of a failed pin */
	/* samples: times since the common start and values, in ns */
	uint64_t *t, *v;
	size_t n, cap;
	uint64_t dropped;		/* detours beyond cap (still summed) */
	double noise_ns;		/* sum of detours / of excess work */
	uint64_t runtime_ns;
	uint64_t min_gap_ns, threshold_ns;
	long preempt;			/* involuntary context switches while measuring */
	bool moved;			/* no longer bound to cpu at the end */
	struct ns_stats st;
};

static struct {
	struct opts o;
	hwloc_topology_t topo;
	unsigned nw;
	struct worker *w;
	uint64_t loops;			/* work loops per quantum */
	uint64_t quantum_ns;		/* calibrated duration of one quantum */
	uint64_t start_ns;
	/* bsp */
	size_t iters;			/* capacity */
	size_t done;			/* iterations run */
	atomic_size_t last_iter;	/* set by worker 0 */
	uint64_t *iter_end;		/* written by worker 0 */
	/* barriers */
	atomic_uint arrived;
	atomic_uint sense;
} g;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("lwk: lwknoise: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Register-only work the compiler cannot fold away. */
static uint64_t work(uint64_t loops)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, i;

	for (i = 0; i < loops; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Sense-reversing spinning barrier: waiting ranks poll like MPI does. */
static void barrier(unsigned *local_sense)
{
	unsigned s = !*local_sense;

	*local_sense = s;
	if (atomic_fetch_add(&g.arrived, 1) + 1 == g.nw) {
		atomic_store(&g.arrived, 0);
		atomic_store(&g.sense, s);
	} else {
		while (atomic_load_explicit(&g.sense, memory_order_acquire) != s)
			cpu_relax();
	}
}

static int pin_self(unsigned cpu)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int rc;

	hwloc_bitmap_only(set, cpu);
	rc = hwloc_set_cpubind(g.topo, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT);
	if (rc < 0)
		rc = hwloc_set_cpubind(g.topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	return rc < 0 ? errno : 0;
}

static void alloc_samples(struct worker *w, size_t cap)
{
	w->cap = cap;
	w->t = calloc(cap, sizeof(*w->t));
	w->v = calloc(cap, sizeof(*w->v));
	if (!w->t || !w->v)
		die("cannot allocate %zu samples: lower --duration or --max-samples", cap);
	/* touch every page now, not during the measurement */
	memset(w->t, 0, cap * sizeof(*w->t));
	memset(w->v, 0, cap * sizeof(*w->v));
}

static uint64_t smallest_gap(void)
{
	uint64_t best = UINT64_MAX, a, b;
	int i;

	for (i = 0; i < 1000000; i++) {
		a = now_ns();
		b = now_ns();
		if (b > a && b - a < best)
			best = b - a;
	}
	return best == UINT64_MAX ? 1 : best;
}

static void run_detour(struct worker *w, unsigned *sense)
{
	uint64_t t, prev, end, d;

	w->min_gap_ns = smallest_gap();
	w->threshold_ns = (uint64_t)(g.o.threshold * (double)w->min_gap_ns);
	barrier(sense);
	prev = now_ns();
	if (w->idx == 0)
		g.start_ns = prev;
	end = prev + (uint64_t)(g.o.duration_s * 1e9);
	w->runtime_ns = end - prev;
	for (;;) {
		t = now_ns();
		d = t - prev;
		if (d > w->threshold_ns) {
			w->noise_ns += (double)d;
			if (w->n < w->cap) {
				w->t[w->n] = prev;
				w->v[w->n++] = d;
			} else {
				w->dropped++;
			}
		}
		prev = t;
		if (t >= end)
			break;
	}
}

static void run_fwq(struct worker *w, unsigned *sense)
{
	uint64_t t0, t1, end, first;

	barrier(sense);
	first = t0 = now_ns();
	if (w->idx == 0)
		g.start_ns = t0;
	end = t0 + (uint64_t)(g.o.duration_s * 1e9);
	while (w->n < w->cap && t0 < end) {
		work(g.loops);
		t1 = now_ns();
		w->t[w->n] = t0;
		w->v[w->n++] = t1 - t0;
		t0 = t1;
	}
	w->runtime_ns = t0 - first;
}

/* Runs until --duration is over: worker 0 names the last iteration before
 * the barrier that ends it, and everyone leaves after that barrier. */
static void run_bsp(struct worker *w, unsigned *sense)
{
	uint64_t t0, t1, end = 0;
	size_t i;

	barrier(sense);
	if (w->idx == 0) {
		g.start_ns = now_ns();
		end = g.start_ns + (uint64_t)(g.o.duration_s * 1e9);
	}
	for (i = 0; i < g.iters; i++) {
		t0 = now_ns();
		work(g.loops);
		t1 = now_ns();
		w->t[i] = t0;
		w->v[i] = t1 - t0;
		if (w->idx == 0 && (t1 >= end || i + 1 == g.iters))
			atomic_store(&g.last_iter, i);
		barrier(sense);
		if (w->idx == 0)
			g.iter_end[i] = now_ns();
		if (atomic_load(&g.last_iter) == i)
			break;
	}
	w->n = i + 1;
}

/* 0 if the calling thread is still bound to cpu alone and runs there: a
 * cpuset change during the run (another partition moving tasks) rebinds
 * threads silently, and the samples would then be of another CPU. */
static int still_pinned(unsigned cpu)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int rc = -1;

	if (hwloc_get_cpubind(g.topo, set, HWLOC_CPUBIND_THREAD) == 0 &&
	    hwloc_bitmap_weight(set) == 1 && hwloc_bitmap_isset(set, cpu) &&
	    sched_getcpu() == (int)cpu)
		rc = 0;
	hwloc_bitmap_free(set);
	return rc;
}

/* Involuntary context switches of the calling thread: how often another
 * task took this CPU from us (IRQs and hypervisor steal do not count). */
static long nivcsw(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) < 0)
		return 0;
	return ru.ru_nivcsw;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned sense = 0;
	long cs;

	w->err = pin_self(w->cpu);
	cs = nivcsw();
	/* a worker that could not pin still joins every barrier, so that the
	 * others do not wait forever; main reports the failure */
	switch (g.o.mode) {
	case M_DETOUR:
		run_detour(w, &sense);
		break;
	case M_FWQ:
		run_fwq(w, &sense);
		break;
	case M_BSP:
		run_bsp(w, &sense);
		break;
	}
	w->preempt = nivcsw() - cs;
	w->moved = !w->err && still_pinned(w->cpu) != 0;
	return NULL;
}

/* Loops per quantum: the fastest of several timed runs, so that noise during
 * calibration cannot make the quantum shorter than asked. */
static void calibrate(double quantum_us)
{
	uint64_t probe = 1 << 16, best = UINT64_MAX, t0, d;
	int i;

	for (;;) {
		t0 = now_ns();
		work(probe);
		d = now_ns() - t0;
		if (d > 2000000 || probe >= (1ull << 40))
			break;
		probe *= 2;
	}
	for (i = 0; i < 20; i++) {
		t0 = now_ns();
		work(probe);
		d = now_ns() - t0;
		if (d < best)
			best = d;
	}
	g.loops = (uint64_t)(quantum_us * 1000.0 * (double)probe / (double)best);
	if (g.loops < 1)
		g.loops = 1;
	best = UINT64_MAX;
	for (i = 0; i < 50; i++) {
		t0 = now_ns();
		work(g.loops);
		d = now_ns() - t0;
		if (d < best)
			best = d;
	}
	g.quantum_ns = best;
}

static void usage(FILE *f)
{
	fputs("usage: lwknoise fwq|detour|bsp [--cpus LIST] [--duration SEC] [--quantum USEC]\n"
	      "                [--threshold MULT] [--scale RANKS] [--max-samples N]\n"
	      "                [--csv FILE] [--json FILE] [--kv]\n"
	      "  fwq     fixed work quanta (default quantum 100 us)\n"
	      "  detour  selfish detour: gaps above MULT x the smallest gap (default 9)\n"
	      "  bsp     compute quantum + barrier per iteration (default quantum 1000 us);\n"
	      "          also extrapolates the step time to RANKS nodes (default 1024)\n"
	      "  --cpus LIST  CPUs to measure, one pinned thread each (default: all allowed)\n"
	      "  --kv         summary as key=value lines (one per CPU and cpu=all)\n", f);
}

static double parse_num(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		die("--%s '%s': expected a number in [%g, %g]", opt, s, lo, hi);
	return v;
}

static void parse_args(int argc, char **argv, hwloc_bitmap_t cpus)
{
	static const struct option lo[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quantum", required_argument, NULL, 'q' },
		{ "threshold", required_argument, NULL, 't' },
		{ "scale", required_argument, NULL, 's' },
		{ "max-samples", required_argument, NULL, 'm' },
		{ "csv", required_argument, NULL, 'C' },
		{ "json", required_argument, NULL, 'J' },
		{ "kv", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool have_cpus = false, have_q = false;
	int c, i;

	g.o.duration_s = 10;
	g.o.threshold = 9;
	g.o.scale = 1024;
	while ((c = getopt_long(argc, argv, "c:d:q:t:s:m:C:J:kh", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (hwloc_bitmap_list_sscanf(cpus, optarg) < 0 || hwloc_bitmap_iszero(cpus) ||
			    hwloc_bitmap_weight(cpus) < 0)
				die("--cpus '%s': expected a CPU list such as 1 or 0-3,8", optarg);
			have_cpus = true;
			break;
		case 'd':
			g.o.duration_s = parse_num("duration", optarg, 0.01, 86400);
			break;
		case 'q':
			g.o.quantum_us = parse_num("quantum", optarg, 1, 1e6);
			have_q = true;
			break;
		case 't':
			g.o.threshold = parse_num("threshold", optarg, 1.5, 1e6);
			break;
		case 's':
			g.o.scale = (unsigned)parse_num("scale", optarg, 1, 1e7);
			break;
		case 'm':
			g.o.max_samples = (size_t)parse_num("max-samples", optarg, 16, 1e9);
			break;
		case 'C':
			g.o.csv = optarg;
			break;
		case 'J':
			g.o.json = optarg;
			break;
		case 'k':
			g.o.kv = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	for (i = 0; i < 3; i++)
		if (!strcmp(argv[optind], mode_name[i]))
			break;
	if (i == 3)
		die("unknown mode '%s': expected fwq, detour or bsp", argv[optind]);
	g.o.mode = (enum mode)i;
	if (!have_q)
		g.o.quantum_us = g.o.mode == M_BSP ? 1000 : 100;
	if (!have_cpus && hwloc_get_cpubind(g.topo, cpus, HWLOC_CPUBIND_PROCESS) < 0)
		hwloc_bitmap_copy(cpus, hwloc_topology_get_allowed_cpuset(g.topo));
}

/* Per-CPU summary line / JSON object; w == NULL is the overall one. */
struct summary {
	char cpu[16];
	struct ns_stats st;
	double overhead_pct;
	uint64_t max_detour_ns;
	uint64_t dropped;
	long preempt;
};

static void summarise(struct worker *w, struct summary *s)
{
	snprintf(s->cpu, sizeof(s->cpu), "%u", w->cpu);
	ns_stats_compute(w->v, w->n, &w->st);
	s->st = w->st;
	s->dropped = w->dropped;
	s->preempt = w->preempt;
	if (g.o.mode == M_DETOUR) {
		s->overhead_pct = noise_overhead_pct(w->noise_ns, (double)w->runtime_ns);
		s->max_detour_ns = w->st.max;
	} else {
		w->noise_ns = fwq_noise_ns(w->v, w->n, w->st.min);
		s->overhead_pct = noise_overhead_pct(w->noise_ns, w->st.sum);
		s->max_detour_ns = w->st.max - w->st.min;
	}
}

static void print_kv(FILE *f, const struct summary *s, const char *extra)
{
	fprintf(f, "lwknoise mode=%s cpu=%s count=%zu min_ns=%" PRIu64 " median_ns=%" PRIu64
		" p99_ns=%" PRIu64 " p999_ns=%" PRIu64 " max_ns=%" PRIu64 " mean_ns=%.1f"
		" max_detour_ns=%" PRIu64 " overhead_pct=%.6f dropped=%" PRIu64 " preempt=%ld"
		" duration_s=%g%s\n",
		mode_name[g.o.mode], s->cpu, s->st.count, s->st.min, s->st.median, s->st.p99,
		s->st.p999, s->st.max, s->st.mean, s->max_detour_ns, s->overhead_pct, s->dropped,
		s->preempt, g.o.duration_s, extra);
}

static void print_row(FILE *f, const struct summary *s)
{
	fprintf(f, "%-5s %9zu %10.2f %10.2f %10.2f %10.2f %12.2f %12.2f %10.4f\n", s->cpu,
		s->st.count, s->st.min / 1e3, s->st.median / 1e3, s->st.p99 / 1e3,
		s->st.p999 / 1e3, s->st.max / 1e3, s->max_detour_ns / 1e3, s->overhead_pct);
}

static void json_obj(FILE *f, const struct summary *s)
{
	fprintf(f, "{\"cpu\":\"%s\",\"count\":%zu,\"min_ns\":%" PRIu64 ",\"median_ns\":%" PRIu64
		",\"p99_ns\":%" PRIu64 ",\"p999_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64
		",\"mean_ns\":%.1f,\"max_detour_ns\":%" PRIu64 ",\"overhead_pct\":%.6f"
		",\"dropped\":%" PRIu64 ",\"preempt\":%ld}",
		s->cpu, s->st.count, s->st.min, s->st.median, s->st.p99, s->st.p999, s->st.max,
		s->st.mean, s->max_detour_ns, s->overhead_pct, s->dropped, s->preempt);
}

static FILE *open_out(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	return f;
}

static void write_csv(void)
{
	FILE *f = open_out(g.o.csv);
	unsigned i;
	size_t k;

	if (g.o.mode == M_BSP) {
		uint64_t prev = g.start_ns;

		fputs("iter,t_ns,iter_ns\n", f);
		for (k = 0; k < g.done; k++) {
			fprintf(f, "%zu,%" PRId64 ",%" PRIu64 "\n", k, (int64_t)(prev - g.start_ns),
				g.iter_end[k] - prev);
			prev = g.iter_end[k];
		}
	} else {
		fprintf(f, "cpu,t_ns,%s\n", g.o.mode == M_FWQ ? "sample_ns" : "detour_ns");
		for (i = 0; i < g.nw; i++)
			for (k = 0; k < g.w[i].n; k++)
				fprintf(f, "%u,%" PRId64 ",%" PRIu64 "\n", g.w[i].cpu,
					(int64_t)(g.w[i].t[k] - g.start_ns), g.w[i].v[k]);
	}
	if (f != stdout && fclose(f))
		die("cannot write '%s': %s", g.o.csv, strerror(errno));
}

int main(int argc, char **argv)
{
	hwloc_bitmap_t cpus;
	struct summary *sum, all;
	uint64_t *allv, *iterv = NULL, total_rt = 0;
	double total_noise = 0, scale_ns = 0;
	size_t total_n = 0, k, cap;
	char extra[512] = "";
	unsigned i;
	int cpu;
	FILE *jf = NULL;

	if (hwloc_topology_init(&g.topo) < 0 || hwloc_topology_load(g.topo) < 0)
		die("cannot read the machine topology (hwloc)");
	cpus = hwloc_bitmap_alloc();
	parse_args(argc, argv, cpus);
	hwloc_bitmap_and(cpus, cpus, hwloc_topology_get_complete_cpuset(g.topo));
	g.nw = (unsigned)hwloc_bitmap_weight(cpus);
	if (g.nw == 0)
		die("--cpus: none of these CPUs exists on this machine");
	g.w = calloc(g.nw, sizeof(*g.w));
	sum = calloc(g.nw, sizeof(*sum));
	if (!g.w || !sum)
		die("out of memory");
	/* calibrate the quantum on the first measured CPU */
	if (g.o.mode != M_DETOUR) {
		hwloc_bitmap_t first = hwloc_bitmap_alloc();

		hwloc_bitmap_only(first, (unsigned)hwloc_bitmap_first(cpus));
		if (hwloc_set_cpubind(g.topo, first, HWLOC_CPUBIND_THREAD) < 0)
			die("cannot run on CPU %d: %s (is it in this process's cpuset?)",
			    hwloc_bitmap_first(cpus), strerror(errno));
		hwloc_bitmap_free(first);
		calibrate(g.o.quantum_us);
	}
	if (g.o.mode == M_FWQ)
		cap = (size_t)(g.o.duration_s * 1e9 / (double)g.quantum_ns * 1.05) + 16;
	else if (g.o.mode == M_BSP)
		cap = g.iters = (size_t)(g.o.duration_s * 1e9 / (double)g.quantum_ns) + 1;
	else
		cap = (size_t)(g.o.duration_s * 200000) + 1024;
	if (g.o.max_samples && cap > g.o.max_samples) {
		cap = g.o.max_samples;
		if (g.o.mode == M_BSP)
			g.iters = cap;
	}
	if (g.o.mode == M_BSP && !(g.iter_end = calloc(g.iters, sizeof(*g.iter_end))))
		die("out of memory");
	atomic_store(&g.last_iter, SIZE_MAX);
	i = 0;
	hwloc_bitmap_foreach_begin(cpu, cpus) {
		g.w[i].idx = i;
		g.w[i].cpu = (unsigned)cpu;
		alloc_samples(&g.w[i], cap);
		i++;
	}
	hwloc_bitmap_foreach_end();
	/* our own page faults are not the OS noise we measure */
	mlockall(MCL_CURRENT | MCL_FUTURE);
	for (i = 0; i < g.nw; i++)
		if (pthread_create(&g.w[i].th, NULL, worker_main, &g.w[i]))
			die("cannot start a worker thread");
	for (i = 0; i < g.nw; i++)
		pthread_join(g.w[i].th, NULL);
	g.done = g.w[0].n;
	for (i = 0; i < g.nw; i++)
		if (g.w[i].err)
			die("cannot pin a thread to CPU %u: %s (is it in this process's cpuset?)",
			    g.w[i].cpu, strerror(g.w[i].err));
	for (i = 0; i < g.nw; i++)
		if (g.w[i].moved) {
			fprintf(stderr, "lwk: lwknoise: the thread on CPU %u was moved off it during the run "
				"(a cpuset change?): its samples are not of CPU %u; run again\n",
				g.w[i].cpu, g.w[i].cpu);
			exit(3);
		}
	if (g.o.csv)
		write_csv();

	/* overall: every CPU's samples together (bsp: the iterations) */
	for (i = 0; i < g.nw; i++)
		total_n += g.w[i].n;
	allv = malloc((total_n + 1) * sizeof(*allv));
	if (!allv)
		die("out of memory");
	total_n = 0;
	for (i = 0; i < g.nw; i++) {
		summarise(&g.w[i], &sum[i]);
		memcpy(allv + total_n, g.w[i].v, g.w[i].n * sizeof(*allv));
		total_n += g.w[i].n;
		total_noise += g.w[i].noise_ns;
		total_rt += g.o.mode == M_DETOUR ? g.w[i].runtime_ns : (uint64_t)g.w[i].st.sum;
	}
	memset(&all, 0, sizeof(all));
	snprintf(all.cpu, sizeof(all.cpu), "all");
	if (g.o.mode == M_BSP) {
		/* the application's view: barrier-to-barrier iteration times */
		uint64_t prev = g.start_ns, ideal = UINT64_MAX;

		ns_sort(allv, total_n);
		scale_ns = expected_max_of(allv, total_n, g.o.scale);
		for (i = 0; i < g.nw; i++)
			if (g.w[i].st.count && g.w[i].st.min < ideal)
				ideal = g.w[i].st.min;
		iterv = malloc((g.done + 1) * sizeof(*iterv));
		if (!iterv)
			die("out of memory");
		for (k = 0; k < g.done; k++) {
			iterv[k] = g.iter_end[k] - prev;
			prev = g.iter_end[k];
		}
		ns_stats_compute(iterv, g.done, &all.st);
		all.max_detour_ns = all.st.max - ideal;
		for (i = 0; i < g.nw; i++)
			all.preempt += g.w[i].preempt;
		all.overhead_pct = noise_overhead_pct(all.st.sum - (double)ideal * (double)g.done,
						      all.st.sum);
		snprintf(extra, sizeof(extra),
			 " ideal_ns=%" PRIu64 " threads=%u slowdown_median=%.4f slowdown_mean=%.4f"
			 " slowdown_p99=%.4f slowdown_max=%.4f scale_ranks=%u scale_slowdown=%.4f",
			 ideal, g.nw, (double)all.st.median / ideal, all.st.mean / ideal,
			 (double)all.st.p99 / ideal, (double)all.st.max / ideal, g.o.scale,
			 scale_ns / ideal);
	} else {
		ns_stats_compute(allv, total_n, &all.st);
		all.overhead_pct = noise_overhead_pct(total_noise, (double)total_rt);
		for (i = 0; i < g.nw; i++) {
			all.dropped += g.w[i].dropped;
			all.preempt += g.w[i].preempt;
			if (sum[i].max_detour_ns > all.max_detour_ns)
				all.max_detour_ns = sum[i].max_detour_ns;
		}
		if (g.o.mode == M_DETOUR)
			snprintf(extra, sizeof(extra),
				 " min_gap_ns=%" PRIu64 " threshold_ns=%" PRIu64,
				 g.w[0].min_gap_ns, g.w[0].threshold_ns);
		else
			snprintf(extra, sizeof(extra), " quantum_ns=%" PRIu64, g.quantum_ns);
	}

	if (g.o.kv) {
		for (i = 0; i < g.nw; i++)
			print_kv(stdout, &sum[i], g.o.mode == M_BSP ? " what=compute" : "");
		print_kv(stdout, &all, extra);
	} else {
		printf("lwknoise %s: %u CPU(s), %g s%s\n", mode_name[g.o.mode], g.nw,
		       g.o.duration_s, extra);
		printf("%-5s %9s %10s %10s %10s %10s %12s %12s %10s\n", "cpu", "count", "min_us",
		       "median_us", "p99_us", "p99.9_us", "max_us", "max_detour", "noise_%");
		for (i = 0; i < g.nw; i++)
			print_row(stdout, &sum[i]);
		print_row(stdout, &all);
		if (g.o.mode == M_BSP)
			printf("(per CPU: compute quanta; all: barrier-to-barrier iterations)\n");
		if (all.dropped)
			printf("note: %" PRIu64 " detours beyond --max-samples were counted in noise_%% only\n",
			       all.dropped);
	}
	if (g.o.json) {
		jf = open_out(g.o.json);
		fprintf(jf, "{\"mode\":\"%s\",\"duration_s\":%g,\"quantum_us\":%g,\"threshold\":%g,"
			"\"extra\":\"%s\",\"cpus\":[", mode_name[g.o.mode], g.o.duration_s,
			g.o.quantum_us, g.o.threshold, extra[0] ? extra + 1 : "");
		for (i = 0; i < g.nw; i++) {
			if (i)
				fputc(',', jf);
			json_obj(jf, &sum[i]);
		}
		fputs("],\"all\":", jf);
		json_obj(jf, &all);
		fputs("}\n", jf);
		if (jf != stdout && fclose(jf))
			die("cannot write '%s': %s", g.o.json, strerror(errno));
	}
	for (i = 0; i < g.nw; i++) {
		free(g.w[i].t);
		free(g.w[i].v);
	}
	free(g.w);
	free(sum);
	free(allv);
	free(iterv);
	free(g.iter_end);
	hwloc_bitmap_free(cpus);
	hwloc_topology_destroy(g.topo);
	return 0;
}
