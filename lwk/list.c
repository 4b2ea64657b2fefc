#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "list.h"

/* One element "N" or "A-B" of [s, s + n); digits and '-' already checked.
 * Leading zeros are refused: hwloc reads "010" as octal 8. */
static int element(const char *s, size_t n, unsigned max, unsigned *last,
		   char *why, size_t whylen)
{
	uint64_t v[2] = { 0, 0 };
	size_t i, k = 0, start[2] = { 0, 0 }, digits = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (k == 1 || digits == 0)
				goto bad;
			k = 1;
			start[1] = i + 1;
			digits = 0;
			continue;
		}
		if (digits == 0 && s[i] == '0' && i + 1 < n && s[i + 1] != '-') {
			snprintf(why, whylen, "element '%.*s%s' has a leading zero",
				 (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
			return -1;
		}
		digits++;
		/* cap the value so a long run of digits cannot overflow */
		if (v[k] <= max)
			v[k] = v[k] * 10 + (uint64_t)(s[i] - '0');
	}
	if (digits == 0)
		goto bad;
	for (i = 0; i <= k; i++) {
		if (v[i] > max) {
			size_t end = i == 0 && k == 1 ? start[1] - 1 : n;
			size_t len = end - start[i];

			snprintf(why, whylen, "index %.*s%s is larger than %u",
				 (int)(len > 20 ? 20 : len), s + start[i],
				 len > 20 ? "..." : "", max);
			return -1;
		}
	}
	if (k == 1 && v[0] > v[1]) {
		snprintf(why, whylen, "range %.*s is descending; write %u-%u",
			 (int)n, s, (unsigned)v[1], (unsigned)v[0]);
		return -1;
	}
	if (v[k] > *last)
		*last = (unsigned)v[k];
	return 0;
bad:
	snprintf(why, whylen, "element '%.*s%s' is not a number or a range A-B",
		 (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
	return -1;
}

int lwk_list_parse(const char *text, unsigned max, hwloc_bitmap_t *out,
		   char *why, size_t whylen)
{
	const char *p, *e;
	hwloc_bitmap_t b;
	unsigned last = 0;

	*out = NULL;
	if (!text || !*text) {
		snprintf(why, whylen, "is empty");
		return -1;
	}
	if (text[strspn(text, "0123456789,-")] != '\0') {
		snprintf(why, whylen, "may only contain digits, ',' and '-' (e.g. 0-3,8)");
		return -1;
	}
	for (p = text;; p = e + 1) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if (e == p) {
			snprintf(why, whylen, "has an empty element (a stray ',')");
			return -1;
		}
		if (element(p, (size_t)(e - p), max, &last, why, whylen))
			return -1;
		if (!*e)
			break;
	}
	b = hwloc_bitmap_alloc();
	if (!b) {
		snprintf(why, whylen, "cannot be stored: %s", strerror(ENOMEM));
		return -1;
	}
	/* the check above and hwloc must agree on what the text means */
	if (hwloc_bitmap_list_sscanf(b, text) < 0 || hwloc_bitmap_last(b) != (int)last) {
		hwloc_bitmap_free(b);
		snprintf(why, whylen, "is not a valid list");
		return -1;
	}
	*out = b;
	return 0;
}
