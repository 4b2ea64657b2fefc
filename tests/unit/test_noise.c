/* Unit tests of lwk/noise: lwk.ko's per-CPU stats files and /proc tables
 * (fake trees in a temp dir), baselines and the report. */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "noise.h"
#include "check_run.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void sub(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void setup(void)
{
	strcpy(dir, "/tmp/lwk-noise-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static hwloc_bitmap_t set_of(const char *list)
{
	hwloc_bitmap_t b = hwloc_bitmap_alloc();

	ck_assert_int_eq(hwloc_bitmap_list_sscanf(b, list), 0);
	return b;
}

static const char stats3[] =
	"irq 12 34000 9000\n"
	"timer 250 500000 4000\n"
	"ipi 7 7000 2000\n"
	"vector 1 100 100\n"
	"softirq 30 60000 12000\n"
	"nmi 0 0 0\n"
	"preempt 2 2000000 1500000\n"
	"softirq.HI 0 0 0\n"
	"softirq.TIMER 30 60000 12000\n"
	"vector.local_timer 250 500000 4000\n";

START_TEST(kmod_stats_parsed)
{
	hwloc_bitmap_t cpus = set_of("2-3");
	struct lwk_noise n;
	struct lwk_err err = { 0 };

	sub("cpu2");
	sub("cpu3");
	put("cpu2/stats", "irq 0 0 0\ntimer 1 10 10\nipi 0 0 0\nvector 0 0 0\n"
			  "softirq 0 0 0\nnmi 0 0 0\npreempt 0 0 0\n");
	put("cpu3/stats", stats3);
	ck_assert_int_eq(lwk_noise_read_kmod(dir, cpus, &n, &err), 0);
	ck_assert(n.timed);
	ck_assert_uint_eq(n.ncpu, 2);
	ck_assert_uint_eq(n.cpu[0].cpu, 2);
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_TIMER], 1);
	ck_assert_uint_eq(n.cpu[1].cpu, 3);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_IRQ], 12);
	ck_assert_uint_eq(n.cpu[1].ns[LWK_NOISE_IRQ], 34000);
	ck_assert_uint_eq(n.cpu[1].max_ns[LWK_NOISE_IRQ], 9000);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_SOFTIRQ], 30);	/* not the .TIMER line */
	ck_assert_uint_eq(n.cpu[1].max_ns[LWK_NOISE_PREEMPT], 1500000);
	lwk_noise_fini(&n);
	hwloc_bitmap_free(cpus);
}
END_TEST

START_TEST(kmod_missing_cpu_is_an_error)
{
	hwloc_bitmap_t cpus = set_of("5");
	struct lwk_noise n;
	struct lwk_err err = { 0 };

	ck_assert_int_eq(lwk_noise_read_kmod(dir, cpus, &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "cpu5/stats"));
	ck_assert_ptr_nonnull(strstr(err.msg, "lwk.ko"));
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	ck_assert_ptr_null(n.cpu);
	hwloc_bitmap_free(cpus);
}
END_TEST

/* CPU 1 offline: the columns are CPU0, CPU2, CPU3. */
static const char interrupts[] =
	"            CPU0       CPU2       CPU3       \n"
	"   0:         40          0          0   IO-APIC   2-edge      timer\n"
	"  24:          1          5          9   PCI-MSI 32768-edge      virtio0-requests\n"
	"  25:          0          0          2   PCI-MSI 32769-edge      virtio0-config\n"
	" NMI:          0          1          0   Non-maskable interrupts\n"
	" LOC:       1000        200         30   Local timer interrupts\n"
	" SPU:          0          0          0   Spurious interrupts\n"
	" PMI:          0          1          0   Performance monitoring interrupts\n"
	" IWI:          3          4          6   IRQ work interrupts\n"
	" RES:         10         20         40   Rescheduling interrupts\n"
	" CAL:         11         12         13   Function call interrupts\n"
	" TLB:          5          6          7   TLB shootdowns\n"
	" ERR:          0\n"
	" MIS:          0\n";

