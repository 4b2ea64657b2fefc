/* Site policy: lwk.conf, plugstack arguments, who may use the LWK, and the
 * bounds every user spec must respect.
 *
 * Every setter parses into locals and commits only on success, and a file is
 * read into a scratch policy first, so a bad line or argument leaves the
 * caller's policy exactly as it was.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "list.h"
#include "sysfile.h"
#include "policy.h"

#define MAX_CPU_INDEX 65535u	/* bounds lwk_cpus so a typo cannot make a huge bitmap */
#define MAX_COUNT 65536u
#define MAX_NAME 255		/* user or group name */
#define MAX_LINE 4096
#define SHOW_MAX 60		/* characters of a bad line shown in an error */
#define NOTE_MAX (LWK_ERR_MAX - 64)	/* a setter's message, before the key prefix */

#define BACKENDS_ALL ((1u << LWK_BACKEND_NATIVE) | (1u << LWK_BACKEND_MCKERNEL) | \
		      (1u << LWK_BACKEND_MOS))

enum pkey {
	P_BACKENDS, P_LWK_CPUS, P_MIN_LINUX_CORES, P_MAX_CORE_SHARE, P_MAX_MEM_SHARE,
	P_DEFAULT, P_ALLOW_USERS, P_ALLOW_GROUPS, P_REPORT_DIR, P_STATEDIR, P_NKEYS
};

static const char *const pkey_names[P_NKEYS] = {
	"backends", "lwk_cpus", "min_linux_cores", "max_core_share", "max_mem_share",
	"default", "allow_users", "allow_groups", "report_dir", "statedir",
};
#define VALID_PKEYS "backends, lwk_cpus, min_linux_cores, max_core_share, max_mem_share, " \
	"default, allow_users, allow_groups, report_dir, statedir"

#define BUILTIN_DEFAULT "cores:all"

static void free_names(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}

void lwk_policy_init(struct lwk_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->backends = BACKENDS_ALL;
	p->lwk_cpus = NULL;
	p->min_linux_cores = 1;
	p->max_core_share = 100;
	p->max_mem_share = 90;
	/* the built-in default is valid by construction; on ENOMEM it stays empty */
	if (lwk_spec_parse(&p->defaults, BUILTIN_DEFAULT, NULL))
		lwk_spec_init(&p->defaults);
	p->allow_users = NULL;
	p->allow_groups = NULL;
	p->report_dir[0] = '\0';
	snprintf(p->statedir, sizeof(p->statedir), "%s", LWK_STATEDIR);
}

void lwk_policy_fini(struct lwk_policy *p)
{
	if (p->lwk_cpus)
		hwloc_bitmap_free(p->lwk_cpus);
	p->lwk_cpus = NULL;
	lwk_spec_fini(&p->defaults);
	free_names(p->allow_users);
	free_names(p->allow_groups);
	p->allow_users = p->allow_groups = NULL;
}

/* Printable, shortened copy of s for an error message. */
static const char *show(char *buf, size_t len, const char *s)
{
	size_t i, o = 0;

	for (i = 0; s[i] && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == SHOW_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\'')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trims s in place; returns the first non-space character. */
static char *trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* ---- value parsers: 0, or -1 with a message naming the key ---- */

static int set_backends(struct lwk_policy *p, char *v, struct lwk_err *err)
{
	static const char *const names[] = { "auto", "native", "mckernel", "mos" };
	unsigned mask = 0;
	char q[SHOW_MAX * 4 + 8], *tok, *save = NULL;
	int i;

	if (!*v)
		return lwk_err_set(err, EINVAL,
				   "backends is empty; give at least one of native, mckernel, mos");
	if (v[strlen(v) - 1] == ',' || *v == ',' || strstr(v, ",,"))
		return lwk_err_set(err, EINVAL,
				   "backends has an empty element; write e.g. native,mckernel");
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		for (i = 0; i < 4; i++)
			if (strcmp(tok, names[i]) == 0)
				break;
		if (i == 0)
			return lwk_err_set(err, EINVAL,
					   "backends: auto is not a backend; list those auto may choose from (native, mckernel, mos)");
		if (i == 4)
			return lwk_err_set(err, EINVAL,
					   "backends: '%s' is not a backend; valid: native, mckernel, mos",
					   show(q, sizeof(q), tok));
		mask |= 1u << i;
	}
	p->backends = mask;
	return 0;
}

