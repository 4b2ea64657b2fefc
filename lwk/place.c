/* Placement: which of a job's cores and how much NUMA memory become the LWK
 * partition on a node.
 *
 * Reads the spec and policy structs only (no calls into spec.c/policy.c):
 * the caller has parsed the spec and applied the policy defaults. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cores.h"
#include "place.h"

void lwk_placement_init(struct lwk_placement *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->cpus = hwloc_bitmap_alloc();
	pl->linux_cpus = hwloc_bitmap_alloc();
	pl->mems = hwloc_bitmap_alloc();
	pl->pages = LWK_PAGES_2M;
}

void lwk_placement_fini(struct lwk_placement *pl)
{
	hwloc_bitmap_free(pl->cpus);
	hwloc_bitmap_free(pl->linux_cpus);
	hwloc_bitmap_free(pl->mems);
	memset(pl, 0, sizeof(*pl));
}

static void placement_clear(struct lwk_placement *pl)
{
	hwloc_bitmap_zero(pl->cpus);
	hwloc_bitmap_zero(pl->linux_cpus);
	hwloc_bitmap_zero(pl->mems);
	pl->ncores = 0;
	pl->nmem = 0;
	memset(pl->mem, 0, sizeof(pl->mem));
}

static uint64_t page_bytes(enum lwk_pages p)
{
	switch (p) {
	case LWK_PAGES_1G:
		return UINT64_C(1) << 30;
	case LWK_PAGES_2M:
		return UINT64_C(2) << 20;
	default:
		return 4096;
	}
}

/* Exact, parseable by the spec grammar: "28G", "1536M", "4097". */
static void fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	int u = -1;

	while (u < 3 && b && b % 1024 == 0) {
		b /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, b);
	else
		snprintf(buf, len, "%" PRIu64 "%c", b, unit[u]);
}

/* For people: "14.4G". */
static void fmt_approx(uint64_t b, char *buf, size_t len)
{
	static const char unit[] = "BKMGT";
	double v = (double)b;
	int u = 0;

	while (u < 4 && v >= 1024) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%" PRIu64 "%c", (uint64_t)v, unit[u]);
	else
		snprintf(buf, len, "%.1f%c", v, unit[u]);
}

static void cores_item(const struct lwk_spec *s, char *buf, size_t len)
{
	if (!(s->keys & LWK_KEY_CORES) || s->cores_kind == LWK_AMOUNT_ALL)
		snprintf(buf, len, "cores:all");
	else if (s->cores_kind == LWK_AMOUNT_PERCENT)
		snprintf(buf, len, "cores:%u%%", s->cores);
	else
		snprintf(buf, len, "cores:%u", s->cores);
}

static void mem_item(const struct lwk_spec *s, char *buf, size_t len)
{
	char sz[32];

	if (s->mem_unit == LWK_MEM_PERCENT) {
		snprintf(buf, len, "mem:%" PRIu64 "%%", s->mem);
	} else {
		fmt_size(s->mem, sz, sizeof(sz));
		snprintf(buf, len, "mem:%s", sz);
	}
}

static void numa_item(const struct lwk_spec *s, char *buf, size_t len)
{
	char *l = NULL;

	if (hwloc_bitmap_list_asprintf(&l, s->numa) < 0 || !l)
		snprintf(buf, len, "numa:?");
	else
		snprintf(buf, len, "numa:%.64s", l);
	free(l);
}

enum core_state { C_NONCAND, C_KEEP, C_AVAIL, C_LWK };

struct place {
	const struct lwk_topo *tp;
	const struct lwk_policy *pol;
	const struct lwk_spec *spec;
	hwloc_const_bitmap_t alloc;
	const uint64_t *cost;	/* per OS PU, ncost of them; NULL: no preference */
	unsigned ncost;
	uint64_t *ccost;	/* per core of c: the sum over its PUs */
	struct lwk_cores c;
	unsigned char *state;	/* per core of c */
	unsigned *kept;		/* per node: cores staying on Linux */
	unsigned *avail;	/* per node: cores that may become LWK cores */
	unsigned *take;		/* per node: LWK cores chosen */
	unsigned nalloc, nkeep, extra, navail;
	unsigned npartial, npolicy, nnuma;	/* why cores cannot be LWK cores */
};

