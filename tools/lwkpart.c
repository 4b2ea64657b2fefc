/* lwkpart: the admin CLI over liblwk's partitions. Thin: every decision is
 * in liblwk; this file parses arguments, calls one function, prints. Every
 * failure is one "lwk: ..." line on stderr and a non-zero exit. */
#include <errno.h>
#include <pwd.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "irq.h"
#include "list.h"
#include "policy.h"
#include "registry.h"
#include "partition.h"
#include "report.h"
#include "place.h"
#include "spec.h"
#include "topo.h"
#include "topo_cache.h"

#define CPU_MAX 65535	/* largest CPU index accepted from the command line */

static const char *statedir;	/* NULL: the policy's (LWK_STATEDIR by default) */
static const char *conffile = LWK_CONFFILE;
static bool json;
static struct lwk_policy pol;

static const char usage_text[] =
	"Usage: lwkpart [--statedir DIR] [--json] COMMAND [ARGS]\n"
	"Create, inspect and tear down LWK partitions on this node.\n"
	"\n"
	"Commands:\n"
	"  status                      what this node supports\n"
	"  check                       which CPUs take interrupts that cannot be moved\n"
	"  create --cpus LIST|--cores N [--mem SIZE] [--pages 2m|1g] [--id NAME]\n"
	"         [--owner OWNER] [--backend native|mckernel|mos]\n"
	"                              make a partition (prints its id)\n"
	"  create --spec SPEC --alloc LIST|--alloc-count N [--user NAME] [--id NAME]\n"
	"         [--owner OWNER] [--holder NAME]\n"
	"                              a job's partition from a user's spec, placed on\n"
	"                              the job's CPUs here (LIST, or N free CPUs); with\n"
	"                              --holder, joins partition ID of OWNER if it is\n"
	"                              live here (daemons of one job on one kernel)\n"
	"  check-spec [--user NAME] SPEC\n"
	"                              check a user's spec against the site policy\n"
	"                              (prints it in canonical form)\n"
	"  list                        all partitions\n"
	"  show ID                     one partition in detail\n"
	"  attach ID PID               move process PID into partition ID\n"
	"  destroy ID                  tear partition ID down\n"
	"  reap [--job ID|--owner OWNER [--holder NAME]] [--stale]\n"
	"                              undo abandoned partitions (and those of a job,\n"
	"                              or whose owner is gone) and restore the node;\n"
	"                              with --holder, NAME leaves OWNER's partitions\n"
	"                              and they go only once no other holder is left\n"
	"\n"
	"Options:\n"
	"  --statedir DIR  partition registry (default: statedir of lwk.conf, else " LWK_STATEDIR ")\n"
	"  --config FILE   site policy (default " LWK_CONFFILE "; a missing file is fine)\n"
	"  --json          machine-readable output for status, list, show\n"
	"  --help          this text\n"
	"\n"
	"An owner that is a plain number N means job N (\"job:N\").\n";

static int fail(const struct lwk_err *err)
{
	lwk_err_print(err, stderr);
	return 1;
}

static int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failf(const char *fmt, ...)
{
	struct lwk_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return fail(&err);
}

/* --- output helpers --- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_kv(bool *first, const char *k, const char *v)
{
	printf("%s", *first ? "" : ", ");
	*first = false;
	json_str(k);
	printf(": ");
	json_str(v);
}

static void json_kraw(bool *first, const char *k, const char *raw)
{
	printf("%s", *first ? "" : ", ");
	*first = false;
	json_str(k);
	printf(": %s", raw);
}

static void list_str(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	if (!set || hwloc_bitmap_iszero(set))
		snprintf(buf, len, "%s", "");
	else
		hwloc_bitmap_list_snprintf(buf, len, set);
}

static uint64_t mem_total(const struct lwk_partition *p)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < p->nmem; i++)
		t += p->mem[i].bytes;
	return t;
}

static const char *owner_arg(const char *o, char *buf, size_t len)
{
	if (o && *o && strspn(o, "0123456789") == strlen(o)) {
		snprintf(buf, len, "job:%s", o);
		return buf;
	}
	return o;
}

/* --- status --- */

