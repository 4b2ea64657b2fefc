/* Whether the plugin's plan is in force, with libc alone (inforce.h). */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

#if __has_include(<linux/mempolicy.h>)
#include <linux/mempolicy.h>
#else
/* The kernel's ABI (include/uapi/linux/mempolicy.h), for a libc that comes
 * without the kernel's headers (musl-gcc). */
#define MPOL_BIND 2
#define MPOL_MODE_FLAGS ((1 << 15) | (1 << 14) | (1 << 13))
#endif

#include "env.h"
#include "inforce.h"

#define WORD_BITS (8 * sizeof(unsigned long))

void lwkrun_task_state_read(struct lwkrun_task_state *t)
{
	int mode = -1;

	memset(t->cpus, 0, sizeof(t->cpus));
	memset(t->mems, 0, sizeof(t->mems));
	/* The raw call fills only the kernel's mask size: the rest stays 0. */
	if (syscall(SYS_sched_getaffinity, 0, sizeof(t->cpus), t->cpus) < 0)
		memset(t->cpus, 0, sizeof(t->cpus));
	if (syscall(SYS_get_mempolicy, &mode, t->mems, (unsigned long)LWKRUN_MAX_IDS, NULL, 0UL))
		mode = -1;
	t->mem_mode = mode < 0 ? -1 : mode & ~MPOL_MODE_FLAGS;
	t->policy = (int)syscall(SYS_sched_getscheduler, 0);
}

static bool bit(const unsigned long *mask, size_t i)
{
	return (mask[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

/* Decimal v at p; returns the end. */
static char *put_uint(char *p, size_t v)
{
	char tmp[24];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

bool lwkrun_mask_is_list(const unsigned long *mask, size_t words, const char *list)
{
	const size_t n = words * WORD_BITS;
	char elem[64], *e;
	size_t i = 0, a;
	bool first = true;

	for (;;) {
		while (i < n && !mask[i / WORD_BITS])
			i += WORD_BITS;	/* a word with nothing in it */
		while (i < n && !bit(mask, i))
			i++;
		if (i >= n)
			break;
		for (a = i; i < n && bit(mask, i); i++)
			;
		/* the element as hwloc prints it: ",A" or ",A-B" */
		e = elem;
		if (!first)
			*e++ = ',';
		e = put_uint(e, a);
		if (i - 1 > a) {
			*e++ = '-';
			e = put_uint(e, i - 1);
		}
		if (strncmp(list, elem, (size_t)(e - elem)))
			return false;
		list += e - elem;
		first = false;
	}
	return !first && !*list;
}

/* A decimal index in the printed form at *p (no sign, no leading zero),
 * below LWKRUN_MAX_IDS. */
static int read_index(const char **p, unsigned *v)
{
	const char *s = *p;
	unsigned x = 0;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		x = x * 10 + (unsigned)(*s - '0');
		if (x >= LWKRUN_MAX_IDS)
			return -1;
	}
	*p = s;
	*v = x;
	return 0;
}

/* The next element "A" or "A-B" (A < B) of a list in the printed form,
 * after one that ended at *hi (or the first when *hi is -1): 1 and [*lo,
 * *hi], 0 at the end, -1 when the text is not in that form (elements
 * ascending, a gap between them, ',' between them, nothing else). */
static int next_element(const char **p, unsigned *lo, long *hi)
{
	const char *s = *p;
	unsigned a, b;

	if (!*s)
		return 0;
	if (*hi >= 0 && *s++ != ',')
		return -1;
	if (read_index(&s, &a) || (*hi >= 0 && (long)a <= *hi + 1))
		return -1;
	b = a;
	if (*s == '-' && (++s, read_index(&s, &b) || b <= a))
		return -1;
	if (*s && *s != ',')
		return -1;
	*p = s;
	*lo = a;
	*hi = b;
	return 1;
}

/* 0 when list is a non-empty list in the printed form. */
static int check_list(const char *list)
{
	unsigned lo;
	long hi = -1;
	int r;

	if (!list || !*list)
		return -1;
	while ((r = next_element(&list, &lo, &hi)) == 1)
		;
	return r;
}

int lwkrun_list_within(const char *a, const char *b)
{
	unsigned alo, blo;
	long ahi = -1, bhi;
	const char *q;
	int r, s;

	if (check_list(a) || check_list(b))
		return -1;
	/* runs are maximal in the printed form: each of a's lies in one of b's */
	while ((r = next_element(&a, &alo, &ahi)) == 1) {
		for (q = b, bhi = -1; (s = next_element(&q, &blo, &bhi)) == 1;)
			if (blo <= alo && ahi <= bhi)
				break;
		if (s != 1)
			return 0;
	}
	return r < 0 ? -1 : 1;
}

/* The variable is v in decimal, as the plugin writes it. */
static bool is_uint(char *const *envp, const char *name, unsigned v)
{
	const char *s = lwkrun_getenv(envp, name);
	char buf[24];

	*put_uint(buf, v) = '\0';
	return s && !strcmp(s, buf);
}

/* LWK_SPEC's sched: item: 1 fifo, 0 normal or none, -1 anything else. */
static int spec_fifo(const char *spec)
{
	const char *item = spec, *end;
	size_t n;

	while (item && *item) {
		end = strchr(item, ',');
		n = end ? (size_t)(end - item) : strlen(item);
		if (n >= 6 && !strncasecmp(item, "sched:", 6)) {
			if (n == 10 && !strncmp(item + 6, "fifo", 4))
				return 1;
			return n == 12 && !strncmp(item + 6, "normal", 6) ? 0 : -1;
		}
		item = end ? end + 1 : NULL;
	}
	return 0;
}

int lwkrun_in_force(const struct lwkrun_local *loc, char *const *envp, char *const *prog,
		    const struct lwkrun_task_state *now, enum lwk_backend_kind *backend)
{
	const char *cpus = lwkrun_getenv(envp, LWK_ENV_CPUS);
	const char *mems = lwkrun_getenv(envp, LWK_ENV_MEMS);
	const char *rcpus = lwkrun_getenv(envp, LWK_ENV_RANK_CPUS);
	const char *rmems = lwkrun_getenv(envp, LWK_ENV_RANK_MEMS);
	const char *b = lwkrun_getenv(envp, LWK_ENV_BACKEND);
	int fifo = spec_fifo(lwkrun_getenv(envp, LWK_ENV_SPEC));

	if (!prog || !prog[0] || !prog[0][0])
		return 0;	/* the full lwkrun says what is wrong */
	if (!b || !*b || !strcmp(b, "native"))
		*backend = LWK_BACKEND_NATIVE;
	else if (!strcmp(b, "mos"))
		*backend = LWK_BACKEND_MOS;
	else
		return 0;
	if (fifo < 0 || !is_uint(envp, LWK_ENV_LOCAL_RANK, loc->rank) ||
	    !is_uint(envp, LWK_ENV_LOCAL_SIZE, loc->size) ||
	    lwkrun_list_within(rcpus, cpus) != 1 || lwkrun_list_within(rmems, mems) != 1)
		return 0;
	if (*backend != LWK_BACKEND_NATIVE)
		return 1;	/* the multi-kernel places the rank: nothing is bound */
	return lwkrun_mask_is_list(now->cpus, LWKRUN_MASK_WORDS, rcpus) &&
	       now->mem_mode == MPOL_BIND &&
	       lwkrun_mask_is_list(now->mems, LWKRUN_MASK_WORDS, rmems) &&
	       (!fifo || now->policy == SCHED_FIFO);
}
