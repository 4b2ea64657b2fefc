#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "exec.h"
#include "plan.h"

void lwkrun_plan_init(struct lwkrun_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->part_cpus = hwloc_bitmap_alloc();
	p->cpus = hwloc_bitmap_alloc();
	p->mems = hwloc_bitmap_alloc();
}

void lwkrun_plan_fini(struct lwkrun_plan *p)
{
	unsigned i;

	for (i = 0; i < p->nenv; i++)
		free(p->env[i].value);
	free(p->argv);
	hwloc_bitmap_free(p->part_cpus);
	hwloc_bitmap_free(p->cpus);
	hwloc_bitmap_free(p->mems);
	memset(p, 0, sizeof(*p));
}

const char *lwkrun_plan_env(const struct lwkrun_plan *p, const char *name)
{
	unsigned i;

	for (i = 0; i < p->nenv; i++)
		if (!strcmp(p->env[i].name, name))
			return p->env[i].value;
	return NULL;
}

/* force: the plan's value wins; else a value the user set is kept. */
static int add_env(struct lwkrun_plan *p, char *const *envp, const char *name,
		   const char *value, bool force, struct lwk_err *err)
{
	const char *old = lwkrun_getenv(envp, name);
	struct lwkrun_setenv *e;

	if (p->nenv == LWKRUN_MAX_ENV)
		return lwk_err_set(err, ENOSPC, "internal: more than %d environment changes",
				   LWKRUN_MAX_ENV);
	e = &p->env[p->nenv];
	e->name = name;
	e->kept = !force && old;
	e->value = strdup(e->kept ? old : value);
	if (!e->value)
		return lwk_err_set(err, ENOMEM, "out of memory");
	p->nenv++;
	return 0;
}

static int add_env_uint(struct lwkrun_plan *p, char *const *envp, const char *name,
			unsigned v, bool force, struct lwk_err *err)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	return add_env(p, envp, name, buf, force, err);
}

static int add_env_list(struct lwkrun_plan *p, char *const *envp, const char *name,
			hwloc_const_bitmap_t set, struct lwk_err *err)
{
	char *s = NULL;
	int ret;

	if (hwloc_bitmap_list_asprintf(&s, set) < 0)
		return lwk_err_set(err, ENOMEM, "out of memory");
	ret = add_env(p, envp, name, s, true, err);
	free(s);
	return ret;
}

/* One OpenMP place per PU of the share: "{2},{3}". */
static int add_omp_places(struct lwkrun_plan *p, char *const *envp, struct lwk_err *err)
{
	size_t len = (size_t)hwloc_bitmap_weight(p->cpus) * 14 + 1, off = 0;
	char *s = malloc(len);
	int i, ret;

	if (!s)
		return lwk_err_set(err, ENOMEM, "out of memory");
	s[0] = '\0';
	hwloc_bitmap_foreach_begin(i, p->cpus)
		off += snprintf(s + off, len - off, "%s{%d}", off ? "," : "", i);
	hwloc_bitmap_foreach_end();
	ret = add_env(p, envp, "OMP_PLACES", s, false, err);
	free(s);
	return ret;
}

/* pages:2m/1g: glibc backs malloc with hugetlb pages (glibc >= 2.35). A
 * GLIBC_TUNABLES the user set keeps its items; one that already chooses
 * glibc.malloc.hugetlb is left as it is. */
static int add_hugetlb(struct lwkrun_plan *p, char *const *envp, struct lwk_err *err)
{
	static const char item[] = "glibc.malloc.hugetlb=2";
	const char *old = lwkrun_getenv(envp, "GLIBC_TUNABLES");
	char *v;
	int ret;

	if (!old || !*old)
		return add_env(p, envp, "GLIBC_TUNABLES", item, true, err);
	if (strstr(old, "glibc.malloc.hugetlb="))
		return add_env(p, envp, "GLIBC_TUNABLES", old, false, err);
	v = malloc(strlen(old) + sizeof(item) + 1);
	if (!v)
		return lwk_err_set(err, ENOMEM, "out of memory");
	sprintf(v, "%s:%s", old, item);
	ret = add_env(p, envp, "GLIBC_TUNABLES", v, true, err);
	free(v);
	return ret;
}

