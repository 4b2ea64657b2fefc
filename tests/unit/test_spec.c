/* Unit tests of lwk/spec: good specs, canonical form, the round-trip
 * property over generated specs, the shared table of bad specs, sizes,
 * merge and copy. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "spec.h"
#include "check_run.h"

#ifndef LWK_BAD_SPECS
#define LWK_BAD_SPECS "tests/data/bad-specs.tsv"
#endif

static int spec_equal(const struct lwk_spec *a, const struct lwk_spec *b)
{
	if (a->none != b->none || a->keys != b->keys)
		return 0;
	if (a->cores_kind != b->cores_kind || a->cores != b->cores ||
	    a->mem_unit != b->mem_unit || a->mem != b->mem || a->util != b->util ||
	    a->pages != b->pages || a->sched != b->sched || a->backend != b->backend ||
	    a->report != b->report)
		return 0;
	if (!a->numa != !b->numa)
		return 0;
	return !a->numa || hwloc_bitmap_isequal(a->numa, b->numa);
}

/* parse(text) must succeed and format to canon; format must parse back equal. */
static void check_canon(const char *text, const char *canon)
{
	struct lwk_spec s, t;
	struct lwk_err err = { 0 };
	char buf[LWK_SPEC_MAX + 1];
	int n;

	ck_assert_msg(lwk_spec_parse(&s, text, &err) == 0, "'%s' rejected: %s", text, err.msg);
	n = lwk_spec_format(&s, buf, sizeof(buf));
	ck_assert_int_eq(n, (int)strlen(buf));
	ck_assert_str_eq(buf, canon);
	ck_assert_msg(lwk_spec_parse(&t, buf, &err) == 0, "'%s' rejected: %s", buf, err.msg);
	ck_assert_msg(spec_equal(&s, &t), "'%s' does not round-trip via '%s'", text, buf);
	lwk_spec_fini(&s);
	lwk_spec_fini(&t);
}

