/* cgroup v1 cpusets.
 *
 * Partitions live at <root>/lwk/<id> (sched_load_balance 0, their NUMA
 * mems). v1 lets a cpuset be cpu_exclusive only if its parent is and no
 * sibling overlaps it; Slurm's task/cgroup keeps <root>/slurm on all CPUs and
 * must not be trimmed, so exclusivity is taken only when no sibling of
 * <root>/lwk overlaps, and the reason is reported otherwise. The rest of the
 * system is kept off the LWK CPUs the way `cset shield` does it: every
 * movable task of the root cpuset goes to <root>/lwk.linux (all CPUs minus
 * the partitions) and the root stops load balancing, while partitions exist.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "native.h"
#include "sysfile.h"

#define ROOT LWK_CG1_ROOT
#define LWKDIR ROOT "/" LWK_CG_DIR
#define LINUXDIR ROOT "/" LWK_CG1_LINUX

const char *lwk_cg1_prefix(void)
{
	static const char *p;

	if (!p)
		p = access(ROOT "/cpuset.cpus", F_OK) ? "" : "cpuset.";
	return p;
}

static void cgfile(char *buf, size_t len, const char *dir, const char *file)
{
	bool plain = !strcmp(file, "tasks") || !strncmp(file, "cgroup.", 7);

	snprintf(buf, len, "%s/%s%s", dir, plain ? "" : lwk_cg1_prefix(), file);
}

static int cg_read_list(const char *dir, const char *file, hwloc_bitmap_t set,
			struct lwk_err *err)
{
	char path[512];

	cgfile(path, sizeof(path), dir, file);
	return lwk_read_list(path, set, err);
}

static int cg_write(const char *dir, const char *file, const char *v, struct lwk_err *err)
{
	char path[512];

	cgfile(path, sizeof(path), dir, file);
	return lwk_write_str(path, v, err);
}

static int cg_write_list(const char *dir, const char *file, hwloc_const_bitmap_t set,
			 struct lwk_err *err)
{
	char path[512];

	cgfile(path, sizeof(path), dir, file);
	return lwk_write_list(path, set, err);
}

/* Writes the list only if it differs from what the file holds. */
static int cg_set_list(const char *dir, const char *file, hwloc_const_bitmap_t set,
		       struct lwk_err *err)
{
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	int rc = 0;

	if (cg_read_list(dir, file, cur, NULL) < 0 || !hwloc_bitmap_isequal(cur, set))
		rc = cg_write_list(dir, file, set, err);
	hwloc_bitmap_free(cur);
	return rc;
}

static int cg_read_int(const char *dir, const char *file)
{
	char path[512], buf[32];

	cgfile(path, sizeof(path), dir, file);
	if (lwk_read_str(path, buf, sizeof(buf), NULL) < 0)
		return -1;
	return atoi(buf);
}

static int cg_mkdir(const char *dir, bool *made, struct lwk_err *err)
{
	*made = false;
	if (mkdir(dir, 0755) == 0)
		*made = true;
	else if (errno != EEXIST)
		return lwk_err_set(err, errno, "cannot create cpuset %s: %s", dir, strerror(errno));
	return 0;
}

/* Task ids the kernel refused to move, kept sorted across the passes of
 * one move_all(). */
struct refused {
	long *id;
	size_t n, cap;
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static bool refused_has(const struct refused *r, long id)
{
	return r->n && bsearch(&id, r->id, r->n, sizeof(*r->id), cmp_long);
}

static void refused_add(struct refused *r, long id)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		long *id2 = realloc(r->id, cap * sizeof(*id2));

		if (!id2)
			return; /* only a lost shortcut: the id is tried again */
		r->id = id2;
		r->cap = cap;
	}
	r->id[r->n++] = id;
}

/* Moves every task listed in from/tasks into to/tasks. Tasks the kernel
 * refuses to move (per-CPU and PF_NO_SETAFFINITY kernel threads: EINVAL)
 * are remembered in r and not tried again by a later pass: a node has
 * several per CPU, and each refusal takes the cgroup migration lock.
 * Tasks that exit meanwhile (ESRCH) are skipped. Returns how many moved. */
