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
 * partition of this node is half made. The undo steps are in
 * mckernel_teardown.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cmd.h"
#include "ihk.h"
#include "mckernel.h"

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
	int limit = lwk_mck_env_secs("LWK_MCK_BOOT_TIMEOUT", 30), st;
	long deadline = lwk_mck_now_ms() + limit * 1000L;
	char kmsg[160];

	for (;;) {
		st = lwk_ihk_os_status(h, os);
		if (st == LWK_IHK_RUNNING)
			return 0;
		if (st < 0)
			return lwk_err_set(err, -st, "cannot read the status of McKernel instance "
					   "%d: %s", os, h->msg);
		if (st == LWK_IHK_PANIC || st == LWK_IHK_HUNGUP || st == LWK_IHK_INACTIVE ||
		    st == LWK_IHK_SHUTDOWN || lwk_mck_now_ms() >= deadline)
			break;
		lwk_mck_sleep_ms(100);
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

	return arg ? lwk_mck_os_arg(arg) : -1;
}

int lwk_mck_os_device(const struct lwk_partition *p, char *buf, size_t len)
{
	const char *env = lwk_partition_step(p, "ihk-env"), *bar = env ? strchr(env, '|') : NULL;
	int os = lwk_mck_os_index(p);
	char dev[PATH_MAX], *slash;

	if (os < 0)
		return -1;
	if (bar && bar != env)
		snprintf(dev, sizeof(dev), "%.*s", (int)(bar - env), env);
	else
		snprintf(dev, sizeof(dev), "%s", lwk_cmd_env("LWK_IHK_DEV", "/dev/mcd0"));
	slash = strrchr(dev, '/');
	if (!slash)
		snprintf(buf, len, "mcos%d", os);
	else
		snprintf(buf, len, "%.*s/mcos%d", (int)(slash - dev), dev, os);
	return 0;
}

static int mck_attach(const struct lwk_partition *p, pid_t pid, struct lwk_err *err)
{
	const char *arg = lwk_partition_step(p, "ihk-os");
	struct lwk_ihk h;
	int os = arg ? lwk_mck_os_arg(arg) : -1, st;

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
		rc = lwk_mck_undo_mem(&h, arg, err);
	else if (!strcmp(step, "ihk-cpu"))
		rc = lwk_mck_undo_cpu(&h, arg, err);
	else if (!strcmp(step, "ihk-create"))
		rc = lwk_mck_undo_create(&h, arg, err);
	else if (!strcmp(step, "ihk-os"))
		rc = (os = lwk_mck_os_arg(arg)) < 0 ?
		     lwk_err_set(err, EINVAL, "bad ihk-os record '%s'", arg) :
		     lwk_mck_teardown_os(&h, os, err);
	else
		rc = lwk_err_set(err, EINVAL, "unknown McKernel step '%s'", step);
	lwk_ihk_close(&h);
	return rc;
}

static void mck_describe(const struct lwk_partition *p,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
	const char *arg = lwk_partition_step(p, "ihk-os");
	int os = arg ? lwk_mck_os_arg(arg) : -1;
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
		lwk_mck_split_before(arg, head, sizeof(head), tail, sizeof(tail));
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
