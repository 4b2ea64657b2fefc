/* The mOS backend: one lwkctl partition per node, for the job that owns it.
 *
 *   step       recorded arg   change                       undo
 *   mos-env    SYSFS|LWKCTL   (none: where mOS is, for undo)
 *   mos-part   SPEC           lwkctl -t T -c SPEC          lwkctl -t T -d, if the LWK CPUs
 *                                                          present are ours
 *   mos-jobid  JOBID          ras/jobid = JOBID            clear ras/jobid if it is JOBID
 *
 * mOS refuses to create or delete a partition while ras/jobid is set, and
 * to delete one while lwkcpus_reserved is not empty; jobid is therefore set
 * after the partition is made and cleared before it is deleted (what mOS's
 * prolog/epilog do). Tasks enter the LWK by being started with yod (lwkrun
 * does it), so attach only checks the partition is there.
 */
#define _GNU_SOURCE	/* secure_getenv */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cmd.h"
#include "mos.h"

#define MOS_TRIES 3

/* --- sysfs --- */

struct mos {
	char sysfs[PATH_MAX];
	char lwkctl[PATH_MAX];	/* "" if not found */
	int lock_timeout;
};

static void mos_open(struct mos *m)
{
	static const char *const dirs[] = {
		"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", NULL
	};
	const char *bindir = lwk_cmd_env("LWK_MOS_BINDIR", NULL);
	const char *t = lwk_cmd_env("LWK_MOS_LOCK_TIMEOUT", "10");
	char *end;
	long secs = strtol(t, &end, 10);

	memset(m, 0, sizeof(*m));
	snprintf(m->sysfs, sizeof(m->sysfs), "%s", lwk_cmd_env("LWK_MOS_SYSFS", "/sys/kernel/mOS"));
	if (!bindir)
		bindir = lwk_cmd_find(dirs, "lwkctl");
	if (bindir)
		snprintf(m->lwkctl, sizeof(m->lwkctl), "%.*s/lwkctl", PATH_MAX - 10, bindir);
	m->lock_timeout = *end || secs < 1 || secs > 600 ? 10 : (int)secs;
}

/* mOS as the partition's creator found it (mos-env: "SYSFS|LWKCTL"), so
 * that teardown does not depend on its caller's environment. */
static void mos_open_as_recorded(struct mos *m, const struct lwk_partition *p)
{
	const char *env = lwk_partition_step(p, "mos-env"), *bar;

	mos_open(m);
	if (!env || !(bar = strchr(env, '|')) || bar == env)
		return;
	snprintf(m->sysfs, sizeof(m->sysfs), "%.*s", (int)(bar - env), env);
	snprintf(m->lwkctl, sizeof(m->lwkctl), "%s", bar + 1);
}

void lwk_mos_sysfs(const struct lwk_partition *p, char *buf, size_t len)
{
	struct mos m;

	if (p && p->backend == LWK_BACKEND_MOS)
		mos_open_as_recorded(&m, p);
	else
		mos_open(&m);
	snprintf(buf, len, "%s", m.sysfs);
}

