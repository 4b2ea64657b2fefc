/* spank_lwk: the SPANK layer over liblwk.
 *
 * plugin.c registers --lwk and dispatches every callback on spank_context()
 * to one file per context: srun.c (local), alloc.c (sbatch/salloc),
 * stepd.c (remote: slurmstepd), job_script.c (job epilog), slurmd.c.
 * args.c turns the plugstack arguments into the site policy, check.c is the
 * one spec validation every context shares, argv.c decides whether a task
 * of a mckernel/mos step starts through lwkrun (argv.h).
 *
 * How a step's spec travels (found on Slurm 22.05, see spank_lwk(8)):
 * srun keeps one value per option for all hetjob components (the last
 * --lwk wins for every component) and sbatch/salloc pass theirs in the
 * environment (SLURM_SPANK__SLURM_SPANK_OPTION_lwk_lwk inside the job). So
 * srun computes each component's effective spec itself (allocation spec with
 * the component's own --lwk items on top, "none" opting out) and hands the
 * list to slurmstepd in LWK_ENV_COMPONENTS; slurmstepd re-validates its
 * component's entry and falls back to the forwarded option value when the
 * list is absent.
 */
#ifndef LWK_SPANK_H
#define LWK_SPANK_H

#include <hwloc.h>
#include <pthread.h>
#include <slurm/spank.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurm_version.h>

#include "argv.h"
#include "error.h"
#include "policy.h"
#include "spec.h"

#define PLUGIN_NAME "lwk"

/* What the Slurm series built against offers (one build per series: a
 * plugin built for one does not load in another). Taken from the headers,
 * not from configure, so that the compile check against every series'
 * headers (tests/slurm-headers/run) sees what a real build would. */
#define LWK_SLURM_AT_LEAST(a, b) (SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(a, b, 0))
/* 25.05: slurm_spank_init_failure_mode (ESPANK_NODE_FAILURE/JOB_FAILURE) */
#define LWK_HAVE_INIT_FAILURE_MODE LWK_SLURM_AT_LEAST(25, 5)
/* 23.11: spank_prepend_task_argv(), in task_init_privileged and task_init.
 * configure finds its declaration (AC_CHECK_DECLS); the compile check
 * against another series' headers (make spank-series-check) passes what
 * those headers declare as LWK_SERIES_PREPEND instead. */
#if defined(LWK_SERIES_PREPEND)
#define LWK_HAVE_PREPEND_TASK_ARGV LWK_SERIES_PREPEND
#elif defined(HAVE_DECL_SPANK_PREPEND_TASK_ARGV)
#define LWK_HAVE_PREPEND_TASK_ARGV HAVE_DECL_SPANK_PREPEND_TASK_ARGV
#else
#define LWK_HAVE_PREPEND_TASK_ARGV 0
#endif
/* the lwkrun the plugin prepends (plugstack.conf lwkrun=; spank/local.mk) */
#ifndef LWK_LWKRUN_PATH
#define LWK_LWKRUN_PATH "/usr/bin/lwkrun"
#endif

/* srun -> slurmstepd: "SPEC0;SPEC1;..." canonical specs, one per hetjob
 * component (one entry for an ordinary step), "none" for no LWK. */
#define LWK_ENV_COMPONENTS "SLURM_LWK_COMPONENT_SPECS"
/* sbatch/salloc's --lwk as srun sees it inside the allocation */
#define LWK_ENV_ALLOC_OPT "SLURM_SPANK__SLURM_SPANK_OPTION_lwk_lwk"
#define LWK_ENV_ALLOC_OPT_RAW "_SLURM_SPANK_OPTION_lwk_lwk"
/* srun -> slurmstepd: "1" when the step is srun --multi-prog (its argv is
 * then the configuration's name and text), "0" when not */
#define LWK_ENV_MULTI_PROG "SLURM_LWK_MULTI_PROG"

struct lwk_plugin {
	struct lwk_policy pol;
	char conf[4096];		/* lwk.conf used, "" if none */
	char lwkrun[4096];		/* lwkrun= (absolute), prepended on mckernel/mos */
	char *opt;			/* last --lwk value seen by the callback */
	int opt_set;			/* callback ran */
	int opt_seq;			/* times the callback ran */
	int ready;			/* args parsed (init ran) */
};

extern struct lwk_plugin lwk_plugin;
extern struct spank_option lwk_options[];

