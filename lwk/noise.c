/* Noise of LWK cores: lwk.ko's counters, else /proc deltas. See noise.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "noise.h"
#include "proctable.h"

static const char *const kind_name[LWK_NOISE_NKINDS] = {
	"irq", "timer", "ipi", "vector", "softirq", "nmi", "preempt",
};

const char *lwk_noise_kind_name(enum lwk_noise_kind k)
{
	return (unsigned)k < LWK_NOISE_NKINDS ? kind_name[k] : "?";
}

static int noise_alloc(hwloc_const_bitmap_t cpus, struct lwk_noise *out, struct lwk_err *err)
{
	int w = hwloc_bitmap_weight(cpus), c, i = 0;

	memset(out, 0, sizeof(*out));
	if (w <= 0)
		return lwk_err_set(err, EINVAL, "noise: no CPUs given (or an infinite set)");
	out->cpu = calloc((size_t)w, sizeof(*out->cpu));
	if (!out->cpu)
		return lwk_err_set(err, ENOMEM, "noise: out of memory");
	hwloc_bitmap_foreach_begin(c, cpus)
		out->cpu[i++].cpu = (unsigned)c;
	hwloc_bitmap_foreach_end();
	out->ncpu = (unsigned)w;
	return 0;
}

void lwk_noise_fini(struct lwk_noise *n)
{
	free(n->cpu);
	memset(n, 0, sizeof(*n));
}

static struct lwk_noise_cpu *noise_cpu(struct lwk_noise *n, unsigned cpu)
{
	for (unsigned i = 0; i < n->ncpu; i++)
		if (n->cpu[i].cpu == cpu)
			return &n->cpu[i];
	return NULL;
}

/* --- lwk.ko --------------------------------------------------------------- */

static int kmod_read_cpu(const char *sysdir, struct lwk_noise_cpu *nc, struct lwk_err *err)
{
	char path[512], name[64];
	uint64_t cnt, ns, max;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpu%u/stats", sysdir, nc->cpu);
	f = fopen(path, "re");
	if (!f)
		return lwk_err_set(err, errno, "noise: cannot read %s: %s (is lwk.ko loaded?)",
				   path, strerror(errno));
	while (fscanf(f, "%63s %" SCNu64 " %" SCNu64 " %" SCNu64, name, &cnt, &ns, &max) == 4) {
		for (int k = 0; k < LWK_NOISE_NKINDS; k++) {
			if (strcmp(name, kind_name[k]))
				continue;
			nc->count[k] = cnt;
			nc->ns[k] = ns;
			nc->max_ns[k] = max;
		}
	}
	fclose(f);
	return 0;
}

int lwk_noise_read_kmod(const char *sysdir, hwloc_const_bitmap_t cpus, struct lwk_noise *out,
			struct lwk_err *err)
{
	if (noise_alloc(cpus, out, err))
		return -1;
	out->timed = true;
	for (unsigned i = 0; i < out->ncpu; i++) {
		if (kmod_read_cpu(sysdir, &out->cpu[i], err)) {
			lwk_noise_fini(out);
			return -1;
		}
	}
	return 0;
}

static bool kmod_present(void)
{
	return access(LWK_NOISE_SYSDIR "/watch", W_OK) == 0;
}

/* Does lwk.ko watch all of cpus? Not if it was loaded after the partition
 * was made, or reloaded since: its counters would then miss events. */
static bool kmod_watches(hwloc_const_bitmap_t cpus)
{
	hwloc_bitmap_t w = hwloc_bitmap_alloc();
	char buf[4096];
	bool yes = false;
	FILE *f = fopen(LWK_NOISE_SYSDIR "/cpus", "re");

	if (f && w && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		yes = hwloc_bitmap_list_sscanf(w, buf) == 0 && hwloc_bitmap_isincluded(cpus, w);
	}
	if (f)
		fclose(f);
	hwloc_bitmap_free(w);
	return yes;
}

static int kmod_write(const char *file, hwloc_const_bitmap_t cpus, struct lwk_err *err)
{
	char path[256], *list = NULL;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), LWK_NOISE_SYSDIR "/%s", file);
	if (hwloc_bitmap_list_asprintf(&list, cpus) < 0)
		return lwk_err_set(err, ENOMEM, "noise: out of memory");
	f = fopen(path, "we");
	if (!f || fprintf(f, "%s\n", list) < 0 || fflush(f) != 0)
		ret = lwk_err_set(err, errno, "noise: cannot write CPUs %s to %s: %s", list, path,
				  strerror(errno));
	if (f && fclose(f) != 0 && !ret)
		ret = lwk_err_set(err, errno, "noise: cannot write CPUs %s to %s: %s", list, path,
				  strerror(errno));
	free(list);
	return ret;
}

/* --- /proc ---------------------------------------------------------------- */

/* The kind of a /proc/interrupts row, or -1 to leave it out: TLB shootdowns
 * are already in CAL, PMIs are NMIs, ERR/MIS are not per-CPU, MCP is a poll. */
