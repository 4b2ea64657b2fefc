/* slurmstepd (remote context): provisions the job's partition on this node
 * and places every task.
 *
 *   init_post_opt (root)   which spec this step has; re-validate it; create
 *                          the job's partition from the job's cores on the
 *                          node, or reuse the one an earlier step made.
 *                          Steps without --lwk note the CPUs of every live
 *                          partition on the node instead.
 *   task_post_fork (root)  attach the task's pid to the partition.
 *   task_init_privileged (root, in the task)
 *                          LWK step: the task's rank plan (rank.h, what
 *                          lwkrun would do for this local rank); sched:fifo:
 *                          SCHED_FIFO priority 1.
 *   task_init (user, in the task, before exec)
 *                          LWK step: check the attach, bind the task to its
 *                          rank's share of cores and NUMA memory, export
 *                          LWK_*, OMP_* and GLIBC_TUNABLES as lwkrun does;
 *                          on mckernel/mos, put lwkrun in front of a program
 *                          that is not lwkrun, mcexec or yod (argv.h; Slurm
 *                          23.11+, spank_prepend_task_argv).
 *                          Other steps: drop the LWK CPUs from the task's
 *                          affinity. Any error remembered earlier is
 *                          printed here as "lwk: ..." on the task's stderr
 *                          and fails the task: on 22.05 an error returned
 *                          from init_post_opt or user_init ends in the slurmd
 *                          log only and can leave srun exiting 0.
 *   task_exit (root)       after the step's last task on the node: its
 *                          noise report on task 0's stderr (step_report.c).
 * On a Slurm without spank_prepend_task_argv (22.05, 23.02), init_post_opt
 * refuses a mckernel/mos step whose tasks would run a program not started
 * through lwkrun, mcexec or yod, before anything is made: that program would
 * run on Linux cores.
 * The partition belongs to the job ("job:<jobid>") and lives until the job
 * ends on the node: job_script.c tears it down from the job epilog.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "env.h"
#include "lwk_spank.h"
#include "partition.h"
#include "place.h"
#include "rank.h"
#include "topo.h"
#include "topo_cache.h"

/* Slurm's special step ids (slurm.h): batch script, extern, interactive */
#define SPECIAL_STEP_MIN 0xfffffff0u

static struct {
	int lwk;			/* this step runs in the LWK */
	int failed;			/* err holds what to tell the user */
	struct lwk_err err;
	uint32_t job, step;
	char spec_text[LWK_SPEC_MAX + 1];	/* canonical, after policy */
	enum lwk_sched sched;		/* the spec's sched: */
	enum lwk_pages pages;		/* the spec's pages: */
	int report;			/* the spec's report: */
	int made;			/* this step made the partition */
	int topo_ok;
	struct lwk_topo topo;
	int part_ok;
	int part_init;			/* part needs lwk_partition_fini */
	struct lwk_partition part;
	hwloc_bitmap_t exclude;		/* non-LWK steps: CPUs of live partitions */
	hwloc_bitmap_t alloc;		/* the job's PUs on this node */
	char home[PATH_MAX];		/* slurmstepd's own cpuset while it hops */
	unsigned forked;		/* task_post_fork calls so far */
	int held;			/* hold is lwk_partition_hold's, while forking */
	int hold;
	int warm;			/* warm_th runs (lwk_cpuset_warm) */
	pthread_t warm_th;
	uint32_t ntasks;		/* local tasks of the step */
	char irq_note[224];		/* unmovable IRQs on the LWK CPUs this step chose */
	int plan_ok;			/* in a task: plan is its rank's */
	struct lwk_rank_plan plan;
	int multi;			/* srun --multi-prog (argv.h) */
} st;

static void fail(const char *what)
{
	st.failed = 1;
	slurm_error("lwk: job %u step %u: %s: %s", st.job, st.step, what, st.err.msg);
}

/* The component's index in a hetjob (0 otherwise), from the job env:
 * SLURM_JOB_ID_PACK_GROUP_<i> (22.05) or SLURM_JOB_ID_HET_GROUP_<i>. */
static int het_index(spank_t sp)
{
	char name[64], val[32];
	int i, f;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < 128; i++) {
			if (f == 0)
				snprintf(name, sizeof(name), "SLURM_JOB_ID_PACK_GROUP_%d", i);
			else
				snprintf(name, sizeof(name), "SLURM_JOB_ID_HET_GROUP_%d", i);
			if (spank_getenv(sp, name, val, sizeof(val)) != ESPANK_SUCCESS)
				break;
			if (strtoul(val, NULL, 10) == st.job)
				return i;
		}
	}
	return 0;
}