static int cmd_status(int argc, char **argv)
{
	struct lwk_node_status st;
	struct lwk_err err = { 0 };
	struct lwk_partition *parts;
	size_t n;
	char nohz[256], iso[256], sizes[64] = "", online[256] = "", why[128] = "";
	bool native;
	const struct lwk_backend *be = lwk_backend_get(LWK_BACKEND_NATIVE);

	if (argc > 1)
		return failf("status takes no arguments: see lwkpart --help");
	if (lwk_node_status(&st, &err) < 0)
		return fail(&err);
	if (lwk_partition_list(statedir, &parts, &n, &err) < 0) {
		lwk_node_status_fini(&st);
		return fail(&err);
	}
	native = be && be->available(why, sizeof(why));
	list_str(st.nohz_full, nohz, sizeof(nohz));
	list_str(st.isolated, iso, sizeof(iso));
	{
		FILE *f = fopen("/sys/devices/system/cpu/online", "re");

		if (f) {
			if (fgets(online, sizeof(online), f))
				online[strcspn(online, "\n")] = '\0';
			fclose(f);
		}
	}
	for (unsigned i = 0; i < st.nhugesizes; i++) {
		char s[16];

		lwk_format_size(st.hugesizes[i], s, sizeof(s));
		snprintf(sizes + strlen(sizes), sizeof(sizes) - strlen(sizes), "%s%s",
			 i ? " " : "", s);
	}
	if (json) {
		bool f = true;
		char num[32];

		printf("{");
		snprintf(num, sizeof(num), "%d", st.cgroup_version);
		json_kraw(&f, "cgroup_version", num);
		json_kv(&f, "cpuset_root", st.cpuset_root);
		json_kv(&f, "cpus_online", online);
		json_kv(&f, "nohz_full", nohz);
		json_kv(&f, "isolated", iso);
		printf(", \"hugepage_sizes\": [");
		for (unsigned i = 0; i < st.nhugesizes; i++)
			printf("%s%" PRIu64, i ? ", " : "", st.hugesizes[i]);
		printf("]");
		json_kraw(&f, "kmod", st.kmod ? "true" : "false");
		json_kraw(&f, "irq_steering", st.irq_steering ? "true" : "false");
		json_kraw(&f, "wq_steering", st.wq_steering ? "true" : "false");
		json_kraw(&f, "native", native ? "true" : "false");
		json_kv(&f, "native_why", native ? "" : why);
		json_kraw(&f, "mckernel", st.mckernel ? "true" : "false");
		json_kv(&f, "mckernel_why", st.mckernel ? "" : st.mckernel_why);
		json_kraw(&f, "mos", st.mos ? "true" : "false");
		json_kv(&f, "mos_why", st.mos ? "" : st.mos_why);
		snprintf(num, sizeof(num), "%zu", n);
		json_kraw(&f, "partitions", num);
		printf("}\n");
	} else {
		if (st.cgroup_version)
			printf("cgroup:             v%d cpuset (%s)\n", st.cgroup_version,
			       st.cpuset_root);
		else
			printf("cgroup:             no cpuset controller\n");
		printf("cpus online:        %s\n", online);
		printf("nohz_full:          %s\n", *nohz ? nohz : "none");
		printf("isolcpus:           %s\n", *iso ? iso : "none");
		printf("huge page sizes:    %s\n", *sizes ? sizes : "none");
		printf("lwk.ko:             %s\n", st.kmod ? "loaded" : "not loaded");
		printf("irq steering:       %s\n", st.irq_steering ? "yes" : "no");
		printf("workqueue steering: %s\n", st.wq_steering ? "yes" : "no");
		printf("backend native:     %s%s%s%s\n", native ? "yes" : "no",
		       native ? "" : " (", native ? "" : why, native ? "" : ")");
		printf("backend mckernel:   %s%s%s%s\n", st.mckernel ? "yes" : "no",
		       st.mckernel ? "" : " (", st.mckernel ? "" : st.mckernel_why,
		       st.mckernel ? "" : ")");
		printf("backend mos:        %s%s%s%s\n", st.mos ? "yes" : "no",
		       st.mos ? "" : " (", st.mos ? "" : st.mos_why, st.mos ? "" : ")");
		printf("partitions:         %zu\n", n);
	}
	lwk_partition_list_free(parts, n);
	lwk_node_status_fini(&st);
	return 0;
}

/* --- create --- */

/* Splits bytes over the NUMA nodes of cpus, in proportion to the CPUs the
 * partition has on each, rounded up to whole pages. */
static int split_mem(const struct lwk_topo *tp, hwloc_const_bitmap_t cpus, uint64_t bytes,
		     enum lwk_pages pages, struct lwk_placement *pl, struct lwk_err *err)
{
	int nn = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_NUMANODE);
	unsigned total = (unsigned)hwloc_bitmap_weight(cpus), given = 0;
	uint64_t pg = lwk_pages_bytes(pages), left = (bytes + pg - 1) / pg;
	hwloc_bitmap_t in = hwloc_bitmap_alloc();

	pl->nmem = 0;
	for (int i = 0; i < nn && pl->nmem < LWK_MAX_NUMA; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, i);
		unsigned c;
		uint64_t share;

		hwloc_bitmap_and(in, o->cpuset, cpus);
		c = (unsigned)hwloc_bitmap_weight(in);
		if (!c)
			continue;
		given += c;
		/* the last node takes the rounding remainder */
		share = given == total ? left : (bytes / pg) * c / total;
		if (share > left)
			share = left;
		left -= share;
		hwloc_bitmap_set(pl->mems, o->os_index);
		pl->mem[pl->nmem].node = o->os_index;
		pl->mem[pl->nmem].bytes = share * pg;
		pl->nmem++;
	}
	hwloc_bitmap_free(in);
	if (left)
		return lwk_err_set(err, EINVAL, "cannot place the memory: no NUMA node holds "
				   "the partition's CPUs");
	return 0;
}

/* Every online CPU that no partition holds yet. */
static int free_cpus(const struct lwk_topo *tp, hwloc_bitmap_t out, struct lwk_err *err)
{
	struct lwk_partition *parts;
	size_t n;

	if (lwk_partition_list(statedir, &parts, &n, err) < 0)
		return -1;
	hwloc_bitmap_copy(out, hwloc_topology_get_topology_cpuset(tp->t));
	for (size_t i = 0; i < n; i++)
		hwloc_bitmap_andnot(out, out, parts[i].cpus);
	lwk_partition_list_free(parts, n);
	return 0;
}

