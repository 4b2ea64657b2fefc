#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "registry.h"
#include "sysfile.h"

static const char *const backend_names[] = {
	[LWK_BACKEND_AUTO] = "auto", [LWK_BACKEND_NATIVE] = "native",
	[LWK_BACKEND_MCKERNEL] = "mckernel", [LWK_BACKEND_MOS] = "mos",
};
static const char *const state_names[] = {
	[LWK_PART_CREATING] = "creating", [LWK_PART_LIVE] = "live",
	[LWK_PART_DESTROYING] = "destroying",
};
static const char *const pages_names[] = {
	[LWK_PAGES_4K] = "4k", [LWK_PAGES_2M] = "2m", [LWK_PAGES_1G] = "1g",
};

const char *lwk_registry_backend_name(enum lwk_backend_kind b)
{
	return (unsigned)b < 4 ? backend_names[b] : "?";
}

int lwk_registry_backend_kind(const char *name, enum lwk_backend_kind *b)
{
	for (unsigned i = 0; i < 4; i++)
		if (!strcmp(name, backend_names[i])) {
			*b = i;
			return 0;
		}
	return -1;
}

const char *lwk_part_state_name(enum lwk_part_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "?";
}

const char *lwk_boot_id(void)
{
	static char id[40];

	if (!id[0] && lwk_read_str("/proc/sys/kernel/random/boot_id", id, sizeof(id), NULL) < 0)
		id[0] = '\0';
	return id;
}

bool lwk_partition_stale_boot(const struct lwk_partition *p)
{
	const char *now = lwk_boot_id();

	return p->boot_id[0] && now[0] && strcmp(p->boot_id, now);
}

