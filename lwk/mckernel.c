/* The McKernel backend: an IHK/McKernel instance per partition (one per job
 * on a node; steps reuse it), made in the order of McKernel's mcreboot.sh:
 *
 *   step         recorded arg               change             undo
 *   ihk-env      DEV|BINDIR|LIB             (none: how IHK is  -
 *                                           driven, for undo)
 *   ihk-mem      SPEC before=QUERY          reserve mem SPEC   release what IHK holds
 *                                                              unassigned beyond QUERY, up to SPEC
 *   ihk-cpu      LIST before=LIST0          reserve cpu LIST   release LIST & reserved - LIST0
 *   ihk-create   before=INSTANCES           create             destroy new INACTIVE instances
 *   ihk-os       N                          assign cpu/mem,    shutdown (poll), destroy
 *                                           load, kargs, boot  (killing holders of /dev/mcosN)
 *
 * Assignment, image, kargs and boot are changes to instance N only, which
 * the ihk-os undo removes whole. The "before" snapshots make each undo
 * exact and idempotent without knowing whether the change was made: IHK
 * lists reserved CPUs and memory that no instance has been assigned, and a
 * destroyed instance gives its share back to that pool; CPUs are never in
 * two partitions (partition.c checks), and under the registry lock no other
 * partition of this node is half made.
 */
#define _GNU_SOURCE	/* secure_getenv */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cmd.h"
#include "ihk.h"
#include "mckernel.h"

/* --- settings --- */

static int env_secs(const char *name, int def)
{
	const char *v = lwk_cmd_env(name, NULL);
	char *end;
	long s;

	if (!v)
		return def;
	s = strtol(v, &end, 10);
	return *end || s < 1 || s > 3600 ? def : (int)s;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int os_index(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);

	return end == arg || (*end && *end != ' ') || n < 0 || n >= LWK_IHK_MAX_OS ? -1 : (int)n;
}

/* "HEAD before=TAIL" -> head and tail (either may be empty). */
static void split_before(const char *arg, char *head, size_t hlen, char *tail, size_t tlen)
{
	const char *b = strstr(arg, "before=");
	size_t n = b ? (size_t)(b - arg) : strlen(arg);

	while (n && arg[n - 1] == ' ')
		n--;
	snprintf(head, hlen, "%.*s", (int)n, arg);
	snprintf(tail, tlen, "%s", b ? b + 7 : "");
}

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
static int destroy_os(struct lwk_ihk *h, int os, struct lwk_err *err)
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
			sleep_ms(200);
		sleep_ms(100 * (attempt + 1));
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
static int teardown_os(struct lwk_ihk *h, int os, struct lwk_err *err)
{
	int st = lwk_ihk_os_status(h, os), limit = env_secs("LWK_MCK_SHUTDOWN_TIMEOUT", 30);
	long deadline;

	if (st == -ENOENT)
		return 0;
	if (st >= 0 && alive_status(st)) {
		/* returns at once; the instance goes down on its own */
		lwk_ihk_os_shutdown(h, os);
		deadline = now_ms() + limit * 1000L;
		while ((st = lwk_ihk_os_status(h, os)) >= 0 && alive_status(st) &&
		       now_ms() < deadline)
			sleep_ms(100);
		if (st == -ENOENT)
			return 0;
	}
	/* PANIC and HUNGUP instances cannot shut down: destroy frees them. */
	if (destroy_os(h, os, err) < 0) {
		if (st >= 0 && alive_status(st))
			lwk_err_prefix(err, "instance %d still %s after %d s of shutdown", os,
				       lwk_ihk_status_name(st), limit);
		return -1;
	}
	return 0;
}

/* IHK as the partition's creator drove it (see ihk-env). */
static void open_as_recorded(struct lwk_ihk *h, const struct lwk_partition *p)
{
	const char *env = lwk_partition_step(p, "ihk-env");

	if (env)
		lwk_ihk_open_settings(h, env);
	else
		lwk_ihk_open(h);
}

/* --- the backend --- */