/* Cores (not PUs) that set touches; PUs when the topology has no cores. */
static unsigned count_cores(const struct lwk_topo *tp, hwloc_const_bitmap_t set)
{
	int n = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_CORE), i;
	unsigned c = 0;

	if (n <= 0)
		return (unsigned)hwloc_bitmap_weight(set);
	for (i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_CORE, (unsigned)i);

		if (o && hwloc_bitmap_intersects(o->cpuset, set))
			c++;
	}
	return c;
}

static int share_native(const struct lwk_topo *tp, const struct lwkrun_part *part,
			struct lwkrun_plan *out, struct lwk_err *err)
{
	struct lwk_share sh;
	char list[64];
	unsigned n;

	if (part->prebound) {
		hwloc_bitmap_copy(out->cpus, part->cpus);
		hwloc_bitmap_copy(out->mems, part->mems);
		out->ncores = count_cores(tp, out->cpus);
		return 0;
	}
	n = count_cores(tp, part->cpus);
	hwloc_bitmap_list_snprintf(list, sizeof(list), part->cpus);
	if (n < out->local.size)
		return lwk_err_set(err, EINVAL, "%u local ranks but the partition has only %u cores "
				   "(cpus %s): start at most %u ranks per node or ask for more cores",
				   out->local.size, n, list, n);
	lwk_share_init(&sh);
	if (lwk_share(tp, part->cpus, out->local.rank, out->local.size, 0, &sh, err)) {
		lwk_share_fini(&sh);
		return -1;
	}
	hwloc_bitmap_copy(out->cpus, sh.cpus);
	hwloc_bitmap_copy(out->mems, sh.mems);
	out->ncores = sh.ncores;
	lwk_share_fini(&sh);
	return 0;
}

/* mcexec -n and yod -R MPI split the partition's CPUs evenly among the
 * local ranks, by local rank; what this rank will get, for OMP_NUM_THREADS. */
static int share_lwk(const struct lwkrun_part *part, struct lwkrun_plan *out,
		     struct lwk_err *err)
{
	unsigned n = (unsigned)hwloc_bitmap_weight(part->cpus);

	if (n < out->local.size)
		return lwk_err_set(err, EINVAL, "%u local ranks but the partition has only %u CPUs: "
				   "start at most %u ranks per node or ask for more cores",
				   out->local.size, n, n);
	out->ncores = n / out->local.size + (out->local.rank < n % out->local.size);
	hwloc_bitmap_copy(out->cpus, part->cpus);
	hwloc_bitmap_copy(out->mems, part->mems);
	return 0;
}

int lwkrun_plan_build(const struct lwk_topo *tp, const struct lwkrun_local *loc,
		      const struct lwkrun_part *part, char *const *envp, char *const *prog,
		      struct lwkrun_plan *out, struct lwk_err *err)
{
	bool native = part->backend == LWK_BACKEND_NATIVE;

	if (!prog || !prog[0] || !prog[0][0])
		return lwk_err_set(err, EINVAL, "no program to run: lwkrun [options] PROGRAM [ARGS...]");
	out->local = *loc;
	out->part_src = part->src;
	snprintf(out->part_id, sizeof(out->part_id), "%s", part->id);
	hwloc_bitmap_copy(out->part_cpus, part->cpus);
	out->backend = part->backend;
	out->bind = native;
	out->prebound = native && part->prebound;
	out->pages = native ? part->pages : LWK_PAGES_4K;
	out->sched = native ? part->sched : LWK_SCHED_NORMAL;

	if (native ? share_native(tp, part, out, err) : share_lwk(part, out, err))
		return -1;

