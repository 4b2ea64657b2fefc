/* Running the plan: the exec line of each backend, applying bindings,
 * scheduling and environment to this process, and exec.
 *
 *   native:    PROGRAM ARGS...
 *   mckernel:  mcexec -n <local size> [<instance>] PROGRAM ARGS...
 *              (all local ranks the same -n; the instance is /dev/mcosN)
 *   mos:       yod -R MPI PROGRAM ARGS...   (MPI_LOCALRANKID/MPI_LOCALNRANKS exported)
 */
#ifndef LWKRUN_EXEC_H
#define LWKRUN_EXEC_H

#include <stddef.h>
#include <stdio.h>

#include "plan.h"

/* NULL-terminated vector; strings borrowed from prog and static words,
 * mcexec's count and instance (mck_os, -1: mcexec's default) written to
 * nbuf and osbuf. Free the array only. NULL on ENOMEM. */
char **lwkrun_exec_line(enum lwk_backend_kind b, unsigned local_size, int mck_os,
			char *const *prog, char *nbuf, char *osbuf, size_t buflen);

/* argv as one line a POSIX shell would split back into the same words. */
void lwkrun_print_argv(char *const *argv, FILE *f);

/* Binds CPUs and memory (native), sets the scheduling policy, exports the
 * plan's environment. Error when any of it cannot be done. */
int lwkrun_apply(const struct lwk_topo *tp, const struct lwkrun_plan *p, struct lwk_err *err);

/* execvp the plan's line; returns only on failure. */
int lwkrun_exec(const struct lwkrun_plan *p, struct lwk_err *err);

#endif