static long move_tasks(const char *from, const char *to, struct refused *r,
		       struct lwk_err *err)
{
	char src[512], dst[512], *text, *s;
	size_t before = r->n;
	long moved = 0;
	int fd;

	cgfile(src, sizeof(src), from, "tasks");
	cgfile(dst, sizeof(dst), to, "tasks");
	if (lwk_read_all(src, &text, err) < 0)
		return -1;
	fd = open(dst, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		free(text);
		return lwk_err_set(err, errno, "cannot open %s: %s", dst, strerror(errno));
	}
	/* one write(2) per task: the kernel takes one id per write */
	for (s = strtok(text, "\n"); s; s = strtok(NULL, "\n")) {
		long id = strtol(s, NULL, 10);

		if (refused_has(r, id))
			continue;
		if (write(fd, s, strlen(s)) > 0)
			moved++;
		else if (errno == EINVAL)
			refused_add(r, id);
	}
	close(fd);
	free(text);
	if (r->n > before)
		qsort(r->id, r->n, sizeof(*r->id), cmp_long);
	return moved;
}

/* Repeats until a pass moves nothing: tasks forked during a pass are caught
 * by the next. */
static int move_all(const char *from, const char *to, struct lwk_err *err)
{
	struct refused r = { 0 };
	int rc = 0;

	for (int pass = 0; pass < 8; pass++) {
		long n = move_tasks(from, to, &r, err);

		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
	}
	free(r.id);
	return rc;
}

/* rmdir that waits a little for exiting tasks to leave. */
static int cg_rmdir(const char *dir, const char *to, struct lwk_err *err)
{
	for (int i = 0; i < 200; i++) {
		if (access(dir, F_OK) < 0 && errno == ENOENT)
			return 0;
		move_all(dir, to, NULL);
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
	}
	return lwk_err_set(err, errno, "cannot remove cpuset %s: %s (tasks that cannot be "
			   "moved are still inside)", dir, strerror(errno));
}

/* A sibling of <root>/lwk (other than ours) whose CPUs intersect cpus. */
static bool sibling_overlap(hwloc_const_bitmap_t cpus, char *who, size_t len)
{
	DIR *d = opendir(ROOT);
	struct dirent *de;
	bool found = false;
	hwloc_bitmap_t s = hwloc_bitmap_alloc();

	while (d && !found && (de = readdir(d))) {
		char dir[512];

		if (de->d_type != DT_DIR || de->d_name[0] == '.' ||
		    !strcmp(de->d_name, LWK_CG_DIR) || !strcmp(de->d_name, LWK_CG1_LINUX))
			continue;
		snprintf(dir, sizeof(dir), ROOT "/%s", de->d_name);
		if (cg_read_list(dir, "cpus", s, NULL) == 0 && hwloc_bitmap_intersects(s, cpus)) {
			snprintf(who, len, "/%s", de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	hwloc_bitmap_free(s);
	return found;
}

/* Clears cpu_exclusive on the children of lwk, then on lwk (v1 refuses a
 * non-exclusive parent of an exclusive child). */
static int drop_exclusive(struct lwk_err *err)
{
	DIR *d = opendir(LWKDIR);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char dir[512];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), LWKDIR "/%s", de->d_name);
		if (cg_read_int(dir, "cpu_exclusive") == 1 &&
		    cg_write(dir, "cpu_exclusive", "0", err) < 0) {
			closedir(d);
			return -1;
		}
	}
	if (d)
		closedir(d);
	return cg_write(LWKDIR, "cpu_exclusive", "0", err);
}

