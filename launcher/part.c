/* The partition from the environment with its McKernel instance, from the
 * registry, or from the caller's affinity (part.h); part_env.c reads the
 * variables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "mckernel.h"
#include "mos.h"
#include "localrank.h"
#include "part.h"

/* lwk_path from a recorded partition (NULL: the environment's settings). */
static void set_lwk_path(struct lwkrun_part *out, const struct lwk_partition *rp)
{
	const char *dev;
	const char *slash;

	out->lwk_path[0] = '\0';
	if (out->backend == LWK_BACKEND_MOS) {
		lwk_mos_sysfs(rp, out->lwk_path, sizeof(out->lwk_path));
	} else if (out->backend == LWK_BACKEND_MCKERNEL) {
		if (rp && lwk_mck_os_device(rp, out->lwk_path, sizeof(out->lwk_path)) == 0)
			return;
		/* mcexec without an instance number opens /dev/mcos0 */
		dev = getenv("LWK_IHK_DEV");
		if (!dev || !*dev)
			dev = "/dev/mcd0";
		slash = strrchr(dev, '/');
		snprintf(out->lwk_path, sizeof(out->lwk_path), "%.*s/mcos%d",
			 slash ? (int)(slash - dev) : 1, slash ? dev : ".",
			 out->mck_os < 0 ? 0 : out->mck_os);
	}
}

int lwkrun_part_mck_instance(char *const *envp, struct lwkrun_part *out, struct lwk_err *err)
{
	/* Several jobs' instances can live side by side: mcexec must be
	 * told which one is this partition's. */
	const char *sd = lwkrun_getenv(envp, LWK_ENV_STATEDIR);
	struct lwk_partition rp;
	int rc;

	lwk_partition_init(&rp);
	rc = lwk_partition_get(sd && *sd ? sd : NULL, out->id, &rp, err);
	if (!rc) {
		out->mck_os = lwk_mck_os_index(&rp);
		set_lwk_path(out, &rp);
	}
	lwk_partition_fini(&rp);
	if (rc)
		return lwk_err_prefix(err, "%s=%s (its McKernel instance)", LWK_ENV_PARTITION,
				      out->id);
	if (out->mck_os < 0)
		return lwk_err_set(err, ENOENT, "partition '%s' has no McKernel instance "
				   "recorded: is it a live mckernel partition (lwkpart show %s)?",
				   out->id, out->id);
	return 0;
}

int lwkrun_part_from_env(const struct lwk_topo *tp, char *const *envp,
			 struct lwkrun_part *out, struct lwk_err *err)
{
	int rc = lwkrun_part_read_env(envp, out, err);

	if (rc != 1)
		return rc;
	if (hwloc_bitmap_iszero(out->mems)) {	/* LWK_MEMS unset or empty */
		if (!tp)
			return lwk_err_set(err, EINVAL, "%s is not set", LWK_ENV_MEMS);
		lwk_topo_cpus_to_mems(tp, out->cpus, out->mems);
	}
	if (out->backend == LWK_BACKEND_MCKERNEL && out->id[0]) {
		if (lwkrun_part_mck_instance(envp, out, err))
			return -1;
	} else if (out->backend == LWK_BACKEND_MOS && out->id[0]) {
		/* the sysfs directory the partition was made with, if the
		 * registry is at hand; else the environment's */
		const char *sd = lwkrun_getenv(envp, LWK_ENV_STATEDIR);
		struct lwk_partition rp;
		struct lwk_err ignored;

		lwk_partition_init(&rp);
		lwk_err_clear(&ignored);
		set_lwk_path(out, lwk_partition_get(sd && *sd ? sd : NULL, out->id, &rp,
						     &ignored) ? NULL : &rp);
		lwk_partition_fini(&rp);
	} else {
		set_lwk_path(out, NULL);
	}
	return 1;
}

int lwkrun_part_from_registry(const char *statedir, const char *id,
			      struct lwkrun_part *out, struct lwk_err *err)
{
	struct lwk_partition p;
	int ret = -1;

	lwk_partition_init(&p);
	if (lwk_partition_get(statedir, id, &p, err))
		goto out;	/* its message names the id and what to do */
	if (p.state != LWK_PART_LIVE) {
		lwk_err_set(err, EAGAIN, "partition '%s' is %s, not live: wait for it or pick "
			    "another (lwkpart list)", id, lwk_part_state_name(p.state));
		goto out;
	}
	out->src = LWKRUN_PART_REGISTRY;
	out->prebound = false;
	snprintf(out->id, sizeof(out->id), "%s", p.id);
	out->backend = p.backend == LWK_BACKEND_AUTO ? LWK_BACKEND_NATIVE : p.backend;
	hwloc_bitmap_copy(out->cpus, p.cpus);
	hwloc_bitmap_copy(out->mems, p.mems);
	if (lwkrun_part_spec("recorded spec", p.spec, out, err))
		goto out;
	out->pages = p.pages;	/* what the partition was actually given */
	out->mck_os = lwk_mck_os_index(&p);
	set_lwk_path(out, &p);
	ret = 0;
out:
	lwk_partition_fini(&p);
	return ret;
}

int lwkrun_part_from_affinity(const struct lwk_topo *tp, hwloc_const_bitmap_t cpus,
			      struct lwkrun_part *out, struct lwk_err *err)
{
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(tp->t);

	if (hwloc_bitmap_iszero(cpus))
		return lwk_err_set(err, EINVAL, "the caller's CPU affinity is empty");
	out->src = LWKRUN_PART_AFFINITY;
	out->id[0] = '\0';
	out->backend = LWK_BACKEND_NATIVE;
	out->pages = LWK_PAGES_4K;
	out->sched = LWK_SCHED_NORMAL;
	out->mck_os = -1;
	out->lwk_path[0] = '\0';
	hwloc_bitmap_copy(out->cpus, cpus);
	lwk_topo_cpus_to_mems(tp, out->cpus, out->mems);
	/* All we may use: the local ranks share it. Less: the outer launcher
	 * (srun's or mpirun's binding) already gave this rank its cores. */
	out->prebound = allowed && !hwloc_bitmap_isincluded(allowed, cpus);
	return 0;
}
