/* Unit tests of the partition registry (lwk/registry.c) and of what
 * partition.c does with records alone (list, get, reap of abandoned and
 * previous-boot records), in a temporary statedir. Nothing here touches the
 * node: the only backend step used points at a cpuset that does not exist. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>
#include <unistd.h>

#include "backend.h"
#include "registry.h"
#include "check_run.h"

#define NOCG "/sys/fs/cgroup/cpuset/lwk/unit-test-absent-7f3e"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lwk-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	/* a fixed, mkdtemp-made path: no user text reaches the shell */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sample(struct lwk_partition *p, const char *id)
{
	lwk_partition_init(p);
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->owner, sizeof(p->owner), "job:42");
	p->creator = 1234;
	p->backend = LWK_BACKEND_NATIVE;
	p->state = LWK_PART_LIVE;
	hwloc_bitmap_list_sscanf(p->cpus, "1,4-5");
	hwloc_bitmap_list_sscanf(p->mems, "0-1");
	p->pages = LWK_PAGES_1G;
	p->nmem = 2;
	p->mem[0].node = 0;
	p->mem[0].bytes = 1ull << 30;
	p->mem[1].node = 1;
	p->mem[1].bytes = 3ull << 30;
	snprintf(p->spec, sizeof(p->spec), "cores:2,mem:4G");
	p->created = 1700000000;
	snprintf(p->cgroup, sizeof(p->cgroup), NOCG);
	snprintf(p->note, sizeof(p->note), "exclusive: no (overlaps cpuset /slurm)");
	snprintf(p->holders, sizeof(p->holders), "pbshost,pbsn2");
	p->nsteps = 2;
	snprintf(p->step[0].name, sizeof(p->step[0].name), "cpuset");
	snprintf(p->step[0].arg, sizeof(p->step[0].arg), "v1 " NOCG);
	snprintf(p->step[1].name, sizeof(p->step[1].name), "other");
	p->step[1].arg[0] = '\0';
}

static void assert_same(const struct lwk_partition *a, const struct lwk_partition *b)
{
	ck_assert_str_eq(a->id, b->id);
	ck_assert_str_eq(a->owner, b->owner);
	ck_assert_int_eq(a->creator, b->creator);
	ck_assert_int_eq(a->backend, b->backend);
	ck_assert_int_eq(a->state, b->state);
	ck_assert(hwloc_bitmap_isequal(a->cpus, b->cpus));
	ck_assert(hwloc_bitmap_isequal(a->mems, b->mems));
	ck_assert_int_eq(a->pages, b->pages);
	ck_assert_uint_eq(a->nmem, b->nmem);
	for (unsigned i = 0; i < a->nmem; i++) {
		ck_assert_uint_eq(a->mem[i].node, b->mem[i].node);
		ck_assert_uint_eq(a->mem[i].bytes, b->mem[i].bytes);
	}
	ck_assert_str_eq(a->spec, b->spec);
	ck_assert_int_eq(a->created, b->created);
	ck_assert_str_eq(a->cgroup, b->cgroup);
	ck_assert_str_eq(a->note, b->note);
	ck_assert_str_eq(a->holders, b->holders);
	ck_assert_uint_eq(a->nsteps, b->nsteps);
	for (unsigned i = 0; i < a->nsteps; i++) {
		ck_assert_str_eq(a->step[i].name, b->step[i].name);
		ck_assert_str_eq(a->step[i].arg, b->step[i].arg);
	}
}

