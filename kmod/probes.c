// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint probes. Each one first checks the per-CPU watched flag, so an
 * unwatched CPU pays one load and a branch; watched CPUs pay a local_clock()
 * and a few stores per event.
 */
#define pr_fmt(fmt) "lwk: " fmt

#include <linux/interrupt.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "lwk.h"

static inline bool lwk_here(void)
{
	return this_cpu_read(lwk_watched);
}

static inline void lwk_stat_add(struct lwk_stat *s, u64 ns)
{
	WRITE_ONCE(s->count, s->count + 1);
	WRITE_ONCE(s->ns, s->ns + ns);
	if (ns > s->max_ns)
		WRITE_ONCE(s->max_ns, ns);
}

static inline void lwk_stat_time(struct lwk_stat *s, u64 ns)
{
	WRITE_ONCE(s->ns, s->ns + ns);
	if (ns > s->max_ns)
		WRITE_ONCE(s->max_ns, ns);
}

/* Length of the interval opened at *start, minus the nested interruptions
 * accounted meanwhile; closes the interval and accounts it. Returns false if
 * no interval was open (it began before the CPU was watched). */
static inline bool lwk_close(struct lwk_cpu *c, u64 *start, u64 acct0, u64 *ns)
{
	u64 d, nested;

	if (!*start)
		return false;
	d = local_clock() - *start;
	*start = 0;
	nested = READ_ONCE(c->acct_ns) - acct0;
	d = d > nested ? d - nested : 0;
	this_cpu_add(lwk_pcpu->acct_ns, d);
	*ns = d;
	return true;
}

static inline void lwk_open(struct lwk_cpu *c, u64 *start, u64 *acct0)
{
	*acct0 = READ_ONCE(c->acct_ns);
	*start = local_clock();
}

static struct lwk_stat *lwk_irq_slot(struct lwk_cpu *c, int irq)
{
	unsigned int i, h = (unsigned int)irq % LWK_IRQ_SLOTS;

	for (i = 0; i < LWK_IRQ_SLOTS; i++, h = (h + 1) % LWK_IRQ_SLOTS) {
		if (c->irq_key[h] == (u32)irq + 1)
			return &c->irq[h];
		if (!c->irq_key[h]) {
			WRITE_ONCE(c->irq_key[h], (u32)irq + 1);
			return &c->irq[h];
		}
	}
	return &c->irq_other;
}

/* Device IRQs: handlers run with interrupts off, so hardirqs never nest
 * (only NMIs land inside them). */
static void lwk_irq_entry(void *data, int irq, struct irqaction *action)
{
	struct lwk_cpu *c;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	lwk_open(c, &c->hard_start, &c->hard_acct);
}

static void lwk_irq_exit(void *data, int irq, struct irqaction *action, int ret)
{
	struct lwk_cpu *c;
	u64 ns;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	if (!lwk_close(c, &c->hard_start, c->hard_acct, &ns))
		return;
	lwk_stat_add(&c->kind[LWK_IRQ], ns);
	lwk_stat_add(lwk_irq_slot(c, irq), ns);
}

/* System vectors: data is the enum lwk_vec of the tracepoint. */
static void lwk_vec_entry(void *data, int vector)
{
	struct lwk_cpu *c;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	lwk_open(c, &c->hard_start, &c->hard_acct);
}

static void lwk_vec_exit(void *data, int vector)
{
	unsigned long v = (unsigned long)data;
	struct lwk_cpu *c;
	u64 ns;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	if (!lwk_close(c, &c->hard_start, c->hard_acct, &ns))
		return;
	lwk_stat_add(&c->kind[lwk_vec_info[v].kind], ns);
	lwk_stat_add(&c->vec[v], ns);
}

static void lwk_softirq_entry(void *data, unsigned int vec_nr)
{
	struct lwk_cpu *c;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	lwk_open(c, &c->soft_start, &c->soft_acct);
}

static void lwk_softirq_exit(void *data, unsigned int vec_nr)
{
	struct lwk_cpu *c;
	u64 ns;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	if (!lwk_close(c, &c->soft_start, c->soft_acct, &ns))
		return;
	lwk_stat_add(&c->kind[LWK_SOFTIRQ], ns);
	if (vec_nr < NR_SOFTIRQS)
		lwk_stat_add(&c->softirq[vec_nr], ns);
}

/* One event per NMI handler run; the kernel measured its duration. Only
 * NMIs write kind[LWK_NMI] and NMIs do not nest, so plain stores suffice. */
static void lwk_nmi_handler(void *data, void *handler, s64 delta_ns, int handled)
{
	struct lwk_cpu *c;
	u64 ns = delta_ns > 0 ? delta_ns : 0;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	lwk_stat_add(&c->kind[LWK_NMI], ns);
	this_cpu_add(lwk_pcpu->acct_ns, ns);
}

/*
 * A preemption opens when a task other than idle leaves the CPU still
 * runnable (preempted, or rescheduled on its way back to user space) and
 * closes when the CPU runs that task again or goes idle (the task moved
 * away). Kernel threads count like any other task: on an LWK core they are
 * noise too.
 */
static void lwk_sched_switch(void *data, bool preempt, struct task_struct *prev,
			     struct task_struct *next, unsigned int prev_state)
{
	struct lwk_cpu *c;
	u64 ns;