/* This step's spec text into buf ("" for none); -1 if it does not fit. */
static int step_spec(spank_t sp, char *buf, size_t len)
{
	char comps[8192];
	const char *p;
	int idx, i;

	buf[0] = '\0';
	if (spank_getenv(sp, LWK_ENV_COMPONENTS, comps, sizeof(comps)) == ESPANK_SUCCESS) {
		idx = het_index(sp);
		p = comps;
		for (i = 0; i < idx && p; i++) {
			p = strchr(p, ';');
			if (p)
				p++;
		}
		if (p) {
			size_t n = strcspn(p, ";");

			if (n >= len)
				return -1;
			memcpy(buf, p, n);
			buf[n] = '\0';
		}
	} else if (lwk_plugin.opt_set && lwk_plugin.opt) {
		if ((size_t)snprintf(buf, len, "%s", lwk_plugin.opt) >= len)
			return -1;
	}
	if (strcmp(buf, "none") == 0)
		buf[0] = '\0';
	return 0;
}

/* Union of the CPUs of every partition on the node (for non-LWK steps). */
static int live_partition_cpus(hwloc_bitmap_t out)
{
	struct lwk_partition *arr = NULL;
	size_t n = 0, i;

	hwloc_bitmap_zero(out);
	if (lwk_partition_list(lwk_plugin.pol.statedir, &arr, &n, &st.err))
		return -1;
	for (i = 0; i < n; i++)
		if (arr[i].cpus)
			hwloc_bitmap_or(out, out, arr[i].cpus);
	lwk_partition_list_free(arr, n);
	return 0;
}

/* The node's topology from the cache slurmd's start (or an earlier step)
 * left in the state directory; rediscovered and saved when stale. */