static const char softirqs[] =
	"                    CPU0       CPU2       CPU3       \n"
	"          HI:          0          0          1\n"
	"       TIMER:        100          3          4\n"
	"      NET_TX:          0          0          0\n"
	"         RCU:         50          2          5\n";

START_TEST(proc_tables_parsed)
{
	hwloc_bitmap_t cpus = set_of("2-3");
	struct lwk_noise n;
	struct lwk_err err = { 0 };

	put("interrupts", interrupts);
	put("softirqs", softirqs);
	ck_assert_int_eq(lwk_noise_read_proc(dir, cpus, &n, &err), 0);
	ck_assert(!n.timed);
	ck_assert_uint_eq(n.ncpu, 2);
	/* CPU 2 is the second column, not the third */
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_IRQ], 5);
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_TIMER], 200);
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_IPI], 32);		/* RES + CAL, not TLB */
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_NMI], 1);		/* PMI not twice */
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_VECTOR], 4);	/* IWI + SPU */
	ck_assert_uint_eq(n.cpu[0].count[LWK_NOISE_SOFTIRQ], 5);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_IRQ], 11);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_IPI], 53);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_SOFTIRQ], 10);
	ck_assert_uint_eq(n.cpu[1].count[LWK_NOISE_PREEMPT], 0);
	lwk_noise_fini(&n);
	hwloc_bitmap_free(cpus);
}
END_TEST

START_TEST(proc_without_header_is_an_error)
{
	hwloc_bitmap_t cpus = set_of("0");
	struct lwk_noise n;
	struct lwk_err err = { 0 };

	put("interrupts", "garbage\n");
	put("softirqs", softirqs);
	ck_assert_int_eq(lwk_noise_read_proc(dir, cpus, &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no CPU header"));
	hwloc_bitmap_free(cpus);
}
END_TEST

START_TEST(baseline_round_trip_and_delta)
{
	hwloc_bitmap_t cpus = set_of("2-3");
	struct lwk_noise base, now, loaded;
	struct lwk_err err = { 0 };
	char path[128];

	put("interrupts", interrupts);
	put("softirqs", softirqs);
	ck_assert_int_eq(lwk_noise_read_proc(dir, cpus, &base, &err), 0);
	snprintf(path, sizeof(path), "%s/base", dir);
	ck_assert_int_eq(lwk_noise_save(&base, path, &err), 0);
	ck_assert_int_eq(lwk_noise_load(path, &loaded, &err), 0);
	ck_assert_uint_eq(loaded.ncpu, 2);
	ck_assert_mem_eq(loaded.cpu[1].count, base.cpu[1].count, sizeof(base.cpu[1].count));

	/* 30 more ticks and one more IRQ on CPU 3 */
	put("interrupts",
	    "            CPU0       CPU2       CPU3       \n"
	    "  24:          1          5         10   PCI-MSI 32768-edge      virtio0-requests\n"
	    " LOC:       1000        200         60   Local timer interrupts\n");
	ck_assert_int_eq(lwk_noise_read_proc(dir, cpus, &now, &err), 0);
	lwk_noise_sub(&now, &loaded);
	ck_assert_uint_eq(now.cpu[1].count[LWK_NOISE_TIMER], 30);
	ck_assert_uint_eq(now.cpu[1].count[LWK_NOISE_IRQ], 0);	/* 10 < 9 + 2: clamped */
	ck_assert_uint_eq(now.cpu[0].count[LWK_NOISE_TIMER], 0);
	lwk_noise_fini(&now);
	lwk_noise_fini(&loaded);
	lwk_noise_fini(&base);

	put("base", "2 1 2 x\n");
	ck_assert_int_eq(lwk_noise_load(path, &loaded, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a noise baseline"));
	hwloc_bitmap_free(cpus);
}
END_TEST

static char *report_of(const struct lwk_noise *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	lwk_noise_report(f, "p1", n);
	fclose(f);
	return buf;
}

START_TEST(report_timed)
{
	hwloc_bitmap_t cpus = set_of("2-3");
	struct lwk_noise n;
	struct lwk_err err = { 0 };
	char *r;

	sub("cpu2");
	sub("cpu3");
	put("cpu2/stats", "irq 1 1000 1000\n");
	put("cpu3/stats", stats3);
	ck_assert_int_eq(lwk_noise_read_kmod(dir, cpus, &n, &err), 0);
	r = report_of(&n);
	ck_assert_msg(strstr(r, "noise of partition p1 on 2 CPUs (lwk.ko") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "stolen_us") && strstr(r, "worst_us"), "%s", r);
	/* CPU 3: 34000+500000+7000+100+60000+0+2000000 ns stolen, worst a preemption */
	ck_assert_msg(strstr(r, "2601.1     1500.0 preempt") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "\n  2     ") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "\n  all   ") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "2602.1     1500.0 preempt") != NULL, "%s", r);
	free(r);
	lwk_noise_fini(&n);
	hwloc_bitmap_free(cpus);
}
END_TEST

