// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/lwk:
 *   cpus       rw  the watched CPUs (cpulist); writing replaces the set
 *   watch      w   adds a cpulist to the set (what liblwk does at creation)
 *   unwatch    w   removes a cpulist from the set (at teardown)
 *   reset      w   zeroes the counters of a cpulist
 *   features   r   which kinds this kernel lets the module see
 *   cpuN/stats r   "NAME COUNT TOTAL_NS MAX_NS" lines: the kinds, then
 *                  softirq.TYPE and vector.NAME
 *   cpuN/irqs  r   "IRQ COUNT TOTAL_NS MAX_NS" for each IRQ seen ("other"
 *                  for those beyond the table)
 * Counters of a CPU restart from zero when it becomes watched and keep
 * their values after it is unwatched.
 */
#define pr_fmt(fmt) "lwk: " fmt

#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "lwk.h"

static struct kobject *lwk_kobj;
static struct kobject **lwk_cpu_kobj;

static ssize_t lwk_store_mask(const char *buf, size_t count,
			      int (*fn)(const struct cpumask *, bool), bool arg)
{
	cpumask_var_t mask;
	int ret;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	ret = cpulist_parse(buf, mask);
	if (!ret)
		ret = fn(mask, arg);
	free_cpumask_var(mask);
	return ret ? ret : count;
}

static int lwk_do_set(const struct cpumask *mask, bool unused)
{
	return lwk_set_watched(mask);
}

static int lwk_do_reset(const struct cpumask *mask, bool unused)
{
	return lwk_reset(mask);
}

static ssize_t cpus_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	cpumask_var_t mask;
	ssize_t len;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	lwk_watched_mask(mask);
	len = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(mask));
	free_cpumask_var(mask);
	return len;
}

static ssize_t cpus_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	return lwk_store_mask(buf, count, lwk_do_set, false);
}

static ssize_t watch_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	return lwk_store_mask(buf, count, lwk_watch, true);
}

static ssize_t unwatch_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	return lwk_store_mask(buf, count, lwk_watch, false);
}

static ssize_t reset_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	return lwk_store_mask(buf, count, lwk_do_reset, false);
}

static ssize_t features_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	int len = sysfs_emit(buf, "irq softirq preempt");
	bool timer = false, ipi = false, vector = false;
	int v;

	for (v = 0; v < LWK_NR_VECS; v++) {
		if (!lwk_vec_hooked(v))
			continue;
		timer |= lwk_vec_info[v].kind == LWK_TIMER;
		ipi |= lwk_vec_info[v].kind == LWK_IPI;
		vector |= lwk_vec_info[v].kind == LWK_VECTOR;
	}
	if (timer)
		len += sysfs_emit_at(buf, len, " timer");
	if (ipi)
		len += sysfs_emit_at(buf, len, " ipi");
	if (vector)
		len += sysfs_emit_at(buf, len, " vector");
	if (lwk_nmi_hooked())
		len += sysfs_emit_at(buf, len, " nmi");
	return len + sysfs_emit_at(buf, len, "\n");
}

static struct kobj_attribute lwk_attr_cpus = __ATTR_RW(cpus);
static struct kobj_attribute lwk_attr_watch = __ATTR_WO(watch);
static struct kobj_attribute lwk_attr_unwatch = __ATTR_WO(unwatch);
static struct kobj_attribute lwk_attr_reset = __ATTR_WO(reset);
static struct kobj_attribute lwk_attr_features = __ATTR_RO(features);

static struct attribute *lwk_attrs[] = {
	&lwk_attr_cpus.attr,
	&lwk_attr_watch.attr,
	&lwk_attr_unwatch.attr,
	&lwk_attr_reset.attr,
	&lwk_attr_features.attr,
	NULL,
};

static const struct attribute_group lwk_group = {
	.attrs = lwk_attrs,
};

/* --- per-CPU directories ------------------------------------------------ */

static struct lwk_cpu *lwk_kobj_cpu(struct kobject *kobj)
{
	unsigned int cpu;