static void place_free(struct place *p)
{
	lwk_cores_free(&p->c);
	free(p->state);
	free(p->kept);
	free(p->avail);
	free(p->take);
	free(p->ccost);
}

/* Which allocated cores may become LWK cores at all. */
static int classify(struct place *p, struct lwk_err *err)
{
	const struct lwk_spec *s = p->spec;
	bool numa = (s->keys & LWK_KEY_NUMA) && s->numa;
	hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
	unsigned k, i;
	char item[96];

	if (!nodes)
		return lwk_err_set(err, ENOMEM, "out of memory");
	for (k = 0; k < p->c.nnodes; k++)
		if (lwk_cores_in(&p->c, k))
			hwloc_bitmap_set(nodes, p->c.node[k]->os_index);
	if (numa && (hwloc_bitmap_iszero(s->numa) || !hwloc_bitmap_isincluded(s->numa, nodes))) {
		hwloc_bitmap_t bad = hwloc_bitmap_alloc();
		char *have = NULL;

		if (bad)
			hwloc_bitmap_andnot(bad, s->numa, nodes);
		numa_item(s, item, sizeof(item));
		hwloc_bitmap_list_asprintf(&have, nodes);
		lwk_err_set(err, EINVAL, "'%s': the job has no cores on NUMA node %d of this node; its cores are on NUMA node%s %s, choose among those",
			    item, bad ? hwloc_bitmap_first(bad) : -1,
			    hwloc_bitmap_weight(nodes) > 1 ? "s" : "", have ? have : "?");
		free(have);
		hwloc_bitmap_free(bad);
		hwloc_bitmap_free(nodes);
		return -1;
	}
	hwloc_bitmap_free(nodes);

	for (k = 0; k < p->c.nnodes; k++) {
		for (i = p->c.first[k]; i < p->c.first[k + 1]; i++) {
			hwloc_const_bitmap_t pus = p->c.core[i]->cpuset;

			p->state[i] = C_NONCAND;
			if (!hwloc_bitmap_isincluded(pus, p->alloc))
				p->npartial++;	/* a hyperthread of it is not the job's */
			else if (p->pol->lwk_cpus && !hwloc_bitmap_isincluded(pus, p->pol->lwk_cpus))
				p->npolicy++;
			else if (numa && !hwloc_bitmap_isset(s->numa, p->c.node[k]->os_index))
				p->nnuma++;
			else
				p->state[i] = C_AVAIL;
			if (p->state[i] == C_AVAIL)
				p->avail[k]++;
			else
				p->kept[k]++;
		}
	}
	return 0;
}

/* What an LWK core would suffer from unmovable IRQs (lwk_irqs_cost), summed
 * over its PUs; once per core, as the picks below look at each many times. */
static int core_costs(struct place *p)
{
	int pu;

	if (!p->cost)
		return 0;
	p->ccost = calloc(p->c.ncores ? p->c.ncores : 1, sizeof(*p->ccost));
	if (!p->ccost)
		return -1;
	for (unsigned i = 0; i < p->c.ncores; i++) {
		hwloc_bitmap_foreach_begin(pu, p->c.core[i]->cpuset)
			if ((unsigned)pu < p->ncost)
				p->ccost[i] += p->cost[pu];
		hwloc_bitmap_foreach_end();
	}
	return 0;
}

static uint64_t core_cost(const struct place *p, unsigned i)
{
	return p->ccost ? p->ccost[i] : 0;
}

/* The candidate of node k to keep on Linux: the lowest-numbered, unless
 * unmovable IRQs land on some: then the costliest (lowest-numbered among
 * equals), which Linux tolerates better than an LWK core. */
