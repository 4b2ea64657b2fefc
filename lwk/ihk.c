/* IHK through libihk or its CLIs (see ihk.h). */
#define _GNU_SOURCE	/* secure_getenv */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ihk.h"

#define IHK_CMD_TIMEOUT 120	/* s; reserving much memory is slow */

/* libihk's chunk, as ihklib.h declares it. */
struct ihklib_mem_chunk {
	unsigned long size;
	int numa_node_number;
};

/* The libihk functions used, by their documented names. */
struct lwk_ihk_lib {
	void *dl;
	int (*reserve_cpu)(int, int *, int);
	int (*release_cpu)(int, int *, int);
	int (*get_num_reserved_cpus)(int);
	int (*query_cpu)(int, int *, int);
	int (*reserve_mem)(int, struct ihklib_mem_chunk *, int);
	int (*release_mem)(int, struct ihklib_mem_chunk *, int);
	int (*get_num_reserved_mem_chunks)(int);
	int (*query_mem)(int, struct ihklib_mem_chunk *, int);
	int (*create_os)(int);
	int (*destroy_os)(int, int);
	int (*os_assign_cpu)(int, int *, int);
	int (*os_assign_mem)(int, struct ihklib_mem_chunk *, int);
	int (*os_load)(int, char *);
	int (*os_kargs)(int, char *);
	int (*os_boot)(int);
	int (*os_shutdown)(int);
	int (*os_get_status)(int);
	int (*os_kmsg)(int, char *, ssize_t);
};

static const char *const status_names[] = {
	"INACTIVE", "BOOTING", "RUNNING", "SHUTDOWN", "PANIC", "HUNGUP", "FREEZING", "FROZEN"
};

const char *lwk_ihk_status_name(int status)
{
	if (status >= 0 && status < (int)(sizeof(status_names) / sizeof(status_names[0])))
		return status_names[status];
	return "UNKNOWN";
}

int lwk_ihk_status_parse(const char *word)
{
	size_t n = strcspn(word, " \t\r\n");

	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strlen(status_names[i]) == n && !strncasecmp(word, status_names[i], n))
			return (int)i;
	return -1;
}

uint64_t lwk_ihk_round(uint64_t bytes)
{
	if (bytes > UINT64_MAX - (LWK_IHK_GRANULE - 1))
		return UINT64_MAX - (UINT64_MAX % LWK_IHK_GRANULE);
	return (bytes + LWK_IHK_GRANULE - 1) / LWK_IHK_GRANULE * LWK_IHK_GRANULE;
}

int lwk_ihk_mem_format(const struct lwk_ihk_mem *m, unsigned n, char *buf, size_t len)
{
	int used = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		int k = snprintf(buf + (used < (int)len ? used : 0),
				 used < (int)len ? len - (size_t)used : 0,
				 "%s%" PRIu64 "@%d", i ? "," : "", m[i].bytes, m[i].node);

		if (k < 0)
			return k;
		used += k;
	}
	return used;
}

int lwk_ihk_mem_parse(const char *text, struct lwk_ihk_mem *m, unsigned max, unsigned *n)
{
	const char *s = text;

	*n = 0;
	while (*s == ' ' || *s == '\n')
		s++;
	if (!*s)
		return 0;
	for (;;) {
		char *end;
		unsigned long long v;
		long node;
		unsigned i;

		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno)
			return -1;
		switch (*end) {
		case 'K': case 'k': v <<= 10; end++; break;
		case 'M': case 'm': v <<= 20; end++; break;
		case 'G': case 'g': v <<= 30; end++; break;
		default: break;
		}
		if (*end != '@' || !isdigit((unsigned char)end[1]))
			return -1;
		node = strtol(end + 1, &end, 10);
		if (node < 0 || node > 4095)
			return -1;
		for (i = 0; i < *n && m[i].node != node; i++)
			;
		if (i == *n) {
			if (*n == max)
				return -1;
			m[i].node = (int)node;
			m[i].bytes = 0;
			(*n)++;
		}
		m[i].bytes += v;
		s = end;
		if (*s == ',') {
			s++;
			continue;
		}
		while (*s == ' ' || *s == '\n' || *s == '\r')
			s++;
		return *s ? -1 : 0;
	}
}

/* --- opening --- */

