/* Partitions: create, attach, destroy, reap over the registry and the
 * backends (see partition.h, backend.h, native.h).
 *
 * Create, under the registry lock:
 *   checks (nothing changed yet) -> baseline saved if none -> record
 *   (creating) -> node steered for the new set of partitions -> backend
 *   steps, each journalled first -> record (live).
 * Destroy: record (destroying) -> undo of the backend steps in reverse ->
 * record removed -> node steered for the remaining partitions (the baseline
 * verbatim when none remain). A creator holds the lock from its first
 * change to its last, so a record still creating or destroying seen under
 * the lock was abandoned: reap tears it down the same way.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "fault.h"
#include "native.h"
#include "noise.h"
#include "partition.h"
#include "registry.h"
#include "sysfile.h"

void lwk_partition_init(struct lwk_partition *p)
{
	memset(p, 0, sizeof(*p));
	p->cpus = hwloc_bitmap_alloc();
	p->mems = hwloc_bitmap_alloc();
	p->backend = LWK_BACKEND_NATIVE;
	p->pages = LWK_PAGES_2M;
}

void lwk_partition_fini(struct lwk_partition *p)
{
	hwloc_bitmap_free(p->cpus);
	hwloc_bitmap_free(p->mems);
	p->cpus = p->mems = NULL;
}

void lwk_partition_list_free(struct lwk_partition *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lwk_partition_fini(&arr[i]);
	free(arr);
}

/* Copies everything, bitmaps included, into an initialised dst. */
static void part_copy(struct lwk_partition *dst, const struct lwk_partition *src)
{
	hwloc_bitmap_t c = dst->cpus, m = dst->mems;

	*dst = *src;
	dst->cpus = c;
	dst->mems = m;
	dst->linux_cpus = NULL;	/* borrowed from a request: not kept */
	hwloc_bitmap_copy(c, src->cpus);
	hwloc_bitmap_copy(m, src->mems);
}

static bool steered(enum lwk_backend_kind k)
{
	const struct lwk_backend *be = lwk_backend_get(k);

	return be && (be->flags & LWK_BACKEND_STEER);
}

static int baseline_load(struct lwk_registry *r, struct lwk_baseline *b, bool *have,
			 struct lwk_err *err)
{
	char path[PATH_MAX + 32], *text;
	int rc;

	snprintf(path, sizeof(path), "%s/" LWK_BASELINE_FILE, r->dir);
	*have = false;
	if (lwk_read_all(path, &text, err) < 0)
		return err && err->code == ENOENT ? (lwk_err_clear(err), 0) : -1;
	rc = lwk_baseline_parse(b, text, err);
	free(text);
	if (rc < 0)
		return lwk_err_prefix(err, "%s", path);
	if (b->boot_id[0] && lwk_boot_id()[0] && strcmp(b->boot_id, lwk_boot_id())) {
		/* From an earlier boot: the node has its defaults again. */
		lwk_baseline_fini(b);
		lwk_baseline_init(b);
		return lwk_remove_file(r->dir, LWK_BASELINE_FILE, err);
	}
	*have = true;
	return 0;
}

/* Makes the node-wide state match the recorded partitions (minus skip).
 * Without any steered partition, the baseline goes back and is deleted. */
static int node_sync(struct lwk_registry *r, const struct lwk_partition *parts, size_t n,
		     const char *skip, char *note, size_t notelen, struct lwk_err *err)
{
	struct lwk_baseline b;
	struct lwk_native_plan pl;
	struct lwk_partition *keep = NULL;
	size_t nkeep = 0;
	bool have;
	int rc = -1;

	lwk_baseline_init(&b);
	lwk_native_plan_init(&pl);
	if (baseline_load(r, &b, &have, err) < 0)
		goto out;
	if (!have) {
		rc = 0;
		goto out;
	}
	keep = calloc(n + 1, sizeof(*keep));
	if (!keep) {
		lwk_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!skip || strcmp(parts[i].id, skip))
			keep[nkeep++] = parts[i];	/* shallow: read only */
	if (lwk_native_plan(&b, keep, nkeep, &pl, err) < 0 ||
	    lwk_native_apply(&b, &pl, note, notelen, err) < 0)
		goto out;
	if (!pl.any && lwk_remove_file(r->dir, LWK_BASELINE_FILE, err) < 0)
		goto out;
	rc = 0;
out:
	free(keep);
	lwk_native_plan_fini(&pl);
	lwk_baseline_fini(&b);
	return rc;
}