int lwk_noise_label_kind(const char *label)
{
	static const char *const skip[] = { "TLB", "PMI", "ERR", "MIS", "MCP" };

	if (label[0] >= '0' && label[0] <= '9')
		return LWK_NOISE_IRQ;
	if (!strcmp(label, "LOC"))
		return LWK_NOISE_TIMER;
	if (!strcmp(label, "RES") || !strcmp(label, "CAL"))
		return LWK_NOISE_IPI;
	if (!strcmp(label, "NMI"))
		return LWK_NOISE_NMI;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(label, skip[i]))
			return -1;
	return LWK_NOISE_VECTOR;
}

struct table_ctx {
	struct lwk_noise *n;
	int kind;
};

/* One row of /proc/interrupts or /proc/softirqs (proctable.h) into the
 * counters of its kind. */
static int add_row(const struct lwk_proc_row *r, void *ctx, struct lwk_err *err)
{
	struct table_ctx *t = ctx;
	int k = t->kind < 0 ? lwk_noise_label_kind(r->label) : t->kind;

	(void)err;
	if (k < 0)
		return 0;
	for (size_t i = 0; i < r->nval; i++) {
		struct lwk_noise_cpu *nc = noise_cpu(t->n, r->cpu[i]);

		if (nc)
			nc->count[k] += r->val[i];
	}
	return 0;
}

/* Reads a /proc/interrupts-like table. kind -1: by label. */
static int proc_table(const char *path, int kind, struct lwk_noise *n, struct lwk_err *err)
{
	struct table_ctx t = { .n = n, .kind = kind };

	if (lwk_proc_table_read(path, add_row, &t, NULL, err))
		return lwk_err_prefix(err, "noise");
	return 0;
}

int lwk_noise_read_proc(const char *procdir, hwloc_const_bitmap_t cpus, struct lwk_noise *out,
			struct lwk_err *err)
{
	char path[512];

	if (noise_alloc(cpus, out, err))
		return -1;
	snprintf(path, sizeof(path), "%s/interrupts", procdir);
	if (proc_table(path, -1, out, err))
		goto fail;
	snprintf(path, sizeof(path), "%s/softirqs", procdir);
	if (proc_table(path, LWK_NOISE_SOFTIRQ, out, err))
		goto fail;
	return 0;
fail:
	lwk_noise_fini(out);
	return -1;
}

void lwk_noise_sub(struct lwk_noise *now, const struct lwk_noise *base)
{
	for (unsigned i = 0; i < now->ncpu; i++) {
		const struct lwk_noise_cpu *b = NULL;

		for (unsigned j = 0; j < base->ncpu; j++)
			if (base->cpu[j].cpu == now->cpu[i].cpu)
				b = &base->cpu[j];
		if (!b)
			continue;
		for (int k = 0; k < LWK_NOISE_NKINDS; k++) {
			uint64_t *c = &now->cpu[i].count[k], *t = &now->cpu[i].ns[k];

			*c = *c > b->count[k] ? *c - b->count[k] : 0;
			*t = *t > b->ns[k] ? *t - b->ns[k] : 0;
		}
	}
}

/* Baseline file: "CPU COUNT..." per line, one count per kind. */
int lwk_noise_save(const struct lwk_noise *n, const char *path, struct lwk_err *err)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return lwk_err_set(err, errno, "noise: cannot write %s: %s", path, strerror(errno));
	for (unsigned i = 0; i < n->ncpu; i++) {
		fprintf(f, "%u", n->cpu[i].cpu);
		for (int k = 0; k < LWK_NOISE_NKINDS; k++)
			fprintf(f, " %" PRIu64, n->cpu[i].count[k]);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f)) {
		fclose(f);
		return lwk_err_set(err, EIO, "noise: cannot write %s", path);
	}
	if (fclose(f) != 0)
		return lwk_err_set(err, errno, "noise: cannot write %s: %s", path, strerror(errno));
	return 0;
}

int lwk_noise_load(const char *path, struct lwk_noise *out, struct lwk_err *err)
{
	struct lwk_noise_cpu nc, *grown;
	FILE *f = fopen(path, "re");

	memset(out, 0, sizeof(*out));
	if (!f)
		return lwk_err_set(err, errno, "noise: cannot read the baseline %s: %s", path,
				   strerror(errno));
	for (;;) {
		int k;

		memset(&nc, 0, sizeof(nc));
		if (fscanf(f, "%u", &nc.cpu) != 1)
			break;
		for (k = 0; k < LWK_NOISE_NKINDS; k++)
			if (fscanf(f, "%" SCNu64, &nc.count[k]) != 1)
				break;
		if (k < LWK_NOISE_NKINDS)
			break;
		grown = realloc(out->cpu, (out->ncpu + 1) * sizeof(*out->cpu));
		if (!grown) {
			fclose(f);
			lwk_noise_fini(out);
			return lwk_err_set(err, ENOMEM, "noise: out of memory");
		}
		out->cpu = grown;
		out->cpu[out->ncpu++] = nc;
	}
	if (!feof(f)) {
		fclose(f);
		lwk_noise_fini(out);
		return lwk_err_set(err, EINVAL, "noise: %s is not a noise baseline", path);
	}
	fclose(f);
	return 0;
}

