/* The McKernel backend's pure parts (unit-tested): what it asks IHK for.
 *
 * Settings (secure_getenv; test hooks and site overrides):
 *   LWK_MCK_IMAGE             McKernel image, default
 *                             /opt/mckernel/smp-x86/kernel/mckernel.img
 *   LWK_MCK_KARGS             extra kernel arguments ("hidos" is always there)
 *   LWK_MCK_BOOT_TIMEOUT      s to wait for RUNNING, default 30
 *   LWK_MCK_SHUTDOWN_TIMEOUT  s to wait for a shutdown, default 30
 * and those of ihk.h (LWK_IHK_DEV, LWK_IHK_BINDIR, LWK_IHK_LIB).
 */
#ifndef LWK_MCKERNEL_H
#define LWK_MCKERNEL_H

#include <stddef.h>

#include "error.h"
#include "ihk.h"
#include "partition.h"

#define LWK_MCK_IMAGE_DEFAULT "/opt/mckernel/smp-x86/kernel/mckernel.img"

/* The partition's memory per NUMA node, each rounded up to 4 MiB; nodes
 * with nothing are left out. Returns the number of chunks; 0 if none. */
unsigned lwk_mck_chunks(const struct lwk_partition *p, struct lwk_ihk_mem *m, unsigned max);

/* "hidos" followed by the site's extra arguments (extra may be NULL). -1
 * with err if extra has characters other than printable ASCII, or if the
 * result does not fit. */
int lwk_mck_kargs(const char *extra, char *buf, size_t len, struct lwk_err *err);

/* The McKernel instance of a live mckernel partition (what `mcexec N`
 * takes: /dev/mcosN), or -1 if p is not one. */
int lwk_mck_os_index(const struct lwk_partition *p);

/* That instance's device (/dev/mcosN, beside the IHK device the partition
 * was made with), what mcexec opens and a container needs. 0, or -1 if p
 * is not a live mckernel partition. */
int lwk_mck_os_device(const struct lwk_partition *p, char *buf, size_t len);

/* --- internal to the backend (mckernel*.c) --- */

int lwk_mck_env_secs(const char *name, int def);	/* 1..3600 s, else def */
void lwk_mck_sleep_ms(long ms);
long lwk_mck_now_ms(void);			/* monotonic */
int lwk_mck_os_arg(const char *arg);		/* instance index in a record, or -1 */
/* "HEAD before=TAIL" -> head and tail (either may be empty). */
void lwk_mck_split_before(const char *arg, char *head, size_t hlen, char *tail, size_t tlen);

/* Shut down (unless panicked or hung), then destroy instance os, killing
 * the holders of /dev/mcosN while it is busy; 0 if it is gone. */
int lwk_mck_teardown_os(struct lwk_ihk *h, int os, struct lwk_err *err);
/* The undo of ihk-mem, ihk-cpu, ihk-create (idempotent). */
int lwk_mck_undo_mem(struct lwk_ihk *h, const char *arg, struct lwk_err *err);
int lwk_mck_undo_cpu(struct lwk_ihk *h, const char *arg, struct lwk_err *err);
int lwk_mck_undo_create(struct lwk_ihk *h, const char *arg, struct lwk_err *err);

#endif
