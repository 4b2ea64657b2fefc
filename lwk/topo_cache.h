/* The node's topology, discovered once per node and reused.
 *
 * Discovering a node (hwloc's Linux backend: sysfs files for every CPU)
 * grows with the node, and every LWK step's slurmstepd and every rank's
 * lwkrun would repeat it, all at once. Instead root code (the plugin at
 * slurmd start and in slurmstepd, lwkpart) keeps an hwloc XML export in the
 * LWK state directory, <statedir>/topology.xml, and everyone loads that.
 *
 * The export carries a stamp of what would make it wrong: the boot id,
 * the online CPUs, the online NUMA nodes, the total memory, hwloc's version
 * and this file's format. It is used only when
 *   - it is a regular file owned by root or by the caller, that nobody else
 *     can write (a root reader takes root's files only),
 *   - hwloc parses it,
 *   - its stamp equals the node's now (a CPU or memory hotplug, a new boot,
 *     an upgraded hwloc all change it);
 * otherwise the node is discovered again and, with LWK_TOPO_SAVE, the file
 * replaced (atomically: a reader sees the old one or the new one). Never
 * trusted, only reused. What the export holds that changes without any of
 * that (hwloc's huge page counts per node) is not used by liblwk, which
 * takes a node's memory from its MemTotal (local_memory) only. A caller that points hwloc elsewhere (HWLOC_SYNTHETIC,
 * HWLOC_XMLFILE, HWLOC_FSROOT, HWLOC_COMPONENTS) gets that, and the cache is
 * neither read nor written.
 */
#ifndef LWK_TOPO_CACHE_H
#define LWK_TOPO_CACHE_H

#include <stddef.h>

#include "topo.h"

#define LWK_TOPO_CACHE_FILE "topology.xml"

/* flags */
#define LWK_TOPO_SAVE	1u	/* write what was discovered back (root code) */

/* This node's topology, from statedir's cache when it is still right.
 * statedir NULL: LWK_STATEDIR. Returns 1 when it came from the cache, 0
 * when it was discovered (why, if not NULL, then says why the cache was not
 * used, and whether saving failed), -1 on error (discovery failed). */
int lwk_topo_load_node(struct lwk_topo *tp, const char *statedir, unsigned flags,
		       char *why, size_t whylen, struct lwk_err *err);

#endif
