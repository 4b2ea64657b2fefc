/* lwk_node_status: what this node offers, read from /sys and /proc only. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "native.h"
#include "partition.h"
#include "sysfile.h"

int lwk_node_status(struct lwk_node_status *st, struct lwk_err *err)
{
	const struct lwk_backend *be;
	DIR *d;
	struct dirent *de;

	memset(st, 0, sizeof(*st));
	st->nohz_full = hwloc_bitmap_alloc();
	st->isolated = hwloc_bitmap_alloc();
	st->cgroup_version = lwk_cgroup_version();
	if (st->cgroup_version)
		snprintf(st->cpuset_root, sizeof(st->cpuset_root), "%s",
			 st->cgroup_version == 1 ? LWK_CG1_ROOT : LWK_CG2_ROOT);
	/* Absent or empty files mean none. */
	if (lwk_read_list("/sys/devices/system/cpu/nohz_full", st->nohz_full, NULL) < 0)
		hwloc_bitmap_zero(st->nohz_full);
	if (lwk_read_list("/sys/devices/system/cpu/isolated", st->isolated, NULL) < 0)
		hwloc_bitmap_zero(st->isolated);
	d = opendir("/sys/kernel/mm/hugepages");
	while (d && (de = readdir(d))) {
		unsigned long kb;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) == 1 && st->nhugesizes < 4)
			st->hugesizes[st->nhugesizes++] = (uint64_t)kb * 1024;
	}
	if (d)
		closedir(d);
	for (unsigned i = 1; i < st->nhugesizes; i++)	/* ascending */
		for (unsigned k = i; k > 0 && st->hugesizes[k - 1] > st->hugesizes[k]; k--) {
			uint64_t t = st->hugesizes[k];

			st->hugesizes[k] = st->hugesizes[k - 1];
			st->hugesizes[k - 1] = t;
		}
	st->kmod = access("/sys/kernel/lwk", F_OK) == 0;
	st->irq_steering = access("/proc/irq/default_smp_affinity", W_OK) == 0;
	st->wq_steering = access("/sys/devices/virtual/workqueue/cpumask", W_OK) == 0;
	be = lwk_backend_get(LWK_BACKEND_MCKERNEL);
	if (be)
		st->mckernel = be->available(st->mckernel_why, sizeof(st->mckernel_why));
	else
		snprintf(st->mckernel_why, sizeof(st->mckernel_why), "not built in");
	be = lwk_backend_get(LWK_BACKEND_MOS);
	if (be)
		st->mos = be->available(st->mos_why, sizeof(st->mos_why));
	else
		snprintf(st->mos_why, sizeof(st->mos_why), "not built in");
	return 0;
}

void lwk_node_status_fini(struct lwk_node_status *st)
{
	hwloc_bitmap_free(st->nohz_full);
	hwloc_bitmap_free(st->isolated);
	st->nohz_full = st->isolated = NULL;
}
