/* The native backend: a dynamically isolated partition of stock Linux.
 * Its one own step is the partition's cpuset ("cpuset" = "v<N> <path>");
 * everything node-wide (Linux cpuset, IRQs, workqueues, huge pages) is
 * steered by partition.c from the baseline (native.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "native.h"
#include "registry.h"

static bool native_available(char *why, size_t len)
{
	if (!lwk_cgroup_version()) {
		snprintf(why, len, "no cpuset cgroup controller is mounted");
		return false;
	}
	if (geteuid() != 0) {
		snprintf(why, len, "the native backend needs root");
		return false;
	}
	return true;
}

/* "v1 /sys/fs/cgroup/cpuset/lwk/x": only our own directories are accepted,
 * whatever the record says. */
static int parse_cpuset(const char *arg, int *version, const char **path)
{
	if ((strncmp(arg, "v1 ", 3) && strncmp(arg, "v2 ", 3)))
		return -1;
	*version = arg[1] - '0';
	*path = arg + 3;
	const char *root = *version == 1 ? LWK_CG1_ROOT "/" LWK_CG_DIR "/"
					 : LWK_CG2_ROOT "/" LWK_CG_DIR "/";
	size_t rl = strlen(root);

	if (strncmp(*path, root, rl) || !lwk_id_valid(*path + rl))
		return -1;
	return 0;
}

static int native_create(struct lwk_journal *j, struct lwk_partition *p, struct lwk_err *err)
{
	int v = lwk_cgroup_version();
	char note[sizeof(p->note)] = "";

	if (!v)
		return lwk_err_set(err, ENODEV, "no cpuset cgroup controller is mounted");
	if ((size_t)snprintf(p->cgroup, sizeof(p->cgroup), "%s/" LWK_CG_DIR "/%s",
			     v == 1 ? LWK_CG1_ROOT : LWK_CG2_ROOT, p->id) >= sizeof(p->cgroup))
		return lwk_err_set(err, ENAMETOOLONG, "partition id too long");
	if (lwk_journal_add(j, "cpuset", err, "v%d %s", v, p->cgroup) < 0)
		return -1;
	if (v == 1 ? lwk_cg1_make(p, p->cgroup, note, sizeof(note), err)
		   : lwk_cg2_make(p, p->cgroup, err))
		return -1;
	if (*note) {
		size_t o = strlen(p->note);

		snprintf(p->note + o, sizeof(p->note) - o, "%s%s", o ? "; " : "", note);
	}
	return 0;
}

static int native_attach(const struct lwk_partition *p, pid_t pid, struct lwk_err *err)
{
	const char *arg = lwk_partition_step(p, "cpuset"), *path;
	int v;

	if (!arg || parse_cpuset(arg, &v, &path) < 0)
		return lwk_err_set(err, EINVAL, "partition %s has no cpuset recorded", p->id);
	return lwk_cg_attach(v, path, pid, err);
}

static int native_undo(const struct lwk_partition *p, const char *step, const char *arg,
		       struct lwk_err *err)
{
	const char *path;
	int v;

	if (strcmp(step, "cpuset"))
		return lwk_err_set(err, EINVAL, "partition %s: unknown native step '%s'", p->id,
				   step);
	if (parse_cpuset(arg, &v, &path) < 0)
		return lwk_err_set(err, EINVAL, "partition %s: bad cpuset step '%s'", p->id, arg);
	return lwk_cg_remove(v, path, err);
}

static void native_describe(const struct lwk_partition *p,
			    void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
	const char *arg = lwk_partition_step(p, "cpuset"), *path;
	int v;

	if (!arg || parse_cpuset(arg, &v, &path) < 0)
		return;
	kv(ctx, "cpuset", path);
	kv(ctx, "cgroup", v == 1 ? "v1" : "v2");
	if (v == 1)
		kv(ctx, "exclusive", lwk_cg1_exclusive(path) ? "yes" : "no");
}

const struct lwk_backend lwk_backend_native = {
	.name = "native",
	.kind = LWK_BACKEND_NATIVE,
	.flags = LWK_BACKEND_STEER,
	.available = native_available,
	.create = native_create,
	.attach = native_attach,
	.undo = native_undo,
	.describe = native_describe,
};
