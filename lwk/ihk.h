/* IHK, the host side of McKernel: one call per operation of the documented
 * interface, done through libihk when the library is installed (dlopen at
 * run time, so liblwk neither links nor needs it) or else by running the
 * ihkconfig/ihkosctl programs. Every operation returns 0 (or a value) or
 * -errno, and leaves a one-line detail of a failure in h->msg.
 *
 * Test hooks (secure_getenv; also for sites with other install paths):
 *   LWK_IHK_DEV     the IHK device, default /dev/mcd0; OS instance N is
 *                   mcosN in the same directory
 *   LWK_IHK_BINDIR  where ihkconfig and ihkosctl are, default the first of
 *                   /opt/mckernel/sbin, /usr/local/sbin, /usr/sbin with them
 *   LWK_IHK_LIB     library to dlopen, default libihk.so from the loader's
 *                   path, else /opt/mckernel/lib64 or lib; "none": CLIs only
 */
#ifndef LWK_IHK_H
#define LWK_IHK_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <hwloc.h>

#define LWK_IHK_GRANULE (4ull << 20)	/* reservations are multiples of 4 MiB */
#define LWK_IHK_MAX_OS 64		/* /dev/mcos0 .. mcos63 */
#define LWK_IHK_MAX_CHUNKS 64

enum lwk_ihk_status {
	LWK_IHK_INACTIVE, LWK_IHK_BOOTING, LWK_IHK_RUNNING, LWK_IHK_SHUTDOWN,
	LWK_IHK_PANIC, LWK_IHK_HUNGUP, LWK_IHK_FREEZING, LWK_IHK_FROZEN
};

struct lwk_ihk_mem {
	uint64_t bytes;
	int node;
};

struct lwk_ihk_lib;

struct lwk_ihk {
	char dev[PATH_MAX];		/* /dev/mcd0 */
	char devdir[PATH_MAX];		/* its directory, where mcosN appear */
	char bindir[PATH_MAX];		/* ihkconfig, ihkosctl; "" if not found */
	struct lwk_ihk_lib *lib;	/* NULL: the CLIs */
	char libname[PATH_MAX];		/* what was dlopened, "" if none */
	char msg[320];			/* detail of the last failure */
};

/* Paths from the environment, libihk if it loads. Never fails. */
void lwk_ihk_open(struct lwk_ihk *h);
/* The paths and library h uses, as one line "DEV|BINDIR|LIB" (LIB "none"
 * for the CLIs), for the partition's record: teardown then drives IHK the
 * way creation did, whatever its caller's environment (an epilog's is
 * bare). -1 if it does not fit len or a path holds '|'. */
int lwk_ihk_settings(const struct lwk_ihk *h, char *buf, size_t len);
/* Opens as recorded by lwk_ihk_settings; -1 (h opened from the
 * environment instead) if text is not such a line. */
int lwk_ihk_open_settings(struct lwk_ihk *h, const char *text);
void lwk_ihk_close(struct lwk_ihk *h);

/* "" if the IHK device is there, else why not (for available()). */
int lwk_ihk_present(const struct lwk_ihk *h, char *why, size_t len);

int lwk_ihk_reserve_cpu(struct lwk_ihk *h, hwloc_const_bitmap_t cpus);
int lwk_ihk_release_cpu(struct lwk_ihk *h, hwloc_const_bitmap_t cpus);
int lwk_ihk_query_cpu(struct lwk_ihk *h, hwloc_bitmap_t cpus);
int lwk_ihk_reserve_mem(struct lwk_ihk *h, const struct lwk_ihk_mem *m, unsigned n);
int lwk_ihk_release_mem(struct lwk_ihk *h, const struct lwk_ihk_mem *m, unsigned n);
/* Reserved bytes per NUMA node (summed over chunks) into m[], *n nodes. */
int lwk_ihk_query_mem(struct lwk_ihk *h, struct lwk_ihk_mem *m, unsigned *n);

/* The new instance's index (>= 0) or -errno. */
int lwk_ihk_create(struct lwk_ihk *h);
int lwk_ihk_destroy(struct lwk_ihk *h, int os);
/* Indexes of the instances that exist (their mcosN devices). */
int lwk_ihk_instances(struct lwk_ihk *h, hwloc_bitmap_t set);
/* Path of /dev/mcosN. */
void lwk_ihk_os_dev(const struct lwk_ihk *h, int os, char *buf, size_t len);

int lwk_ihk_os_assign_cpu(struct lwk_ihk *h, int os, hwloc_const_bitmap_t cpus);
int lwk_ihk_os_assign_mem(struct lwk_ihk *h, int os, const struct lwk_ihk_mem *m, unsigned n);
int lwk_ihk_os_load(struct lwk_ihk *h, int os, const char *image);
int lwk_ihk_os_kargs(struct lwk_ihk *h, int os, const char *kargs);
int lwk_ihk_os_boot(struct lwk_ihk *h, int os);
int lwk_ihk_os_shutdown(struct lwk_ihk *h, int os);
/* enum lwk_ihk_status or -errno (-ENOENT: no such instance). */
int lwk_ihk_os_status(struct lwk_ihk *h, int os);
/* Last line of the instance's kernel messages, "" if none. */
void lwk_ihk_os_kmsg(struct lwk_ihk *h, int os, char *buf, size_t len);

const char *lwk_ihk_status_name(int status);

/* --- pure helpers (unit-tested) --- */

/* Rounded up to the 4 MiB granule. */
uint64_t lwk_ihk_round(uint64_t bytes);
/* "BYTES@NODE,..." as ihkconfig takes and prints them. Returns the length
 * needed, like snprintf. */
int lwk_ihk_mem_format(const struct lwk_ihk_mem *m, unsigned n, char *buf, size_t len);
/* Parses that form (also with K/M/G suffixes); -1 on anything else. Chunks
 * of the same node are summed. */
int lwk_ihk_mem_parse(const char *text, struct lwk_ihk_mem *m, unsigned max, unsigned *n);
/* The status word ihkosctl prints, or -1. */
int lwk_ihk_status_parse(const char *word);

#endif