/* Noise accounting of the partition's CPUs (noise.h). Best effort: a node
 * without lwk.ko or /proc access still gets its partitions. */
static void noise_base(const struct lwk_registry *r, const char *id, char *path, size_t len)
{
	snprintf(path, len, "%s/%s.noise", r->dir, id);
}

static void noise_watch(const struct lwk_registry *r, const struct lwk_partition *p)
{
	char base[PATH_MAX];

	noise_base(r, p->id, base, sizeof(base));
	lwk_noise_watch(p->cpus, base, NULL);
}

static void noise_unwatch(const struct lwk_registry *r, const struct lwk_partition *p)
{
	char base[PATH_MAX];

	noise_base(r, p->id, base, sizeof(base));
	lwk_noise_unwatch(p->cpus, NULL);
	unlink(base);
}

/* Undoes p's recorded steps, newest first, and drops its record. Undo is
 * idempotent, so a teardown killed half-way is simply done again. A record
 * from an earlier boot undoes nothing: what it describes died with that
 * boot, and its paths may now belong to someone else. The node is not
 * re-steered here: callers do it once for all. */
static int teardown(struct lwk_registry *r, struct lwk_partition *p, struct lwk_err *err)
{
	const struct lwk_backend *be = lwk_backend_get(p->backend);

	if (lwk_partition_stale_boot(p))
		p->nsteps = 0;
	if (p->nsteps && !be)
		return lwk_err_set(err, ENOSYS, "partition %s: backend %s is not built in, "
				   "cannot undo its steps", p->id,
				   lwk_registry_backend_name(p->backend));
	for (unsigned i = p->nsteps; i-- > 0;) {
		struct lwk_step *s = &p->step[i];
		char point[48];

		if (be->undo(p, s->name, s->arg, err) < 0)
			return lwk_err_prefix(err, "partition %s", p->id);
		snprintf(point, sizeof(point), "undo-%s", s->name);
		lwk_fault_point(point);
	}
	if (steered(p->backend))
		noise_unwatch(r, p);
	if (lwk_registry_del(r, p->id, err) < 0)
		return -1;
	lwk_fault_point("record-removed");
	return 0;
}

static bool abandoned(const struct lwk_partition *p)
{
	/* called under the lock: nobody is working on a non-live record */
	return p->state != LWK_PART_LIVE || lwk_partition_stale_boot(p);
}

/* Tears down what crashed creators and destroyers left, so that their CPUs
 * and memory are free again, and re-lists. */
static int reap_abandoned(struct lwk_registry *r, struct lwk_partition **parts, size_t *n,
			  struct lwk_err *err)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		if (!abandoned(&(*parts)[i]))
			continue;
		if (teardown(r, &(*parts)[i], err) < 0)
			return lwk_err_prefix(err, "cleaning up after a crashed creator "
					      "(lwkpart reap retries)");
		k++;
	}
	if (!k)
		return 0;
	lwk_partition_list_free(*parts, *n);
	*parts = NULL;
	*n = 0;
	if (lwk_registry_list(r, parts, n, err) < 0 ||
	    node_sync(r, *parts, *n, NULL, NULL, 0, err) < 0)
		return -1;
	return 0;
}

static const struct lwk_backend *choose_backend(enum lwk_backend_kind want, unsigned allowed,
						char *why, size_t len)
{
	/* A node set up for a multi-kernel gets it; native is the fallback. */
	static const enum lwk_backend_kind order[] = {
		LWK_BACKEND_MCKERNEL, LWK_BACKEND_MOS, LWK_BACKEND_NATIVE
	};
	const struct lwk_backend *be;

	if (want != LWK_BACKEND_AUTO) {
		be = lwk_backend_get(want);
		if (!be) {
			snprintf(why, len, "backend %s is not built into liblwk",
				 lwk_registry_backend_name(want));
			return NULL;
		}
		return be->available(why, len) ? be : NULL;
	}
	snprintf(why, len, "the site allows none of the backends built in");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (allowed && !(allowed & (1u << order[i])))
			continue;
		be = lwk_backend_get(order[i]);
		if (be && be->available(why, len))
			return be;
	}
	return NULL;
}

