/* The native backend: a dynamically isolated partition of stock Linux.
 * (Filled in step by step; create is refused until the cpuset code lands.) */
#include <errno.h>
#include <stdio.h>

#include "backend.h"

static bool native_available(char *why, size_t len)
{
	snprintf(why, len, "the native backend is not built yet");
	return false;
}

static int native_create(struct lwk_journal *j, struct lwk_partition *p, struct lwk_err *err)
{
	return lwk_err_set(err, ENOSYS, "the native backend is not built yet");
}

static int native_attach(const struct lwk_partition *p, pid_t pid, struct lwk_err *err)
{
	return lwk_err_set(err, ENOSYS, "the native backend is not built yet");
}

static int native_undo(const struct lwk_partition *p, const char *step, const char *arg,
		       struct lwk_err *err)
{
	return lwk_err_set(err, ENOSYS, "the native backend is not built yet");
}

static void native_describe(const struct lwk_partition *p,
			    void (*kv)(void *ctx, const char *key, const char *value), void *ctx)
{
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