/* --cpus: the admin chose; the record still says which unmovable IRQs
 * land there. */
static void cpus_irq_note(hwloc_const_bitmap_t cpus, char *note, size_t len)
{
	struct lwk_irqs x;
	char which[160];

	note[0] = '\0';
	if (lwk_irqs_read_node(statedir, &x, NULL) < 0)
		return;
	lwk_irqs_describe(&x, cpus, 2, which, sizeof(which));
	if (which[0])
		snprintf(note, len, "unmovable IRQs on LWK CPUs: %s", which);
	lwk_irqs_fini(&x);
}

/* --cores N [--mem SIZE]: the placement code chooses, as for a job whose
 * allocation is every free CPU of the node, within the site policy. */
static int place_cores(const struct lwk_topo *tp, const char *cores, const char *mem,
		       enum lwk_pages pages, struct lwk_placement *pl, char *spec, size_t len,
		       char *note, size_t notelen)
{
	struct lwk_spec sp;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t alloc = hwloc_bitmap_alloc();
	char *end;
	unsigned long n;
	int rc = -1;

	lwk_spec_init(&sp);
	errno = 0;
	n = strtoul(cores, &end, 10);
	if (errno || end == cores || *end || !n || n > 65535 || cores[0] == '-') {
		failf("create: '--cores %s': expected a whole number of cores, at least 1", cores);
		goto out;
	}
	sp.keys = LWK_KEY_CORES | LWK_KEY_PAGES;
	sp.cores_kind = LWK_AMOUNT_COUNT;
	sp.cores = (unsigned)n;
	sp.pages = pages;
	if (mem) {
		if (lwk_parse_size(mem, &sp.mem, &err) < 0) {
			lwk_err_prefix(&err, "create: '--mem %s'", mem);
			fail(&err);
			goto out;
		}
		if (sp.mem) {
			sp.keys |= LWK_KEY_MEM;
			sp.mem_unit = LWK_MEM_BYTES;
		}
	}
	if (free_cpus(tp, alloc, &err) < 0 ||
	    lwk_place_irq(statedir, tp, &pol, &sp, alloc, 0, pl, note, notelen, &err) < 0) {
		fail(&err);
		goto out;
	}
	lwk_spec_format(&sp, spec, len);
	rc = 0;
out:
	lwk_spec_fini(&sp);
	hwloc_bitmap_free(alloc);
	return rc;
}

