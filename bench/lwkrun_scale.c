/* lwkrun_scale: what lwkrun adds to a start, by the path it takes, one
 * start at a time and N starts at once.
 *
 *   lwkrun_scale [-n ROUNDS] [-r N] [-b BATCH-ROUNDS] [-o OLD-LWKRUN] LWKRUN
 *
 * Four kinds of start, interleaved round by round so that drifts of a
 * shared machine hit all alike:
 *   true       the baseline: /bin/true itself
 *   discover   lwkrun alone, no topology cache (every start discovers)
 *   cached     lwkrun alone with the node's topology cache (topo_cache.h)
 *   plugin     lwkrun in a task that the plugin placed: the LWK_* plan
 *              exported, CPUs and memory bound (inherit.h)
 *   before     with -o: another lwkrun (an older build) in that same task
 * For each: median, p10 and p90 of spawn-to-exit wall time, and the
 * median's excess over true. With -r N (default 8, 0: none) the same
 * kinds again, N starts spawned at once each round (-b rounds, default
 * ROUNDS): the median time for the batch and its excess over N trues, per
 * rank. Prints numbers only: a
 * benchmark, not a test. Exit 2 when a start fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hwloc.h>

#include "lwk/topo_cache.h"

enum { K_TRUE, K_DISCOVER, K_CACHED, K_PLUGIN, K_BEFORE, K_N };
static const char *const kname[K_N] = { "true", "discover", "cached", "plugin", "before" };
static char **kenv[K_N];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
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

/* environ plus the given NAME=VALUE strings (which win) */
static char **env_with(char **add)
{
	extern char **environ;
	size_t n = 0, a = 0, i, j, k = 0;
	char **e;

	while (environ[n])
		n++;
	while (add[a])
		a++;
	e = calloc(n + a + 1, sizeof(*e));
	if (!e)
		exit(2);
	for (i = 0; i < n; i++) {
		size_t len = strcspn(environ[i], "=");
		int dup = 0;

		for (j = 0; j < a; j++)
			dup |= !strncmp(environ[i], add[j], len) && add[j][len] == '=';
		/* a rank variable of an outer launcher would change lwkrun's rank */
		dup |= !strncmp(environ[i], "SLURM_", 6) || !strncmp(environ[i], "OMPI_", 5) ||
		       !strncmp(environ[i], "PMIX_", 5) || !strncmp(environ[i], "LWK_", 4);
		if (!dup)
			e[k++] = environ[i];
	}
	for (j = 0; j < a; j++)
		e[k++] = add[j];
	return e;
}

