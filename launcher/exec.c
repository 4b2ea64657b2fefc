#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

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

static bool shell_safe(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "@%+=:,./-_", *s))
			return false;
	return true;
}

void lwkrun_print_argv(char *const *argv, FILE *f)
{
	const char *s;
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		if (shell_safe(argv[i])) {
			fputs(argv[i], f);
			continue;
		}
		fputc('\'', f);
		for (s = argv[i]; *s; s++)
			if (*s == '\'')
				fputs("'\\''", f);
			else
				fputc(*s, f);
		fputc('\'', f);
	}
}

static int bind_share(const struct lwk_topo *tp, const struct lwkrun_plan *p, struct lwk_err *err)
{
	char *s = NULL;

	/* This thread only: after exec it is the process, and binding other
	 * threads (PMIx's, already joined) would only cost time. */
	if (hwloc_set_cpubind(tp->t, p->cpus, HWLOC_CPUBIND_THREAD)) {
		int e = errno;

		hwloc_bitmap_list_asprintf(&s, p->cpus);
		lwk_err_set(err, e, "cannot bind to cpus %s: %s; are they in this job's cpuset?",
			    s ? s : "?", strerror(e));
		free(s);
		return -1;
	}
	if (hwloc_set_membind(tp->t, p->mems, HWLOC_MEMBIND_BIND,
			      HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET |
			      HWLOC_MEMBIND_STRICT)) {
		int e = errno;

		hwloc_bitmap_list_asprintf(&s, p->mems);
		lwk_err_set(err, e, "cannot bind memory to NUMA node(s) %s: %s",
			    s ? s : "?", strerror(e));
		free(s);
		return -1;
	}
	return 0;
}

static int sched_fifo(struct lwk_err *err)
{
	struct sched_param sp = { .sched_priority = 1 };

	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		int e = errno;

		return lwk_err_set(err, e, "sched:fifo: cannot switch to SCHED_FIFO (%s): run with "
				   "CAP_SYS_NICE or an RLIMIT_RTPRIO >= 1, or ask for sched:normal",
				   strerror(e));
	}
	return 0;
}

int lwkrun_apply(const struct lwk_topo *tp, const struct lwkrun_plan *p, struct lwk_err *err)
{
	unsigned i;

	if (p->bind && bind_share(tp, p, err))
		return -1;
	for (i = 0; i < p->nenv; i++)
		if (!p->env[i].kept && setenv(p->env[i].name, p->env[i].value, 1))
			return lwk_err_set(err, errno, "cannot set %s: %s", p->env[i].name,
					   strerror(errno));
	/* Last: a real-time process should not spend its time on our setup. */
	if (p->bind && p->sched == LWK_SCHED_FIFO && sched_fifo(err))
		return -1;
	return 0;
}

int lwkrun_exec(const struct lwkrun_plan *p, struct lwk_err *err)
{
	int e;

	execvp(p->argv[0], p->argv);
	e = errno;
	if (e == ENOENT && p->backend != LWK_BACKEND_NATIVE)
		return lwk_err_set(err, e, "cannot run '%s': %s: the %s backend needs it in PATH",
				   p->argv[0], strerror(e), lwk_backend_name(p->backend));
	return lwk_err_set(err, e, "cannot run '%s': %s", p->argv[0], strerror(e));
}