/* --user NAME (default: the caller) as the uid and gid the policy checks. */
static int user_ids(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;

	if (!user) {
		*uid = getuid();
		*gid = getgid();
		return 0;
	}
	pw = getpwnam(user);
	if (!pw)
		return failf("'--user %s': no such user on this host", user);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

/* The job's CPUs on this node: LIST as given, or the N highest-numbered
 * CPUs no partition holds (a batch system that counts CPUs but binds none,
 * as PBS without its cgroups hook). */
static int job_alloc(const struct lwk_topo *tp, const char *list, const char *count,
		     hwloc_bitmap_t out)
{
	struct lwk_err err = { 0 };
	char why[256];

	if (list) {
		hwloc_bitmap_t set;

		if (lwk_list_parse(list, CPU_MAX, &set, why, sizeof(why)) < 0)
			return failf("create: '--alloc %s': %s", list, why);
		hwloc_bitmap_copy(out, set);
		hwloc_bitmap_free(set);
		if (!hwloc_bitmap_isincluded(out, hwloc_topology_get_complete_cpuset(tp->t)))
			return failf("create: '--alloc %s': not all of these CPUs exist here", list);
	} else {
		hwloc_bitmap_t fr = hwloc_bitmap_alloc();
		char *end;
		unsigned long n;
		int i;

		errno = 0;
		n = strtoul(count, &end, 10);
		if (errno || end == count || *end || !n || n > CPU_MAX || count[0] == '-') {
			hwloc_bitmap_free(fr);
			return failf("create: '--alloc-count %s': expected a whole number of CPUs, at least 1",
				     count);
		}
		if (free_cpus(tp, fr, &err) < 0) {
			hwloc_bitmap_free(fr);
			return fail(&err);
		}
		/* the highest n: CPU 0 and its neighbours stay with Linux */
		while (hwloc_bitmap_weight(fr) > 0 && (unsigned long)hwloc_bitmap_weight(fr) > n &&
		       (i = hwloc_bitmap_first(fr)) >= 0)
			hwloc_bitmap_clr(fr, (unsigned)i);
		hwloc_bitmap_copy(out, fr);
		hwloc_bitmap_free(fr);
		if ((unsigned long)hwloc_bitmap_weight(out) < n)
			return failf("create: the job has %lu CPUs here but only %d are outside LWK partitions",
				     n, hwloc_bitmap_weight(out));
	}
	return 0;
}

/* A user's spec checked against the site policy for that user, into sp
 * (the caller finishes it); -1 with the error printed. */
static int checked_spec(const char *text, const char *user, struct lwk_spec *sp)
{
	struct lwk_err err = { 0 };
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (user_ids(user, &uid, &gid))
		return -1;
	if (lwk_spec_check(&pol, text, uid, gid, sp, &err) < 0)
		return fail(&err), -1;
	return 0;
}

/* --spec: a user's spec, checked against the site policy for that user and
 * placed on the job's CPUs as the Slurm plugin places it on a job's cores. */
static int place_spec(const struct lwk_topo *tp, const char *text, const char *user,
		      hwloc_const_bitmap_t alloc, struct lwk_placement *pl, char *spec,
		      size_t len, enum lwk_backend_kind *backend, char *note, size_t notelen)
{
	struct lwk_spec sp;
	struct lwk_err err = { 0 };
	int rc = -1;

	if (checked_spec(text, user, &sp))
		return -1;
	if (sp.none) {
		failf("create: spec '%s' asks for no LWK partition", text);
		goto out;
	}
	/* away from unmovable IRQs, as the Slurm plugin places it */
	if (lwk_place_irq(statedir, tp, &pol, &sp, alloc, 0, pl, note, notelen, &err) < 0) {
		fail(&err);
		goto out;
	}
	lwk_spec_format(&sp, spec, len);
	*backend = sp.backend;
	rc = 0;
out:
	lwk_spec_fini(&sp);
	return rc;
}

/* The canonical form of a user's spec (site defaults filled in), as
 * place_spec records it: what a joining holder must have asked for too. */
static int canon_spec(const char *text, const char *user, char *spec, size_t len)
{
	struct lwk_spec sp;

	if (checked_spec(text, user, &sp))
		return -1;
	lwk_spec_format(&sp, spec, len);
	lwk_spec_fini(&sp);
	return 0;
}

/* --holder: joins the live partition id of owner (1, its id printed), or
 * says there is none to join (0: the caller makes it), or fails (-1). */
static int join(const char *id, const char *owner, const char *spectext, const char *user,
		const char *holder)
{
	struct lwk_err err = { 0 };
	struct lwk_partition p;
	char spec[LWK_SPEC_MAX];
	int rc;

	if (spectext && canon_spec(spectext, user, spec, sizeof(spec)))
		return -1;
	lwk_partition_init(&p);
	rc = lwk_partition_join(statedir, id, owner, spectext ? spec : NULL, holder, &p, &err);
	if (rc < 0)
		fail(&err);
	if (rc > 0) {
		fprintf(stderr, "lwkpart: %s: joined (holders %s)\n", p.id, p.holders);
		printf("%s\n", p.id);
	}
	lwk_partition_fini(&p);
	return rc;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "cores", required_argument, NULL, 'n' },
		{ "mem", required_argument, NULL, 'm' },
		{ "pages", required_argument, NULL, 'p' },
		{ "id", required_argument, NULL, 'i' },
		{ "owner", required_argument, NULL, 'o' },
		{ "backend", required_argument, NULL, 'b' },
		{ "spec", required_argument, NULL, 's' },
		{ "alloc", required_argument, NULL, 'a' },
		{ "alloc-count", required_argument, NULL, 'A' },
		{ "user", required_argument, NULL, 'u' },
		{ "holder", required_argument, NULL, 'H' },
		{ 0 }
	};
	const char *holder = NULL;
	const char *cpus = NULL, *cores = NULL, *mem = NULL, *pages = "2m", *id = NULL;
	const char *owner = NULL, *backend = "auto";
	const char *spectext = NULL, *alloc = NULL, *alloc_count = NULL, *user = NULL;
	bool by_hand = false;
	struct lwk_err err = { 0 };
	struct lwk_placement pl;
	struct lwk_partition out;
	char irqnote[224] = "";
	struct lwk_topo tp = { 0 };
	struct lwk_create_req req = { 0 };
	char ownbuf[LWK_ID_MAX + 8], spec[LWK_SPEC_MAX];
	int c, rc = 1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cpus = optarg; break;
		case 'n': cores = optarg; break;
		case 'm': mem = optarg; break;
		case 'p': pages = optarg; by_hand = true; break;
		case 'i': id = optarg; break;
		case 'o': owner = optarg; break;
		case 'b': backend = optarg; by_hand = true; break;
		case 's': spectext = optarg; break;
		case 'a': alloc = optarg; break;
		case 'A': alloc_count = optarg; break;
		case 'u': user = optarg; break;
		case 'H': holder = optarg; break;
		default:
			return failf("create: unknown option or missing value '%s': see lwkpart --help",
				     argv[optind - 1]);
		}
	}
	if (optind < argc)
		return failf("create: unexpected argument '%s': see lwkpart --help", argv[optind]);
	by_hand = by_hand || cpus || cores || mem;
	if (spectext) {
		if (by_hand)
			return failf("create: --spec takes the cores, memory, pages and backend from the spec; drop --cpus, --cores, --mem, --pages and --backend");
		if (!!alloc == !!alloc_count)
			return failf("create: --spec needs exactly one of --alloc LIST and --alloc-count N");
	} else if (alloc || alloc_count || user) {
		return failf("create: --alloc, --alloc-count and --user go with --spec SPEC");
	} else if (!!cpus == !!cores) {
		return failf("create: give exactly one of --cpus LIST and --cores N");
	}

	if (holder) {
		if (!id || !owner)
			return failf("create: --holder joins partition --id of --owner: give both");
		if (!lwk_holder_valid(holder))
			return failf("create: '--holder %s': use letters, digits, '.', '_' and '-', "
				     "at most %d characters", holder, LWK_ID_MAX - 1);
		owner = owner_arg(owner, ownbuf, sizeof(ownbuf));
		c = join(id, owner, spectext, user, holder);
		if (c)
			return c < 0 ? 1 : 0;
	}

	lwk_placement_init(&pl);
	lwk_partition_init(&out);
	req.statedir = statedir;
	req.holder = holder;
	req.allowed = pol.backends;	/* auto picks among what lwk.conf allows */
	req.id = id;
	req.owner = owner_arg(owner, ownbuf, sizeof(ownbuf));
	req.pl = &pl;
	if (!strcmp(pages, "2m") || !strcmp(pages, "2M"))
		pl.pages = LWK_PAGES_2M;
	else if (!strcmp(pages, "1g") || !strcmp(pages, "1G"))
		pl.pages = LWK_PAGES_1G;
	else {
		failf("create: '--pages %s': expected 2m or 1g", pages);
		goto out;
	}
	if (!strcmp(backend, "auto"))
		req.backend = LWK_BACKEND_AUTO;
	else if (!strcmp(backend, "native"))
		req.backend = LWK_BACKEND_NATIVE;
	else if (!strcmp(backend, "mckernel"))
		req.backend = LWK_BACKEND_MCKERNEL;
	else if (!strcmp(backend, "mos"))
		req.backend = LWK_BACKEND_MOS;
	else {
		failf("create: '--backend %s': expected native, mckernel, mos or auto", backend);
		goto out;
	}
	/* the node's cached topology; root refreshes a stale one */
	if (lwk_topo_load_node(&tp, statedir, LWK_TOPO_SAVE, NULL, 0, &err) < 0) {
		fail(&err);
		goto out;
	}
	if (spectext) {
		hwloc_bitmap_t job = hwloc_bitmap_alloc();

		if (!job || job_alloc(&tp, alloc, alloc_count, job) ||
		    place_spec(&tp, spectext, user, job, &pl, spec, sizeof(spec), &req.backend,
			       irqnote, sizeof(irqnote))) {
			hwloc_bitmap_free(job);
			goto out;
		}
		hwloc_bitmap_free(job);
		req.spec = spec;
		req.note = irqnote;
	} else if (cpus) {
		hwloc_bitmap_t set;
		char why[256];

		if (lwk_list_parse(cpus, CPU_MAX, &set, why, sizeof(why)) < 0) {
			failf("create: '--cpus %s': %s", cpus, why);
			goto out;
		}
		hwloc_bitmap_copy(pl.cpus, set);
		hwloc_bitmap_free(set);
		if (!hwloc_bitmap_isincluded(pl.cpus, hwloc_topology_get_complete_cpuset(tp.t))) {
			char l[256];

			hwloc_bitmap_list_snprintf(l, sizeof(l),
						   hwloc_topology_get_complete_cpuset(tp.t));
			failf("create: '--cpus %s': this node has CPUs %s only", cpus, l);
			goto out;
		}
		lwk_topo_cpus_to_mems(&tp, pl.cpus, pl.mems);
		cpus_irq_note(pl.cpus, irqnote, sizeof(irqnote));
		req.note = irqnote;
	} else {
		if (place_cores(&tp, cores, mem, pl.pages, &pl, spec, sizeof(spec), irqnote,
				sizeof(irqnote)) < 0)
			goto out;
		req.note = irqnote;
		req.spec = spec;
		mem = NULL;	/* placed with the cores */
	}
	if (mem) {
		uint64_t bytes;

		if (lwk_parse_size(mem, &bytes, &err) < 0) {
			lwk_err_prefix(&err, "create: '--mem %s'", mem);
			fail(&err);
			goto out;
		}
		if (bytes && split_mem(&tp, pl.cpus, bytes, pl.pages, &pl, &err) < 0) {
			fail(&err);
			goto out;
		}
	}
	if (lwk_partition_create(&req, &out, &err) < 0) {
		/* another holder of the same job made it meanwhile: join it */
		if (holder && err.code == EEXIST) {
			c = join(id, req.owner, spectext, user, holder);
			rc = c > 0 ? 0 : 1;
			if (!c)
				fail(&err);
			goto out;
		}
		fail(&err);
		goto out;
	}
	if (out.note[0])
		fprintf(stderr, "lwkpart: %s: %s\n", out.id, out.note);
	printf("%s\n", out.id);
	rc = 0;