static bool mck_available(char *why, size_t len)
{
	struct lwk_ihk h;
	const char *image = lwk_cmd_env("LWK_MCK_IMAGE", LWK_MCK_IMAGE_DEFAULT);
	bool ok;

	lwk_ihk_open(&h);
	ok = lwk_ihk_present(&h, why, len) == 0;
	if (ok && access(image, R_OK) < 0) {
		snprintf(why, len, "McKernel image %s not found: install McKernel or set "
			 "LWK_MCK_IMAGE", image);
		ok = false;
	}
	lwk_ihk_close(&h);
	return ok;
}

static int reserve_mem(struct lwk_journal *j, struct lwk_ihk *h, const struct lwk_ihk_mem *m,
		       unsigned n, struct lwk_err *err)
{
	struct lwk_ihk_mem before[LWK_IHK_MAX_CHUNKS];
	unsigned nb;
	char spec[160], bspec[160];
	int ret;

	lwk_ihk_mem_format(m, n, spec, sizeof(spec));
	ret = lwk_ihk_query_mem(h, before, &nb);
	if (ret < 0)
		return lwk_err_set(err, -ret, "cannot query IHK's memory: %s", h->msg);
	lwk_ihk_mem_format(before, nb, bspec, sizeof(bspec));
	if (lwk_journal_add(j, "ihk-mem", err, "%s before=%s", spec, bspec) < 0)
		return -1;
	ret = lwk_ihk_reserve_mem(h, m, n);
	if (ret == -ENOMEM)
		return lwk_err_set(err, ENOMEM, "IHK cannot reserve %s bytes@NUMA node of memory "
				   "(%s): ask for less with mem: (IHK refuses 95%% or more of a node's "
				   "free memory) or free memory on the node", spec, h->msg);
	if (ret == -EINVAL)
		return lwk_err_set(err, EINVAL, "IHK refused the memory reservation %s (%s): a "
				   "NUMA node may be offline; use numa: to choose online nodes",
				   spec, h->msg);
	if (ret < 0)
		return lwk_err_set(err, -ret, "IHK cannot reserve memory %s: %s", spec, h->msg);
	return 0;
}

static int reserve_cpu(struct lwk_journal *j, struct lwk_ihk *h, hwloc_const_bitmap_t cpus,
		       char *list, size_t llen, struct lwk_err *err)
{
	hwloc_bitmap_t before = hwloc_bitmap_alloc();
	char blist[224] = "";
	int ret;

	hwloc_bitmap_list_snprintf(list, llen, cpus);
	ret = lwk_ihk_query_cpu(h, before);
	if (ret < 0) {
		hwloc_bitmap_free(before);
		return lwk_err_set(err, -ret, "cannot query IHK's CPUs: %s", h->msg);
	}
	if (!hwloc_bitmap_iszero(before))
		hwloc_bitmap_list_snprintf(blist, sizeof(blist) - 16, before);
	if (hwloc_bitmap_intersects(before, cpus)) {
		hwloc_bitmap_and(before, before, cpus);
		hwloc_bitmap_list_snprintf(blist, sizeof(blist), before);
		hwloc_bitmap_free(before);
		return lwk_err_set(err, EBUSY, "CPUs %s are already reserved by IHK outside "
				   "slurm-lwk: release them ('ihkconfig 0 release cpu %s') or choose "
				   "other CPUs", blist, blist);
	}
	hwloc_bitmap_free(before);
	if (lwk_journal_add(j, "ihk-cpu", err, "%s before=%s", list, blist) < 0)
		return -1;
	ret = lwk_ihk_reserve_cpu(h, cpus);
	if (ret == -EINVAL)
		return lwk_err_set(err, EINVAL, "IHK refused to reserve CPUs %s (%s): a CPU may be "
				   "offline, absent or reserved already; check 'ihkconfig 0 query cpu' "
				   "and choose other CPUs", list, h->msg);
	if (ret < 0)
		return lwk_err_set(err, -ret, "IHK cannot reserve CPUs %s: %s", list, h->msg);
	return 0;
}

