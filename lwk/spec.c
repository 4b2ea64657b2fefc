/* The --lwk spec: strict parser, canonical printer, merge.
 *
 * The text comes from any user and reaches root code, so every byte is
 * checked before it means anything, and every error quotes the item it is
 * about (escaped and shortened, so a hostile spec cannot forge log lines).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "list.h"
#include "spec.h"

#define MAX_CORES 65536u		/* more cores than any node has */
#define MAX_NUMA_INDEX 1023u		/* Linux MAX_NUMNODES is at most 1024 */
#define MAX_SIZE (1ull << 60)		/* 1 EiB */
#define QUOTE_MAX 60			/* item characters shown in an error */

static const struct key_info {
	const char *name;
	enum lwk_key key;
	const char *expects;
} keys[] = {
	{ "cores", LWK_KEY_CORES, "a whole number, a percentage or 'all'" },
	{ "mem", LWK_KEY_MEM, "a size (e.g. 512M, 64G) or a percentage" },
	{ "numa", LWK_KEY_NUMA, "a list of NUMA node numbers (e.g. 0-1,3)" },
	{ "util", LWK_KEY_UTIL, "a whole number" },
	{ "pages", LWK_KEY_PAGES, "4k, 2m or 1g" },
	{ "sched", LWK_KEY_SCHED, "fifo or normal" },
	{ "backend", LWK_KEY_BACKEND, "auto, native, mckernel or mos" },
	{ "report", LWK_KEY_REPORT, "on or off" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define VALID_KEYS "cores, mem, numa, util, pages, sched, backend, report"

static const char *const backend_names[] = { "auto", "native", "mckernel", "mos" };
static const char *const pages_names[] = { "4k", "2m", "1g" };

const char *lwk_backend_name(enum lwk_backend_kind b)
{
	return (unsigned)b < 4 ? backend_names[b] : "?";
}

const char *lwk_pages_name(enum lwk_pages p)
{
	return (unsigned)p < 3 ? pages_names[p] : "?";
}

uint64_t lwk_pages_bytes(enum lwk_pages p)
{
	switch (p) {
	case LWK_PAGES_4K:
		return 4096;
	case LWK_PAGES_2M:
		return 2ull << 20;
	case LWK_PAGES_1G:
		return 1ull << 30;
	}
	return 0;
}

void lwk_spec_init(struct lwk_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->cores_kind = LWK_AMOUNT_COUNT;
	s->mem_unit = LWK_MEM_BYTES;
	s->numa = NULL;
	s->pages = LWK_PAGES_2M;
	s->sched = LWK_SCHED_NORMAL;
	s->backend = LWK_BACKEND_AUTO;
	s->report = true;
}

void lwk_spec_fini(struct lwk_spec *s)
{
	if (s->numa)
		hwloc_bitmap_free(s->numa);
	s->numa = NULL;
}

int lwk_spec_copy(struct lwk_spec *dst, const struct lwk_spec *src)
{
	*dst = *src;
	if (src->numa) {
		dst->numa = hwloc_bitmap_dup(src->numa);
		if (!dst->numa) {
			lwk_spec_init(dst);
			return -1;
		}
	}
	return 0;
}

/* Printable copy of [s, s + n) for an error: non-ASCII, control bytes and
 * quotes escaped as \xNN, long items cut with "...". */
static const char *quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

enum num_result { NUM_OK, NUM_BAD, NUM_BIG };

/* Whole decimal number of [s, s + n), digits only, at most max. */
static enum num_result parse_uint(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;
	int big = 0;

	if (n == 0)
		return NUM_BAD;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return NUM_BAD;
		d = (unsigned)(s[i] - '0');
		if (x > (max - d) / 10)
			big = 1;	/* keep scanning: junk still wins */
		else
			x = x * 10 + d;
	}
	if (big)
		return NUM_BIG;
	*v = x;
	return NUM_OK;
}

/* "N%" with 1 <= N <= 100; NUM_BAD if not of that form, NUM_BIG if out of range. */
static enum num_result parse_percent(const char *s, size_t n, unsigned *pct)
{
	uint64_t v;
	enum num_result r;

	if (n < 2 || s[n - 1] != '%')
		return NUM_BAD;
	r = parse_uint(s, n - 1, 1000, &v);
	if (r == NUM_OK && (v < 1 || v > 100))
		r = NUM_BIG;
	if (r == NUM_OK)
		*pct = (unsigned)v;
	return r;
}

static enum num_result parse_size_n(const char *s, size_t n, uint64_t *bytes)
{
	size_t digits = strspn(s, "0123456789");
	const char *u;
	size_t un;
	unsigned shift = 0;
	uint64_t v;
	enum num_result r;

	if (digits > n)
		digits = n;
	u = s + digits;
	un = n - digits;
	if (un > 0) {
		switch (*u) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		}
		if (shift) {
			u++;
			un--;
			/* "K", "KB", "KiB" */
			if (!(un == 0 || (un == 1 && (*u == 'b' || *u == 'B')) ||
			      (un == 2 && (u[0] == 'i' || u[0] == 'I') &&
			       (u[1] == 'b' || u[1] == 'B'))))
				return NUM_BAD;
		} else if (!(un == 1 && (*u == 'b' || *u == 'B'))) {
			return NUM_BAD;
		}
	}
	r = parse_uint(s, digits, MAX_SIZE, &v);
	if (r != NUM_OK)
		return r;
	if (v > (MAX_SIZE >> shift))
		return NUM_BIG;
	*bytes = v << shift;
	return NUM_OK;
}

