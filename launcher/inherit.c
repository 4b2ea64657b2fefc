/* Taking the rank's plan as the plugin made it (inherit.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "env.h"
#include "inherit.h"
#include "part.h"

/* Enough for any node hwloc and the kernel describe (NR_CPUS <= 8192). */
#define MAX_IDS 8192

static int list_var(char *const *envp, const char *name, hwloc_bitmap_t set,
		    struct lwk_err *err)
{
	const char *v = lwkrun_getenv(envp, name);

	if (!v || !*v || hwloc_bitmap_list_sscanf(set, v) < 0 || hwloc_bitmap_weight(set) <= 0 ||
	    hwloc_bitmap_last(set) >= MAX_IDS)
		return lwk_err_set(err, EINVAL, "%s is not set to a list of OS indexes", name);
	return 0;
}

static int uint_var(char *const *envp, const char *name, unsigned *out, struct lwk_err *err)
{
	const char *v = lwkrun_getenv(envp, name);
	char *end;
	unsigned long n;

	if (!v || *v < '0' || *v > '9')
		return lwk_err_set(err, EINVAL, "%s is not set to a number", name);
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n > 0xffffu)
		return lwk_err_set(err, EINVAL, "%s is not set to a number", name);
	*out = (unsigned)n;
	return 0;
}

/* This thread's CPU affinity is exactly set. */
static int bound_to_cpus(hwloc_const_bitmap_t set, struct lwk_err *err)
{
	size_t sz = CPU_ALLOC_SIZE(MAX_IDS);
	cpu_set_t *mask = CPU_ALLOC(MAX_IDS);
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	int i, ok = 0;

	if (mask && now && sched_getaffinity(0, sz, mask) == 0) {
		for (i = 0; i < MAX_IDS; i++)
			if (CPU_ISSET_S(i, sz, mask))
				hwloc_bitmap_set(now, (unsigned)i);
		ok = hwloc_bitmap_isequal(now, set);
	}
	if (mask)
		CPU_FREE(mask);
	hwloc_bitmap_free(now);
	return ok ? 0 : lwk_err_set(err, EAGAIN, "the CPU affinity is not %s's", LWK_ENV_RANK_CPUS);
}

/* This thread's memory policy binds it to exactly set (MPOL_BIND, which
 * hwloc's strict bind is). The raw syscall: no libnuma to load. */
static int bound_to_mems(hwloc_const_bitmap_t set, struct lwk_err *err)
{
	unsigned long mask[MAX_IDS / (8 * sizeof(unsigned long))];
	const unsigned bits = 8 * sizeof(unsigned long);
	hwloc_bitmap_t now = hwloc_bitmap_alloc();
	int mode = 0, ok = 0;
	unsigned i;

	memset(mask, 0, sizeof(mask));
	if (now && syscall(SYS_get_mempolicy, &mode, mask, (unsigned long)MAX_IDS, NULL, 0UL) == 0 &&
	    (mode & ~MPOL_MODE_FLAGS) == MPOL_BIND) {
		for (i = 0; i < MAX_IDS; i++)
			if (mask[i / bits] & (1UL << (i % bits)))
				hwloc_bitmap_set(now, i);
		ok = hwloc_bitmap_isequal(now, set);
	}
	hwloc_bitmap_free(now);
	return ok ? 0 : lwk_err_set(err, EAGAIN, "the memory policy is not a bind to %s",
				    LWK_ENV_RANK_MEMS);
}

void lwkrun_inherited_init(struct lwkrun_inherited *in)
{
	lwkrun_part_init(&in->part);
	in->rank = in->size = 0;
	in->cpus = hwloc_bitmap_alloc();
	in->mems = hwloc_bitmap_alloc();
}

void lwkrun_inherited_fini(struct lwkrun_inherited *in)
{
	lwkrun_part_fini(&in->part);
	hwloc_bitmap_free(in->cpus);
	hwloc_bitmap_free(in->mems);
	in->cpus = in->mems = NULL;
}

int lwkrun_inherit_check(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
			 struct lwkrun_inherited *in, struct lwk_err *err)
{
	struct lwkrun_part *part = &in->part;

	if (!prog || !prog[0] || !prog[0][0])
		return 0;	/* the full path says what is wrong */
	if (!lwkrun_getenv(envp, LWK_ENV_MEMS) || !lwkrun_getenv(envp, LWK_ENV_RANK_CPUS)) {
		lwk_err_set(err, ENOENT, "no plan from the plugin");
		return 0;
	}
	if (!part->cpus || !part->mems || !in->cpus || !in->mems)
		return 0;
	if (lwkrun_part_read_env(envp, part, err) != 1)
		return 0;
	if (hwloc_bitmap_iszero(part->mems)) {
		lwk_err_set(err, EINVAL, "%s is not set", LWK_ENV_MEMS);
		return 0;
	}
	if (uint_var(envp, LWK_ENV_LOCAL_RANK, &in->rank, err) ||
	    uint_var(envp, LWK_ENV_LOCAL_SIZE, &in->size, err) ||
	    list_var(envp, LWK_ENV_RANK_CPUS, in->cpus, err) ||
	    list_var(envp, LWK_ENV_RANK_MEMS, in->mems, err))
		return 0;
	if (in->rank != loc->rank || in->size != loc->size) {
		lwk_err_set(err, EAGAIN, "the plugin planned local rank %u of %u, this is %u of %u",
			    in->rank, in->size, loc->rank, loc->size);
		return 0;
	}
	if (!hwloc_bitmap_isincluded(in->cpus, part->cpus) ||
	    !hwloc_bitmap_isincluded(in->mems, part->mems)) {
		lwk_err_set(err, EINVAL, "the rank's share is not in the partition");
		return 0;
	}
	if (part->backend == LWK_BACKEND_NATIVE &&
	    (bound_to_cpus(in->cpus, err) || bound_to_mems(in->mems, err) ||
	     (part->sched == LWK_SCHED_FIFO && sched_getscheduler(0) != SCHED_FIFO &&
	      lwk_err_set(err, EAGAIN, "sched:fifo, but the task is not SCHED_FIFO"))))
		return 0;
	return 1;
}
