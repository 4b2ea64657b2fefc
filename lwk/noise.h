/* Noise of LWK cores: what interrupted them, how often, for how long.
 *
 * With lwk.ko loaded (/sys/kernel/lwk), lwk_noise_watch() adds a partition's
 * CPUs to the module's watched set (their counters restart at zero) and
 * lwk_noise_since() reads counts, total and worst nanoseconds per kind.
 * lwk_noise_watch() also saves a baseline of /proc/interrupts and
 * /proc/softirqs in basefile: when lwk.ko is absent, or does not watch all
 * the CPUs (loaded later, or reloaded), lwk_noise_since() returns the /proc
 * deltas instead: counts only, no preemptions. Call lwk_noise_since() (and print the report)
 * before lwk_noise_unwatch(): a CPU watched again restarts from zero.
 * Partitions never share CPUs, so watch/unwatch of one partition's CPUs
 * leave the others' alone (the module adds and removes atomically).
 */
#ifndef LWK_NOISE_H
#define LWK_NOISE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <hwloc.h>

#include "error.h"

#define LWK_NOISE_SYSDIR "/sys/kernel/lwk"

enum lwk_noise_kind {
	LWK_NOISE_IRQ,		/* device interrupts */
	LWK_NOISE_TIMER,	/* local timer ticks */
	LWK_NOISE_IPI,		/* reschedule and function-call IPIs */
	LWK_NOISE_VECTOR,	/* other system interrupts (irq_work, thermal...) */
	LWK_NOISE_SOFTIRQ,
	LWK_NOISE_NMI,
	LWK_NOISE_PREEMPT,	/* the running task preempted by another */
	LWK_NOISE_NKINDS
};

struct lwk_noise_cpu {
	unsigned cpu;
	uint64_t count[LWK_NOISE_NKINDS];
	uint64_t ns[LWK_NOISE_NKINDS];		/* exclusive time; 0 unless timed */
	uint64_t max_ns[LWK_NOISE_NKINDS];	/* worst single one; 0 unless timed */
};

struct lwk_noise {
	bool timed;		/* from lwk.ko: times and preemptions known */
	unsigned ncpu;
	struct lwk_noise_cpu *cpu;	/* ascending CPU numbers */
};

/* "irq", "timer", ... as in /sys/kernel/lwk/cpuN/stats. */
const char *lwk_noise_kind_name(enum lwk_noise_kind k);

/* The kind of a /proc/interrupts row by its label ("36", "LOC", "RES"),
 * or -1 for rows that are not interruptions of their own (TLB is in CAL,
 * PMI is an NMI, ERR/MIS are not per CPU, MCP is a poll). */
int lwk_noise_label_kind(const char *label);

/* Starts accounting on cpus. basefile (may be NULL) receives the /proc
 * baseline (an error only when lwk.ko is absent). */
int lwk_noise_watch(hwloc_const_bitmap_t cpus, const char *basefile, struct lwk_err *err);

/* Stops accounting on cpus (a no-op without lwk.ko). */
int lwk_noise_unwatch(hwloc_const_bitmap_t cpus, struct lwk_err *err);

/* The noise of cpus since lwk_noise_watch(); free with lwk_noise_fini. */
int lwk_noise_since(hwloc_const_bitmap_t cpus, const char *basefile, struct lwk_noise *out,
		    struct lwk_err *err);

/* Per kind, over the CPUs of n: counts and times summed, the worst single
 * interruption of any CPU (the report's "all" row). */
void lwk_noise_total(const struct lwk_noise *n, struct lwk_noise_cpu *total);

/* Over the kinds of c: interruptions, time stolen, and the worst single one
 * with its kind (-1 if none was timed). */
struct lwk_noise_sum {
	uint64_t count, ns, worst_ns;
	int worst_kind;
};
struct lwk_noise_sum lwk_noise_cpu_sum(const struct lwk_noise_cpu *c);

/* Writes the report of partition id: per CPU, interruptions by kind, time
 * stolen and the worst single interruption, then the totals. */
void lwk_noise_report(FILE *f, const char *id, const struct lwk_noise *n);

void lwk_noise_fini(struct lwk_noise *n);

/* Lower level, with explicit directories (tests use fake trees). */
int lwk_noise_read_kmod(const char *sysdir, hwloc_const_bitmap_t cpus, struct lwk_noise *out,
			struct lwk_err *err);
int lwk_noise_read_proc(const char *procdir, hwloc_const_bitmap_t cpus, struct lwk_noise *out,
			struct lwk_err *err);
/* now -= base, per CPU present in both, never below zero: counts and
 * times (a /proc baseline has no times). The worst single interruption
 * cannot be subtracted: max_ns stays now's. */
void lwk_noise_sub(struct lwk_noise *now, const struct lwk_noise *base);
int lwk_noise_save(const struct lwk_noise *n, const char *path, struct lwk_err *err);
int lwk_noise_load(const char *path, struct lwk_noise *out, struct lwk_err *err);

#endif