int lwk_parse_size(const char *text, uint64_t *bytes, struct lwk_err *err)
{
	char q[QUOTE_MAX * 4 + 8];
	size_t n;

	if (!text)
		text = "";
	n = strlen(text);
	switch (parse_size_n(text, n, bytes)) {
	case NUM_OK:
		return 0;
	case NUM_BIG:
		return lwk_err_set(err, ERANGE, "'%s': size is larger than 1 EiB",
				   quote(q, sizeof(q), text, n));
	case NUM_BAD:
		break;
	}
	return lwk_err_set(err, EINVAL,
			   "'%s': a size is a whole number with an optional K, M, G or T suffix (e.g. 512M, 64G)",
			   quote(q, sizeof(q), text, n));
}

int lwk_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int i;

	if (bytes)
		for (i = 3; i >= 0; i--) {
			unsigned shift = 10u * (unsigned)(i + 1);

			if ((bytes & ((1ull << shift) - 1)) == 0)
				return snprintf(buf, len, "%llu%c",
						(unsigned long long)(bytes >> shift), units[i]);
		}
	return snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

/* ---- parser ---- */

struct item {
	const char *text;	/* whole item, e.g. "cores:4" */
	size_t len;
	const struct key_info *k;
	const char *val;
	size_t vlen;
};

