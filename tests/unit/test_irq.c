/* Unit tests of lwk/irq (the node's interrupts, read from a fixture tree of
 * /proc/interrupts, /proc/softirqs, /proc/irq/N and debugfs) and of the
 * placement that avoids unmovable IRQs (lwk_place_avoid) on an 8-CPU,
 * 2-NUMA-node synthetic machine.
 *
 * The fixture: CPU 0-3 on NUMA node 0, 4-7 on node 1.
 *   irq 24 ACPI:Ged        movable, effective 0
 *   irq 36 virtio1-req.0   managed, effective 7, 72,365 interrupts
 *   irq 50 eth0-TxRx-0     movable, effective 6, busy: must not count
 *   irq 60 nvme0q1         managed, effective 4, busy queue (5,000)
 *   irq 61 nvme0q2         managed, effective 5, idle queue (0)
 *   irq 62 nvme0q3         managed, effective 0-3 (one queue for 4 CPUs), idle
 */
#define _GNU_SOURCE
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "irq.h"
#include "noise.h"
#include "place.h"
#include "synth.h"
#include "check_run.h"

static char dir[64];
static struct lwk_irqs x;
static struct lwk_err err;

static void put(const char *rel, const char *text)
{
	char path[256], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char interrupts[] =
	"            CPU0       CPU1       CPU2       CPU3       CPU4       CPU5       CPU6       CPU7\n"
	"  24:          1          0          0          0          0          0          0          0  IO-APIC   5-edge      ACPI:Ged\n"
	"  36:          0          0          0          0          0          0          0      72365  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\n"
	"  50:          0          0          0          0          0          0     100000          0  PCI-MSIX-0000:00:04.0   1-edge      eth0-TxRx-0\n"
	"  60:          0          0          0          0       5000          0          0          0  PCI-MSIX-0000:00:05.0   1-edge      nvme0q1\n"
	"  61:          0          0          0          0          0          0          0          0  PCI-MSIX-0000:00:05.0   2-edge      nvme0q2\n"
	"  62:          0          0          0          0          0          0          0          0  PCI-MSIX-0000:00:05.0   3-edge      nvme0q3\n"
	" NMI:          0          0          0          0          0          0          0          0   Non-maskable interrupts\n"
	" LOC:        100        100        100        100        100        100        100       1204   Local timer interrupts\n"
	" RES:          1          1          1          1          1          1          1         18   Rescheduling interrupts\n"
	" CAL:          2          2          2          2          2          2          2          3   Function call interrupts\n"
	" TLB:          2          2          2          2          2          2          2          3   TLB shootdowns\n"
	" ERR:          0\n"
	" MIS:          0\n";

static const char softirqs[] =
	"                    CPU0       CPU1       CPU2       CPU3       CPU4       CPU5       CPU6       CPU7\n"
	"          HI:          0          0          0          0          0          0          0          0\n"
	"       TIMER:         10         10         10         10         10         10         10         40\n"
	"      NET_RX:          0          0          0          0          0          0          0          0\n"
	"       BLOCK:          0          0          0          0          0          0          0      70000\n";

static const char managed[] =
	"handler:  handle_edge_irq\n"
	"dstate:   0x3560a200\n"
	"            IRQD_ACTIVATED\n"
	"            IRQD_IRQ_STARTED\n"
	"            IRQD_AFFINITY_SET\n"
	"            IRQD_AFFINITY_MANAGED\n";

static const char movable[] =
	"handler:  handle_edge_irq\n"
	"dstate:   0x00400000\n"
	"            IRQD_AFFINITY_SET\n";

static void irq_dir(int irq, const char *smp, const char *eff, const char *dbg)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", irq);
	put(rel, smp);
	snprintf(rel, sizeof(rel), "proc/irq/%d/effective_affinity_list", irq);
	put(rel, eff);
	snprintf(rel, sizeof(rel), "sys/kernel/debug/irq/irqs/%d", irq);
	put(rel, dbg);
}

