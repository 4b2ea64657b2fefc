/* Unit tests of spank/argv.c: what the plugin does with a task's command
 * line on mckernel/mos steps (prepend lwkrun, refuse, leave it), and which
 * program a task of srun --multi-prog runs. No Slurm needed. */
#include <check.h>
#include <string.h>

#include "spank/argv.h"
#include "check_run.h"

#define MCK LWK_BACKEND_MCKERNEL
#define MOS LWK_BACKEND_MOS
#define NAT LWK_BACKEND_NATIVE

START_TEST(decide_native_left_alone)
{
	/* native steps are placed in the task: nothing goes in front */
	ck_assert_int_eq(lwk_argv_decide(NAT, "./app", 1), LWK_ARGV_LEAVE);
	ck_assert_int_eq(lwk_argv_decide(NAT, "./app", 0), LWK_ARGV_LEAVE);
	ck_assert_int_eq(lwk_argv_decide(LWK_BACKEND_AUTO, "./app", 0), LWK_ARGV_LEAVE);
}
END_TEST

START_TEST(decide_bare_program)
{
	ck_assert_int_eq(lwk_argv_decide(MCK, "./app", 1), LWK_ARGV_PREPEND);
	ck_assert_int_eq(lwk_argv_decide(MOS, "/usr/bin/hostname", 1), LWK_ARGV_PREPEND);
	ck_assert_int_eq(lwk_argv_decide(MCK, "./app", 0), LWK_ARGV_REFUSE);
	ck_assert_int_eq(lwk_argv_decide(MOS, "sh", 0), LWK_ARGV_REFUSE);
	/* a name that merely contains or starts like a starter is bare */
	ck_assert_int_eq(lwk_argv_decide(MCK, "/opt/yod/app", 1), LWK_ARGV_PREPEND);
	ck_assert_int_eq(lwk_argv_decide(MCK, "lwkrun2", 0), LWK_ARGV_REFUSE);
	ck_assert_int_eq(lwk_argv_decide(MOS, "mcexec.sh", 0), LWK_ARGV_REFUSE);
	ck_assert_int_eq(lwk_argv_decide(MOS, "yod/", 1), LWK_ARGV_PREPEND);
}
END_TEST

START_TEST(decide_started_already)
{
	static const char *const s[] = {
		"lwkrun", "/usr/bin/lwkrun", "./build/launcher/lwkrun",
		"/usr/libexec/slurm-lwk/lwkrun-full", "mcexec", "/opt/mckernel/bin/mcexec",
		"yod", "/usr/bin/yod"
	};
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		ck_assert_int_eq(lwk_argv_decide(MCK, s[i], 1), LWK_ARGV_LEAVE);
		ck_assert_int_eq(lwk_argv_decide(MOS, s[i], 0), LWK_ARGV_LEAVE);
	}
}
END_TEST

START_TEST(decide_no_program)
{
	ck_assert_int_eq(lwk_argv_decide(MCK, NULL, 0), LWK_ARGV_LEAVE);
	ck_assert_int_eq(lwk_argv_decide(MOS, "", 1), LWK_ARGV_LEAVE);
}
END_TEST

static const char conf[] =
	"# a comment\n"
	"\n"
	"0      lwkrun ./sim --in in.%t\n"
	"  1-3,7 /opt/bin/ana%o \\\n"
	"5 this continuation is no entry\n"
	"4,6    'my prog' x\n"
	"8-9    pre\\fix%t\n"
	"*      ./rest\n";

static const char *prog_of(const char *text, unsigned task)
{
	static char b[256];

	if (lwk_multi_prog_program(text, task, b, sizeof(b)) != 1)
		return "(none)";
	return b;
}

START_TEST(multi_prog_programs)
{
	ck_assert(lwk_multi_prog_is_conf(conf));
	ck_assert_str_eq(prog_of(conf, 0), "lwkrun");
	/* %o: the task's place among the line's ranks (1,2,3,7 -> 0..3) */
	ck_assert_str_eq(prog_of(conf, 1), "/opt/bin/ana0");
	ck_assert_str_eq(prog_of(conf, 3), "/opt/bin/ana2");
	ck_assert_str_eq(prog_of(conf, 7), "/opt/bin/ana3");
	ck_assert_str_eq(prog_of(conf, 4), "my prog");
	ck_assert_str_eq(prog_of(conf, 6), "my prog");
	/* the continued line's next line is no entry for task 5 */
	ck_assert_str_eq(prog_of(conf, 5), "./rest");
	ck_assert_str_eq(prog_of(conf, 9), "prefix9");
	ck_assert_str_eq(prog_of(conf, 100), "./rest");
}
END_TEST

