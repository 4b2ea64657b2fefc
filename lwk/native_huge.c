/* Huge pages per NUMA node: the pool is the baseline plus the live
 * partitions' reservations. The kernel may give fewer pages than asked
 * (fragmented or short memory): that is ENOMEM, and the caller rolls back. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "native.h"
#include "sysfile.h"

#define NODES "/sys/devices/system/node"

static void hp_path(char *buf, size_t len, unsigned node, unsigned kb)
{
	snprintf(buf, len, NODES "/node%u/hugepages/hugepages-%ukB/nr_hugepages", node, kb);
}

static int read_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;

	if (lwk_read_str(path, buf, sizeof(buf), NULL) < 0)
		return -1;
	*v = strtoull(buf, &end, 10);
	return end == buf ? -1 : 0;
}

int lwk_huge_read(struct lwk_baseline *b, struct lwk_err *err)
{
	DIR *d = opendir(NODES);
	struct dirent *de;

	if (!d)
		return 0;	/* no NUMA sysfs: no per-node huge pages */
	while ((de = readdir(d))) {
		char dir[300];
		DIR *h;
		struct dirent *he;
		unsigned node;

		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		node = (unsigned)strtoul(de->d_name + 4, NULL, 10);
		snprintf(dir, sizeof(dir), NODES "/%s/hugepages", de->d_name);
		h = opendir(dir);
		while (h && (he = readdir(h))) {
			unsigned kb;
			char path[400];
			uint64_t nr;
			struct lwk_hp_base *na;

			if (sscanf(he->d_name, "hugepages-%ukB", &kb) != 1)
				continue;
			hp_path(path, sizeof(path), node, kb);
			if (read_u64(path, &nr) < 0)
				continue;
			na = realloc(b->hp, (b->nhp + 1) * sizeof(*na));
			if (!na) {
				closedir(h);
				closedir(d);
				return lwk_err_set(err, ENOMEM, "out of memory");
			}
			b->hp = na;
			na[b->nhp].node = node;
			na[b->nhp].kb = kb;
			na[b->nhp].nr = nr;
			b->nhp++;
		}
		if (h)
			closedir(h);
	}
	closedir(d);
	return 0;
}

/* MemFree of a NUMA node in bytes, or UINT64_MAX if unknown. */
static uint64_t node_free(unsigned node)
{
	char path[128], *text, *s;
	uint64_t kb = UINT64_MAX;

	snprintf(path, sizeof(path), NODES "/node%u/meminfo", node);
	if (lwk_read_all(path, &text, NULL) < 0)
		return UINT64_MAX;
	s = strstr(text, "MemFree:");
	if (s)
		kb = strtoull(s + 8, NULL, 10);
	free(text);
	return kb == UINT64_MAX ? kb : kb * 1024;
}

int lwk_huge_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		   struct lwk_err *err)
{
	for (size_t i = 0; i < b->nhp; i++) {
		uint64_t want = pl->any ? pl->hp[i] : b->hp[i].nr, cur = 0;
		char path[400], v[32];

		hp_path(path, sizeof(path), b->hp[i].node, b->hp[i].kb);
		if (read_u64(path, &cur) == 0 && cur == want)
			continue;
		/* Asking the kernel for more than is free would make it
		 * reclaim the node's memory before failing: refuse early. */
		if (pl->any && want > cur) {
			uint64_t need = (want - cur) * b->hp[i].kb * 1024, fr = node_free(b->hp[i].node);

			if (need > fr)
				return lwk_err_set(err, ENOMEM, "NUMA node %u has %" PRIu64 "M free, "
						   "the huge pages need %" PRIu64 "M: ask for less "
						   "memory", b->hp[i].node, fr >> 20, need >> 20);
		}
		snprintf(v, sizeof(v), "%" PRIu64, want);
		if (lwk_write_str(path, v, err) < 0)
			return -1;
		/* Shrinking may leave pages in use as surplus: fine. Growing
		 * must get every page. */
		if (pl->any && (read_u64(path, &cur) < 0 || cur < want))
			return lwk_err_set(err, ENOMEM, "could reserve only %" PRIu64 " of %" PRIu64
					   " huge pages of %s on NUMA node %u: free memory or ask "
					   "for less", cur, want, b->hp[i].kb == 2048 ? "2M" : "1G",
					   b->hp[i].node);
	}
	return 0;
}
