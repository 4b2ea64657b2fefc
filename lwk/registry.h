/* The partition registry: durable state under statedir (default /run/lwk).
 *
 *   statedir/lock            flock()ed by whoever changes partitions or the node
 *   statedir/<id>.part       one record per partition: intent, state, owner,
 *                            creator, and the steps its backend recorded
 *   statedir/node.baseline   the node's original values while any partition
 *                            exists (written by the native backend)
 *
 * Every write is write-temp then rename, so a reader or a killed writer
 * sees the old record or the new one, never a mix. Records carry the boot
 * id: after a reboot (whose kernel state is fresh) they are stale and reap
 * drops them without undoing anything; see sysfile.h for why there is no
 * fsync. Records are key=value lines; lwk_record_format/parse are pure,
 * for the unit tests.
 */
#ifndef LWK_REGISTRY_H
#define LWK_REGISTRY_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "backend.h"
#include "error.h"
#include "partition.h"

#define LWK_BASELINE_FILE "node.baseline"

struct lwk_registry {
	char dir[PATH_MAX];
	int lockfd;		/* -1 unless locked */
};

/* statedir NULL: LWK_STATEDIR. With create, makes the directory (0755). */
int lwk_registry_open(struct lwk_registry *r, const char *statedir, bool create,
		      struct lwk_err *err);
/* Blocks until this process holds the registry lock (shared: only
 * against exclusive holders; see lwk_partition_hold). */
int lwk_registry_lock(struct lwk_registry *r, struct lwk_err *err);
int lwk_registry_lock_shared(struct lwk_registry *r, struct lwk_err *err);
void lwk_registry_close(struct lwk_registry *r);	/* unlocks */

int lwk_registry_put(struct lwk_registry *r, const struct lwk_partition *p,
		     struct lwk_err *err);
/* ENOENT (with a message naming the id) if there is no such partition. */
int lwk_registry_get(struct lwk_registry *r, const char *id, struct lwk_partition *p,
		     struct lwk_err *err);
int lwk_registry_del(struct lwk_registry *r, const char *id, struct lwk_err *err);
/* Every record, sorted by id. An unreadable record is an error naming it. */
int lwk_registry_list(struct lwk_registry *r, struct lwk_partition **out, size_t *n,
		      struct lwk_err *err);

/* Journal of one partition being created (see backend.h). */
struct lwk_journal {
	struct lwk_registry *reg;
	struct lwk_partition *p;
};

/* [A-Za-z0-9._-]+, not starting with '.', shorter than LWK_ID_MAX. */
bool lwk_id_valid(const char *id);

/* Record text of p (malloc'ed) and back. parse names the bad line. */
char *lwk_record_format(const struct lwk_partition *p);
int lwk_record_parse(const char *text, const char *what, struct lwk_partition *p,
		     struct lwk_err *err);

/* This kernel boot's id (/proc/sys/kernel/random/boot_id), "" if unknown. */
const char *lwk_boot_id(void);
/* Was p recorded in an earlier boot (its node state is gone)? */
bool lwk_partition_stale_boot(const struct lwk_partition *p);

/* Name <-> enum helpers that do not depend on the spec module. */
const char *lwk_registry_backend_name(enum lwk_backend_kind b);
int lwk_registry_backend_kind(const char *name, enum lwk_backend_kind *b);

#endif
