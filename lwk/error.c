#include <stdarg.h>
#include <string.h>

#include "error.h"

static void flatten(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int lwk_err_set(struct lwk_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	flatten(err->msg);
	return -1;
}

int lwk_err_prefix(struct lwk_err *err, const char *fmt, ...)
{
	char head[LWK_ERR_MAX], old[LWK_ERR_MAX];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", head, old);
	flatten(err->msg);
	return -1;
}

void lwk_err_clear(struct lwk_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

void lwk_err_print(const struct lwk_err *err, FILE *f)
{
	fprintf(f, "lwk: %s\n", err && err->msg[0] ? err->msg : "unknown error");
}