	if (kstrtouint(kobject_name(kobj) + 3, 10, &cpu) || cpu >= nr_cpu_ids)
		return NULL;
	return per_cpu_ptr(lwk_pcpu, cpu);
}

static int lwk_emit(char *buf, int at, const char *prefix, const char *name,
		    const struct lwk_stat *s)
{
	return sysfs_emit_at(buf, at, "%s%s %llu %llu %llu\n", prefix, name,
			     READ_ONCE(s->count), READ_ONCE(s->ns), READ_ONCE(s->max_ns));
}

static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct lwk_cpu *c = lwk_kobj_cpu(kobj);
	int len = 0, i;

	if (!c)
		return -ENODEV;
	for (i = 0; i < LWK_NR_KINDS; i++)
		len += lwk_emit(buf, len, "", lwk_kind_name[i], &c->kind[i]);
	for (i = 0; i < NR_SOFTIRQS; i++)
		len += lwk_emit(buf, len, "softirq.", lwk_softirq_name[i], &c->softirq[i]);
	for (i = 0; i < LWK_NR_VECS; i++)
		if (lwk_vec_hooked(i))
			len += lwk_emit(buf, len, "vector.", lwk_vec_info[i].name, &c->vec[i]);
	return len;
}

static ssize_t irqs_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	struct lwk_cpu *c = lwk_kobj_cpu(kobj);
	char name[16];
	int len = 0, i;
	u32 key;

	if (!c)
		return -ENODEV;
	for (i = 0; i < LWK_IRQ_SLOTS; i++) {
		key = READ_ONCE(c->irq_key[i]);
		if (!key || !READ_ONCE(c->irq[i].count))
			continue;
		snprintf(name, sizeof(name), "%u", key - 1);
		len += lwk_emit(buf, len, "", name, &c->irq[i]);
	}
	if (READ_ONCE(c->irq_other.count))
		len += lwk_emit(buf, len, "", "other", &c->irq_other);
	return len;
}

static struct kobj_attribute lwk_attr_stats = __ATTR_RO(stats);
static struct kobj_attribute lwk_attr_irqs = __ATTR_RO(irqs);

static struct attribute *lwk_cpu_attrs[] = {
	&lwk_attr_stats.attr,
	&lwk_attr_irqs.attr,
	NULL,
};

static const struct attribute_group lwk_cpu_group = {
	.attrs = lwk_cpu_attrs,
};

void lwk_sysfs_exit(void)
{
	unsigned int cpu;

	if (lwk_cpu_kobj) {
		for_each_possible_cpu(cpu)
			kobject_put(lwk_cpu_kobj[cpu]);
		kfree(lwk_cpu_kobj);
		lwk_cpu_kobj = NULL;
	}
	if (lwk_kobj) {
		sysfs_remove_group(lwk_kobj, &lwk_group);
		kobject_put(lwk_kobj);
		lwk_kobj = NULL;
	}
}

int lwk_sysfs_init(void)
{
	unsigned int cpu;
	char name[16];
	int ret;

	lwk_kobj = kobject_create_and_add("lwk", kernel_kobj);
	if (!lwk_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(lwk_kobj, &lwk_group);
	if (ret) {
		kobject_put(lwk_kobj);
		lwk_kobj = NULL;
		return ret;
	}
	lwk_cpu_kobj = kcalloc(nr_cpu_ids, sizeof(*lwk_cpu_kobj), GFP_KERNEL);
	if (!lwk_cpu_kobj)
		goto err;
	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "cpu%u", cpu);
		lwk_cpu_kobj[cpu] = kobject_create_and_add(name, lwk_kobj);
		if (!lwk_cpu_kobj[cpu])
			goto err;
		if (sysfs_create_group(lwk_cpu_kobj[cpu], &lwk_cpu_group))
			goto err;
	}
	return 0;
err:
	lwk_sysfs_exit();
	return -ENOMEM;
}
