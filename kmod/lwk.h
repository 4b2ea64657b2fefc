/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwk.ko: per-CPU accounting of every interruption of the CPUs of LWK
 * partitions (hardirqs by IRQ, x86 system vectors, softirqs by type, NMIs,
 * preemptions of the running task), from tracepoints, exposed in sysfs under
 * /sys/kernel/lwk. The probes stay attached while the module is loaded;
 * only watched CPUs account anything.
 *
 * Times are exclusive: an interval does not include the nested
 * interruptions already accounted on its CPU (an IRQ inside a softirq, a
 * softirq inside a preemption), so the sum over kinds is the time stolen.
 */
#ifndef LWK_KMOD_H
#define LWK_KMOD_H

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/percpu.h>
#include <linux/types.h>

enum lwk_kind {
	LWK_IRQ,	/* device interrupt handlers (irq_handler_entry/exit) */
	LWK_TIMER,	/* local APIC timer */
	LWK_IPI,	/* reschedule and function-call IPIs */
	LWK_VECTOR,	/* other system vectors: irq_work, thermal, ... */
	LWK_SOFTIRQ,
	LWK_NMI,
	LWK_PREEMPT,	/* the running task switched out while runnable */
	LWK_NR_KINDS
};

/* x86 system vectors with entry/exit tracepoints (arch/x86 irq_vectors). */
enum lwk_vec {
	LWK_V_LOCAL_TIMER,
	LWK_V_RESCHEDULE,
	LWK_V_CALL_FUNCTION,
	LWK_V_CALL_FUNCTION_SINGLE,
	LWK_V_IRQ_WORK,
	LWK_V_X86_PLATFORM_IPI,
	LWK_V_THERMAL_APIC,
	LWK_V_THRESHOLD_APIC,
	LWK_V_DEFERRED_ERROR_APIC,
	LWK_V_SPURIOUS_APIC,
	LWK_V_ERROR_APIC,
	LWK_NR_VECS
};

struct lwk_stat {
	u64 count;
	u64 ns;
	u64 max_ns;
};

/* IRQ numbers are kept in a small open-addressed table; the rest go to
 * irq_other (the per-kind totals stay exact). */
#define LWK_IRQ_SLOTS 64

/*
 * One per possible CPU. Written only by the probes running on that CPU
 * (acct_ns also from NMI, hence this_cpu_add), read locklessly by sysfs.
 * Cleared only while the CPU is not watched and no probe can be running.
 */
struct lwk_cpu {
	struct lwk_stat kind[LWK_NR_KINDS];
	struct lwk_stat softirq[NR_SOFTIRQS];
	struct lwk_stat vec[LWK_NR_VECS];
	struct lwk_stat irq[LWK_IRQ_SLOTS];
	u32 irq_key[LWK_IRQ_SLOTS];	/* IRQ number + 1, 0: free */
	struct lwk_stat irq_other;

	u64 acct_ns;		/* exclusive time accounted so far */

	/* intervals in flight; a start of 0 means none */
	u64 hard_start, hard_acct;
	u64 soft_start, soft_acct;
	u64 pre_start, pre_acct;
	pid_t pre_victim;
};

extern struct lwk_cpu __percpu *lwk_pcpu;
DECLARE_PER_CPU(u8, lwk_watched);

struct lwk_vec_info {
	const char *name;
	enum lwk_kind kind;
};

extern const char * const lwk_kind_name[LWK_NR_KINDS];
extern const char * const lwk_softirq_name[NR_SOFTIRQS];
extern const struct lwk_vec_info lwk_vec_info[LWK_NR_VECS];

/* probes.c */
int lwk_probes_lookup(void);
int lwk_probes_register(void);
void lwk_probes_unregister(void);
bool lwk_vec_hooked(enum lwk_vec v);
bool lwk_nmi_hooked(void);
void lwk_cpu_clear_inflight(struct lwk_cpu *c);

/* main.c: the watched set; all of these take lwk_mutex */
void lwk_watched_mask(struct cpumask *out);
int lwk_set_watched(const struct cpumask *mask);
int lwk_watch(const struct cpumask *mask, bool add);
int lwk_reset(const struct cpumask *mask);

/* sysfs.c */
int lwk_sysfs_init(void);
void lwk_sysfs_exit(void);

#endif