out:
	if (tp.t)
		lwk_topo_fini(&tp);
	lwk_partition_fini(&out);
	lwk_placement_fini(&pl);
	return rc;
}

/* --- check-spec --- */

/* What a submit-time check (the PBS queuejob hook) runs: the user's spec
 * against this host's lwk.conf, nothing touched. Prints the canonical spec
 * (site defaults filled in), or one "lwk: " line and exits 1. */
static int cmd_check_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ 0 }
	};
	const char *user = NULL;
	struct lwk_spec sp;
	struct lwk_err err = { 0 };
	char text[LWK_SPEC_MAX + 1];
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'u')
			return failf("check-spec: unknown option or missing value '%s': see lwkpart --help",
				     argv[optind - 1]);
		user = optarg;
	}
	if (argc - optind != 1)
		return failf("check-spec needs one spec: lwkpart check-spec [--user NAME] SPEC");
	if (user_ids(user, &uid, &gid))
		return 1;
	if (lwk_spec_check(&pol, argv[optind], uid, gid, &sp, &err) < 0)
		return fail(&err);
	lwk_spec_format(&sp, text, sizeof(text));
	lwk_spec_fini(&sp);
	printf("%s\n", text);
	return 0;
}

/* --- list / show --- */

/* "stale" for a record of an earlier boot: what it describes is gone and
 * the next reap drops it. */