static int apply_live(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		      struct lwk_err *err)
{
	hwloc_bitmap_t cur = hwloc_bitmap_alloc(), tmp = hwloc_bitmap_alloc();
	char who[300];
	bool made, overlap;
	int rc = -1;

	/* The Linux cpuset first shrinks to (current and wanted, minus what
	 * the LWK parent holds now), so that the parent can grow without
	 * overlapping it, then takes its final CPUs once the parent has
	 * shrunk. Every file is checked rather than assumed, so that applying
	 * again after a crash anywhere converges. */
	if (cg_mkdir(LINUXDIR, &made, err) < 0 || cg_set_list(LINUXDIR, "mems", b->mems, err) < 0)
		goto out;
	if (made)
		lwk_fault_point("linux-cpuset");
	if (cg_read_list(LINUXDIR, "cpus", cur, err) < 0)
		goto out;
	if (hwloc_bitmap_iszero(cur))
		hwloc_bitmap_copy(cur, pl->linux_cpus);
	hwloc_bitmap_and(tmp, cur, pl->linux_cpus);
	if (!access(LWKDIR, F_OK) && cg_read_list(LWKDIR, "cpus", cur, NULL) == 0)
		hwloc_bitmap_andnot(tmp, tmp, cur);
	if (!hwloc_bitmap_iszero(tmp) && cg_set_list(LINUXDIR, "cpus", tmp, err) < 0)
		goto out;

	if (cg_mkdir(LWKDIR, &made, err) < 0 || cg_set_list(LWKDIR, "mems", b->mems, err) < 0)
		goto out;
	if (cg_read_int(LWKDIR, "sched_load_balance") != 0 &&
	    cg_write(LWKDIR, "sched_load_balance", "0", err) < 0)
		goto out;
	overlap = sibling_overlap(pl->lwk, who, sizeof(who));
	if (overlap && cg_read_int(LWKDIR, "cpu_exclusive") == 1 && drop_exclusive(err) < 0)
		goto out;
	if (cg_set_list(LWKDIR, "cpus", pl->lwk, err) < 0)
		goto out;
	if (!overlap && cg_read_int(LWKDIR, "cpu_exclusive") != 1 &&
	    cg_write(LWKDIR, "cpu_exclusive", "1", err) < 0)
		goto out;
	if (cg_set_list(LINUXDIR, "cpus", pl->linux_cpus, err) < 0)
		goto out;

	if (move_all(ROOT, LINUXDIR, err) < 0)
		goto out;
	lwk_fault_point("tasks-moved");
	if (cg_read_int(ROOT, "sched_load_balance") != 0 &&
	    cg_write(ROOT, "sched_load_balance", "0", err) < 0)
		goto out;
	rc = 0;
out:
	hwloc_bitmap_free(cur);
	hwloc_bitmap_free(tmp);
	return rc;
}

static int remove_children(int version, const char *path, struct lwk_err *err);

static int apply_none(const struct lwk_baseline *b, struct lwk_err *err)
{
	DIR *d;
	struct dirent *de;

	if (b->root_lb >= 0 && cg_read_int(ROOT, "sched_load_balance") != b->root_lb &&
	    cg_write(ROOT, "sched_load_balance", b->root_lb ? "1" : "0", err) < 0)
		return -1;
	/* Partition cpusets are gone by now unless a record was lost; their
	 * tasks go back to the root too. */
	d = opendir(LWKDIR);
	while (d && (de = readdir(d))) {
		char dir[512];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), LWKDIR "/%s", de->d_name);
		if (remove_children(1, dir, err) < 0 || cg_rmdir(dir, ROOT, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	if (d)
		closedir(d);
	/* the Linux cpuset too may hold a runtime's cgroup (a container of a
	 * step without --lwk, started through lwkrun) */
	if (remove_children(1, LINUXDIR, err) < 0 || cg_rmdir(LINUXDIR, ROOT, err) < 0 ||
	    cg_rmdir(LWKDIR, ROOT, err) < 0)
		return -1;
	return 0;
}

int lwk_cg1_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		  struct lwk_err *err)
{
	return pl->any ? apply_live(b, pl, err) : apply_none(b, err);
}

