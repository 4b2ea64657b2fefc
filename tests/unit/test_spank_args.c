/* Unit tests of the plugin's argument parsing (spank/args.c), spec
 * layering/validation (spank/check.c) and drain reason (spank/drain.c),
 * without Slurm. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spank/lwk_spank.h"
#include "check_run.h"

static struct lwk_plugin pl;
static struct lwk_err err;

/* drain.c's outside world: the plugin's state and Slurm's log calls */
struct lwk_plugin lwk_plugin;
static char logged[1024];
void slurm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
}
void slurm_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(logged, sizeof(logged), fmt, ap);
	va_end(ap);
}

static int parse(const char *line)
{
	char buf[1024], *av[16], *save = NULL, *t;
	int ac = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " ", &save); t && ac < 16; t = strtok_r(NULL, " ", &save))
		av[ac++] = t;
	memset(&pl, 0, sizeof(pl));
	lwk_err_clear(&err);
	return lwk_args_parse(&pl, ac, av, &err);
}

static void fini(void)
{
	lwk_policy_fini(&pl.pol);
}

START_TEST(args_defaults)
{
	ck_assert_int_eq(parse(""), 0);
	ck_assert_uint_eq(pl.pol.min_linux_cores, 1);
	ck_assert_str_eq(pl.pol.statedir, LWK_STATEDIR);
	fini();
}
END_TEST

START_TEST(args_known_keys)
{
	ck_assert_int_eq(parse("min_linux_cores=0 statedir=/tmp/x backend=native default=cores:2"), 0);
	ck_assert_uint_eq(pl.pol.min_linux_cores, 0);
	ck_assert_str_eq(pl.pol.statedir, "/tmp/x");
	ck_assert_uint_eq(pl.pol.backends, 1u << LWK_BACKEND_NATIVE);
	ck_assert(pl.pol.defaults.keys & LWK_KEY_CORES);
	ck_assert_uint_eq(pl.pol.defaults.cores, 2);
	fini();
}
END_TEST

START_TEST(args_unknown_key)
{
	ck_assert_int_eq(parse("min_linux_cores=1 foo=1"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "foo"));
	fini();
}
END_TEST

START_TEST(args_not_key_value)
{
	ck_assert_int_eq(parse("verbose"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "key=value"));
	fini();
	ck_assert_int_eq(parse("=1"), -1);
	fini();
}
END_TEST

START_TEST(args_backends_spelling)
{
	ck_assert_int_eq(parse("backends=native"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "backend="));
	fini();
	ck_assert_int_eq(parse("backend=bogus"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "bogus"));
	fini();
}
END_TEST

START_TEST(args_bad_value)
{
	ck_assert_int_eq(parse("min_linux_cores=many"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "min_linux_cores"));
	fini();
}
END_TEST

START_TEST(args_conf)
{
	char dir[] = "/tmp/lwk-spank-args.XXXXXX", path[64], line[128];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lwk.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("min_linux_cores = 3\nmax_core_share = 50%\n", f);
	fclose(f);
	/* arguments win over the file whatever their order */
	snprintf(line, sizeof(line), "min_linux_cores=2 conf=%s", path);
	ck_assert_int_eq(parse(line), 0);
	ck_assert_uint_eq(pl.pol.min_linux_cores, 2);
	ck_assert_uint_eq(pl.pol.max_core_share, 50);
	ck_assert_str_eq(pl.conf, path);
	fini();
	unlink(path);
	/* a conf= file must exist; a relative one is refused */
	ck_assert_int_eq(parse(line), -1);
	fini();
	ck_assert_int_eq(parse("conf=lwk.conf"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "absolute"));
	fini();
	rmdir(dir);
}
END_TEST

static const char *layer(const char *base, const char *over)
{
	static char out[LWK_SPEC_MAX + 1];

	lwk_err_clear(&err);
	if (lwk_layer_specs(base, over, out, sizeof(out), &err))
		return NULL;
	return out;
}

START_TEST(layering)
{
	ck_assert_str_eq(layer(NULL, NULL), "none");
	ck_assert_str_eq(layer("", NULL), "none");
	ck_assert_str_eq(layer(NULL, "cores:2"), "cores:2");
	ck_assert_str_eq(layer("cores:1,mem:1G", NULL), "cores:1,mem:1G");
	ck_assert_str_eq(layer("cores:1,mem:1G", "cores:2"), "cores:2,mem:1G");
	ck_assert_str_eq(layer("cores:1", "none"), "none");
	ck_assert_str_eq(layer("none", "cores:3"), "cores:3");
	ck_assert_ptr_null(layer(NULL, ""));
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
	ck_assert_ptr_null(layer("cores:x", "cores:1"));
	ck_assert_ptr_nonnull(strstr(err.msg, "--lwk of the allocation"));
}
END_TEST