	if (!lwk_here())
		return;
	c = this_cpu_ptr(lwk_pcpu);
	if (c->pre_start && (next->pid == c->pre_victim || is_idle_task(next))) {
		if (lwk_close(c, &c->pre_start, c->pre_acct, &ns))
			lwk_stat_time(&c->kind[LWK_PREEMPT], ns);
	}
	if (!c->pre_start && !is_idle_task(prev) &&
	    (preempt || prev_state == TASK_RUNNING)) {
		c->pre_victim = prev->pid;
		WRITE_ONCE(c->kind[LWK_PREEMPT].count, c->kind[LWK_PREEMPT].count + 1);
		lwk_open(c, &c->pre_start, &c->pre_acct);
	}
}

void lwk_cpu_clear_inflight(struct lwk_cpu *c)
{
	c->hard_start = 0;
	c->soft_start = 0;
	c->pre_start = 0;
}

/* --- registration ------------------------------------------------------ */

struct lwk_tp {
	const char *name;
	void *probe;
	long data;
	bool required;
	struct tracepoint *tp;
	bool registered;
};

#define LWK_TP_REQ(n, p) { .name = n, .probe = p, .required = true }
#define LWK_TP_VEC(n, v)						\
	{ .name = n "_entry", .probe = lwk_vec_entry, .data = v },	\
	{ .name = n "_exit", .probe = lwk_vec_exit, .data = v }

static struct lwk_tp lwk_tps[] = {
	LWK_TP_REQ("irq_handler_entry", lwk_irq_entry),
	LWK_TP_REQ("irq_handler_exit", lwk_irq_exit),
	LWK_TP_REQ("softirq_entry", lwk_softirq_entry),
	LWK_TP_REQ("softirq_exit", lwk_softirq_exit),
	LWK_TP_REQ("sched_switch", lwk_sched_switch),
	{ .name = "nmi_handler", .probe = lwk_nmi_handler },
	LWK_TP_VEC("local_timer", LWK_V_LOCAL_TIMER),
	LWK_TP_VEC("reschedule", LWK_V_RESCHEDULE),
	LWK_TP_VEC("call_function", LWK_V_CALL_FUNCTION),
	LWK_TP_VEC("call_function_single", LWK_V_CALL_FUNCTION_SINGLE),
	LWK_TP_VEC("irq_work", LWK_V_IRQ_WORK),
	LWK_TP_VEC("x86_platform_ipi", LWK_V_X86_PLATFORM_IPI),
	LWK_TP_VEC("thermal_apic", LWK_V_THERMAL_APIC),
	LWK_TP_VEC("threshold_apic", LWK_V_THRESHOLD_APIC),
	LWK_TP_VEC("deferred_error_apic", LWK_V_DEFERRED_ERROR_APIC),
	LWK_TP_VEC("spurious_apic", LWK_V_SPURIOUS_APIC),
	LWK_TP_VEC("error_apic", LWK_V_ERROR_APIC),
};

static void lwk_tp_match(struct tracepoint *tp, void *priv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++)
		if (!lwk_tps[i].tp && !strcmp(tp->name, lwk_tps[i].name))
			lwk_tps[i].tp = tp;
}

/* The tracepoints are not exported to modules by name; find them. A vector
 * counts only if both its entry and exit exist. */
int lwk_probes_lookup(void)
{
	size_t i;

	for_each_kernel_tracepoint(lwk_tp_match, NULL);
	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++) {
		if (lwk_tps[i].tp || !lwk_tps[i].required)
			continue;
		pr_err("kernel tracepoint %s not found (needs CONFIG_TRACEPOINTS)\n",
		       lwk_tps[i].name);
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++) {
		if (lwk_tps[i].probe == lwk_vec_entry && !lwk_tps[i + 1].tp)
			lwk_tps[i].tp = NULL;
		if (lwk_tps[i].probe == lwk_vec_exit && !lwk_tps[i - 1].tp)
			lwk_tps[i].tp = NULL;
	}
	return 0;
}

void lwk_probes_unregister(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++) {
		if (!lwk_tps[i].registered)
			continue;
		WARN_ON(tracepoint_probe_unregister(lwk_tps[i].tp, lwk_tps[i].probe,
						    (void *)lwk_tps[i].data));
		lwk_tps[i].registered = false;
	}
}

int lwk_probes_register(void)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++) {
		if (!lwk_tps[i].tp)
			continue;
		ret = tracepoint_probe_register(lwk_tps[i].tp, lwk_tps[i].probe,
						(void *)lwk_tps[i].data);
		if (ret) {
			pr_err("cannot attach to tracepoint %s: %d\n", lwk_tps[i].name, ret);
			lwk_probes_unregister();
			return ret;
		}
		lwk_tps[i].registered = true;
	}
	return 0;
}

bool lwk_vec_hooked(enum lwk_vec v)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++)
		if (lwk_tps[i].probe == lwk_vec_exit && lwk_tps[i].data == v)
			return lwk_tps[i].tp;
	return false;
}

bool lwk_nmi_hooked(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lwk_tps); i++)
		if (lwk_tps[i].probe == lwk_nmi_handler)
			return lwk_tps[i].tp;
	return false;
}
