/* Backends: the one interface behind which native, McKernel and mOS
 * partitions are made. lwk/partition.c owns the registry, its lock, ids and
 * node-wide steering; a backend only makes the changes that are its own.
 *
 * The journal rule, which makes every crash recoverable:
 *   before each change to the node, a backend calls lwk_journal_add(j, STEP,
 *   ARG); when it returns 0 the step is in the partition's record.
 *   undo(p, STEP, ARG) reverts exactly one such step and is idempotent: it
 *   succeeds if the change was never made (crash between record and change)
 *   or was already undone. Destroy and reap replay undo over p->step[] in
 *   reverse order and then drop the record; there is no other teardown path.
 * ARG is one line of text the backend chooses (what undo needs: a path, a
 * count, an OS instance index); attach and describe can read it back with
 * lwk_partition_step(). Steps are named [a-z0-9_-]+; LWK_FAULT=<step> makes
 * the process SIGKILL itself right after that step is recorded (tests).
 */
#ifndef LWK_BACKEND_H
#define LWK_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "partition.h"

struct lwk_journal;	/* the partition's open record; given to create() */

/* Appends the step to the record (write-temp, rename: see registry.h). */
int lwk_journal_add(struct lwk_journal *j, const char *step, struct lwk_err *err,
		    const char *argfmt, ...) __attribute__((format(printf, 4, 5)));

/* ARG of the last recorded step named step, or NULL. */
const char *lwk_partition_step(const struct lwk_partition *p, const char *step);

/* partition.c steers node-wide state for this backend's partitions: the
 * Linux cpuset, IRQ and workqueue masks, and huge pages for p->mem[]. A
 * backend that takes CPUs and memory away from Linux itself (IHK, mOS)
 * leaves it clear. */
#define LWK_BACKEND_STEER 0x1u

struct lwk_backend {
	const char *name;		/* "native", "mckernel", "mos" */
	enum lwk_backend_kind kind;
	unsigned flags;			/* LWK_BACKEND_* */

	/* true if usable on this node; else false and a reason in why. */
	bool (*available)(char *why, size_t len);

	/* Makes partition p (id, cpus, mems, mem[], pages filled in; cgroup
	 * may be set by the backend). Journal every change first. On error
	 * just return -1: the caller undoes the recorded steps. */
	int (*create)(struct lwk_journal *j, struct lwk_partition *p, struct lwk_err *err);

	/* Moves process pid (all its threads) into the live partition p. */
	int (*attach)(const struct lwk_partition *p, pid_t pid, struct lwk_err *err);

	/* Reverts one recorded step; idempotent (see above). */
	int (*undo)(const struct lwk_partition *p, const char *step, const char *arg,
		    struct lwk_err *err);

	/* Backend facts for `lwkpart show`: calls kv once per "key: value". */
	void (*describe)(const struct lwk_partition *p,
			 void (*kv)(void *ctx, const char *key, const char *value), void *ctx);
};

/* The backend of a kind, or NULL if not built in. */
const struct lwk_backend *lwk_backend_get(enum lwk_backend_kind kind);

/* Each backend's definition (lwk/native.c, lwk/mckernel.c, lwk/mos.c). */
extern const struct lwk_backend lwk_backend_native;
extern const struct lwk_backend lwk_backend_mckernel;
extern const struct lwk_backend lwk_backend_mos;

#endif