static const char *state_name(const struct lwk_partition *p)
{
	return lwk_partition_stale_boot(p) ? "stale" : lwk_part_state_name(p->state);
}

static void mem_str(const struct lwk_partition *p, char *buf, size_t len)
{
	char s[32];

	if (!mem_total(p)) {
		snprintf(buf, len, "-");
		return;
	}
	lwk_format_size(mem_total(p), s, sizeof(s));
	snprintf(buf, len, "%s/%s", s, lwk_pages_name(p->pages));
}

struct kvctx {
	bool *first;
};

static void kv_text(void *ctx, const char *k, const char *v)
{
	printf("%-10s %s\n", k, v);
}

static void kv_json(void *ctx, const char *k, const char *v)
{
	json_kv(((struct kvctx *)ctx)->first, k, v);
}

static void show_json(const struct lwk_partition *p, bool detail)
{
	bool f = true;
	char cpus[256], mems[256], num[32];
	struct kvctx ctx = { &f };
	const struct lwk_backend *be = lwk_backend_get(p->backend);

	list_str(p->cpus, cpus, sizeof(cpus));
	list_str(p->mems, mems, sizeof(mems));
	printf("{");
	json_kv(&f, "id", p->id);
	json_kv(&f, "state", state_name(p));
	json_kv(&f, "backend", lwk_backend_name(p->backend));
	json_kv(&f, "owner", p->owner);
	snprintf(num, sizeof(num), "%ld", (long)p->creator);
	json_kraw(&f, "creator", num);
	json_kv(&f, "cpus", cpus);
	json_kv(&f, "mems", mems);
	json_kv(&f, "pages", lwk_pages_name(p->pages));
	printf(", \"mem\": [");
	for (unsigned i = 0; i < p->nmem; i++)
		printf("%s{\"node\": %u, \"bytes\": %" PRIu64 "}", i ? ", " : "", p->mem[i].node,
		       p->mem[i].bytes);
	printf("]");
	snprintf(num, sizeof(num), "%lld", (long long)p->created);
	json_kraw(&f, "created", num);
	json_kv(&f, "spec", p->spec);
	json_kv(&f, "note", p->note);
	json_kv(&f, "holders", p->holders);
	if (detail) {
		printf(", \"steps\": [");
		for (unsigned i = 0; i < p->nsteps; i++) {
			bool sf = true;

			printf("%s{", i ? ", " : "");
			json_kv(&sf, "step", p->step[i].name);
			json_kv(&sf, "arg", p->step[i].arg);
			printf("}");
		}
		printf("]");
		if (be && be->describe)
			be->describe(p, kv_json, &ctx);
	}
	printf("}");
}

static int cmd_list(int argc, char **argv)
{
	struct lwk_err err = { 0 };
	struct lwk_partition *parts;
	size_t n;

	if (argc > 1)
		return failf("list takes no arguments: see lwkpart --help");
	if (lwk_partition_list(statedir, &parts, &n, &err) < 0)
		return fail(&err);
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			show_json(&parts[i], false);
		}
		printf("]\n");
	} else {
		printf("%-16s %-10s %-8s %-12s %-10s %s\n", "ID", "STATE", "BACKEND", "CPUS",
		       "MEM", "OWNER");
		for (size_t i = 0; i < n; i++) {
			char cpus[256], m[48];

			list_str(parts[i].cpus, cpus, sizeof(cpus));
			mem_str(&parts[i], m, sizeof(m));
			printf("%-16s %-10s %-8s %-12s %-10s %s\n", parts[i].id,
			       state_name(&parts[i]),
			       lwk_backend_name(parts[i].backend), cpus, m,
			       parts[i].owner[0] ? parts[i].owner : "-");
		}
	}
	lwk_partition_list_free(parts, n);
	return 0;
}

/* The noise so far, for a live native partition; a line saying why not
 * otherwise (the partition itself is fine either way). */
static void show_noise(const struct lwk_partition *p)
{
	struct lwk_err err = { 0 };
	struct lwk_noise n;

	if (p->state != LWK_PART_LIVE || p->backend != LWK_BACKEND_NATIVE)
		return;
	if (lwk_partition_noise(statedir, p->id, &n, &err) < 0) {
		kv_text(NULL, "noise", strncmp(err.msg, "noise: ", 7) ? err.msg : err.msg + 7);
		return;
	}
	lwk_noise_report(stdout, p->id, &n);
	lwk_noise_fini(&n);
}