static int load_topo(void)
{
	char why[512];
	int rc;

	if (st.topo_ok)
		return 0;
	rc = lwk_topo_load_node(&st.topo, lwk_plugin.pol.statedir, LWK_TOPO_SAVE, why,
				sizeof(why), &st.err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		slurm_info("lwk: job %u step %u: topology discovered (%s)", st.job, st.step, why);
	st.topo_ok = 1;
	return 0;
}

/* The job's PUs on this node from Slurm's abstract core list. */
static int job_cpus(spank_t sp)
{
	char *cores = NULL;

	if (spank_get_item(sp, S_JOB_ALLOC_CORES, &cores) != ESPANK_SUCCESS || !cores || !*cores)
		return lwk_err_set(&st.err, EINVAL,
				   "Slurm did not say which cores the job has on this node");
	st.alloc = hwloc_bitmap_alloc();
	if (!st.alloc)
		return lwk_err_set(&st.err, ENOMEM, "out of memory");
	if (lwk_topo_slurm_cores(&st.topo, cores, st.alloc, &st.err))
		return lwk_err_prefix(&st.err, "job cores '%s'", cores);
	return 0;
}

/* --- The fork hop.
 * Once a partition exists, the native backend keeps every task of the root
 * cpuset (slurmd, slurmstepd) in a Linux cpuset without the LWK CPUs. Slurm
 * then forks the tasks there and binds each to its step's cores *before*
 * task_post_fork, which fails (EINVAL) whenever that binding lies on LWK
 * CPUs. So while it forks, slurmstepd waits in a cpuset with every CPU of
 * the step (the partition if it has them all, else the cpuset root);
 * task_post_fork then moves each task where it belongs (the partition, or
 * slurmstepd's own cpuset) and slurmstepd goes home after the last one. Not
 * needed when slurmstepd's cpuset already has all the step's CPUs
 * (task/cgroup's step cpusets).
 * A step without --lwk holds off the making of partitions (a shared lock
 * on the registry) from reading the LWK CPUs to its last task_post_fork, so
 * a partition made meanwhile cannot move it into the Linux cpuset between
 * its check and Slurm's binding. */

/* The PUs Slurm may bind this step's tasks to: the step's cores here. */
static hwloc_bitmap_t step_cpus(spank_t sp)
{
	char *cores = NULL;
	hwloc_bitmap_t b = hwloc_bitmap_alloc();

	if (!b)
		return NULL;
	if (spank_get_item(sp, S_STEP_ALLOC_CORES, &cores) != ESPANK_SUCCESS || !cores ||
	    !*cores || lwk_topo_slurm_cores(&st.topo, cores, b, NULL))
		hwloc_bitmap_copy(b, st.alloc);
	return b;
}

static void warm_join(void)
{
	if (st.warm)
		pthread_join(st.warm_th, NULL);
	st.warm = 0;
}

static void hop_out(spank_t sp)
{
	char root[PATH_MAX];
	hwloc_bitmap_t mine, want;
	struct lwk_err err;
	int rc;

	warm_join();
	if (!st.alloc || st.home[0])
		return;
	want = step_cpus(sp);
	mine = hwloc_bitmap_alloc();
	if (!want || !mine)
		goto out;
	if (hwloc_get_cpubind(st.topo.t, mine, HWLOC_CPUBIND_PROCESS) == 0 &&
	    hwloc_bitmap_isincluded(want, mine))
		goto out;
	if (lwk_cpuset_of("self", st.home, sizeof(st.home), root, sizeof(root))) {
		st.home[0] = '\0';
		goto out;
	}
	/* The partition, when it holds every CPU the tasks may be bound to,
	 * is the better waiting room: the root cpuset is emptied into the
	 * Linux cpuset whenever another partition is made meanwhile. */
	lwk_err_clear(&err);
	if (st.lwk && st.part_ok && hwloc_bitmap_isincluded(want, st.part.cpus))
		rc = lwk_partition_attach(lwk_plugin.pol.statedir, st.part.id, getpid(), &err);
	else
		rc = strcmp(st.home, root) == 0 ? -1 : lwk_cpuset_move(root, getpid());
	if (rc) {
		slurm_error("lwk: job %u step %u: cannot let slurmstepd fork outside its Linux cpuset; tasks bound to LWK cores may fail to start",
			    st.job, st.step);
		st.home[0] = '\0';
	}
out:
	if (want)
		hwloc_bitmap_free(want);
	if (mine)
		hwloc_bitmap_free(mine);
}

static void hop_back(void)
{
	if (!st.home[0])
		return;
	if (lwk_cpuset_move(st.home, getpid()))
		slurm_error("lwk: job %u step %u: slurmstepd could not return to cpuset %s: %s",
			    st.job, st.step, st.home, strerror(errno));
	st.home[0] = '\0';
}

/* --- The task's command line (argv.h). */

/* Is this step srun --multi-prog? srun says so (srun.c); a step from an srun
 * without the plugin: its argv looks like one ("FILE", "TEXT"). */
static int step_is_multi_prog(spank_t sp)
{
	char v[8];
	int argc = 0;
	char **argv = NULL;

	if (spank_getenv(sp, LWK_ENV_MULTI_PROG, v, sizeof(v)) == ESPANK_SUCCESS)
		return strcmp(v, "1") == 0;
	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || !argv)
		return 0;
	return argc == 2 && lwk_multi_prog_is_conf(argv[1]);
}

/* The program global task gtask runs, into buf. */
static int task_program(spank_t sp, uint32_t gtask, char *buf, size_t len)
{
	int argc = 0;
	char **argv = NULL;

	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || !argv)
		return lwk_err_set(&st.err, EINVAL, "Slurm did not give the step's command line");
	if (lwk_task_program(argc, argv, st.multi, gtask, buf, len))
		return lwk_err_set(&st.err, E2BIG, "the program of task %u is not readable from the "
				   "step's command line", gtask);
	return 0;
}

/* On a Slurm that cannot prepend lwkrun: a task of this node whose program
 * would run on Linux cores on backend b refuses the step (st.err). */
static int argv_refused(spank_t sp, enum lwk_backend_kind b)
{
	char prog[PATH_MAX];
	uint32_t i, g;

	if (LWK_HAVE_PREPEND_TASK_ARGV || (b != LWK_BACKEND_MCKERNEL && b != LWK_BACKEND_MOS))
		return 0;
	for (i = 0; i < (st.ntasks ? st.ntasks : 1); i++) {
		g = i;
		if (spank_get_item(sp, S_JOB_LOCAL_TO_GLOBAL_ID, i, &g) != ESPANK_SUCCESS)
			g = i;
		if (task_program(sp, g, prog, sizeof(prog)))
			return -1;
		if (lwk_argv_decide(b, prog, 0) == LWK_ARGV_REFUSE)
			return lwk_argv_refusal(&st.err, b, prog, SLURM_VERSION_NUMBER);
	}
	return 0;
}

