/* Reading /proc/interrupts-like tables (/proc/interrupts, /proc/softirqs).
 *
 * Such a table has a header of "CPUn" columns (online CPUs only, so column i
 * is not CPU i), then rows "LABEL: n n n ... description". A row may have
 * fewer numbers than columns (ERR, MIS). lwk_proc_table_read() parses the
 * header once and hands each row to a callback; the noise counters and the
 * IRQ reader (irq.h) both read the node's tables through it.
 */
#ifndef LWK_PROCTABLE_H
#define LWK_PROCTABLE_H

#include <stddef.h>

#include "error.h"

struct lwk_proc_row {
	const char *label;		/* before the colon, leading blanks skipped */
	const unsigned *cpu;		/* OS index of the column of each value */
	const unsigned long long *val;	/* the values read */
	size_t nval;			/* how many (at most the number of columns) */
	unsigned width;			/* highest CPU in the header + 1 */
	const char *rest;		/* what follows the last value */
};

/* Returns 0 to go on, -1 (err set) to stop the read. */
typedef int (*lwk_proc_row_fn)(const struct lwk_proc_row *row, void *ctx, struct lwk_err *err);

/* Reads PATH, calling FN for every row with a colon. *WIDTH (if not NULL)
 * gets the header's width, also when the table has no rows. 0, or -1 with
 * err set: unreadable, empty, no CPU header, out of memory, or FN's error. */
int lwk_proc_table_read(const char *path, lwk_proc_row_fn fn, void *ctx, unsigned *width,
			struct lwk_err *err);

#endif
