/* What the McKernel backend asks IHK for (see mckernel.h). Pure: no I/O. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mckernel.h"

unsigned lwk_mck_chunks(const struct lwk_partition *p, struct lwk_ihk_mem *m, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->nmem && n < max; i++) {
		if (!p->mem[i].bytes)
			continue;
		m[n].node = (int)p->mem[i].node;
		m[n].bytes = lwk_ihk_round(p->mem[i].bytes);
		n++;
	}
	return n;
}

static bool has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *q = s; (q = strstr(q, w)); q += n)
		if ((q == s || q[-1] == ' ') && (q[n] == '\0' || q[n] == ' '))
			return true;
	return false;
}

int lwk_mck_kargs(const char *extra, char *buf, size_t len, struct lwk_err *err)
{
	int n;

	if (!extra)
		extra = "";
	for (const char *c = extra; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return lwk_err_set(err, EINVAL, "McKernel kernel arguments may hold printable "
					   "characters only: fix LWK_MCK_KARGS");
	if (has_word(extra, "hidos"))
		n = snprintf(buf, len, "%s", extra);
	else
		n = snprintf(buf, len, "hidos%s%s", *extra ? " " : "", extra);
	if (n < 0 || (size_t)n >= len)
		return lwk_err_set(err, E2BIG, "McKernel kernel arguments are too long "
				   "(at most %zu characters)", len - 1);
	return 0;
}
