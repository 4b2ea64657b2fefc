/* The node's interrupts: where each one lands, whether it can be moved, and
 * how many reached each CPU.
 *
 * lwk_irqs_read() reads ROOT/proc/interrupts (every row: numbered device
 * IRQs with their names, e.g. "virtio1-req.0", and the per-CPU system rows
 * LOC, RES, CAL, ...), ROOT/proc/softirqs (rows "softirq TIMER", ...) and,
 * for numbered IRQs, ROOT/proc/irq/N/{smp_affinity_list,effective_affinity_list}.
 * ROOT is "" on a live node; tests point it at a fixture tree.
 *
 * An IRQ is unmovable when the kernel says it is managed (the debugfs file
 * ROOT/sys/kernel/debug/irq/irqs/N lists IRQD_AFFINITY_MANAGED; debugfs is
 * often not mounted) or, with LWK_IRQ_PROBE, when writing its own current
 * smp_affinity_list back is refused. That write is the native backend's
 * steering attempt (native_steer.c) made in advance, with a value that
 * changes nothing: the kernel keeps an IRQ's effective CPU when it is still
 * in the requested mask (x86's vector allocator does so explicitly), and
 * refuses managed IRQs (EIO) whatever the mask. Unmovable IRQs keep landing
 * on their effective CPUs whatever the LWK does: placement avoids those
 * CPUs, and `lwkpart check` names them.
 */
#ifndef LWK_IRQ_H
#define LWK_IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <hwloc.h>

#include "error.h"

enum lwk_irq_flags {
	LWK_IRQ_COUNTS = 1,	/* counts only: skip /proc/irq (noise deltas) */
	LWK_IRQ_PROBE = 2,	/* learn refusals by writing current masks back (root) */
};

struct lwk_irq_line {
	char label[16];		/* "36", "LOC", "RES"; softirqs: "TIMER" */
	char name[48];		/* "virtio1-req.0", "LOC", "softirq TIMER" */
	int irq;		/* the IRQ number, -1 for system and softirq rows */
	int kind;		/* enum lwk_noise_kind */
	uint64_t *count;	/* per OS CPU index, ncpu entries */
	uint64_t total;		/* over all CPUs */
	hwloc_bitmap_t effective;	/* numbered IRQs: where it lands (NULL: unknown) */
	bool managed;		/* the kernel reports it managed */
	bool refused;		/* an affinity write was refused */
};

struct lwk_irqs {
	unsigned ncpu;		/* 1 + the highest CPU of the tables */
	unsigned nline;
	struct lwk_irq_line *line;
};

static inline bool lwk_irq_unmovable(const struct lwk_irq_line *l)
{
	return l->irq >= 0 && (l->managed || l->refused);
}

int lwk_irqs_read(const char *root, unsigned flags, struct lwk_irqs *out, struct lwk_err *err);
void lwk_irqs_fini(struct lwk_irqs *x);

/* This node's interrupts (root ""), probed for refusals when run as root,
 * under the lock of the registry in statedir (NULL: LWK_STATEDIR), which
 * making a partition also holds while it steers IRQs. (place_irq.c) */
int lwk_irqs_read_node(const char *statedir, struct lwk_irqs *out, struct lwk_err *err);

/* Per OS CPU (cost[0..ncost-1], zeroed first): 0 if no unmovable IRQ lands
 * there, else for each unmovable IRQ whose effective CPUs include it, 1 +
 * its interrupts so far shared over those CPUs, so that a CPU whose queue
 * has been idle ranks before a busy one. */
void lwk_irqs_cost(const struct lwk_irqs *x, uint64_t *cost, unsigned ncost);

/* The CPUs of set on which unmovable IRQs land, into out. */
void lwk_irqs_unmovable_cpus(const struct lwk_irqs *x, hwloc_const_bitmap_t set,
			     hwloc_bitmap_t out);

/* One line for people: which unmovable IRQs land on which CPUs of cpus
 * ("irq 36 virtio1-req.0 on CPU 1 (94,972 so far)"), at most max of them
 * then ", ..."; "" if none. */
void lwk_irqs_describe(const struct lwk_irqs *x, hwloc_const_bitmap_t cpus, unsigned max,
		       char *buf, size_t len);

/* What interrupted one CPU between base and now (two reads of the same
 * node), largest first: "virtio1-req.0 72,365, LOC 1,204, RES 18, softirq
 * BLOCK 70,000". At most max sources, then "+N more". "" if nothing. */
void lwk_irqs_top(const struct lwk_irqs *now, const struct lwk_irqs *base, unsigned cpu,
		  unsigned max, char *buf, size_t len);

/* "72,365" */
void lwk_irq_thousands(uint64_t v, char *buf, size_t len);

#endif
