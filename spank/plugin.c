/* spank_lwk: registers --lwk and dispatches each SPANK callback to the file
 * of its context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwk_spank.h"

SPANK_PLUGIN(lwk, 1);

#if LWK_HAVE_INIT_FAILURE_MODE
/* 25.05+: what a failing slurm_spank_init means. It fails only on a broken
 * site configuration (plugstack.conf arguments, lwk.conf), never on anything
 * a user wrote (--lwk is checked later, and a user's bad spec fails only the
 * job, from task_init). A node whose configuration fails every job is to be
 * drained, not to eat job after job: Slurm's default, chosen explicitly. */
int slurm_spank_init_failure_mode = ESPANK_NODE_FAILURE;
#endif

struct lwk_plugin lwk_plugin;

/* Only remembers the value: what it means depends on the hetjob component
 * and the allocation, which init_post_opt knows. Runs more than once (the
 * environment from sbatch/salloc, then the command line). */
static int opt_lwk(int val, const char *optarg, int remote)
{
	char *v = strdup(optarg ? optarg : "");

	if (!v)
		return -1;
	free(lwk_plugin.opt);
	lwk_plugin.opt = v;
	lwk_plugin.opt_set = 1;
	lwk_plugin.opt_seq++;
	return 0;
}

struct spank_option lwk_options[] = {
	{ "lwk", "SPEC",
	  "Run this step's tasks in a lightweight-kernel partition of the job's cores: "
	  "SPEC is none or items like cores:N|N%|all,mem:SIZE|N%,numa:LIST,util:N,"
	  "pages:4k|2m|1g,sched:fifo|normal,backend:auto|native|mckernel|mos,report:on|off "
	  "(see spank_lwk(8))",
	  1, 0, opt_lwk },
	SPANK_OPTIONS_TABLE_END
};

void lwk_user_error(const struct lwk_err *err)
{
	lwk_err_print(err, stderr);
	fflush(stderr);
}

int lwk_args_ready(int ac, char **av)
{
	spank_context_t ctx = spank_context();
	struct lwk_err err;

	if (lwk_plugin.ready)
		return 0;
	lwk_err_clear(&err);
	if (lwk_args_parse(&lwk_plugin, ac, av, &err)) {
		lwk_err_prefix(&err, "plugstack.conf");
		if (ctx == S_CTX_LOCAL || ctx == S_CTX_ALLOCATOR)
			lwk_user_error(&err);
		slurm_error("lwk: %s", err.msg);
		lwk_policy_fini(&lwk_plugin.pol);
		return -1;
	}
	lwk_plugin.ready = 1;
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();

	if (lwk_args_ready(ac, av))
		return -1;
	if (ctx != S_CTX_SLURMD && ctx != S_CTX_ERROR &&
	    spank_option_register(sp, &lwk_options[0]) != ESPANK_SUCCESS) {
		slurm_error("lwk: could not register --lwk");
		return -1;
	}
	switch (ctx) {
	case S_CTX_LOCAL:
		return lwk_srun_init(sp);
	case S_CTX_SLURMD:
		return lwk_slurmd_init(sp);
	default:
		return 0;
	}
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	switch (spank_context()) {
	case S_CTX_LOCAL:
		return lwk_srun_post_opt(sp);
	case S_CTX_ALLOCATOR:
		return lwk_alloc_post_opt(sp);
	case S_CTX_REMOTE:
		return lwk_stepd_post_opt(sp);
	default:
		return 0;
	}
}

int slurm_spank_local_user_init(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_LOCAL ? lwk_srun_user_init(sp) : 0;
}

int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_REMOTE ? lwk_stepd_user_init(sp) : 0;
}

int slurm_spank_task_post_fork(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_REMOTE ? lwk_stepd_task_post_fork(sp) : 0;
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_REMOTE ? lwk_stepd_task_init_privileged(sp) : 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_REMOTE ? lwk_stepd_task_init(sp) : 0;
}

int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	return spank_context() == S_CTX_REMOTE ? lwk_stepd_task_exit(sp) : 0;
}

/* Slurm runs the job epilog without slurm_spank_init. There is no job
 * prolog on purpose: for a plugin that has one, slurmd execs a slurmstepd
 * to run it at the start of every job on every node, LWK or not. */
int slurm_spank_job_epilog(spank_t sp, int ac, char **av)
{
	return lwk_args_ready(ac, av) ? -1 : lwk_job_epilog(sp);
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	int rc = 0;

	switch (spank_context()) {
	case S_CTX_LOCAL:
		rc = lwk_srun_exit(sp);
		break;
	case S_CTX_REMOTE:
		rc = lwk_stepd_exit(sp);
		break;
	default:
		break;
	}
	if (lwk_plugin.ready)
		lwk_policy_fini(&lwk_plugin.pol);
	free(lwk_plugin.opt);
	memset(&lwk_plugin, 0, sizeof(lwk_plugin));
	return rc;
}