START_TEST(test_good_specs)
{
	static const char *const cases[][2] = {
		{ "none", "none" },
		{ "cores:60", "cores:60" },
		{ "cores:1", "cores:1" },
		{ "cores:65536", "cores:65536" },
		{ "cores:007", "cores:7" },
		{ "cores:50%", "cores:50%" },
		{ "cores:100%", "cores:100%" },
		{ "cores:all", "cores:all" },
		{ "mem:64G", "mem:64G" },
		{ "mem:1024M", "mem:1G" },
		{ "mem:1536M", "mem:1536M" },
		{ "mem:512", "mem:512" },
		{ "mem:512B", "mem:512" },
		{ "mem:2MiB", "mem:2M" },
		{ "mem:2mib", "mem:2M" },
		{ "mem:3kb", "mem:3K" },
		{ "mem:4096", "mem:4K" },
		{ "mem:1T", "mem:1T" },
		{ "mem:1024T", "mem:1024T" },
		{ "mem:1048576T", "mem:1048576T" },
		{ "mem:1152921504606846976", "mem:1048576T" },
		{ "mem:90%", "mem:90%" },
		{ "numa:0", "numa:0" },
		{ "numa:0,1", "numa:0-1" },
		{ "numa:3,0-1,mem:4G", "mem:4G,numa:0-1,3" },
		{ "numa:0,0,2-2", "numa:0,2" },
		{ "numa:1023", "numa:1023" },
		{ "util:0", "util:0" },
		{ "util:2", "util:2" },
		{ "pages:4k", "pages:4k" },
		{ "pages:2M", "pages:2m" },
		{ "pages:1G", "pages:1g" },
		{ "sched:fifo", "sched:fifo" },
		{ "sched:normal", "sched:normal" },
		{ "backend:auto", "backend:auto" },
		{ "backend:mckernel", "backend:mckernel" },
		{ "report:off", "report:off" },
		{ "report:off,backend:native,sched:fifo,pages:1g,util:2,numa:0,mem:50%,cores:8",
		  "cores:8,mem:50%,numa:0,util:2,pages:1g,sched:fifo,backend:native,report:off" },
		{ "cores:60,mem:64G", "cores:60,mem:64G" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_canon(cases[i][0], cases[i][1]);
}
END_TEST

START_TEST(test_fields)
{
	struct lwk_spec s;
	struct lwk_err err = { 0 };

	ck_assert_int_eq(lwk_spec_parse(&s, "cores:50%,mem:16G,numa:1-2,util:3,pages:1g,sched:fifo,backend:mos,report:off", &err), 0);
	ck_assert(!s.none);
	ck_assert_uint_eq(s.keys, 0xff);
	ck_assert_int_eq(s.cores_kind, LWK_AMOUNT_PERCENT);
	ck_assert_uint_eq(s.cores, 50);
	ck_assert_int_eq(s.mem_unit, LWK_MEM_BYTES);
	ck_assert_uint_eq(s.mem, 16ull << 30);
	ck_assert_int_eq(hwloc_bitmap_weight(s.numa), 2);
	ck_assert(hwloc_bitmap_isset(s.numa, 1) && hwloc_bitmap_isset(s.numa, 2));
	ck_assert_uint_eq(s.util, 3);
	ck_assert_int_eq(s.pages, LWK_PAGES_1G);
	ck_assert_int_eq(s.sched, LWK_SCHED_FIFO);
	ck_assert_int_eq(s.backend, LWK_BACKEND_MOS);
	ck_assert(!s.report);
	lwk_spec_fini(&s);

	/* omitted keys keep the documented defaults */
	ck_assert_int_eq(lwk_spec_parse(&s, "cores:all", &err), 0);
	ck_assert_uint_eq(s.keys, LWK_KEY_CORES);
	ck_assert_int_eq(s.cores_kind, LWK_AMOUNT_ALL);
	ck_assert_ptr_null(s.numa);
	ck_assert_int_eq(s.pages, LWK_PAGES_2M);
	ck_assert_int_eq(s.sched, LWK_SCHED_NORMAL);
	ck_assert_int_eq(s.backend, LWK_BACKEND_AUTO);
	ck_assert(s.report);
	lwk_spec_fini(&s);

	ck_assert_int_eq(lwk_spec_parse(&s, "none", &err), 0);
	ck_assert(s.none);
	ck_assert_uint_eq(s.keys, 0);
	lwk_spec_fini(&s);

	ck_assert_int_eq(lwk_spec_parse(&s, "mem:25%", &err), 0);
	ck_assert_int_eq(s.mem_unit, LWK_MEM_PERCENT);
	ck_assert_uint_eq(s.mem, 25);
	lwk_spec_fini(&s);
}
END_TEST

/* The longest accepted spec is LWK_SPEC_MAX bytes; one more is refused. */
START_TEST(test_length_limit)
{
	char text[LWK_SPEC_MAX + 2];
	struct lwk_spec s;
	struct lwk_err err = { 0 };

	strcpy(text, "numa:1");
	while (strlen(text) < LWK_SPEC_MAX)
		strcat(text, ",1");
	ck_assert_uint_eq(strlen(text), LWK_SPEC_MAX);
	ck_assert_msg(lwk_spec_parse(&s, text, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(hwloc_bitmap_weight(s.numa), 1);
	lwk_spec_fini(&s);
	strcat(text, "1");
	ck_assert_int_eq(lwk_spec_parse(&s, text, &err), -1);
	ck_assert_str_eq(err.msg, "spec is 1025 bytes; at most 1024 accepted");
}
END_TEST

/* Every row of tests/data/bad-specs.tsv fails with its message, leaves the
 * spec empty, and the message is one line. */
START_TEST(test_bad_specs_table)
{
	const char *path = getenv("LWK_BAD_SPECS") ? getenv("LWK_BAD_SPECS") : LWK_BAD_SPECS;
	FILE *f = fopen(path, "r");
	char *line = NULL, *tab;
	size_t cap = 0;
	ssize_t n;
	int rows = 0, lineno = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct lwk_spec s;
		struct lwk_err err = { 0 };

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || n == 0)
			continue;
		tab = strchr(line, '\t');
		ck_assert_msg(tab != NULL, "%s:%d: no TAB", path, lineno);
		*tab = '\0';
		ck_assert_msg(lwk_spec_parse(&s, line, &err) == -1,
			      "%s:%d: '%s' was accepted", path, lineno, line);
		ck_assert_msg(strstr(err.msg, tab + 1) != NULL,
			      "%s:%d: '%s': message '%s' lacks '%s'", path, lineno, line,
			      err.msg, tab + 1);
		ck_assert_msg(strchr(err.msg, '\n') == NULL, "%s:%d: multi-line message", path, lineno);
		ck_assert_msg(!s.none && s.keys == 0 && s.numa == NULL,
			      "%s:%d: spec not left empty", path, lineno);
		ck_assert_int_ne(err.code, 0);
		rows++;
	}
	free(line);
	fclose(f);
	ck_assert_int_ge(rows, 25);
}
END_TEST

/* Tiny deterministic PRNG so failures reproduce. */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static void random_spec(struct lwk_spec *s)
{
	static const uint64_t units[] = { 1, 1ull << 10, 1ull << 20, 1ull << 30, 1ull << 40 };
	unsigned i;

	lwk_spec_init(s);
	if (rnd(20) == 0) {
		s->none = true;
		return;
	}
	while (!s->keys)
		s->keys = rnd(256);
	if (s->keys & LWK_KEY_CORES) {
		s->cores_kind = (enum lwk_amount)rnd(3);
		s->cores = s->cores_kind == LWK_AMOUNT_PERCENT ? 1 + rnd(100) :
			   s->cores_kind == LWK_AMOUNT_COUNT ? 1 + rnd(65536) : 0;
	}
	if (s->keys & LWK_KEY_MEM) {
		s->mem_unit = (enum lwk_mem_unit)rnd(2);
		if (s->mem_unit == LWK_MEM_PERCENT)
			s->mem = 1 + rnd(100);
		else
			s->mem = (1 + (uint64_t)rnd(1u << 20)) * units[rnd(5)];
	}
	if (s->keys & LWK_KEY_NUMA) {
		s->numa = hwloc_bitmap_alloc();
		for (i = 1 + rnd(8); i > 0; i--)
			hwloc_bitmap_set(s->numa, rnd(rnd(2) ? 8 : 1024));
	}
	if (s->keys & LWK_KEY_UTIL)
		s->util = rnd(65537);
	if (s->keys & LWK_KEY_PAGES)
		s->pages = (enum lwk_pages)rnd(3);
	if (s->keys & LWK_KEY_SCHED)
		s->sched = (enum lwk_sched)rnd(2);
	if (s->keys & LWK_KEY_BACKEND)
		s->backend = (enum lwk_backend_kind)rnd(4);
	if (s->keys & LWK_KEY_REPORT)
		s->report = rnd(2);
}

/* parse(format(s)) == s for many generated specs, and format is a fixed point. */
START_TEST(test_round_trip_property)
{
	char a[LWK_SPEC_MAX + 1], b[LWK_SPEC_MAX + 1];
	struct lwk_err err = { 0 };
	int i;

	for (i = 0; i < 20000; i++) {
		struct lwk_spec s, t;
		int n;

		random_spec(&s);
		n = lwk_spec_format(&s, a, sizeof(a));
		ck_assert_int_gt(n, 0);
		ck_assert_int_lt(n, (int)sizeof(a));
		ck_assert_msg(lwk_spec_parse(&t, a, &err) == 0, "'%s' rejected: %s", a, err.msg);
		ck_assert_msg(spec_equal(&s, &t), "'%s' does not round-trip", a);
		lwk_spec_format(&t, b, sizeof(b));
		ck_assert_str_eq(a, b);
		lwk_spec_fini(&s);
		lwk_spec_fini(&t);
	}
}
END_TEST

/* Mutated specs: never crash; a spec either round-trips or is refused with
 * a one-line message that quotes something. */
START_TEST(test_mutations)
{
	static const char alphabet[] = "cores:mem,numa%all0123456789-KMGTiB none\xc3\t:,";
	char a[LWK_SPEC_MAX + 1], b[LWK_SPEC_MAX + 1];
	struct lwk_err err = { 0 };
	int i, j, accepted = 0, refused = 0;

	for (i = 0; i < 20000; i++) {
		struct lwk_spec s, t;
		size_t len;

		random_spec(&s);
		lwk_spec_format(&s, a, sizeof(a));
		lwk_spec_fini(&s);
		len = strlen(a);
		for (j = 1 + rnd(3); j > 0 && len > 0; j--) {
			unsigned pos = rnd((unsigned)len);

			switch (rnd(3)) {
			case 0:
				a[pos] = alphabet[rnd(sizeof(alphabet) - 1)];
				break;
			case 1:
				memmove(a + pos, a + pos + 1, len - pos);
				len--;
				break;
			default:
				if (len + 1 < sizeof(a)) {
					memmove(a + pos + 1, a + pos, len - pos + 1);
					a[pos] = alphabet[rnd(sizeof(alphabet) - 1)];
					len++;
				}
			}
		}
		if (lwk_spec_parse(&s, a, &err) == 0) {
			accepted++;
			lwk_spec_format(&s, b, sizeof(b));
			ck_assert_msg(lwk_spec_parse(&t, b, &err) == 0, "'%s' -> '%s' rejected", a, b);
			ck_assert_msg(spec_equal(&s, &t), "'%s' -> '%s' differs", a, b);
			lwk_spec_fini(&t);
		} else {
			refused++;
			ck_assert_msg(err.msg[0] && !strchr(err.msg, '\n'), "'%s': bad message", a);
			ck_assert_msg(strchr(err.msg, '\'') || strstr(err.msg, "spec is"),
				      "'%s': message quotes nothing: %s", a, err.msg);
			ck_assert(!s.none && s.keys == 0 && s.numa == NULL);
		}
		lwk_spec_fini(&s);
	}
	ck_assert_int_gt(accepted, 100);
	ck_assert_int_gt(refused, 100);
}
END_TEST

START_TEST(test_sizes)
{
	static const struct { const char *text; uint64_t bytes; const char *canon; } ok[] = {
		{ "0", 0, "0" }, { "1", 1, "1" }, { "512", 512, "512" }, { "1023", 1023, "1023" },
		{ "1024", 1024, "1K" }, { "64K", 64ull << 10, "64K" }, { "64k", 64ull << 10, "64K" },
		{ "2M", 2ull << 20, "2M" }, { "2MB", 2ull << 20, "2M" }, { "2MiB", 2ull << 20, "2M" },
		{ "2mIb", 2ull << 20, "2M" }, { "16G", 16ull << 30, "16G" }, { "1T", 1ull << 40, "1T" },
		{ "1025K", 1025ull << 10, "1025K" }, { "100B", 100, "100" },
		{ "1024T", 1ull << 50, "1024T" }, { "1048576T", 1ull << 60, "1048576T" },
	};
	static const char *const bad[] = {
		"", "K", "1.5G", "1 G", " 1G", "1G ", "-1", "+1", "1KK", "1Ki", "1iB", "1P", "1E",
		"0x10", "1e3", "1BB", "1GiBs",
	};
	static const char *const big[] = {
		"1048577T", "1073741825G", "1152921504606846977", "18446744073709551616",
		"99999999999999999999999999", "2000000000000T",
	};
	struct lwk_err err = { 0 };
	char buf[32];
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(lwk_parse_size(ok[i].text, &v, &err) == 0, "%s: %s", ok[i].text, err.msg);
		ck_assert_uint_eq(v, ok[i].bytes);
		ck_assert_int_eq(lwk_format_size(v, buf, sizeof(buf)), (int)strlen(ok[i].canon));
		ck_assert_str_eq(buf, ok[i].canon);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(lwk_parse_size(bad[i], &v, &err) == -1, "'%s' accepted", bad[i]);
		ck_assert_msg(strstr(err.msg, "a size is a whole number"), "%s: %s", bad[i], err.msg);
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		ck_assert_msg(lwk_parse_size(big[i], &v, &err) == -1, "'%s' accepted", big[i]);
		ck_assert_msg(strstr(err.msg, "larger than 1 EiB"), "%s: %s", big[i], err.msg);
	}
	/* truncated output still reports the needed length */
	ck_assert_int_eq(lwk_format_size(3ull << 30, buf, 2), 2);
	ck_assert_str_eq(buf, "3");
}
END_TEST

START_TEST(test_format_truncation)
{
	struct lwk_spec s;
	struct lwk_err err = { 0 };
	char full[128], small[8];
	int n;

	ck_assert_int_eq(lwk_spec_parse(&s, "cores:8,mem:1G,numa:0-3,report:off", &err), 0);
	n = lwk_spec_format(&s, full, sizeof(full));
	ck_assert_int_eq(n, (int)strlen("cores:8,mem:1G,numa:0-3,report:off"));
	ck_assert_int_eq(lwk_spec_format(&s, small, sizeof(small)), n);
	ck_assert_str_eq(small, "cores:8");
	ck_assert_int_eq(lwk_spec_format(&s, NULL, 0), n);
	lwk_spec_fini(&s);
}
END_TEST

static void parse_ok(struct lwk_spec *s, const char *text)
{
	struct lwk_err err = { 0 };

	ck_assert_msg(lwk_spec_parse(s, text, &err) == 0, "%s: %s", text, err.msg);
}

static void assert_format(const struct lwk_spec *s, const char *want)
{
	char buf[256];

	lwk_spec_format(s, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

START_TEST(test_merge)
{
	struct lwk_spec base, over, empty;

	parse_ok(&base, "cores:4,mem:1G,numa:0");
	parse_ok(&over, "mem:2G,numa:1-2,report:off");
	ck_assert_int_eq(lwk_spec_merge(&base, &over), 0);
	assert_format(&base, "cores:4,mem:2G,numa:1-2,report:off");
	lwk_spec_fini(&over);
	assert_format(&base, "cores:4,mem:2G,numa:1-2,report:off");	/* numa was copied */

	lwk_spec_init(&empty);
	ck_assert_int_eq(lwk_spec_merge(&base, &empty), 0);
	assert_format(&base, "cores:4,mem:2G,numa:1-2,report:off");

	parse_ok(&over, "none");
	ck_assert_int_eq(lwk_spec_merge(&base, &over), 0);
	ck_assert(base.none);
	ck_assert_ptr_null(base.numa);
	assert_format(&base, "none");
	lwk_spec_fini(&over);

	parse_ok(&over, "cores:50%");
	ck_assert_int_eq(lwk_spec_merge(&base, &over), 0);
	ck_assert(!base.none);
	assert_format(&base, "cores:50%");
	lwk_spec_fini(&over);
	lwk_spec_fini(&base);
}
END_TEST

START_TEST(test_copy)
{
	struct lwk_spec a, b;

	parse_ok(&a, "cores:3,numa:0-1,sched:fifo");
	ck_assert_int_eq(lwk_spec_copy(&b, &a), 0);
	ck_assert(spec_equal(&a, &b));
	ck_assert_ptr_ne(a.numa, b.numa);
	lwk_spec_fini(&a);
	assert_format(&b, "cores:3,numa:0-1,sched:fifo");
	lwk_spec_fini(&b);
	lwk_spec_fini(&b);	/* fini twice is harmless */
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(lwk_backend_name(LWK_BACKEND_AUTO), "auto");
	ck_assert_str_eq(lwk_backend_name(LWK_BACKEND_NATIVE), "native");
	ck_assert_str_eq(lwk_backend_name(LWK_BACKEND_MCKERNEL), "mckernel");
	ck_assert_str_eq(lwk_backend_name(LWK_BACKEND_MOS), "mos");
	ck_assert_str_eq(lwk_pages_name(LWK_PAGES_4K), "4k");
	ck_assert_str_eq(lwk_pages_name(LWK_PAGES_2M), "2m");
	ck_assert_str_eq(lwk_pages_name(LWK_PAGES_1G), "1g");
	ck_assert_uint_eq(lwk_pages_bytes(LWK_PAGES_4K), 4096);
	ck_assert_uint_eq(lwk_pages_bytes(LWK_PAGES_2M), 2u << 20);
	ck_assert_uint_eq(lwk_pages_bytes(LWK_PAGES_1G), 1u << 30);
}
END_TEST

START_TEST(test_list)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "1,,2", "1-", "-1", "1--2", "1-2-3", "3-1", "a", "1 2", "65536",
		"010", "00", "1-03", "000000008",
	};
	hwloc_bitmap_t b;
	char why[160];
	size_t i;

	ck_assert_int_eq(lwk_list_parse("0-3,8,65535", 65535, &b, why, sizeof(why)), 0);
	ck_assert_int_eq(hwloc_bitmap_weight(b), 6);
	ck_assert(hwloc_bitmap_isset(b, 65535));
	hwloc_bitmap_free(b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(lwk_list_parse(bad[i], 65535, &b, why, sizeof(why)) == -1,
			      "'%s' accepted", bad[i]);
		ck_assert_ptr_null(b);
		ck_assert(why[0]);
	}
}
END_TEST

int main(void)
{
	Suite *su = suite_create("spec");
	TCase *tc = tcase_create("spec");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_good_specs);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_length_limit);
	tcase_add_test(tc, test_bad_specs_table);
	tcase_add_test(tc, test_round_trip_property);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_format_truncation);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_list);
	suite_add_tcase(su, tc);
	return lwk_check_run(su);
}
