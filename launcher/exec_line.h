/* The exec line of each backend, on its own: libc only, so that lwkrun's
 * front (front.c), which includes no hwloc, runs the same lines as the full
 * lwkrun (exec.h).
 *
 *   native:    PROGRAM ARGS...
 *   mckernel:  mcexec -n <local size> [<instance>] PROGRAM ARGS...
 *   mos:       yod -R MPI PROGRAM ARGS...
 */
#ifndef LWKRUN_EXEC_LINE_H
#define LWKRUN_EXEC_LINE_H

#include <stddef.h>

#include "spec_kinds.h"

/* NULL-terminated vector; strings borrowed from prog and static words,
 * mcexec's count and instance (mck_os, -1: mcexec's default) written to
 * nbuf and osbuf. Free the array only. NULL on ENOMEM. */
char **lwkrun_exec_line(enum lwk_backend_kind b, unsigned local_size, int mck_os,
			char *const *prog, char *nbuf, char *osbuf, size_t buflen);

#endif