static void setup(void)
{
	memset(&err, 0, sizeof(err));
	memset(&x, 0, sizeof(x));
	strcpy(dir, "/tmp/lwk-irq-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	put("proc/interrupts", interrupts);
	put("proc/softirqs", softirqs);
	irq_dir(24, "0-7\n", "0\n", movable);
	irq_dir(36, "0-7\n", "7\n", managed);
	irq_dir(50, "0-7\n", "6\n", movable);
	irq_dir(60, "4\n", "4\n", managed);
	irq_dir(61, "5\n", "5\n", managed);
	irq_dir(62, "0-3\n", "0-3\n", managed);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void teardown(void)
{
	lwk_irqs_fini(&x);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static const struct lwk_irq_line *find(const struct lwk_irqs *t, const char *name)
{
	for (unsigned i = 0; i < t->nline; i++)
		if (!strcmp(t->line[i].name, name))
			return &t->line[i];
	return NULL;
}

START_TEST(reads_rows_names_and_affinity)
{
	const struct lwk_irq_line *l;

	ck_assert_msg(lwk_irqs_read(dir, 0, &x, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(x.ncpu, 8);
	/* 6 IRQs + NMI LOC RES CAL (TLB, ERR, MIS left out) + 4 softirqs */
	ck_assert_uint_eq(x.nline, 14);
	l = find(&x, "virtio1-req.0");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->irq, 36);
	ck_assert_int_eq(l->kind, LWK_NOISE_IRQ);
	ck_assert_uint_eq(l->count[7], 72365);
	ck_assert_uint_eq(l->total, 72365);
	ck_assert_bm(l->effective, "7");
	ck_assert(l->managed && lwk_irq_unmovable(l));
	l = find(&x, "eth0-TxRx-0");
	ck_assert_ptr_nonnull(l);
	ck_assert(!lwk_irq_unmovable(l));
	ck_assert_bm(l->effective, "6");
	l = find(&x, "ACPI:Ged");
	ck_assert_ptr_nonnull(l);
	ck_assert(!l->managed);
	l = find(&x, "LOC");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->irq, -1);
	ck_assert_int_eq(l->kind, LWK_NOISE_TIMER);
	ck_assert(!lwk_irq_unmovable(l));
	ck_assert_ptr_null(l->effective);
	ck_assert_ptr_null(find(&x, "TLB"));
	ck_assert_ptr_null(find(&x, "ERR"));
	l = find(&x, "softirq BLOCK");
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l->kind, LWK_NOISE_SOFTIRQ);
	ck_assert_uint_eq(l->count[7], 70000);
}
END_TEST

START_TEST(counts_only_skips_irq_dirs)
{
	ck_assert_int_eq(lwk_irqs_read(dir, LWK_IRQ_COUNTS, &x, &err), 0);
	ck_assert_ptr_null(find(&x, "virtio1-req.0")->effective);
	ck_assert(!lwk_irq_unmovable(find(&x, "virtio1-req.0")));
}
END_TEST

/* A probe writes the IRQ's own mask back: a movable IRQ accepts it
 * unchanged and is not taken for unmovable. */
START_TEST(probe_of_movable_irq_changes_nothing)
{
	char path[256], buf[64];
	FILE *f;

	ck_assert_int_eq(lwk_irqs_read(dir, LWK_IRQ_PROBE, &x, &err), 0);
	ck_assert(!find(&x, "eth0-TxRx-0")->refused);
	ck_assert(!lwk_irq_unmovable(find(&x, "eth0-TxRx-0")));
	snprintf(path, sizeof(path), "%s/proc/irq/50/smp_affinity_list", dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	ck_assert_str_eq(buf, "0-7");
}
END_TEST

START_TEST(missing_interrupts_is_an_error)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/proc/interrupts", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(lwk_irqs_read(dir, 0, &x, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "proc/interrupts"));
	ck_assert_uint_eq(x.nline, 0);
}
END_TEST

START_TEST(cost_counts_unmovable_only)
{
	uint64_t cost[8];

	ck_assert_int_eq(lwk_irqs_read(dir, 0, &x, &err), 0);
	lwk_irqs_cost(&x, cost, 8);
	ck_assert_uint_eq(cost[7], 1 + 72365);
	ck_assert_uint_eq(cost[6], 0);	/* eth0 is movable: steering moves it */
	ck_assert_uint_eq(cost[4], 1 + 5000);
	ck_assert_uint_eq(cost[5], 1);	/* an idle queue */
	ck_assert_uint_eq(cost[0], 1);	/* nvme0q3 over 0-3 */
	ck_assert_uint_eq(cost[3], 1);
}
END_TEST

START_TEST(describe_and_unmovable_cpus)
{
	hwloc_bitmap_t all = bm("0-7"), some = bm("6-7"), none = bm("6"), out = hwloc_bitmap_alloc();
	char buf[512];

	ck_assert_int_eq(lwk_irqs_read(dir, 0, &x, &err), 0);
	lwk_irqs_unmovable_cpus(&x, all, out);
	ck_assert_bm(out, "0-5,7");
	lwk_irqs_describe(&x, some, 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "irq 36 virtio1-req.0 on CPU 7 (72,365 so far)");
	lwk_irqs_describe(&x, none, 4, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	lwk_irqs_describe(&x, all, 2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "irq 36 virtio1-req.0 on CPU 7 (72,365 so far), "
			 "irq 60 nvme0q1 on CPU 4 (5,000 so far), +2 more");
	hwloc_bitmap_free(all);
	hwloc_bitmap_free(some);
	hwloc_bitmap_free(none);
	hwloc_bitmap_free(out);
}
END_TEST

START_TEST(top_sources_of_a_cpu)
{
	struct lwk_irqs base;
	char buf[512];

	/* base: the same rows with nothing counted on CPU 7 yet */
	ck_assert_int_eq(lwk_irqs_read(dir, LWK_IRQ_COUNTS, &base, &err), 0);
	for (unsigned i = 0; i < base.nline; i++)
		base.line[i].count[7] = 0;
	ck_assert_int_eq(lwk_irqs_read(dir, LWK_IRQ_COUNTS, &x, &err), 0);
	lwk_irqs_top(&x, &base, 7, 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "virtio1-req.0 72,365, softirq BLOCK 70,000, LOC 1,204, +3 more");
	lwk_irqs_top(&x, &base, 7, 10, buf, sizeof(buf));
	ck_assert_str_eq(buf, "virtio1-req.0 72,365, softirq BLOCK 70,000, LOC 1,204, "
			 "softirq TIMER 40, RES 18, CAL 3");
	lwk_irqs_top(&x, &x, 7, 10, buf, sizeof(buf));	/* no delta */
	ck_assert_str_eq(buf, "");
	lwk_irqs_top(&x, &base, 99, 10, buf, sizeof(buf));	/* no such CPU */
	ck_assert_str_eq(buf, "");
	lwk_irqs_fini(&base);
}
END_TEST

START_TEST(thousands)
{
	char b[32];

	lwk_irq_thousands(0, b, sizeof(b));
	ck_assert_str_eq(b, "0");
	lwk_irq_thousands(999, b, sizeof(b));
	ck_assert_str_eq(b, "999");
	lwk_irq_thousands(1000, b, sizeof(b));
	ck_assert_str_eq(b, "1,000");
	lwk_irq_thousands(1234567, b, sizeof(b));
	ck_assert_str_eq(b, "1,234,567");
}
END_TEST

/* --- placement --------------------------------------------------------- */

static struct lwk_topo tp;
static struct lwk_spec spec;
static struct lwk_policy pol;
static struct lwk_placement pl;
static uint64_t cost[8];

static void place_setup(void)
{
	setup();
	spec_blank(&spec);
	policy_blank(&pol);
	lwk_placement_init(&pl);
	synth_load_mem(&tp, 1, 2, 4, 1, 0, 0);	/* CPUs 0-3 node 0, 4-7 node 1 */
	ck_assert_int_eq(lwk_irqs_read(dir, 0, &x, &err), 0);
	lwk_irqs_cost(&x, cost, 8);
}

static void place_teardown(void)
{
	lwk_placement_fini(&pl);
	hwloc_bitmap_free(pol.lwk_cpus);
	lwk_topo_fini(&tp);
	teardown();
}

/* Places on alloc with and without the IRQ costs; returns the former's CPUs
 * in got, the latter's in plain. */
static void place_both(const char *alloc, char *got, char *plain, size_t len)
{
	hwloc_bitmap_t a = bm(alloc);
	struct lwk_placement p0;

	ck_assert_msg(lwk_place_avoid(&tp, &pol, &spec, a, 0, cost, 8, &pl, &err) == 0, "%s",
		      err.msg);
	hwloc_bitmap_list_snprintf(got, len, pl.cpus);
	lwk_placement_init(&p0);
	ck_assert_msg(lwk_place(&tp, &pol, &spec, a, 0, &p0, &err) == 0, "%s", err.msg);
	hwloc_bitmap_list_snprintf(plain, len, p0.cpus);
	/* the same number of LWK cores on each NUMA node either way */
	ck_assert(hwloc_bitmap_isequal(pl.mems, p0.mems));
	ck_assert_uint_eq(pl.ncores, p0.ncores);
	lwk_placement_fini(&p0);
	hwloc_bitmap_free(a);
}

START_TEST(avoids_unmovable_keeps_numa_balance)
{
	char got[64], plain[64];

	spec_cores(&spec, LWK_AMOUNT_COUNT, 2);
	place_both("0-7", got, plain, sizeof(got));
	ck_assert_str_eq(plain, "3,7");
	ck_assert_str_eq(got, "3,6");	/* 7 takes virtio1-req.0; eth0 on 6 is movable */
}
END_TEST

START_TEST(idle_queue_before_busy_queue)
{
	char got[64], plain[64];

	spec_cores(&spec, LWK_AMOUNT_COUNT, 4);
	place_both("0-7", got, plain, sizeof(got));
	ck_assert_str_eq(plain, "2-3,6-7");
	/* node 1: 6 (nothing), then 5 (an idle queue) before 4 (busy) and 7 */
	ck_assert_str_eq(got, "2-3,5-6");
}
END_TEST

/* The machine of the issue: two cores, one of which takes the disk's
 * interrupts. Linux keeps that one; without costs it would keep CPU 4. */
START_TEST(linux_keeps_the_costly_core)
{
	char got[64], plain[64];

	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	place_both("4-7", got, plain, sizeof(got));
	ck_assert_str_eq(plain, "5-7");
	ck_assert_str_eq(got, "4-6");
	ck_assert_bm(pl.linux_cpus, "7");
}
END_TEST

/* No choice: the job's cores all take unmovable IRQs. The partition is
 * placed anyway; the caller names the IRQs (lwk_irqs_describe). */
START_TEST(no_choice_still_places)
{
	char got[64], plain[64], buf[256];
	hwloc_bitmap_t on = hwloc_bitmap_alloc();

	spec_cores(&spec, LWK_AMOUNT_COUNT, 1);
	place_both("4,7", got, plain, sizeof(got));
	ck_assert_str_eq(got, "4");	/* a busy queue is better than the disk */
	lwk_irqs_unmovable_cpus(&x, pl.cpus, on);
	ck_assert_bm(on, "4");
	lwk_irqs_describe(&x, pl.cpus, 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "irq 60 nvme0q1 on CPU 4 (5,000 so far)");
	hwloc_bitmap_free(on);
}
END_TEST

/* The site's lwk_cpus still bound the choice, even onto an IRQ's CPU. */
START_TEST(site_lwk_cpus_win)
{
	char got[64], plain[64];

	pol.lwk_cpus = bm("7");
	spec_cores(&spec, LWK_AMOUNT_COUNT, 1);
	place_both("4-7", got, plain, sizeof(got));
	ck_assert_str_eq(got, "7");
	hwloc_bitmap_free(pol.lwk_cpus);
	pol.lwk_cpus = bm("4-5");
	place_both("4-7", got, plain, sizeof(got));
	ck_assert_str_eq(plain, "5");
	ck_assert_str_eq(got, "5");
}
END_TEST

START_TEST(equal_costs_change_nothing)
{
	static const char *const allocs[] = { "0-7", "1-6", "4-7", "0,2,4,6" };
	char got[64], plain[64];

	for (unsigned i = 0; i < 8; i++)
		cost[i] = 3;
	spec_cores(&spec, LWK_AMOUNT_ALL, 0);
	for (unsigned i = 0; i < sizeof(allocs) / sizeof(allocs[0]); i++) {
		place_both(allocs[i], got, plain, sizeof(got));
		ck_assert_str_eq(got, plain);
	}
	spec_cores(&spec, LWK_AMOUNT_COUNT, 3);
	place_both("0-7", got, plain, sizeof(got));
	ck_assert_str_eq(got, plain);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("irq");
	TCase *tc = tcase_create("read");
	TCase *tp_ = tcase_create("place");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reads_rows_names_and_affinity);
	tcase_add_test(tc, counts_only_skips_irq_dirs);
	tcase_add_test(tc, probe_of_movable_irq_changes_nothing);
	tcase_add_test(tc, missing_interrupts_is_an_error);
	tcase_add_test(tc, cost_counts_unmovable_only);
	tcase_add_test(tc, describe_and_unmovable_cpus);
	tcase_add_test(tc, top_sources_of_a_cpu);
	tcase_add_test(tc, thousands);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp_, place_setup, place_teardown);
	tcase_add_test(tp_, avoids_unmovable_keeps_numa_balance);
	tcase_add_test(tp_, idle_queue_before_busy_queue);
	tcase_add_test(tp_, linux_keeps_the_costly_core);
	tcase_add_test(tp_, no_choice_still_places);
	tcase_add_test(tp_, site_lwk_cpus_win);
	tcase_add_test(tp_, equal_costs_change_nothing);
	suite_add_tcase(s, tp_);
	return lwk_check_run(s);
}