static unsigned keep_pick(const struct place *p, unsigned k)
{
	unsigned i, best = p->c.first[k + 1];
	uint64_t bc = 0;

	for (i = p->c.first[k]; i < p->c.first[k + 1]; i++) {
		uint64_t c;

		if (p->state[i] != C_AVAIL)
			continue;
		c = core_cost(p, i);
		if (best == p->c.first[k + 1] || c > bc) {
			best = i;
			bc = c;
		}
	}
	return best;
}

/* Keeps max(util, min_linux_cores) cores on Linux. Cores that cannot be
 * LWK cores already count; more are taken from the candidates, spread over
 * the NUMA nodes, lowest-numbered first (CPU 0 stays on Linux). */
static void keep_linux(struct place *p)
{
	const struct lwk_spec *s = p->spec;
	unsigned util = (s->keys & LWK_KEY_UTIL) ? s->util : 0;
	unsigned nnon = p->npartial + p->npolicy + p->nnuma, e, k, i;

	p->nkeep = util > p->pol->min_linux_cores ? util : p->pol->min_linux_cores;
	p->extra = 0;
	for (e = nnon; e < p->nkeep; e++) {
		unsigned best = p->c.nnodes;

		for (k = 0; k < p->c.nnodes; k++)
			if (p->avail[k] && (best == p->c.nnodes || p->kept[k] < p->kept[best]))
				best = k;
		if (best == p->c.nnodes)
			break;
		i = keep_pick(p, best);
		p->state[i] = C_KEEP;
		p->avail[best]--;
		p->kept[best]++;
		p->extra++;
	}
	p->navail = 0;
	for (k = 0; k < p->c.nnodes; k++)
		p->navail += p->avail[k];
}

/* "the job has 4 cores on this node and 1 must stay on Linux" */
static void situation(const struct place *p, char *buf, size_t len)
{
	unsigned nnon = p->npartial + p->npolicy + p->nnuma;
	size_t off;

	off = (size_t)snprintf(buf, len, "the job has %u core%s on this node", p->nalloc,
			       p->nalloc == 1 ? "" : "s");
	if (nnon) {
		char why[192] = "", numa[80];
		size_t w = 0;

		if (p->npartial)
			w += (size_t)snprintf(why + w, sizeof(why) - w, "%u with a hyperthread not in the job",
					      p->npartial);
		if (p->npolicy && w < sizeof(why))
			w += (size_t)snprintf(why + w, sizeof(why) - w, "%s%u outside the site's lwk_cpus",
					      w ? ", " : "", p->npolicy);
		if (p->nnuma && w < sizeof(why)) {
			numa_item(p->spec, numa, sizeof(numa));
			snprintf(why + w, sizeof(why) - w, "%s%u outside %s", w ? ", " : "", p->nnuma,
				 numa);
		}
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					", %u cannot be LWK cores (%s)", nnon, why);
		if (p->extra)
			snprintf(buf + off, off < len ? len - off : 0, " and %u more must stay on Linux",
				 p->extra);
	} else {
		snprintf(buf + off, off < len ? len - off : 0, " and %u must stay on Linux", p->nkeep);
	}
}

/* What to do when no core is left for the LWK. */
static const char *advice(const struct place *p)
{
	if (p->nnuma)
		return "choose other NUMA nodes with numa:";
	if (p->npolicy)
		return "ask Slurm for cores among the site's lwk_cpus";
	return "give the job more cores on this node";
}

