/* The node-state model: baseline text and the pure plan function. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "native.h"
#include "registry.h"
#include "sysfile.h"

void lwk_baseline_init(struct lwk_baseline *b)
{
	memset(b, 0, sizeof(*b));
	b->online = hwloc_bitmap_alloc();
	b->mems = hwloc_bitmap_alloc();
	b->dfl = hwloc_bitmap_alloc();
	b->wq = hwloc_bitmap_alloc();
	b->root_lb = -1;
}

void lwk_baseline_fini(struct lwk_baseline *b)
{
	hwloc_bitmap_free(b->online);
	hwloc_bitmap_free(b->mems);
	hwloc_bitmap_free(b->dfl);
	hwloc_bitmap_free(b->wq);
	for (size_t i = 0; i < b->nirq; i++)
		hwloc_bitmap_free(b->irq[i].mask);
	free(b->irq);
	free(b->hp);
	memset(b, 0, sizeof(*b));
}

static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int append(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*s + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (*len + n < *cap) {
			*len += n;
			return 0;
		}
		char *ns = realloc(*s, *cap * 2 + n);

		if (!ns)
			return -1;
		*s = ns;
		*cap = *cap * 2 + n;
	}
}

char *lwk_baseline_format(const struct lwk_baseline *b)
{
	size_t len = 0, cap = 4096;
	char *s = malloc(cap), l1[1024], l2[1024];
	int bad = !s;

	if (bad)
		return NULL;
	s[0] = '\0';
	hwloc_bitmap_list_snprintf(l1, sizeof(l1), b->online);
	hwloc_bitmap_list_snprintf(l2, sizeof(l2), b->mems);
	if (b->boot_id[0])
		bad |= append(&s, &len, &cap, "boot=%s\n", b->boot_id);
	bad |= append(&s, &len, &cap, "cgroup=%d\nonline=%s\nmems=%s\nroot_lb=%d\nv2_cpuset=%d\n",
		      b->cgroup, l1, l2, b->root_lb, b->v2_cpuset);
	if (b->has_dfl) {
		hwloc_bitmap_list_snprintf(l1, sizeof(l1), b->dfl);
		bad |= append(&s, &len, &cap, "dfl=%s\ndfl_raw=%s\n", l1, b->dfl_raw);
	}
	if (b->has_wq) {
		hwloc_bitmap_list_snprintf(l1, sizeof(l1), b->wq);
		bad |= append(&s, &len, &cap, "wq=%s\nwq_raw=%s\n", l1, b->wq_raw);
	}
	for (size_t i = 0; i < b->nirq; i++) {
		hwloc_bitmap_list_snprintf(l1, sizeof(l1), b->irq[i].mask);
		bad |= append(&s, &len, &cap, "irq=%u %s\n", b->irq[i].irq, l1);
	}
	for (size_t i = 0; i < b->nhp; i++)
		bad |= append(&s, &len, &cap, "hp=%u %u %" PRIu64 "\n", b->hp[i].node,
			      b->hp[i].kb, b->hp[i].nr);
	if (bad) {
		free(s);
		return NULL;
	}
	return s;
}

static int parse_kv(struct lwk_baseline *b, const char *k, const char *v)
{
	if (!strcmp(k, "boot")) {
		if (strlen(v) >= sizeof(b->boot_id))
			return -1;
		strcpy(b->boot_id, v);
		return 0;
	}
	if (!strcmp(k, "cgroup"))
		return sscanf(v, "%d", &b->cgroup) == 1 ? 0 : -1;
	if (!strcmp(k, "online"))
		return hwloc_bitmap_list_sscanf(b->online, v);
	if (!strcmp(k, "mems"))
		return hwloc_bitmap_list_sscanf(b->mems, v);
	if (!strcmp(k, "root_lb"))
		return sscanf(v, "%d", &b->root_lb) == 1 ? 0 : -1;
	if (!strcmp(k, "v2_cpuset"))
		return sscanf(v, "%d", &b->v2_cpuset) == 1 ? 0 : -1;
	if (!strcmp(k, "dfl")) {
		b->has_dfl = true;
		return hwloc_bitmap_list_sscanf(b->dfl, v);
	}
	if (!strcmp(k, "wq")) {
		b->has_wq = true;
		return hwloc_bitmap_list_sscanf(b->wq, v);
	}
	if (!strcmp(k, "dfl_raw") || !strcmp(k, "wq_raw")) {
		char *dst = k[0] == 'd' ? b->dfl_raw : b->wq_raw;

		if (strlen(v) >= sizeof(b->dfl_raw))
			return -1;
		strcpy(dst, v);
		return 0;
	}
	if (!strcmp(k, "irq")) {
		struct lwk_irq_base *na = realloc(b->irq, (b->nirq + 1) * sizeof(*na));
		unsigned irq;
		int off = 0;

		if (!na)
			return -1;
		b->irq = na;
		if (sscanf(v, "%u %n", &irq, &off) != 1 || !off)
			return -1;
		na[b->nirq].irq = irq;
		na[b->nirq].mask = hwloc_bitmap_alloc();
		b->nirq++;
		return hwloc_bitmap_list_sscanf(na[b->nirq - 1].mask, v + off);
	}
	if (!strcmp(k, "hp")) {
		struct lwk_hp_base *na = realloc(b->hp, (b->nhp + 1) * sizeof(*na));
		int end = 0;

		if (!na)
			return -1;
		b->hp = na;
		if (sscanf(v, "%u %u %" SCNu64 "%n", &na[b->nhp].node, &na[b->nhp].kb,
			   &na[b->nhp].nr, &end) != 3 || v[end])
			return -1;
		b->nhp++;
		return 0;
	}
	return -1;
}

int lwk_baseline_parse(struct lwk_baseline *b, const char *text, struct lwk_err *err)
{
	struct lwk_kv kv = { .text = text };
	char line[4200];
	int r;

	while ((r = lwk_kv_next(&kv, line, sizeof(line))) > 0)
		if (!kv.val || parse_kv(b, kv.key, kv.val) < 0)
			return lwk_err_set(err, EINVAL, "node baseline line %u is corrupt ('%s')",
					   kv.lineno, kv.key);
	if (r < 0)
		return lwk_err_set(err, EINVAL, "node baseline line %u too long", kv.lineno);
	if (b->cgroup != 1 && b->cgroup != 2)
		return lwk_err_set(err, EINVAL, "node baseline lacks the cgroup version");
	return 0;
}

void lwk_native_plan_init(struct lwk_native_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->lwk = hwloc_bitmap_alloc();
	pl->linux_cpus = hwloc_bitmap_alloc();
	pl->dfl = hwloc_bitmap_alloc();
	pl->wq = hwloc_bitmap_alloc();
}

void lwk_native_plan_fini(struct lwk_native_plan *pl)
{
	hwloc_bitmap_free(pl->lwk);
	hwloc_bitmap_free(pl->linux_cpus);
	hwloc_bitmap_free(pl->dfl);
	hwloc_bitmap_free(pl->wq);
	if (pl->irq)
		for (size_t i = 0; pl->irq[i]; i++)
			hwloc_bitmap_free(pl->irq[i]);
	free(pl->irq);
	free(pl->hp);
	memset(pl, 0, sizeof(*pl));
}

unsigned lwk_hp_kb(enum lwk_pages pages)
{
	switch (pages) {
	case LWK_PAGES_2M:
		return 2048;
	case LWK_PAGES_1G:
		return 1048576;
	default:
		return 0;
	}
}

/* base minus lwk; if nothing is left, all Linux CPUs (a mask pinned to LWK
 * CPUs only moves to Linux rather than failing the partition). */
