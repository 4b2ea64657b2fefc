/* Running an administration program (ihkconfig, ihkosctl, lwkctl) from
 * root code: a fixed argv given to execv, never a shell; stdin from
 * /dev/null; stdout kept for parsing and the last line of stderr kept for
 * the error message; bounded in time (the child is killed on timeout).
 * Internal to liblwk's multi-kernel backends.
 */
#ifndef LWK_CMD_H
#define LWK_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define LWK_CMD_OUT_MAX 4096

struct lwk_cmd_out {
	int status;			/* exit status; 128+N if killed by signal N */
	char out[LWK_CMD_OUT_MAX];	/* stdout, truncated, NUL-terminated */
	char errline[256];		/* last non-empty stderr line, or "" */
};

/* Runs argv[0] (an absolute path) with argv. 0 when it ran to an end (its
 * status in o->status, which may be non-zero); -1 with err when it could
 * not be started or did not finish within timeout_s seconds. */
int lwk_cmd_run(char *const argv[], int timeout_s, struct lwk_cmd_out *o,
		struct lwk_err *err);

/* argv joined by spaces, for messages. */
void lwk_cmd_line(char *const argv[], char *buf, size_t len);

/* secure_getenv(name) if set and non-empty, else def. */
const char *lwk_cmd_env(const char *name, const char *def);

/* First directory of dirs (NULL-terminated) holding an executable prog;
 * NULL if none. */
const char *lwk_cmd_find(const char *const *dirs, const char *prog);

#endif