bool lwk_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= LWK_ID_MAX || id[0] == '.')
		return false;
	for (const char *s = id; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

int lwk_registry_open(struct lwk_registry *r, const char *statedir, bool create,
		      struct lwk_err *err)
{
	struct stat st;

	r->lockfd = -1;
	if (!statedir)
		statedir = LWK_STATEDIR;
	if (!*statedir || (size_t)snprintf(r->dir, sizeof(r->dir), "%s", statedir) >= sizeof(r->dir))
		return lwk_err_set(err, EINVAL, "bad state directory '%s'", statedir);
	if (create && mkdir(statedir, 0755) < 0 && errno != EEXIST)
		return lwk_err_set(err, errno, "cannot create state directory %s: %s",
				   statedir, strerror(errno));
	if (stat(statedir, &st) < 0)
		return lwk_err_set(err, errno, "state directory %s: %s", statedir,
				   strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lwk_err_set(err, ENOTDIR, "state directory %s is not a directory",
				   statedir);
	return 0;
}

static int lock_as(struct lwk_registry *r, int how, struct lwk_err *err)
{
	char path[PATH_MAX + 8];

	if (r->lockfd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/lock", r->dir);
	r->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->lockfd < 0)
		return lwk_err_set(err, errno, "cannot open lock %s: %s (are you root?)", path,
				   strerror(errno));
	while (flock(r->lockfd, how) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(r->lockfd);
		r->lockfd = -1;
		return lwk_err_set(err, e, "cannot lock %s: %s", path, strerror(e));
	}
	return 0;
}

int lwk_registry_lock(struct lwk_registry *r, struct lwk_err *err)
{
	return lock_as(r, LOCK_EX, err);
}

int lwk_registry_lock_shared(struct lwk_registry *r, struct lwk_err *err)
{
	return lock_as(r, LOCK_SH, err);
}

void lwk_registry_close(struct lwk_registry *r)
{
	if (r->lockfd >= 0)
		close(r->lockfd);	/* releases the flock */
	r->lockfd = -1;
}

/* --- record text --- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if (b->s && b->len + n < b->cap) {
			b->len += n;
			return;
		}
		size_t ncap = (b->cap ? b->cap : 1024);

		while (ncap <= b->len + n)
			ncap *= 2;
		char *ns = realloc(b->s, ncap);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = ncap;
	}
}

/* Values are single lines: anything that could break the format goes. */
static void sb_value(struct sbuf *b, const char *key, const char *v)
{
	sb_printf(b, "%s=", key);
	for (; *v; v++)
		sb_printf(b, "%c", (*v == '\n' || *v == '\r') ? ' ' : *v);
	sb_printf(b, "\n");
}

char *lwk_record_format(const struct lwk_partition *p)
{
	struct sbuf b = { 0 };
	char *list = NULL;

	sb_value(&b, "id", p->id);
	sb_value(&b, "boot", p->boot_id[0] ? p->boot_id : lwk_boot_id());
	sb_value(&b, "owner", p->owner);
	sb_printf(&b, "creator=%ld\n", (long)p->creator);
	sb_printf(&b, "backend=%s\n", lwk_registry_backend_name(p->backend));
	sb_printf(&b, "state=%s\n", lwk_part_state_name(p->state));
	hwloc_bitmap_list_asprintf(&list, p->cpus);
	sb_printf(&b, "cpus=%s\n", list ? list : "");
	free(list);
	list = NULL;
	hwloc_bitmap_list_asprintf(&list, p->mems);
	sb_printf(&b, "mems=%s\n", list ? list : "");
	free(list);
	sb_printf(&b, "pages=%s\n", (unsigned)p->pages < 3 ? pages_names[p->pages] : "4k");
	for (unsigned i = 0; i < p->nmem && i < LWK_MAX_NUMA; i++)
		sb_printf(&b, "mem=%u:%" PRIu64 "\n", p->mem[i].node, p->mem[i].bytes);
	sb_value(&b, "spec", p->spec);
	sb_printf(&b, "created=%lld\n", (long long)p->created);
	sb_value(&b, "cgroup", p->cgroup);
	sb_value(&b, "note", p->note);
	if (p->holders[0])
		sb_value(&b, "holders", p->holders);
	for (unsigned i = 0; i < p->nsteps && i < LWK_STEPS_MAX; i++) {
		char line[sizeof(p->step[i].name) + sizeof(p->step[i].arg) + 2];

		snprintf(line, sizeof(line), "%s %s", p->step[i].name, p->step[i].arg);
		sb_value(&b, "step", line);
	}
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

static int copy_field(char *dst, size_t len, const char *v)
{
	if (strlen(v) >= len)
		return -1;
	strcpy(dst, v);
	return 0;
}

static int parse_num(const char *v, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	long long x = strtoll(v, &end, 10);

	if (errno || end == v || *end || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int parse_line(struct lwk_partition *p, const char *key, const char *v)
{
	long long x;

	if (!strcmp(key, "id"))
		return lwk_id_valid(v) ? copy_field(p->id, sizeof(p->id), v) : -1;
	if (!strcmp(key, "boot"))
		return copy_field(p->boot_id, sizeof(p->boot_id), v);
	if (!strcmp(key, "owner"))
		return copy_field(p->owner, sizeof(p->owner), v);
	if (!strcmp(key, "creator")) {
		if (parse_num(v, 0, INT32_MAX, &x) < 0)
			return -1;
		p->creator = (pid_t)x;
		return 0;
	}
	if (!strcmp(key, "backend"))
		return lwk_registry_backend_kind(v, &p->backend);
	if (!strcmp(key, "state")) {
		for (unsigned i = 0; i < 3; i++)
			if (!strcmp(v, state_names[i])) {
				p->state = i;
				return 0;
			}
		return -1;
	}
	if (!strcmp(key, "cpus"))
		return hwloc_bitmap_list_sscanf(p->cpus, v);
	if (!strcmp(key, "mems"))
		return hwloc_bitmap_list_sscanf(p->mems, v);
	if (!strcmp(key, "pages")) {
		for (unsigned i = 0; i < 3; i++)
			if (!strcmp(v, pages_names[i])) {
				p->pages = i;
				return 0;
			}
		return -1;
	}
	if (!strcmp(key, "mem")) {
		unsigned node;
		uint64_t bytes;
		int end = 0;

		if (p->nmem >= LWK_MAX_NUMA ||
		    sscanf(v, "%u:%" SCNu64 "%n", &node, &bytes, &end) != 2 || v[end])
			return -1;
		p->mem[p->nmem].node = node;
		p->mem[p->nmem].bytes = bytes;
		p->nmem++;
		return 0;
	}
	if (!strcmp(key, "spec"))
		return copy_field(p->spec, sizeof(p->spec), v);
	if (!strcmp(key, "created")) {
		if (parse_num(v, 0, INT64_MAX, &x) < 0)
			return -1;
		p->created = (time_t)x;
		return 0;
	}
	if (!strcmp(key, "cgroup"))
		return copy_field(p->cgroup, sizeof(p->cgroup), v);
	if (!strcmp(key, "note"))
		return copy_field(p->note, sizeof(p->note), v);
	if (!strcmp(key, "holders"))
		return copy_field(p->holders, sizeof(p->holders), v);
	if (!strcmp(key, "step")) {
		struct lwk_step *s;
		const char *sp = strchr(v, ' ');
		size_t nl = sp ? (size_t)(sp - v) : strlen(v);

		if (p->nsteps >= LWK_STEPS_MAX || nl == 0)
			return -1;
		s = &p->step[p->nsteps];
		if (nl >= sizeof(s->name) || copy_field(s->arg, sizeof(s->arg), sp ? sp + 1 : "") < 0)
			return -1;
		memcpy(s->name, v, nl);
		s->name[nl] = '\0';
		p->nsteps++;
		return 0;
	}
	return -1;
}

int lwk_record_parse(const char *text, const char *what, struct lwk_partition *p,
		     struct lwk_err *err)
{
	bool have_id = false, have_state = false, have_cpus = false;
	struct lwk_kv kv = { .text = text };
	char line[1200];
	int r;

	while ((r = lwk_kv_next(&kv, line, sizeof(line))) > 0) {
		if (!kv.val || parse_line(p, kv.key, kv.val) < 0)
			return lwk_err_set(err, EINVAL, "%s:%u: bad line '%s%s%s': the record is "
					   "corrupt, remove it after checking the node by hand",
					   what, kv.lineno, kv.key, kv.val ? "=" : "",
					   kv.val ? kv.val : "");
		have_id |= !strcmp(kv.key, "id");
		have_state |= !strcmp(kv.key, "state");
		have_cpus |= !strcmp(kv.key, "cpus");
	}
	if (r < 0)
		return lwk_err_set(err, EINVAL, "%s:%u: line too long: the record is corrupt, "
				   "remove it after checking the node by hand", what, kv.lineno);
	if (!have_id || !have_state || !have_cpus)
		return lwk_err_set(err, EINVAL, "%s: record lacks id, state or cpus: it is "
				   "corrupt, remove it after checking the node by hand", what);
	return 0;
}

/* --- records on disk --- */

int lwk_registry_put(struct lwk_registry *r, const struct lwk_partition *p,
		     struct lwk_err *err)
{
	char name[LWK_ID_MAX + 8];
	char *text;
	int rc;

	if (!lwk_id_valid(p->id))
		return lwk_err_set(err, EINVAL, "bad partition id '%s'", p->id);
	text = lwk_record_format(p);
	if (!text)
		return lwk_err_set(err, ENOMEM, "out of memory");
	snprintf(name, sizeof(name), "%s.part", p->id);
	rc = lwk_write_atomic(r->dir, name, text, err);
	free(text);
	return rc;
}

int lwk_registry_get(struct lwk_registry *r, const char *id, struct lwk_partition *p,
		     struct lwk_err *err)
{
	char path[PATH_MAX + LWK_ID_MAX + 8], *text;
	int rc;

	if (!lwk_id_valid(id))
		return lwk_err_set(err, EINVAL, "bad partition id '%s': use letters, digits, "
				   "'.', '_' and '-'", id);
	snprintf(path, sizeof(path), "%s/%s.part", r->dir, id);
	if (lwk_read_all(path, &text, err) < 0) {
		if (err && err->code == ENOENT)
			lwk_err_set(err, ENOENT, "no partition '%s' (see lwkpart list)", id);
		return -1;
	}
	rc = lwk_record_parse(text, path, p, err);
	free(text);
	return rc;
}

int lwk_registry_del(struct lwk_registry *r, const char *id, struct lwk_err *err)
{
	char name[LWK_ID_MAX + 8];

	if (!lwk_id_valid(id))
		return lwk_err_set(err, EINVAL, "bad partition id '%s'", id);
	snprintf(name, sizeof(name), "%s.part", id);
	return lwk_remove_file(r->dir, name, err);
}

/* A record that does not parse and was written before this boot is what a
 * power loss left half-written (see sysfile.h): its state is gone, so it is
 * ignored, and deleted by whoever holds the lock. */
static bool torn_old_record(struct lwk_registry *r, const char *name)
{
	char path[PATH_MAX + LWK_ID_MAX + 8];
	struct stat st;
	long long bt = lwk_boot_time();

	snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	if (!bt || stat(path, &st) < 0 || (long long)st.st_mtime >= bt)
		return false;
	if (r->lockfd >= 0)
		lwk_remove_file(r->dir, name, NULL);
	return true;
}

static int cmp_part(const void *a, const void *b)
{
	return strcmp(((const struct lwk_partition *)a)->id, ((const struct lwk_partition *)b)->id);
}

int lwk_registry_list(struct lwk_registry *r, struct lwk_partition **out, size_t *n,
		      struct lwk_err *err)
{
	DIR *d = opendir(r->dir);
	struct lwk_partition *arr = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;

	*out = NULL;
	*n = 0;
	if (!d)
		return lwk_err_set(err, errno, "cannot read state directory %s: %s", r->dir,
				   strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char id[LWK_ID_MAX];

		if (len <= 5 || strcmp(de->d_name + len - 5, ".part") || len - 5 >= LWK_ID_MAX)
			continue;
		memcpy(id, de->d_name, len - 5);
		id[len - 5] = '\0';
		if (!lwk_id_valid(id))
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct lwk_partition *na = realloc(arr, ncap * sizeof(*arr));

			if (!na) {
				closedir(d);
				lwk_partition_list_free(arr, cnt);
				return lwk_err_set(err, ENOMEM, "out of memory");
			}
			arr = na;
			cap = ncap;
		}
		lwk_partition_init(&arr[cnt]);
		if (lwk_registry_get(r, id, &arr[cnt], err) < 0) {
			lwk_partition_fini(&arr[cnt]);
			if (err && err->code == ENOENT)	/* removed meanwhile */
				continue;
			if (torn_old_record(r, de->d_name)) {
				lwk_err_clear(err);
				continue;
			}
			closedir(d);
			lwk_partition_list_free(arr, cnt);
			return -1;
		}
		cnt++;
	}
	closedir(d);
	if (cnt) {
		qsort(arr, cnt, sizeof(*arr), cmp_part);
	} else {
		free(arr);	/* an empty list owns nothing */
		arr = NULL;
	}
	*out = arr;
	*n = cnt;
	return 0;
}

int lwk_journal_add(struct lwk_journal *j, const char *step, struct lwk_err *err,
		    const char *argfmt, ...)
{
	struct lwk_partition *p = j->p;
	struct lwk_step *s;
	va_list ap;
	int n;

	if (p->nsteps >= LWK_STEPS_MAX)
		return lwk_err_set(err, E2BIG, "partition %s: too many steps recorded", p->id);
	s = &p->step[p->nsteps];
	if (strlen(step) >= sizeof(s->name) || !*step || strchr(step, ' '))
		return lwk_err_set(err, EINVAL, "bad step name '%s'", step);
	strcpy(s->name, step);
	va_start(ap, argfmt);
	n = vsnprintf(s->arg, sizeof(s->arg), argfmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(s->arg) || strchr(s->arg, '\n'))
		return lwk_err_set(err, EINVAL, "step %s: argument too long", step);
	p->nsteps++;
	if (lwk_registry_put(j->reg, p, err) < 0) {
		p->nsteps--;
		return -1;
	}
	lwk_fault_point(step);
	return 0;
}
