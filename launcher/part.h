/* Which LWK partition this rank runs in, from (in this order of preference):
 * --partition ID (the registry), the LWK_* environment the plugin exports
 * (env.h), or the caller's CPU affinity standing in as the partition. */
#ifndef LWKRUN_PART_H
#define LWKRUN_PART_H

#include <stdbool.h>

#include "partition.h"
#include "spec.h"
#include "topo.h"

enum lwkrun_part_src { LWKRUN_PART_AFFINITY, LWKRUN_PART_ENV, LWKRUN_PART_REGISTRY };

struct lwkrun_part {
	enum lwkrun_part_src src;
	char id[LWK_ID_MAX];		/* "" when not a registered partition */
	enum lwk_backend_kind backend;	/* never AUTO */
	hwloc_bitmap_t cpus;		/* the partition's PUs */
	hwloc_bitmap_t mems;		/* its NUMA nodes */
	enum lwk_pages pages;		/* 4k: leave the heap alone */
	enum lwk_sched sched;
	int mck_os;			/* mckernel: its instance (/dev/mcosN), -1 unknown */
	/* What a container's mcexec/yod needs of the host: mckernel, the
	 * instance's device (/dev/mcosN, mcos0 when unknown); mos, mOS's sysfs
	 * directory (/sys/kernel/mOS). As the partition was made, when it is
	 * in the registry; else from LWK_IHK_DEV / LWK_MOS_SYSFS. "" native. */
	char lwk_path[4096];
	/* Affinity only: the caller's launcher already bound this rank to a
	 * part of what it may use, so cpus is the rank's share, not the node's. */
	bool prebound;
};

void lwkrun_part_init(struct lwkrun_part *p);
void lwkrun_part_fini(struct lwkrun_part *p);

/* 1 when LWK_CPUS is set, 0 when not, -1 on a malformed variable. A
 * mckernel partition named by LWK_PARTITION is looked up in the registry
 * (LWK_STATEDIR) for its McKernel instance. tp is used only when LWK_MEMS
 * is unset (its nodes are those of LWK_CPUS); NULL makes that an error. */
int lwkrun_part_from_env(const struct lwk_topo *tp, char *const *envp,
			 struct lwkrun_part *out, struct lwk_err *err);
/* The variables alone (part_env.c): as
 * lwkrun_part_from_env, but LWK_MEMS unset leaves out->mems empty and a
 * mckernel partition's instance unknown (mck_os -1). */
int lwkrun_part_read_env(char *const *envp, struct lwkrun_part *out, struct lwk_err *err);
/* A mckernel partition's McKernel instance (out->mck_os), looked up in the
 * registry (LWK_STATEDIR) by out->id. */
int lwkrun_part_mck_instance(char *const *envp, struct lwkrun_part *out, struct lwk_err *err);
int lwkrun_part_from_registry(const char *statedir, const char *id,
			      struct lwkrun_part *out, struct lwk_err *err);
/* cpus: the caller's affinity (read by the caller, so tests can pass any). */
int lwkrun_part_from_affinity(const struct lwk_topo *tp, hwloc_const_bitmap_t cpus,
			      struct lwkrun_part *out, struct lwk_err *err);

/* "native" -> LWK_BACKEND_NATIVE ...; AUTO is not a partition's backend. */
int lwkrun_backend_parse(const char *name, enum lwk_backend_kind *b, struct lwk_err *err);
const char *lwkrun_part_src_name(enum lwkrun_part_src s);
/* pages: and sched: of a canonical spec text into out (the spec's own
 * defaults for what it leaves out); what names the text in errors. */
int lwkrun_part_spec(const char *what, const char *text, struct lwkrun_part *out,
		     struct lwk_err *err);

#endif