static int choose_count(struct place *p, unsigned *want, struct lwk_err *err)
{
	const struct lwk_spec *s = p->spec;
	unsigned share = p->pol->max_core_share > 100 ? 100 : p->pol->max_core_share;
	unsigned limit = (unsigned)((uint64_t)p->nalloc * share / 100);
	unsigned maxc = p->navail < limit ? p->navail : limit;
	char item[32], sit[384];

	cores_item(s, item, sizeof(item));
	if ((s->keys & LWK_KEY_CORES) && s->cores_kind != LWK_AMOUNT_ALL && s->cores == 0)
		return lwk_err_set(err, EINVAL, "'%s': ask for at least 1 core", item);
	if (p->navail == 0) {
		situation(p, sit, sizeof(sit));
		return lwk_err_set(err, ENOSPC, "'%s': no core can become an LWK core: %s; %s",
				   item, sit, advice(p));
	}
	if (limit == 0)
		return lwk_err_set(err, EPERM, "'%s': the site lets the LWK take at most %u%% of the job's cores on a node, less than one of its %u; give the job more cores",
				   item, share, p->nalloc);
	if (!(s->keys & LWK_KEY_CORES) || s->cores_kind == LWK_AMOUNT_ALL) {
		*want = maxc;
	} else if (s->cores_kind == LWK_AMOUNT_PERCENT) {
		/* a share of the job's cores, at least one, at most what fits */
		*want = (unsigned)((uint64_t)p->nalloc * (s->cores > 100 ? 100 : s->cores) / 100);
		if (*want == 0)
			*want = 1;
		if (*want > maxc)
			*want = maxc;
	} else {
		*want = s->cores;
		if (*want > p->navail) {
			situation(p, sit, sizeof(sit));
			return lwk_err_set(err, ENOSPC, "'%s': %s; ask for at most %u", item, sit,
					   maxc);
		}
		if (*want > limit)
			return lwk_err_set(err, EPERM, "'%s': the site lets the LWK take at most %u%% of the job's %u cores on this node; ask for at most %u",
					   item, share, p->nalloc, maxc);
	}
	return 0;
}

/* The next LWK core of node k: the cheapest candidate (no unmovable IRQ
 * lands on it, or only idle ones), the highest-numbered among equals. */
static unsigned lwk_pick(const struct place *p, unsigned k)
{
	unsigned i, best = p->c.first[k + 1];
	uint64_t bc = 0;

	for (i = p->c.first[k + 1]; i-- > p->c.first[k];) {
		uint64_t c;

		if (p->state[i] != C_AVAIL)
			continue;
		c = core_cost(p, i);
		if (best == p->c.first[k + 1] || c < bc) {
			best = i;
			bc = c;
		}
	}
	return best;
}

/* Balanced over the NUMA nodes: each next core goes to the node with the
 * fewest LWK cores so far, then the most left, then the highest-numbered.
 * Within a node the highest-numbered cores become LWK cores, those where
 * unmovable IRQs land last. */
static void distribute(struct place *p, unsigned want)
{
	unsigned j, k, i, n;

	for (j = 0; j < want; j++) {
		unsigned best = p->c.nnodes;

		for (k = 0; k < p->c.nnodes; k++) {
			if (p->take[k] >= p->avail[k])
				continue;
			if (best == p->c.nnodes || p->take[k] < p->take[best] ||
			    (p->take[k] == p->take[best] &&
			     p->avail[k] - p->take[k] >= p->avail[best] - p->take[best]))
				best = k;
		}
		p->take[best]++;	/* want <= navail: always found */
	}
	for (k = 0; k < p->c.nnodes; k++) {
		if (p->ccost) {
			for (n = 0; n < p->take[k]; n++)
				p->state[lwk_pick(p, k)] = C_LWK;
			continue;
		}
		for (i = p->c.first[k + 1], n = p->take[k]; n && i-- > p->c.first[k];)
			if (p->state[i] == C_AVAIL) {
				p->state[i] = C_LWK;
				n--;
			}
	}
}

static uint64_t round_up(unsigned __int128 v, uint64_t page)
{
	v = (v + page - 1) / page * page;
	return v > UINT64_MAX ? UINT64_MAX / page * page : (uint64_t)v;
}

/* mem: split over the partition's NUMA nodes in proportion to their LWK
 * cores, in whole pages, each node within the site's max_mem_share. */
