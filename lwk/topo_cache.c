/* The node's topology, discovered once and reused (topo_cache.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "registry.h"
#include "sysfile.h"
#include "topo_cache.h"

/* Bump when what liblwk keeps in a topology changes (filters, flags):
 * exports of the old kind are then rediscovered, not reused. */
#define CACHE_FORMAT "1"

/* A larger file is no export of ours: 64 KiB per hundred PUs is plenty. */
#define CACHE_MAX (16u << 20)

/* Each item of the stamp is one info attribute of the root object. */
enum { S_FORMAT, S_HWLOC, S_BOOT, S_CPUS, S_NODES, S_MEM, S_N };

static const char *const stamp_key[S_N] = {
	"LWKCacheFormat", "LWKHwlocVersion", "LWKBootId", "LWKCpusOnline",
	"LWKNodesOnline", "LWKMemTotal",
};

struct stamp {
	char v[S_N][256];
};

/* What makes an export of this node wrong, as it is now. Cheap: a few
 * small reads and one syscall, no per-CPU files. */
static void stamp_now(struct stamp *s)
{
	struct sysinfo si;

	memset(s, 0, sizeof(*s));
	snprintf(s->v[S_FORMAT], sizeof(s->v[0]), "%s", CACHE_FORMAT);
	snprintf(s->v[S_HWLOC], sizeof(s->v[0]), "%x", hwloc_get_api_version());
	snprintf(s->v[S_BOOT], sizeof(s->v[0]), "%s", lwk_boot_id());
	if (lwk_read_str("/sys/devices/system/cpu/online", s->v[S_CPUS], sizeof(s->v[0]), NULL))
		s->v[S_CPUS][0] = '\0';
	/* absent on kernels without NUMA: one node */
	if (lwk_read_str("/sys/devices/system/node/online", s->v[S_NODES], sizeof(s->v[0]), NULL))
		snprintf(s->v[S_NODES], sizeof(s->v[0]), "-");
	if (sysinfo(&si) == 0)
		snprintf(s->v[S_MEM], sizeof(s->v[0]), "%llu",
			 (unsigned long long)si.totalram * si.mem_unit);
}

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* The file's text, if we may trust who wrote it: a regular file of root
 * (or of ours, unless we are root) that nobody else may write. */