static int wait_running(struct lwk_ihk *h, int os, struct lwk_err *err)
{
	int limit = env_secs("LWK_MCK_BOOT_TIMEOUT", 30), st;
	long deadline = now_ms() + limit * 1000L;
	char kmsg[160];

	for (;;) {
		st = lwk_ihk_os_status(h, os);
		if (st == LWK_IHK_RUNNING)
			return 0;
		if (st < 0)
			return lwk_err_set(err, -st, "cannot read the status of McKernel instance "
					   "%d: %s", os, h->msg);
		if (st == LWK_IHK_PANIC || st == LWK_IHK_HUNGUP || st == LWK_IHK_INACTIVE ||
		    st == LWK_IHK_SHUTDOWN || now_ms() >= deadline)
			break;
		sleep_ms(100);
	}
	lwk_ihk_os_kmsg(h, os, kmsg, sizeof(kmsg));
	if (st == LWK_IHK_PANIC || st == LWK_IHK_HUNGUP)
		return lwk_err_set(err, EIO, "McKernel instance %d %s while booting%s%s%s: the "
				   "reservation is released; check the image and kernel arguments "
				   "(LWK_MCK_KARGS) and dmesg", os,
				   st == LWK_IHK_PANIC ? "panicked" : "hung", *kmsg ? " ('" : "", kmsg,
				   *kmsg ? "')" : "");
	if (st == LWK_IHK_BOOTING)
		return lwk_err_set(err, ETIMEDOUT, "McKernel instance %d did not reach RUNNING "
				   "within %d s (still BOOTING%s%s): the reservation is released; "
				   "check dmesg, or raise LWK_MCK_BOOT_TIMEOUT", os, limit,
				   *kmsg ? ", last message: " : "", kmsg);
	return lwk_err_set(err, EIO, "McKernel instance %d stopped while booting (status %s): "
			   "the reservation is released; check dmesg", os, lwk_ihk_status_name(st));
}

static int boot_os(struct lwk_ihk *h, int os, hwloc_const_bitmap_t cpus,
		   const struct lwk_ihk_mem *m, unsigned n, const char *list, struct lwk_err *err)
{
	const char *image = lwk_cmd_env("LWK_MCK_IMAGE", LWK_MCK_IMAGE_DEFAULT);
	char kargs[256];
	int ret;

	if (lwk_mck_kargs(lwk_cmd_env("LWK_MCK_KARGS", NULL), kargs, sizeof(kargs), err) < 0)
		return -1;
	ret = lwk_ihk_os_assign_cpu(h, os, cpus);
	if (ret < 0)
		return lwk_err_set(err, -ret, "cannot assign CPUs %s to McKernel instance %d: %s",
				   list, os, h->msg);
	ret = lwk_ihk_os_assign_mem(h, os, m, n);
	if (ret < 0)
		return lwk_err_set(err, -ret, "cannot assign memory to McKernel instance %d: %s",
				   os, h->msg);
	ret = lwk_ihk_os_load(h, os, image);
	if (ret < 0)
		return lwk_err_set(err, -ret, "cannot load the McKernel image %s: %s: check the "
				   "McKernel installation or LWK_MCK_IMAGE", image, h->msg);
	ret = lwk_ihk_os_kargs(h, os, kargs);
	if (ret < 0)
		return lwk_err_set(err, -ret, "McKernel refused the kernel arguments '%s': %s: "
				   "fix LWK_MCK_KARGS", kargs, h->msg);
	ret = lwk_ihk_os_boot(h, os);
	/* libihk's boot itself waits (and fails if not RUNNING): the status
	 * says why either way. */
	if (ret < 0 && lwk_ihk_os_status(h, os) == LWK_IHK_INACTIVE)
		return lwk_err_set(err, -ret, "cannot boot McKernel instance %d: %s", os, h->msg);
	return wait_running(h, os, err);
}

