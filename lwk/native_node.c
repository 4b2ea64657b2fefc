/* Reading the node's baseline and making the node match a plan. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "native.h"
#include "registry.h"
#include "sysfile.h"

int lwk_cgroup_version(void)
{
	char buf[512];

	if (!access(LWK_CG1_ROOT "/cpuset.cpus", F_OK) || !access(LWK_CG1_ROOT "/cpus", F_OK))
		return 1;
	if (!lwk_read_str(LWK_CG2_ROOT "/cgroup.controllers", buf, sizeof(buf), NULL)) {
		for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
			if (!strcmp(t, "cpuset"))
				return 2;
	}
	return 0;
}

static int cg2_has_cpuset(const char *file)
{
	char buf[512];

	if (lwk_read_str(file, buf, sizeof(buf), NULL) < 0)
		return 0;
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		if (!strcmp(t, "cpuset"))
			return 1;
	return 0;
}

int lwk_baseline_read(struct lwk_baseline *b, struct lwk_err *err)
{
	char buf[64];

	snprintf(b->boot_id, sizeof(b->boot_id), "%s", lwk_boot_id());
	b->cgroup = lwk_cgroup_version();
	if (!b->cgroup)
		return lwk_err_set(err, ENODEV, "no cpuset cgroup controller is mounted: mount "
				   "cgroup v1 cpuset at " LWK_CG1_ROOT " or enable it in cgroup v2");
	if (lwk_read_list("/sys/devices/system/cpu/online", b->online, err) < 0)
		return -1;
	if (b->cgroup == 1) {
		const char *pre = access(LWK_CG1_ROOT "/cpuset.cpus", F_OK) ? "" : "cpuset.";
		char path[256];

		snprintf(path, sizeof(path), LWK_CG1_ROOT "/%smems", pre);
		if (lwk_read_list(path, b->mems, err) < 0)
			return -1;
		snprintf(path, sizeof(path), LWK_CG1_ROOT "/%ssched_load_balance", pre);
		if (lwk_read_str(path, buf, sizeof(buf), err) < 0)
			return -1;
		b->root_lb = buf[0] == '1';
	} else {
		if (lwk_read_list(LWK_CG2_ROOT "/cpuset.mems.effective", b->mems, err) < 0)
			return -1;
		b->v2_cpuset = cg2_has_cpuset(LWK_CG2_ROOT "/cgroup.subtree_control");
	}
	if (lwk_steer_read(b, err) < 0 || lwk_huge_read(b, err) < 0)
		return -1;
	return 0;
}

int lwk_native_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		     char *note, size_t notelen, struct lwk_err *err)
{
	int rc = b->cgroup == 2 ? lwk_cg2_apply(b, pl, err) : lwk_cg1_apply(b, pl, err);

	if (rc < 0)
		return -1;
	lwk_fault_point("node-cgroups");
	if (lwk_steer_apply(b, pl, note, notelen, err) < 0)
		return -1;
	lwk_fault_point("node-steer");
	if (lwk_huge_apply(b, pl, err) < 0)
		return -1;
	lwk_fault_point("node-hugepages");
	return 0;
}