int lwk_partition_backend_for(enum lwk_backend_kind want, unsigned allowed)
{
	char why[256];
	const struct lwk_backend *be = choose_backend(want, allowed, why, sizeof(why));

	return be ? (int)be->kind : -1;
}

static int fill_partition(const struct lwk_create_req *req, const struct lwk_backend *be,
			  struct lwk_partition *p, struct lwk_err *err)
{
	const struct lwk_placement *pl = req->pl;

	if (!pl || !pl->cpus || hwloc_bitmap_iszero(pl->cpus))
		return lwk_err_set(err, EINVAL, "no CPUs given for the partition");
	if (hwloc_bitmap_weight(pl->cpus) < 0)
		return lwk_err_set(err, EINVAL, "an infinite CPU set cannot be a partition");
	if (req->owner && strlen(req->owner) >= sizeof(p->owner))
		return lwk_err_set(err, EINVAL, "owner '%.32s...' is too long (at most %zu characters)",
				   req->owner, sizeof(p->owner) - 1);
	if (req->owner && strpbrk(req->owner, "\n\r="))
		return lwk_err_set(err, EINVAL, "owner must not contain newlines or '='");
	if (pl->nmem > LWK_MAX_NUMA)
		return lwk_err_set(err, EINVAL, "too many NUMA nodes in the reservation");
	hwloc_bitmap_copy(p->cpus, pl->cpus);
	p->linux_cpus = pl->linux_cpus;
	if (pl->mems && !hwloc_bitmap_iszero(pl->mems))
		hwloc_bitmap_copy(p->mems, pl->mems);
	else
		lwk_native_mems(p, p->mems);
	p->nmem = pl->nmem;
	memcpy(p->mem, pl->mem, sizeof(p->mem[0]) * pl->nmem);
	for (unsigned i = 0; i < p->nmem; i++)
		if (p->mem[i].bytes && pl->pages == LWK_PAGES_4K && be->flags & LWK_BACKEND_STEER)
			return lwk_err_set(err, EINVAL, "the native backend reserves memory in huge "
					   "pages only: ask for pages 2m or 1g");
	p->pages = pl->pages;
	p->backend = be->kind;
	p->state = LWK_PART_CREATING;
	p->creator = getpid();
	snprintf(p->boot_id, sizeof(p->boot_id), "%s", lwk_boot_id());
	p->created = time(NULL);
	if (req->owner)
		snprintf(p->owner, sizeof(p->owner), "%s", req->owner);
	if (req->spec) {
		if (strlen(req->spec) >= sizeof(p->spec) || strpbrk(req->spec, "\n\r"))
			return lwk_err_set(err, EINVAL, "spec text too long or multi-line");
		snprintf(p->spec, sizeof(p->spec), "%s", req->spec);
	}
	if (req->note && !strpbrk(req->note, "\n\r"))
		snprintf(p->note, sizeof(p->note), "%s", req->note);
	if (req->holder) {
		if (!lwk_holder_valid(req->holder))
			return lwk_err_set(err, EINVAL, "bad holder name '%.64s': use letters, digits, "
					   "'.', '_' and '-', at most %d characters", req->holder,
					   LWK_ID_MAX - 1);
		snprintf(p->holders, sizeof(p->holders), "%s", req->holder);
	}
	return 0;
}

/* The first free "lwkN". */
static void gen_id(const struct lwk_partition *parts, size_t n, char *id, size_t len)
{
	for (unsigned k = 0;; k++) {
		bool used = false;

		snprintf(id, len, "lwk%u", k);
		for (size_t i = 0; i < n && !used; i++)
			used = !strcmp(parts[i].id, id);
		if (!used)
			return;
	}
}

/* Fails without changing anything if p cannot join parts on this node. For
 * a steered p, b (initialised by the caller) ends up holding the node's
 * baseline: the recorded one (*have) or, without one, the one just read off
 * the node, which baseline_save() then records without reading it again. */
