/* A real MPI program for the launcher tests: each rank prints one line
 *   rank=R size=S cpus=LIST mempolicy=MODE:NODES mems_allowed=LIST
 * from what the kernel says about the process itself (after lwkrun's exec). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_DEFAULT	0
#define MPOL_PREFERRED	1
#define MPOL_BIND	2
#define MPOL_INTERLEAVE	3
#define MPOL_LOCAL	4
#define MPOL_MODE_FLAGS	(7 << 13)

static void status_field(const char *key, char *out, size_t len)
{
	char line[4096];
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			char *v = line + n + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(out, len, "%s", v);
			break;
		}
	fclose(f);
}

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

int main(int argc, char **argv)
{
	char cpus[1024], mems[1024], pol[256];
	int rank, size;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	status_field("Cpus_allowed_list", cpus, sizeof(cpus));
	status_field("Mems_allowed_list", mems, sizeof(mems));
	mempolicy(pol, sizeof(pol));
	MPI_Barrier(MPI_COMM_WORLD);
	printf("rank=%d size=%d cpus=%s mempolicy=%s mems_allowed=%s\n", rank, size, cpus, pol, mems);
	fflush(stdout);
	MPI_Finalize();
	return 0;
}
