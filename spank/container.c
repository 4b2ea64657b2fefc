/* slurmstepd: an LWK step started with srun --container is checked against
 * the node's oci.conf and the user's bundle (oci.h) before its partition is
 * provisioned. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwk_spank.h"
#include "oci.h"
#include "sysfile.h"

/* Where Debian's Slurm reads its configuration when SLURM_CONF is unset */
#define SLURM_CONF_DEFAULT "/etc/slurm/slurm.conf"

int lwk_container_refused(spank_t sp, struct lwk_err *err)
{
	char bundle[PATH_MAX], conf[PATH_MAX], *slash, *text;
	const char *sc;
	int rc;

	if (spank_getenv(sp, "SLURM_CONTAINER", bundle, sizeof(bundle)) != ESPANK_SUCCESS ||
	    !bundle[0])
		return 0;
	/* slurmstepd's own SLURM_CONF (set by slurmd), never the job's: oci.conf
	 * sits beside slurm.conf */
	sc = getenv("SLURM_CONF");
	snprintf(conf, sizeof(conf), "%s", sc && *sc ? sc : SLURM_CONF_DEFAULT);
	slash = strrchr(conf, '/');
	snprintf(slash ? slash + 1 : conf, sizeof(conf) - (slash ? (size_t)(slash + 1 - conf) : 0),
		 "oci.conf");
	if (lwk_read_all(conf, &text, NULL) < 0)
		return lwk_err_set(err, ENOENT, "--container: cannot read %s, which says how "
				   "Slurm starts containers (doc/containers.md)", conf);
	rc = lwk_oci_conf_check(text, conf, err) || lwk_oci_bundle_check(bundle, err) ? -1 : 0;
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
