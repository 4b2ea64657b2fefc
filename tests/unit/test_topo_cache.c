/* lwk/topo_cache: the node's topology is discovered once, reused while its
 * stamp matches the node, and rediscovered (never trusted) when the file is
 * corrupt, stale (another boot, CPU or memory hotplug), or writable by
 * others. Staleness is made by editing the saved stamp: the check compares
 * it with the node as it is now, which is the same code path a real
 * hotplug or reboot takes. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "sysfile.h"
#include "topo_cache.h"
#include "check_run.h"

static char dir[64], path[128];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lwk-topocache-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, LWK_TOPO_CACHE_FILE);
	unsetenv("HWLOC_SYNTHETIC");
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* Loads; returns the source (1 cache, 0 discovered) and checks the result
 * is this machine, bound through the OS. */
static int load(unsigned flags, char *why, size_t len)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	int rc = lwk_topo_load_node(&tp, dir, flags, why, len, &err);

	ck_assert_msg(rc >= 0, "%s", err.msg);
	ck_assert_int_eq(hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_PU),
			 sysconf(_SC_NPROCESSORS_CONF));
	ck_assert_int_eq(hwloc_topology_is_thissystem(tp.t), 1);
	lwk_topo_fini(&tp);
	return rc;
}

static char *slurp(void)
{
	char *t = NULL;

	ck_assert_int_eq(lwk_read_all(path, &t, NULL), 0);
	return t;
}

static void put(const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(lwk_write_fd(fd, text, len), 0);
	close(fd);
	chmod(path, 0644);
}

/* The saved value of stamp item key replaced by val. */
static void restamp(const char *key, const char *val)
{
	char *t = slurp(), *p, *q, *out, needle[64];

	snprintf(needle, sizeof(needle), "name=\"%s\" value=\"", key);
	p = strstr(t, needle);
	ck_assert_msg(p != NULL, "no %s in the saved file", key);
	p += strlen(needle);
	q = strchr(p, '"');
	ck_assert_ptr_nonnull(q);
	ck_assert_int_ge(asprintf(&out, "%.*s%s%s", (int)(p - t), t, val, q), 0);
	put(out, strlen(out));
	free(out);
	free(t);
}

START_TEST(discovered_once_then_reused)
{
	char why[512];
	struct stat st;
	struct lwk_topo a, b;
	struct lwk_err err = { 0 };

	ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "No such file"));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 1);
	ck_assert_int_eq(load(0, why, sizeof(why)), 1);

	/* what the cache gives is what discovery gives */
	ck_assert_int_eq(lwk_topo_load(&a, &err), 0);
	ck_assert_int_eq(lwk_topo_load_node(&b, dir, 0, NULL, 0, &err), 1);
	ck_assert(hwloc_bitmap_isequal(hwloc_topology_get_complete_cpuset(a.t),
				       hwloc_topology_get_complete_cpuset(b.t)));
	ck_assert(hwloc_bitmap_isequal(hwloc_topology_get_allowed_cpuset(a.t),
				       hwloc_topology_get_allowed_cpuset(b.t)));
	ck_assert_uint_eq(lwk_topo_ncores(&a), lwk_topo_ncores(&b));
	ck_assert_int_eq(hwloc_get_nbobjs_by_type(a.t, HWLOC_OBJ_NUMANODE),
			 hwloc_get_nbobjs_by_type(b.t, HWLOC_OBJ_NUMANODE));
	lwk_topo_fini(&a);
	lwk_topo_fini(&b);
}
END_TEST

START_TEST(no_save_without_flag)
{
	char why[512];

	ck_assert_int_eq(load(0, why, sizeof(why)), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(corrupt_rediscovered)
{
	char why[512], *t;
	size_t n;

	ck_assert_int_eq(load(LWK_TOPO_SAVE, NULL, 0), 0);
	/* torn: half of the file */
	t = slurp();
	n = strlen(t);
	put(t, n / 2);
	ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "does not parse") != NULL, "%s", why);
	ck_assert_int_eq(load(0, why, sizeof(why)), 1);	/* saved again, whole */
	/* whole, but garbled inside */
	{
		char *g = strdup(t), *o = strstr(g, "<object type=\"Machine\"");

		ck_assert_ptr_nonnull(o);
		memcpy(o + 14, "Mashine", 7);
		put(g, strlen(g));
		free(g);
		ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
		ck_assert_msg(strstr(why, "does not parse") != NULL, "%s", why);
	}
	/* garbage */
	put("not xml at all\n", 15);
	ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "does not parse") != NULL, "%s", why);
	/* a NUL inside */
	t[n / 3] = '\0';
	put(t, n);
	ck_assert_int_eq(load(0, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "does not parse") != NULL, "%s", why);
	/* empty */
	put("", 0);
	ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
	ck_assert_int_eq(load(0, why, sizeof(why)), 1);
	free(t);
}
END_TEST

