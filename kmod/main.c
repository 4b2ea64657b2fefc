// SPDX-License-Identifier: GPL-2.0
/*
 * lwk.ko: the watched CPU set, CPU hotplug, module init and exit.
 */
#define pr_fmt(fmt) "lwk: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>

#include "lwk.h"

struct lwk_cpu __percpu *lwk_pcpu;
DEFINE_PER_CPU(u8, lwk_watched);

const char * const lwk_kind_name[LWK_NR_KINDS] = {
	[LWK_IRQ] = "irq",
	[LWK_TIMER] = "timer",
	[LWK_IPI] = "ipi",
	[LWK_VECTOR] = "vector",
	[LWK_SOFTIRQ] = "softirq",
	[LWK_NMI] = "nmi",
	[LWK_PREEMPT] = "preempt",
};

/* The names /proc/softirqs uses (softirq_to_name is not exported). */
const char * const lwk_softirq_name[NR_SOFTIRQS] = {
	[HI_SOFTIRQ] = "HI",
	[TIMER_SOFTIRQ] = "TIMER",
	[NET_TX_SOFTIRQ] = "NET_TX",
	[NET_RX_SOFTIRQ] = "NET_RX",
	[BLOCK_SOFTIRQ] = "BLOCK",
	[IRQ_POLL_SOFTIRQ] = "IRQ_POLL",
	[TASKLET_SOFTIRQ] = "TASKLET",
	[SCHED_SOFTIRQ] = "SCHED",
	[HRTIMER_SOFTIRQ] = "HRTIMER",
	[RCU_SOFTIRQ] = "RCU",
};

const struct lwk_vec_info lwk_vec_info[LWK_NR_VECS] = {
	[LWK_V_LOCAL_TIMER] = { "local_timer", LWK_TIMER },
	[LWK_V_RESCHEDULE] = { "reschedule", LWK_IPI },
	[LWK_V_CALL_FUNCTION] = { "call_function", LWK_IPI },
	[LWK_V_CALL_FUNCTION_SINGLE] = { "call_function_single", LWK_IPI },
	[LWK_V_IRQ_WORK] = { "irq_work", LWK_VECTOR },
	[LWK_V_X86_PLATFORM_IPI] = { "x86_platform_ipi", LWK_VECTOR },
	[LWK_V_THERMAL_APIC] = { "thermal_apic", LWK_VECTOR },
	[LWK_V_THRESHOLD_APIC] = { "threshold_apic", LWK_VECTOR },
	[LWK_V_DEFERRED_ERROR_APIC] = { "deferred_error_apic", LWK_VECTOR },
	[LWK_V_SPURIOUS_APIC] = { "spurious_apic", LWK_VECTOR },
	[LWK_V_ERROR_APIC] = { "error_apic", LWK_VECTOR },
};

/* Serialises changes of the watched set. */
static DEFINE_MUTEX(lwk_mutex);
static struct cpumask lwk_mask;
static enum cpuhp_state lwk_hp_state;

void lwk_watched_mask(struct cpumask *out)
{
	mutex_lock(&lwk_mutex);
	cpumask_copy(out, &lwk_mask);
	mutex_unlock(&lwk_mutex);
}

/*
 * Stops accounting on the CPUs of mask and waits until no probe that saw
 * them watched can still be running (probes run with preemption disabled,
 * NMIs included), so that their counters can then be cleared safely.
 */
static void lwk_quiesce(const struct cpumask *mask)
{
	unsigned int cpu;
	bool any = false;

	for_each_cpu(cpu, mask) {
		if (per_cpu(lwk_watched, cpu)) {
			WRITE_ONCE(per_cpu(lwk_watched, cpu), 0);
			any = true;
		}
	}
	if (any)
		synchronize_rcu();
}

static void lwk_start(unsigned int cpu)
{
	memset(per_cpu_ptr(lwk_pcpu, cpu), 0, sizeof(struct lwk_cpu));
	smp_wmb(); /* cleared before any probe on cpu can see it watched */
	WRITE_ONCE(per_cpu(lwk_watched, cpu), 1);
}