static char *read_trusted(const char *path, size_t *len, char *why, size_t whylen)
{
	uid_t me = geteuid();
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0) {
		say(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say(why, whylen, "%s is not a regular file", path);
		goto fail;
	}
	if ((st.st_uid != 0 && st.st_uid != me) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		say(why, whylen, "%s is not root's alone (owner %u, mode %03o): not trusted",
		    path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		goto fail;
	}
	if (st.st_size <= 0 || (unsigned long long)st.st_size > CACHE_MAX) {
		say(why, whylen, "%s has %lld bytes", path, (long long)st.st_size);
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		say(why, whylen, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say(why, whylen, "%s: short read", path);
			goto fail;
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*len = got + 1;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* text (n bytes) ends with "</topology>" and white space */
static int ends_with_root(const char *text, size_t n)
{
	static const char end[] = "</topology>";

	while (n && (text[n - 1] == '\n' || text[n - 1] == ' ' || text[n - 1] == '\t' ||
		     text[n - 1] == '\r'))
		n--;
	return n >= sizeof(end) - 1 && !memcmp(text + n - (sizeof(end) - 1), end, sizeof(end) - 1);
}

static int try_cache(struct lwk_topo *tp, const char *path, const struct stamp *now,
		     char *why, size_t whylen)
{
	struct lwk_err err;
	size_t len = 0;
	hwloc_obj_t root;
	char *buf = read_trusted(path, &len, why, whylen);
	int i;

	if (!buf)
		return 0;
	lwk_err_clear(&err);
	/* The file is read into memory first, so the checks above hold for
	 * what hwloc parses. A torn file (hwloc's export ends with its root
	 * element) is refused before hwloc sees it: hwloc 2.9 leaks the
	 * objects of a half-read topology. A garbled one fails in hwloc. */
	if (memchr(buf, '\0', len - 1) || !ends_with_root(buf, len - 1) ||
	    lwk_topo_load_xmlbuffer(tp, buf, len, path, &err)) {
		say(why, whylen, "%s does not parse: %s", path,
		    err.msg[0] ? err.msg : "torn, or a NUL byte inside");
		free(buf);
		return 0;
	}
	free(buf);
	root = hwloc_get_root_obj(tp->t);
	for (i = 0; i < S_N; i++) {
		const char *v = root ? hwloc_obj_get_info_by_name(root, stamp_key[i]) : NULL;

		if (!v || strcmp(v, now->v[i])) {
			say(why, whylen, "%s is stale: %s was %s, is %s", path, stamp_key[i],
			    v ? v : "(none)", now->v[i]);
			lwk_topo_fini(tp);
			return 0;
		}
	}
	return 1;
}

/* Atomic replace with a private temporary name: several root processes
 * may rediscover at once, and must not write into each other's file. No
 * fsync: the stamp's boot id makes any file from an earlier boot stale. */
static int save(hwloc_topology_t t, const char *dir, const char *path, const struct stamp *now,
		char *why, size_t whylen)
{
	hwloc_obj_t root = hwloc_get_root_obj(t);
	char tmp[4096], *xml = NULL;
	int i, fd, xlen = 0, ok;

	for (i = 0; i < S_N; i++)
		if (hwloc_obj_add_info(root, stamp_key[i], now->v[i]) < 0)
			goto nosave;
	if (hwloc_topology_export_xmlbuffer(t, &xml, &xlen, 0) < 0 || xlen <= 1)
		goto nosave;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, LWK_TOPO_CACHE_FILE) >=
	    sizeof(tmp)) {
		hwloc_free_xmlbuffer(t, xml);
		goto nosave;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		hwloc_free_xmlbuffer(t, xml);
		goto nosave;
	}
	/* xlen counts the ending NUL, which the file does not hold */
	ok = fchmod(fd, 0644) == 0 && lwk_write_fd(fd, xml, (size_t)xlen - 1) == 0;
	ok = close(fd) == 0 && ok;
	hwloc_free_xmlbuffer(t, xml);
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		goto nosave;
	}
	return 0;
nosave:
	if (why && why[0]) {
		size_t n = strlen(why);

		snprintf(why + n, whylen - n, "; not saved: %s", strerror(errno ? errno : EIO));
	}
	return -1;
}

int lwk_topo_load_node(struct lwk_topo *tp, const char *statedir, unsigned flags,
		       char *why, size_t whylen, struct lwk_err *err)
{
	char path[4096];
	struct stamp now;

	tp->t = NULL;
	say(why, whylen, "%s", "");
	/* The caller points hwloc at another machine or discovery (tests,
	 * sites): that, neither this node's cache nor a save of it. */
	if (getenv("HWLOC_SYNTHETIC") || getenv("HWLOC_XMLFILE") || getenv("HWLOC_FSROOT") ||
	    getenv("HWLOC_COMPONENTS")) {
		say(why, whylen, "HWLOC_* environment chooses the topology");
		return lwk_topo_load(tp, err) ? -1 : 0;
	}
	if (!statedir)
		statedir = LWK_STATEDIR;
	stamp_now(&now);
	if (*statedir && (size_t)snprintf(path, sizeof(path), "%s/%s", statedir,
					  LWK_TOPO_CACHE_FILE) < sizeof(path)) {
		if (try_cache(tp, path, &now, why, whylen))
			return 1;
	} else {
		path[0] = '\0';
		say(why, whylen, "bad state directory '%.200s'", statedir);
	}
	if (lwk_topo_load(tp, err))
		return -1;
	if ((flags & LWK_TOPO_SAVE) && path[0])
		(void)save(tp->t, statedir, path, &now, why, whylen);
	return 0;
}
