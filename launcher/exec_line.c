/* The exec line of each backend (exec_line.h): libc only, for the front. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_line.h"

char **lwkrun_exec_line(enum lwk_backend_kind b, unsigned local_size, int mck_os,
			char *const *prog, char *nbuf, char *osbuf, size_t buflen)
{
	static char mcexec[] = "mcexec", dash_n[] = "-n", yod[] = "yod", dash_r[] = "-R",
		    mpi[] = "MPI";
	size_t n = 0, i = 0;
	char **v;

	while (prog[n])
		n++;
	v = calloc(n + 5, sizeof(*v));
	if (!v)
		return NULL;
	if (b == LWK_BACKEND_MCKERNEL) {
		/* -n: mcexec splits the instance's CPUs among the local ranks
		 * that join; every one must pass the same count. */
		snprintf(nbuf, buflen, "%u", local_size);
		v[i++] = mcexec;
		v[i++] = dash_n;
		v[i++] = nbuf;
		/* The leading number after the options picks /dev/mcosN. */
		if (mck_os >= 0) {
			snprintf(osbuf, buflen, "%d", mck_os);
			v[i++] = osbuf;
		}
	} else if (b == LWK_BACKEND_MOS) {
		/* -R MPI: 1/MPI_LOCALNRANKS of the LWK, ordered by MPI_LOCALRANKID. */
		v[i++] = yod;
		v[i++] = dash_r;
		v[i++] = mpi;
	}
	memcpy(v + i, prog, n * sizeof(*v));
	return v;
}
