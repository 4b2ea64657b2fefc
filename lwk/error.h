/* Errors carried as values.
 *
 * Every liblwk function that can fail takes a `struct lwk_err *` (may be NULL)
 * and returns -1 (or NULL) after filling it. The message is for a person: it
 * says what is wrong and what to do, on one line, without the "lwk: " prefix,
 * which the one place that prints it (lwk_err_print, the plugin, the CLI) adds.
 */
#ifndef LWK_ERROR_H
#define LWK_ERROR_H

#include <stdio.h>

#define LWK_ERR_MAX 512

struct lwk_err {
	int code;		/* errno-style cause, 0 if none */
	char msg[LWK_ERR_MAX];	/* one line, no "lwk: " prefix, no newline */
};

/* Fills err (if not NULL) and returns -1. */
int lwk_err_set(struct lwk_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "CONTEXT: " (keeps the code). */
int lwk_err_prefix(struct lwk_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void lwk_err_clear(struct lwk_err *err);

/* Prints "lwk: MSG\n" to f. */
void lwk_err_print(const struct lwk_err *err, FILE *f);

#endif