static int cmd_show(int argc, char **argv)
{
	struct lwk_err err = { 0 };
	struct lwk_partition p;
	const struct lwk_backend *be;

	if (argc != 2)
		return failf("show needs one partition id: lwkpart show ID");
	lwk_partition_init(&p);
	if (lwk_partition_get(statedir, argv[1], &p, &err) < 0) {
		lwk_partition_fini(&p);
		return fail(&err);
	}
	be = lwk_backend_get(p.backend);
	if (json) {
		show_json(&p, true);
		printf("\n");
	} else {
		char cpus[256], mems[256], m[48], when[64], num[32];
		struct tm tm;
		time_t t = p.created;

		list_str(p.cpus, cpus, sizeof(cpus));
		list_str(p.mems, mems, sizeof(mems));
		mem_str(&p, m, sizeof(m));
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&t, &tm));
		snprintf(num, sizeof(num), "%ld", (long)p.creator);
		kv_text(NULL, "id", p.id);
		kv_text(NULL, "state", state_name(&p));
		kv_text(NULL, "backend", lwk_backend_name(p.backend));
		kv_text(NULL, "owner", p.owner[0] ? p.owner : "-");
		kv_text(NULL, "creator", num);
		kv_text(NULL, "created", when);
		kv_text(NULL, "cpus", cpus);
		kv_text(NULL, "mems", mems);
		kv_text(NULL, "memory", m);
		for (unsigned i = 0; i < p.nmem; i++) {
			char k[32], v[32];

			snprintf(k, sizeof(k), "  node %u", p.mem[i].node);
			lwk_format_size(p.mem[i].bytes, v, sizeof(v));
			kv_text(NULL, k, v);
		}
		if (p.spec[0])
			kv_text(NULL, "spec", p.spec);
		if (be && be->describe)
			be->describe(&p, kv_text, NULL);
		if (p.note[0])
			kv_text(NULL, "note", p.note);
		if (p.holders[0])
			kv_text(NULL, "holders", p.holders);
		for (unsigned i = 0; i < p.nsteps; i++) {
			char k[48];

			snprintf(k, sizeof(k), "step %s", p.step[i].name);
			kv_text(NULL, k, p.step[i].arg);
		}
		show_noise(&p);
	}
	lwk_partition_fini(&p);
	return 0;
}

/* --- attach / destroy / reap --- */

static int cmd_attach(int argc, char **argv)
{
	struct lwk_err err = { 0 };
	char *end;
	long pid;

	if (argc != 3)
		return failf("attach needs a partition id and a process id: lwkpart attach ID PID");
	errno = 0;
	pid = strtol(argv[2], &end, 10);
	if (errno || end == argv[2] || *end || pid <= 0 || pid > INT32_MAX)
		return failf("attach: '%s' is not a process id", argv[2]);
	if (lwk_partition_attach(statedir, argv[1], (pid_t)pid, &err) < 0)
		return fail(&err);
	return 0;
}

static int cmd_destroy(int argc, char **argv)
{
	struct lwk_err err = { 0 };

	if (argc != 2)
		return failf("destroy needs one partition id: lwkpart destroy ID");
	if (lwk_partition_destroy(statedir, argv[1], &err) < 0)
		return fail(&err);
	return 0;
}

static int cmd_reap(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "job", required_argument, NULL, 'j' },
		{ "owner", required_argument, NULL, 'o' },
		{ "stale", no_argument, NULL, 's' },
		{ "holder", required_argument, NULL, 'H' },
		{ 0 }
	};
	const char *owner = NULL, *holder = NULL;
	char by[LWK_HOLDERS_MAX];
	char ownbuf[LWK_ID_MAX + 8];
	struct lwk_err err = { 0 };
	bool stale = false;
	unsigned count;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (!*optarg || strspn(optarg, "0123456789") != strlen(optarg))
				return failf("reap: '--job %s': expected a job number", optarg);
			snprintf(ownbuf, sizeof(ownbuf), "job:%s", optarg);
			owner = ownbuf;
			break;
		case 'o': owner = owner_arg(optarg, ownbuf, sizeof(ownbuf)); break;
		case 's': stale = true; break;
		case 'H': holder = optarg; break;
		default:
			return failf("reap: unknown option or missing value '%s': see lwkpart --help",
				     argv[optind - 1]);
		}
	}
	if (optind < argc)
		return failf("reap: unexpected argument '%s': see lwkpart --help", argv[optind]);
	if (holder && !owner)
		return failf("reap: --holder NAME leaves the partitions of --owner OWNER: give both");
	if (holder) {
		if (lwk_partition_leave(statedir, owner, holder, &count, by, sizeof(by), &err) < 0)
			return fail(&err);
		if (count) {
			/* still used by another holder on this kernel: not ours to undo */
			fprintf(stderr, "lwkpart: %s left the partition of %s; kept for %s\n", holder,
				owner, by);
			owner = NULL;
		}
	}
	/* An owner's partitions are reaped when its job ends: keep their noise
	 * reports first (report_dir in lwk.conf); a failure only warns. */
	if (owner && lwk_report_write(statedir, owner, pol.report_dir, &count, &err) < 0)
		lwk_err_print(&err, stderr);
	else if (owner && count)
		fprintf(stderr, "lwkpart: %u noise report%s in %s\n", count, count == 1 ? "" : "s",
			pol.report_dir);
	lwk_err_clear(&err);
	if (lwk_reap(statedir, owner, stale, NULL, &count, &err) < 0)
		return fail(&err);
	if (count)
		fprintf(stderr, "lwkpart: reaped %u partition%s\n", count, count == 1 ? "" : "s");
	return 0;
}

/* --- check --- */

/* Which CPUs take interrupts that cannot be moved (irq.h): LWK cores there
 * are interrupted whatever the partition does. The placement avoids them;
 * a site keeps them off its LWK-capable CPUs at boot (doc/irq.md). */
