/* The McKernel and mOS backends' command construction: IHK memory specs and
 * their 4 MiB rounding, kernel arguments, the lwkctl partition spec. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "cmd.h"
#include "ihk.h"
#include "mckernel.h"
#include "mos.h"
#include "synth.h"
#include "check_run.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static struct lwk_err err;

#define ck_assert_has(msg, sub) \
	ck_assert_msg(strstr((msg), (sub)) != NULL, "\"%s\" lacks \"%s\"", (msg), (sub))

START_TEST(ihk_rounding)
{
	ck_assert_uint_eq(lwk_ihk_round(0), 0);
	ck_assert_uint_eq(lwk_ihk_round(1), 4 * MiB);
	ck_assert_uint_eq(lwk_ihk_round(4 * MiB), 4 * MiB);
	ck_assert_uint_eq(lwk_ihk_round(4 * MiB + 1), 8 * MiB);
	ck_assert_uint_eq(lwk_ihk_round(5 * MiB), 8 * MiB);
	ck_assert_uint_eq(lwk_ihk_round(GiB - 1), GiB);
	/* no wrap-around near the top */
	ck_assert_uint_eq(lwk_ihk_round(UINT64_MAX) % (4 * MiB), 0);
	ck_assert_uint_gt(lwk_ihk_round(UINT64_MAX), UINT64_MAX - 4 * MiB);
}
END_TEST