static int check_fit(struct lwk_registry *r, const struct lwk_partition *p,
		     const struct lwk_partition *parts, size_t n, struct lwk_baseline *b,
		     bool *have, struct lwk_err *err)
{
	struct lwk_native_plan pl;
	struct lwk_partition *all;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(parts[i].id, p->id))
			return lwk_err_set(err, EEXIST, "partition %s already exists: choose "
					   "another id or destroy it first", p->id);
		if (lwk_partition_stale_boot(&parts[i]))
			continue;
		if (hwloc_bitmap_intersects(parts[i].cpus, p->cpus)) {
			char l[256];
			hwloc_bitmap_t o = hwloc_bitmap_alloc();

			hwloc_bitmap_and(o, parts[i].cpus, p->cpus);
			hwloc_bitmap_list_snprintf(l, sizeof(l), o);
			hwloc_bitmap_free(o);
			return lwk_err_set(err, EBUSY, "CPUs %s are already in LWK partition %s: "
					   "choose other CPUs or destroy it first", l, parts[i].id);
		}
	}
	if (!steered(p->backend))
		return 0;
	lwk_native_plan_init(&pl);
	all = calloc(n + 1, sizeof(*all));
	if (!all) {
		lwk_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (n)
		memcpy(all, parts, n * sizeof(*all));
	all[n] = *p;
	if (baseline_load(r, b, have, err) < 0 || (!*have && lwk_baseline_read(b, err) < 0))
		goto out;
	if (lwk_native_plan(b, all, n + 1, &pl, err) < 0)
		goto out;
	rc = 0;
out:
	free(all);
	lwk_native_plan_fini(&pl);
	return rc;
}

/* Records b, read off the node by check_fit(), as the node's original
 * values, unless a baseline was already recorded (have). */
static int baseline_save(struct lwk_registry *r, const struct lwk_baseline *b, bool have,
			 struct lwk_err *err)
{
	char *text;
	int rc;

	if (have)
		return 0;	/* the node's original values are already safe */
	/* LWK cpusets without a baseline here belong to another registry: a
	 * second baseline would record their steering as "original". */
	if (!access(LWK_CG1_ROOT "/" LWK_CG_DIR, F_OK) ||
	    !access(LWK_CG2_ROOT "/" LWK_CG_DIR "/cgroup.procs", F_OK))
		return lwk_err_set(err, EBUSY, "LWK cpusets exist (" LWK_CG_DIR ") but registry %s "
				   "does not know them: use the registry that made them (--statedir)",
				   r->dir);
	text = lwk_baseline_format(b);
	if (!text)
		return lwk_err_set(err, ENOMEM, "out of memory");
	rc = lwk_write_atomic(r->dir, LWK_BASELINE_FILE, text, err);
	free(text);
	return rc;
}