static struct lwk_ihk_lib *lib_load(const char *name, char *why, size_t len)
{
	struct lwk_ihk_lib *l;
	void *dl;

	dl = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(why, len, "%s", dlerror());
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		dlclose(dl);
		return NULL;
	}
	l->dl = dl;
#define SYM(field, name) do {						\
		*(void **)&l->field = dlsym(dl, name);			\
		if (!l->field) {					\
			snprintf(why, len, "libihk lacks %s", name);	\
			goto bad;					\
		}							\
	} while (0)
	SYM(reserve_cpu, "ihk_reserve_cpu");
	SYM(release_cpu, "ihk_release_cpu");
	SYM(get_num_reserved_cpus, "ihk_get_num_reserved_cpus");
	SYM(query_cpu, "ihk_query_cpu");
	SYM(reserve_mem, "ihk_reserve_mem");
	SYM(release_mem, "ihk_release_mem");
	SYM(get_num_reserved_mem_chunks, "ihk_get_num_reserved_mem_chunks");
	SYM(query_mem, "ihk_query_mem");
	SYM(create_os, "ihk_create_os");
	SYM(destroy_os, "ihk_destroy_os");
	SYM(os_assign_cpu, "ihk_os_assign_cpu");
	SYM(os_assign_mem, "ihk_os_assign_mem");
	SYM(os_load, "ihk_os_load");
	SYM(os_kargs, "ihk_os_kargs");
	SYM(os_boot, "ihk_os_boot");
	SYM(os_shutdown, "ihk_os_shutdown");
	SYM(os_get_status, "ihk_os_get_status");
	SYM(os_kmsg, "ihk_os_kmsg");
#undef SYM
	return l;
bad:
	dlclose(dl);
	free(l);
	return NULL;
}

void lwk_ihk_open(struct lwk_ihk *h)
{
	static const char *const bindirs[] = {
		"/opt/mckernel/sbin", "/usr/local/sbin", "/usr/sbin", NULL
	};
	const char *lib = lwk_cmd_env("LWK_IHK_LIB", NULL);
	const char *bindir = lwk_cmd_env("LWK_IHK_BINDIR", NULL);
	char *slash;
	char why[128];

	memset(h, 0, sizeof(*h));
	snprintf(h->dev, sizeof(h->dev), "%s", lwk_cmd_env("LWK_IHK_DEV", "/dev/mcd0"));
	snprintf(h->devdir, sizeof(h->devdir), "%s", h->dev);
	slash = strrchr(h->devdir, '/');
	if (slash && slash != h->devdir)
		*slash = '\0';
	else
		snprintf(h->devdir, sizeof(h->devdir), "%s", slash ? "/" : ".");
	if (!bindir)
		bindir = lwk_cmd_find(bindirs, "ihkconfig");
	if (bindir)
		snprintf(h->bindir, sizeof(h->bindir), "%s", bindir);
	if (access(h->dev, F_OK) < 0) {
		/* no IHK on this node (lwk_ihk_present says so): no library to
		 * look for, which spares every partition's backend:auto probe a
		 * loader search through a dozen directories */
	} else if (!lib) {
		/* McKernel installs libihk beside its sbin, off the loader's path */
		static const char *const libs[] = {
			"libihk.so", "/opt/mckernel/lib64/libihk.so", "/opt/mckernel/lib/libihk.so",
			NULL
		};

		for (size_t i = 0; libs[i] && !h->lib; i++) {
			h->lib = lib_load(libs[i], why, sizeof(why));
			if (h->lib)
				lib = libs[i];
		}
	} else if (strcmp(lib, "none")) {
		h->lib = lib_load(lib, why, sizeof(why));
	}
	if (h->lib)
		snprintf(h->libname, sizeof(h->libname), "%s", lib);
}

