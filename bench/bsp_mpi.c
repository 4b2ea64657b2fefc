/* bsp_mpi: a bulk-synchronous MPI mini-app, the "simulation" of the demo and
 * of the analytics scenarios of the Slurm tests.
 *
 *   bsp_mpi [--seconds S] [--quantum USEC]
 *
 * Every iteration each rank computes a fixed amount of work (calibrated once
 * to about USEC microseconds on an undisturbed core, then kept constant) and
 * joins an MPI_Allreduce, as a stencil code exchanges halos and a residual.
 * Any interruption of any rank delays every rank's iteration, which is why
 * OS noise costs bulk-synchronous codes more than its share of time.
 *
 * Rank 0 prints one line (all times in microseconds):
 *   bsp: ranks=R iters=N quantum_us=Q median_us=M p99_us=P max_us=X
 *        tail_ratio=P/M sum=CHECK cpus=LIST
 * where an iteration's time is the slowest rank's (the Allreduce makes it
 * so), and each rank's Cpus_allowed_list as "bsp-rank: r=I cpus=LIST".
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The work: a dependent chain the compiler cannot fold away. */
static double work(unsigned long n, double x)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		x = x * 1.0000001 + 1e-9;
	return x;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void my_cpus(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "r");

	snprintf(buf, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Cpus_allowed_list:", 18)) {
			char *v = line + 18;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(buf, len, "%s", v);
		}
	fclose(f);
}

int main(int argc, char **argv)
{
	double seconds = 5, quantum = 1000, x = 1.0, t0, *it;
	unsigned long n = 1000, cap;
	int rank, size, i, iters = 0;
	char cpus[256];

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--quantum"))
			quantum = atof(argv[i + 1]);
	}
	if (seconds <= 0 || quantum <= 0) {
		fprintf(stderr, "bsp_mpi: usage: bsp_mpi [--seconds S] [--quantum USEC]\n");
		return 2;
	}
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);

	/* Calibrate on rank 0: the fastest of a few tries, so that a run that
	 * starts under load still gets the undisturbed work amount. */
	if (rank == 0) {
		double best = 1e30;
		int k;

		for (k = 0; k < 20; k++) {
			double a = now_us();

			x = work(n, x);
			a = now_us() - a;
			if (a < best)
				best = a;
			if (best < quantum / 4 && k == 19) {
				n *= 2;
				k = -1;
				best = 1e30;
			}
		}
		n = (unsigned long)(n * quantum / (best > 0 ? best : 1));
	}
	MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG, 0, MPI_COMM_WORLD);

	cap = (unsigned long)(seconds * 1e6 / quantum) + 16;
	it = calloc(cap, sizeof(*it));
	if (!it)
		MPI_Abort(MPI_COMM_WORLD, 1);
	t0 = now_us();
	for (;;) {
		double a = now_us(), mine, slow;
		int stop;

		x = work(n, x);
		mine = now_us() - a;
		/* the iteration ends when the slowest rank is done */
		MPI_Allreduce(&mine, &slow, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
		it[iters++] = now_us() - a;
		stop = now_us() - t0 >= seconds * 1e6 || (unsigned long)iters >= cap;
		MPI_Bcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD);
		if (stop)
			break;
	}
	my_cpus(cpus, sizeof(cpus));
	printf("bsp-rank: r=%d cpus=%s\n", rank, cpus);
	fflush(stdout);
	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0) {
		double med, p99;

		qsort(it, (size_t)iters, sizeof(*it), cmp);
		med = it[iters / 2];
		p99 = it[(size_t)((iters - 1) * 0.99)];
		printf("bsp: ranks=%d iters=%d quantum_us=%.0f median_us=%.1f p99_us=%.1f max_us=%.1f tail_ratio=%.2f sum=%.3g cpus=%s\n",
		       size, iters, quantum, med, p99, it[iters - 1], p99 / med, x, cpus);
	}
	free(it);
	MPI_Finalize();
	return 0;
}