static int mck_create(struct lwk_journal *j, struct lwk_partition *p, struct lwk_err *err)
{
	struct lwk_ihk h;
	struct lwk_ihk_mem m[LWK_IHK_MAX_CHUNKS];
	hwloc_bitmap_t inst = hwloc_bitmap_alloc();
	char list[224], ilist[224] = "";
	unsigned n;
	int os, rc = -1;

	lwk_ihk_open(&h);
	n = lwk_mck_chunks(p, m, LWK_IHK_MAX_CHUNKS);
	if (lwk_ihk_present(&h, list, sizeof(list)) < 0) {
		lwk_err_set(err, ENODEV, "McKernel is not usable on this node: %s", list);
		goto out;
	}
	if (hwloc_bitmap_isset(p->cpus, 0)) {
		lwk_err_set(err, EINVAL, "CPU 0 cannot be given to McKernel (IHK never reserves "
			    "it): choose other CPUs");
		goto out;
	}
	if (!n) {
		lwk_err_set(err, EINVAL, "a McKernel partition needs memory: add mem:SIZE to "
			    "--lwk (McKernel runs programs only in memory reserved for it)");
		goto out;
	}
	if (lwk_ihk_settings(&h, list, sizeof(list)) < 0) {
		lwk_err_set(err, ENAMETOOLONG, "the IHK device, tool and library paths (%s, %s, "
			    "%s) are too long to record or hold '|': shorten LWK_IHK_DEV, "
			    "LWK_IHK_BINDIR or LWK_IHK_LIB", h.dev, h.bindir, h.libname);
		goto out;
	}
	if (lwk_journal_add(j, "ihk-env", err, "%s", list) < 0)
		goto out;
	if (reserve_mem(j, &h, m, n, err) < 0 ||
	    reserve_cpu(j, &h, p->cpus, list, sizeof(list), err) < 0)
		goto out;
	if (lwk_ihk_instances(&h, inst) < 0) {
		lwk_err_set(err, EIO, "%s", h.msg);
		goto out;
	}
	if (!hwloc_bitmap_iszero(inst))
		hwloc_bitmap_list_snprintf(ilist, sizeof(ilist), inst);
	if (lwk_journal_add(j, "ihk-create", err, "before=%s", ilist) < 0)
		goto out;
	os = lwk_ihk_create(&h);
	if (os < 0) {
		lwk_err_set(err, -os, "cannot create a McKernel instance: %s", h.msg);
		goto out;
	}
	if (lwk_journal_add(j, "ihk-os", err, "%d", os) < 0)
		goto out;
	if (boot_os(&h, os, p->cpus, m, n, list, err) < 0)
		goto out;
	snprintf(p->note, sizeof(p->note), "McKernel instance %d (/dev/mcos%d) via %s", os, os,
		 h.lib ? "libihk" : "ihkconfig/ihkosctl");
	rc = 0;
out:
	hwloc_bitmap_free(inst);
	lwk_ihk_close(&h);
	return rc;
}

int lwk_mck_os_index(const struct lwk_partition *p)
{
	const char *arg = p->backend == LWK_BACKEND_MCKERNEL ? lwk_partition_step(p, "ihk-os") : NULL;

	return arg ? os_index(arg) : -1;
}

static int mck_attach(const struct lwk_partition *p, pid_t pid, struct lwk_err *err)
{
	const char *arg = lwk_partition_step(p, "ihk-os");
	struct lwk_ihk h;
	int os = arg ? os_index(arg) : -1, st;

	/* Tasks enter McKernel by being started with mcexec (lwkrun does it):
	 * the process itself stays a Linux proxy; check the instance lives. */
	if (os < 0)
		return lwk_err_set(err, EINVAL, "partition %s has no McKernel instance recorded: "
				   "destroy it and create it again", p->id);
	open_as_recorded(&h, p);
	st = lwk_ihk_os_status(&h, os);
	lwk_ihk_close(&h);
	if (st == LWK_IHK_RUNNING)
		return 0;
	return lwk_err_set(err, EIO, "McKernel instance %d of partition %s is %s, not RUNNING: "
			   "end the job (its epilog tears the partition down)", os, p->id,
			   st < 0 ? "gone" : lwk_ihk_status_name(st));
}