/* Drops blanks next to commas ("1-3, 5" -> "1-3,5"), as the other lists allow. */
static void squeeze_commas(char *v)
{
	char *r, *w = v;

	for (r = v; *r; r++) {
		if ((*r == ' ' || *r == '\t') &&
		    ((w > v && w[-1] == ',') || r[strspn(r, " \t")] == ','))
			continue;
		*w++ = *r;
	}
	*w = '\0';
}

static int set_lwk_cpus(struct lwk_policy *p, char *v, struct lwk_err *err)
{
	hwloc_bitmap_t b = NULL;
	char why[160];

	squeeze_commas(v);

	if (strcmp(v, LWK_NOHZ_FULL_WORD) == 0) {
		/* the CPUs this node's kernel runs tickless; none if it has no
		 * such file (a kernel without NO_HZ_FULL) or booted none */
		b = hwloc_bitmap_alloc();
		if (!b)
			return lwk_err_set(err, ENOMEM, "out of memory");
		if (lwk_read_list(LWK_NOHZ_FULL_FILE, b, NULL) < 0)
			hwloc_bitmap_zero(b);
	} else if (strcmp(v, "all") != 0 &&
		   lwk_list_parse(v, MAX_CPU_INDEX, &b, why, sizeof(why))) {
		return lwk_err_set(err, EINVAL, "lwk_cpus %s; give a CPU list like 1-63, all or nohz_full",
				   why);
	}
	if (p->lwk_cpus)
		hwloc_bitmap_free(p->lwk_cpus);
	p->lwk_cpus = b;
	return 0;
}

/* Whole number 0..max (percent: optional trailing '%'); -1 if not one. */
static int number(const char *v, unsigned max, int percent, unsigned *out)
{
	unsigned long x = 0;
	size_t i, n = strlen(v);

	if (percent && n > 0 && v[n - 1] == '%')
		n--;
	if (n == 0 || n > 6)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	if (x > max)
		return -1;
	*out = (unsigned)x;
	return 0;
}

static int set_min_linux_cores(struct lwk_policy *p, char *v, struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8];
	unsigned x;

	if (number(v, MAX_COUNT, 0, &x))
		return lwk_err_set(err, EINVAL,
				   "min_linux_cores expects a whole number from 0 to %u, got '%s'",
				   MAX_COUNT, show(q, sizeof(q), v));
	p->min_linux_cores = x;
	return 0;
}

static int set_share(unsigned *share, const char *key, char *v, struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8];
	unsigned x;

	if (number(v, 100, 1, &x) || x == 0)
		return lwk_err_set(err, EINVAL,
				   "%s expects a percentage from 1%% to 100%%, got '%s'",
				   key, show(q, sizeof(q), v));
	*share = x;
	return 0;
}

static int set_default(struct lwk_policy *p, char *v, struct lwk_err *err)
{
	struct lwk_spec s;

	if (!*v) {
		lwk_spec_fini(&p->defaults);
		lwk_spec_init(&p->defaults);
		return 0;
	}
	if (lwk_spec_parse(&s, v, err))
		return lwk_err_prefix(err, "default");
	if (s.none)
		return lwk_err_set(err, EINVAL,
				   "default cannot be none; list the items to use when a user's spec omits them (or leave it empty)");
	lwk_spec_fini(&p->defaults);
	p->defaults = s;
	return 0;
}

static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > MAX_NAME || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
		      (c == '$' && i == n - 1)))
			return 0;
	}
	return 1;
}

