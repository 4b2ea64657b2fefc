/* An OCI bundle for lwkrun --container: the user's config.json, checked and
 * turned into a private copy that keeps the container in the rank's share.
 *
 * lwkrun_bundle_load reads BUNDLE/config.json and refuses, with one error
 * naming the setting and the fix, what would let the container leave the
 * LWK partition: an absolute linux.cgroupsPath (a runtime puts the container
 * at that place in the node's hierarchy, outside the partition).
 *
 * lwkrun_bundle_write writes the copy that the runtime is given:
 *   root.path         absolute (the copy lives elsewhere);
 *   process.args      the rank's exec line (PROGRAM ARGS... if given, else
 *                     the bundle's own; with mcexec/yod in front on those
 *                     backends), process.terminal false (stdio passes
 *                     through, as for a bare rank);
 *   process.env       the bundle's, with the LWK_*, OMP_*, GLIBC_TUNABLES,
 *                     MPI_LOCAL*, PMIX_*, OMPI_* and SLURM_* variables of
 *                     lwkrun's own environment set over it;
 *   linux.cgroupsPath a place below lwkrun's own cgroup, the partition's (a
 *                     relative name on cgroup v1, the full path on v2, where
 *                     runc would take a relative one below the parent);
 *   linux.resources.cpu.cpus/mems  the rank's share, so that cpuset is the
 *                     share and not the whole partition;
 *   mckernel/mos (struct lwkrun_ctr_host): process.args[0] the host's
 *                     mcexec/yod by its absolute path, bind mounts (appended
 *                     to mounts, so after the image's /dev and /sys) of what
 *                     it needs at the same paths, and for a device node a
 *                     linux.resources.devices rule that lets it be opened.
 * Nothing else of the bundle is changed; the bundle itself is never written.
 */
#ifndef LWKRUN_BUNDLE_H
#define LWKRUN_BUNDLE_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"

struct lwkrun_bundle {
	char dir[4096];			/* the user's bundle, absolute */
	void *config;			/* its config.json (json-c object) */
	char **args;			/* its process.args, NULL-terminated */
};

#define LWKRUN_CTR_MOUNTS 4

/* What the container's mcexec or yod needs of the host (container.h). */
struct lwkrun_ctr_host {
	char prog[4096];		/* mcexec/yod, absolute: process.args[0] */
	unsigned nmounts;
	struct {
		char path[4096];	/* bound at the same path inside */
		bool ro;
	} mount[LWKRUN_CTR_MOUNTS];
	unsigned ndevs;
	struct {
		char type;		/* 'c' or 'b' */
		unsigned major, minor;
	} dev[LWKRUN_CTR_MOUNTS];	/* device nodes among the mounts */
};

void lwkrun_bundle_init(struct lwkrun_bundle *b);
void lwkrun_bundle_fini(struct lwkrun_bundle *b);

int lwkrun_bundle_load(const char *dir, struct lwkrun_bundle *b, struct lwk_err *err);

/* Writes the copy into outdir/config.json; cgroup_name: its
 * linux.cgroupsPath; envp: lwkrun's environment after the plan was applied;
 * host: NULL on the native backend. */
int lwkrun_bundle_write(const struct lwkrun_bundle *b, const struct lwkrun_plan *plan,
			char *const *envp, const char *cgroup_name,
			const struct lwkrun_ctr_host *host, const char *outdir,
			struct lwk_err *err);

#endif
