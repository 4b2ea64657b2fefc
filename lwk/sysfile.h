/* Small-file I/O for /proc, /sys, cgroupfs and the registry.
 * Reads return the content without the trailing newline; writes are one
 * write(2) (what sysfs and cgroupfs expect); errors carry errno. */
#ifndef LWK_SYSFILE_H
#define LWK_SYSFILE_H

#include <stddef.h>

#include <hwloc.h>

#include "error.h"

/* Reads at most len-1 bytes of path into buf, strips one trailing newline. */
int lwk_read_str(const char *path, char *buf, size_t len, struct lwk_err *err);
/* Reads a whole (regular) file into a malloc'ed string. */
int lwk_read_all(const char *path, char **text, struct lwk_err *err);
int lwk_write_str(const char *path, const char *s, struct lwk_err *err);
/* Writes all of buf to fd (retrying short writes and EINTR); 0 or -1. */
int lwk_write_fd(int fd, const char *buf, size_t len);
/* A cpu/node list file ("0-3,8") into set. */
int lwk_read_list(const char *path, hwloc_bitmap_t set, struct lwk_err *err);
int lwk_write_list(const char *path, hwloc_const_bitmap_t set, struct lwk_err *err);
/* A kernel hex mask file ("ffffffff,00000003"). */
int lwk_read_mask(const char *path, hwloc_bitmap_t set, struct lwk_err *err);
int lwk_write_mask(const char *path, hwloc_const_bitmap_t set, struct lwk_err *err);
/* Kernel hex mask text of set ("3", "1,00000000"), as the kernel parses it. */
int lwk_format_mask(hwloc_const_bitmap_t set, char *buf, size_t len);

/* Atomic replace: write dir/.name.tmp, then rename it to dir/name. A
 * process killed at any point leaves the old file or the new one.
 *
 * No fsync, on purpose: the registry describes kernel state (cpusets, IRQ
 * masks, huge pages) that dies with the boot, so its files need to survive
 * exactly what that state survives: the death of a process, which the page
 * cache and rename(2) already guarantee. After a power loss every record
 * is from an earlier boot and is dropped unread (records carry the boot id;
 * a torn file older than the boot is garbage), so fsync would protect
 * nothing, and it cost ~4 ms a write on this machine's disk-backed /run:
 * five times the whole create+destroy budget. */
int lwk_write_atomic(const char *dir, const char *name, const char *text,
		     struct lwk_err *err);
/* unlink dir/name; absent is fine. */
int lwk_remove_file(const char *dir, const char *name, struct lwk_err *err);
/* Lines of the registry's state files (records, the node baseline), as
 * their formatters write them: "key=value", empty lines ignored. Start
 * with { .text = TEXT }; each lwk_kv_next copies the next line into buf
 * (len bytes) and returns 1 with key set and val after the '=' (NULL if
 * the line has none), 0 at the end, or -1 if the line does not fit in buf.
 * lineno counts lines from 1, for error messages. */
struct lwk_kv {
	const char *text;
	unsigned lineno;
	char *key, *val;
};
int lwk_kv_next(struct lwk_kv *kv, char *buf, size_t len);

/* Boot time of this kernel (btime of /proc/stat), 0 if unknown. */
long long lwk_boot_time(void);

#endif