/* count starts of argv at once, then wait for all; wall time, -1 on error */
static double batch(char **argv, char **envp, int count)
{
	pid_t pids[1024];
	double t0 = now_ms();
	int i, st, bad = 0;

	for (i = 0; i < count; i++)
		if (posix_spawn(&pids[i], argv[0], NULL, NULL, argv, envp)) {
			fprintf(stderr, "lwkrun_scale: cannot start %s: %s\n", argv[0],
				strerror(errno));
			return -1;
		}
	for (i = 0; i < count; i++)
		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			bad = 1;
	if (bad) {
		fprintf(stderr, "lwkrun_scale: a start of %s failed\n", argv[0]);
		return -1;
	}
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	static char t_true[] = "/bin/true";
	char dir[] = "/tmp/lwk-scale-XXXXXX", path[64], *cpus = NULL, *mems = NULL;
	char e_sd[96], e_cpus[4200], e_mems[4200], e_rcpus[4200], e_rmems[4200];
	char *true_argv[] = { t_true, NULL }, *lw_argv[] = { NULL, t_true, NULL };
	char *old_argv[] = { NULL, t_true, NULL }, **kargv[K_N];
	char *add_disc[] = { "LWK_STATEDIR=/nonexistent/lwk-scale", NULL };
	char *add_cache[] = { e_sd, NULL };
	char *add_plugin[] = { e_cpus, e_mems, e_rcpus, e_rmems, "LWK_LOCAL_RANK=0",
			       "LWK_LOCAL_SIZE=1", "LWK_SPEC=cores:1", "LWK_PARTITION=bench",
			       e_sd, NULL };
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t cpuset, nodeset;
	double *v[K_N], *b[K_N];
	int rounds = 100, nr = 8, brounds = 0, nk = K_BEFORE, c, i, k;

	while ((c = getopt(argc, argv, "+n:r:b:o:h")) != -1) {
		switch (c) {
		case 'n': rounds = atoi(optarg); break;
		case 'r': nr = atoi(optarg); break;
		case 'b': brounds = atoi(optarg); break;
		case 'o': old_argv[0] = optarg; nk = K_N; break;
		default:
			fprintf(stderr, "usage: lwkrun_scale [-n ROUNDS] [-r N] LWKRUN\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (!brounds)
		brounds = rounds;
	if (optind >= argc || rounds < 5 || brounds < 3 || brounds > rounds || nr < 0 || nr > 1024) {
		fprintf(stderr, "usage: lwkrun_scale [-n ROUNDS>=5] [-r 0..1024] [-b 3..ROUNDS] LWKRUN\n");
		return 2;
	}
	lw_argv[0] = argv[optind];
	for (k = 0; k < K_N; k++)
		kargv[k] = k == K_TRUE ? true_argv : k == K_BEFORE ? old_argv : lw_argv;

	/* the node's cache in a private state directory */
	if (!mkdtemp(dir))
		return 2;
	snprintf(e_sd, sizeof(e_sd), "LWK_STATEDIR=%s", dir);
	if (lwk_topo_load_node(&tp, dir, LWK_TOPO_SAVE, NULL, 0, &err) < 0) {
		lwk_err_print(&err, stderr);
		return 2;
	}
	/* as the plugin leaves a task: bound to its CPUs and their memory */
	cpuset = hwloc_bitmap_alloc();
	nodeset = hwloc_bitmap_alloc();
	if (hwloc_get_cpubind(tp.t, cpuset, HWLOC_CPUBIND_THREAD))
		return 2;
	hwloc_cpuset_to_nodeset(tp.t, cpuset, nodeset);
	if (hwloc_set_membind(tp.t, nodeset, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_THREAD |
			      HWLOC_MEMBIND_BYNODESET | HWLOC_MEMBIND_STRICT)) {
		perror("lwkrun_scale: membind");
		return 2;
	}
	hwloc_bitmap_list_asprintf(&cpus, cpuset);
	hwloc_bitmap_list_asprintf(&mems, nodeset);
	snprintf(e_cpus, sizeof(e_cpus), "LWK_CPUS=%s", cpus);
	snprintf(e_mems, sizeof(e_mems), "LWK_MEMS=%s", mems);
	snprintf(e_rcpus, sizeof(e_rcpus), "LWK_RANK_CPUS=%s", cpus);
	snprintf(e_rmems, sizeof(e_rmems), "LWK_RANK_MEMS=%s", mems);
	printf("node: %d PUs, %d cores, %d NUMA nodes; this process on cpus %s, mems %s\n",
	       hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_PU), (int)lwk_topo_ncores(&tp),
	       hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_NUMANODE), cpus, mems);
	kenv[K_TRUE] = env_with(add_disc);
	kenv[K_DISCOVER] = env_with(add_disc);
	kenv[K_CACHED] = env_with(add_cache);
	kenv[K_PLUGIN] = env_with(add_plugin);
	kenv[K_BEFORE] = kenv[K_PLUGIN];
	for (k = 0; k < K_N; k++) {
		v[k] = calloc(rounds, sizeof(double));
		b[k] = calloc(rounds, sizeof(double));
		if (!v[k] || !b[k])
			return 2;
	}

	/* warm the page cache */
	for (k = 0; k < nk; k++)
		if (batch(kargv[k], kenv[k], 1) < 0)
			return 2;
	for (i = 0; i < rounds; i++)
		for (k = 0; k < nk; k++)
			if ((v[k][i] = batch(kargv[k], kenv[k], 1)) < 0)
				return 2;
	for (i = 0; nr && i < brounds; i++)
		for (k = 0; k < nk; k++)
			if ((b[k][i] = batch(kargv[k], kenv[k], nr)) < 0)
				return 2;

	printf("one start at a time, %d interleaved rounds (ms):\n", rounds);
	for (k = 0; k < nk; k++)
		qsort(v[k], rounds, sizeof(double), cmp);
	for (k = 0; k < nk; k++)
		printf("  %-9s median %7.3f  p10 %7.3f  p90 %7.3f  over true %+7.3f  ratio %.2f\n",
		       kname[k], pct(v[k], rounds, 50), pct(v[k], rounds, 10),
		       pct(v[k], rounds, 90), pct(v[k], rounds, 50) - pct(v[K_TRUE], rounds, 50),
		       pct(v[k], rounds, 50) / pct(v[K_TRUE], rounds, 50));
	if (nr) {
		printf("%d starts at once, %d interleaved rounds (ms for the batch):\n", nr, brounds);
		for (k = 0; k < nk; k++)
			qsort(b[k], brounds, sizeof(double), cmp);
		for (k = 0; k < nk; k++)
			printf("  %-9s median %8.3f  p10 %8.3f  p90 %8.3f  per rank over true %+7.3f\n",
			       kname[k], pct(b[k], brounds, 50), pct(b[k], brounds, 10),
			       pct(b[k], brounds, 90),
			       (pct(b[k], brounds, 50) - pct(b[K_TRUE], brounds, 50)) / nr);
	}
	lwk_topo_fini(&tp);
	snprintf(path, sizeof(path), "%s/%s", dir, LWK_TOPO_CACHE_FILE);
	unlink(path);
	rmdir(dir);
	return 0;
}