static int set_names(char ***dst, const char *key, char *v, struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8], *tok, *save = NULL, **list;
	size_t n = 1, i = 0;
	const char *c;

	if (!*v)
		return lwk_err_set(err, EINVAL,
				   "%s is empty; remove the line to drop this rule", key);
	if (v[strlen(v) - 1] == ',' || *v == ',' || strstr(v, ",,"))
		return lwk_err_set(err, EINVAL,
				   "%s has an empty element; write e.g. alice,bob", key);
	for (c = v; *c; c++)
		n += *c == ',';
	list = calloc(n + 1, sizeof(*list));
	if (!list)
		return lwk_err_set(err, ENOMEM, "%s: out of memory", key);
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		if (!valid_name(tok)) {
			lwk_err_set(err, EINVAL,
				    "%s: '%s' is not a valid name (letters, digits, '.', '_', '-')",
				    key, show(q, sizeof(q), tok));
			goto fail;
		}
		list[i] = strdup(tok);
		if (!list[i++]) {
			lwk_err_set(err, ENOMEM, "%s: out of memory", key);
			goto fail;
		}
	}
	free_names(*dst);
	*dst = list;
	return 0;
fail:
	free_names(list);
	return -1;
}

static int set_path(char *dst, const char *key, char *v, int may_be_empty,
		    struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8];
	size_t i, n = strlen(v);

	if (n == 0 && may_be_empty) {
		dst[0] = '\0';
		return 0;
	}
	if (v[0] != '/')
		return lwk_err_set(err, EINVAL, "%s must be an absolute path%s, got '%s'",
				   key, may_be_empty ? " (or empty for none)" : "",
				   show(q, sizeof(q), v));
	if (n >= PATH_MAX)
		return lwk_err_set(err, ENAMETOOLONG, "%s is longer than %d bytes", key,
				   PATH_MAX - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return lwk_err_set(err, EINVAL, "%s contains a control character", key);
	if (strspn(v, "/") == n)
		return lwk_err_set(err, EINVAL, "%s cannot be the root directory", key);
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_key(struct lwk_policy *p, enum pkey k, char *v, struct lwk_err *err)
{
	switch (k) {
	case P_BACKENDS:
		return set_backends(p, v, err);
	case P_LWK_CPUS:
		return set_lwk_cpus(p, v, err);
	case P_MIN_LINUX_CORES:
		return set_min_linux_cores(p, v, err);
	case P_MAX_CORE_SHARE:
		return set_share(&p->max_core_share, "max_core_share", v, err);
	case P_MAX_MEM_SHARE:
		return set_share(&p->max_mem_share, "max_mem_share", v, err);
	case P_DEFAULT:
		return set_default(p, v, err);
	case P_ALLOW_USERS:
		return set_names(&p->allow_users, "allow_users", v, err);
	case P_ALLOW_GROUPS:
		return set_names(&p->allow_groups, "allow_groups", v, err);
	case P_REPORT_DIR:
		return set_path(p->report_dir, "report_dir", v, 1, err);
	case P_STATEDIR:
		return set_path(p->statedir, "statedir", v, 0, err);
	case P_NKEYS:
		break;
	}
	return lwk_err_set(err, EINVAL, "internal error: policy key %d", (int)k);
}

static int find_key(const char *key)
{
	int i;

	for (i = 0; i < P_NKEYS; i++)
		if (strcmp(key, pkey_names[i]) == 0)
			return i;
	return -1;
}

int lwk_policy_set(struct lwk_policy *p, const char *key, const char *value,
		   struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8], *v, *t;
	int k, rc;

	if (!key || (k = find_key(key)) < 0)
		return lwk_err_set(err, EINVAL, "unknown key '%s'; valid keys: %s",
				   show(q, sizeof(q), key ? key : ""), VALID_PKEYS);
	v = strdup(value ? value : "");
	if (!v)
		return lwk_err_set(err, ENOMEM, "%s: out of memory", key);
	t = trim(v);
	rc = set_key(p, (enum pkey)k, t, err);
	free(v);
	return rc;
}