/* One sysfs file's first line, "" if empty or absent. */
static int sys_read(const struct mos *m, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", m->sysfs, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int sys_write(const struct mos *m, const char *name, const char *text, struct lwk_err *err)
{
	char path[PATH_MAX + 64];
	size_t n = strlen(text);
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", m->sysfs, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return lwk_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
	if (write(fd, text, n) != (ssize_t)n) {
		e = errno;
		close(fd);
		return lwk_err_set(err, e, "cannot write '%s' to %s: %s", text, path, strerror(e));
	}
	if (close(fd) < 0)
		return lwk_err_set(err, errno, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* ras/jobid: the job's number, or the partition id when no job owns it. */
static void jobid_of(const struct lwk_partition *p, char *buf, size_t len)
{
	if (!strncmp(p->owner, "job:", 4) && p->owner[4])
		snprintf(buf, len, "%s", p->owner + 4);
	else
		snprintf(buf, len, "%s", p->id);
}

static bool lock_timeout(const struct lwk_cmd_out *o)
{
	return o->status && strcasestr(o->errline, "lock") &&
	       (strcasestr(o->errline, "time") || strcasestr(o->errline, "busy"));
}

/* lwkctl -t T ARGS..., again while its lock times out. */
static int lwkctl(const struct mos *m, const char *what, const char *a1, const char *a2,
		  struct lwk_err *err)
{
	char t[16], line[512];
	char *argv[6];
	struct lwk_cmd_out o;
	int i;

	if (!m->lwkctl[0])
		return lwk_err_set(err, ENOENT, "lwkctl not found (in /usr/sbin, /usr/bin, "
				   "/usr/local/sbin, /usr/local/bin or LWK_MOS_BINDIR): install mOS's tools");
	snprintf(t, sizeof(t), "%d", m->lock_timeout);
	argv[0] = (char *)m->lwkctl;
	argv[1] = (char *)"-t";
	argv[2] = t;
	argv[3] = (char *)a1;
	argv[4] = (char *)a2;
	argv[5] = NULL;
	lwk_cmd_line(argv, line, sizeof(line));
	for (i = 0; i < MOS_TRIES; i++) {
		if (lwk_cmd_run(argv, m->lock_timeout + 120, &o, err) < 0)
			return lwk_err_prefix(err, "cannot %s", what);
		if (!o.status)
			return 0;
		if (!lock_timeout(&o))
			return lwk_err_set(err, EIO, "cannot %s: '%s' failed: %s", what, line,
					   o.errline[0] ? o.errline : "no message");
	}
	return lwk_err_set(err, ETIMEDOUT, "cannot %s: lwkctl's lock stayed held (%d tries of "
			   "%d s: %s): another lwkctl is running or died holding it; wait, or "
			   "raise LWK_MOS_LOCK_TIMEOUT", what, MOS_TRIES, m->lock_timeout, o.errline);
}

/* --- the backend --- */

static bool mos_available(char *why, size_t len)
{
	struct mos m;
	char v[128];

	mos_open(&m);
	if (sys_read(&m, "version", v, sizeof(v)) < 0) {
		snprintf(why, len, "no %s/version: this kernel is not mOS (boot an mOS kernel "
			 "with lwkcpus= and kernelcore=)", m.sysfs);
		return false;
	}
	if (!m.lwkctl[0]) {
		snprintf(why, len, "mOS kernel but no lwkctl (in /usr/sbin, /usr/bin, "
			 "/usr/local/sbin, /usr/local/bin or LWK_MOS_BINDIR)");
		return false;
	}
	return true;
}

static int mos_create(struct lwk_journal *j, struct lwk_partition *p, struct lwk_err *err)
{
	struct mos m;
	struct lwk_topo tp = { 0 };
	char cur[256], spec[224], jobid[LWK_ID_MAX];
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	int rc = -1;

	mos_open(&m);
	jobid_of(p, jobid, sizeof(jobid));
	if (sys_read(&m, "lwkcpus", cur, sizeof(cur)) < 0) {
		lwk_err_set(err, ENODEV, "no %s/lwkcpus: this kernel is not mOS", m.sysfs);
		goto out;
	}
	if (cur[0]) {
		lwk_err_set(err, EBUSY, "an mOS LWK partition already exists on this node "
			    "(lwkcpus %s) and mOS has one per node: wait for its job to end, or "
			    "delete it with 'lwkctl -d' if it is stale", cur);
		goto out;
	}
	sys_read(&m, "ras/jobid", cur, sizeof(cur));
	if (cur[0]) {
		lwk_err_set(err, EBUSY, "mOS's RAS job id is set to '%s', so lwkctl refuses to "
			    "make a partition: that job's epilog did not clear it; clear it "
			    "(echo > %s/ras/jobid) if the job is gone", cur, m.sysfs);
		goto out;
	}
	if (lwk_topo_load(&tp, err) < 0 ||
	    lwk_mos_config(&tp, p->cpus, p->linux_cpus, p->mem, p->nmem, spec, sizeof(spec), err) < 0)
		goto out;
	if (strchr(m.sysfs, '|') || strchr(m.lwkctl, '|') ||
	    strlen(m.sysfs) + strlen(m.lwkctl) + 2 > sizeof(((struct lwk_step *)0)->arg)) {
		lwk_err_set(err, ENAMETOOLONG, "the mOS sysfs and lwkctl paths (%s, %s) are too "
			    "long to record or hold '|': shorten LWK_MOS_SYSFS or LWK_MOS_BINDIR",
			    m.sysfs, m.lwkctl);
		goto out;
	}
	if (lwk_journal_add(j, "mos-env", err, "%s|%s", m.sysfs, m.lwkctl) < 0 ||
	    lwk_journal_add(j, "mos-part", err, "%s", spec) < 0 ||
	    lwkctl(&m, "make the mOS partition", "-c", spec, err) < 0)
		goto out;
	/* lwkctl's word is checked against what the kernel now shows. */
	if (sys_read(&m, "lwkcpus", cur, sizeof(cur)) < 0 || !cur[0] ||
	    hwloc_bitmap_list_sscanf(now, cur) < 0 || !hwloc_bitmap_isincluded(p->cpus, now)) {
		lwk_err_set(err, EIO, "lwkctl -c '%s' succeeded but %s/lwkcpus is '%s': check "
			    "'lwkctl -s' and dmesg", spec, m.sysfs, cur);
		goto out;
	}
	if (lwk_journal_add(j, "mos-jobid", err, "%s", jobid) < 0 ||
	    sys_write(&m, "ras/jobid", jobid, err) < 0)
		goto out;
	snprintf(p->note, sizeof(p->note), "mOS partition %s", spec);
	rc = 0;
out:
	if (tp.t)
		lwk_topo_fini(&tp);
	hwloc_bitmap_free(now);
	return rc;
}

static int mos_attach(const struct lwk_partition *p, pid_t pid, struct lwk_err *err)
{
	struct mos m;
	char cur[256];

	mos_open_as_recorded(&m, p);
	if (sys_read(&m, "lwkcpus", cur, sizeof(cur)) < 0 || !cur[0])
		return lwk_err_set(err, EIO, "the mOS partition of %s is gone (%s/lwkcpus is "
				   "empty): end the job", p->id, m.sysfs);
	return 0;
}

static int undo_jobid(const struct mos *m, const char *arg, struct lwk_err *err)
{
	char cur[256];

	if (sys_read(m, "ras/jobid", cur, sizeof(cur)) < 0 || strcmp(cur, arg))
		return 0;	/* never set, cleared, or another job's */
	return sys_write(m, "ras/jobid", "\n", err);
}

static int undo_part(const struct lwk_partition *p, const struct mos *m, const char *arg,
		     struct lwk_err *err)
{
	char cur[256], res[256], procs[256];
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	bool ours;

	if (sys_read(m, "lwkcpus", cur, sizeof(cur)) < 0 || !cur[0]) {
		hwloc_bitmap_free(now);
		return 0;	/* never made, or deleted before */
	}
	ours = hwloc_bitmap_list_sscanf(now, cur) == 0 && hwloc_bitmap_intersects(now, p->cpus);
	hwloc_bitmap_free(now);
	if (!ours)
		return 0;	/* another partition: ours was never made */
	sys_read(m, "lwkcpus_reserved", res, sizeof(res));
	if (res[0]) {
		sys_read(m, "lwkprocesses", procs, sizeof(procs));
		return lwk_err_set(err, EBUSY, "mOS refuses to delete the partition: LWK CPUs %s "
				   "are still reserved by processes %s: end them (yod), then run "
				   "lwkpart reap", res, procs[0] ? procs : "(unknown)");
	}
	sys_read(m, "ras/jobid", cur, sizeof(cur));
	if (cur[0])
		return lwk_err_set(err, EBUSY, "mOS refuses to delete the partition while its RAS "
				   "job id is '%s' (another job's): clear %s/ras/jobid when that "
				   "job is gone, then run lwkpart reap", cur, m->sysfs);
	return lwkctl(m, "delete the mOS partition", "-d", NULL, err);
}

static int mos_undo(const struct lwk_partition *p, const char *step, const char *arg,
		    struct lwk_err *err)
{
	struct mos m;

	if (!strcmp(step, "mos-env"))
		return 0;	/* a record of settings only */
	mos_open_as_recorded(&m, p);
	if (access(m.sysfs, F_OK) < 0)
		return 0;	/* not an mOS kernel (any more): no partition to delete */
	if (!strcmp(step, "mos-jobid"))
		return undo_jobid(&m, arg, err);
	if (!strcmp(step, "mos-part"))
		return undo_part(p, &m, arg, err);
	return lwk_err_set(err, EINVAL, "unknown mOS step '%s'", step);
}

static void mos_describe(const struct lwk_partition *p,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
	struct mos m;
	const char *spec = lwk_partition_step(p, "mos-part");
	char buf[256];

	mos_open_as_recorded(&m, p);
	if (spec)
		kv(ctx, "lwkctl", spec);
	if (sys_read(&m, "lwkcpus", buf, sizeof(buf)) == 0)
		kv(ctx, "lwkcpus", buf[0] ? buf : "-");
	if (sys_read(&m, "utility_cpus", buf, sizeof(buf)) == 0)
		kv(ctx, "utility_cpus", buf[0] ? buf : "-");
	if (sys_read(&m, "lwkcpus_reserved", buf, sizeof(buf)) == 0)
		kv(ctx, "lwkcpus_reserved", buf[0] ? buf : "-");
	if (sys_read(&m, "ras/jobid", buf, sizeof(buf)) == 0)
		kv(ctx, "ras_jobid", buf[0] ? buf : "-");
}

const struct lwk_backend lwk_backend_mos = {
	.name = "mos",
	.kind = LWK_BACKEND_MOS,
	.flags = 0,	/* mOS takes the CPUs and memory from Linux itself */
	.available = mos_available,
	.create = mos_create,
	.attach = mos_attach,
	.undo = mos_undo,
	.describe = mos_describe,
};
