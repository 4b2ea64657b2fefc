/* IRQ affinities, the default IRQ affinity and the unbound workqueue mask:
 * steered off the LWK CPUs while partitions exist, written back verbatim
 * after. Cost is one read (and at most one write) per IRQ. Some IRQs
 * (managed ones, e.g. virtio queues) refuse a new affinity: they are
 * skipped and named in the partition's note. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "native.h"
#include "sysfile.h"

#define DFL "/proc/irq/default_smp_affinity"
#define WQ "/sys/devices/virtual/workqueue/cpumask"

static int cmp_irq(const void *a, const void *b)
{
	unsigned x = ((const struct lwk_irq_base *)a)->irq, y = ((const struct lwk_irq_base *)b)->irq;

	return x < y ? -1 : x > y;
}

int lwk_steer_read(struct lwk_baseline *b, struct lwk_err *err)
{
	DIR *d;
	struct dirent *de;

	if (lwk_read_str(DFL, b->dfl_raw, sizeof(b->dfl_raw), NULL) == 0 &&
	    hwloc_bitmap_sscanf(b->dfl, b->dfl_raw) == 0)
		b->has_dfl = true;
	if (lwk_read_str(WQ, b->wq_raw, sizeof(b->wq_raw), NULL) == 0 &&
	    hwloc_bitmap_sscanf(b->wq, b->wq_raw) == 0)
		b->has_wq = true;
	d = opendir("/proc/irq");
	if (!d)
		return 0;	/* no IRQ steering here */
	while ((de = readdir(d))) {
		char path[300];
		struct lwk_irq_base *na;
		hwloc_bitmap_t m;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", de->d_name);
		m = hwloc_bitmap_alloc();
		if (lwk_read_list(path, m, NULL) < 0) {
			hwloc_bitmap_free(m);
			continue;
		}
		na = realloc(b->irq, (b->nirq + 1) * sizeof(*na));
		if (!na) {
			hwloc_bitmap_free(m);
			closedir(d);
			return lwk_err_set(err, ENOMEM, "out of memory");
		}
		b->irq = na;
		na[b->nirq].irq = (unsigned)strtoul(de->d_name, NULL, 10);
		na[b->nirq].mask = m;
		b->nirq++;
	}
	closedir(d);
	if (b->nirq)
		qsort(b->irq, b->nirq, sizeof(*b->irq), cmp_irq);
	return 0;
}

/* "irq not steered: 36,37" appended to the note. */
static void note_irq(char *note, size_t len, bool more, unsigned irq)
{
	size_t o = strlen(note);

	if (o + 24 >= len)
		return;
	if (more)
		snprintf(note + o, len - o, ",%u", irq);
	else
		snprintf(note + o, len - o, "%sirq not steered: %u", o ? "; " : "", irq);
}

/* Writes set to a mask file (or raw text) unless it already holds it. */
static int put_mask(const char *path, hwloc_const_bitmap_t set, const char *raw,
		    struct lwk_err *err)
{
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	int same = lwk_read_mask(path, cur, NULL) == 0 && hwloc_bitmap_isequal(cur, set);

	hwloc_bitmap_free(cur);
	if (same)
		return 0;
	return raw ? lwk_write_str(path, raw, err) : lwk_write_mask(path, set, err);
}

int lwk_steer_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		    char *note, size_t notelen, struct lwk_err *err)
{
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	bool first = true;
	int refused = 0;

	for (size_t i = 0; i < b->nirq; i++) {
		hwloc_const_bitmap_t want = pl->any ? pl->irq[i] : b->irq[i].mask;
		char path[64];

		snprintf(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", b->irq[i].irq);
		if (lwk_read_list(path, cur, NULL) < 0 || hwloc_bitmap_isequal(cur, want))
			continue;	/* gone, or already right */
		if (lwk_write_list(path, want, NULL) < 0) {
			if (pl->any && note) {
				note_irq(note, notelen, refused++, b->irq[i].irq);
			}
			continue;
		}
		if (first) {
			first = false;
			lwk_fault_point("irq-first");
		}
	}
	hwloc_bitmap_free(cur);
	if (b->has_dfl && put_mask(DFL, pl->any ? pl->dfl : b->dfl,
				   pl->any ? NULL : b->dfl_raw, err) < 0)
		return -1;
	if (b->has_wq && put_mask(WQ, pl->any ? pl->wq : b->wq,
				  pl->any ? NULL : b->wq_raw, err) < 0)
		return -1;
	return 0;
}
