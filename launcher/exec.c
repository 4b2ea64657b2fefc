#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

char **lwkrun_exec_line(enum lwk_backend_kind b, unsigned local_size, int mck_os,
			char *const *prog, char *nbuf, char *osbuf, size_t buflen)
{
	static char mcexec[] = "mcexec", dash_n[] = "-n", yod[] = "yod", dash_r[] = "-R",
		    mpi[] = "MPI";
	size_t n = 0, i = 0;
	char **v;

	while (prog[n])
		n++;
	v = calloc(n + 5, sizeof(*v));
	if (!v)
		return NULL;
	if (b == LWK_BACKEND_MCKERNEL) {
		/* -n: mcexec splits the instance's CPUs among the local ranks
		 * that join; every one must pass the same count. */
		snprintf(nbuf, buflen, "%u", local_size);
		v[i++] = mcexec;
		v[i++] = dash_n;
		v[i++] = nbuf;
		/* The leading number after the options picks /dev/mcosN. */
		if (mck_os >= 0) {
			snprintf(osbuf, buflen, "%d", mck_os);
			v[i++] = osbuf;
		}
	} else if (b == LWK_BACKEND_MOS) {
		/* -R MPI: 1/MPI_LOCALNRANKS of the LWK, ordered by MPI_LOCALRANKID. */
		v[i++] = yod;
		v[i++] = dash_r;
		v[i++] = mpi;
	}
	memcpy(v + i, prog, n * sizeof(*v));
	return v;
}

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "@%+=:,./-_", *s))
			return false;
	return true;
}

void lwkrun_print_argv(char *const *argv, FILE *f)
{
	const char *s;
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		if (shell_safe(argv[i])) {
			fputs(argv[i], f);
			continue;
		}
		fputc('\'', f);
		for (s = argv[i]; *s; s++)
			if (*s == '\'')
				fputs("'\\''", f);
			else
				fputc(*s, f);
		fputc('\'', f);
	}
}

int lwkrun_exec(const struct lwkrun_plan *p, struct lwk_err *err)
{
	int e;

	execvp(p->argv[0], p->argv);
	e = errno;
	if (e == ENOENT && p->backend != LWK_BACKEND_NATIVE)
		return lwk_err_set(err, e, "cannot run '%s': %s: the %s backend needs it in PATH",
				   p->argv[0], strerror(e), lwk_backend_name(p->backend));
	return lwk_err_set(err, e, "cannot run '%s': %s", p->argv[0], strerror(e));
}
