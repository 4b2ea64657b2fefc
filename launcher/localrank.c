/* Local rank discovery from the launchers' environment variables
 * (localrank.h); PMIx and the order of sources are in localrank_pmix.c.
 * libc and liblwk's environment lookup only (no hwloc): the static front
 * links it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"
#include "localrank.h"

const char *lwkrun_getenv(char *const *envp, const char *name)
{
	return lwk_envp_get((void *)envp, name);
}

const char *lwkrun_src_name(enum lwkrun_src s)
{
	switch (s) {
	case LWKRUN_SRC_OMPI:	return "OMPI_COMM_WORLD_LOCAL_RANK/SIZE";
	case LWKRUN_SRC_MPICH:	return "MPI_LOCALRANKID/MPI_LOCALNRANKS";
	case LWKRUN_SRC_SLURM:	return "SLURM_LOCALID";
	case LWKRUN_SRC_PMIX:	return "PMIx";
	default:		return "single process";
	}
}

/* Whole decimal number, nothing else; *end gets what follows when end != NULL. */
static int parse_uint(const char *s, unsigned *v, const char **end)
{
	unsigned long x;
	char *e;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoul(s, &e, 10);
	if (errno || x > 1u << 24)	/* no node runs 16M ranks: junk */
		return -1;
	if (end)
		*end = e;
	else if (*e)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static int pair(char *const *envp, const char *rname, const char *sname,
		enum lwkrun_src src, struct lwkrun_local *out, struct lwk_err *err)
{
	const char *r = lwkrun_getenv(envp, rname), *s = lwkrun_getenv(envp, sname);
	unsigned rank, size;

	if (!r && !s)
		return 0;
	if (!r || !s)
		return lwk_err_set(err, EINVAL, "%s is set without %s: set both or neither",
				   r ? rname : sname, r ? sname : rname);
	if (parse_uint(r, &rank, NULL) || parse_uint(s, &size, NULL) || size == 0 || rank >= size)
		return lwk_err_set(err, EINVAL, "%s=%s and %s=%s are not a local rank and size: "
				   "expected 0 <= rank < size", rname, r, sname, s);
	out->rank = rank;
	out->size = size;
	out->src = src;
	return 1;
}

int lwkrun_slurm_tasks_on_node(const char *list, unsigned node, unsigned *count,
			       struct lwk_err *err)
{
	const char *p = list;
	unsigned idx = 0;

	/* "N" or "N(xR)" items, comma separated: R nodes with N tasks each. */
	while (p && *p) {
		unsigned n, rep = 1;

		if (parse_uint(p, &n, &p))
			goto bad;
		if (!strncmp(p, "(x", 2)) {
			if (parse_uint(p + 2, &rep, &p) || *p != ')' || rep == 0)
				goto bad;
			p++;
		}
		if (*p && *p != ',')
			goto bad;
		if (node - idx < rep) {		/* idx <= node always holds here */
			*count = n;
			return 0;
		}
		idx += rep;
		if (!*p)
			break;
		p++;
	}
	return lwk_err_set(err, EINVAL, "'%s' has no entry for node %u", list ? list : "", node);
bad:
	return lwk_err_set(err, EINVAL, "'%s' is not a Slurm task count list like '2(x3),1'",
			   list ? list : "");
}

static int slurm_list(char *const *envp, const char *name, unsigned *size,
		      struct lwk_err *err)
{
	const char *l = lwkrun_getenv(envp, name);
	const char *nid = lwkrun_getenv(envp, "SLURM_NODEID");
	unsigned node;

	if (!l || !nid)
		return 0;
	if (parse_uint(nid, &node, NULL))
		return lwk_err_set(err, EINVAL, "SLURM_NODEID=%s is not a number", nid);
	if (lwkrun_slurm_tasks_on_node(l, node, size, err))
		return lwk_err_prefix(err, "%s", name);
	return 0;
}

/* SLURM_LOCALID with the node's task count: the step's count for this node,
 * else the step's task ids on this node, else the job's count. 0 when Slurm
 * did not tell (then PMIx may). */
static int from_slurm(char *const *envp, struct lwkrun_local *out, struct lwk_err *err)
{
	const char *lid = lwkrun_getenv(envp, "SLURM_LOCALID");
	const char *gtids = lwkrun_getenv(envp, "SLURM_GTIDS");
	unsigned rank, size = 0;

	if (!lid)
		return 0;
	if (parse_uint(lid, &rank, NULL))
		return lwk_err_set(err, EINVAL, "SLURM_LOCALID=%s is not a number", lid);
	if (slurm_list(envp, "SLURM_STEP_TASKS_PER_NODE", &size, err))
		return -1;
	if (!size && gtids && *gtids) {
		const char *p;

		size = 1;
		for (p = gtids; *p; p++)
			size += *p == ',';
	}
	if (!size && slurm_list(envp, "SLURM_TASKS_PER_NODE", &size, err))
		return -1;
	if (!size)
		return 0;
	if (rank >= size)
		return lwk_err_set(err, EINVAL, "SLURM_LOCALID=%u but this node has only %u task(s) "
				   "in the step: check SLURM_STEP_TASKS_PER_NODE and SLURM_NODEID",
				   rank, size);
	out->rank = rank;
	out->size = size;
	out->src = LWKRUN_SRC_SLURM;
	return 1;
}

int lwkrun_local_from_env(char *const *envp, struct lwkrun_local *out, struct lwk_err *err)
{
	int rc;

	rc = pair(envp, "OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE",
		  LWKRUN_SRC_OMPI, out, err);
	if (rc)
		return rc;
	rc = pair(envp, "MPI_LOCALRANKID", "MPI_LOCALNRANKS", LWKRUN_SRC_MPICH, out, err);
	if (rc)
		return rc;
	return from_slurm(envp, out, err);
}
