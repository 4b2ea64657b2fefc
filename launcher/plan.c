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
	lwk_rank_plan_init(&p->rank);
}

void lwkrun_plan_fini(struct lwkrun_plan *p)
{
	free(p->argv);
	hwloc_bitmap_free(p->part_cpus);
	lwk_rank_plan_fini(&p->rank);
	memset(p, 0, sizeof(*p));
}

const char *lwkrun_plan_env(const struct lwkrun_plan *p, const char *name)
{
	return lwk_rank_env(&p->rank, name);
}

int lwkrun_plan_build(const struct lwk_topo *tp, const struct lwkrun_local *loc,
		      const struct lwkrun_part *part, char *const *envp, char *const *prog,
		      struct lwkrun_plan *out, struct lwk_err *err)
{
	struct lwk_rank_req req = {
		.backend = part->backend,
		.cpus = part->cpus,
		.mems = part->mems,
		.prebound = part->prebound,
		.pages = part->pages,
		.sched = part->sched,
		.rank = loc->rank,
		.size = loc->size,
		.getenv = lwk_envp_get,
		.getenv_ctx = (void *)envp,
	};

	if (!prog || !prog[0] || !prog[0][0])
		return lwk_err_set(err, EINVAL, "no program to run: lwkrun [options] PROGRAM [ARGS...]");
	out->local = *loc;
	out->part_src = part->src;
	snprintf(out->part_id, sizeof(out->part_id), "%s", part->id);
	hwloc_bitmap_copy(out->part_cpus, part->cpus);
	out->backend = part->backend;
	snprintf(out->lwk_path, sizeof(out->lwk_path), "%s", part->lwk_path);

	if (lwk_rank_plan(tp, &req, &out->rank, err))
		return -1;

	/* OpenPMIx 4.2.2 in Slurm's server hands a rank that connects a second
	 * time (the program, after our own PMIx_Init) a shared-memory store
	 * without the job's data, and MPI_Init fails; in-band job data works. */
	if (loc->src == LWKRUN_SRC_PMIX &&
	    lwk_rank_env_add(&out->rank, lwk_envp_get, (void *)envp, "PMIX_MCA_gds", "hash",
			     false, err))
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
	const struct lwk_rank_plan *r = &p->rank;
	const char *bname = lwk_backend_name(p->backend);
	unsigned i;

	fprintf(f, "rank: %u of %u (%s)\n", p->local.rank, p->local.size,
		lwkrun_src_name(p->local.src));
	fprintf(f, "partition: %s (%s), backend %s, cpus ", p->part_id[0] ? p->part_id : "-",
		lwkrun_part_src_name(p->part_src), bname);
	print_list(f, p->part_cpus);
	fputc('\n', f);
	fprintf(f, "cores: %u, cpus ", r->ncores);
	print_list(f, r->cpus);
	if (!r->bind)
		fprintf(f, " (%s gives this rank %u of them)",
			p->backend == LWK_BACKEND_MCKERNEL ? "mcexec -n" : "yod -R MPI", r->ncores);
	else if (r->prebound)
		fputs(" (as the caller's launcher bound this rank)", f);
	fputc('\n', f);
	fputs("numa: ", f);
	print_list(f, r->mems);
	fputc('\n', f);
	if (r->bind) {
		fputs("memory: bind to NUMA ", f);
		print_list(f, r->mems);
		fprintf(f, ", pages %s%s\n", lwk_pages_name(r->pages),
			r->pages == LWK_PAGES_4K ? "" :
			r->pages == LWK_PAGES_2M ? " (hugetlb-backed malloc)" :
			" (hugetlb-backed malloc with the default huge page size; glibc cannot ask for 1g)");
		fprintf(f, "sched: %s\n", r->sched == LWK_SCHED_FIFO ? "fifo (SCHED_FIFO, priority 1)" :
			"normal");
	} else {
		fprintf(f, "memory: placed by %s\n", bname);
		fprintf(f, "sched: by %s\n", bname);
	}
	for (i = 0; i < r->nenv; i++)
		fprintf(f, "env: %s=%s%s\n", r->env[i].name, r->env[i].value,
			r->env[i].kept ? " (kept: set by the user)" : "");
	fputs("exec: ", f);
	lwkrun_print_argv(p->argv, f);
	fputc('\n', f);
}