/* args.c: plugstack arguments (key=value; unknown keys are errors) and
 * lwk.conf into lwk_plugin.pol. */
int lwk_args_parse(struct lwk_plugin *pl, int ac, char **av, struct lwk_err *err);
/* Parses them once; for contexts where Slurm skips slurm_spank_init. */
int lwk_args_ready(int ac, char **av);

/* check.c: parses text, checks the user and the site policy, fills in site
 * defaults. out is initialised in any case; free with lwk_spec_fini. */
int lwk_check_spec(const struct lwk_policy *pol, const char *text, uid_t uid, gid_t gid,
		   struct lwk_spec *out, struct lwk_err *err);
/* merge(base, over) in canonical text form. over NULL: not given (base, or
 * "none" without one); over "" is parsed, so it is an error. */
int lwk_layer_specs(const char *base, const char *over, char *out, size_t len,
		    struct lwk_err *err);

/* one entry point per callback and context */
int lwk_srun_init(spank_t sp);
int lwk_srun_post_opt(spank_t sp);
int lwk_srun_user_init(spank_t sp);
int lwk_srun_exit(spank_t sp);

int lwk_alloc_post_opt(spank_t sp);

/* container.c: an LWK step's --container (SLURM_CONTAINER) against oci.conf
 * and the bundle (oci.h); 0 when there is none or it is acceptable. */
int lwk_container_refused(spank_t sp, struct lwk_err *err);
/* A --container step on the mckernel or mos backend: refused (the command
 * oci.conf's RunTimeRun names is run without the task's environment, so it
 * cannot learn the partition nor put mcexec/yod in front); 0 otherwise. */
int lwk_container_backend_refused(spank_t sp, enum lwk_backend_kind b, struct lwk_err *err);

int lwk_stepd_post_opt(spank_t sp);
int lwk_stepd_user_init(spank_t sp);
int lwk_stepd_task_post_fork(spank_t sp);
int lwk_stepd_task_init_privileged(spank_t sp);
int lwk_stepd_task_init(spank_t sp);
int lwk_stepd_task_exit(spank_t sp);
int lwk_stepd_exit(spank_t sp);

/* step_report.c: the step's noise on local task 0's stderr at its end.
 * begin (slurmstepd, before the fork; made: this step made the partition),
 * task_init (in each task, before exec), task_exit (slurmstepd, per task),
 * end (slurmstepd: releases everything; safe to call twice). */
int lwk_step_report_begin(const char *statedir, const char *id, int made, uint32_t job,
			  uint32_t step);
void lwk_step_report_task_init(uint32_t local_id);
void lwk_step_report_task_exit(unsigned ntasks);
void lwk_step_report_end(void);

int lwk_job_epilog(spank_t sp);

/* drain.c: for a node the job epilog could not restore. The reason an
 * admin sees in `scontrol show node`, one line: "lwk: job N: node not
 * restored: CAUSE; fix that, run lwkpart [--statedir DIR] reap --job N, then
 * scontrol update nodename=NODE state=resume" (-1 if cut to len). */
int lwk_drain_reason(char *buf, size_t len, uint32_t job, const char *node, const char *statedir,
		     const char *cause);
/* Drains this node (SLURMD_NODENAME) with that reason through scontrol
 * (LWK_SCONTROL, fixed at configure time); 0 when scontrol did it. */
int lwk_drain_node(uint32_t job, const char *cause);

int lwk_slurmd_init(spank_t sp);

/* cpuset.c: the cpuset directory of process pid ("self" or a number) and
 * the root of its hierarchy; moves process pid (all threads) into dir. */
int lwk_cpuset_of(const char *pid, char *dir, size_t len, char *root, size_t rlen);
int lwk_cpuset_move(const char *dir, pid_t pid);
/* Starts a thread that takes the kernel's wait before a first cgroup
 * migration now, in parallel (cpuset.c); pthread_join it before forking. */
int lwk_cpuset_warm(pthread_t *th);

/* trim.c: after the job's partition was made on this node, the threads of
 * the job's earlier steps lose the LWK CPUs from their affinity (those
 * bound to LWK CPUs only get linux_cpus, the job's other CPUs here). */
void lwk_trim_job_tasks(hwloc_topology_t t, uint32_t job, hwloc_const_bitmap_t lwk,
			hwloc_const_bitmap_t linux_cpus);

/* prints "lwk: MSG" where the user sees it (local contexts: stderr) */
void lwk_user_error(const struct lwk_err *err);

#endif
