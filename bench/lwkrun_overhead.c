/* lwkrun_overhead: what lwkrun adds to a process start.
 *
 *   lwkrun_overhead [-n RUNS] [-w] LWKRUN [PROGRAM [ARGS...]]
 *
 * Starts PROGRAM (default: true) directly and through LWKRUN, alternately,
 * RUNS times each (default 300), timing spawn to exit (CLOCK_MONOTONIC),
 * and prints the medians, their difference and the verdict against the
 * target (< 2 ms), and the children's CPU time, which unlike wall time
 * does not grow with the load of a shared machine. Both run with the environment we were given; -w also
 * sets LWK_CPUS to our affinity, the path the SPANK plugin takes. Exit 0
 * when the target is met, 1 when not, 2 on a usage or spawn error.
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <hwloc.h>

#define TARGET_MS 2.0

extern char **environ;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One start to exit, wall time; *cpu gets the child's user+system time.
 * -1 on failure. */
static double run_once(char **argv, double *cpu)
{
	double t0 = now_ms();
	struct rusage ru;
	pid_t pid;
	int st, rc;

	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc) {
		fprintf(stderr, "lwkrun_overhead: cannot start %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "lwkrun_overhead: %s did not exit 0\n", argv[0]);
		return -1;
	}
	*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	return now_ms() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, int n, int p)
{
	return v[(n - 1) * p / 100];
}

/* LWK_CPUS = our affinity, as the plugin would export it. */
static int set_lwk_cpus(void)
{
	hwloc_topology_t t;
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char *s = NULL;
	int rc = -1;

	if (hwloc_topology_init(&t) < 0)
		return -1;
	if (set && !hwloc_topology_load(t) && !hwloc_get_cpubind(t, set, HWLOC_CPUBIND_THREAD) &&
	    hwloc_bitmap_list_asprintf(&s, set) >= 0)
		rc = setenv("LWK_CPUS", s, 1);
	free(s);
	hwloc_bitmap_free(set);
	hwloc_topology_destroy(t);
	return rc;
}

int main(int argc, char **argv)
{
	static char deftrue[] = "true";
	char *defprog[] = { deftrue, NULL };
	char **prog, **wrapped;
	double *plain, *viaw, *plain_cpu, *viaw_cpu, diff, dummy;
	int runs = 300, c, i, n;

	while ((c = getopt(argc, argv, "+n:wh")) != -1) {
		switch (c) {
		case 'n':
			runs = atoi(optarg);
			if (runs < 5 || runs > 100000) {
				fprintf(stderr, "lwkrun_overhead: -n expects 5..100000 runs\n");
				return 2;
			}
			break;
		case 'w':
			if (set_lwk_cpus()) {
				perror("lwkrun_overhead: LWK_CPUS");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: lwkrun_overhead [-n RUNS] [-w] LWKRUN [PROGRAM [ARGS...]]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: lwkrun_overhead [-n RUNS] [-w] LWKRUN [PROGRAM [ARGS...]]\n");
		return 2;
	}
	prog = optind + 1 < argc ? argv + optind + 1 : defprog;
	for (n = 0; prog[n]; n++)
		;
	wrapped = calloc(n + 2, sizeof(*wrapped));
	plain = calloc(runs, sizeof(*plain));
	viaw = calloc(runs, sizeof(*viaw));
	plain_cpu = calloc(runs, sizeof(*plain_cpu));
	viaw_cpu = calloc(runs, sizeof(*viaw_cpu));
	if (!wrapped || !plain || !viaw || !plain_cpu || !viaw_cpu) {
		perror("lwkrun_overhead");
		return 2;
	}
	wrapped[0] = argv[optind];
	memcpy(wrapped + 1, prog, n * sizeof(*prog));

	/* Warm the page cache, then alternate so drifts hit both alike. */
	if (run_once(prog, &dummy) < 0 || run_once(wrapped, &dummy) < 0)
		return 2;
	for (i = 0; i < runs; i++) {
		plain[i] = run_once(prog, &plain_cpu[i]);
		viaw[i] = run_once(wrapped, &viaw_cpu[i]);
		if (plain[i] < 0 || viaw[i] < 0)
			return 2;
	}
	qsort(plain, runs, sizeof(*plain), cmp);
	qsort(viaw, runs, sizeof(*viaw), cmp);
	qsort(plain_cpu, runs, sizeof(*plain_cpu), cmp);
	qsort(viaw_cpu, runs, sizeof(*viaw_cpu), cmp);
	diff = pct(viaw, runs, 50) - pct(plain, runs, 50);
	printf("runs:        %d each, alternating%s\n", runs,
	       getenv("LWK_CPUS") ? " (LWK_CPUS set)" : "");
	printf("%-12s median %.3f ms  p10 %.3f  p90 %.3f\n", prog[0],
	       pct(plain, runs, 50), pct(plain, runs, 10), pct(plain, runs, 90));
	printf("%-12s median %.3f ms  p10 %.3f  p90 %.3f\n", "lwkrun",
	       pct(viaw, runs, 50), pct(viaw, runs, 10), pct(viaw, runs, 90));
	/* CPU time does not grow with the machine's load; wall time does. */
	printf("cpu time:    median %.3f ms (%s) vs %.3f ms (lwkrun): %.3f ms more\n",
	       pct(plain_cpu, runs, 50), prog[0], pct(viaw_cpu, runs, 50),
	       pct(viaw_cpu, runs, 50) - pct(plain_cpu, runs, 50));
	printf("overhead:    %.3f ms (median difference; target < %.1f ms): %s\n", diff,
	       TARGET_MS, diff < TARGET_MS ? "ok" : "over target");
	free(wrapped);
	free(plain);
	free(viaw);
	free(plain_cpu);
	free(viaw_cpu);
	return diff < TARGET_MS ? 0 : 1;
}