int lwk_partition_create(const struct lwk_create_req *req, struct lwk_partition *out,
			 struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition p, *parts = NULL;
	struct lwk_journal j = { &reg, &p };
	const struct lwk_backend *be;
	struct lwk_baseline base;
	bool have_base = false;
	char why[256] = "";
	size_t n = 0;
	int rc = -1;

	lwk_fault_phase("create");
	lwk_partition_init(&p);
	lwk_baseline_init(&base);
	if (req->id && !lwk_id_valid(req->id)) {
		lwk_err_set(err, EINVAL, "bad partition id '%s': use letters, digits, '.', '_' "
			    "and '-', at most %d characters", req->id, LWK_ID_MAX - 1);
		goto out_free;
	}
	be = choose_backend(req->backend, req->allowed, why, sizeof(why));
	if (!be) {
		lwk_err_set(err, ENODEV, "no usable LWK backend: %s", why);
		goto out_free;
	}
	if (fill_partition(req, be, &p, err) < 0)
		goto out_free;
	if (lwk_registry_open(&reg, req->statedir, true, err) < 0)
		goto out_free;
	if (lwk_registry_lock(&reg, err) < 0 || lwk_registry_list(&reg, &parts, &n, err) < 0 ||
	    reap_abandoned(&reg, &parts, &n, err) < 0)
		goto out_close;
	if (req->id)
		snprintf(p.id, sizeof(p.id), "%s", req->id);
	else
		gen_id(parts, n, p.id, sizeof(p.id));
	if (check_fit(&reg, &p, parts, n, &base, &have_base, err) < 0)
		goto out_close;

	/* From here on the node changes: everything is recorded first. */
	if (steered(p.backend)) {
		if (baseline_save(&reg, &base, have_base, err) < 0)
			goto out_close;
		lwk_fault_point("baseline");
	}
	if (lwk_registry_put(&reg, &p, err) < 0)
		goto out_rollback;
	lwk_fault_point("intent");
	if (steered(p.backend)) {
		struct lwk_partition *all = realloc(parts, (n + 1) * sizeof(*parts));

		if (!all) {
			lwk_err_set(err, ENOMEM, "out of memory");
			goto out_rollback;
		}
		parts = all;
		lwk_partition_init(&parts[n]);
		part_copy(&parts[n], &p);
		n++;
		if (node_sync(&reg, parts, n, NULL, p.note, sizeof(p.note), err) < 0)
			goto out_rollback;
	}
	if (be->create(&j, &p, err) < 0)
		goto out_rollback;
	lwk_fault_point("before-live");
	p.state = LWK_PART_LIVE;
	if (lwk_registry_put(&reg, &p, err) < 0)
		goto out_rollback;
	if (steered(p.backend))
		noise_watch(&reg, &p);
	if (out)
		part_copy(out, &p);
	rc = 0;
	goto out_close;

out_rollback:
	{
		struct lwk_err e2;

		/* The caller's error stays; the node goes back as before. */
		lwk_fault_phase("rollback");
		if (teardown(&reg, &p, &e2) == 0)
			node_sync(&reg, parts, n, p.id, NULL, 0, &e2);
	}
out_close:
	lwk_partition_list_free(parts, n);
	lwk_registry_close(&reg);
out_free:
	lwk_baseline_fini(&base);
	lwk_partition_fini(&p);
	return rc;
}

int lwk_partition_attach(const char *statedir, const char *id, pid_t pid, struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition p;
	const struct lwk_backend *be;
	int rc = -1;

	lwk_partition_init(&p);
	if (pid <= 0) {
		lwk_err_set(err, EINVAL, "bad process id %ld", (long)pid);
		goto out;
	}
	if (lwk_registry_open(&reg, statedir, false, err) < 0 ||
	    lwk_registry_get(&reg, id, &p, err) < 0)
		goto out;
	if (p.state != LWK_PART_LIVE) {
		lwk_err_set(err, EBUSY, "partition %s is %s, not live", id,
			    lwk_part_state_name(p.state));
		goto out;
	}
	be = lwk_backend_get(p.backend);
	if (!be) {
		lwk_err_set(err, ENOSYS, "partition %s: backend not built in", id);
		goto out;
	}
	rc = be->attach(&p, pid, err);
out:
	lwk_partition_fini(&p);
	return rc;
}

int lwk_partition_destroy(const char *statedir, const char *id, struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition p, *parts = NULL;
	size_t n = 0;
	int rc = -1;

	lwk_fault_phase("destroy");
	lwk_partition_init(&p);
	if (lwk_registry_open(&reg, statedir, false, err) < 0) {
		if (err && err->code == ENOENT)
			lwk_err_set(err, ENOENT, "no partition '%s' (see lwkpart list)", id);
		goto out_free;
	}
	if (lwk_registry_lock(&reg, err) < 0 || lwk_registry_get(&reg, id, &p, err) < 0)
		goto out;
	if (p.state == LWK_PART_CREATING) {
		lwk_err_set(err, EBUSY, "partition %s was never finished (its creator died): "
			    "run lwkpart reap", id);
		goto out;
	}
	p.state = LWK_PART_DESTROYING;
	if (lwk_registry_put(&reg, &p, err) < 0)
		goto out;
	lwk_fault_point("marked");
	if (teardown(&reg, &p, err) < 0)
		goto out;
	if (lwk_registry_list(&reg, &parts, &n, err) < 0 ||
	    node_sync(&reg, parts, n, NULL, NULL, 0, err) < 0)
		goto out;
	rc = 0;
out:
	lwk_partition_list_free(parts, n);
	lwk_registry_close(&reg);
out_free:
	lwk_partition_fini(&p);
	return rc;
}

