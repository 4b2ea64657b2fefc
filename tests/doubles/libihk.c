/* TEST DOUBLE of IHK's libihk (not IHK): the ihklib.h functions the mckernel
 * backend dlopens, each carried out by the ihkconfig/ihkosctl doubles in
 * LWK_DOUBLE_IHK_BINDIR (else LWK_IHK_BINDIR), which run with LWK_DOUBLE_LIB=1: they log "[libihk]"
 * and, as libihk does, let ihk_create_os return any instance index (the
 * CLI calls an index other than 0 a failure). Returns 0/value or -errno
 * (the doubles' exit status) like libihk. Built for tests only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct ihk_mem_chunk {
	unsigned long size;
	int numa_node_number;
};

/* Runs the double PROG with args; its stdout into out. -errno or 0. */
static int run(char *out, size_t len, const char *prog, ...)
{
	const char *bindir = getenv("LWK_DOUBLE_IHK_BINDIR");	/* doubles only */

	if (!bindir)
		bindir = getenv("LWK_IHK_BINDIR");
	char path[PATH_MAX], *argv[10];
	int p[2], st, n = 0;
	size_t got = 0;
	ssize_t k;
	va_list ap;
	pid_t pid;

	if (!bindir)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	argv[n++] = path;
	va_start(ap, prog);
	while (n < 9 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* libihk reports by return value only */
		dup2(p[1], 1);
		dup2(null, 2);
		close(p[0]);
		close(p[1]);
		setenv("LWK_DOUBLE_LIB", "1", 1);
		execv(path, argv);
		_exit(127);
	}
	close(p[1]);
	while (out && got + 1 < len && (k = read(p[0], out + got, len - 1 - got)) > 0)
		got += (size_t)k;
	if (out)
		out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? -WEXITSTATUS(st) : -EIO;
}

static void cpus_text(int *cpus, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%d", i ? "," : "", cpus[i]);
}

static void mem_text(struct ihk_mem_chunk *c, int n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%lu@%d", i ? "," : "",
					 c[i].size, c[i].numa_node_number);
}

/* "1,3,5-7" -> cpus (at most max); the count. */
static int parse_cpus(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b; c++, n++)
			if (cpus && n < max)
				cpus[n] = (int)c;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int parse_mem(const char *s, struct ihk_mem_chunk *c, int max)
{
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		char *end;
		unsigned long b = strtoul(s, &end, 10);
		long node = *end == '@' ? strtol(end + 1, &end, 10) : 0;

		if (c && n < max) {
			c[n].size = b;
			c[n].numa_node_number = (int)node;
		}
		n++;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static char *num(int i, char *buf)
{
	sprintf(buf, "%d", i);
	return buf;
}

int ihk_reserve_cpu(int dev, int *cpus, int n)
{
	char l[4096];

	cpus_text(cpus, n, l, sizeof(l));
	return run(NULL, 0, "ihkconfig", "0", "reserve", "cpu", l, NULL);
}

int ihk_release_cpu(int dev, int *cpus, int n)
{
	char l[4096];

	cpus_text(cpus, n, l, sizeof(l));
	return run(NULL, 0, "ihkconfig", "0", "release", "cpu", l, NULL);
}

int ihk_get_num_reserved_cpus(int dev)
{
	char o[4096];
	int r = run(o, sizeof(o), "ihkconfig", "0", "query", "cpu", NULL);

	return r < 0 ? r : parse_cpus(o, NULL, 0);
}

int ihk_query_cpu(int dev, int *cpus, int n)
{
	char o[4096];
	int r = run(o, sizeof(o), "ihkconfig", "0", "query", "cpu", NULL);

	if (r < 0)
		return r;
	return parse_cpus(o, cpus, n) == n ? 0 : -EINVAL;
}

int ihk_reserve_mem(int dev, struct ihk_mem_chunk *c, int n)
{
	char l[4096];

	mem_text(c, n, l, sizeof(l));
	return run(NULL, 0, "ihkconfig", "0", "reserve", "mem", l, NULL);
}

int ihk_release_mem(int dev, struct ihk_mem_chunk *c, int n)
{
	char l[4096];

	mem_text(c, n, l, sizeof(l));
	return run(NULL, 0, "ihkconfig", "0", "release", "mem", l, NULL);
}

int ihk_get_num_reserved_mem_chunks(int dev)
{
	char o[4096];
	int r = run(o, sizeof(o), "ihkconfig", "0", "query", "mem", NULL);

	return r < 0 ? r : parse_mem(o, NULL, 0);
}

int ihk_query_mem(int dev, struct ihk_mem_chunk *c, int n)
{
	char o[4096];
	int r = run(o, sizeof(o), "ihkconfig", "0", "query", "mem", NULL);

	if (r < 0)
		return r;
	return parse_mem(o, c, n) == n ? 0 : -EINVAL;
}

int ihk_create_os(int dev)
{
	char o[64];
	int r = run(o, sizeof(o), "ihkconfig", "0", "create", NULL);

	return r < 0 ? r : atoi(o);
}

int ihk_destroy_os(int dev, int os)
{
	char n[16];

	return run(NULL, 0, "ihkconfig", "0", "destroy", num(os, n), NULL);
}

int ihk_os_assign_cpu(int os, int *cpus, int k)
{
	char n[16], l[4096];

	cpus_text(cpus, k, l, sizeof(l));
	return run(NULL, 0, "ihkosctl", num(os, n), "assign", "cpu", l, NULL);
}

int ihk_os_assign_mem(int os, struct ihk_mem_chunk *c, int k)
{
	char n[16], l[4096];

	mem_text(c, k, l, sizeof(l));
	return run(NULL, 0, "ihkosctl", num(os, n), "assign", "mem", l, NULL);
}

int ihk_os_load(int os, char *fn)
{
	char n[16];

	return run(NULL, 0, "ihkosctl", num(os, n), "load", fn, NULL);
}

int ihk_os_kargs(int os, char *kargs)
{
	char n[16];

	return run(NULL, 0, "ihkosctl", num(os, n), "kargs", kargs, NULL);
}

int ihk_os_boot(int os)
{
	char n[16];

	return run(NULL, 0, "ihkosctl", num(os, n), "boot", NULL);
}

int ihk_os_shutdown(int os)
{
	char n[16];

	return run(NULL, 0, "ihkosctl", num(os, n), "shutdown", NULL);
}

int ihk_os_get_status(int os)
{
	static const char *const names[] = {
		"INACTIVE", "BOOTING", "RUNNING", "SHUTDOWN", "PANIC", "HUNGUP", "FREEZING", "FROZEN"
	};
	char o[64], n[16];
	int r = run(o, sizeof(o), "ihkosctl", num(os, n), "get", "status", NULL);

	if (r < 0)
		return r;
	o[strcspn(o, "\n")] = '\0';
	for (int i = 0; i < 8; i++)
		if (!strcmp(o, names[i]))
			return i;
	return -EINVAL;
}

int ihk_os_kmsg(int os, char *buf, ssize_t len)
{
	char n[16];

	return run(buf, (size_t)len, "ihkosctl", num(os, n), "kmsg", NULL);
}