int lwk_ihk_settings(const struct lwk_ihk *h, char *buf, size_t len)
{
	const char *lib = h->lib ? h->libname : "none";
	int n;

	if (strpbrk(h->dev, "|\n") || strpbrk(h->bindir, "|\n") || strpbrk(lib, "|\n"))
		return -1;
	n = snprintf(buf, len, "%s|%s|%s", h->dev, h->bindir, lib);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int lwk_ihk_open_settings(struct lwk_ihk *h, const char *text)
{
	const char *a = strchr(text, '|'), *b = a ? strchr(a + 1, '|') : NULL;
	char why[128], *slash;

	if (!a || !b || a == text || strchr(b + 1, '|')) {
		lwk_ihk_open(h);
		return -1;
	}
	memset(h, 0, sizeof(*h));
	snprintf(h->dev, sizeof(h->dev), "%.*s", (int)(a - text), text);
	snprintf(h->bindir, sizeof(h->bindir), "%.*s", (int)(b - a - 1), a + 1);
	snprintf(h->devdir, sizeof(h->devdir), "%s", h->dev);
	slash = strrchr(h->devdir, '/');
	if (slash && slash != h->devdir)
		*slash = '\0';
	else
		snprintf(h->devdir, sizeof(h->devdir), "%s", slash ? "/" : ".");
	if (strcmp(b + 1, "none")) {
		h->lib = lib_load(b + 1, why, sizeof(why));
		if (h->lib)
			snprintf(h->libname, sizeof(h->libname), "%s", b + 1);
	}
	return 0;
}

void lwk_ihk_close(struct lwk_ihk *h)
{
	if (h->lib) {
		dlclose(h->lib->dl);
		free(h->lib);
		h->lib = NULL;
	}
}

int lwk_ihk_present(const struct lwk_ihk *h, char *why, size_t len)
{
	if (access(h->dev, F_OK) < 0) {
		snprintf(why, len, "no %s: load ihk.ko, ihk-smp-x86_64.ko and mcctrl.ko "
			 "(McKernel's mcreboot.sh shows how)", h->dev);
		return -1;
	}
	if (!h->lib && !h->bindir[0]) {
		snprintf(why, len, "neither libihk.so nor ihkconfig (in /opt/mckernel/sbin, "
			 "/usr/local/sbin, /usr/sbin or LWK_IHK_BINDIR) found");
		return -1;
	}
	return 0;
}

/* --- the two ways of doing each operation --- */

/* Runs PROG ARGS... from the bindir; 0 or -errno (the exit status, which
 * ihkconfig/ihkosctl take from libihk's -errno). */
static int cli(struct lwk_ihk *h, struct lwk_cmd_out *o, const char *prog, ...)
{
	char path[PATH_MAX + 16], line[256];
	char *argv[12];
	struct lwk_err err;
	va_list ap;
	int n = 0;

	if (!h->bindir[0]) {
		snprintf(h->msg, sizeof(h->msg), "ihkconfig/ihkosctl not found: install IHK or "
			 "set LWK_IHK_BINDIR");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/%s", h->bindir, prog);
	argv[n++] = path;
	va_start(ap, prog);
	while (n < 11 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (lwk_cmd_run(argv, IHK_CMD_TIMEOUT, o, &err) < 0) {
		snprintf(h->msg, sizeof(h->msg), "%s", err.msg);
		return -(err.code ? err.code : EIO);
	}
	if (!o->status)
		return 0;
	lwk_cmd_line(argv + 1, line, sizeof(line));
	snprintf(h->msg, sizeof(h->msg), "'%s %s' failed%s%s", prog, line,
		 o->errline[0] ? ": " : "", o->errline);
	return -(o->status > 0 && o->status < 128 ? o->status : EIO);
}

static int lib_ret(struct lwk_ihk *h, const char *fn, int ret)
{
	if (ret < 0)
		snprintf(h->msg, sizeof(h->msg), "libihk %s failed: %s", fn, strerror(-ret));
	return ret < 0 ? ret : 0;
}

/* hwloc set -> int array for libihk; caller frees. */
static int *cpu_array(hwloc_const_bitmap_t cpus, int *n)
{
	int w = hwloc_bitmap_weight(cpus), i = 0, c;
	int *a = calloc(w > 0 ? (size_t)w : 1, sizeof(*a));

	if (!a)
		return NULL;
	hwloc_bitmap_foreach_begin(c, cpus)
		a[i++] = c;
	hwloc_bitmap_foreach_end();
	*n = i;
	return a;
}

static int lib_cpus(struct lwk_ihk *h, int (*fn)(int, int *, int), const char *name, int idx,
		    hwloc_const_bitmap_t cpus)
{
	int n, ret, *a = cpu_array(cpus, &n);

	if (!a)
		return -ENOMEM;
	ret = fn(idx, a, n);
	free(a);
	return lib_ret(h, name, ret);
}

static int lib_mem(struct lwk_ihk *h, int (*fn)(int, struct ihklib_mem_chunk *, int),
		   const char *name, int idx, const struct lwk_ihk_mem *m, unsigned n)
{
	struct ihklib_mem_chunk c[LWK_IHK_MAX_CHUNKS];

	if (n > LWK_IHK_MAX_CHUNKS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		c[i].size = (unsigned long)m[i].bytes;
		c[i].numa_node_number = m[i].node;
	}
	return lib_ret(h, name, fn(idx, c, (int)n));
}

static int cpu_text(hwloc_const_bitmap_t cpus, char *buf, size_t len)
{
	return hwloc_bitmap_list_snprintf(buf, len, cpus) >= (int)len ? -E2BIG : 0;
}

static int mem_text(const struct lwk_ihk_mem *m, unsigned n, char *buf, size_t len)
{
	return lwk_ihk_mem_format(m, n, buf, len) >= (int)len ? -E2BIG : 0;
}

int lwk_ihk_reserve_cpu(struct lwk_ihk *h, hwloc_const_bitmap_t cpus)
{
	struct lwk_cmd_out o;
	char l[1024];

	if (h->lib)
		return lib_cpus(h, h->lib->reserve_cpu, "ihk_reserve_cpu", 0, cpus);
	if (cpu_text(cpus, l, sizeof(l)))
		return -E2BIG;
	return cli(h, &o, "ihkconfig", "0", "reserve", "cpu", l, NULL);
}

int lwk_ihk_release_cpu(struct lwk_ihk *h, hwloc_const_bitmap_t cpus)
{
	struct lwk_cmd_out o;
	char l[1024];

	if (h->lib)
		return lib_cpus(h, h->lib->release_cpu, "ihk_release_cpu", 0, cpus);
	if (cpu_text(cpus, l, sizeof(l)))
		return -E2BIG;
	return cli(h, &o, "ihkconfig", "0", "release", "cpu", l, NULL);
}

int lwk_ihk_query_cpu(struct lwk_ihk *h, hwloc_bitmap_t cpus)
{
	struct lwk_cmd_out o;
	int ret;

	hwloc_bitmap_zero(cpus);
	if (h->lib) {
		int n = h->lib->get_num_reserved_cpus(0), *a;

		if (n < 0)
			return lib_ret(h, "ihk_get_num_reserved_cpus", n);
		if (!n)
			return 0;
		a = calloc((size_t)n, sizeof(*a));
		if (!a)
			return -ENOMEM;
		ret = h->lib->query_cpu(0, a, n);
		for (int i = 0; ret >= 0 && i < n; i++)
			hwloc_bitmap_set(cpus, (unsigned)a[i]);
		free(a);
		return lib_ret(h, "ihk_query_cpu", ret);
	}
	ret = cli(h, &o, "ihkconfig", "0", "query", "cpu", NULL);
	if (ret < 0)
		return ret;
	o.out[strcspn(o.out, "\r\n")] = '\0';
	if (o.out[0] && (strspn(o.out, "0123456789,-") != strlen(o.out) ||
			 hwloc_bitmap_list_sscanf(cpus, o.out) < 0)) {
		snprintf(h->msg, sizeof(h->msg), "cannot parse 'ihkconfig 0 query cpu' output '%.64s'",
			 o.out);
		return -EPROTO;
	}
	return 0;
}

int lwk_ihk_reserve_mem(struct lwk_ihk *h, const struct lwk_ihk_mem *m, unsigned n)
{
	struct lwk_cmd_out o;
	char l[1024];

	if (h->lib)
		return lib_mem(h, h->lib->reserve_mem, "ihk_reserve_mem", 0, m, n);
	if (mem_text(m, n, l, sizeof(l)))
		return -E2BIG;
	return cli(h, &o, "ihkconfig", "0", "reserve", "mem", l, NULL);
}

int lwk_ihk_release_mem(struct lwk_ihk *h, const struct lwk_ihk_mem *m, unsigned n)
{
	struct lwk_cmd_out o;
	char l[1024];

	if (h->lib)
		return lib_mem(h, h->lib->release_mem, "ihk_release_mem", 0, m, n);
	if (mem_text(m, n, l, sizeof(l)))
		return -E2BIG;
	return cli(h, &o, "ihkconfig", "0", "release", "mem", l, NULL);
}

int lwk_ihk_query_mem(struct lwk_ihk *h, struct lwk_ihk_mem *m, unsigned *n)
{
	struct lwk_cmd_out o;
	int ret;

	*n = 0;
	if (h->lib) {
		int k = h->lib->get_num_reserved_mem_chunks(0);
		struct ihklib_mem_chunk *c;

		if (k < 0)
			return lib_ret(h, "ihk_get_num_reserved_mem_chunks", k);
		if (!k)
			return 0;
		c = calloc((size_t)k, sizeof(*c));
		if (!c)
			return -ENOMEM;
		ret = h->lib->query_mem(0, c, k);
		for (int i = 0; ret >= 0 && i < k; i++) {
			unsigned j;

			for (j = 0; j < *n && m[j].node != c[i].numa_node_number; j++)
				;
			if (j == LWK_IHK_MAX_CHUNKS)
				break;
			if (j == *n) {
				m[j].node = c[i].numa_node_number;
				m[j].bytes = 0;
				(*n)++;
			}
			m[j].bytes += c[i].size;
		}
		free(c);
		return lib_ret(h, "ihk_query_mem", ret);
	}
	ret = cli(h, &o, "ihkconfig", "0", "query", "mem", NULL);
	if (ret < 0)
		return ret;
	if (lwk_ihk_mem_parse(o.out, m, LWK_IHK_MAX_CHUNKS, n) < 0) {
		o.out[strcspn(o.out, "\r\n")] = '\0';
		snprintf(h->msg, sizeof(h->msg), "cannot parse 'ihkconfig 0 query mem' output '%.64s'",
			 o.out);
		return -EPROTO;
	}
	return 0;
}

void lwk_ihk_os_dev(const struct lwk_ihk *h, int os, char *buf, size_t len)
{
	snprintf(buf, len, "%s/mcos%d", h->devdir, os);
}

int lwk_ihk_instances(struct lwk_ihk *h, hwloc_bitmap_t set)
{
	DIR *d = opendir(h->devdir);
	struct dirent *e;

	hwloc_bitmap_zero(set);
	if (!d) {
		snprintf(h->msg, sizeof(h->msg), "cannot list %s: %s", h->devdir, strerror(errno));
		return -errno;
	}
	while ((e = readdir(d))) {
		char *end;
		long k;

		if (strncmp(e->d_name, "mcos", 4) || !isdigit((unsigned char)e->d_name[4]))
			continue;
		k = strtol(e->d_name + 4, &end, 10);
		if (!*end && k >= 0 && k < LWK_IHK_MAX_OS)
			hwloc_bitmap_set(set, (unsigned)k);
	}
	closedir(d);
	return 0;
}

int lwk_ihk_create(struct lwk_ihk *h)
{
	struct lwk_cmd_out o;
	hwloc_bitmap_t before, after;
	int ret;

	if (h->lib) {
		ret = h->lib->create_os(0);
		return ret < 0 ? lib_ret(h, "ihk_create_os", ret) : ret;
	}
	before = hwloc_bitmap_alloc();
	after = hwloc_bitmap_alloc();
	ret = lwk_ihk_instances(h, before);
	if (ret < 0)
		goto out;
	if (!hwloc_bitmap_iszero(before)) {
		/* ihkconfig calls any index but 0 a failure, after creating it. */
		snprintf(h->msg, sizeof(h->msg), "McKernel instance mcos%d already runs and the "
			 "ihkconfig CLI manages only one: install libihk.so to run several side by side",
			 hwloc_bitmap_first(before));
		ret = -EBUSY;
		goto out;
	}
	ret = cli(h, &o, "ihkconfig", "0", "create", NULL);
	if (ret < 0)
		goto out;
	ret = lwk_ihk_instances(h, after);
	if (ret < 0)
		goto out;
	hwloc_bitmap_andnot(after, after, before);
	ret = hwloc_bitmap_first(after);
	if (ret < 0) {
		snprintf(h->msg, sizeof(h->msg), "'ihkconfig 0 create' succeeded but no new mcosN "
			 "appeared in %s", h->devdir);
		ret = -EPROTO;
	}
out:
	hwloc_bitmap_free(before);
	hwloc_bitmap_free(after);
	return ret;
}

int lwk_ihk_destroy(struct lwk_ihk *h, int os)
{
	struct lwk_cmd_out o;
	char n[16];

	if (h->lib)
		return lib_ret(h, "ihk_destroy_os", h->lib->destroy_os(0, os));
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkconfig", "0", "destroy", n, NULL);
}

int lwk_ihk_os_assign_cpu(struct lwk_ihk *h, int os, hwloc_const_bitmap_t cpus)
{
	struct lwk_cmd_out o;
	char n[16], l[1024];

	if (h->lib)
		return lib_cpus(h, h->lib->os_assign_cpu, "ihk_os_assign_cpu", os, cpus);
	if (cpu_text(cpus, l, sizeof(l)))
		return -E2BIG;
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "assign", "cpu", l, NULL);
}

int lwk_ihk_os_assign_mem(struct lwk_ihk *h, int os, const struct lwk_ihk_mem *m, unsigned k)
{
	struct lwk_cmd_out o;
	char n[16], l[1024];

	if (h->lib)
		return lib_mem(h, h->lib->os_assign_mem, "ihk_os_assign_mem", os, m, k);
	if (mem_text(m, k, l, sizeof(l)))
		return -E2BIG;
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "assign", "mem", l, NULL);
}

int lwk_ihk_os_load(struct lwk_ihk *h, int os, const char *image)
{
	struct lwk_cmd_out o;
	char n[16], p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", image);
	if (h->lib)
		return lib_ret(h, "ihk_os_load", h->lib->os_load(os, p));
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "load", p, NULL);
}

