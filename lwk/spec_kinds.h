/* The values of the spec's items that travel beyond the spec (pages:,
 * sched:, backend:), on their own: libc only, so that lwkrun's front, which
 * includes no hwloc (launcher/front.c), can name a backend. */
#ifndef LWK_SPEC_KINDS_H
#define LWK_SPEC_KINDS_H

enum lwk_pages { LWK_PAGES_4K, LWK_PAGES_2M, LWK_PAGES_1G };
enum lwk_sched { LWK_SCHED_NORMAL, LWK_SCHED_FIFO };
enum lwk_backend_kind {
	LWK_BACKEND_AUTO, LWK_BACKEND_NATIVE, LWK_BACKEND_MCKERNEL, LWK_BACKEND_MOS
};

#endif
