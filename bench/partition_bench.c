/* partition_bench: create+destroy of a small native partition, repeated.
 *
 *   partition_bench [-n RUNS] [--pause MS] [--cpus LIST] [--mem SIZE] [--statedir DIR]
 *                   [--tasks N]
 *
 * Defaults: 50 runs of a 1-CPU partition (CPU 1) with 16M of 2M huge pages,
 * in a private registry under /run. Prints the median and p99 of create,
 * destroy and the pair, with the node's IRQ count (the cost is linear in
 * it). Needs root. Target on the 2-core dev machine: pair median <= 20 ms.
 *
 * Two rounds: back to back, then with the node idle for --pause ms (100)
 * before each create and each destroy, as at a job's start and end. They
 * differ by the kernel's cgroup migration lock: the first task moved after
 * a quiet spell waits for an RCU grace period, later ones within a grace
 * period do not (cgroup_threadgroup_rwsem; a hierarchy mounted with
 * favordynmods never waits).
 *
 * --tasks N starts N idle processes first (killed at the end), as on a
 * larger node: creating a partition moves every movable task of the node
 * off its CPUs (cgroup v1), so that part of the cost grows with the node's
 * tasks, which this machine can stand in for where it cannot for CPUs. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "partition.h"
#include "spec.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i];
}

static void report(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%-16s median %7.2f ms   p99 %7.2f ms   min %7.2f ms   max %7.2f ms\n", what,
	       pct(v, n, 0.5), pct(v, n, 0.99), v[0], v[n - 1]);
}

static int count_irqs(void)
{
	DIR *d = opendir("/proc/irq");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] >= '0' && de->d_name[0] <= '9';
	if (d)
		closedir(d);
	return n;
}

/* n idle children, which die with this process; their pids in kids. */
static int start_idle(pid_t *kids, int n)
{
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			fprintf(stderr, "lwk: cannot start idle task %d of %d: %s\n", i + 1, n,
				strerror(errno));
			return -1;
		}
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
	}
	return 0;
}

static void stop_idle(pid_t *kids, int n)
{
	for (int i = 0; i < n; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "statedir", required_argument, NULL, 's' },
		{ "pause", required_argument, NULL, 'p' },
		{ "tasks", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *cpus = "1", *mem = "16M", *statedir = NULL;
	char tmpdir[] = "/run/lwk-bench.XXXXXX";
	struct lwk_placement pl = { 0 };
	struct lwk_create_req req = { 0 };
	struct lwk_err err = { 0 };
	uint64_t bytes;
	hwloc_bitmap_t set;
	char why[256];
	double *tc, *td, *tp;
	int runs = 50, pause_ms = 100, ntasks = 0, c, rc = 1;
	pid_t *kids = NULL;

	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': runs = atoi(optarg); break;
		case 'c': cpus = optarg; break;
		case 'm': mem = optarg; break;
		case 's': statedir = optarg; break;
		case 'p': pause_ms = atoi(optarg); break;
		case 't': ntasks = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: partition_bench [-n RUNS] [--pause MS] [--cpus LIST] "
				"[--mem SIZE] [--statedir DIR] [--tasks N]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (runs < 1 || runs > 100000) {
		fprintf(stderr, "lwk: -n expects 1..100000 runs\n");
		return 2;
	}
	if (pause_ms < 0 || pause_ms > 10000) {
		fprintf(stderr, "lwk: --pause expects 0..10000 ms\n");
		return 2;
	}
	if (ntasks < 0 || ntasks > 100000) {
		fprintf(stderr, "lwk: --tasks expects 0..100000 idle processes\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "lwk: partition_bench changes the node's cpusets and IRQs: run it as root\n");
		return 1;
	}
	if (lwk_list_parse(cpus, 65535, &set, why, sizeof(why)) < 0) {
		fprintf(stderr, "lwk: --cpus %s: %s\n", cpus, why);
		return 2;
	}
	if (lwk_parse_size(mem, &bytes, &err) < 0) {
		lwk_err_print(&err, stderr);
		return 2;
	}
	if (!statedir) {
		if (!mkdtemp(tmpdir)) {
			fprintf(stderr, "lwk: cannot create %s: %s\n", tmpdir, strerror(errno));
			return 1;
		}
		statedir = tmpdir;
	}
	pl.cpus = set;
	pl.mems = hwloc_bitmap_alloc();
	pl.pages = LWK_PAGES_2M;
	if (bytes) {
		pl.nmem = 1;	/* node 0: enough for the benchmark's one-node default */
		pl.mem[0].node = 0;
		pl.mem[0].bytes = bytes;
	}
	req.statedir = statedir;
	req.id = "bench";
	req.backend = LWK_BACKEND_NATIVE;
	req.pl = &pl;
	tc = calloc(runs, sizeof(double));
	td = calloc(runs, sizeof(double));
	tp = calloc(runs, sizeof(double));
	kids = calloc(ntasks + 1, sizeof(*kids));
	if (!tc || !td || !tp || !kids)
		goto out;
	if (start_idle(kids, ntasks) < 0)
		goto out;
	printf("partition create+destroy: CPUs %s, %s in 2M huge pages, %d IRQs, %d runs",
	       cpus, mem, count_irqs(), runs);
	if (ntasks)
		printf(", %d idle tasks added", ntasks);
	printf("\n");
	for (int round = 0; round < 2; round++) {
		int idle = round ? pause_ms : 0;

		for (int i = 0; i < runs; i++) {
			double t0, t1, t2;

			if (idle)
				usleep((useconds_t)idle * 1000);
			t0 = now_ms();
			if (lwk_partition_create(&req, NULL, &err) < 0) {
				lwk_err_print(&err, stderr);
				goto out;
			}
			t1 = now_ms();
			if (idle)
				usleep((useconds_t)idle * 1000);
			t2 = now_ms();
			if (lwk_partition_destroy(statedir, "bench", &err) < 0) {
				lwk_err_print(&err, stderr);
				goto out;
			}
			tc[i] = t1 - t0;
			td[i] = now_ms() - t2;
			tp[i] = tc[i] + td[i];
		}
		if (round)
			printf("after %d ms idle each (as at a job's start and end):\n", idle);
		else
			printf("back to back:\n");
		report("create", tc, runs);
		report("destroy", td, runs);
		report("create+destroy", tp, runs);
		if (!pause_ms)
			break;
	}
	rc = 0;
out:
	if (kids)
		stop_idle(kids, ntasks);
	free(kids);
	free(tc);
	free(td);
	free(tp);
	if (statedir == tmpdir) {
		char lock[64];

		snprintf(lock, sizeof(lock), "%s/lock", tmpdir);
		unlink(lock);
		rmdir(tmpdir);
	}
	hwloc_bitmap_free(pl.cpus);
	hwloc_bitmap_free(pl.mems);
	return rc;
}