/* In the task, after it was placed: lwkrun in front of a program that would
 * otherwise run on Linux cores (argv.h). task_init rather than
 * task_init_privileged: the user's own context, after the plugin exported
 * the LWK_* variables lwkrun reads, and only once the task is where it
 * belongs. Slurm resolves argv[0] against PATH after this: lwkrun= is
 * absolute and lwkrun finds the program as Slurm would. */
static int start_through_lwkrun(spank_t sp)
{
	char prog[PATH_MAX];
	uint32_t g = 0;
	enum lwk_argv_act act;

	if (st.part.backend != LWK_BACKEND_MCKERNEL && st.part.backend != LWK_BACKEND_MOS)
		return 0;
	if (spank_get_item(sp, S_TASK_GLOBAL_ID, &g) != ESPANK_SUCCESS)
		return lwk_err_set(&st.err, EINVAL, "Slurm did not give the task's id");
	if (task_program(sp, g, prog, sizeof(prog)))
		return -1;
	act = lwk_argv_decide(st.part.backend, prog, LWK_HAVE_PREPEND_TASK_ARGV);
	if (act == LWK_ARGV_REFUSE)	/* init_post_opt refuses it first */
		return lwk_argv_refusal(&st.err, st.part.backend, prog, SLURM_VERSION_NUMBER);
	if (act != LWK_ARGV_PREPEND)
		return 0;
#if LWK_HAVE_PREPEND_TASK_ARGV
	{
		const char *v[] = { lwk_plugin.lwkrun, "--" };
		spank_err_t rc;

		if (access(lwk_plugin.lwkrun, X_OK))
			return lwk_err_set(&st.err, errno, "cannot start '%.200s' through %.200s: %s: "
					   "install lwkrun on this node or give plugstack.conf's "
					   "lwkrun= its path (spank_lwk(8))", prog, lwk_plugin.lwkrun,
					   strerror(errno));
		rc = spank_prepend_task_argv(sp, 2, v);
		if (rc != ESPANK_SUCCESS)
			return lwk_err_set(&st.err, EINVAL, "cannot start '%.200s' through %.200s: "
					   "Slurm: %s", prog, lwk_plugin.lwkrun, spank_strerror(rc));
	}
#endif
	return 0;
}