START_TEST(stale_rediscovered)
{
	static const char *const items[][2] = {
		{ "LWKBootId", "00000000-0000-0000-0000-000000000000" },	/* another boot */
		{ "LWKCpusOnline", "0-4095" },		/* CPU hotplug */
		{ "LWKNodesOnline", "0-63" },		/* a NUMA node came or went */
		{ "LWKMemTotal", "1" },			/* memory hotplug */
		{ "LWKHwlocVersion", "10000" },		/* another hwloc */
		{ "LWKCacheFormat", "0" },		/* an older liblwk */
	};
	char why[512];
	unsigned i;

	ck_assert_int_eq(load(LWK_TOPO_SAVE, NULL, 0), 0);
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		restamp(items[i][0], items[i][1]);
		ck_assert_int_eq(load(LWK_TOPO_SAVE, why, sizeof(why)), 0);
		ck_assert_msg(strstr(why, "stale") && strstr(why, items[i][0]), "%s", why);
		ck_assert_int_eq(load(0, why, sizeof(why)), 1);
	}
	/* an export without a stamp (lstopo's) is not ours */
	{
		struct lwk_topo tp;
		struct lwk_err err = { 0 };

		ck_assert_int_eq(lwk_topo_load(&tp, &err), 0);
		ck_assert_int_eq(hwloc_topology_export_xml(tp.t, path, 0), 0);
		lwk_topo_fini(&tp);
		chmod(path, 0644);
		ck_assert_int_eq(load(0, why, sizeof(why)), 0);
		ck_assert_msg(strstr(why, "stale") != NULL, "%s", why);
	}
}
END_TEST

START_TEST(untrusted_ignored)
{
	char why[512];

	ck_assert_int_eq(load(LWK_TOPO_SAVE, NULL, 0), 0);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(load(0, why, sizeof(why)), 0);
	ck_assert_msg(strstr(why, "not trusted") != NULL, "%s", why);
	ck_assert_int_eq(chmod(path, 0664), 0);
	ck_assert_int_eq(load(0, why, sizeof(why)), 0);
	/* a symlink is not followed */
	ck_assert_int_eq(chmod(path, 0644), 0);
	{
		char real[160];

		snprintf(real, sizeof(real), "%s/real.xml", dir);
		ck_assert_int_eq(rename(path, real), 0);
		ck_assert_int_eq(symlink(real, path), 0);
		ck_assert_int_eq(load(0, why, sizeof(why)), 0);
		unlink(path);
		unlink(real);
	}
}
END_TEST

START_TEST(hwloc_env_wins)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	char why[512];

	ck_assert_int_eq(load(LWK_TOPO_SAVE, NULL, 0), 0);
	setenv("HWLOC_SYNTHETIC", "numa:2 core:3 pu:1", 1);
	ck_assert_int_eq(lwk_topo_load_node(&tp, dir, LWK_TOPO_SAVE, why, sizeof(why), &err), 0);
	unsetenv("HWLOC_SYNTHETIC");
	ck_assert_uint_eq(lwk_topo_ncores(&tp), 6);
	lwk_topo_fini(&tp);
	/* and the node's cache was left alone */
	ck_assert_int_eq(load(0, why, sizeof(why)), 1);
}
END_TEST

START_TEST(bad_statedir)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	char why[512];

	/* no such directory: discovered, nothing saved, no error */
	ck_assert_int_eq(lwk_topo_load_node(&tp, "/nonexistent/lwk", LWK_TOPO_SAVE, why,
					    sizeof(why), &err), 0);
	ck_assert_ptr_nonnull(strstr(why, "not saved"));
	lwk_topo_fini(&tp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("topo_cache");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, discovered_once_then_reused);
	tcase_add_test(tc, no_save_without_flag);
	tcase_add_test(tc, corrupt_rediscovered);
	tcase_add_test(tc, stale_rediscovered);
	tcase_add_test(tc, untrusted_ignored);
	tcase_add_test(tc, hwloc_env_wins);
	tcase_add_test(tc, bad_statedir);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