static int item_err(struct lwk_err *err, int code, const struct item *it,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int item_err(struct lwk_err *err, int code, const struct item *it,
		    const char *fmt, ...)
{
	char q[QUOTE_MAX * 4 + 8], detail[LWK_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return lwk_err_set(err, code, "'%s': %s", quote(q, sizeof(q), it->text, it->len), detail);
}

static int expects(struct lwk_err *err, const struct item *it)
{
	char detail[LWK_ERR_MAX];

	snprintf(detail, sizeof(detail), "%s expects %s", it->k->name, it->k->expects);
	return item_err(err, EINVAL, it, "%s", detail);
}

static int is_word(const struct item *it, const char *w)
{
	return strlen(w) == it->vlen && memcmp(it->val, w, it->vlen) == 0;
}

static int word_index(const struct item *it, const char *const *words, int n, int icase)
{
	int i;

	for (i = 0; i < n; i++)
		if (strlen(words[i]) == it->vlen &&
		    (icase ? strncasecmp(it->val, words[i], it->vlen)
			   : memcmp(it->val, words[i], it->vlen)) == 0)
			return i;
	return -1;
}

static int set_value(struct lwk_spec *s, const struct item *it, struct lwk_err *err)
{
	static const char *const sched_names[] = { "normal", "fifo" };
	static const char *const report_names[] = { "off", "on" };
	char why[160], detail[200], *list;
	uint64_t v;
	unsigned pct;
	int i;

	switch (it->k->key) {
	case LWK_KEY_CORES:
		if (is_word(it, "all")) {
			s->cores_kind = LWK_AMOUNT_ALL;
			s->cores = 0;
			return 0;
		}
		switch (parse_percent(it->val, it->vlen, &pct)) {
		case NUM_OK:
			s->cores_kind = LWK_AMOUNT_PERCENT;
			s->cores = pct;
			return 0;
		case NUM_BIG:
			return item_err(err, ERANGE, it, "%s",
					"a percentage must be from 1% to 100%");
		case NUM_BAD:
			break;
		}
		switch (parse_uint(it->val, it->vlen, MAX_CORES, &v)) {
		case NUM_BAD:
			return expects(err, it);
		case NUM_BIG:
			return item_err(err, ERANGE, it, "cores is at most %s", "65536");
		case NUM_OK:
			break;
		}
		if (v == 0)
			return item_err(err, EINVAL, it, "%s",
					"cores must be at least 1 (use --lwk=none for no LWK)");
		s->cores_kind = LWK_AMOUNT_COUNT;
		s->cores = (unsigned)v;
		return 0;
	case LWK_KEY_MEM:
		switch (parse_percent(it->val, it->vlen, &pct)) {
		case NUM_OK:
			s->mem_unit = LWK_MEM_PERCENT;
			s->mem = pct;
			return 0;
		case NUM_BIG:
			return item_err(err, ERANGE, it, "%s",
					"a percentage must be from 1% to 100%");
		case NUM_BAD:
			break;
		}
		switch (parse_size_n(it->val, it->vlen, &v)) {
		case NUM_BAD:
			return expects(err, it);
		case NUM_BIG:
			return item_err(err, ERANGE, it, "%s", "mem is larger than 1 EiB");
		case NUM_OK:
			break;
		}
		if (v == 0)
			return item_err(err, EINVAL, it, "%s",
					"mem must be more than 0 (omit mem to reserve no LWK memory)");
		s->mem_unit = LWK_MEM_BYTES;
		s->mem = v;
		return 0;
	case LWK_KEY_NUMA:
		list = strndup(it->val, it->vlen);
		if (!list)
			return lwk_err_set(err, ENOMEM, "out of memory parsing the spec");
		i = lwk_list_parse(list, MAX_NUMA_INDEX, &s->numa, why, sizeof(why));
		free(list);
		if (i == 0)
			return 0;
		if (strncmp(why, "may only", 8) == 0)
			return expects(err, it);
		snprintf(detail, sizeof(detail), "numa %s", why);
		return item_err(err, EINVAL, it, "%s", detail);
	case LWK_KEY_UTIL:
		switch (parse_uint(it->val, it->vlen, MAX_CORES, &v)) {
		case NUM_BAD:
			return expects(err, it);
		case NUM_BIG:
			return item_err(err, ERANGE, it, "util is at most %s", "65536");
		case NUM_OK:
			break;
		}
		s->util = (unsigned)v;
		return 0;
	case LWK_KEY_PAGES:
		i = word_index(it, pages_names, 3, 1);
		if (i < 0)
			return expects(err, it);
		s->pages = (enum lwk_pages)i;
		return 0;
	case LWK_KEY_SCHED:
		i = word_index(it, sched_names, 2, 0);
		if (i < 0)
			return expects(err, it);
		s->sched = i ? LWK_SCHED_FIFO : LWK_SCHED_NORMAL;
		return 0;
	case LWK_KEY_BACKEND:
		i = word_index(it, backend_names, 4, 0);
		if (i < 0)
			return expects(err, it);
		s->backend = (enum lwk_backend_kind)i;
		return 0;
	case LWK_KEY_REPORT:
		i = word_index(it, report_names, 2, 0);
		if (i < 0)
			return expects(err, it);
		s->report = i == 1;
		return 0;
	}
	return lwk_err_set(err, EINVAL, "internal error: key %s", it->k->name);
}

/* Bytes a spec may hold: printable ASCII without spaces. */
static int check_bytes(const struct item *it, struct lwk_err *err)
{
	size_t i;

	for (i = 0; i < it->len; i++) {
		unsigned char c = (unsigned char)it->text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			return item_err(err, EINVAL, it, "%s",
					"whitespace is not allowed in a spec; write KEY:VALUE items separated by commas");
		if (c < 0x20 || c >= 0x7f)
			return item_err(err, EINVAL, it, "%s",
					"a spec may only contain printable ASCII characters");
	}
	return 0;
}

/* A piece after numa:LIST that continues the list ("numa:0,2" is one item). */
static int list_continuation(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

static int parse_items(struct lwk_spec *s, const char *text, size_t tlen, struct lwk_err *err)
{
	const char *p = text, *end, *colon;
	char q[QUOTE_MAX * 4 + 8];
	size_t i;

	for (;;) {
		struct item it = { .text = p };

		end = strchr(p, ',');
		if (!end)
			end = text + tlen;
		it.len = (size_t)(end - p);
		if (it.len == 0)
			return lwk_err_set(err, EINVAL,
					   "'%s': empty item (a comma at the start or end, or two in a row); separate KEY:VALUE items with single commas",
					   quote(q, sizeof(q), text, tlen));
		colon = memchr(p, ':', it.len);
		if (colon && (size_t)(colon - p) == 4 && memcmp(p, "numa", 4) == 0) {
			while (*end == ',') {
				const char *next = strchr(end + 1, ',');
				size_t n;

				if (!next)
					next = text + tlen;
				n = (size_t)(next - end - 1);
				if (!list_continuation(end + 1, n))
					break;
				end = next;
			}
			it.len = (size_t)(end - p);
		}
		if (check_bytes(&it, err))
			return -1;
		if (!colon) {
			if (it.len == 4 && memcmp(p, "none", 4) == 0)
				return item_err(err, EINVAL, &it, "%s",
						"none cannot be combined with other items; give either none or KEY:VALUE items");
			return item_err(err, EINVAL, &it, "%s",
					"expected KEY:VALUE (e.g. cores:4); valid keys: " VALID_KEYS);
		}
		for (i = 0; i < NKEYS; i++)
			if (strlen(keys[i].name) == (size_t)(colon - p) &&
			    memcmp(keys[i].name, p, (size_t)(colon - p)) == 0)
				break;
		if (i == NKEYS) {
			char detail[LWK_ERR_MAX], qk[QUOTE_MAX * 4 + 8];

			if (colon == p)
				return item_err(err, EINVAL, &it, "%s",
						"missing key before ':'; valid keys: " VALID_KEYS);
			snprintf(detail, sizeof(detail), "unknown key '%s'; valid keys: %s",
				 quote(qk, sizeof(qk), p, (size_t)(colon - p)), VALID_KEYS);
			return item_err(err, EINVAL, &it, "%s", detail);
		}
		it.k = &keys[i];
		it.val = colon + 1;
		it.vlen = it.len - (size_t)(colon + 1 - p);
		if (s->keys & it.k->key)
			return item_err(err, EINVAL, &it,
					"%s is given twice; give each key once", it.k->name);
		if (it.vlen == 0) {
			char detail[LWK_ERR_MAX];

			snprintf(detail, sizeof(detail), "%s needs a value: %s",
				 it.k->name, it.k->expects);
			return item_err(err, EINVAL, &it, "%s", detail);
		}
		if (set_value(s, &it, err))
			return -1;
		s->keys |= it.k->key;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

int lwk_spec_parse(struct lwk_spec *s, const char *text, struct lwk_err *err)
{
	struct lwk_spec t;
	size_t n;

	lwk_spec_init(s);
	if (!text || !*text)
		return lwk_err_set(err, EINVAL,
				   "spec is empty; give none or KEY:VALUE items, e.g. cores:4,mem:16G");
	n = strlen(text);
	if (n > LWK_SPEC_MAX)
		return lwk_err_set(err, E2BIG, "spec is %zu bytes; at most %d accepted",
				   n, LWK_SPEC_MAX);
	if (strcmp(text, "none") == 0) {
		s->none = true;
		return 0;
	}
	lwk_spec_init(&t);
	if (parse_items(&t, text, n, err)) {
		lwk_spec_fini(&t);
		return -1;
	}
	*s = t;
	return 0;
}

/* ---- printer ---- */

struct out {
	char *buf;
	size_t len;
	size_t need;
};

static void put(struct out *o, const char *key, const char *val)
{
	char *dst = o->need < o->len ? o->buf + o->need : NULL;
	size_t room = o->need < o->len ? o->len - o->need : 0;
	int n;

	n = snprintf(dst, room, "%s%s:%s", o->need ? "," : "", key, val);
	if (n > 0)
		o->need += (size_t)n;
}

int lwk_spec_format(const struct lwk_spec *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	char v[64];
	char *list;

	if (len)
		buf[0] = '\0';
	if (s->none)
		return snprintf(buf, len, "none");
	if (s->keys & LWK_KEY_CORES) {
		if (s->cores_kind == LWK_AMOUNT_ALL)
			snprintf(v, sizeof(v), "all");
		else
			snprintf(v, sizeof(v), "%u%s", s->cores,
				 s->cores_kind == LWK_AMOUNT_PERCENT ? "%" : "");
		put(&o, "cores", v);
	}
	if (s->keys & LWK_KEY_MEM) {
		if (s->mem_unit == LWK_MEM_PERCENT)
			snprintf(v, sizeof(v), "%llu%%", (unsigned long long)s->mem);
		else
			lwk_format_size(s->mem, v, sizeof(v));
		put(&o, "mem", v);
	}
	if ((s->keys & LWK_KEY_NUMA) && s->numa) {
		if (hwloc_bitmap_list_asprintf(&list, s->numa) < 0)
			return -1;
		put(&o, "numa", list);
		free(list);
	}
	if (s->keys & LWK_KEY_UTIL) {
		snprintf(v, sizeof(v), "%u", s->util);
		put(&o, "util", v);
	}
	if (s->keys & LWK_KEY_PAGES)
		put(&o, "pages", lwk_pages_name(s->pages));
	if (s->keys & LWK_KEY_SCHED)
		put(&o, "sched", s->sched == LWK_SCHED_FIFO ? "fifo" : "normal");
	if (s->keys & LWK_KEY_BACKEND)
		put(&o, "backend", lwk_backend_name(s->backend));
	if (s->keys & LWK_KEY_REPORT)
		put(&o, "report", s->report ? "on" : "off");
	return (int)o.need;
}

int lwk_spec_merge(struct lwk_spec *base, const struct lwk_spec *over)
{
	hwloc_bitmap_t numa = NULL;

	if (over->none) {
		lwk_spec_fini(base);
		lwk_spec_init(base);
		base->none = true;
		return 0;
	}
	if (!over->keys)
		return 0;
	if ((over->keys & LWK_KEY_NUMA) && over->numa) {
		numa = hwloc_bitmap_dup(over->numa);
		if (!numa)
			return -1;
	}
	if (base->none) {
		lwk_spec_fini(base);
		lwk_spec_init(base);
	}
	if (over->keys & LWK_KEY_CORES) {
		base->cores_kind = over->cores_kind;
		base->cores = over->cores;
	}
	if (over->keys & LWK_KEY_MEM) {
		base->mem_unit = over->mem_unit;
		base->mem = over->mem;
	}
	if (over->keys & LWK_KEY_NUMA) {
		lwk_spec_fini(base);
		base->numa = numa;
	}
	if (over->keys & LWK_KEY_UTIL)
		base->util = over->util;
	if (over->keys & LWK_KEY_PAGES)
		base->pages = over->pages;
	if (over->keys & LWK_KEY_SCHED)
		base->sched = over->sched;
	if (over->keys & LWK_KEY_BACKEND)
		base->backend = over->backend;
	if (over->keys & LWK_KEY_REPORT)
		base->report = over->report;
	base->keys |= over->keys;
	return 0;
}