static int cmd_check(int argc, char **argv)
{
	struct lwk_err err = { 0 };
	struct lwk_irqs x;
	hwloc_bitmap_t all = hwloc_bitmap_alloc(), hit = hwloc_bitmap_alloc();
	hwloc_bitmap_t cap = hwloc_bitmap_alloc(), bad = hwloc_bitmap_alloc();
	char l_hit[256], l_cap[256], l_bad[256];
	bool first = true;

	(void)argv;
	if (argc > 1) {
		hwloc_bitmap_free(all);
		hwloc_bitmap_free(hit);
		hwloc_bitmap_free(cap);
		hwloc_bitmap_free(bad);
		return failf("check takes no arguments: see lwkpart --help");
	}
	if (lwk_irqs_read_node(statedir, &x, &err) < 0) {
		hwloc_bitmap_free(all);
		hwloc_bitmap_free(hit);
		hwloc_bitmap_free(cap);
		hwloc_bitmap_free(bad);
		return fail(&err);
	}
	hwloc_bitmap_set_range(all, 0, x.ncpu ? (int)x.ncpu - 1 : 0);
	lwk_irqs_unmovable_cpus(&x, all, hit);
	/* the CPUs that may become LWK cores: lwk_cpus of lwk.conf, else all */
	hwloc_bitmap_copy(cap, pol.lwk_cpus ? pol.lwk_cpus : all);
	hwloc_bitmap_and(bad, hit, cap);
	list_str(hit, l_hit, sizeof(l_hit));
	list_str(cap, l_cap, sizeof(l_cap));
	list_str(bad, l_bad, sizeof(l_bad));
	if (json)
		printf("{\"unmovable\": [");
	else
		printf("unmovable IRQs land on CPUs: %s\n", l_hit[0] ? l_hit : "none");
	for (unsigned i = 0; i < x.nline; i++) {
		const struct lwk_irq_line *l = &x.line[i];
		char on[256], n[32], num[16];
		bool f = true;

		if (!lwk_irq_unmovable(l) || !l->effective)
			continue;
		list_str(l->effective, on, sizeof(on));
		lwk_irq_thousands(l->total, n, sizeof(n));
		if (!json) {
			printf("  irq %d %s on CPU %s: %s, %s so far\n", l->irq, l->name, on,
			       l->managed ? "managed by the kernel" : "affinity write refused", n);
			continue;
		}
		printf("%s{", first ? "" : ", ");
		first = false;
		snprintf(num, sizeof(num), "%d", l->irq);
		json_kraw(&f, "irq", num);
		json_kv(&f, "name", l->name);
		json_kv(&f, "cpus", on);
		json_kv(&f, "why", l->managed ? "managed" : "refused");
		snprintf(n, sizeof(n), "%" PRIu64, l->total);
		json_kraw(&f, "count", n);
		printf("}");
	}
	if (json) {
		printf("], ");
		first = true;
		json_kv(&first, "cpus", l_hit);
		json_kv(&first, "lwk_capable", l_cap);
		json_kv(&first, "lwk_capable_hit", l_bad);
		printf("}\n");
	} else if (l_bad[0]) {
		printf("LWK-capable CPUs %s: %s take%s them; placement keeps LWK cores off them while the job has other cores; to keep them free at boot see isolcpus=managed_irq and lwkpart(8)\n",
		       l_cap, l_bad, hwloc_bitmap_weight(bad) == 1 ? "s" : "");
	} else {
		printf("LWK-capable CPUs %s: none takes them\n", l_cap);
	}
	lwk_irqs_fini(&x);
	hwloc_bitmap_free(all);
	hwloc_bitmap_free(hit);
	hwloc_bitmap_free(cap);
	hwloc_bitmap_free(bad);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "status", cmd_status }, { "check", cmd_check }, { "create", cmd_create }, { "list", cmd_list },
	{ "show", cmd_show }, { "attach", cmd_attach }, { "destroy", cmd_destroy },
	{ "reap", cmd_reap }, { "check-spec", cmd_check_spec },
};

int main(int argc, char **argv)
{
	int i, n = 1;

	/* Global options may come anywhere: lwkpart list --json works too. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--statedir")) {
			if (++i == argc || !*argv[i])
				return failf("--statedir needs a directory");
			statedir = argv[i];
		} else if (!strncmp(argv[i], "--statedir=", 11)) {
			statedir = argv[i] + 11;
		} else if (!strcmp(argv[i], "--config")) {
			if (++i == argc || !*argv[i])
				return failf("--config needs a file");
			conffile = argv[i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			conffile = argv[i] + 9;
		} else {
			argv[n++] = argv[i];
		}
	}
	argc = n;
	argv[argc] = NULL;
	if (argc < 2)
		return failf("no command given: see lwkpart --help");
	if (argv[1][0] == '-')
		return failf("unknown option '%s': see lwkpart --help", argv[1]);
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		struct lwk_err err = { 0 };
		int rc;

		if (strcmp(argv[1], commands[k].name))
			continue;
		lwk_policy_init(&pol);
		if (lwk_policy_load(&pol, conffile, &err) < 0 && err.code != ENOENT) {
			lwk_policy_fini(&pol);
			return fail(&err);
		}
		if (!statedir && pol.statedir[0])
			statedir = pol.statedir;
		rc = commands[k].fn(argc - 1, argv + 1);
		lwk_policy_fini(&pol);
		return rc;
	}
	return failf("unknown command '%s': see lwkpart --help", argv[1]);
}
