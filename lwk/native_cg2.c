/* cgroup v2 cpusets (tested in the VM; this host is v1).
 *
 * <root>/lwk is an isolated partition (cpuset.cpus.partition=isolated: no
 * load balancing) holding the union of the partitions' CPUs, which takes
 * them out of every other cgroup's effective CPUs: v2 keeps the rest of the
 * system off the LWK CPUs by itself. Each partition is <root>/lwk/<id>, a
 * plain child cpuset of its own CPUs and memory nodes under it (the registry
 * keeps partitions apart). Every change of a partition's type or CPUs
 * rebuilds the kernel's scheduling domains, which costs more the more CPUs
 * the node has (17-40 ms each in a 64-CPU guest): one partition, not one
 * per job under a parent one, makes a create and a destroy one rebuild
 * each. +cpuset is enabled in the root's subtree_control if it was not, and
 * disabled again at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native.h"
#include "sysfile.h"

#define ROOT LWK_CG2_ROOT
#define LWKDIR ROOT "/" LWK_CG_DIR

static int has_cpuset(const char *dir, const char *file)
{
	char path[512], buf[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (lwk_read_str(path, buf, sizeof(buf), NULL) < 0)
		return 0;
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		if (!strcmp(t, "cpuset"))
			return 1;
	return 0;
}

static int write_in(const char *dir, const char *file, const char *v, struct lwk_err *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return lwk_write_str(path, v, err);
}

/* Sets cpuset.cpus.partition and checks the kernel accepted it: an invalid
 * partition reads back as "<type> invalid (<reason>)". */
static int set_partition(const char *dir, const char *type, struct lwk_err *err)
{
	char path[512], buf[256];

	snprintf(path, sizeof(path), "%s/cpuset.cpus.partition", dir);
	if (lwk_read_str(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (strcmp(buf, type) && lwk_write_str(path, type, err) < 0)
		return -1;
	if (lwk_read_str(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (strcmp(buf, type))
		return lwk_err_set(err, EINVAL, "the kernel refused %s as a %s cpuset partition: "
				   "'%s'", dir, type, buf);
	return 0;
}

/* The type the partitions' parent keeps: "isolated", or "root" where an
 * earlier slurm-lwk made it so (its partitions are isolated partitions under
 * it) and partitions of that layout still live: they keep their layout, and
 * partitions made beside them take it, until the last one goes. */
static const char *parent_type(void)
{
	char buf[256];

	if (lwk_read_str(LWKDIR "/cpuset.cpus.partition", buf, sizeof(buf), NULL) == 0 &&
	    !strcmp(buf, "root"))
		return "root";
	return "isolated";
}

static int set_list(const char *dir, const char *file, hwloc_const_bitmap_t set,
		    struct lwk_err *err)
{
	char path[512];
	hwloc_bitmap_t cur = hwloc_bitmap_alloc();
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (lwk_read_list(path, cur, NULL) < 0 || !hwloc_bitmap_isequal(cur, set))
		rc = lwk_write_list(path, set, err);
	hwloc_bitmap_free(cur);
	return rc;
}

int lwk_cg2_apply(const struct lwk_baseline *b, const struct lwk_native_plan *pl,
		  struct lwk_err *err)
{
	if (pl->any) {
		if (!has_cpuset(ROOT, "cgroup.subtree_control") &&
		    write_in(ROOT, "cgroup.subtree_control", "+cpuset", err) < 0)
			return -1;
		if (mkdir(LWKDIR, 0755) < 0 && errno != EEXIST)
			return lwk_err_set(err, errno, "cannot create cgroup %s: %s", LWKDIR,
					   strerror(errno));
		if (set_list(LWKDIR, "cpuset.cpus", pl->lwk, err) < 0 ||
		    set_partition(LWKDIR, parent_type(), err) < 0)
			return -1;
		if (!has_cpuset(LWKDIR, "cgroup.subtree_control") &&
		    write_in(LWKDIR, "cgroup.subtree_control", "+cpuset", err) < 0)
			return -1;
		return 0;
	}
	DIR *d = opendir(LWKDIR);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char dir[512];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), LWKDIR "/%s", de->d_name);
		if (lwk_cg_remove(2, dir, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	if (d)
		closedir(d);
	if (lwk_cg_remove(2, LWKDIR, err) < 0)
		return -1;
	/* Another user of the cpuset controller may keep it busy: then it stays. */
	if (!b->v2_cpuset && has_cpuset(ROOT, "cgroup.subtree_control"))
		write_in(ROOT, "cgroup.subtree_control", "-cpuset", NULL);
	return 0;
}

int lwk_cg2_make(const struct lwk_partition *p, const char *path, struct lwk_err *err)
{
	hwloc_bitmap_t mems = hwloc_bitmap_alloc();
	int rc = -1;

	lwk_native_mems(p, mems);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		lwk_err_set(err, errno, "cannot create cgroup %s: %s", path, strerror(errno));
		goto out;
	}
	if (set_list(path, "cpuset.cpus", p->cpus, err) < 0 ||
	    set_list(path, "cpuset.mems", mems, err) < 0 ||
	    (!strcmp(parent_type(), "root") && set_partition(path, "isolated", err) < 0))
		goto out;
	rc = 0;
out:
	hwloc_bitmap_free(mems);
	return rc;
}
