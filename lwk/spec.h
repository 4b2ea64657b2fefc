/* The user's --lwk=SPEC, per node.
 *
 *   SPEC := none | ITEM[,ITEM...]     ITEM := KEY:VALUE
 *   cores:N|N%|all  mem:SIZE|N%  numa:LIST  util:N  pages:4k|2m|1g
 *   sched:fifo|normal  backend:auto|native|mckernel|mos  report:on|off
 *
 * lwk_spec_parse is strict: unknown or duplicate keys, empty items, overflow,
 * junk after numbers and input longer than LWK_SPEC_MAX are errors that quote
 * the offending item, e.g. "'cores:6O': cores expects a whole number, a
 * percentage or 'all'". lwk_spec_format prints a canonical form that parses
 * back to an equal spec. Nothing here touches the node.
 */
#ifndef LWK_SPEC_H
#define LWK_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwloc.h>

#include "error.h"
#include "spec_kinds.h"

#define LWK_SPEC_MAX 1024	/* longest accepted spec, bytes */

enum lwk_key {
	LWK_KEY_CORES = 1u << 0,
	LWK_KEY_MEM = 1u << 1,
	LWK_KEY_NUMA = 1u << 2,
	LWK_KEY_UTIL = 1u << 3,
	LWK_KEY_PAGES = 1u << 4,
	LWK_KEY_SCHED = 1u << 5,
	LWK_KEY_BACKEND = 1u << 6,
	LWK_KEY_REPORT = 1u << 7,
};

enum lwk_amount { LWK_AMOUNT_COUNT, LWK_AMOUNT_PERCENT, LWK_AMOUNT_ALL };
enum lwk_mem_unit { LWK_MEM_BYTES, LWK_MEM_PERCENT };

struct lwk_spec {
	bool none;		/* "none": explicitly no LWK */
	unsigned keys;		/* enum lwk_key bits of the items given */
	enum lwk_amount cores_kind;
	unsigned cores;		/* count, or percent 1..100 */
	enum lwk_mem_unit mem_unit;
	uint64_t mem;		/* bytes, or percent 1..100 */
	hwloc_bitmap_t numa;	/* OS NUMA node indexes; NULL unless given */
	unsigned util;		/* cores kept on Linux */
	enum lwk_pages pages;	/* default 2m */
	enum lwk_sched sched;	/* default normal */
	enum lwk_backend_kind backend;	/* default auto */
	bool report;		/* default on */
};

void lwk_spec_init(struct lwk_spec *s);	/* defaults, no keys */
void lwk_spec_fini(struct lwk_spec *s);	/* frees numa; s stays usable */
/* dst is overwritten like an uninitialised spec (fini it first if it holds
 * a numa set); -1 only when out of memory. */
int lwk_spec_copy(struct lwk_spec *dst, const struct lwk_spec *src);

/* 0 on success; on error -1, *s left initialised (empty), err filled.
 * *s is overwritten like an uninitialised spec (as for lwk_spec_copy). */
int lwk_spec_parse(struct lwk_spec *s, const char *text, struct lwk_err *err);

/* Canonical text (keys in grammar order, only those given). Returns the
 * length that was needed, like snprintf. "none" for a none spec. */
int lwk_spec_format(const struct lwk_spec *s, char *buf, size_t len);

/* Items of `over` replace those of `base` (for default= and sbatch/step
 * layering). A none `over` yields none. */
int lwk_spec_merge(struct lwk_spec *base, const struct lwk_spec *over);

/* Sizes: "512", "64K", "2M", "16G", "1T" (binary units, optional trailing
 * 'B' or 'iB'). */
int lwk_parse_size(const char *text, uint64_t *bytes, struct lwk_err *err);
int lwk_format_size(uint64_t bytes, char *buf, size_t len);

const char *lwk_backend_name(enum lwk_backend_kind b);
const char *lwk_pages_name(enum lwk_pages p);
uint64_t lwk_pages_bytes(enum lwk_pages p);

#endif
