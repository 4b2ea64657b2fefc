/* lwkrun_overhead: what lwkrun adds to a process start.
 *
 *   lwkrun_overhead [-n RUNS] [-w | -p] [-f FLOOR] LWKRUN [PROGRAM [ARGS...]]
 *
 * Starts PROGRAM (default: true) directly and through LWKRUN, alternately,
 * RUNS times each (default 300), timing spawn to exit (CLOCK_MONOTONIC),
 * and prints the medians, their difference and the verdict against the
 * target, and the children's CPU time, which unlike wall time does not grow
 * with the load of a shared machine. All run with the same environment:
 * ours; -w also sets LWK_CPUS to our affinity; -p makes this process a task
 * as the SPANK plugin leaves it under srun --lwk (the partition's and the
 * rank's LWK_* variables, SLURM_LOCALID, memory bound to our NUMA nodes),
 * the path where lwkrun only checks the plan and execs (inherit.h).
 * Target: < 2 ms (issue 4), < 1 ms with -p (issue 16). -f FLOOR starts
 * FLOOR PROGRAM [ARGS...] in the same rounds: a program that only execs its
 * arguments (bench/exec_floor), the least any wrapper can cost. Exit 0 when
 * the target is met, 1 when not, 2 on a usage or spawn error.
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
#define TARGET_PLUGIN_MS 1.0

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

/* This process as the plugin leaves a task of srun --lwk=cores:N with one
 * task on the node: the partition is our affinity and its NUMA nodes, this
 * rank's share all of it, memory bound there; outer launchers' variables
 * (which would name another local rank) removed. */
static int as_plugin_task(void)
{
	static const char *const drop[] = {
		"OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALRANKID",
		"MPI_LOCALNRANKS", "PMIX_NAMESPACE", "SLURM_GTIDS", "SLURM_TASKS_PER_NODE", NULL
	};
	hwloc_topology_t t;
	hwloc_bitmap_t cpus = hwloc_bitmap_alloc(), mems = hwloc_bitmap_alloc();
	char *c = NULL, *m = NULL, spec[32];
	int i, rc = -1;

	if (!cpus || !mems || hwloc_topology_init(&t) < 0)
		return -1;
	if (hwloc_topology_load(t) || hwloc_get_cpubind(t, cpus, HWLOC_CPUBIND_THREAD))
		goto out;
	hwloc_cpuset_to_nodeset(t, cpus, mems);
	if (hwloc_set_membind(t, mems, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_THREAD |
			      HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT) ||
	    hwloc_bitmap_list_asprintf(&c, cpus) < 0 || hwloc_bitmap_list_asprintf(&m, mems) < 0)
		goto out;
	snprintf(spec, sizeof(spec), "cores:%d", hwloc_bitmap_weight(cpus));
	for (i = 0; drop[i]; i++)
		unsetenv(drop[i]);
	rc = setenv("LWK_CPUS", c, 1) || setenv("LWK_MEMS", m, 1) ||
	     setenv("LWK_RANK_CPUS", c, 1) || setenv("LWK_RANK_MEMS", m, 1) ||
	     setenv("LWK_LOCAL_RANK", "0", 1) || setenv("LWK_LOCAL_SIZE", "1", 1) ||
	     setenv("LWK_PARTITION", "bench", 1) || setenv("LWK_SPEC", spec, 1) ||
	     setenv("SLURM_LOCALID", "0", 1) || setenv("SLURM_NODEID", "0", 1) ||
	     setenv("SLURM_STEP_TASKS_PER_NODE", "1", 1) ? -1 : 0;
out:
	free(c);
	free(m);
	hwloc_bitmap_free(cpus);
	hwloc_bitmap_free(mems);
	hwloc_topology_destroy(t);
	return rc;
}

#define USAGE "usage: lwkrun_overhead [-n RUNS] [-w | -p] [-f FLOOR] LWKRUN [PROGRAM [ARGS...]]\n"

