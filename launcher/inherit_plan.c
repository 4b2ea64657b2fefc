/* The plugin's plan as the full lwkrun's plan (inherit.h): apart from
 * inherit.c because a mckernel partition's instance is looked up in the
 * registry, which the static front does not link. */
#include <stdio.h>
#include <stdlib.h>

#include "exec.h"
#include "inherit.h"

int lwkrun_plan_inherit(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
			struct lwkrun_plan *out, struct lwk_err *err)
{
	struct lwkrun_inherited in;
	struct lwkrun_part *part = &in.part;
	struct lwk_rank_plan *r = &out->rank;
	unsigned n;
	int ret = 0;

	lwkrun_inherited_init(&in);
	if (!r->cpus || !r->mems || !out->part_cpus ||
	    lwkrun_inherit_check(loc, envp, prog, &in, err) != 1)
		goto out;
	if (part->backend == LWK_BACKEND_MCKERNEL && part->id[0] &&
	    lwkrun_part_mck_instance(envp, part, err))
		goto out;
	out->local = *loc;
	out->part_src = part->src;
	snprintf(out->part_id, sizeof(out->part_id), "%s", part->id);
	hwloc_bitmap_copy(out->part_cpus, part->cpus);
	out->backend = part->backend;
	hwloc_bitmap_copy(r->cpus, in.cpus);
	hwloc_bitmap_copy(r->mems, in.mems);
	r->rank = in.rank;
	r->size = in.size;
	r->backend = part->backend;
	r->bind = false;	/* done by the plugin, as checked */
	n = (unsigned)hwloc_bitmap_weight(r->cpus);
	r->ncores = part->backend == LWK_BACKEND_NATIVE ? n : n / in.size + (in.rank < n % in.size);
	out->argv = lwkrun_exec_line(part->backend, loc->size, part->mck_os, prog, out->nbuf,
				     out->osbuf, sizeof(out->nbuf));
	ret = out->argv != NULL;
out:
	lwkrun_inherited_fini(&in);
	return ret;
}