int lwk_ihk_os_kargs(struct lwk_ihk *h, int os, const char *kargs)
{
	struct lwk_cmd_out o;
	char n[16], k[512];

	snprintf(k, sizeof(k), "%s", kargs);
	if (h->lib)
		return lib_ret(h, "ihk_os_kargs", h->lib->os_kargs(os, k));
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "kargs", k, NULL);
}

int lwk_ihk_os_boot(struct lwk_ihk *h, int os)
{
	struct lwk_cmd_out o;
	char n[16];

	if (h->lib)
		return lib_ret(h, "ihk_os_boot", h->lib->os_boot(os));
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "boot", NULL);
}

int lwk_ihk_os_shutdown(struct lwk_ihk *h, int os)
{
	struct lwk_cmd_out o;
	char n[16];

	if (h->lib)
		return lib_ret(h, "ihk_os_shutdown", h->lib->os_shutdown(os));
	snprintf(n, sizeof(n), "%d", os);
	return cli(h, &o, "ihkosctl", n, "shutdown", NULL);
}

int lwk_ihk_os_status(struct lwk_ihk *h, int os)
{
	struct lwk_cmd_out o;
	char n[16], dev[PATH_MAX + 16];
	int ret;

	lwk_ihk_os_dev(h, os, dev, sizeof(dev));
	if (access(dev, F_OK) < 0)
		return -ENOENT;
	if (h->lib) {
		ret = h->lib->os_get_status(os);
		return ret < 0 ? lib_ret(h, "ihk_os_get_status", ret) : ret;
	}
	snprintf(n, sizeof(n), "%d", os);
	ret = cli(h, &o, "ihkosctl", n, "get", "status", NULL);
	if (ret < 0)
		return ret;
	ret = lwk_ihk_status_parse(o.out);
	if (ret < 0) {
		o.out[strcspn(o.out, "\r\n")] = '\0';
		snprintf(h->msg, sizeof(h->msg), "unknown status '%.32s' from ihkosctl %d get status",
			 o.out, os);
		return -EPROTO;
	}
	return ret;
}

void lwk_ihk_os_kmsg(struct lwk_ihk *h, int os, char *buf, size_t len)
{
	struct lwk_cmd_out o;
	char n[16], *text = o.out, *last = NULL, *line;

	buf[0] = '\0';
	if (h->lib) {
		if (h->lib->os_kmsg(os, o.out, sizeof(o.out) - 1) < 0)
			return;
		o.out[sizeof(o.out) - 1] = '\0';
	} else {
		snprintf(n, sizeof(n), "%d", os);
		if (cli(h, &o, "ihkosctl", n, "kmsg", NULL) < 0)
			return;
	}
	for (line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n"))
		if (*line)
			last = line;
	if (last)
		snprintf(buf, len, "%s", last);
}