int main(int argc, char **argv)
{
	static char deftrue[] = "true";
	char *defprog[] = { deftrue, NULL };
	char **prog, **wrapped, **floored = NULL, *floor_prog = NULL;
	double *plain, *viaw, *plain_cpu, *viaw_cpu, *fl = NULL, *fl_cpu = NULL, diff, dummy;
	double target = TARGET_MS;
	int runs = 300, plugin = 0, lwkcpus = 0, c, i, n;

	while ((c = getopt(argc, argv, "+n:wpf:h")) != -1) {
		switch (c) {
		case 'n':
			runs = atoi(optarg);
			if (runs < 5 || runs > 100000) {
				fprintf(stderr, "lwkrun_overhead: -n expects 5..100000 runs\n");
				return 2;
			}
			break;
		case 'w': lwkcpus = 1; break;
		case 'p': plugin = 1; break;
		case 'f': floor_prog = optarg; break;
		default:
			fputs(USAGE, stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc || (plugin && lwkcpus)) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (lwkcpus && set_lwk_cpus()) {
		perror("lwkrun_overhead: LWK_CPUS");
		return 2;
	}
	if (plugin) {
		if (as_plugin_task()) {
			perror("lwkrun_overhead: -p (the plugin's task)");
			return 2;
		}
		target = TARGET_PLUGIN_MS;
	}
	prog = optind + 1 < argc ? argv + optind + 1 : defprog;
	for (n = 0; prog[n]; n++)
		;
	wrapped = calloc(n + 2, sizeof(*wrapped));
	plain = calloc(runs, sizeof(*plain));
	viaw = calloc(runs, sizeof(*viaw));
	plain_cpu = calloc(runs, sizeof(*plain_cpu));
	viaw_cpu = calloc(runs, sizeof(*viaw_cpu));
	if (floor_prog) {
		floored = calloc(n + 2, sizeof(*floored));
		fl = calloc(runs, sizeof(*fl));
		fl_cpu = calloc(runs, sizeof(*fl_cpu));
	}
	if (!wrapped || !plain || !viaw || !plain_cpu || !viaw_cpu ||
	    (floor_prog && (!floored || !fl || !fl_cpu))) {
		perror("lwkrun_overhead");
		return 2;
	}
	wrapped[0] = argv[optind];
	memcpy(wrapped + 1, prog, n * sizeof(*prog));
	if (floor_prog) {
		floored[0] = floor_prog;
		memcpy(floored + 1, prog, n * sizeof(*prog));
	}

	/* Warm the page cache, then alternate so drifts hit all alike. */
	if (run_once(prog, &dummy) < 0 || run_once(wrapped, &dummy) < 0 ||
	    (floor_prog && run_once(floored, &dummy) < 0))
		return 2;
	for (i = 0; i < runs; i++) {
		plain[i] = run_once(prog, &plain_cpu[i]);
		viaw[i] = run_once(wrapped, &viaw_cpu[i]);
		if (plain[i] < 0 || viaw[i] < 0)
			return 2;
		if (floor_prog && (fl[i] = run_once(floored, &fl_cpu[i])) < 0)
			return 2;
	}
	qsort(plain, runs, sizeof(*plain), cmp);
	qsort(viaw, runs, sizeof(*viaw), cmp);
	qsort(plain_cpu, runs, sizeof(*plain_cpu), cmp);
	qsort(viaw_cpu, runs, sizeof(*viaw_cpu), cmp);
	diff = pct(viaw, runs, 50) - pct(plain, runs, 50);
	printf("runs:        %d each, alternating%s\n", runs,
	       plugin ? " (as the plugin's task: LWK_* plan, memory bound)" :
	       getenv("LWK_CPUS") ? " (LWK_CPUS set)" : "");
	printf("%-12s median %.3f ms  p10 %.3f  p90 %.3f\n", prog[0],
	       pct(plain, runs, 50), pct(plain, runs, 10), pct(plain, runs, 90));
	printf("%-12s median %.3f ms  p10 %.3f  p90 %.3f\n", "lwkrun",
	       pct(viaw, runs, 50), pct(viaw, runs, 10), pct(viaw, runs, 90));
	if (floor_prog) {
		qsort(fl, runs, sizeof(*fl), cmp);
		qsort(fl_cpu, runs, sizeof(*fl_cpu), cmp);
		printf("%-12s median %.3f ms  p10 %.3f  p90 %.3f\n", "floor",
		       pct(fl, runs, 50), pct(fl, runs, 10), pct(fl, runs, 90));
	}
	/* CPU time does not grow with the machine's load; wall time does. */
	printf("cpu time:    median %.3f ms (%s) vs %.3f ms (lwkrun): %.3f ms more\n",
	       pct(plain_cpu, runs, 50), prog[0], pct(viaw_cpu, runs, 50),
	       pct(viaw_cpu, runs, 50) - pct(plain_cpu, runs, 50));
	if (floor_prog)
		printf("floor:       %.3f ms more wall, %.3f ms more cpu than %s (%s: only execs)\n",
		       pct(fl, runs, 50) - pct(plain, runs, 50),
		       pct(fl_cpu, runs, 50) - pct(plain_cpu, runs, 50), prog[0], floor_prog);
	printf("overhead:    %.3f ms (median difference; target < %.1f ms): %s\n", diff,
	       target, diff < target ? "ok" : "over target");
	free(wrapped);
	free(floored);
	free(plain);
	free(viaw);
	free(plain_cpu);
	free(viaw_cpu);
	free(fl);
	free(fl_cpu);
	return diff < target ? 0 : 1;
}