static int undo_mem(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	struct lwk_ihk_mem want[LWK_IHK_MAX_CHUNKS], before[LWK_IHK_MAX_CHUNKS],
			   now[LWK_IHK_MAX_CHUNKS], rel[LWK_IHK_MAX_CHUNKS];
	unsigned nw, nb, nn, nr = 0;
	char head[224], tail[224], spec[224];
	int ret;

	split_before(arg, head, sizeof(head), tail, sizeof(tail));
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

static int undo_cpu(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	char head[224], tail[224], list[224];
	hwloc_bitmap_t want = hwloc_bitmap_alloc(), before = hwloc_bitmap_alloc(),
		       now = hwloc_bitmap_alloc();
	int ret = -1, r;

	split_before(arg, head, sizeof(head), tail, sizeof(tail));
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
static int undo_create(struct lwk_ihk *h, const char *arg, struct lwk_err *err)
{
	char head[8], tail[224];
	hwloc_bitmap_t before = hwloc_bitmap_alloc(), now = hwloc_bitmap_alloc();
	int ret = -1, os;

	split_before(arg, head, sizeof(head), tail, sizeof(tail));
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
			ret = destroy_os(h, os, err);
	hwloc_bitmap_foreach_end();
out:
	hwloc_bitmap_free(before);
	hwloc_bitmap_free(now);
	return ret;
}

static int mck_undo(const struct lwk_partition *p, const char *step, const char *arg,
		    struct lwk_err *err)
{
	struct lwk_ihk h;
	int rc, os;

	if (!strcmp(step, "ihk-env"))
		return 0;	/* a record of settings only */
	open_as_recorded(&h, p);
	if (access(h.dev, F_OK) < 0)
		rc = 0;	/* IHK unloaded: it holds nothing any more */
	else if (!strcmp(step, "ihk-mem"))
		rc = undo_mem(&h, arg, err);
	else if (!strcmp(step, "ihk-cpu"))
		rc = undo_cpu(&h, arg, err);
	else if (!strcmp(step, "ihk-create"))
		rc = undo_create(&h, arg, err);
	else if (!strcmp(step, "ihk-os"))
		rc = (os = os_index(arg)) < 0 ?
		     lwk_err_set(err, EINVAL, "bad ihk-os record '%s'", arg) :
		     teardown_os(&h, os, err);
	else
		rc = lwk_err_set(err, EINVAL, "unknown McKernel step '%s'", step);
	lwk_ihk_close(&h);
	return rc;
}

static void mck_describe(const struct lwk_partition *p,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
	const char *arg = lwk_partition_step(p, "ihk-os");
	int os = arg ? os_index(arg) : -1;
	struct lwk_ihk h;
	char buf[PATH_MAX + 16], head[224], tail[224];

	open_as_recorded(&h, p);
	kv(ctx, "ihk", h.lib ? "libihk" : "ihkconfig/ihkosctl");
	if (os >= 0) {
		int st = lwk_ihk_os_status(&h, os);

		snprintf(buf, sizeof(buf), "%d", os);
		kv(ctx, "os_index", buf);
		lwk_ihk_os_dev(&h, os, buf, sizeof(buf));
		kv(ctx, "os_device", buf);
		kv(ctx, "os_status", st == -ENOENT ? "gone" :
				     st < 0 ? "unknown" : lwk_ihk_status_name(st));
	}
	arg = lwk_partition_step(p, "ihk-mem");
	if (arg) {
		split_before(arg, head, sizeof(head), tail, sizeof(tail));
		kv(ctx, "ihk_mem", head);
	}
	lwk_ihk_close(&h);
}

const struct lwk_backend lwk_backend_mckernel = {
	.name = "mckernel",
	.kind = LWK_BACKEND_MCKERNEL,
	.flags = 0,	/* IHK takes the CPUs and memory from Linux itself */
	.available = mck_available,
	.create = mck_create,
	.attach = mck_attach,
	.undo = mck_undo,
	.describe = mck_describe,
};