START_TEST(multi_prog_no_line)
{
	char b[64];

	ck_assert_int_eq(lwk_multi_prog_program("0 a\n2-3 b\n", 1, b, sizeof(b)), 0);
	ck_assert_int_eq(lwk_multi_prog_program("0 a\n2-3 b", 3, b, sizeof(b)), 1);
	ck_assert_str_eq(b, "b");
	/* too small a buffer */
	ck_assert_int_eq(lwk_multi_prog_program("0 abcdefgh\n", 0, b, 4), -1);
}
END_TEST

START_TEST(multi_prog_not_a_conf)
{
	ck_assert(!lwk_multi_prog_is_conf(""));
	ck_assert(!lwk_multi_prog_is_conf("# only a comment\n\n"));
	ck_assert(!lwk_multi_prog_is_conf("hello world"));
	ck_assert(!lwk_multi_prog_is_conf("0\n"));		/* ranks, no program */
	ck_assert(!lwk_multi_prog_is_conf("0 a\nx b\n"));
	ck_assert(!lwk_multi_prog_is_conf("3-1 a\n"));
	ck_assert(!lwk_multi_prog_is_conf("1, a\n"));
	ck_assert(!lwk_multi_prog_is_conf("1- a\n"));
	ck_assert(!lwk_multi_prog_is_conf("-1 a\n"));
	ck_assert(!lwk_multi_prog_is_conf(NULL));
	ck_assert(lwk_multi_prog_is_conf("* a"));
	ck_assert(lwk_multi_prog_is_conf("0,2-3 a b c\n"));
}
END_TEST

START_TEST(task_program)
{
	char *plain[] = { "./app", "0 x", NULL };
	char *multi[] = { "/home/u/mp.conf", (char *)conf, NULL };
	char *none[] = { NULL };
	char b[64];

	ck_assert_int_eq(lwk_task_program(2, plain, 0, 5, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "./app");
	ck_assert_int_eq(lwk_task_program(2, multi, 1, 0, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "lwkrun");
	ck_assert_int_eq(lwk_task_program(2, multi, 1, 2, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "/opt/bin/ana1");
	/* multi-prog, but no line for the task: Slurm fails it, not the plugin */
	ck_assert_int_eq(lwk_task_program(2, (char *[]){ "f", "0 a\n", NULL }, 1, 1, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "");
	ck_assert_int_eq(lwk_task_program(0, none, 0, 0, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "");
	ck_assert_int_eq(lwk_task_program(2, plain, 0, 0, b, 3), -1);
	/* decision per task of one multi-prog step */
	lwk_task_program(2, multi, 1, 0, b, sizeof(b));
	ck_assert_int_eq(lwk_argv_decide(MCK, b, 0), LWK_ARGV_LEAVE);
	lwk_task_program(2, multi, 1, 8, b, sizeof(b));
	ck_assert_int_eq(lwk_argv_decide(MCK, b, 0), LWK_ARGV_REFUSE);
	ck_assert_int_eq(lwk_argv_decide(MCK, b, 1), LWK_ARGV_PREPEND);
}
END_TEST

START_TEST(refusal_line)
{
	struct lwk_err e;

	lwk_err_clear(&e);
	ck_assert_int_eq(lwk_argv_refusal(&e, MCK, "./app", 0x160508), -1);
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	ck_assert_ptr_nonnull(strstr(e.msg, "'./app' on the mckernel backend"));
	ck_assert_ptr_nonnull(strstr(e.msg, "mcexec"));
	ck_assert_ptr_nonnull(strstr(e.msg, "Slurm 22.05 cannot"));
	ck_assert_ptr_nonnull(strstr(e.msg, "run 'srun --lwk=... lwkrun ./app'"));
	lwk_argv_refusal(&e, MOS, "hostname", 0x170208);
	ck_assert_ptr_nonnull(strstr(e.msg, "mos backend runs on Linux cores unless yod"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("spank_argv");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, decide_native_left_alone);
	tcase_add_test(tc, decide_bare_program);
	tcase_add_test(tc, decide_started_already);
	tcase_add_test(tc, decide_no_program);
	tcase_add_test(tc, multi_prog_programs);
	tcase_add_test(tc, multi_prog_no_line);
	tcase_add_test(tc, multi_prog_not_a_conf);
	tcase_add_test(tc, task_program);
	tcase_add_test(tc, refusal_line);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
