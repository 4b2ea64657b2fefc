/* sbatch and salloc (allocator context): a bad --lwk is rejected before the
 * job is submitted. The value itself reaches the job's steps through the
 * environment Slurm exports for SPANK options (see srun.c). */
#include <unistd.h>

#include "lwk_spank.h"

int lwk_alloc_post_opt(spank_t sp)
{
	struct lwk_spec s;
	struct lwk_err err;

	if (!lwk_plugin.opt_set)
		return 0;
	lwk_err_clear(&err);
	if (lwk_check_spec(&lwk_plugin.pol, lwk_plugin.opt, getuid(), getgid(), &s, &err)) {
		lwk_user_error(&err);
		return -1;
	}
	lwk_spec_fini(&s);
	return 0;
}
