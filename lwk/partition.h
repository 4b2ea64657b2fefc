/* Partitions: the one entry point for creating, using and tearing down an
 * LWK partition on this node, whatever the backend.
 *
 * Every change to the node is recorded in the registry (statedir, default
 * /run/lwk) before it is made, so that lwk_reap() can undo the work of a
 * creator that crashed or was killed at any point. Concurrent callers are
 * serialised by a lock in statedir. Partitions compose: node-wide masks (IRQ
 * affinity, default_smp_affinity, unbound workqueues, the Linux cpuset) are
 * always "the node's original value minus the union of live partitions", and
 * the original values come back exactly when the last partition goes.
 */
#ifndef LWK_PARTITION_H
#define LWK_PARTITION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "noise.h"
#include "place.h"
#include "spec.h"

#define LWK_ID_MAX 64
#define LWK_HOLDERS_MAX 192	/* "a,b,...": the names of a partition's holders */

enum lwk_part_state { LWK_PART_CREATING, LWK_PART_LIVE, LWK_PART_DESTROYING };

/* One change a backend made to the node, recorded before it was made (see
 * backend.h). */
#define LWK_STEPS_MAX 32
struct lwk_step {
	char name[32];
	char arg[224];
};

struct lwk_partition {
	char id[LWK_ID_MAX];		/* [A-Za-z0-9._-]+ */
	char owner[LWK_ID_MAX];		/* e.g. "job:1234"; "" if none */
	pid_t creator;			/* pid that created it */
	enum lwk_backend_kind backend;	/* never AUTO once created */
	enum lwk_part_state state;
	hwloc_bitmap_t cpus;
	hwloc_bitmap_t mems;
	hwloc_const_bitmap_t linux_cpus;	/* create() only: the placement's Linux CPUs
					 * (NULL if none); borrowed, not recorded */
	unsigned nmem;
	struct lwk_node_mem mem[LWK_MAX_NUMA];
	enum lwk_pages pages;
	char spec[LWK_SPEC_MAX];	/* canonical spec it was made from, or "" */
	time_t created;
	char cgroup[256];		/* native: its cpuset directory */
	char note[256];			/* remarks from creation, e.g. why not exclusive */
	char holders[LWK_HOLDERS_MAX];	/* comma-separated names of the daemons using
					 * it (lwk_partition_join); "" if none recorded */
	char boot_id[40];		/* kernel boot it was made in: after a reboot the
					 * record is stale and reap drops it, undoing nothing */
	unsigned nsteps;
	struct lwk_step step[LWK_STEPS_MAX];	/* changes recorded, oldest first */
};

void lwk_partition_init(struct lwk_partition *p);
void lwk_partition_fini(struct lwk_partition *p);

struct lwk_create_req {
	const char *statedir;		/* NULL: LWK_STATEDIR */
	const char *id;			/* NULL: generated */
	const char *owner;		/* NULL: none */
	enum lwk_backend_kind backend;	/* AUTO: best available */
	unsigned allowed;		/* AUTO picks among these (policy's
					 * backends bits); 0: any */
	const struct lwk_placement *pl;	/* cpus, mems, memory per node, pages */
	const char *spec;		/* canonical spec text, for the record */
	const char *note;		/* NULL or one line the caller wants in the
					 * record's note (e.g. lwk_place_irq's) */
	const char *holder;		/* NULL, or its first holder (lwk_holder_valid) */
};

/* Creates the partition. On failure everything done so far is undone and
 * the node is as before. out may be NULL. */
int lwk_partition_create(const struct lwk_create_req *req, struct lwk_partition *out,
			 struct lwk_err *err);

/* Moves pid (a whole process) into the partition. */
int lwk_partition_attach(const char *statedir, const char *id, pid_t pid,
			 struct lwk_err *err);

/* Tears the partition down; tasks still inside are moved to the Linux cores. */
int lwk_partition_destroy(const char *statedir, const char *id, struct lwk_err *err);

int lwk_partition_get(const char *statedir, const char *id, struct lwk_partition *out,
		      struct lwk_err *err);

/* What interrupted the partition's CPUs since its creation (native backend;
 * see noise.h); free with lwk_noise_fini. Read it before destroying. */
