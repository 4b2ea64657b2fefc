#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

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