START_TEST(report_counts_only)
{
	hwloc_bitmap_t cpus = set_of("3");
	struct lwk_noise n;
	struct lwk_err err = { 0 };
	char *r;

	put("interrupts", interrupts);
	put("softirqs", softirqs);
	ck_assert_int_eq(lwk_noise_read_proc(dir, cpus, &n, &err), 0);
	r = report_of(&n);
	ck_assert_msg(strstr(r, "on 1 CPU (from /proc: counts only") != NULL, "%s", r);
	ck_assert_msg(strstr(r, "stolen_us") == NULL, "%s", r);
	ck_assert_msg(strstr(r, "  3           11       30       53        6       10        0        -\n") != NULL,
		      "%s", r);
	ck_assert_msg(strstr(r, "all") == NULL, "%s", r);
	free(r);
	lwk_noise_fini(&n);
	hwloc_bitmap_free(cpus);
}
END_TEST

/* The delta of two lwk.ko readings (a step's window): counts and times
 * subtracted, the worst one kept. */
START_TEST(timed_delta)
{
	hwloc_bitmap_t cpus = set_of("2");
	struct lwk_noise base, now;
	struct lwk_err err = { 0 };

	sub("cpu2");
	put("cpu2/stats", "irq 1 1000 1000\ntimer 10 50000 9000\n");
	ck_assert_int_eq(lwk_noise_read_kmod(dir, cpus, &base, &err), 0);
	put("cpu2/stats", "irq 3 4000 2500\ntimer 12 52000 9000\n");
	ck_assert_int_eq(lwk_noise_read_kmod(dir, cpus, &now, &err), 0);
	lwk_noise_sub(&now, &base);
	ck_assert_uint_eq(now.cpu[0].count[LWK_NOISE_IRQ], 2);
	ck_assert_uint_eq(now.cpu[0].ns[LWK_NOISE_IRQ], 3000);
	ck_assert_uint_eq(now.cpu[0].max_ns[LWK_NOISE_IRQ], 2500);
	ck_assert_uint_eq(now.cpu[0].count[LWK_NOISE_TIMER], 2);
	ck_assert_uint_eq(now.cpu[0].ns[LWK_NOISE_TIMER], 2000);
	lwk_noise_fini(&now);
	lwk_noise_fini(&base);
	hwloc_bitmap_free(cpus);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_str_eq(lwk_noise_kind_name(LWK_NOISE_IRQ), "irq");
	ck_assert_str_eq(lwk_noise_kind_name(LWK_NOISE_PREEMPT), "preempt");
	ck_assert_str_eq(lwk_noise_kind_name(LWK_NOISE_NKINDS), "?");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("noise");
	TCase *tc = tcase_create("noise");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, kmod_stats_parsed);
	tcase_add_test(tc, kmod_missing_cpu_is_an_error);
	tcase_add_test(tc, proc_tables_parsed);
	tcase_add_test(tc, proc_without_header_is_an_error);
	tcase_add_test(tc, baseline_round_trip_and_delta);
	tcase_add_test(tc, report_timed);
	tcase_add_test(tc, report_counts_only);
	tcase_add_test(tc, timed_delta);
	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lwk_check_run(suite());
}