int lwk_partition_get(const char *statedir, const char *id, struct lwk_partition *out,
		      struct lwk_err *err)
{
	struct lwk_registry reg;

	if (lwk_registry_open(&reg, statedir, false, err) < 0) {
		if (err && err->code == ENOENT)
			lwk_err_set(err, ENOENT, "no partition '%s' (see lwkpart list)", id);
		return -1;
	}
	return lwk_registry_get(&reg, id, out, err);
}

int lwk_partition_noise(const char *statedir, const char *id, struct lwk_noise *out,
			struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition p;
	char base[PATH_MAX];
	int rc = -1;

	lwk_partition_init(&p);
	if (lwk_registry_open(&reg, statedir, false, err) < 0 ||
	    lwk_registry_get(&reg, id, &p, err) < 0)
		goto out;
	if (!steered(p.backend)) {
		lwk_err_set(err, ENOTSUP, "partition %s: no noise accounting for the %s backend",
			    id, lwk_backend_name(p.backend));
		goto out;
	}
	noise_base(&reg, p.id, base, sizeof(base));
	rc = lwk_noise_since(p.cpus, base, out, err);
out:
	lwk_registry_close(&reg);
	lwk_partition_fini(&p);
	return rc;
}

int lwk_partition_hold(const char *statedir, struct lwk_err *err)
{
	struct lwk_registry reg;

	if (lwk_registry_open(&reg, statedir, true, err) < 0 ||
	    lwk_registry_lock_shared(&reg, err) < 0)
		return -1;
	return reg.lockfd;	/* lwk_partition_release closes it */
}

void lwk_partition_release(int hold)
{
	if (hold >= 0)
		close(hold);
}

int lwk_partition_list(const char *statedir, struct lwk_partition **out, size_t *n,
		       struct lwk_err *err)
{
	struct lwk_registry reg;

	*out = NULL;
	*n = 0;
	if (lwk_registry_open(&reg, statedir, false, err) < 0)
		return err && err->code == ENOENT ? (lwk_err_clear(err), 0) : -1;
	return lwk_registry_list(&reg, out, n, err);
}

/* Temporary files of writers killed between write and rename. */
static void remove_temps(struct lwk_registry *r)
{
	DIR *d = opendir(r->dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' && n > 5 && !strcmp(de->d_name + n - 4, ".tmp"))
			lwk_remove_file(r->dir, de->d_name, NULL);
	}
	if (d)
		closedir(d);
}

/* Default liveness: "pid:N" lives while N runs; other owners are kept. */
static bool default_alive(const char *owner)
{
	char *end;
	long pid;

	if (strncmp(owner, "pid:", 4))
		return true;
	pid = strtol(owner + 4, &end, 10);
	if (end == owner + 4 || *end || pid <= 0)
		return true;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int lwk_reap(const char *statedir, const char *owner, bool stale,
	     bool (*owner_alive)(const char *owner), unsigned *count, struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition *parts = NULL;
	size_t n = 0;
	unsigned done = 0;
	int rc = -1;

	lwk_fault_phase("reap");
	if (count)
		*count = 0;
	if (!owner_alive)
		owner_alive = default_alive;
	if (lwk_registry_open(&reg, statedir, false, err) < 0)
		return err && err->code == ENOENT ? (lwk_err_clear(err), 0) : -1;
	if (lwk_registry_lock(&reg, err) < 0 || lwk_registry_list(&reg, &parts, &n, err) < 0)
		goto out;
	remove_temps(&reg);
	for (size_t i = 0; i < n; i++) {
		struct lwk_partition *p = &parts[i];
		bool go = abandoned(p) ||
			  (owner && !strcmp(p->owner, owner)) ||
			  (stale && p->owner[0] && !owner_alive(p->owner));

		if (!go)
			continue;
		if (teardown(&reg, p, err) < 0)
			goto out;
		done++;
	}
	lwk_partition_list_free(parts, n);
	parts = NULL;
	n = 0;
	if (lwk_registry_list(&reg, &parts, &n, err) < 0 ||
	    node_sync(&reg, parts, n, NULL, NULL, 0, err) < 0)
		goto out;
	rc = 0;
out:
	if (count)
		*count = done;
	lwk_partition_list_free(parts, n);
	lwk_registry_close(&reg);
	return rc;
}
