/* /proc/interrupts-like tables. See proctable.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proctable.h"

/* The header's CPU columns; *n of them, *width = highest + 1. */
static int header(char *line, unsigned **col, size_t *n, unsigned *width, const char *path,
		  struct lwk_err *err)
{
	char *save = NULL;

	for (char *p = strtok_r(line, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save)) {
		unsigned *c2;

		if (strncmp(p, "CPU", 3))
			continue;
		c2 = realloc(*col, (*n + 1) * sizeof(**col));
		if (!c2)
			return lwk_err_set(err, ENOMEM, "out of memory");
		*col = c2;
		(*col)[*n] = (unsigned)strtoul(p + 3, NULL, 10);
		if ((*col)[*n] + 1 > *width)
			*width = (*col)[*n] + 1;
		(*n)++;
	}
	if (!*n)
		return lwk_err_set(err, EINVAL, "%s has no CPU header", path);
	return 0;
}

int lwk_proc_table_read(const char *path, lwk_proc_row_fn fn, void *ctx, unsigned *width,
			struct lwk_err *err)
{
	char *line = NULL;
	size_t cap = 0, ncol = 0;
	unsigned *col = NULL, w = 0;
	unsigned long long *val = NULL;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return lwk_err_set(err, errno, "cannot read %s: %s", path, strerror(errno));
	if (getline(&line, &cap, f) < 0) {
		ret = lwk_err_set(err, EINVAL, "%s is empty", path);
		goto out;
	}
	ret = header(line, &col, &ncol, &w, path, err);
	if (ret)
		goto out;
	if (width)
		*width = w;
	val = calloc(ncol, sizeof(*val));
	if (!val) {
		ret = lwk_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *label = line + strspn(line, " "), *colon = strchr(label, ':');
		char *p, *end;
		struct lwk_proc_row row = { .label = label, .cpu = col, .val = val, .width = w };

		if (!colon)
			continue;
		*colon = '\0';
		p = colon + 1;
		while (row.nval < ncol) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;	/* a short row (ERR, MIS) or the description */
			p = end;
			val[row.nval++] = v;
		}
		row.rest = p;
		ret = fn(&row, ctx, err);
		if (ret)
			goto out;
	}
out:
	free(line);
	free(col);
	free(val);
	fclose(f);
	return ret ? -1 : 0;
}