	if (add_env_uint(out, envp, LWK_ENV_LOCAL_RANK, loc->rank, true, err) ||
	    add_env_uint(out, envp, LWK_ENV_LOCAL_SIZE, loc->size, true, err) ||
	    add_env_list(out, envp, LWK_ENV_RANK_CPUS, out->cpus, err) ||
	    add_env_list(out, envp, LWK_ENV_RANK_MEMS, out->mems, err) ||
	    add_env_uint(out, envp, "OMP_NUM_THREADS", out->ncores, false, err))
		return -1;
	if (native && (add_omp_places(out, envp, err) ||
		       add_env(out, envp, "OMP_PROC_BIND", "close", false, err)))
		return -1;
	if (out->pages != LWK_PAGES_4K && add_hugetlb(out, envp, err))
		return -1;
	if (part->backend == LWK_BACKEND_MOS &&
	    (add_env_uint(out, envp, "MPI_LOCALRANKID", loc->rank, true, err) ||
	     add_env_uint(out, envp, "MPI_LOCALNRANKS", loc->size, true, err)))
		return -1;

	/* OpenPMIx 4.2.2 in Slurm's server hands a rank that connects a second
	 * time (the program, after our own PMIx_Init) a shared-memory store
	 * without the job's data, and MPI_Init fails; in-band job data works. */
	if (loc->src == LWKRUN_SRC_PMIX && add_env(out, envp, "PMIX_MCA_gds", "hash", false, err))
		return -1;
	out->argv = lwkrun_exec_line(part->backend, loc->size, part->mck_os, prog, out->nbuf,
				     out->osbuf, sizeof(out->nbuf));
	if (!out->argv)
		return lwk_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static void print_list(FILE *f, hwloc_const_bitmap_t set)
{
	char *s = NULL;

	if (hwloc_bitmap_list_asprintf(&s, set) >= 0)
		fputs(s, f);
	free(s);
}

void lwkrun_plan_print(const struct lwkrun_plan *p, FILE *f)
{
	const char *bname = lwk_backend_name(p->backend);
	unsigned i;

	fprintf(f, "rank: %u of %u (%s)\n", p->local.rank, p->local.size,
		lwkrun_src_name(p->local.src));
	fprintf(f, "partition: %s (%s), backend %s, cpus ", p->part_id[0] ? p->part_id : "-",
		lwkrun_part_src_name(p->part_src), bname);
	print_list(f, p->part_cpus);
	fputc('\n', f);
	fprintf(f, "cores: %u, cpus ", p->ncores);
	print_list(f, p->cpus);
	if (!p->bind)
		fprintf(f, " (%s gives this rank %u of them)",
			p->backend == LWK_BACKEND_MCKERNEL ? "mcexec -n" : "yod -R MPI", p->ncores);
	else if (p->prebound)
		fputs(" (as the caller's launcher bound this rank)", f);
	fputc('\n', f);
	fputs("numa: ", f);
	print_list(f, p->mems);
	fputc('\n', f);
	if (p->bind) {
		fputs("memory: bind to NUMA ", f);
		print_list(f, p->mems);
		fprintf(f, ", pages %s%s\n", lwk_pages_name(p->pages),
			p->pages == LWK_PAGES_4K ? "" :
			p->pages == LWK_PAGES_2M ? " (hugetlb-backed malloc)" :
			" (hugetlb-backed malloc with the default huge page size; glibc cannot ask for 1g)");
		fprintf(f, "sched: %s\n", p->sched == LWK_SCHED_FIFO ? "fifo (SCHED_FIFO, priority 1)" :
			"normal");
	} else {
		fprintf(f, "memory: placed by %s\n", bname);
		fprintf(f, "sched: by %s\n", bname);
	}
	for (i = 0; i < p->nenv; i++)
		fprintf(f, "env: %s=%s%s\n", p->env[i].name, p->env[i].value,
			p->env[i].kept ? " (kept: set by the user)" : "");
	fputs("exec: ", f);
	lwkrun_print_argv(p->argv, f);
	fputc('\n', f);
}
