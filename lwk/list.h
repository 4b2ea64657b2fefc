/* Index lists such as "0-3,8" (NUMA nodes, CPUs) from untrusted text.
 *
 * The text is checked strictly before hwloc_bitmap_list_sscanf sees it:
 * digits, ',' and '-' only, every element a number or an ascending range
 * A-B, no empty element, no open range ("4-" means "to infinity" to hwloc),
 * every index <= max so a hostile list cannot make a huge bitmap.
 * Internal to liblwk (spec and policy), usable by the CLIs.
 */
#ifndef LWK_LIST_H
#define LWK_LIST_H

#include <stddef.h>

#include <hwloc.h>

/* 0 and a new bitmap in *out, or -1 with a reason in why (a phrase that
 * reads after the list's name, e.g. "range 3-1 is descending; write 1-3");
 * *out is NULL on error. */
int lwk_list_parse(const char *text, unsigned max, hwloc_bitmap_t *out,
		   char *why, size_t whylen);

#endif