static int place_memory(struct place *p, uint64_t alloc_mem, unsigned want,
			struct lwk_placement *out, struct lwk_err *err)
{
	const struct lwk_spec *s = p->spec;
	uint64_t page = page_bytes(s->pages), total = 0;
	unsigned mshare = p->pol->max_mem_share > 100 ? 100 : p->pol->max_mem_share;
	bool of_nodes = s->mem_unit == LWK_MEM_PERCENT && alloc_mem == 0;
	char item[48], a[32], b[32], c[32];
	unsigned k, n = 0;

	mem_item(s, item, sizeof(item));
	if (s->mem == 0 || (s->mem_unit == LWK_MEM_PERCENT && s->mem > 100))
		return lwk_err_set(err, EINVAL, "'%s': ask for a size like mem:16G or a percentage 1-100%%", item);
	if (s->mem_unit == LWK_MEM_BYTES) {
		total = s->mem;
		if (alloc_mem && total > alloc_mem) {
			fmt_approx(alloc_mem, a, sizeof(a));
			fmt_size(alloc_mem / (1 << 20) * (1 << 20), b, sizeof(b));
			return lwk_err_set(err, ENOSPC, "'%s': the job has only %s of memory on this node; ask for at most mem:%s or give the job more memory (--mem)",
					   item, a, b);
		}
	} else if (!of_nodes) {
		total = (uint64_t)((unsigned __int128)alloc_mem * s->mem / 100);
	} else if (s->mem > mshare) {
		return lwk_err_set(err, EPERM, "'%s': the site lets the LWK reserve at most %u%% of each NUMA node's memory; ask for at most mem:%u%%",
				   item, mshare, mshare);
	}

	for (k = 0; k < p->c.nnodes; k++) {
		uint64_t local, bytes, lim;

		if (!p->take[k])
			continue;
		if (n == LWK_MAX_NUMA)
			return lwk_err_set(err, E2BIG, "the LWK cores span more than %d NUMA nodes; use numa: to choose fewer",
					   LWK_MAX_NUMA);
		local = p->c.node[k]->attr ? p->c.node[k]->attr->numanode.local_memory : 0;
		if (of_nodes) {
			if (!local)
				return lwk_err_set(err, ENODATA, "'%s': the memory size of NUMA node %u is unknown; give mem: as a size like mem:16G",
						   item, p->c.node[k]->os_index);
			/* never more than asked of the node: round down */
			bytes = (uint64_t)((unsigned __int128)local * s->mem / 100) / page * page;
			if (!bytes) {
				fmt_approx(page, a, sizeof(a));
				return lwk_err_set(err, EINVAL, "'%s': less than one %s page on NUMA node %u; ask for a larger share",
						   item, a, p->c.node[k]->os_index);
			}
		} else {
			bytes = round_up(((unsigned __int128)total * p->take[k] + want - 1) / want, page);
		}
		/* an unknown node size (some XML files) leaves only the kernel's own check */
		lim = (uint64_t)((unsigned __int128)local * mshare / 100);
		if (local && bytes > lim) {
			uint64_t best = UINT64_MAX, pct;
			unsigned j;

			for (j = 0; j < p->c.nnodes; j++) {
				uint64_t lj, mj;

				if (!p->take[j])
					continue;
				lj = p->c.node[j]->attr->numanode.local_memory;
				if (!lj)
					continue;
				mj = (uint64_t)((unsigned __int128)lj * mshare / 100) / page * page;
				mj = (uint64_t)((unsigned __int128)mj * want / p->take[j]);
				if (mj < best)
					best = mj;
			}
			fmt_approx(bytes, a, sizeof(a));
			fmt_approx(local, b, sizeof(b));
			if (best < page || best < (1 << 20)) {
				fmt_approx(page, c, sizeof(c));
				return lwk_err_set(err, EPERM, "'%s': NUMA node %u would reserve %s, more than the site's limit of %u%% of its %s; %s",
						   item, p->c.node[k]->os_index, a, mshare, b,
						   s->pages == LWK_PAGES_1G ? "one 1G page is too much there, use pages:2m" :
						   "the node has too little memory for an LWK reservation; leave out mem:");
			}
			pct = alloc_mem ? (uint64_t)((unsigned __int128)best * 100 / alloc_mem) : 0;
			if (s->mem_unit == LWK_MEM_PERCENT && pct)
				snprintf(c, sizeof(c), "%" PRIu64 "%%", pct);
			else
				fmt_size(best / (1 << 20) * (1 << 20), c, sizeof(c));
			return lwk_err_set(err, EPERM, "'%s': NUMA node %u would reserve %s, more than the site's limit of %u%% of its %s; ask for at most mem:%s",
					   item, p->c.node[k]->os_index, a, mshare, b, c);
		}
		out->mem[n].node = p->c.node[k]->os_index;
		out->mem[n].bytes = bytes;
		n++;
	}
	out->nmem = n;
	return 0;
}

