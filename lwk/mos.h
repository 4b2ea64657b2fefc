/* The mOS backend's pure part (unit-tested): the lwkctl partition spec.
 *
 * Settings (secure_getenv; test hooks and site overrides):
 *   LWK_MOS_SYSFS         mOS's sysfs directory, default /sys/kernel/mOS
 *   LWK_MOS_BINDIR        where lwkctl is, default the first of /usr/sbin,
 *                         /usr/bin, /usr/local/sbin, /usr/local/bin with it
 *   LWK_MOS_LOCK_TIMEOUT  s lwkctl waits for its lock (-t), default 10;
 *                         a timed-out lwkctl is tried 3 times in all
 */
#ifndef LWK_MOS_H
#define LWK_MOS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "place.h"
#include "topo.h"

#define LWK_MOS_SECTION (128ull << 20)	/* LWK memory comes in 128 MiB sections */

/* "lwkcpus=U.LIST:U.LIST lwkmem=NODE:SIZE,..." for lwkctl -c. One group
 * per NUMA node holding LWK CPUs; its utility CPU U is the lowest of
 * linux_cpus (may be NULL) on that node, else the lowest non-LWK CPU of the
 * node, else of the machine. Memory is rounded up to 128 MiB per node;
 * lwkmem is left out without memory. */
int lwk_mos_config(const struct lwk_topo *tp, hwloc_const_bitmap_t lwk,
		   hwloc_const_bitmap_t linux_cpus, const struct lwk_node_mem *mem,
		   unsigned nmem, char *buf, size_t len, struct lwk_err *err);

struct lwk_partition;

/* mOS's sysfs directory as partition p was made with it (p NULL, or not an
 * mOS partition: LWK_MOS_SYSFS, default /sys/kernel/mOS): what yod reads
 * and writes, and a container needs. */
void lwk_mos_sysfs(const struct lwk_partition *p, char *buf, size_t len);

/* "512M", "8G": the size mOS is given. */
void lwk_mos_size(uint64_t bytes, char *buf, size_t len);

#endif
