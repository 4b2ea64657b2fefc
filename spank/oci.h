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

#include "error.h"

/* text: oci.conf's contents; path: for messages. 0 acceptable, else -1. */
int lwk_oci_conf_check(const char *text, const char *path, struct lwk_err *err);

/* The user's bundle: refuses an absolute linux.cgroupsPath in
 * bundle/config.json. An unreadable config is left to Slurm to report. */
int lwk_oci_bundle_check(const char *bundle, struct lwk_err *err);

#endif