/* Moves key k from src (a scratch policy) into dst. */
static void take(struct lwk_policy *dst, struct lwk_policy *src, enum pkey k)
{
	switch (k) {
	case P_BACKENDS:
		dst->backends = src->backends;
		break;
	case P_LWK_CPUS:
		if (dst->lwk_cpus)
			hwloc_bitmap_free(dst->lwk_cpus);
		dst->lwk_cpus = src->lwk_cpus;
		src->lwk_cpus = NULL;
		break;
	case P_MIN_LINUX_CORES:
		dst->min_linux_cores = src->min_linux_cores;
		break;
	case P_MAX_CORE_SHARE:
		dst->max_core_share = src->max_core_share;
		break;
	case P_MAX_MEM_SHARE:
		dst->max_mem_share = src->max_mem_share;
		break;
	case P_DEFAULT:
		lwk_spec_fini(&dst->defaults);
		dst->defaults = src->defaults;
		lwk_spec_init(&src->defaults);
		break;
	case P_ALLOW_USERS:
		free_names(dst->allow_users);
		dst->allow_users = src->allow_users;
		src->allow_users = NULL;
		break;
	case P_ALLOW_GROUPS:
		free_names(dst->allow_groups);
		dst->allow_groups = src->allow_groups;
		src->allow_groups = NULL;
		break;
	case P_REPORT_DIR:
		memcpy(dst->report_dir, src->report_dir, sizeof(dst->report_dir));
		break;
	case P_STATEDIR:
		memcpy(dst->statedir, src->statedir, sizeof(dst->statedir));
		break;
	case P_NKEYS:
		break;
	}
}

/* One line of the file into tmp; 0 also for blank and comment lines. */
static int load_line(struct lwk_policy *tmp, char *line, unsigned lineno,
		     unsigned seen[P_NKEYS], struct lwk_err *err)
{
	char q[SHOW_MAX * 4 + 8], *eq, *key, *val, *hash;
	int k;

	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	line = trim(line);
	if (!*line)
		return 0;
	eq = strchr(line, '=');
	if (!eq)
		return lwk_err_set(err, EINVAL, "expected 'key = value', got '%s'",
				   show(q, sizeof(q), line));
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!*key)
		return lwk_err_set(err, EINVAL, "missing key before '='; valid keys: %s",
				   VALID_PKEYS);
	k = find_key(key);
	if (k < 0)
		return lwk_err_set(err, EINVAL, "unknown key '%s'; valid keys: %s",
				   show(q, sizeof(q), key), VALID_PKEYS);
	if (seen[k])
		return lwk_err_set(err, EINVAL, "%s already set on line %u; give each key once",
				   key, seen[k]);
	if (set_key(tmp, (enum pkey)k, val, err))
		return -1;
	seen[k] = lineno;
	return 0;
}

/* The policy decides what root does for users: when root reads it, nobody
 * else may be able to write it. */
static int check_owner(FILE *f, const char *path, struct lwk_err *err)
{
	struct stat st;

	if (fstat(fileno(f), &st))
		return lwk_err_set(err, errno, "%s: cannot stat: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return lwk_err_set(err, EINVAL, "%s: not a regular file", path);
	if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))))
		return lwk_err_set(err, EPERM,
				   "%s: writable by someone other than root (owner uid %u, mode %03o); run chown root and chmod go-w on it",
				   path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
	return 0;
}