/* NUMA nodes whose CPUs meet cpus, from sysfs (no topology needed). */
static void cpus_to_mems(hwloc_const_bitmap_t cpus, hwloc_bitmap_t mems)
{
	hwloc_bitmap_t all = hwloc_bitmap_alloc(), nc = hwloc_bitmap_alloc();
	int n;

	hwloc_bitmap_zero(mems);
	if (lwk_read_list("/sys/devices/system/node/online", all, NULL) == 0) {
		hwloc_bitmap_foreach_begin(n, all) {
			char path[128];

			snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
			if (lwk_read_list(path, nc, NULL) == 0 && hwloc_bitmap_intersects(nc, cpus))
				hwloc_bitmap_set(mems, n);
		}
		hwloc_bitmap_foreach_end();
	}
	if (hwloc_bitmap_iszero(mems))
		hwloc_bitmap_set(mems, 0);
	hwloc_bitmap_free(all);
	hwloc_bitmap_free(nc);
}

void lwk_native_mems(const struct lwk_partition *p, hwloc_bitmap_t mems)
{
	if (hwloc_bitmap_iszero(p->mems))
		cpus_to_mems(p->cpus, mems);
	else
		hwloc_bitmap_copy(mems, p->mems);
}

int lwk_cg1_make(const struct lwk_partition *p, const char *path, char *note, size_t notelen,
		 struct lwk_err *err)
{
	hwloc_bitmap_t mems = hwloc_bitmap_alloc();
	char who[300];
	bool made;
	int rc = -1;

	lwk_native_mems(p, mems);
	if (cg_mkdir(path, &made, err) < 0 ||
	    cg_write_list(path, "cpus", p->cpus, err) < 0 ||
	    cg_write_list(path, "mems", mems, err) < 0 ||
	    cg_write(path, "sched_load_balance", "0", err) < 0)
		goto out;
	if (cg_read_int(LWKDIR, "cpu_exclusive") == 1) {
		if (cg_write(path, "cpu_exclusive", "1", err) < 0)
			goto out;
	} else if (sibling_overlap(p->cpus, who, sizeof(who))) {
		snprintf(note, notelen, "exclusive: no (overlaps cpuset %s)", who);
	} else {
		snprintf(note, notelen, "exclusive: no (another LWK partition overlaps a cpuset)");
	}
	rc = 0;
out:
	hwloc_bitmap_free(mems);
	return rc;
}

/* Child cgroups that a container runtime made inside a partition (runc
 * nests one per container below its own cpuset) would keep the partition's
 * rmdir failing with EBUSY: they go first, deepest first, their tasks out
 * to where the partition's go. */
static int remove_children(int version, const char *path, struct lwk_err *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char child[1024];
	int rc = 0;

	if (!d)
		return 0;	/* gone, or not a directory: nothing below */
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		rc = lwk_cg_remove(version, child, err);
	}
	closedir(d);
	return rc;
}

int lwk_cg_remove(int version, const char *path, struct lwk_err *err)
{
	if (remove_children(version, path, err))
		return -1;
	if (version == 2) {
		/* v2: leaves hold the tasks; the root cgroup takes them back. */
		char procs[512];

		for (int i = 0; i < 200; i++) {
			char *text, *s;

			snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
			if (lwk_read_all(procs, &text, NULL) < 0)
				return 0;	/* gone */
			for (s = strtok(text, "\n"); s; s = strtok(NULL, "\n"))
				lwk_write_str(LWK_CG2_ROOT "/cgroup.procs", s, NULL);
			free(text);
			if (rmdir(path) == 0 || errno == ENOENT)
				return 0;
			if (errno != EBUSY)
				break;
			nanosleep(&(struct timespec){ 0, 5 * 1000 * 1000 }, NULL);
		}
		return lwk_err_set(err, errno, "cannot remove cgroup %s: %s", path,
				   strerror(errno));
	}
	return cg_rmdir(path, access(LINUXDIR, F_OK) ? ROOT : LINUXDIR, err);
}

int lwk_cg_attach(int version, const char *path, pid_t pid, struct lwk_err *err)
{
	char file[512], v[32];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	snprintf(v, sizeof(v), "%ld", (long)pid);
	if (lwk_write_str(file, v, err) < 0)
		return lwk_err_prefix(err, "cannot move process %ld into the partition",
				      (long)pid);
	return 0;
}

bool lwk_cg1_exclusive(const char *path)
{
	return cg_read_int(path, "cpu_exclusive") == 1;
}
