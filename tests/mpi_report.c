/* A real MPI program for the launcher and Slurm suites: each rank prints,
 * in rank order, one line of what the kernel says about the process itself
 * (after any launcher's exec):
 *   rank=R size=S host=H cpus=LIST mems=LIST mempolicy=MODE:NODES cpuset=PATH lwk=PARTITION
 * mems is Mems_allowed_list; mempolicy the task's policy (get_mempolicy).
 * With an argument N, every rank stays N seconds after the report (so that
 * a test can look at the running ranks from the host) before finalizing. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LINE 1024

#define MPOL_LOCAL	4
#define MPOL_MODE_FLAGS	(7 << 13)

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

/* "bind:0,1", "default:", ... */
static void mempolicy(char *out, size_t len)
{
	static const char *const names[] = { "default", "preferred", "bind", "interleave", "local" };
	unsigned long mask[16] = { 0 };
	int mode = -1, i, off;

	/* The raw system call: no libnuma needed to build the test program. */
	if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0) || mode < 0) {
		snprintf(out, len, "?");
		return;
	}
	mode &= ~MPOL_MODE_FLAGS;	/* static/relative nodes: not what we report */
	if (mode > MPOL_LOCAL) {
		snprintf(out, len, "mode%d:", mode);
		return;
	}
	off = snprintf(out, len, "%s:", names[mode]);
	for (i = 0; i < (int)sizeof(mask) * 8 && off < (int)len - 8; i++)
		if (mask[i / (8 * sizeof(long))] & (1ul << (i % (8 * sizeof(long)))))
			off += snprintf(out + off, len - off, "%s%d", out[off - 1] == ':' ? "" : ",", i);
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
	char host[256], cpus[LINE], mems[LINE], pol[256], cg[LINE], line[5 * LINE];
	const char *part = getenv("LWK_PARTITION");
	int rank, size, i;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	status_field("Cpus_allowed_list", cpus, sizeof(cpus));
	status_field("Mems_allowed_list", mems, sizeof(mems));
	mempolicy(pol, sizeof(pol));
	cpuset_cgroup(cg, sizeof(cg));
	snprintf(line, sizeof(line), "rank=%d size=%d host=%s cpus=%s mems=%s mempolicy=%s cpuset=%s lwk=%s",
		 rank, size, host, cpus, mems, pol, cg, part ? part : "-");
	/* a barrier per rank keeps the lines in rank order on stdout */
	for (i = 0; i < size; i++) {
		if (i == rank) {
			printf("%s\n", line);
			fflush(stdout);
		}
		MPI_Barrier(MPI_COMM_WORLD);
	}
	if (argc > 1)
		sleep((unsigned)atoi(argv[1]));
	MPI_Finalize();
	return 0;
}