int lwk_partition_noise(const char *statedir, const char *id, struct lwk_noise *out,
			struct lwk_err *err);

/* Holds off the making and teardown of partitions on this node (a shared
 * lock on the registry, which creators and destroyers take exclusively)
 * until lwk_partition_release(): for a caller that acts on the set of LWK
 * CPUs it read, e.g. slurmstepd forking a step's tasks. Returns the held
 * descriptor, or -1 (err set). */
int lwk_partition_hold(const char *statedir, struct lwk_err *err);
void lwk_partition_release(int hold);

/* All recorded partitions; free with lwk_partition_list_free. */
int lwk_partition_list(const char *statedir, struct lwk_partition **out, size_t *n,
		       struct lwk_err *err);
void lwk_partition_list_free(struct lwk_partition *arr, size_t n);

/* Undoes partitions: every one left creating or destroying by a creator
 * that died (the lock proves it), those of owner (if not NULL), and with
 * stale also every partition whose owner is not running (owner_alive says;
 * NULL: an owner "pid:N" runs while process N does, other owners are kept).
 * Then restores node-wide state. *count gets the number reaped. */
int lwk_reap(const char *statedir, const char *owner, bool stale,
	     bool (*owner_alive)(const char *owner), unsigned *count,
	     struct lwk_err *err);

/* Holders. Where several execution daemons of one job share a kernel (two
 * PBS MoMs on one machine, as Slurm's emulated nodes), the job gets one
 * partition there, not one per daemon: the first makes it naming itself as
 * its holder, the others join it, and each leaves at its end; the partition
 * is torn down when the last holder has left. On a node with one daemon per
 * kernel the partition has a single holder and this changes nothing.
 * A holder name is [A-Za-z0-9._-]+, shorter than LWK_ID_MAX. */
bool lwk_holder_valid(const char *h);
bool lwk_holders_has(const char *list, const char *h);
/* Adds h to the comma-separated list (of size len) unless it is there;
 * -1 if it does not fit. */
int lwk_holders_add(char *list, size_t len, const char *h);
/* Removes h; false if it was not there. */
bool lwk_holders_del(char *list, const char *h);

/* holder joins the live partition id of owner: 1 if joined (out, if not
 * NULL, gets the record), 0 if there is no live partition id (the caller
 * makes it with req.holder; lwk_partition_create first undoes a record a
 * dead creator left), -1 if there is one that holder cannot join (another
 * owner, or another spec when spec is not NULL), err saying which. */
int lwk_partition_join(const char *statedir, const char *id, const char *owner,
		       const char *spec, const char *holder, struct lwk_partition *out,
		       struct lwk_err *err);

/* holder leaves every partition of owner. *kept gets how many of them
 * still have other holders: those are not the caller's to reap (by, if
 * not NULL, gets their holders). A partition without holders, or held by
 * holder alone, is not kept; the last holder stays recorded until the
 * partition is gone, so that a teardown cut short stays its own. */
int lwk_partition_leave(const char *statedir, const char *owner, const char *holder,
			unsigned *kept, char *by, size_t bylen, struct lwk_err *err);

/* What this node can do. */
struct lwk_node_status {
	int cgroup_version;		/* 1, 2, or 0 if no cpuset controller */
	char cpuset_root[256];
	hwloc_bitmap_t nohz_full;	/* empty if none */
	hwloc_bitmap_t isolated;	/* isolcpus */
	unsigned nhugesizes;
	uint64_t hugesizes[4];		/* bytes */
	bool kmod;			/* /sys/kernel/lwk present */
	bool irq_steering;		/* /proc/irq writable */
	bool wq_steering;		/* workqueue cpumask writable */
	bool mckernel, mos;		/* their devices/sysfs present */
	char mckernel_why[128], mos_why[128];
};

int lwk_node_status(struct lwk_node_status *st, struct lwk_err *err);
void lwk_node_status_fini(struct lwk_node_status *st);

const char *lwk_part_state_name(enum lwk_part_state s);

/* The backend lwk_partition_create would choose for WANT among ALLOWED
 * (policy bits, 0: any) on this node now: its kind, or -1 if none is
 * available. Placement asks it before the partition exists. */
int lwk_partition_backend_for(enum lwk_backend_kind want, unsigned allowed);

#endif
