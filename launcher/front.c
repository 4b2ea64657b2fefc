/* lwkrun's front: what runs at every lwkrun start.
 *
 * In a task of srun --lwk the plugin has already made, applied and exported
 * this rank's plan (inherit.h); all lwkrun has left to do is check that it
 * is in force and exec the program. The front does just that, and is built
 * for it: with libc alone (inforce.h: no hwloc, no liblwk beyond its error
 * values and environment lookup), linked statically against musl where
 * configure finds musl-gcc, else against the system's libc (statically where
 * it can), so that a start maps and relocates no shared library and runs
 * the least start-up code there is; no stdio, no locale, no topology before
 * the exec.
 *
 * Everything else goes, unchanged (the same argv, environment and process),
 * to the full lwkrun (lwkrun-full, in the package's libexec directory),
 * which does all that lwkrun(1) describes: any option, no plan from the
 * plugin, another rank's plan (mpirun inside a step), a plan not in force,
 * a list not in the form the plugin prints, the mckernel backend (whose
 * McKernel instance is in the registry), an exec that fails (the full
 * lwkrun then says why). So the front never prints anything, and never
 * changes the process before it execs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env.h"
#include "exec_line.h"
#include "inforce.h"
#include "localrank.h"

#ifndef LWKRUN_FULL
#error "LWKRUN_FULL: where the full lwkrun is installed (launcher/local.mk)"
#endif
#define FULL_NAME "lwkrun-full"

extern char **environ;

/* The full lwkrun beside this program first (a build tree, a relocated
 * installation), then where it was installed. Never returns. */
static void __attribute__((noreturn)) run_full(char **argv)
{
	char path[PATH_MAX], msg[PATH_MAX + 128];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(FULL_NAME));
	char *slash;
	int e, len;

	if (n > 0) {
		path[n] = '\0';
		slash = strrchr(path, '/');
		if (slash) {
			memcpy(slash + 1, FULL_NAME, sizeof(FULL_NAME));
			execv(path, argv);
		}
	}
	execv(LWKRUN_FULL, argv);
	e = errno;
	len = snprintf(msg, sizeof(msg), "lwk: cannot run %s: %s: reinstall slurm-lwk\n",
		       LWKRUN_FULL, strerror(e));
	if (len > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg));
	exit(e == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
	struct lwkrun_local loc;
	struct lwkrun_task_state now;
	struct lwk_err err;
	enum lwk_backend_kind backend;
	char nbuf[16], osbuf[16], **prog, **line;

	/* Options are the full lwkrun's (getopt's "+": they end at PROGRAM
	 * or "--"). */
	if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--")))
		run_full(argv);
	prog = argv + 1 + !strcmp(argv[1], "--");
	lwk_err_clear(&err);
	if (!lwkrun_getenv(environ, LWK_ENV_RANK_CPUS))
		run_full(argv);
	/* As lwkrun_local_discover, without PMIx: that is the full one's. */
	switch (lwkrun_local_from_env(environ, &loc, &err)) {
	case 1:
		break;
	case 0:
		if (lwkrun_getenv(environ, "PMIX_NAMESPACE"))
			run_full(argv);
		loc.rank = 0;
		loc.size = 1;
		loc.src = LWKRUN_SRC_SINGLE;
		break;
	default:
		run_full(argv);
	}
	lwkrun_task_state_read(&now);
	if (lwkrun_in_force(&loc, environ, prog, &now, &backend) != 1)
		run_full(argv);
	line = lwkrun_exec_line(backend, loc.size, -1, prog, nbuf, osbuf, sizeof(nbuf));
	if (line)
		execvp(line[0], line);
	run_full(argv);
}