int lwk_policy_load(struct lwk_policy *p, const char *path, struct lwk_err *err)
{
	unsigned seen[P_NKEYS] = { 0 }, lineno = 0;
	struct lwk_policy tmp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int rc = -1, k;

	f = fopen(path, "re");
	if (!f)
		return lwk_err_set(err, errno, "%s: cannot open: %s", path, strerror(errno));
	if (check_owner(f, path, err)) {
		fclose(f);
		return -1;
	}
	lwk_policy_init(&tmp);
	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > MAX_LINE) {
			lwk_err_set(err, EINVAL, "%s:%u: line is longer than %d bytes",
				    path, lineno, MAX_LINE);
			goto out;
		}
		if (strlen(line) != (size_t)n) {
			lwk_err_set(err, EINVAL, "%s:%u: contains a NUL byte", path, lineno);
			goto out;
		}
		if (load_line(&tmp, line, lineno, seen, err)) {
			lwk_err_prefix(err, "%s:%u", path, lineno);
			goto out;
		}
	}
	if (ferror(f)) {
		lwk_err_set(err, errno ? errno : EIO, "%s: read error: %s", path,
			    strerror(errno ? errno : EIO));
		goto out;
	}
	for (k = 0; k < P_NKEYS; k++)
		if (seen[k])
			take(p, &tmp, (enum pkey)k);
	rc = 0;
out:
	free(line);
	fclose(f);
	lwk_policy_fini(&tmp);
	return rc;
}

/* ---- who may use it ---- */

static int name_listed(char **list, const char *name, unsigned long id)
{
	char num[24];

	snprintf(num, sizeof(num), "%lu", id);
	for (; list && *list; list++)
		if ((name && strcmp(*list, name) == 0) || strcmp(*list, num) == 0)
			return 1;
	return 0;
}

/* Is any of the user's groups (gid, and those of name) in p->allow_groups? */
static int group_allowed(const struct lwk_policy *p, const char *name, gid_t gid,
			 struct lwk_err *err)
{
	gid_t one = gid, *groups = &one, *more = NULL;
	int ngroups = 1, i, found = 0;
	char *buf = NULL;
	size_t buflen = 4096;

	if (name) {
		ngroups = 64;
		for (;;) {
			int want = ngroups;

			free(more);
			more = calloc((size_t)want, sizeof(*more));
			if (!more)
				return lwk_err_set(err, ENOMEM, "out of memory checking groups");
			if (getgrouplist(name, gid, more, &ngroups) >= 0)
				break;
			if (ngroups <= want)
				ngroups = want * 2;	/* some libcs do not report the need */
			if (ngroups > 65536) {
				free(more);
				return lwk_err_set(err, E2BIG, "user %s has too many groups", name);
			}
		}
		groups = more;
	}
	for (i = 0; i < ngroups && !found; i++) {
		struct group gr, *res = NULL;
		int rc;

		for (;;) {
			char *nb = realloc(buf, buflen);

			if (!nb) {
				free(buf);
				free(more);
				return lwk_err_set(err, ENOMEM, "out of memory checking groups");
			}
			buf = nb;
			rc = getgrgid_r(groups[i], &gr, buf, buflen, &res);
			if (rc != ERANGE || buflen >= (1u << 24))
				break;
			buflen *= 2;
		}
		found = name_listed(p->allow_groups, rc == 0 && res ? res->gr_name : NULL,
				    (unsigned long)groups[i]);
	}
	free(buf);
	free(more);
	return found;
}

int lwk_policy_check_user(const struct lwk_policy *p, uid_t uid, gid_t gid,
			  struct lwk_err *err)
{
	struct passwd pw, *res = NULL;
	char *buf = NULL, *nb;
	size_t buflen = 4096;
	const char *name;
	char who[MAX_NAME + 32];
	int rc, ok = 0;