START_TEST(ihk_mem_format)
{
	struct lwk_ihk_mem m[2] = { { 8 * MiB, 0 }, { 4 * MiB, 1 } };
	char buf[64], small[8];

	ck_assert_int_eq(lwk_ihk_mem_format(m, 2, buf, sizeof(buf)), 19);
	ck_assert_str_eq(buf, "8388608@0,4194304@1");
	ck_assert_int_eq(lwk_ihk_mem_format(m, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	/* like snprintf: the length needed, and a terminated prefix */
	ck_assert_int_eq(lwk_ihk_mem_format(m, 2, small, sizeof(small)), 19);
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

START_TEST(ihk_mem_parse)
{
	struct lwk_ihk_mem m[4];
	unsigned n;

	ck_assert_int_eq(lwk_ihk_mem_parse("268435456@0,268435456@1\n", m, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(m[0].bytes, 256 * MiB);
	ck_assert_int_eq(m[0].node, 0);
	ck_assert_int_eq(m[1].node, 1);
	ck_assert_int_eq(lwk_ihk_mem_parse("256M@1,1G@1,4K@3", m, 4, &n), 0);
	ck_assert_uint_eq(n, 2);		/* chunks of one node are summed */
	ck_assert_uint_eq(m[0].bytes, 256 * MiB + GiB);
	ck_assert_uint_eq(m[1].bytes, 4096);
	ck_assert_int_eq(lwk_ihk_mem_parse("", m, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(lwk_ihk_mem_parse("\n", m, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(lwk_ihk_mem_parse("abc", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("12@", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("12@x", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("1@0,", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("1@0 junk", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("-1@0", m, 4, &n), -1);
	ck_assert_int_eq(lwk_ihk_mem_parse("1@0,1@1,1@2", m, 2, &n), -1);	/* too many */
	ck_assert_int_eq(lwk_ihk_mem_parse("1@99999", m, 4, &n), -1);
}
END_TEST

START_TEST(ihk_status)
{
	ck_assert_int_eq(lwk_ihk_status_parse("RUNNING\n"), LWK_IHK_RUNNING);
	ck_assert_int_eq(lwk_ihk_status_parse("booting"), LWK_IHK_BOOTING);
	ck_assert_int_eq(lwk_ihk_status_parse("PANIC"), LWK_IHK_PANIC);
	ck_assert_int_eq(lwk_ihk_status_parse("HUNGUP"), LWK_IHK_HUNGUP);
	ck_assert_int_eq(lwk_ihk_status_parse("BOOT"), -1);
	ck_assert_int_eq(lwk_ihk_status_parse(""), -1);
	ck_assert_str_eq(lwk_ihk_status_name(LWK_IHK_SHUTDOWN), "SHUTDOWN");
	ck_assert_str_eq(lwk_ihk_status_name(99), "UNKNOWN");
}
END_TEST

START_TEST(ihk_settings)
{
	struct lwk_ihk h, g;
	char buf[64], tiny[8];

	memset(&h, 0, sizeof(h));
	strcpy(h.dev, "/x/mcd0");
	strcpy(h.bindir, "/opt/mck/sbin");
	ck_assert_int_eq(lwk_ihk_settings(&h, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/x/mcd0|/opt/mck/sbin|none");
	ck_assert_int_eq(lwk_ihk_open_settings(&g, buf), 0);
	ck_assert_str_eq(g.dev, "/x/mcd0");
	ck_assert_str_eq(g.devdir, "/x");
	ck_assert_str_eq(g.bindir, "/opt/mck/sbin");
	ck_assert_ptr_null(g.lib);
	lwk_ihk_close(&g);
	ck_assert_int_eq(lwk_ihk_settings(&h, tiny, sizeof(tiny)), -1);	/* does not fit */
	strcpy(h.bindir, "/a|b");
	ck_assert_int_eq(lwk_ihk_settings(&h, buf, sizeof(buf)), -1);	/* ambiguous */
	/* not a record: opened from the environment instead */
	ck_assert_int_eq(lwk_ihk_open_settings(&g, "nobars"), -1);
	lwk_ihk_close(&g);
	ck_assert_int_eq(lwk_ihk_open_settings(&g, "|a|b"), -1);
	lwk_ihk_close(&g);
	ck_assert_int_eq(lwk_ihk_open_settings(&g, "a|b|c|d"), -1);
	lwk_ihk_close(&g);
}
END_TEST

START_TEST(mck_kargs)
{
	char buf[64], tiny[8];

	ck_assert_int_eq(lwk_mck_kargs(NULL, buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "hidos");
	ck_assert_int_eq(lwk_mck_kargs("", buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "hidos");
	ck_assert_int_eq(lwk_mck_kargs("ksyslogd=0 time_sharing", buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "hidos ksyslogd=0 time_sharing");
	ck_assert_int_eq(lwk_mck_kargs("dump_level=24 hidos", buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "dump_level=24 hidos");	/* not twice */
	ck_assert_int_eq(lwk_mck_kargs("nohidos", buf, sizeof(buf), &err), 0);
	ck_assert_str_eq(buf, "hidos nohidos");		/* a word, not a substring */
	ck_assert_int_eq(lwk_mck_kargs("a\nb", buf, sizeof(buf), &err), -1);
	ck_assert_has(err.msg, "LWK_MCK_KARGS");
	ck_assert_int_eq(lwk_mck_kargs("x=1234", tiny, sizeof(tiny), &err), -1);
	ck_assert_has(err.msg, "too long");
}
END_TEST

START_TEST(mck_chunks)
{
	struct lwk_partition p;
	struct lwk_ihk_mem m[4];
	char buf[64];

	memset(&p, 0, sizeof(p));
	ck_assert_uint_eq(lwk_mck_chunks(&p, m, 4), 0);
	p.nmem = 3;
	p.mem[0] = (struct lwk_node_mem){ 0, 1 };
	p.mem[1] = (struct lwk_node_mem){ 1, 0 };	/* nothing there: left out */
	p.mem[2] = (struct lwk_node_mem){ 2, 5 * MiB };
	ck_assert_uint_eq(lwk_mck_chunks(&p, m, 4), 2);
	lwk_ihk_mem_format(m, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4194304@0,8388608@2");
	ck_assert_uint_eq(lwk_mck_chunks(&p, m, 1), 1);		/* bounded by max */
}
END_TEST

static void mos_ok(struct lwk_topo *tp, const char *lwk, const char *linux_cpus,
		   const struct lwk_node_mem *mem, unsigned nmem, const char *want)
{
	hwloc_bitmap_t l = bm(lwk), u = linux_cpus ? bm(linux_cpus) : NULL;
	char buf[256];

	ck_assert_msg(lwk_mos_config(tp, l, u, mem, nmem, buf, sizeof(buf), &err) == 0,
		      "%s", err.msg);
	ck_assert_str_eq(buf, want);
	hwloc_bitmap_free(l);
	hwloc_bitmap_free(u);
}

START_TEST(mos_spec)
{
	struct lwk_topo tp;
	struct lwk_node_mem mem[3] = { { 0, GiB }, { 1, 100 * MiB }, { 2, 0 } };
	hwloc_bitmap_t all, outside;
	char buf[256], tiny[12];

	synth_load(&tp, 1, 2, 4, 1, 0);		/* node 0: CPUs 0-3, node 1: 4-7 */
	mos_ok(&tp, "2-3,6-7", NULL, NULL, 0, "lwkcpus=0.2-3:4.6-7");
	mos_ok(&tp, "2-3,6-7", "1,5", NULL, 0, "lwkcpus=1.2-3:5.6-7");
	/* Linux CPUs of another node are not used while the node has its own */
	mos_ok(&tp, "2-3,6-7", "1", NULL, 0, "lwkcpus=1.2-3:4.6-7");
	/* a whole node in the LWK: its utility CPU comes from elsewhere */
	mos_ok(&tp, "4-7", NULL, NULL, 0, "lwkcpus=0.4-7");
	mos_ok(&tp, "4-7", "3", NULL, 0, "lwkcpus=3.4-7");
	/* memory in 128 MiB sections; nodes without memory left out */
	mos_ok(&tp, "2-3,6-7", NULL, mem, 3, "lwkcpus=0.2-3:4.6-7 lwkmem=0:1G,1:128M");

	all = bm("0-7");
	ck_assert_int_eq(lwk_mos_config(&tp, all, NULL, NULL, 0, buf, sizeof(buf), &err), -1);
	ck_assert_has(err.msg, "utility");
	outside = bm("6-9");
	ck_assert_int_eq(lwk_mos_config(&tp, outside, NULL, NULL, 0, buf, sizeof(buf), &err), -1);
	ck_assert_has(err.msg, "not all on this node");
	hwloc_bitmap_free(outside);
	hwloc_bitmap_free(all);
	all = bm("2-3");
	ck_assert_int_eq(lwk_mos_config(&tp, all, NULL, mem, 2, tiny, sizeof(tiny), &err), -1);
	ck_assert_has(err.msg, "too long");
	hwloc_bitmap_free(all);
	lwk_topo_fini(&tp);

	lwk_mos_size(3 * 512 * MiB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1536M");
	lwk_mos_size(2 * GiB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2G");
}
END_TEST

START_TEST(cmd_run)
{
	struct lwk_cmd_out o;
	char *sh[] = { "/bin/sh", "-c", "echo out; echo e1 >&2; echo last >&2; exit 3", NULL };
	char *nonl[] = { "/bin/sh", "-c", "printf partial >&2", NULL };
	char *slow[] = { "/bin/sleep", "5", NULL };
	char *rel[] = { "sh", "-c", "true", NULL };
	char *none[] = { "/nonexistent/ihkconfig", NULL };
	char *four[] = { "/bin/sh", "-c", "exit 4", NULL };
	char line[64];

	ck_assert_int_eq(lwk_cmd_run(sh, 10, &o, &err), 0);
	ck_assert_int_eq(o.status, 3);
	ck_assert_str_eq(o.out, "out\n");
	ck_assert_str_eq(o.errline, "last");	/* the last line says why */
	ck_assert_int_eq(lwk_cmd_run(nonl, 10, &o, &err), 0);
	ck_assert_str_eq(o.errline, "partial");
	ck_assert_int_eq(lwk_cmd_run(slow, 1, &o, &err), -1);
	ck_assert_int_eq(err.code, ETIMEDOUT);
	ck_assert_has(err.msg, "did not finish within 1 s");
	ck_assert_int_eq(lwk_cmd_run(rel, 10, &o, &err), -1);
	ck_assert_has(err.msg, "not an absolute path");
	ck_assert_int_eq(lwk_cmd_run(none, 10, &o, &err), -1);
	ck_assert_has(err.msg, "cannot run /nonexistent/ihkconfig");
	/* a daemon that ignores SIGCHLD still gets the exit status */
	signal(SIGCHLD, SIG_IGN);
	ck_assert_int_eq(lwk_cmd_run(four, 10, &o, &err), 0);
	ck_assert_int_eq(o.status, 4);
	ck_assert_ptr_eq((void *)signal(SIGCHLD, SIG_DFL), (void *)SIG_IGN);	/* restored */
	lwk_cmd_line(sh, line, sizeof(line));
	ck_assert_str_eq(line, "/bin/sh -c echo out; echo e1 >&2; echo last >&2; exit 3");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backends");
	TCase *tc = tcase_create("commands");

	tcase_add_test(tc, ihk_rounding);
	tcase_add_test(tc, ihk_mem_format);
	tcase_add_test(tc, ihk_mem_parse);
	tcase_add_test(tc, ihk_status);
	tcase_add_test(tc, ihk_settings);
	tcase_add_test(tc, mck_kargs);
	tcase_add_test(tc, mck_chunks);
	tcase_add_test(tc, mos_spec);
	tcase_add_test(tc, cmd_run);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
