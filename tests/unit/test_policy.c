/* Unit tests of lwk/policy: config files (good, bad with file:line, layered),
 * plugstack-style settings, user/group allow-lists, defaults and bounds. */
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "check_run.h"

#ifndef LWK_EXAMPLE_CONF
#define LWK_EXAMPLE_CONF "etc/lwk.conf"
#endif

static char tmpdir[] = "/tmp/lwk-policy-test.XXXXXX";
static char path[sizeof(tmpdir) + 32];

static void setup(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/lwk.conf", tmpdir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(tmpdir);
}

static void write_conf(const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void spec_text(const struct lwk_spec *s, char *buf, size_t len)
{
	ck_assert_int_lt(lwk_spec_format(s, buf, len), (int)len);
}

START_TEST(test_builtin_defaults)
{
	struct lwk_policy p;
	char buf[128];

	lwk_policy_init(&p);
	ck_assert_uint_eq(p.backends & 0xe, (1u << LWK_BACKEND_NATIVE) |
			  (1u << LWK_BACKEND_MCKERNEL) | (1u << LWK_BACKEND_MOS));
	ck_assert_ptr_null(p.lwk_cpus);
	ck_assert_uint_eq(p.min_linux_cores, 1);
	ck_assert_uint_eq(p.max_core_share, 100);
	ck_assert_uint_eq(p.max_mem_share, 90);
	spec_text(&p.defaults, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cores:all");
	ck_assert_ptr_null(p.allow_users);
	ck_assert_ptr_null(p.allow_groups);
	ck_assert_str_eq(p.report_dir, "");
	ck_assert_str_eq(p.statedir, LWK_STATEDIR);
	lwk_policy_fini(&p);
	lwk_policy_fini(&p);	/* twice is harmless */
}
END_TEST

START_TEST(test_good_file)
{
	static const char conf[] =
		"# site policy\n"
		"\n"
		"backends = native, mckernel   # no mOS here\n"
		"lwk_cpus=1-7 ,\t9\n"
		"\tmin_linux_cores   =   2\r\n"
		"max_core_share = 75%\n"
		"max_mem_share = 50\n"
		"default = cores:50%,util:1,pages:1g\n"
		"allow_users = alice, bob.smith,carol_2\n"
		"allow_groups = hpc\n"
		"report_dir = /var/log/lwk\n"
		"statedir = /run/lwk-test\n"
		"   # indented comment\n";
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	char buf[128];

	write_conf(conf, sizeof(conf) - 1, 0644);
	lwk_policy_init(&p);
	ck_assert_msg(lwk_policy_load(&p, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p.backends, (1u << LWK_BACKEND_NATIVE) | (1u << LWK_BACKEND_MCKERNEL));
	ck_assert_ptr_nonnull(p.lwk_cpus);
	ck_assert_int_eq(hwloc_bitmap_weight(p.lwk_cpus), 8);
	ck_assert(!hwloc_bitmap_isset(p.lwk_cpus, 0) && hwloc_bitmap_isset(p.lwk_cpus, 9));
	ck_assert_uint_eq(p.min_linux_cores, 2);
	ck_assert_uint_eq(p.max_core_share, 75);
	ck_assert_uint_eq(p.max_mem_share, 50);
	spec_text(&p.defaults, buf, sizeof(buf));
	ck_assert_str_eq(buf, "cores:50%,util:1,pages:1g");
	ck_assert_str_eq(p.allow_users[0], "alice");
	ck_assert_str_eq(p.allow_users[1], "bob.smith");
	ck_assert_str_eq(p.allow_users[2], "carol_2");
	ck_assert_ptr_null(p.allow_users[3]);
	ck_assert_str_eq(p.allow_groups[0], "hpc");
	ck_assert_ptr_null(p.allow_groups[1]);
	ck_assert_str_eq(p.report_dir, "/var/log/lwk");
	ck_assert_str_eq(p.statedir, "/run/lwk-test");
	lwk_policy_fini(&p);
}
END_TEST

/* etc/lwk.conf as shipped loads and equals the built-in defaults (it is
 * copied so its owner in the source tree does not matter). */
START_TEST(test_example_file)
{
	struct lwk_policy def, p;
	struct lwk_err err = { 0 };
	char a[128], b[128], *text;
	FILE *f = fopen(LWK_EXAMPLE_CONF, "r");
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", LWK_EXAMPLE_CONF);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	text = malloc((size_t)n);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	write_conf(text, (size_t)n, 0644);
	free(text);

	lwk_policy_init(&def);
	lwk_policy_init(&p);
	p.max_mem_share = 1;	/* proves the file sets it */
	p.min_linux_cores = 7;
	ck_assert_msg(lwk_policy_load(&p, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p.backends, def.backends);
	ck_assert_ptr_null(p.lwk_cpus);
	ck_assert_uint_eq(p.min_linux_cores, def.min_linux_cores);
	ck_assert_uint_eq(p.max_core_share, def.max_core_share);
	ck_assert_uint_eq(p.max_mem_share, def.max_mem_share);
	spec_text(&p.defaults, a, sizeof(a));
	spec_text(&def.defaults, b, sizeof(b));
	ck_assert_str_eq(a, b);
	ck_assert_ptr_null(p.allow_users);
	ck_assert_ptr_null(p.allow_groups);
	ck_assert_str_eq(p.report_dir, def.report_dir);
	ck_assert_str_eq(p.statedir, def.statedir);
	lwk_policy_fini(&p);
	lwk_policy_fini(&def);
}
END_TEST

/* lwk_cpus = nohz_full: the CPUs the running kernel lists as tickless
 * (none where the kernel has no such file or booted none). The VM suite
 * checks it on a kernel booted with nohz_full=2-7. */
START_TEST(test_lwk_cpus_nohz_full)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t want = hwloc_bitmap_alloc();
	char line[256] = "";
	FILE *f = fopen(LWK_NOHZ_FULL_FILE, "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	ck_assert_int_eq(hwloc_bitmap_list_sscanf(want, line), 0);
	lwk_policy_init(&p);
	ck_assert_msg(lwk_policy_set(&p, "lwk_cpus", "nohz_full", &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(p.lwk_cpus);
	ck_assert_msg(hwloc_bitmap_isequal(p.lwk_cpus, want), "nohz_full file '%s'", line);
	/* a list still works afterwards, and a bad word names the choices */
	ck_assert_int_eq(lwk_policy_set(&p, "lwk_cpus", "1-3", &err), 0);
	ck_assert_int_eq(hwloc_bitmap_weight(p.lwk_cpus), 3);
	ck_assert_int_eq(lwk_policy_set(&p, "lwk_cpus", "nohz", &err), -1);
	ck_assert_msg(strstr(err.msg, "1-63, all or nohz_full") != NULL, "%s", err.msg);
	lwk_policy_fini(&p);
	hwloc_bitmap_free(want);
}
END_TEST

/* A file changes only the keys it names; a later file or argument wins. */
START_TEST(test_layering)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	char buf[128];

	lwk_policy_init(&p);
	write_conf("max_mem_share = 40%\nlwk_cpus = 2-3\n", 35, 0600);
	ck_assert_msg(lwk_policy_load(&p, path, &err) == 0, "%s", err.msg);
	write_conf("default = mem:1G\nlwk_cpus = all\n", 32, 0600);
	ck_assert_msg(lwk_policy_load(&p, path, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p.max_mem_share, 40);
	ck_assert_ptr_null(p.lwk_cpus);
	spec_text(&p.defaults, buf, sizeof(buf));
	ck_assert_str_eq(buf, "mem:1G");
	ck_assert_int_eq(lwk_policy_set(&p, "max_mem_share", "60%", &err), 0);
	ck_assert_uint_eq(p.max_mem_share, 60);
	ck_assert_int_eq(lwk_policy_set(&p, "default", "", &err), 0);
	ck_assert_uint_eq(p.defaults.keys, 0);
	ck_assert_int_eq(lwk_policy_set(&p, "report_dir", "", &err), 0);
	ck_assert_str_eq(p.report_dir, "");
	lwk_policy_fini(&p);
}
END_TEST

/* Each bad file fails with path:line and the reason, and changes nothing. */
START_TEST(test_bad_files)
{
	static const struct { const char *text; const char *want; } cases[] = {
		{ "backend = native\n", ":1: unknown key 'backend'; valid keys: backends, lwk_cpus, min_linux_cores, max_core_share, max_mem_share, default, allow_users, allow_groups, report_dir, statedir" },
		{ "# one\n\nbackends = native\nbackends = mos\n", ":4: backends already set on line 3; give each key once" },
		{ "backends native\n", ":1: expected 'key = value', got 'backends native'" },
		{ "= native\n", ":1: missing key before '='" },
		{ "backends = native,lwk\n", ":1: backends: 'lwk' is not a backend; valid: native, mckernel, mos" },
		{ "backends =\n", ":1: backends is empty" },
		{ "backends = native,,mos\n", ":1: backends has an empty element" },
		{ "backends = auto\n", ":1: backends: auto is not a backend" },
		{ "\n\nlwk_cpus = 3-1\n", ":3: lwk_cpus range 3-1 is descending; write 1-3" },
		{ "lwk_cpus = 0-70000\n", ":1: lwk_cpus index 70000 is larger than 65535" },
		{ "lwk_cpus = 1 - 3\n", ":1: lwk_cpus may only contain digits" },
		{ "lwk_cpus =\n", ":1: lwk_cpus is empty" },
		{ "min_linux_cores = -1\n", ":1: min_linux_cores expects a whole number from 0 to 65536, got '-1'" },
		{ "min_linux_cores = 65537\n", ":1: min_linux_cores expects a whole number" },
		{ "max_core_share = 0%\n", ":1: max_core_share expects a percentage from 1% to 100%, got '0%'" },
		{ "max_core_share = 101%\n", ":1: max_core_share expects a percentage" },
		{ "max_mem_share = 50%%\n", ":1: max_mem_share expects a percentage" },
		{ "max_mem_share = half\n", ":1: max_mem_share expects a percentage" },
		{ "default = cores:6O\n", ":1: default: 'cores:6O': cores expects a whole number, a percentage or 'all'" },
		{ "default = none\n", ":1: default cannot be none" },
		{ "default = cores:4 mem:1G\n", ":1: default: 'cores:4 mem:1G': whitespace is not allowed" },
		{ "allow_users = alice,,bob\n", ":1: allow_users has an empty element" },
		{ "allow_users = al ice\n", ":1: allow_users: 'al ice' is not a valid name" },
		{ "allow_users = -alice\n", ":1: allow_users: '-alice' is not a valid name" },
		{ "allow_users = $(reboot)\n", ":1: allow_users: '$(reboot)' is not a valid name" },
		{ "allow_groups =\n", ":1: allow_groups is empty; remove the line to drop this rule" },
		{ "report_dir = var/log\n", ":1: report_dir must be an absolute path (or empty for none), got 'var/log'" },
		{ "statedir =\n", ":1: statedir must be an absolute path, got ''" },
		{ "statedir = //\n", ":1: statedir cannot be the root directory" },
		{ "max_mem_share = 50%\nmin_linux_cores = x\n", ":2: min_linux_cores expects" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lwk_policy p;
		struct lwk_err err = { 0 };
		char want[LWK_ERR_MAX], buf[64];

		write_conf(cases[i].text, strlen(cases[i].text), 0644);
		lwk_policy_init(&p);
		ck_assert_msg(lwk_policy_load(&p, path, &err) == -1, "case %zu accepted", i);
		snprintf(want, sizeof(want), "%s%s", path, cases[i].want);
		ck_assert_msg(strstr(err.msg, want) == err.msg, "case %zu: '%s' lacks '%s'",
			      i, err.msg, want);
		ck_assert(!strchr(err.msg, '\n'));
		/* nothing of a bad file is kept */
		ck_assert_uint_eq(p.max_mem_share, 90);
		ck_assert_uint_eq(p.min_linux_cores, 1);
		ck_assert_uint_eq(p.backends & 0xe, 0xe);
		ck_assert_ptr_null(p.lwk_cpus);
		spec_text(&p.defaults, buf, sizeof(buf));
		ck_assert_str_eq(buf, "cores:all");
		lwk_policy_fini(&p);
	}
}
END_TEST

START_TEST(test_bad_bytes)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	char *big = malloc(5000), want[LWK_ERR_MAX];

	lwk_policy_init(&p);
	write_conf("statedir = /run/a\0b\n", 20, 0644);
	ck_assert_int_eq(lwk_policy_load(&p, path, &err), -1);
	snprintf(want, sizeof(want), "%s:1: contains a NUL byte", path);
	ck_assert_str_eq(err.msg, want);

	ck_assert_ptr_nonnull(big);
	memset(big, '#', 5000);
	big[4999] = '\n';
	write_conf("# ok\n", 5, 0644);
	ck_assert_int_eq(lwk_policy_load(&p, path, &err), 0);
	write_conf(big, 5000, 0644);
	ck_assert_int_eq(lwk_policy_load(&p, path, &err), -1);
	snprintf(want, sizeof(want), "%s:1: line is longer than 4096 bytes", path);
	ck_assert_str_eq(err.msg, want);
	free(big);

	write_conf("statedir = /run/\x01x\n", 19, 0644);
	ck_assert_int_eq(lwk_policy_load(&p, path, &err), -1);
	ck_assert(strstr(err.msg, ":1: statedir contains a control character"));
	ck_assert_str_eq(p.statedir, LWK_STATEDIR);
	lwk_policy_fini(&p);
}
END_TEST

START_TEST(test_missing_and_unsafe_file)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	char want[LWK_ERR_MAX];
	int rc;

	lwk_policy_init(&p);
	unlink(path);
	ck_assert_int_eq(lwk_policy_load(&p, path, &err), -1);	/* no file */
	ck_assert_int_eq(err.code, ENOENT);
	snprintf(want, sizeof(want), "%s: cannot open: ", path);
	ck_assert(strstr(err.msg, want) == err.msg);

	ck_assert_int_eq(lwk_policy_load(&p, tmpdir, &err), -1);
	ck_assert(strstr(err.msg, "not a regular file"));

	/* root must not take policy from a file others can write */
	write_conf("max_mem_share = 10%\n", 20, 0666);
	rc = lwk_policy_load(&p, path, &err);
	if (geteuid() == 0) {
		ck_assert_int_eq(rc, -1);
		ck_assert_int_eq(err.code, EPERM);
		ck_assert_msg(strstr(err.msg, "writable by someone other than root"), "%s", err.msg);
		ck_assert_uint_eq(p.max_mem_share, 90);
	} else {
		ck_assert_int_eq(rc, 0);	/* a user reading a policy decides nothing for others */
		ck_assert_uint_eq(p.max_mem_share, 10);
	}
	lwk_policy_fini(&p);
}
END_TEST

START_TEST(test_set)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };

	lwk_policy_init(&p);
	ck_assert_int_eq(lwk_policy_set(&p, "backend", "native", &err), -1);
	ck_assert_str_eq(err.msg, "unknown key 'backend'; valid keys: backends, lwk_cpus, min_linux_cores, max_core_share, max_mem_share, default, allow_users, allow_groups, report_dir, statedir");
	ck_assert_int_eq(lwk_policy_set(&p, "conf", "/etc/lwk/lwk.conf", &err), -1);
	ck_assert_int_eq(lwk_policy_set(&p, NULL, "x", &err), -1);

	ck_assert_int_eq(lwk_policy_set(&p, "backends", "mos", &err), 0);
	ck_assert_uint_eq(p.backends, 1u << LWK_BACKEND_MOS);
	ck_assert_int_eq(lwk_policy_set(&p, "backends", "mos,bogus", &err), -1);
	ck_assert_uint_eq(p.backends, 1u << LWK_BACKEND_MOS);	/* unchanged */

	ck_assert_int_eq(lwk_policy_set(&p, "lwk_cpus", "4-5", &err), 0);
	ck_assert_int_eq(lwk_policy_set(&p, "lwk_cpus", "5-4", &err), -1);
	ck_assert_int_eq(hwloc_bitmap_weight(p.lwk_cpus), 2);

	ck_assert_int_eq(lwk_policy_set(&p, "allow_users", "root", &err), 0);
	ck_assert_int_eq(lwk_policy_set(&p, "allow_users", "root,no body", &err), -1);
	ck_assert_str_eq(p.allow_users[0], "root");
	ck_assert_ptr_null(p.allow_users[1]);

	ck_assert_int_eq(lwk_policy_set(&p, "default", "cores:2", &err), 0);
	ck_assert_int_eq(lwk_policy_set(&p, "default", "cores:x", &err), -1);
	ck_assert_str_eq(err.msg, "default: 'cores:x': cores expects a whole number, a percentage or 'all'");
	ck_assert_uint_eq(p.defaults.cores, 2);

	ck_assert_int_eq(lwk_policy_set(&p, "min_linux_cores", "0", &err), 0);
	ck_assert_uint_eq(p.min_linux_cores, 0);
	ck_assert_int_eq(lwk_policy_set(&p, "max_core_share", "100", &err), 0);
	ck_assert_uint_eq(p.max_core_share, 100);
	ck_assert_int_eq(lwk_policy_set(&p, "statedir", "relative", &err), -1);
	ck_assert_str_eq(p.statedir, LWK_STATEDIR);
	lwk_policy_fini(&p);
}
END_TEST

static int check(struct lwk_policy *p, uid_t uid, gid_t gid, struct lwk_err *err)
{
	lwk_err_clear(err);
	return lwk_policy_check_user(p, uid, gid, err);
}

START_TEST(test_users_and_groups)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	struct passwd *nobody = getpwnam("nobody");
	struct group *nogroup;
	uid_t nuid;
	gid_t ngid;

	ck_assert_ptr_nonnull(nobody);
	nuid = nobody->pw_uid;
	ngid = nobody->pw_gid;
	nogroup = getgrgid(ngid);
	ck_assert_ptr_nonnull(nogroup);

	lwk_policy_init(&p);
	ck_assert_int_eq(check(&p, 0, 0, &err), 0);		/* no rule: everyone */
	ck_assert_int_eq(check(&p, 3999999, 3999999, &err), 0);

	ck_assert_int_eq(lwk_policy_set(&p, "allow_users", "root", &err), 0);
	ck_assert_int_eq(check(&p, 0, 0, &err), 0);
	ck_assert_int_eq(check(&p, nuid, ngid, &err), -1);
	ck_assert_int_eq(err.code, EPERM);
	ck_assert_msg(strstr(err.msg, "user nobody (uid ") && strstr(err.msg, "may not use --lwk: the site policy allows only the users in allow_users"), "%s", err.msg);
	ck_assert_int_eq(check(&p, 3999999, 3999999, &err), -1);
	ck_assert_msg(strstr(err.msg, "uid 3999999 may not use --lwk"), "%s", err.msg);

	/* numeric entries match ids, also without a passwd entry */
	ck_assert_int_eq(lwk_policy_set(&p, "allow_users", "alice,3999999", &err), 0);
	ck_assert_int_eq(check(&p, 3999999, 3999999, &err), 0);
	ck_assert_int_eq(check(&p, 0, 0, &err), -1);

	/* groups: primary gid as given (the job's), and the user's groups */
	ck_assert_int_eq(lwk_policy_set(&p, "allow_groups", nogroup->gr_name, &err), 0);
	ck_assert_int_eq(check(&p, nuid, ngid, &err), 0);
	ck_assert_int_eq(check(&p, 0, ngid, &err), 0);
	ck_assert_int_eq(check(&p, 0, 0, &err), -1);
	ck_assert_msg(strstr(err.msg, "user root (uid 0) may not use --lwk: the site policy allows only the users in allow_users and members of allow_groups"), "%s", err.msg);
	ck_assert_int_eq(lwk_policy_set(&p, "allow_groups", "root", &err), 0);
	ck_assert_int_eq(check(&p, 0, 0, &err), 0);
	ck_assert_int_eq(check(&p, nuid, ngid, &err), -1);

	/* groups only */
	lwk_policy_fini(&p);
	lwk_policy_init(&p);
	ck_assert_int_eq(lwk_policy_set(&p, "allow_groups", "root", &err), 0);
	ck_assert_int_eq(check(&p, nuid, ngid, &err), -1);
	ck_assert_msg(strstr(err.msg, "allows only members of allow_groups"), "%s", err.msg);
	ck_assert_int_eq(check(&p, 3999999, 0, &err), 0);	/* primary gid 0 counts */
	lwk_policy_fini(&p);
}
END_TEST

/* A supplementary group (from /etc/group members) is enough. */
START_TEST(test_supplementary_group)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };
	struct group *g;
	char gname[256] = "", member[256] = "";
	uid_t uid = 0;
	gid_t pgid = 0;

	setgrent();
	while ((g = getgrent()) && !gname[0]) {
		char **m;

		for (m = g->gr_mem; *m; m++) {
			struct passwd *pw = getpwnam(*m);

			if (pw && pw->pw_gid != g->gr_gid) {
				snprintf(gname, sizeof(gname), "%s", g->gr_name);
				snprintf(member, sizeof(member), "%s", *m);
				uid = pw->pw_uid;
				pgid = pw->pw_gid;
				break;
			}
		}
	}
	endgrent();
	if (!gname[0]) {
		fprintf(stderr, "note: no user with a supplementary group in the group database; "
			"supplementary-group case not covered on this machine\n");
		return;
	}
	lwk_policy_init(&p);
	ck_assert_int_eq(lwk_policy_set(&p, "allow_groups", gname, &err), 0);
	ck_assert_msg(check(&p, uid, pgid, &err) == 0, "%s in %s: %s", member, gname, err.msg);
	ck_assert_int_eq(lwk_policy_set(&p, "allow_groups", "no-such-group-lwk", &err), 0);
	ck_assert_int_eq(check(&p, uid, pgid, &err), -1);
	lwk_policy_fini(&p);
}
END_TEST

