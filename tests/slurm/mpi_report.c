/* An MPI program that reports where each rank runs: one line per rank,
 *   rank=R size=S host=H cpus=LIST mems=LIST cpuset=PATH lwk=PARTITION
 * printed in rank order, so tests can assert on placement. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 512

/* Value of "Key:\t..." in /proc/self/status. */
static void status_field(const char *key, char *out, size_t len)
{
	char buf[LINE];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		if (strncmp(buf, key, klen) == 0 && buf[klen] == ':') {
			char *v = buf + klen + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			break;
		}
	}
	fclose(f);
}

/* The cpuset cgroup path (v1 "N:cpuset:/path", else the v2 "0::/path"). */
static void cpuset_cgroup(char *out, size_t len)
{
	char buf[LINE];
	FILE *f = fopen("/proc/self/cgroup", "r");

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		char *c = strchr(buf, ':');

		buf[strcspn(buf, "\n")] = '\0';
		if (!c)
			continue;
		if (strncmp(c, ":cpuset:", 8) == 0) {
			snprintf(out, len, "%s", c + 8);
			break;
		}
		if (strncmp(c, "::", 2) == 0)
			snprintf(out, len, "%s", c + 2);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	char host[256], cpus[LINE], mems[LINE], cg[LINE], line[4 * LINE];
	const char *part = getenv("LWK_PARTITION");
	int rank, size, i;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	gethostname(host, sizeof(host));
	status_field("Cpus_allowed_list", cpus, sizeof(cpus));
	status_field("Mems_allowed_list", mems, sizeof(mems));
	cpuset_cgroup(cg, sizeof(cg));
	snprintf(line, sizeof(line), "rank=%d size=%d host=%s cpus=%s mems=%s cpuset=%s lwk=%s",
		 rank, size, host, cpus, mems, cg, part ? part : "-");
	/* a barrier per rank keeps the lines in rank order on srun's stdout */
	for (i = 0; i < size; i++) {
		if (i == rank) {
			printf("%s\n", line);
			fflush(stdout);
		}
		MPI_Barrier(MPI_COMM_WORLD);
	}
	MPI_Finalize();
	return 0;
}
