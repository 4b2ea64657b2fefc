/* slurmstepd: an LWK step started with srun --container is checked against
 * the node's oci.conf and the user's bundle (oci.h) before its partition is
 * provisioned. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwk_spank.h"
#include "oci.h"
#include "sysfile.h"

/* Where Debian's Slurm reads its configuration when SLURM_CONF is unset */
#define SLURM_CONF_DEFAULT "/etc/slurm/slurm.conf"

/* An MPI step in containers: SLURM_MPI_TYPE (srun's --mpi, else
 * MpiDefault) and the step's node count against oci.conf and slurm.conf. */
static int mpi_refused(spank_t sp, const char *bundle, const char *oci,
		       const char *slurm_conf_path, struct lwk_err *err)
{
	char mpi[64];
	uint32_t nnodes = 0;
	char *sc = NULL;
	struct lwk_oci_mpi m = {
		.bundle = bundle, .pmix_in_containers = LWK_SLURM_AT_LEAST(23, 2),
		.oci = oci,
	};
	int rc;

	if (spank_getenv(sp, "SLURM_MPI_TYPE", mpi, sizeof(mpi)) != ESPANK_SUCCESS)
		return 0;
	m.mpi = mpi;
	if (spank_get_item(sp, S_JOB_NNODES, &nnodes) != ESPANK_SUCCESS)
		nnodes = 0;
	m.nnodes = nnodes;
	if (lwk_read_all(slurm_conf_path, &sc, NULL) < 0)
		sc = NULL;
	m.slurm_conf = sc;
	rc = lwk_oci_mpi_check(&m, err);
	free(sc);
	return rc;
}

int lwk_container_refused(spank_t sp, struct lwk_err *err)
{
	char bundle[PATH_MAX], conf[PATH_MAX], sconf[PATH_MAX], *slash, *text;
	const char *sc;
	int rc;

	if (spank_getenv(sp, "SLURM_CONTAINER", bundle, sizeof(bundle)) != ESPANK_SUCCESS ||
	    !bundle[0])
		return 0;
	/* slurmstepd's own SLURM_CONF (set by slurmd), never the job's: oci.conf
	 * sits beside slurm.conf */
	sc = getenv("SLURM_CONF");
	snprintf(conf, sizeof(conf), "%s", sc && *sc ? sc : SLURM_CONF_DEFAULT);
	snprintf(sconf, sizeof(sconf), "%s", conf);
	slash = strrchr(conf, '/');
	snprintf(slash ? slash + 1 : conf, sizeof(conf) - (slash ? (size_t)(slash + 1 - conf) : 0),
		 "oci.conf");
	if (lwk_read_all(conf, &text, NULL) < 0)
		return lwk_err_set(err, ENOENT, "--container: cannot read %s, which says how "
				   "Slurm starts containers (doc/containers.md)", conf);
	rc = lwk_oci_conf_check(text, conf, err) || lwk_oci_bundle_check(bundle, err) ||
	     mpi_refused(sp, bundle, text, sconf, err) ? -1 : 0;
	free(text);
	return rc;
}

int lwk_container_backend_refused(spank_t sp, enum lwk_backend_kind b, struct lwk_err *err)
{
	char bundle[PATH_MAX];

	if (b != LWK_BACKEND_MCKERNEL && b != LWK_BACKEND_MOS)
		return 0;
	if (spank_getenv(sp, "SLURM_CONTAINER", bundle, sizeof(bundle)) != ESPANK_SUCCESS ||
	    !bundle[0])
		return 0;
	return lwk_err_set(err, EINVAL, "--container on the %s backend: Slurm starts the "
			   "container without the step's partition, so its program would not go "
			   "through %s: run 'srun --lwk=... lwkrun --container=%s -- PROGRAM' "
			   "instead (doc/containers.md)", lwk_backend_name(b),
			   b == LWK_BACKEND_MCKERNEL ? "mcexec" : "yod", bundle);
}