static void apply_ok(struct lwk_policy *p, const char *user, const char *want)
{
	struct lwk_spec s;
	struct lwk_err err = { 0 };
	char buf[256];

	ck_assert_msg(lwk_spec_parse(&s, user, &err) == 0, "%s", err.msg);
	ck_assert_msg(lwk_policy_apply(p, &s, &err) == 0, "%s: %s", user, err.msg);
	spec_text(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
	lwk_spec_fini(&s);
}

static void apply_bad(struct lwk_policy *p, const char *user, const char *want)
{
	struct lwk_spec s;
	struct lwk_err err = { 0 };
	char before[256], after[256];

	ck_assert_msg(lwk_spec_parse(&s, user, &err) == 0, "%s", err.msg);
	spec_text(&s, before, sizeof(before));
	ck_assert_msg(lwk_policy_apply(p, &s, &err) == -1, "%s accepted", user);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s: '%s' lacks '%s'", user, err.msg, want);
	ck_assert_int_eq(err.code, EPERM);
	spec_text(&s, after, sizeof(after));
	ck_assert_str_eq(before, after);	/* untouched on error */
	lwk_spec_fini(&s);
}

START_TEST(test_apply)
{
	struct lwk_policy p;
	struct lwk_err err = { 0 };

	lwk_policy_init(&p);
	apply_ok(&p, "mem:4G", "cores:all,mem:4G");		/* built-in default */
	apply_ok(&p, "cores:3", "cores:3");
	apply_ok(&p, "none", "none");
	apply_ok(&p, "backend:mos", "cores:all,backend:mos");
	apply_ok(&p, "mem:90%", "cores:all,mem:90%");
	apply_bad(&p, "mem:91%", "'mem:91%': the site allows at most 90% of a NUMA node's memory for the LWK (max_mem_share)");

	ck_assert_int_eq(lwk_policy_set(&p, "default", "cores:all,util:1,report:off", &err), 0);
	apply_ok(&p, "mem:4G", "cores:all,mem:4G,util:1,report:off");
	apply_ok(&p, "cores:8,report:on", "cores:8,util:1,report:on");
	apply_ok(&p, "util:0,numa:1", "cores:all,numa:1,util:0,report:off");
	apply_ok(&p, "none", "none");

	ck_assert_int_eq(lwk_policy_set(&p, "backends", "native", &err), 0);
	apply_ok(&p, "backend:native", "cores:all,util:1,backend:native,report:off");
	apply_ok(&p, "backend:auto", "cores:all,util:1,backend:auto,report:off");
	apply_bad(&p, "backend:mos", "'backend:mos': the mos backend is not allowed on this site; allowed: native (or auto)");
	apply_bad(&p, "backend:mckernel,cores:2", "the mckernel backend is not allowed");

	ck_assert_int_eq(lwk_policy_set(&p, "max_core_share", "50%", &err), 0);
	apply_ok(&p, "cores:50%", "cores:50%,util:1,report:off");
	apply_ok(&p, "cores:1000", "cores:1000,util:1,report:off");	/* bounded at placement */
	apply_bad(&p, "cores:51%", "'cores:51%': the site allows at most 50% of the job's cores on a node for the LWK (max_core_share)");

	/* a default that breaks the policy says so */
	ck_assert_int_eq(lwk_policy_set(&p, "default", "cores:80%,backend:mos", &err), 0);
	apply_bad(&p, "mem:1G", "'backend:mos' (from the site default): the mos backend is not allowed");
	apply_bad(&p, "mem:1G,backend:auto", "'cores:80%' (from the site default): the site allows at most 50%");
	apply_ok(&p, "cores:2,backend:native", "cores:2,backend:native");

	ck_assert_int_eq(lwk_policy_set(&p, "max_mem_share", "20", &err), 0);
	apply_bad(&p, "cores:1,backend:auto,mem:25%", "'mem:25%': the site allows at most 20%");
	lwk_policy_fini(&p);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("policy");
	TCase *tc = tcase_create("policy");

	/* unchecked: one temp dir for the whole case, removed even when a test fails */
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_builtin_defaults);
	tcase_add_test(tc, test_good_file);
	tcase_add_test(tc, test_example_file);
	tcase_add_test(tc, test_layering);
	tcase_add_test(tc, test_lwk_cpus_nohz_full);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_bad_bytes);
	tcase_add_test(tc, test_missing_and_unsafe_file);
	tcase_add_test(tc, test_set);
	tcase_add_test(tc, test_users_and_groups);
	tcase_add_test(tc, test_supplementary_group);
	tcase_add_test(tc, test_apply);
	suite_add_tcase(su, tc);
	return lwk_check_run(su);
}