static void steer(hwloc_bitmap_t out, hwloc_const_bitmap_t base,
		  const struct lwk_native_plan *pl)
{
	hwloc_bitmap_andnot(out, base, pl->lwk);
	if (hwloc_bitmap_iszero(out))
		hwloc_bitmap_copy(out, pl->linux_cpus);
}

static bool steered(const struct lwk_partition *p)
{
	const struct lwk_backend *be = lwk_backend_get(p->backend);

	return be && (be->flags & LWK_BACKEND_STEER);
}

int lwk_native_plan(const struct lwk_baseline *b, const struct lwk_partition *parts,
		    size_t n, struct lwk_native_plan *pl, struct lwk_err *err)
{
	char l1[1024], l2[1024];

	pl->irq = calloc(b->nirq + 1, sizeof(*pl->irq));
	pl->hp = calloc(b->nhp + 1, sizeof(*pl->hp));
	if (!pl->irq || !pl->hp)
		return lwk_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < b->nhp; i++)
		pl->hp[i] = b->hp[i].nr;
	hwloc_bitmap_zero(pl->lwk);
	pl->any = false;
	for (size_t i = 0; i < n; i++) {
		const struct lwk_partition *p = &parts[i];
		unsigned kb = lwk_hp_kb(p->pages);

		if (!steered(p) || lwk_partition_stale_boot(p))
			continue;
		pl->any = true;
		if (hwloc_bitmap_intersects(pl->lwk, p->cpus)) {
			hwloc_bitmap_t o = hwloc_bitmap_alloc();

			hwloc_bitmap_and(o, pl->lwk, p->cpus);
			hwloc_bitmap_list_snprintf(l1, sizeof(l1), o);
			hwloc_bitmap_free(o);
			return lwk_err_set(err, EBUSY, "CPUs %s of partition %s are already in "
					   "another LWK partition: choose other CPUs (lwkpart list)",
					   l1, p->id);
		}
		if (!hwloc_bitmap_isincluded(p->cpus, b->online)) {
			hwloc_bitmap_list_snprintf(l1, sizeof(l1), p->cpus);
			hwloc_bitmap_list_snprintf(l2, sizeof(l2), b->online);
			return lwk_err_set(err, EINVAL, "CPUs %s of partition %s are not all online "
					   "(online: %s)", l1, p->id, l2);
		}
		hwloc_bitmap_or(pl->lwk, pl->lwk, p->cpus);
		for (unsigned m = 0; m < p->nmem && kb; m++) {
			uint64_t pgs = (p->mem[m].bytes + (uint64_t)kb * 1024 - 1) / ((uint64_t)kb * 1024);
			size_t k;

			if (!pgs)
				continue;
			for (k = 0; k < b->nhp; k++)
				if (b->hp[k].node == p->mem[m].node && b->hp[k].kb == kb)
					break;
			if (k == b->nhp)
				return lwk_err_set(err, EINVAL, "NUMA node %u has no %s huge pages: "
						   "ask for other pages or nodes", p->mem[m].node,
						   kb == 2048 ? "2M" : "1G");
			pl->hp[k] += pgs;
		}
	}
	hwloc_bitmap_andnot(pl->linux_cpus, b->online, pl->lwk);
	if (pl->any && hwloc_bitmap_iszero(pl->linux_cpus)) {
		hwloc_bitmap_list_snprintf(l1, sizeof(l1), pl->lwk);
		return lwk_err_set(err, EINVAL, "LWK partitions on CPUs %s would leave no CPU "
				   "for Linux: keep at least one online CPU out of them", l1);
	}
	for (size_t i = 0; i < b->nirq; i++) {
		pl->irq[i] = hwloc_bitmap_alloc();
		steer(pl->irq[i], b->irq[i].mask, pl);
	}
	steer(pl->dfl, b->dfl, pl);
	steer(pl->wq, b->wq, pl);
	return 0;
}
