/* What the McKernel backend asks IHK for, and small helpers of the backend
 * (see mckernel.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
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

/* --- settings and records --- */

int lwk_mck_env_secs(const char *name, int def)
{
	const char *v = lwk_cmd_env(name, NULL);
	char *end;
	long s;

	if (!v)
		return def;
	s = strtol(v, &end, 10);
	return *end || s < 1 || s > 3600 ? def : (int)s;
}

void lwk_mck_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long lwk_mck_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int lwk_mck_os_arg(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	return end == arg || (*end && *end != ' ') || n < 0 || n >= LWK_IHK_MAX_OS ? -1 : (int)n;
}

/* "HEAD before=TAIL" -> head and tail (either may be empty). */
void lwk_mck_split_before(const char *arg, char *head, size_t hlen, char *tail, size_t tlen)
{
	const char *b = strstr(arg, "before=");
	size_t n = b ? (size_t)(b - arg) : strlen(arg);

	while (n && arg[n - 1] == ' ')
		n--;
	snprintf(head, hlen, "%.*s", (int)n, arg);
	snprintf(tail, tlen, "%s", b ? b + 7 : "");
}