static int lwk_set_watched_locked(const struct cpumask *mask)
{
	cpumask_var_t gone;
	unsigned int cpu;

	if (!cpumask_subset(mask, cpu_possible_mask))
		return -EINVAL;
	if (!zalloc_cpumask_var(&gone, GFP_KERNEL))
		return -ENOMEM;
	cpumask_andnot(gone, &lwk_mask, mask);
	lwk_quiesce(gone);
	for_each_cpu(cpu, mask)
		if (!cpumask_test_cpu(cpu, &lwk_mask))
			lwk_start(cpu);
	cpumask_copy(&lwk_mask, mask);
	free_cpumask_var(gone);
	return 0;
}

int lwk_set_watched(const struct cpumask *mask)
{
	int ret;

	mutex_lock(&lwk_mutex);
	ret = lwk_set_watched_locked(mask);
	mutex_unlock(&lwk_mutex);
	return ret;
}

/* Adds mask to (add) or removes it from the watched set, atomically with
 * respect to other writers: several partitions share the set. */
int lwk_watch(const struct cpumask *mask, bool add)
{
	cpumask_var_t next;
	int ret;

	if (!alloc_cpumask_var(&next, GFP_KERNEL))
		return -ENOMEM;
	mutex_lock(&lwk_mutex);
	if (add)
		cpumask_or(next, &lwk_mask, mask);
	else
		cpumask_andnot(next, &lwk_mask, mask);
	ret = lwk_set_watched_locked(next);
	mutex_unlock(&lwk_mutex);
	free_cpumask_var(next);
	return ret;
}

/* Zeroes the counters of mask; events during the reset itself are lost. */
int lwk_reset(const struct cpumask *mask)
{
	unsigned int cpu;

	if (!cpumask_subset(mask, cpu_possible_mask))
		return -EINVAL;
	mutex_lock(&lwk_mutex);
	lwk_quiesce(mask);
	for_each_cpu(cpu, mask) {
		if (cpumask_test_cpu(cpu, &lwk_mask))
			lwk_start(cpu);
		else
			memset(per_cpu_ptr(lwk_pcpu, cpu), 0, sizeof(struct lwk_cpu));
	}
	mutex_unlock(&lwk_mutex);
	return 0;
}

/*
 * An interval open when a CPU goes down would otherwise close, much too
 * long, after it comes back. These run on the CPU itself, in its hotplug
 * thread; interrupts off so that no probe there sees half the clearing.
 */
static int lwk_cpu_online(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	lwk_cpu_clear_inflight(this_cpu_ptr(lwk_pcpu));
	local_irq_restore(flags);
	return 0;
}

static int lwk_cpu_offline(unsigned int cpu)
{
	return lwk_cpu_online(cpu);
}

static int __init lwk_init(void)
{
	int ret;

	lwk_pcpu = alloc_percpu(struct lwk_cpu);
	if (!lwk_pcpu)
		return -ENOMEM;
	ret = lwk_probes_lookup();
	if (ret)
		goto err_free;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "lwk:online",
					lwk_cpu_online, lwk_cpu_offline);
	if (ret < 0)
		goto err_free;
	lwk_hp_state = ret;
	/*
	 * Attach once, for the module's lifetime: attaching patches kernel text,
	 * which interrupts every CPU (LWK cores of live partitions included).
	 * Until a CPU is watched its probes return after one per-CPU load.
	 */
	ret = lwk_probes_register();
	if (ret)
		goto err_hp;
	ret = lwk_sysfs_init();
	if (ret)
		goto err_probes;
	return 0;

err_probes:
	lwk_probes_unregister();
	tracepoint_synchronize_unregister();
err_hp:
	cpuhp_remove_state_nocalls(lwk_hp_state);
err_free:
	free_percpu(lwk_pcpu);
	return ret;
}

static void __exit lwk_exit(void)
{
	/* No writer can change the set once the files are gone. */
	lwk_sysfs_exit();
	lwk_probes_unregister();
	/* No probe may still be running when its code and data go away. */
	tracepoint_synchronize_unregister();
	cpuhp_remove_state_nocalls(lwk_hp_state);
	free_percpu(lwk_pcpu);
}

module_init(lwk_init);
module_exit(lwk_exit);

MODULE_DESCRIPTION("Accounts every interruption of the CPUs of LWK partitions");
MODULE_AUTHOR("slurm-lwk");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