/* Creates the job's partition or takes the existing one. */
static int provision(spank_t sp, const struct lwk_spec *spec)
{
	char id[LWK_ID_MAX], owner[LWK_ID_MAX];
	uint64_t mem_mb = 0;
	struct lwk_placement pl;
	struct lwk_create_req req;
	int rc;

	snprintf(id, sizeof(id), "job.%" PRIu32, st.job);
	snprintf(owner, sizeof(owner), "job:%" PRIu32, st.job);
	lwk_partition_init(&st.part);
	st.part_init = 1;
	if (lwk_partition_get(lwk_plugin.pol.statedir, id, &st.part, &st.err) == 0 &&
	    st.part.state == LWK_PART_LIVE) {
		slurm_info("lwk: job %u step %u: reusing partition %s", st.job, st.step, id);
		st.part_ok = 1;
		return 0;
	}
	lwk_partition_fini(&st.part);
	lwk_partition_init(&st.part);
	lwk_err_clear(&st.err);

	if (spank_get_item(sp, S_JOB_ALLOC_MEM, &mem_mb) != ESPANK_SUCCESS)
		mem_mb = 0;
	lwk_placement_init(&pl);
	if (lwk_place_irq(lwk_plugin.pol.statedir, &st.topo, &lwk_plugin.pol, spec, st.alloc,
			  mem_mb << 20, &pl, st.irq_note, sizeof(st.irq_note), &st.err)) {
		lwk_placement_fini(&pl);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.statedir = lwk_plugin.pol.statedir;
	req.id = id;
	req.owner = owner;
	req.backend = spec->backend;
	req.allowed = lwk_plugin.pol.backends;	/* auto: among what the site allows */
	req.pl = &pl;
	req.spec = st.spec_text;
	req.note = st.irq_note;
	rc = lwk_partition_create(&req, &st.part, &st.err);
	lwk_placement_fini(&pl);
	if (rc && st.err.code == EEXIST) {
		/* a concurrent step of the same job made it first */
		lwk_partition_fini(&st.part);
		lwk_partition_init(&st.part);
		lwk_err_clear(&st.err);
		rc = lwk_partition_get(lwk_plugin.pol.statedir, id, &st.part, &st.err);
	} else if (!rc) {
		hwloc_bitmap_t lin = hwloc_bitmap_alloc();

		st.made = 1;
		if (lin) {
			hwloc_bitmap_andnot(lin, st.alloc, st.part.cpus);
			lwk_trim_job_tasks(st.topo.t, st.job, st.part.cpus, lin);
			hwloc_bitmap_free(lin);
		}
	}
	if (rc)
		return -1;
	st.part_ok = 1;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int lwk_stepd_post_opt(spank_t sp)
{
	double t0 = now_ms(), t1 = t0, t2;
	char text[LWK_SPEC_MAX + 1];
	uint32_t ntasks = 0;
	uid_t uid = 0;
	gid_t gid = 0;
	int auto_be;
	struct lwk_spec spec;
	struct lwk_share sh;

	memset(&st, 0, sizeof(st));
	lwk_err_clear(&st.err);
	spank_get_item(sp, S_JOB_ID, &st.job);
	spank_get_item(sp, S_JOB_STEPID, &st.step);
	spank_get_item(sp, S_JOB_UID, &uid);
	spank_get_item(sp, S_JOB_GID, &gid);
	spank_get_item(sp, S_JOB_LOCAL_TASK_COUNT, &st.ntasks);
	st.multi = step_is_multi_prog(sp);
	if (step_spec(sp, text, sizeof(text))) {
		st.lwk = 1;
		lwk_err_set(&st.err, E2BIG, "the --lwk spec is longer than %d bytes", LWK_SPEC_MAX);
		fail("spec");
		return 0;
	}
	if (st.step >= SPECIAL_STEP_MIN)
		text[0] = '\0';	/* the batch script and extern steps stay on Linux */

	if (!text[0]) {
		/* No LWK: keep the step's tasks off every LWK core of the node.
		 * No partition is made or torn down until its tasks are forked
		 * and bound: one made meanwhile would find them (trim.c) or
		 * be found here, never neither. */
		if (st.ntasks) {
			st.hold = lwk_partition_hold(lwk_plugin.pol.statedir, &st.err);
			st.held = st.hold >= 0;
			if (!st.held)
				slurm_error("lwk: job %u step %u: %s", st.job, st.step, st.err.msg);
			lwk_err_clear(&st.err);
		}
		st.exclude = hwloc_bitmap_alloc();
		if (!st.exclude || live_partition_cpus(st.exclude)) {
			slurm_error("lwk: job %u step %u: cannot read the partition registry: %s",
				    st.job, st.step, st.err.msg);
			lwk_err_clear(&st.err);
			return 0;
		}
		if (!hwloc_bitmap_iszero(st.exclude)) {
			if (load_topo() || job_cpus(sp)) {
				fail("topology");
				return 0;
			}
			hop_out(sp);
		}
		return 0;
	}

	st.lwk = 1;
	/* the partition and the fork hop migrate tasks: take the kernel's
	 * wait for that now, beside the work below (cpuset.c) */
	st.warm = lwk_cpuset_warm(&st.warm_th) == 0;
	if (lwk_check_spec(&lwk_plugin.pol, text, uid, gid, &spec, &st.err)) {
		fail("spec");
		warm_join();
		return 0;
	}
	if (lwk_container_refused(sp, &st.err) ||	/* before anything is made */
	    lwk_container_backend_refused(sp, spec.backend, &st.err)) {
		lwk_spec_fini(&spec);
		fail("container");
		warm_join();
		return 0;
	}
	/* backend:auto: the one the partition would get (or -1: provisioning
	 * says why); checked again below against the partition's */
	auto_be = spec.backend == LWK_BACKEND_AUTO ?
		  lwk_partition_backend_for(LWK_BACKEND_AUTO, lwk_plugin.pol.backends) :
		  (int)spec.backend;
	if (auto_be >= 0 && argv_refused(sp, (enum lwk_backend_kind)auto_be)) {
		lwk_spec_fini(&spec);
		fail("command line");
		warm_join();
		return 0;
	}
	lwk_spec_format(&spec, st.spec_text, sizeof(st.spec_text));
	st.sched = spec.sched;
	st.pages = spec.pages;
	st.report = spec.report;
	if (load_topo() || job_cpus(sp) || ((t1 = now_ms()), provision(sp, &spec))) {
		lwk_err_prefix(&st.err, "cannot provision the LWK partition on this node");
		lwk_spec_fini(&spec);
		fail("provision");
		hop_out(sp);	/* the tasks must start to tell the user */
		return 0;
	}
	lwk_spec_fini(&spec);
	/* backend:auto found McKernel or mOS here */
	if (lwk_container_backend_refused(sp, st.part.backend, &st.err)) {
		fail("container");
		hop_out(sp);
		return 0;
	}
	if ((int)st.part.backend != auto_be && argv_refused(sp, st.part.backend)) {
		fail("command line");
		hop_out(sp);
		return 0;
	}
	/* more ranks than LWK cores is the user's error: say it before forking */
	if ((ntasks = st.ntasks) != 0) {
		lwk_share_init(&sh);
		if (lwk_share(&st.topo, st.part.cpus, 0, ntasks, 0, &sh, &st.err)) {
			lwk_share_fini(&sh);
			lwk_err_prefix(&st.err, "%u tasks on this node", ntasks);
			fail("share");
			/* Slurm may have bound a task to an LWK core, which the
			 * cpuset slurmstepd forks from lacks: the task must
			 * start to tell the user */
			hop_out(sp);
			return 0;
		}
		lwk_share_fini(&sh);
	}
	{
		char *c = NULL;

		hwloc_bitmap_list_asprintf(&c, st.part.cpus);
		t2 = now_ms();
		slurm_info("lwk: job %u step %u: partition %s (%s) on cpus %s (topology %.1f ms, partition %.1f ms)",
			   st.job, st.step, st.part.id, lwk_backend_name(st.part.backend),
			   c ? c : "?", t1 - t0, t2 - t1);
		free(c);
	}
	if (st.report)
		lwk_step_report_begin(lwk_plugin.pol.statedir, st.part.id, st.made, st.job,
				      st.step);
	hop_out(sp);
	return 0;
}

int lwk_stepd_user_init(spank_t sp)
{
	/* the list is for slurmstepd only; a nested srun recomputes its own */
	spank_unsetenv(sp, LWK_ENV_COMPONENTS);
	spank_unsetenv(sp, LWK_ENV_MULTI_PROG);
	return 0;
}

static void release_hold(void)
{
	if (st.held)
		lwk_partition_release(st.hold);
	st.held = 0;
}

int lwk_stepd_task_post_fork(spank_t sp)
{
	pid_t pid = 0;
	struct lwk_err err;

	lwk_err_clear(&err);
	st.forked++;
	if (spank_get_item(sp, S_TASK_PID, &pid) != ESPANK_SUCCESS || pid <= 0) {
		slurm_error("lwk: job %u step %u: no task pid", st.job, st.step);
		goto out;	/* the task finds out itself in task_init */
	}
	if (st.lwk && !st.failed && st.part_ok) {
		if (lwk_partition_attach(lwk_plugin.pol.statedir, st.part.id, pid, &err))
			slurm_error("lwk: job %u step %u: attach pid %d to %s: %s",
				    st.job, st.step, (int)pid, st.part.id, err.msg);
	} else if (st.home[0] && lwk_cpuset_move(st.home, pid)) {
		slurm_error("lwk: job %u step %u: cannot move task pid %d to cpuset %s: %s",
			    st.job, st.step, (int)pid, st.home, strerror(errno));
	}
out:
	if (st.forked >= st.ntasks) {
		hop_back();
		release_hold();
	}
	return 0;
}

/* Is this process in the partition's cgroup? (true if it has none) */
static int in_partition(void)
{
	char path[sizeof(st.part.cgroup) + 32], line[32];
	FILE *f;
	long me = (long)getpid();
	int found = 0;

	if (!st.part.cgroup[0])
		return 1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", st.part.cgroup);
	f = fopen(path, "r");
	if (!f) {
		snprintf(path, sizeof(path), "%s/tasks", st.part.cgroup);
		f = fopen(path, "r");
	}
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strtol(line, NULL, 10) == me;
	fclose(f);
	return found;
}

static int setenv_bitmap(spank_t sp, const char *name, hwloc_const_bitmap_t b)
{
	char *s = NULL;
	int rc;

	if (hwloc_bitmap_list_asprintf(&s, b) < 0 || !s)
		return -1;
	rc = spank_setenv(sp, name, s, 1) == ESPANK_SUCCESS ? 0 : -1;
	free(s);
	return rc;
}

/* The rank plan's view of the job environment the task will exec with. */
struct job_env {
	spank_t sp;
	char *buf;
	size_t len;
};

/* A value longer than 1 MiB (or one we have no memory for) counts as unset. */
static const char *job_env_get(void *ctx, const char *name)
{
	struct job_env *je = ctx;
	spank_err_t rc;
	char *nb;

	for (;;) {
		if (!je->buf) {
			je->len = 1024;
			je->buf = malloc(je->len);
			if (!je->buf)
				return NULL;
		}
		rc = spank_getenv(je->sp, name, je->buf, (int)je->len);
		if (rc == ESPANK_SUCCESS)
			return je->buf;
		if (rc != ESPANK_NOSPACE || je->len >= 1u << 20)
			return NULL;
		nb = realloc(je->buf, je->len * 2);
		if (!nb)
			return NULL;
		je->buf = nb;
		je->len *= 2;
	}
}

static int job_env_set(void *ctx, const char *name, const char *value)
{
	struct job_env *je = ctx;

	return spank_setenv(je->sp, name, value, 1) == ESPANK_SUCCESS ? 0 : ENOMEM;
}

/* This task's rank plan: local task id among the node's tasks of the step,
 * the partition, the spec's pages: and sched:, the user's environment. */
static int plan_task(spank_t sp)
{
	uint32_t rank = 0;
	struct job_env je = { .sp = sp };
	struct lwk_rank_req req;
	int rc;

	if (st.plan_ok)
		return 0;
	spank_get_item(sp, S_TASK_ID, &rank);
	memset(&req, 0, sizeof(req));
	req.backend = st.part.backend;
	req.cpus = st.part.cpus;
	req.mems = st.part.mems;
	req.pages = st.pages;
	req.sched = st.sched;
	req.rank = rank;
	req.size = st.ntasks ? st.ntasks : 1;
	req.getenv = job_env_get;
	req.getenv_ctx = &je;
	lwk_rank_plan_init(&st.plan);
	rc = lwk_rank_plan(&st.topo, &req, &st.plan, &st.err);
	free(je.buf);
	if (rc) {
		lwk_err_prefix(&st.err, "local task %u", rank);
		lwk_rank_plan_fini(&st.plan);
		return -1;
	}
	st.plan_ok = 1;
	return 0;
}

static int place_lwk_task(spank_t sp)
{
	struct job_env je = { .sp = sp };

	if (!in_partition())
		return lwk_err_set(&st.err, EPERM,
				   "task was not moved into LWK partition %s (see the slurmd log on this node)",
				   st.part.id);
	if (plan_task(sp))
		return -1;
	if (lwk_rank_bind(&st.topo, &st.plan, &st.err))
		return lwk_err_prefix(&st.err, "local task %u", st.plan.rank);
	if (spank_setenv(sp, LWK_ENV_PARTITION, st.part.id, 1) != ESPANK_SUCCESS ||
	    setenv_bitmap(sp, LWK_ENV_CPUS, st.part.cpus) ||
	    setenv_bitmap(sp, LWK_ENV_MEMS, st.part.mems) ||
	    spank_setenv(sp, LWK_ENV_BACKEND, lwk_backend_name(st.part.backend), 1) != ESPANK_SUCCESS ||
	    spank_setenv(sp, LWK_ENV_SPEC, st.spec_text, 1) != ESPANK_SUCCESS ||
	    spank_setenv(sp, LWK_ENV_STATEDIR, lwk_plugin.pol.statedir, 1) != ESPANK_SUCCESS)
		return lwk_err_set(&st.err, ENOMEM, "cannot set the LWK_* variables of the task");
	return lwk_rank_export(&st.plan, job_env_set, &je, &st.err);
}

/* A task of a step without --lwk: its affinity minus the LWK CPUs. */
static int place_linux_task(void)
{
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	int rc = -1;

	if (!cur)
		return lwk_err_set(&st.err, ENOMEM, "out of memory");
	if (hwloc_get_cpubind(st.topo.t, cur, HWLOC_CPUBIND_PROCESS))
		hwloc_bitmap_copy(cur, hwloc_topology_get_complete_cpuset(st.topo.t));
	hwloc_bitmap_andnot(cur, cur, st.exclude);
	if (hwloc_bitmap_iszero(cur)) {
		/* Slurm bound it to LWK cores only (e.g. the job's own): use the
		 * node's Linux cores */
		hwloc_bitmap_copy(cur, hwloc_topology_get_allowed_cpuset(st.topo.t));
		hwloc_bitmap_andnot(cur, cur, st.exclude);
	}
	if (hwloc_bitmap_iszero(cur)) {
		lwk_err_set(&st.err, EBUSY, "every CPU of this node is in an LWK partition; no Linux core is left for this step");
		goto out;
	}
	if (hwloc_set_cpubind(st.topo.t, cur, HWLOC_CPUBIND_PROCESS)) {
		lwk_err_set(&st.err, errno, "cannot keep the task off the LWK cores: %s",
			    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	hwloc_bitmap_free(cur);
	return rc;
}

/* A task of a step without --lwk, just before exec: the LWK CPUs of the
 * node as they are now. Slurm's task/affinity binds the task in the task
 * itself (pre_launch), after slurmstepd released its hold: a partition made
 * in between has moved the task's threads already (trim.c), but not this
 * binding. Partitions made after this read find the task bound for good. */
static int refresh_exclude(void)
{
	hwloc_bitmap_t now = hwloc_bitmap_alloc();

	if (!now || live_partition_cpus(now)) {
		/* keep what post_opt read: no worse than before */
		lwk_err_clear(&st.err);
		hwloc_bitmap_free(now);
		return hwloc_bitmap_iszero(st.exclude) || !st.topo_ok ? -1 : 0;
	}
	hwloc_bitmap_copy(st.exclude, now);
	hwloc_bitmap_free(now);
	if (hwloc_bitmap_iszero(st.exclude))
		return 0;
	if (load_topo()) {
		lwk_err_prefix(&st.err, "keeping this task off the LWK cores");
		st.failed = 1;
		return -1;
	}
	return 0;
}

/* In the task, as root, before it becomes the user: the task's rank plan,
 * and sched:fifo, which needs a privilege the user may lack (the policy
 * survives exec). Binding waits for task_init, which runs after Slurm's own
 * task binding and the attach to the partition (which resets affinity). */
int lwk_stepd_task_init_privileged(spank_t sp)
{
	if (!st.lwk || st.failed)
		return 0;
	if (plan_task(sp) || lwk_rank_sched(&st.plan, &st.err))
		st.failed = 1;	/* reported by task_init, on the task's stderr */
	return 0;
}

int lwk_stepd_task_init(spank_t sp)
{
	int rc = 0;

	if (!st.failed) {
		if (st.lwk)
			rc = place_lwk_task(sp) || start_through_lwkrun(sp);
		else if (st.exclude && refresh_exclude() == 0 && !hwloc_bitmap_iszero(st.exclude))
			rc = place_linux_task();
		if (rc)
			st.failed = 1;
	}
	if (st.failed) {
		lwk_user_error(&st.err);
		return -1;
	}
	if (st.lwk && st.made && st.irq_note[0] && st.plan.rank == 0)
		/* once per node, by the step that made the partition */
		fprintf(stderr, "lwk: job %u step %u: %s; a site can keep them off LWK-capable CPUs (lwkpart check, isolcpus=managed_irq; lwkpart(8))\n",
			st.job, st.step, st.irq_note);
	if (st.lwk)
		lwk_step_report_task_init(st.plan.rank);
	return 0;
}

int lwk_stepd_task_exit(spank_t sp)
{
	if (st.lwk)
		lwk_step_report_task_exit(st.ntasks ? st.ntasks : 1);
	return 0;
}

int lwk_stepd_exit(spank_t sp)
{
	warm_join();
	hop_back();
	release_hold();
	lwk_step_report_end();
	if (st.part_init)
		lwk_partition_fini(&st.part);
	if (st.topo_ok)
		lwk_topo_fini(&st.topo);
	if (st.exclude)
		hwloc_bitmap_free(st.exclude);
	if (st.alloc)
		hwloc_bitmap_free(st.alloc);
	memset(&st, 0, sizeof(st));
	return 0;
}