START_TEST(test_ids)
{
	static const char *const good[] = { "a", "lwk0", "job-12.step_3", "A.b-C_9" };
	static const char *const bad[] = { "", ".hidden", "a/b", "..", "a b", "a:b", "x\n",
					   "0123456789012345678901234567890123456789012345678901234567890123" };

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(lwk_id_valid(good[i]), "'%s' rejected", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(!lwk_id_valid(bad[i]), "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_record_roundtrip)
{
	struct lwk_partition a, b;
	struct lwk_err err = { 0 };
	char *text;

	sample(&a, "rt");
	text = lwk_record_format(&a);
	ck_assert_ptr_nonnull(text);
	lwk_partition_init(&b);
	ck_assert_msg(lwk_record_parse(text, "rt.part", &b, &err) == 0, "%s", err.msg);
	assert_same(&a, &b);
	ck_assert_str_eq(b.boot_id, lwk_boot_id());	/* stamped with this boot */
	free(text);
	lwk_partition_fini(&a);
	lwk_partition_fini(&b);
}
END_TEST

/* Free text cannot inject lines into the record. */
START_TEST(test_record_newlines)
{
	struct lwk_partition a, b;
	struct lwk_err err = { 0 };
	char *text;

	sample(&a, "nl");
	snprintf(a.note, sizeof(a.note), "one\nstate=creating");
	text = lwk_record_format(&a);
	lwk_partition_init(&b);
	ck_assert_int_eq(lwk_record_parse(text, "nl.part", &b, &err), 0);
	ck_assert_int_eq(b.state, LWK_PART_LIVE);
	ck_assert_str_eq(b.note, "one state=creating");
	free(text);
	lwk_partition_fini(&a);
	lwk_partition_fini(&b);
}
END_TEST

START_TEST(test_record_corrupt)
{
	static const char *const bad[] = {
		"id=x\nstate=live\ncpus=1\nbogus=1\n",
		"id=x\nstate=sleeping\ncpus=1\n",
		"id=../x\nstate=live\ncpus=1\n",
		"state=live\ncpus=1\n",
		"id=x\nstate=live\n",
		"id=x\nstate=live\ncpus=1\nmem=0:12x\n",
		"id=x\nstate=live\ncpus=1\nbackend=windows\n",
		"id=x\nstate=live\ncpus=1\nnoequals\n",
		"id=x\nstate=live\ncpus=1\nstep=\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct lwk_partition p;
		struct lwk_err err = { 0 };

		lwk_partition_init(&p);
		ck_assert_msg(lwk_record_parse(bad[i], "f.part", &p, &err) < 0, "accepted: %s",
			      bad[i]);
		ck_assert_msg(strstr(err.msg, "f.part") && strstr(err.msg, "corrupt"),
			      "message does not name the file: %s", err.msg);
		ck_assert_ptr_null(strchr(err.msg, '\n'));
		lwk_partition_fini(&p);
	}
}
END_TEST

START_TEST(test_put_get_list_del)
{
	struct lwk_registry r;
	struct lwk_partition a, b, *arr;
	struct lwk_err err = { 0 };
	size_t n;
	char path[128];

	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	sample(&a, "zeta");
	ck_assert_int_eq(lwk_registry_put(&r, &a, &err), 0);
	snprintf(a.id, sizeof(a.id), "alpha");
	ck_assert_int_eq(lwk_registry_put(&r, &a, &err), 0);

	lwk_partition_init(&b);
	ck_assert_int_eq(lwk_registry_get(&r, "alpha", &b, &err), 0);
	assert_same(&a, &b);
	lwk_partition_fini(&b);

	ck_assert_int_eq(lwk_partition_list(dir, &arr, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(arr[0].id, "alpha");	/* sorted */
	ck_assert_str_eq(arr[1].id, "zeta");
	lwk_partition_list_free(arr, n);

	/* no temporary file left behind */
	snprintf(path, sizeof(path), "%s/.alpha.part.tmp", dir);
	ck_assert_int_ne(access(path, F_OK), 0);

	ck_assert_int_eq(lwk_registry_del(&r, "zeta", &err), 0);
	ck_assert_int_eq(lwk_registry_del(&r, "zeta", &err), 0);	/* idempotent */
	lwk_partition_init(&b);
	ck_assert_int_lt(lwk_registry_get(&r, "zeta", &b, &err), 0);
	ck_assert_int_eq(err.code, ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no partition 'zeta'"));
	ck_assert_int_lt(lwk_partition_get(dir, "../etc/passwd", &b, &err), 0);
	ck_assert_int_eq(err.code, EINVAL);
	lwk_partition_fini(&b);
	lwk_partition_fini(&a);
}
END_TEST

START_TEST(test_missing_statedir)
{
	struct lwk_partition *arr;
	struct lwk_err err = { 0 };
	size_t n = 7;
	unsigned count = 9;

	ck_assert_int_eq(lwk_partition_list("/nonexistent/lwk-unit", &arr, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(lwk_reap("/nonexistent/lwk-unit", NULL, true, NULL, &count, &err), 0);
	ck_assert_uint_eq(count, 0);
	ck_assert_int_lt(lwk_partition_destroy("/nonexistent/lwk-unit", "x", &err), 0);
	ck_assert_int_eq(err.code, ENOENT);
}
END_TEST

START_TEST(test_journal)
{
	struct lwk_registry r;
	struct lwk_partition p, q;
	struct lwk_journal j = { &r, &p };
	struct lwk_err err = { 0 };

	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	sample(&p, "jr");
	p.nsteps = 0;
	ck_assert_int_eq(lwk_journal_add(&j, "reserve", &err, "cpus %d", 3), 0);
	ck_assert_int_eq(lwk_journal_add(&j, "boot", &err, "os %s", "0"), 0);
	ck_assert_int_eq(lwk_journal_add(&j, "reserve", &err, "mem %s", "1G"), 0);
	ck_assert_str_eq(lwk_partition_step(&p, "reserve"), "mem 1G");	/* the last one */
	ck_assert_ptr_null(lwk_partition_step(&p, "absent"));
	/* durable before returning */
	lwk_partition_init(&q);
	ck_assert_int_eq(lwk_registry_get(&r, "jr", &q, &err), 0);
	ck_assert_uint_eq(q.nsteps, 3);
	ck_assert_str_eq(q.step[1].name, "boot");
	ck_assert_str_eq(q.step[1].arg, "os 0");
	lwk_partition_fini(&q);

	ck_assert_int_lt(lwk_journal_add(&j, "two words", &err, "x"), 0);
	ck_assert_int_lt(lwk_journal_add(&j, "", &err, "x"), 0);
	ck_assert_int_lt(lwk_journal_add(&j, "nl", &err, "a\nb"), 0);
	ck_assert_uint_eq(p.nsteps, 3);
	while (p.nsteps < LWK_STEPS_MAX)
		ck_assert_int_eq(lwk_journal_add(&j, "s", &err, "%u", p.nsteps), 0);
	ck_assert_int_lt(lwk_journal_add(&j, "s", &err, "full"), 0);
	ck_assert_int_eq(err.code, E2BIG);
	lwk_partition_fini(&p);
}
END_TEST

/* A second locker waits for the first. */
START_TEST(test_lock)
{
	struct lwk_registry r;
	struct lwk_err err = { 0 };
	int pfd[2];
	pid_t pid;
	char c;
	struct timespec t0, t1;
	double ms;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct lwk_registry cr;

		if (lwk_registry_open(&cr, dir, false, NULL) < 0 || lwk_registry_lock(&cr, NULL) < 0)
			_exit(1);
		if (write(pfd[1], "L", 1) != 1)
			_exit(1);
		usleep(300 * 1000);
		_exit(0);
	}
	ck_assert_int_eq(read(pfd[0], &c, 1), 1);
	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(lwk_registry_lock(&r, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_msg(ms > 150, "lock taken after %.0f ms while held", ms);
	lwk_registry_close(&r);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	close(pfd[1]);
}
END_TEST

/* lwk_partition_hold: holders share it (two steps forking at once), a
 * creator's exclusive lock waits for every holder to release. */
START_TEST(test_hold)
{
	struct lwk_registry r;
	struct lwk_err err = { 0 };
	char sub[96];
	int h1, h2, fd;

	/* a statedir that does not exist yet is made (a first step on a node) */
	snprintf(sub, sizeof(sub), "%s/state", dir);
	h1 = lwk_partition_hold(sub, &err);
	ck_assert_msg(h1 >= 0, "hold: %s", err.msg);
	h2 = lwk_partition_hold(sub, &err);
	ck_assert_msg(h2 >= 0, "second hold while the first is held: %s", err.msg);
	snprintf(sub, sizeof(sub), "%s/state/lock", dir);
	fd = open(sub, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	lwk_partition_release(h1);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), -1);	/* h2 still holds */
	lwk_partition_release(h2);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	/* and a holder waits for a creator */
	snprintf(sub, sizeof(sub), "%s/state", dir);
	ck_assert_int_eq(lwk_registry_open(&r, sub, false, &err), 0);
	ck_assert_int_eq(lwk_registry_lock(&r, &err), 0);
	fd = open(strcat(sub, "/lock"), O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_SH | LOCK_NB), -1);
	lwk_registry_close(&r);
	ck_assert_int_eq(flock(fd, LOCK_SH | LOCK_NB), 0);
	close(fd);
}
END_TEST

/* Reap: abandoned records go (their undo is idempotent: the cpuset does not
 * exist), live ones stay unless their owner is asked for or gone, records
 * of an earlier boot go without any undo. No baseline: the node is not
 * touched. */
START_TEST(test_reap_records)
{
	struct lwk_registry r;
	struct lwk_partition p, *arr;
	struct lwk_err err = { 0 };
	unsigned count;
	size_t n;
	pid_t dead;

	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	sample(&p, "creating");
	p.nsteps = 1;
	p.state = LWK_PART_CREATING;
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	snprintf(p.id, sizeof(p.id), "destroying");
	p.state = LWK_PART_DESTROYING;
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	snprintf(p.id, sizeof(p.id), "live");
	p.state = LWK_PART_LIVE;
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	snprintf(p.id, sizeof(p.id), "oldboot");
	snprintf(p.boot_id, sizeof(p.boot_id), "00000000-0000-0000-0000-000000000000");
	/* an undo would fail on this path: proves none is attempted */
	snprintf(p.step[0].arg, sizeof(p.step[0].arg), "v1 /etc");
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	p.boot_id[0] = '\0';
	snprintf(p.step[0].arg, sizeof(p.step[0].arg), "v1 " NOCG);
	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(p.id, sizeof(p.id), "deadowner");
	snprintf(p.owner, sizeof(p.owner), "pid:%ld", (long)dead);
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	snprintf(p.id, sizeof(p.id), "liveowner");
	snprintf(p.owner, sizeof(p.owner), "pid:%ld", (long)getpid());
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);

	{	/* what a writer killed before its rename leaves */
		char tmp[128];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s/.live.part.tmp", dir);
		f = fopen(tmp, "w");
		ck_assert_ptr_nonnull(f);
		fputs("id=live\nstate=", f);
		fclose(f);
	}
	ck_assert_msg(lwk_reap(dir, NULL, false, NULL, &count, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(count, 3);	/* creating, destroying, oldboot */
	{
		char tmp[128];

		snprintf(tmp, sizeof(tmp), "%s/.live.part.tmp", dir);
		ck_assert_int_ne(access(tmp, F_OK), 0);
	}
	ck_assert_int_eq(lwk_partition_list(dir, &arr, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(arr[0].id, "deadowner");
	ck_assert_str_eq(arr[1].id, "live");
	ck_assert_str_eq(arr[2].id, "liveowner");
	lwk_partition_list_free(arr, n);

	ck_assert_int_eq(lwk_reap(dir, NULL, true, NULL, &count, &err), 0);
	ck_assert_uint_eq(count, 1);	/* deadowner; job:42 is kept without a checker */
	ck_assert_int_eq(lwk_reap(dir, "job:42", false, NULL, &count, &err), 0);
	ck_assert_uint_eq(count, 1);	/* live */
	ck_assert_int_eq(lwk_partition_list(dir, &arr, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(arr[0].id, "liveowner");
	lwk_partition_list_free(arr, n);
	lwk_partition_fini(&p);
}
END_TEST

/* A half-written record from before this boot (power loss) is ignored and
 * reaped; one from this boot is a real error that names the file. */
START_TEST(test_torn_records)
{
	struct lwk_partition *arr;
	struct lwk_err err = { 0 };
	struct utimbuf old = { 1000, 1000 };
	char path[128];
	size_t n;
	unsigned count;
	FILE *f;

	snprintf(path, sizeof(path), "%s/torn.part", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("id=torn\nsta", f);
	fclose(f);
	ck_assert_int_lt(lwk_partition_list(dir, &arr, &n, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "torn.part"));
	ck_assert_int_eq(utime(path, &old), 0);
	ck_assert_int_eq(lwk_partition_list(dir, &arr, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(access(path, F_OK), 0);	/* readers leave it */
	ck_assert_int_eq(lwk_reap(dir, NULL, false, NULL, &count, &err), 0);
	ck_assert_int_ne(access(path, F_OK), 0);	/* the lock holder drops it */
}
END_TEST

static bool never_alive(const char *owner)
{
	return false;
}

START_TEST(test_reap_owner_alive)
{
	struct lwk_registry r;
	struct lwk_partition p;
	struct lwk_err err = { 0 };
	unsigned count;

	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	sample(&p, "j1");
	p.nsteps = 0;
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	snprintf(p.id, sizeof(p.id), "noowner");
	p.owner[0] = '\0';
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	ck_assert_int_eq(lwk_reap(dir, NULL, true, never_alive, &count, &err), 0);
	ck_assert_uint_eq(count, 1);	/* an ownerless partition is never stale */
	lwk_partition_fini(&p);
}
END_TEST

/* The holder list: whole items only, order kept, no duplicates. */
START_TEST(test_holders_list)
{
	char l[LWK_HOLDERS_MAX] = "";
	char small[8] = "";

	ck_assert(!lwk_holder_valid("a,b"));
	ck_assert(!lwk_holder_valid(""));
	ck_assert(lwk_holder_valid("pbsn2"));
	ck_assert_int_eq(lwk_holders_add(l, sizeof(l), "n1"), 0);
	ck_assert_int_eq(lwk_holders_add(l, sizeof(l), "n10"), 0);
	ck_assert_int_eq(lwk_holders_add(l, sizeof(l), "n1"), 0);
	ck_assert_str_eq(l, "n1,n10");
	ck_assert(lwk_holders_has(l, "n10"));
	ck_assert(!lwk_holders_has(l, "n"));
	ck_assert(!lwk_holders_has(l, "10"));
	ck_assert(!lwk_holders_del(l, "n"));
	ck_assert(lwk_holders_del(l, "n10"));
	ck_assert_str_eq(l, "n1");
	ck_assert_int_eq(lwk_holders_add(l, sizeof(l), "a"), 0);
	ck_assert_int_eq(lwk_holders_add(l, sizeof(l), "b"), 0);
	ck_assert(lwk_holders_del(l, "a"));
	ck_assert_str_eq(l, "n1,b");
	ck_assert(lwk_holders_del(l, "n1"));
	ck_assert_str_eq(l, "b");
	ck_assert(lwk_holders_del(l, "b"));
	ck_assert_str_eq(l, "");
	ck_assert_int_eq(lwk_holders_add(small, sizeof(small), "abc"), 0);
	ck_assert_int_eq(lwk_holders_add(small, sizeof(small), "defg"), -1);
	ck_assert_str_eq(small, "abc");
}
END_TEST

/* Join and leave: a second holder joins a live partition of the same owner
 * and spec, never another's or a half-made one; leaving keeps it while
 * another holder is left. Records only: the node is not touched. */
START_TEST(test_holders_join_leave)
{
	struct lwk_registry r;
	struct lwk_partition p, got;
	struct lwk_err err = { 0 };
	char by[LWK_HOLDERS_MAX];
	unsigned kept;

	ck_assert_int_eq(lwk_registry_open(&r, dir, false, &err), 0);
	sample(&p, "pbs.7.h");
	snprintf(p.owner, sizeof(p.owner), "pbs:7.h");
	snprintf(p.holders, sizeof(p.holders), "pbshost");
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	lwk_partition_init(&got);

	ck_assert_int_eq(lwk_partition_join(dir, "pbs.8.h", "pbs:8.h", NULL, "pbsn2", &got, &err), 0);
	ck_assert_int_eq(lwk_partition_join(dir, "pbs.7.h", "pbs:9.h", NULL, "pbsn2", &got, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "belongs to 'pbs:7.h'"));
	ck_assert_int_eq(lwk_partition_join(dir, "pbs.7.h", "pbs:7.h", "cores:3", "pbsn2", &got, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "same"));
	ck_assert_int_eq(lwk_partition_join(dir, "pbs.7.h", "pbs:7.h", "bad,holder", "a,b", &got, &err), -1);
	ck_assert_msg(lwk_partition_join(dir, "pbs.7.h", "pbs:7.h", "cores:2,mem:4G", "pbsn2", &got,
					 &err) == 1, "%s", err.msg);
	ck_assert_str_eq(got.holders, "pbshost,pbsn2");
	ck_assert(hwloc_bitmap_isequal(got.cpus, p.cpus));
	ck_assert_int_eq(lwk_partition_join(dir, "pbs.7.h", "pbs:7.h", NULL, "pbsn2", NULL, &err), 1);
	ck_assert_int_eq(lwk_partition_get(dir, "pbs.7.h", &got, &err), 0);
	ck_assert_str_eq(got.holders, "pbshost,pbsn2");	/* once each */

	ck_assert_int_eq(lwk_partition_leave(dir, "pbs:7.h", "pbshost", &kept, by, sizeof(by), &err), 0);
	ck_assert_uint_eq(kept, 1);
	ck_assert_str_eq(by, "pbsn2");
	ck_assert_int_eq(lwk_partition_leave(dir, "pbs:7.h", "pbshost", &kept, by, sizeof(by), &err), 0);
	ck_assert_uint_eq(kept, 1);	/* a second leave changes nothing */
	ck_assert_int_eq(lwk_partition_leave(dir, "pbs:7.h", "pbsn2", &kept, by, sizeof(by), &err), 0);
	ck_assert_uint_eq(kept, 0);
	ck_assert_int_eq(lwk_partition_get(dir, "pbs.7.h", &got, &err), 0);
	ck_assert_str_eq(got.holders, "pbsn2");	/* the last stays until it is gone */
	ck_assert_int_eq(lwk_partition_leave(dir, "pbs:7.h", "pbshost", &kept, by, sizeof(by), &err), 0);
	ck_assert_uint_eq(kept, 1);	/* not pbshost's to tear down any more */

	/* a half-made partition (its creator died: the lock is free) is not
	 * joined: the caller makes the partition, and create undoes it first */
	p.state = LWK_PART_CREATING;
	ck_assert_int_eq(lwk_registry_put(&r, &p, &err), 0);
	ck_assert_int_eq(lwk_partition_join(dir, "pbs.7.h", "pbs:7.h", NULL, "pbsn2", &got, &err), 0);
	lwk_partition_fini(&got);
	lwk_partition_fini(&p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_record_roundtrip);
	tcase_add_test(tc, test_record_newlines);
	tcase_add_test(tc, test_record_corrupt);
	tcase_add_test(tc, test_put_get_list_del);
	tcase_add_test(tc, test_missing_statedir);
	tcase_add_test(tc, test_journal);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_reap_records);
	tcase_add_test(tc, test_reap_owner_alive);
	tcase_add_test(tc, test_torn_records);
	tcase_add_test(tc, test_holders_list);
	tcase_add_test(tc, test_holders_join_leave);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lwk_check_run(suite());
}
