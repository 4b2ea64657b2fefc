/* Local rank discovery: which of the node's ranks this process is.
 *
 * Launchers' variables are read innermost first, because an outer launcher's
 * variables are inherited by what an inner one starts (mpirun inside an
 * sbatch script sees the batch step's SLURM_LOCALID=0):
 *   OMPI_COMM_WORLD_LOCAL_RANK/SIZE (Open MPI mpirun),
 *   MPI_LOCALRANKID/MPI_LOCALNRANKS (MPICH Hydra, Intel MPI),
 *   SLURM_LOCALID with the node's task count (srun),
 * then PMIx (PMIx_Init, PMIx_Get, PMIx_Finalize before returning, so nothing
 * is left open across exec), else a single process.
 */
#ifndef LWKRUN_LOCALRANK_H
#define LWKRUN_LOCALRANK_H

#include "error.h"

enum lwkrun_src {
	LWKRUN_SRC_SINGLE, LWKRUN_SRC_OMPI, LWKRUN_SRC_MPICH, LWKRUN_SRC_SLURM, LWKRUN_SRC_PMIX
};

struct lwkrun_local {
	unsigned rank;		/* 0 .. size-1 */
	unsigned size;		/* >= 1 */
	enum lwkrun_src src;
};

/* The value of name in envp (NULL-terminated "NAME=VALUE" strings), or NULL. */
const char *lwkrun_getenv(char *const *envp, const char *name);

/* From environment variables only. Returns 1 when found, 0 when none is
 * present, -1 (err filled) when present but malformed or inconsistent. */
int lwkrun_local_from_env(char *const *envp, struct lwkrun_local *out, struct lwk_err *err);

/* From the PMIx server named in the environment (PMIX_NAMESPACE). Returns 1
 * when found, 0 when there is no PMIx server, -1 on error. The PMIx
 * connection is always finalized before returning. */
int lwkrun_local_from_pmix(char *const *envp, struct lwkrun_local *out, struct lwk_err *err);

/* Environment, else PMIx, else a single process (rank 0 of 1). */
int lwkrun_local_discover(char *const *envp, struct lwkrun_local *out, struct lwk_err *err);

const char *lwkrun_src_name(enum lwkrun_src s);

/* Slurm's compressed per-node count list ("2(x3),1") entry for node index. */
int lwkrun_slurm_tasks_on_node(const char *list, unsigned node, unsigned *count,
			       struct lwk_err *err);

#endif
