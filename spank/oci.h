/* Slurm's --container on an LWK step: what the plugin refuses before it
 * provisions anything (issue 11).
 *
 * Slurm 22.05 starts a step's containers as oci.conf says (found here):
 *   RunTimeRun     the command runs IN the task process, after the SPANK task
 *                  hooks placed it, through /bin/sh -c, with %b the bundle
 *                  Slurm rewrote (process.args = the task's argv; the user's
 *                  linux.cgroupsPath kept). The only mode whose container can
 *                  inherit the rank's placement.
 *   RunTimeCreate/RunTimeStart  the runtime is forked outside the step's
 *                  process tree: the container never sees the partition.
 * A runtime that makes cgroups of its own escapes even in RunTimeRun mode:
 * runc as root nests a load-balanced cpuset over the whole partition (or
 * anywhere, with an absolute cgroupsPath), crun makes top-level cgroups.
 * Accepted RunTimeRun commands: lwkrun --container=%b ... (it confines and
 * checks the runtime, see lwkrun(1)), crun --cgroup-manager=disabled ...,
 * ch-run ... (execs in place). Everything else is refused with one line
 * naming the setting and the fix.
 */
#ifndef LWK_SPANK_OCI_H
#define LWK_SPANK_OCI_H

#include <stdbool.h>

#include "error.h"

/* text: oci.conf's contents; path: for messages. 0 acceptable, else -1. */
int lwk_oci_conf_check(const char *text, const char *path, struct lwk_err *err);

/* The user's bundle: refuses an absolute linux.cgroupsPath in
 * bundle/config.json. An unreadable config is left to Slurm to report. */
int lwk_oci_bundle_check(const char *bundle, struct lwk_err *err);

/*
 * An MPI step (SLURM_MPI_TYPE mpi, NULL if unset) whose tasks are
 * containers, over nnodes nodes. Refused when MPI cannot work there:
 * - pmix_in_containers false (Slurm < 23.02): Slurm passes no PMIx variable
 *   into the container, so MPI_Init fails in it;
 * - over several nodes, a container spool directory that differs between
 *   nodes (oci.conf's ContainerPath with %n, or none and slurm.conf's
 *   SlurmdSpoolDir with %n/%h): Slurm >= 23.02's PMIx plugin sends that
 *   path, expanded with its own node's name, to the other nodes' slurmd as
 *   the address of its server, so its collective's messages go to a socket
 *   that is not the other node's server and MPI_Init hangs
 *   (doc/containers.md).
 * oci: oci.conf's text; slurm_conf: slurm.conf's text, NULL if unreadable
 * (the spool directory is then not judged).
 * Other MPI types pass. 0 acceptable, else -1.
 */
struct lwk_oci_mpi {
	const char *mpi, *bundle;
	unsigned nnodes;
	bool pmix_in_containers;
	const char *oci, *slurm_conf;
};
int lwk_oci_mpi_check(const struct lwk_oci_mpi *m, struct lwk_err *err);

#endif
