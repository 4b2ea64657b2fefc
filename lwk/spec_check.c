/* The one validation of a user's LWK spec, for every front end (the Slurm
 * plugin's srun/sbatch/slurmstepd contexts, lwkpart for the PBS hooks):
 * syntax, who may use the LWK, site bounds and defaults. What depends on the
 * node (cores, memory) is checked where the node is known (lwk_place). */
#include "policy.h"

int lwk_spec_check(const struct lwk_policy *pol, const char *text, uid_t uid, gid_t gid,
		   struct lwk_spec *out, struct lwk_err *err)
{
	lwk_spec_init(out);
	if (lwk_spec_parse(out, text, err))
		return -1;
	if (out->none)
		return 0;
	if (lwk_policy_check_user(pol, uid, gid, err) || lwk_policy_apply(pol, out, err)) {
		lwk_spec_fini(out);
		lwk_spec_init(out);
		return -1;
	}
	return 0;
}