/* --- the public entry points ----------------------------------------------- */

int lwk_noise_watch(hwloc_const_bitmap_t cpus, const char *basefile, struct lwk_err *err)
{
	struct lwk_noise base;
	int ret = 0;

	if (kmod_present() && kmod_write("watch", cpus, err))
		return -1;
	/* a baseline even with lwk.ko, in case it is unloaded meanwhile */
	if (!basefile)
		return 0;
	if (lwk_noise_read_proc("/proc", cpus, &base, kmod_present() ? NULL : err))
		return kmod_present() ? 0 : -1;
	ret = lwk_noise_save(&base, basefile, kmod_present() ? NULL : err);
	lwk_noise_fini(&base);
	return kmod_present() ? 0 : ret;
}

int lwk_noise_unwatch(hwloc_const_bitmap_t cpus, struct lwk_err *err)
{
	return kmod_present() ? kmod_write("unwatch", cpus, err) : 0;
}

int lwk_noise_since(hwloc_const_bitmap_t cpus, const char *basefile, struct lwk_noise *out,
		    struct lwk_err *err)
{
	struct lwk_noise base;

	if (kmod_present() && kmod_watches(cpus))
		return lwk_noise_read_kmod(LWK_NOISE_SYSDIR, cpus, out, err);
	if (lwk_noise_read_proc("/proc", cpus, out, err))
		return -1;
	if (!basefile || lwk_noise_load(basefile, &base, NULL)) {
		lwk_noise_fini(out);
		return lwk_err_set(err, ENOENT,
				   "noise: no baseline for CPUs of this partition and no lwk.ko: "
				   "load lwk.ko before creating partitions");
	}
	lwk_noise_sub(out, &base);
	lwk_noise_fini(&base);
	return 0;
}

/* --- the report ------------------------------------------------------------- */

void lwk_noise_total(const struct lwk_noise *n, struct lwk_noise_cpu *total)
{
	memset(total, 0, sizeof(*total));
	for (unsigned i = 0; i < n->ncpu; i++)
		for (int k = 0; k < LWK_NOISE_NKINDS; k++) {
			total->count[k] += n->cpu[i].count[k];
			total->ns[k] += n->cpu[i].ns[k];
			if (n->cpu[i].max_ns[k] > total->max_ns[k])
				total->max_ns[k] = n->cpu[i].max_ns[k];
		}
}

struct lwk_noise_sum lwk_noise_cpu_sum(const struct lwk_noise_cpu *c)
{
	struct lwk_noise_sum s = { .worst_kind = -1 };

	for (int k = 0; k < LWK_NOISE_NKINDS; k++) {
		s.count += c->count[k];
		s.ns += c->ns[k];
		if (c->max_ns[k] > s.worst_ns) {
			s.worst_ns = c->max_ns[k];
			s.worst_kind = k;
		}
	}
	return s;
}

static void report_row(FILE *f, const char *label, const struct lwk_noise_cpu *c, bool timed)
{
	struct lwk_noise_sum s = lwk_noise_cpu_sum(c);

	fprintf(f, "  %-5s", label);
	for (int k = 0; k < LWK_NOISE_NKINDS; k++) {
		if (k == LWK_NOISE_PREEMPT && !timed)
			fprintf(f, " %8s", "-");
		else
			fprintf(f, " %8" PRIu64, c->count[k]);
	}
	if (timed)
		fprintf(f, " %12.1f %10.1f %s", s.ns / 1e3, s.worst_ns / 1e3,
			s.worst_kind >= 0 ? kind_name[s.worst_kind] : "-");
	fputc('\n', f);
}

void lwk_noise_report(FILE *f, const char *id, const struct lwk_noise *n)
{
	struct lwk_noise_cpu total;

	fprintf(f, "lwk: noise of partition %s on %u CPU%s (%s)\n", id, n->ncpu,
		n->ncpu == 1 ? "" : "s",
		n->timed ? "lwk.ko; times in microseconds, exclusive of nested interruptions"
			 : "from /proc: counts only; load lwk.ko for times and preemptions");
	fprintf(f, "  %-5s", "cpu");
	for (int k = 0; k < LWK_NOISE_NKINDS; k++)
		fprintf(f, " %8s", kind_name[k]);
	if (n->timed)
		fprintf(f, " %12s %10s %s", "stolen_us", "worst_us", "worst_kind");
	fputc('\n', f);
	for (unsigned i = 0; i < n->ncpu; i++) {
		const struct lwk_noise_cpu *c = &n->cpu[i];
		char label[16];

		snprintf(label, sizeof(label), "%u", c->cpu);
		report_row(f, label, c, n->timed);
	}
	if (n->ncpu > 1) {
		lwk_noise_total(n, &total);
		report_row(f, "all", &total, n->timed);
	}
}
