/* Running the plan: the exec line of each backend, applying bindings,
 * scheduling and environment to this process, and exec.
 *
 *   native:    PROGRAM ARGS...
 *   mckernel:  mcexec -n <local size> [<instance>] PROGRAM ARGS...
 *              (all local ranks the same -n; the instance is /dev/mcosN)
 *   mos:       yod -R MPI PROGRAM ARGS...   (MPI_LOCALRANKID/MPI_LOCALNRANKS exported)
 * (the lines themselves: exec_line.h)
 */
#ifndef LWKRUN_EXEC_H
#define LWKRUN_EXEC_H

#include <stddef.h>
#include <stdio.h>

#include "exec_line.h"
#include "plan.h"

/* argv as one line a POSIX shell would split back into the same words. */
void lwkrun_print_argv(char *const *argv, FILE *f);

/* Binds CPUs and memory (native), sets the scheduling policy, exports the
 * plan's environment. Error when any of it cannot be done. */
int lwkrun_apply(const struct lwk_topo *tp, const struct lwkrun_plan *p, struct lwk_err *err);

/* execvp the plan's line; returns only on failure. */
int lwkrun_exec(const struct lwkrun_plan *p, struct lwk_err *err);

#endif
