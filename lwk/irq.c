/* The node's interrupts. See irq.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irq.h"
#include "noise.h"
#include "proctable.h"
#include "sysfile.h"

void lwk_irqs_fini(struct lwk_irqs *x)
{
	for (unsigned i = 0; i < x->nline; i++) {
		free(x->line[i].count);
		if (x->line[i].effective)
			hwloc_bitmap_free(x->line[i].effective);
	}
	free(x->line);
	memset(x, 0, sizeof(*x));
}

static struct lwk_irq_line *add_line(struct lwk_irqs *x, unsigned ncol)
{
	struct lwk_irq_line *nl = realloc(x->line, (x->nline + 1) * sizeof(*nl)), *l;

	if (!nl)
		return NULL;
	x->line = nl;
	l = &nl[x->nline];
	memset(l, 0, sizeof(*l));
	l->irq = -1;
	l->count = calloc(ncol ? ncol : 1, sizeof(*l->count));
	if (!l->count)
		return NULL;
	x->nline++;
	return l;
}

/* The last word of a row's description: the handler's name
 * ("PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0"). */
static void last_word(const char *s, char *out, size_t len)
{
	const char *e = s + strlen(s), *b;

	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	for (b = e; b > s && !isspace((unsigned char)b[-1]); b--)
		;
	snprintf(out, len, "%.*s", (int)(e - b), b);
}

struct table_ctx {
	struct lwk_irqs *x;
	bool softirq;
};

/* One row of /proc/interrupts or /proc/softirqs (proctable.h) into x. */
static int take_row(const struct lwk_proc_row *r, void *ctx, struct lwk_err *err)
{
	struct table_ctx *t = ctx;
	struct lwk_irqs *x = t->x;
	struct lwk_irq_line *l;
	int kind = t->softirq ? LWK_NOISE_SOFTIRQ : lwk_noise_label_kind(r->label);

	if (kind < 0)
		return 0;
	/* both tables come from one node: the first one fixes the width */
	if (!x->ncpu)
		x->ncpu = r->width;
	l = add_line(x, x->ncpu);
	if (!l)
		return lwk_err_set(err, ENOMEM, "out of memory");
	snprintf(l->label, sizeof(l->label), "%s", r->label);
	l->kind = kind;
	for (size_t i = 0; i < r->nval; i++) {
		if (r->cpu[i] < x->ncpu)
			l->count[r->cpu[i]] = r->val[i];
		l->total += r->val[i];
	}
	if (t->softirq) {
		snprintf(l->name, sizeof(l->name), "softirq %s", r->label);
	} else if (isdigit((unsigned char)r->label[0])) {
		l->irq = atoi(r->label);
		last_word(r->rest, l->name, sizeof(l->name));
		if (!l->name[0])
			snprintf(l->name, sizeof(l->name), "irq %d", l->irq);
	} else {
		snprintf(l->name, sizeof(l->name), "%s", r->label);
	}
	return 0;
}

/* A /proc/interrupts-like table; softirq: the rows are softirqs. */
static int read_table(const char *path, bool softirq, struct lwk_irqs *x, struct lwk_err *err)
{
	struct table_ctx t = { .x = x, .softirq = softirq };
	unsigned width = 0;

	if (lwk_proc_table_read(path, take_row, &t, &width, err))
		return -1;
	if (!x->ncpu)
		x->ncpu = width;
	return 0;
}

/* Managed, as the kernel's debugfs says (when mounted). */
static bool debugfs_managed(const char *root, int irq)
{
	char path[512], *text = NULL;
	bool yes;

	snprintf(path, sizeof(path), "%s/sys/kernel/debug/irq/irqs/%d", root, irq);
	if (lwk_read_all(path, &text, NULL) < 0)
		return false;
	yes = strstr(text, "AFFINITY_MANAGED") != NULL;
	free(text);
	return yes;
}

/* Writes the IRQ's own mask back: a no-op the kernel refuses only for IRQs
 * whose affinity user space cannot set (EIO on older kernels, EPERM on
 * newer ones, even for root). Not being allowed to open the file (no
 * privilege, a read-only /proc) says nothing about the IRQ. */
static bool probe_refused(const char *path)
{
	char cur[4096];
	bool refused;
	int fd;

	if (lwk_read_str(path, cur, sizeof(cur), NULL) < 0)
		return false;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	refused = write(fd, cur, strlen(cur)) < 0;
	close(fd);
	return refused;
}

static void read_irq_dir(const char *root, unsigned flags, struct lwk_irq_line *l)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/proc/irq/%d/effective_affinity_list", root, l->irq);
	l->effective = hwloc_bitmap_alloc();
	if (l->effective && lwk_read_list(path, l->effective, NULL) < 0) {
		/* kernels without effective affinity: the requested mask */
		snprintf(path, sizeof(path), "%s/proc/irq/%d/smp_affinity_list", root, l->irq);
		if (lwk_read_list(path, l->effective, NULL) < 0) {
			hwloc_bitmap_free(l->effective);
			l->effective = NULL;
		}
	}
	l->managed = debugfs_managed(root, l->irq);
	if ((flags & LWK_IRQ_PROBE) && !l->managed) {
		snprintf(path, sizeof(path), "%s/proc/irq/%d/smp_affinity_list", root, l->irq);
		l->refused = probe_refused(path);
	}
}