START_TEST(check_spec)
{
	struct lwk_spec s;

	ck_assert_int_eq(parse("backend=native default=mem:1G"), 0);
	ck_assert_int_eq(lwk_check_spec(&pl.pol, "none", getuid(), getgid(), &s, &err), 0);
	ck_assert(s.none);
	lwk_spec_fini(&s);
	ck_assert_int_eq(lwk_check_spec(&pl.pol, "cores:2", getuid(), getgid(), &s, &err), 0);
	ck_assert(s.keys & LWK_KEY_MEM);	/* site default filled in */
	lwk_spec_fini(&s);
	ck_assert_int_eq(lwk_check_spec(&pl.pol, "cores:6O", getuid(), getgid(), &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'cores:6O'"));
	lwk_spec_fini(&s);
	ck_assert_int_eq(lwk_check_spec(&pl.pol, "backend:mos", getuid(), getgid(), &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "mos"));
	lwk_spec_fini(&s);
	fini();
}
END_TEST

/* The reason names the job, the cause, the fix and the node, on one line;
 * --statedir only when the registry is not the default one. */
START_TEST(drain_reason)
{
	char r[512];

	ck_assert_int_eq(lwk_drain_reason(r, sizeof(r), 42, "n17", LWK_STATEDIR,
					  "cannot remove x: Operation not permitted"), 0);
	ck_assert_str_eq(r, "lwk: job 42: node not restored: cannot remove x: Operation not "
			 "permitted; fix that, run lwkpart reap --job 42, then scontrol update "
			 "nodename=n17 state=resume");
	ck_assert_int_eq(lwk_drain_reason(r, sizeof(r), 7, "n1", "/srv/lwk", "a\nb\tc"), 0);
	ck_assert_str_eq(r, "lwk: job 7: node not restored: a b c; fix that, run lwkpart "
			 "--statedir /srv/lwk reap --job 7, then scontrol update nodename=n1 "
			 "state=resume");
	/* cut, still one terminated line */
	ck_assert_int_eq(lwk_drain_reason(r, 40, 7, "n1", NULL, "x"), -1);
	ck_assert_uint_eq(strlen(r), 39);
}
END_TEST

/* Without a node name from slurmd (or with one slurmd never sets) nothing
 * is run: the epilog's failure still drains the node, and the log says so. */
START_TEST(drain_needs_node_name)
{
	unsetenv("SLURMD_NODENAME");
	logged[0] = '\0';
	ck_assert_int_eq(lwk_drain_node(5, "cause"), -1);
	ck_assert_ptr_nonnull(strstr(logged, "SLURMD_NODENAME"));
	setenv("SLURMD_NODENAME", "n1;reboot", 1);
	logged[0] = '\0';
	ck_assert_int_eq(lwk_drain_node(5, "cause"), -1);
	ck_assert_ptr_nonnull(strstr(logged, "Epilog error"));
	unsetenv("SLURMD_NODENAME");
}
END_TEST

START_TEST(args_lwkrun)
{
	ck_assert_int_eq(parse(""), 0);
	ck_assert_str_eq(pl.lwkrun, LWK_LWKRUN_PATH);
	ck_assert_int_eq(pl.lwkrun[0], '/');
	fini();
	ck_assert_int_eq(parse("lwkrun=/opt/lwk/bin/lwkrun"), 0);
	ck_assert_str_eq(pl.lwkrun, "/opt/lwk/bin/lwkrun");
	fini();
	ck_assert_int_eq(parse("lwkrun=bin/lwkrun"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "'lwkrun=bin/lwkrun': lwkrun= needs the absolute path"));
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	fini();
	ck_assert_int_eq(parse("lwkrun="), -1);
	fini();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spank_args");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, args_defaults);
	tcase_add_test(tc, args_known_keys);
	tcase_add_test(tc, args_unknown_key);
	tcase_add_test(tc, args_not_key_value);
	tcase_add_test(tc, args_backends_spelling);
	tcase_add_test(tc, args_bad_value);
	tcase_add_test(tc, args_conf);
	tcase_add_test(tc, args_lwkrun);
	tcase_add_test(tc, layering);
	tcase_add_test(tc, check_spec);
	tcase_add_test(tc, drain_reason);
	tcase_add_test(tc, drain_needs_node_name);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
