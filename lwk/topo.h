/* Node topology through hwloc: the real machine, or a synthetic/XML one for
 * tests. All CPU and NUMA sets in liblwk are hwloc bitmaps of OS indexes. */
#ifndef LWK_TOPO_H
#define LWK_TOPO_H

#include <stddef.h>

#include <hwloc.h>

#include "error.h"

struct lwk_topo {
	hwloc_topology_t t;
};

/* This machine, including CPUs our own cpuset does not allow. */
int lwk_topo_load(struct lwk_topo *tp, struct lwk_err *err);
/* e.g. "pack:2 numa:2 core:16 pu:2" */
int lwk_topo_load_synthetic(struct lwk_topo *tp, const char *desc, struct lwk_err *err);
int lwk_topo_load_xml(struct lwk_topo *tp, const char *path, struct lwk_err *err);
/* An XML export of this very machine in memory (len counts the ending NUL):
 * bound through the OS like lwk_topo_load's, allowed CPUs from our own
 * cpuset. what names it in errors. For the node cache (topo_cache.h). */
int lwk_topo_load_xmlbuffer(struct lwk_topo *tp, const char *buf, size_t len,
			    const char *what, struct lwk_err *err);
void lwk_topo_fini(struct lwk_topo *tp);

/* Slurm's abstract core list for a node (S_JOB_ALLOC_CORES: socket-major
 * core indexes, no hyperthreads, e.g. "0-3,8") to the OS PUs of those cores.
 * An index beyond the node's cores is an error. */
int lwk_topo_slurm_cores(const struct lwk_topo *tp, const char *corelist,
			 hwloc_bitmap_t pus, struct lwk_err *err);

/* OS NUMA nodes whose CPUs intersect cpus. */
void lwk_topo_cpus_to_mems(const struct lwk_topo *tp, hwloc_const_bitmap_t cpus,
			   hwloc_bitmap_t mems);

unsigned lwk_topo_ncores(const struct lwk_topo *tp);

/* The i-th core in hwloc logical order (socket-major), or NULL past the end.
 * On a machine where hwloc sees no cores, each PU counts as a core. */
hwloc_obj_t lwk_topo_core(const struct lwk_topo *tp, unsigned i);

#endif
