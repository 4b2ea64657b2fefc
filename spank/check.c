/* The one validation of a --lwk spec, shared by srun, sbatch/salloc and
 * slurmstepd: syntax, who may use the LWK, site bounds and defaults. What
 * depends on the node (cores, memory) is checked where the node is known. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwk_spank.h"

int lwk_check_spec(const struct lwk_policy *pol, const char *text, uid_t uid, gid_t gid,
		   struct lwk_spec *out, struct lwk_err *err)
{
	/* the same check lwkpart check-spec makes for the PBS hooks */
	return lwk_spec_check(pol, text, uid, gid, out, err);
}

int lwk_layer_specs(const char *base, const char *over, char *out, size_t len,
		    struct lwk_err *err)
{
	struct lwk_spec b, o;
	int rc = -1;

	lwk_spec_init(&b);
	lwk_spec_init(&o);
	/* over NULL: not given; "" was given and is an error like any typo */
	if (!over) {
		over = base && *base ? base : "none";
		base = NULL;
	}
	if (lwk_spec_parse(&o, over, err))
		goto out;
	if (base && *base) {
		if (lwk_spec_parse(&b, base, err)) {
			lwk_err_prefix(err, "--lwk of the allocation");
			goto out;
		}
		if (lwk_spec_merge(&b, &o)) {
			lwk_err_set(err, ENOMEM, "out of memory");
			goto out;
		}
		if ((size_t)lwk_spec_format(&b, out, len) >= len) {
			lwk_err_set(err, E2BIG, "the combined --lwk spec is too long");
			goto out;
		}
	} else if ((size_t)lwk_spec_format(&o, out, len) >= len) {
		lwk_err_set(err, E2BIG, "the --lwk spec is too long");
		goto out;
	}
	rc = 0;
out:
	lwk_spec_fini(&b);
	lwk_spec_fini(&o);
	return rc;
}