int lwk_irqs_read(const char *root, unsigned flags, struct lwk_irqs *out, struct lwk_err *err)
{
	char path[512];
	struct lwk_err soft;

	memset(out, 0, sizeof(*out));
	if (!root)
		root = "";
	snprintf(path, sizeof(path), "%s/proc/interrupts", root);
	if (read_table(path, false, out, err) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/proc/softirqs", root);
	/* softirqs are extra detail: a kernel without the file still has IRQs */
	lwk_err_clear(&soft);
	if (read_table(path, true, out, &soft) < 0 && soft.code == ENOMEM) {
		lwk_err_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (!(flags & LWK_IRQ_COUNTS))
		for (unsigned i = 0; i < out->nline; i++)
			if (out->line[i].irq >= 0)
				read_irq_dir(root, flags, &out->line[i]);
	return 0;
fail:
	lwk_irqs_fini(out);
	return -1;
}

void lwk_irqs_cost(const struct lwk_irqs *x, uint64_t *cost, unsigned ncost)
{
	memset(cost, 0, ncost * sizeof(*cost));
	for (unsigned i = 0; i < x->nline; i++) {
		const struct lwk_irq_line *l = &x->line[i];
		int w, c;

		if (!lwk_irq_unmovable(l) || !l->effective)
			continue;
		w = hwloc_bitmap_weight(l->effective);
		if (w <= 0)
			continue;
		hwloc_bitmap_foreach_begin(c, l->effective)
			if ((unsigned)c < ncost)
				cost[c] += 1 + l->total / (unsigned)w;
		hwloc_bitmap_foreach_end();
	}
}

void lwk_irqs_unmovable_cpus(const struct lwk_irqs *x, hwloc_const_bitmap_t set,
			     hwloc_bitmap_t out)
{
	hwloc_bitmap_zero(out);
	for (unsigned i = 0; i < x->nline; i++)
		if (lwk_irq_unmovable(&x->line[i]) && x->line[i].effective)
			hwloc_bitmap_or(out, out, x->line[i].effective);
	hwloc_bitmap_and(out, out, set);
}

void lwk_irq_thousands(uint64_t v, char *buf, size_t len)
{
	char digits[32];
	size_t n, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, v);
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t o = strlen(buf);
	va_list ap;

	if (o + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + o, len - o, fmt, ap);
	va_end(ap);
}

void lwk_irqs_describe(const struct lwk_irqs *x, hwloc_const_bitmap_t cpus, unsigned max,
		       char *buf, size_t len)
{
	unsigned shown = 0, more = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < x->nline; i++) {
		const struct lwk_irq_line *l = &x->line[i];
		char what[64], where[64], n[32];
		hwloc_bitmap_t on;

		if (!lwk_irq_unmovable(l) || !l->effective ||
		    !hwloc_bitmap_intersects(l->effective, cpus))
			continue;
		if (shown == max) {
			more++;
			continue;
		}
		on = hwloc_bitmap_alloc();
		if (!on)
			return;
		hwloc_bitmap_and(on, l->effective, cpus);
		snprintf(what, sizeof(what), "irq %d %s", l->irq, l->name);
		snprintf(where, sizeof(where), "CPU%s ", hwloc_bitmap_weight(on) > 1 ? "s" : "");
		hwloc_bitmap_list_snprintf(where + strlen(where), sizeof(where) - strlen(where), on);
		lwk_irq_thousands(l->total, n, sizeof(n));
		append(buf, len, "%s%s on %s (%s so far)", shown ? ", " : "", what, where, n);
		hwloc_bitmap_free(on);
		shown++;
	}
	if (more)
		append(buf, len, ", +%u more", more);
}

struct src {
	const char *name;
	uint64_t n;
};

static int src_cmp(const void *a, const void *b)
{
	const struct src *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The line of base with the same label and kind as l (rows may come and go
 * between reads: a device's IRQ added or removed). */
static const struct lwk_irq_line *same_line(const struct lwk_irqs *base, unsigned hint,
					    const struct lwk_irq_line *l)
{
	if (hint < base->nline && base->line[hint].kind == l->kind &&
	    !strcmp(base->line[hint].label, l->label))
		return &base->line[hint];
	for (unsigned i = 0; i < base->nline; i++)
		if (base->line[i].kind == l->kind && !strcmp(base->line[i].label, l->label))
			return &base->line[i];
	return NULL;
}

void lwk_irqs_top(const struct lwk_irqs *now, const struct lwk_irqs *base, unsigned cpu,
		  unsigned max, char *buf, size_t len)
{
	struct src *s;
	unsigned ns = 0;

	if (len)
		buf[0] = '\0';
	if (cpu >= now->ncpu || !now->nline)
		return;
	s = calloc(now->nline, sizeof(*s));
	if (!s)
		return;
	for (unsigned i = 0; i < now->nline; i++) {
		const struct lwk_irq_line *l = &now->line[i], *b = same_line(base, i, l);
		uint64_t v = l->count[cpu], was = b && cpu < base->ncpu ? b->count[cpu] : 0;

		if (v > was)
			s[ns++] = (struct src){ l->name, v - was };
	}
	qsort(s, ns, sizeof(*s), src_cmp);
	for (unsigned i = 0; i < ns && i < max; i++) {
		char n[32];

		lwk_irq_thousands(s[i].n, n, sizeof(n));
		append(buf, len, "%s%s %s", i ? ", " : "", s[i].name, n);
	}
	if (ns > max)
		append(buf, len, ", +%u more", ns - max);
	free(s);
}