	if (!p->allow_users && !p->allow_groups)
		return 0;
	for (;;) {
		nb = realloc(buf, buflen);
		if (!nb) {
			free(buf);
			return lwk_err_set(err, ENOMEM, "out of memory checking user %u", (unsigned)uid);
		}
		buf = nb;
		rc = getpwuid_r(uid, &pw, buf, buflen, &res);
		if (rc != ERANGE || buflen >= (1u << 24))
			break;
		buflen *= 2;
	}
	name = rc == 0 && res ? res->pw_name : NULL;
	if (name_listed(p->allow_users, name, (unsigned long)uid))
		ok = 1;
	if (!ok && p->allow_groups) {
		rc = group_allowed(p, name, gid, err);
		if (rc < 0) {
			free(buf);
			return -1;
		}
		ok = rc;
	}
	if (name)
		snprintf(who, sizeof(who), "user %s (uid %u)", name, (unsigned)uid);
	else
		snprintf(who, sizeof(who), "uid %u", (unsigned)uid);
	free(buf);
	if (ok)
		return 0;
	return lwk_err_set(err, EPERM,
			   "%s may not use --lwk: the site policy allows only %s; ask your administrator",
			   who,
			   p->allow_users && p->allow_groups ? "the users in allow_users and members of allow_groups" :
			   p->allow_users ? "the users in allow_users" : "members of allow_groups");
}

/* ---- bounds ---- */

static void backend_list(unsigned mask, char *buf, size_t len)
{
	enum lwk_backend_kind b;
	size_t o = 0;

	buf[0] = '\0';
	for (b = LWK_BACKEND_NATIVE; b <= LWK_BACKEND_MOS; b++)
		if (mask & (1u << b)) {
			int n = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", lwk_backend_name(b));

			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
}

int lwk_policy_apply(const struct lwk_policy *p, struct lwk_spec *s, struct lwk_err *err)
{
	const char *from_default = " (from the site default)";
	unsigned allowed = p->backends & BACKENDS_ALL, defaulted;
	struct lwk_spec m;
	char names[64];

	if (s->none)
		return 0;
	if (lwk_spec_copy(&m, &p->defaults))
		return lwk_err_set(err, ENOMEM, "out of memory applying the site policy");
	if (lwk_spec_merge(&m, s)) {
		lwk_spec_fini(&m);
		return lwk_err_set(err, ENOMEM, "out of memory applying the site policy");
	}
	defaulted = m.keys & ~s->keys;

	backend_list(allowed, names, sizeof(names));
	if (!allowed) {
		lwk_spec_fini(&m);
		return lwk_err_set(err, EPERM,
				   "the site policy allows no LWK backend (backends); ask your administrator");
	}
	if ((m.keys & LWK_KEY_BACKEND) && m.backend != LWK_BACKEND_AUTO &&
	    !(allowed & (1u << m.backend))) {
		const char *b = lwk_backend_name(m.backend);

		lwk_spec_fini(&m);
		return lwk_err_set(err, EPERM,
				   "'backend:%s'%s: the %s backend is not allowed on this site; allowed: %s (or auto)",
				   b, defaulted & LWK_KEY_BACKEND ? from_default : "", b, names);
	}
	if ((m.keys & LWK_KEY_CORES) && m.cores_kind == LWK_AMOUNT_PERCENT &&
	    m.cores > p->max_core_share) {
		unsigned c = m.cores;

		lwk_spec_fini(&m);
		return lwk_err_set(err, EPERM,
				   "'cores:%u%%'%s: the site allows at most %u%% of the job's cores on a node for the LWK (max_core_share)",
				   c, defaulted & LWK_KEY_CORES ? from_default : "", p->max_core_share);
	}
	if ((m.keys & LWK_KEY_MEM) && m.mem_unit == LWK_MEM_PERCENT &&
	    m.mem > p->max_mem_share) {
		unsigned pct = (unsigned)m.mem;

		lwk_spec_fini(&m);
		return lwk_err_set(err, EPERM,
				   "'mem:%u%%'%s: the site allows at most %u%% of a NUMA node's memory for the LWK (max_mem_share)",
				   pct, defaulted & LWK_KEY_MEM ? from_default : "", p->max_mem_share);
	}
	lwk_spec_fini(s);
	*s = m;
	return 0;
}
