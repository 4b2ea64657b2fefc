/* Synthetic machines for the topology/placement tests. */
#ifndef TESTS_UNIT_SYNTH_H
#define TESTS_UNIT_SYNTH_H

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "topo.h"

/* "pack:P numa:N core:C pu:T", NUMA nodes per package. With linux_smt the
 * PUs are numbered as Linux does on x86: the first thread of every core is
 * 0..ncores-1, the second thread ncores..2*ncores-1. */
static inline void synth_desc_mem(char *buf, size_t len, unsigned pack, unsigned numa,
				  unsigned core, unsigned pu, int linux_smt, unsigned numa_gib)
{
	unsigned ncores = pack * numa * core, i, j;
	char mem[32] = "";
	size_t off;

	if (numa_gib)	/* hwloc's default is 1GiB per NUMA node */
		snprintf(mem, sizeof(mem), "(memory=%uGiB)", numa_gib);
	off = (size_t)snprintf(buf, len, "pack:%u numa:%u%s core:%u pu:%u", pack, numa, mem,
			       core, pu);
	if (!linux_smt || pu < 2)
		return;
	off += (size_t)snprintf(buf + off, len - off, "(indexes=");
	for (i = 0; i < ncores; i++)
		for (j = 0; j < pu; j++)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						i || j ? "," : "", j * ncores + i);
	snprintf(buf + off, len - off, ")");
	ck_assert_uint_lt(off, len - 1);
}

static inline void synth_desc(char *buf, size_t len, unsigned pack, unsigned numa,
			      unsigned core, unsigned pu, int linux_smt)
{
	synth_desc_mem(buf, len, pack, numa, core, pu, linux_smt, 0);
}

static inline void synth_load_mem(struct lwk_topo *tp, unsigned pack, unsigned numa,
				  unsigned core, unsigned pu, int linux_smt, unsigned numa_gib)
{
	char desc[8192];
	struct lwk_err err = { 0 };

	synth_desc_mem(desc, sizeof(desc), pack, numa, core, pu, linux_smt, numa_gib);
	ck_assert_msg(lwk_topo_load_synthetic(tp, desc, &err) == 0, "%s: %s", desc, err.msg);
}

static inline void synth_load(struct lwk_topo *tp, unsigned pack, unsigned numa,
			      unsigned core, unsigned pu, int linux_smt)
{
	char desc[8192];
	struct lwk_err err = { 0 };

	synth_desc(desc, sizeof(desc), pack, numa, core, pu, linux_smt);
	ck_assert_msg(lwk_topo_load_synthetic(tp, desc, &err) == 0, "%s: %s", desc, err.msg);
}

/* Parses a CPU list into a fresh bitmap. */
static inline hwloc_bitmap_t bm(const char *list)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(hwloc_bitmap_list_sscanf(b, list), 0);
	return b;
}

/* Asserts that b prints as the list want. */
#define ck_assert_bm(b, want) do {						\
	char *_s = NULL;							\
	hwloc_bitmap_list_asprintf(&_s, (b));					\
	ck_assert_ptr_nonnull(_s);						\
	ck_assert_msg(strcmp(_s, (want)) == 0, "got \"%s\", want \"%s\"", _s, (want)); \
	free(_s);								\
} while (0)

#endif