int lwk_place(const struct lwk_topo *tp, const struct lwk_policy *pol,
	      const struct lwk_spec *spec, hwloc_const_bitmap_t alloc,
	      uint64_t alloc_mem, struct lwk_placement *out, struct lwk_err *err)
{
	return lwk_place_avoid(tp, pol, spec, alloc, alloc_mem, NULL, 0, out, err);
}

int lwk_place_avoid(const struct lwk_topo *tp, const struct lwk_policy *pol,
		    const struct lwk_spec *spec, hwloc_const_bitmap_t alloc,
		    uint64_t alloc_mem, const uint64_t *cpu_cost, unsigned ncost,
		    struct lwk_placement *out, struct lwk_err *err)
{
	struct place p;
	unsigned want = 0, k, i;
	int ret = -1;

	if (!out->cpus || !out->linux_cpus || !out->mems)
		return lwk_err_set(err, ENOMEM, "out of memory");
	placement_clear(out);
	if (spec->none)
		return lwk_err_set(err, EINVAL, "the spec is 'none': there is no LWK partition to place");
	if (!alloc || hwloc_bitmap_iszero(alloc))
		return lwk_err_set(err, EINVAL, "the job has no CPUs on this node; an LWK partition needs some of the job's cores");
	if (!hwloc_bitmap_isincluded(alloc, hwloc_topology_get_complete_cpuset(tp->t))) {
		char *l = NULL;

		hwloc_bitmap_list_asprintf(&l, alloc);
		lwk_err_set(err, EINVAL, "the job's CPUs %.64s are not all on this node; check the node's CPU description in slurm.conf",
			    l ? l : "?");
		free(l);
		return -1;
	}

	memset(&p, 0, sizeof(p));
	p.tp = tp;
	p.pol = pol;
	p.spec = spec;
	p.alloc = alloc;
	p.cost = cpu_cost;
	p.ncost = ncost;
	if (lwk_cores_get(tp, alloc, &p.c, err) < 0)
		return -1;
	p.nalloc = p.c.ncores;
	p.state = calloc(p.c.ncores ? p.c.ncores : 1, 1);
	p.kept = calloc(p.c.nnodes, sizeof(*p.kept));
	p.avail = calloc(p.c.nnodes, sizeof(*p.avail));
	p.take = calloc(p.c.nnodes, sizeof(*p.take));
	if (!p.state || !p.kept || !p.avail || !p.take || core_costs(&p) < 0) {
		lwk_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (classify(&p, err) < 0)
		goto out;
	keep_linux(&p);
	if (choose_count(&p, &want, err) < 0)
		goto out;
	distribute(&p, want);

	for (k = 0; k < p.c.nnodes; k++)
		for (i = p.c.first[k]; i < p.c.first[k + 1]; i++)
			if (p.state[i] == C_LWK)
				hwloc_bitmap_or(out->cpus, out->cpus, p.c.core[i]->cpuset);
	hwloc_bitmap_andnot(out->linux_cpus, alloc, out->cpus);
	lwk_topo_cpus_to_mems(tp, out->cpus, out->mems);
	out->ncores = want;
	out->pages = spec->pages;
	if ((spec->keys & LWK_KEY_MEM) && place_memory(&p, alloc_mem, want, out, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		placement_clear(out);
	place_free(&p);
	return ret;
}
