/* Tearing a McKernel instance down and releasing IHK reservations: the
 * McKernel backend's undo steps (see mckernel.c for the table of steps). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ihk.h"
#include "mckernel.h"

/* --- holders of /dev/mcosN --- */

/* Pids with dev open, into pids[] (at most max); returns how many. */
static unsigned holders(const char *dev, pid_t *pids, unsigned max)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;

	if (!proc)
		return 0;
	while ((e = readdir(proc)) && n < max) {
		char fddir[64], link[PATH_MAX], path[PATH_MAX + 64];
		DIR *fds;
		struct dirent *f;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%ld/fd", pid);
		fds = opendir(fddir);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t k;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", fddir, f->d_name);
			k = readlink(path, link, sizeof(link) - 1);
			if (k <= 0)
				continue;
			link[k] = '\0';
			if (!strcmp(link, dev)) {
				pids[n++] = (pid_t)pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

static void pid_list(const pid_t *pids, unsigned n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%ld", i ? "," : "",
					 (long)pids[i]);
}

/* Destroys instance os; while it is busy, kills the processes that hold
 * its device (what is left of the job's mcexec ranks) and tries again. */
static int mck_destroy_os(struct lwk_ihk *h, int os, struct lwk_err *err)
{
	char dev[PATH_MAX + 16], list[256] = "";
	pid_t pids[64];
	unsigned n = 0;
	int ret = 0;

	lwk_ihk_os_dev(h, os, dev, sizeof(dev));
	for (int attempt = 0; attempt < 6; attempt++) {
		if (access(dev, F_OK) < 0)
			return 0;	/* gone: destroyed before */
		ret = lwk_ihk_destroy(h, os);
		if (ret == 0)
			return 0;
		n = holders(dev, pids, 64);
		for (unsigned i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		/* let the killed release the device; ihkmond may race too */
		for (int w = 0; w < 25 && n && holders(dev, pids, 64); w++)
			lwk_mck_sleep_ms(200);
		lwk_mck_sleep_ms(100 * (attempt + 1));
	}
	n = holders(dev, pids, 64);
	pid_list(pids, n, list, sizeof(list));
	if (n)
		return lwk_err_set(err, -ret, "cannot destroy McKernel instance %d: %s; processes "
				   "%s still hold %s: end them, then run lwkpart reap", os, h->msg,
				   list, dev);
	return lwk_err_set(err, -ret, "cannot destroy McKernel instance %d: %s: check "
			   "'ihkosctl %d get status' and dmesg, then run lwkpart reap", os, h->msg, os);
}

static bool alive_status(int st)
{
	return st == LWK_IHK_BOOTING || st == LWK_IHK_RUNNING || st == LWK_IHK_FREEZING ||
	       st == LWK_IHK_FROZEN;
}

/* Shuts instance os down (unless it panicked or hung) and destroys it. */
int lwk_mck_teardown_os(struct lwk_ihk *h, int os, struct lwk_err *err)
{
	int st = lwk_ihk_os_status(h, os), limit = lwk_mck_env_secs("LWK_MCK_SHUTDOWN_TIMEOUT", 30);
	long deadline;

	if (st == -ENOENT)
		return 0;
	if (st >= 0 && alive_status(st)) {
		/* returns at once; the instance goes down on its own */
		lwk_ihk_os_shutdown(h, os);
		deadline = lwk_mck_now_ms() + limit * 1000L;
		while ((st = lwk_ihk_os_status(h, os)) >= 0 && alive_status(st) &&
		       lwk_mck_now_ms() < deadline)
			lwk_mck_sleep_ms(100);
		if (st == -ENOENT)
			return 0;
	}
	/* PANIC and HUNGUP instances cannot shut down: destroy frees them. */
	if (mck_destroy_os(h, os, err) < 0) {
		if (st >= 0 && alive_status(st))
			lwk_err_prefix(err, "instance %d still %s after %d s of shutdown", os,
				       lwk_ihk_status_name(st), limit);
		return -1;
	}
	return 0;
}

int lwk_mck_undo_mem(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	struct lwk_ihk_mem want[LWK_IHK_MAX_CHUNKS], before[LWK_IHK_MAX_CHUNKS],
			   now[LWK_IHK_MAX_CHUNKS], rel[LWK_IHK_MAX_CHUNKS];
	unsigned nw, nb, nn, nr = 0;
	char head[224], tail[224], spec[224];
	int ret;

	lwk_mck_split_before(arg, head, sizeof(head), tail, sizeof(tail));
	if (lwk_ihk_mem_parse(head, want, LWK_IHK_MAX_CHUNKS, &nw) < 0 ||
	    lwk_ihk_mem_parse(tail, before, LWK_IHK_MAX_CHUNKS, &nb) < 0)
		return lwk_err_set(err, EINVAL, "bad ihk-mem record '%s'", arg);
	ret = lwk_ihk_query_mem(h, now, &nn);
	if (ret < 0)
		return lwk_err_set(err, -ret, "cannot query IHK's memory: %s", h->msg);
	for (unsigned i = 0; i < nw; i++) {
		uint64_t have = 0, had = 0, give;

		for (unsigned k = 0; k < nn; k++)
			if (now[k].node == want[i].node)
				have = now[k].bytes;
		for (unsigned k = 0; k < nb; k++)
			if (before[k].node == want[i].node)
				had = before[k].bytes;
		give = have > had ? have - had : 0;
		if (give > want[i].bytes)
			give = want[i].bytes;
		give -= give % LWK_IHK_GRANULE;
		if (give) {
			rel[nr].node = want[i].node;
			rel[nr].bytes = give;
			nr++;
		}
	}
	if (!nr)
		return 0;	/* never reserved, or released before */
	ret = lwk_ihk_release_mem(h, rel, nr);
	if (ret < 0) {
		lwk_ihk_mem_format(rel, nr, spec, sizeof(spec));
		return lwk_err_set(err, -ret, "cannot release memory %s from IHK: %s: try "
				   "'ihkconfig 0 release mem %s', then lwkpart reap", spec, h->msg, spec);
	}
	return 0;
}

int lwk_mck_undo_cpu(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	char head[224], tail[224], list[224];
	hwloc_bitmap_t want = hwloc_bitmap_alloc(), before = hwloc_bitmap_alloc(),
		       now = hwloc_bitmap_alloc();
	int ret = -1, r;

	lwk_mck_split_before(arg, head, sizeof(head), tail, sizeof(tail));
	if (hwloc_bitmap_list_sscanf(want, head) < 0 ||
	    (*tail && hwloc_bitmap_list_sscanf(before, tail) < 0)) {
		lwk_err_set(err, EINVAL, "bad ihk-cpu record '%s'", arg);
		goto out;
	}
	r = lwk_ihk_query_cpu(h, now);
	if (r < 0) {
		lwk_err_set(err, -r, "cannot query IHK's CPUs: %s", h->msg);
		goto out;
	}
	hwloc_bitmap_and(want, want, now);
	hwloc_bitmap_andnot(want, want, before);
	ret = 0;
	if (hwloc_bitmap_iszero(want))
		goto out;	/* never reserved, or released before */
	r = lwk_ihk_release_cpu(h, want);
	if (r < 0) {
		hwloc_bitmap_list_snprintf(list, sizeof(list), want);
		ret = lwk_err_set(err, -r, "cannot release CPUs %s from IHK: %s: try 'ihkconfig 0 "
				  "release cpu %s', then lwkpart reap", list, h->msg, list);
	}
out:
	hwloc_bitmap_free(want);
	hwloc_bitmap_free(before);
	hwloc_bitmap_free(now);
	return ret;
}

/* A crash between create and recording its index leaves a new instance
 * that never booted; none of a live partition is INACTIVE. */
int lwk_mck_undo_create(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	char head[8], tail[224];
	hwloc_bitmap_t before = hwloc_bitmap_alloc(), now = hwloc_bitmap_alloc();
	int ret = -1, os;

	lwk_mck_split_before(arg, head, sizeof(head), tail, sizeof(tail));
	if (*tail && hwloc_bitmap_list_sscanf(before, tail) < 0) {
		lwk_err_set(err, EINVAL, "bad ihk-create record '%s'", arg);
		goto out;
	}
	if (lwk_ihk_instances(h, now) < 0) {
		lwk_err_set(err, EIO, "%s", h->msg);
		goto out;
	}
	hwloc_bitmap_andnot(now, now, before);
	ret = 0;
	hwloc_bitmap_foreach_begin(os, now)
		if (ret == 0 && lwk_ihk_os_status(h, os) == LWK_IHK_INACTIVE)
			ret = mck_destroy_os(h, os, err);
	hwloc_bitmap_foreach_end();
out:
	hwloc_bitmap_free(before);
	hwloc_bitmap_free(now);
	return ret;
}
