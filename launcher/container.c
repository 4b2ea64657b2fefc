#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"
#include "env.h"
#include "native.h"
#include "sysfile.h"

extern char **environ;

#define CG1_ROOT "/sys/fs/cgroup/cpuset"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int lwkrun_container_refuse(char *const *prog, struct lwk_err *err)
{
	const char *b = base(prog[0]);

	if (!strcmp(b, "crun")) {
		for (char *const *a = prog + 1; *a; a++)
			if (!strcmp(*a, "--cgroup-manager=disabled"))
				return 0;
		return lwk_err_set(err, EINVAL, "'crun' would place the container in cgroups of "
				   "its own, outside the rank's share: run it as lwkrun "
				   "--container=BUNDLE --runtime=crun (or give crun "
				   "--cgroup-manager=disabled)");
	}
	if (!strcmp(b, "runc"))
		return lwk_err_set(err, EINVAL, "'runc' would place the container in cgroups of "
				   "its own, outside the rank's share: run it as lwkrun "
				   "--container=BUNDLE");
	return 0;
}

/* Does the comma-separated controller list ctrls name "cpuset"? */
static bool has_cpuset(const char *ctrls, size_t len)
{
	for (const char *s = ctrls; s < ctrls + len;) {
		const char *e = memchr(s, ',', ctrls + len - s);
		size_t n = e ? (size_t)(e - s) : (size_t)(ctrls + len - s);

		if (n == 6 && !strncmp(s, "cpuset", 6))
			return true;
		s += n + 1;
	}
	return false;
}

int lwkrun_cpuset_cgroup(long pid, char *buf, size_t len, int *version)
{
	char path[64], *text, *line, *save = NULL;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", pid);
	if (lwk_read_all(path, &text, NULL) < 0)
		return -1;
	/* "ID:CONTROLLERS:PATH": the v1 cpuset line wins; else v2's "0::PATH". */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		if (has_cpuset(c1 + 1, c2 - c1 - 1)) {
			snprintf(buf, len, "%s", c2 + 1);
			found = 1;
			break;
		}
		if (c2 == c1 + 1 && !strncmp(line, "0:", 2)) {
			snprintf(buf, len, "%s", c2 + 1);
			found = 2;
		}
	}
	free(text);
	if (!found)
		return -1;
	if (version)
		*version = found;
	return 0;
}

int lwkrun_cgroup_within(const char *pid_cg, const char *cg)
{
	size_t n = strlen(cg);

	if (!strcmp(cg, "/"))
		return 1;
	return !strncmp(pid_cg, cg, n) && (pid_cg[n] == '\0' || pid_cg[n] == '/');
}

/* State and Cpus_allowed_list of pid; -1 when it is gone. */
static int proc_status(long pid, char *state, hwloc_bitmap_t cpus)
{
	char path[64], *text, *s;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if (lwk_read_all(path, &text, NULL) < 0)
		return -1;
	s = strstr(text, "\nState:");
	*state = s ? s[strspn(s + 7, " \t") + 7] : '?';
	s = strstr(text, "\nCpus_allowed_list:");
	if (s) {
		s += 19 + strspn(s + 19, " \t");
		s[strcspn(s, "\n")] = '\0';	/* hwloc parses the list alone */
		if (hwloc_bitmap_list_sscanf(cpus, s) == 0)
			rc = 0;
	}
	free(text);
	return rc;
}

/* v1: every cpuset from below own_cg down to cg stops load balancing. */
static int stop_balancing(const char *own_cg, const char *cg, struct lwk_err *err)
{
	const char *pre = access(CG1_ROOT "/cpuset.cpus", F_OK) ? "" : "cpuset.";
	size_t n = strcmp(own_cg, "/") ? strlen(own_cg) : 0;
	char path[PATH_MAX];

	for (const char *s = cg + n; *s;) {
		const char *e = strchr(s + 1, '/');
		size_t upto = e ? (size_t)(e - cg) : strlen(cg);

		snprintf(path, sizeof(path), CG1_ROOT "%.*s/%ssched_load_balance", (int)upto, cg,
			 pre);
		if (lwk_write_str(path, "0", err) < 0)
			return lwk_err_prefix(err, "the runtime's cpuset below the partition");
		s = cg + upto;
	}
	return 0;
}

/* The container's process, seen from the host: in lwkrun's cpuset cgroup or
 * below it, on the rank's CPUs only. 0 ok (or gone), -1 with err. */
static int check(long pid, const char *own_cg, hwloc_const_bitmap_t cpus /* NULL: any */,
		 const char *when,
		 struct lwk_err *err)
{
	hwloc_bitmap_t have = hwloc_bitmap_alloc();
	char cg[PATH_MAX], st = '?', *a = NULL, *b = NULL;
	int rc = -1;

	if (!have)
		return lwk_err_set(err, ENOMEM, "out of memory");
	if (proc_status(pid, &st, have) < 0 || st == 'Z' ||
	    lwkrun_cpuset_cgroup(pid, cg, sizeof(cg), NULL) < 0 ||
	    /* an exiting task leaves its cgroups: read again before judging */
	    proc_status(pid, &st, have) < 0 || st == 'Z') {
		rc = 0;
		goto out;
	}
	if (!lwkrun_cgroup_within(cg, own_cg)) {
		lwk_err_set(err, EPERM, "the container (pid %ld) %s is in cgroup %s, outside the "
			    "LWK partition's %s: killed; keep the runtime from managing cgroups "
			    "(see lwkrun(1), Containers)", pid, when, cg, own_cg);
		goto out;
	}
	if (cpus && !hwloc_bitmap_isincluded(have, cpus)) {
		hwloc_bitmap_list_asprintf(&a, have);
		hwloc_bitmap_list_asprintf(&b, cpus);
		lwk_err_set(err, EPERM, "the container (pid %ld) %s may run on CPUs %s, not only "
			    "on the rank's %s: killed; keep the runtime from managing cgroups "
			    "(see lwkrun(1), Containers)", pid, when, a ? a : "?", b ? b : "?");
		goto out;
	}
	rc = 0;
out:
	free(a);
	free(b);
	hwloc_bitmap_free(have);
	return rc;
}

/* Runs argv to its end with the caller's signals unblocked in it; its exit
 * status, or -1 when it could not run. */
static int run(char *const *argv, const sigset_t *orig)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, orig, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "lwk: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct rt {
	const char *argv[10];
	size_t n;
};

/* runtime [global flags] */
static void rt_init(struct rt *r, const char *runtime)
{
	memset(r, 0, sizeof(*r));
	r->argv[r->n++] = runtime;
	if (!strcmp(base(runtime), "crun"))
		r->argv[r->n++] = "--cgroup-manager=disabled";
}

static int rt_run(const char *runtime, const sigset_t *orig, const char *a1, const char *a2,
		  const char *a3, const char *a4, const char *a5, const char *a6)
{
	struct rt r;

	rt_init(&r, runtime);
	r.argv[r.n++] = a1;
	r.argv[r.n++] = a2;
	r.argv[r.n++] = a3;
	r.argv[r.n++] = a4;
	r.argv[r.n++] = a5;
	r.argv[r.n++] = a6;
	return run((char *const *)r.argv, orig);
}

static void discard(const char *runtime, const char *name, long pid, const sigset_t *orig)
{
	if (pid > 0)
		kill(pid, SIGKILL);
	rt_run(runtime, orig, "delete", "--force", name, NULL, NULL, NULL);
	if (pid > 0)
		waitpid(pid, NULL, WNOHANG);
}

/* Waits for pid (our child, by subreaping), forwarding signals; its status. */
static int wait_container(long pid, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si), st;
		pid_t w;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			if (w == pid)
				return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0 && errno == ECHILD)
			return 128 + SIGKILL;	/* not ours after all: cannot tell */
	}
}

static int read_pid(const char *file, long *pid)
{
	char *text;
	int rc;

	if (lwk_read_all(file, &text, NULL) < 0)
		return -1;
	rc = sscanf(text, "%ld", pid) == 1 && *pid > 0 ? 0 : -1;
	free(text);
	return rc;
}

/* name (no '/') in PATH, as execvp would find it, made absolute and free of
 * symbolic links; 0 or -1. */
static int find_prog(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *s, *e;
	char cand[PATH_MAX], real[PATH_MAX];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (s = path; *s; s = *e ? e + 1 : e) {
		e = strchr(s, ':');
		if (!e)
			e = s + strlen(s);
		if (e == s)
			continue;
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)(e - s), s, name);
		if (access(cand, X_OK) == 0 && realpath(cand, real) && strlen(real) < len) {
			snprintf(out, len, "%s", real);
			return 0;
		}
	}
	return -1;
}

/* Directories an image has of its own: a program there is bound alone. */
static bool system_dir(const char *dir, size_t n)
{
	static const char *const sys[] = {
		"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/"
	};

	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (strlen(sys[i]) == n && !strncmp(dir, sys[i], n))
			return true;
	return false;
}

static void host_mount(struct lwkrun_ctr_host *h, const char *path, size_t n, bool ro)
{
	char *dst;

	if (h->nmounts >= LWKRUN_CTR_MOUNTS)
		return;
	dst = h->mount[h->nmounts].path;
	if (n >= sizeof(h->mount[0].path))
		n = sizeof(h->mount[0].path) - 1;
	memcpy(dst, path, n);	/* (path may be h->prog, another field) */
	dst[n] = '\0';
	h->mount[h->nmounts++].ro = ro;
}

/* mckernel/mos: what the container's mcexec/yod needs of the host, all of
 * it checked here, before anything is started (lwkrun(1), Containers). */
static int host_needs(const struct lwkrun_plan *plan, struct lwkrun_ctr_host *h,
		      struct lwk_err *err)
{
	const bool mck = plan->backend == LWK_BACKEND_MCKERNEL;
	const char *bname = lwk_backend_name(plan->backend), *slash;
	struct stat st;

	memset(h, 0, sizeof(*h));
	if (find_prog(plan->argv[0], h->prog, sizeof(h->prog)))
		return lwk_err_set(err, ENOENT, "the %s backend starts the container's program "
				   "through %s, which is not in PATH on this node: install %s or "
				   "put its directory in PATH", bname, plan->argv[0],
				   mck ? "McKernel" : "mOS");
	/* its directory (McKernel's or mOS's own, with what the program
	 * loads beside it), or the program alone in a directory the image has */
	slash = strrchr(h->prog, '/');
	if (system_dir(h->prog, slash == h->prog ? 1 : (size_t)(slash - h->prog)))
		host_mount(h, h->prog, strlen(h->prog), true);
	else
		host_mount(h, h->prog, (size_t)(slash - h->prog), true);
	if (!plan->lwk_path[0] || stat(plan->lwk_path, &st) < 0) {
		if (mck)
			return lwk_err_set(err, ENOENT, "McKernel instance device %s is missing, "
					   "which the container's mcexec opens: is partition %s "
					   "live (lwkpart show %s)?", plan->lwk_path,
					   plan->part_id[0] ? plan->part_id : "-",
					   plan->part_id[0] ? plan->part_id : "");
		return lwk_err_set(err, ENOENT, "mOS's %s is missing, which the container's yod "
				   "reads and writes: is this node running the mOS kernel (or "
				   "set LWK_MOS_SYSFS)?", plan->lwk_path[0] ? plan->lwk_path :
				   "sysfs directory");
	}
	if (mck && !S_ISCHR(st.st_mode) && !S_ISREG(st.st_mode))
		return lwk_err_set(err, ENODEV, "%s is not a device: McKernel's mcexec cannot "
				   "open it", plan->lwk_path);
	if (!mck && !S_ISDIR(st.st_mode))
		return lwk_err_set(err, ENOTDIR, "mOS's %s is not a directory: set LWK_MOS_SYSFS "
				   "to mOS's sysfs directory", plan->lwk_path);
	/* mcexec opens its instance's device; yod writes lwkcpus_reserved and
	 * lwkprocesses: both read-write */
	host_mount(h, plan->lwk_path, strlen(plan->lwk_path), false);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		h->dev[h->ndevs].type = S_ISCHR(st.st_mode) ? 'c' : 'b';
		h->dev[h->ndevs].major = major(st.st_rdev);
		h->dev[h->ndevs++].minor = minor(st.st_rdev);
	}
	return 0;
}

/* Slurm 22.05 runs oci.conf's RunTimeRun without the job's environment, so
 * the plugin's LWK_PARTITION and LWK_CPUS do not reach lwkrun there. The task
 * is placed already (its affinity is its share) and sits in the partition's
 * cpuset (<root>/lwk/<id>): name them from that cgroup, for the program. */
static void partition_from_cgroup(const char *own, int version)
{
	static const char pre[] = "/" LWK_CG_DIR "/";
	char path[PATH_MAX], *text;

	if (getenv(LWK_ENV_PARTITION) || strncmp(own, pre, sizeof(pre) - 1) ||
	    !own[sizeof(pre) - 1] || strchr(own + sizeof(pre) - 1, '/'))
		return;
	if (version == 1)
		snprintf(path, sizeof(path), LWK_CG1_ROOT "%s/%scpus", own,
			 access(LWK_CG1_ROOT "/cpuset.cpus", F_OK) ? "" : "cpuset.");
	else
		snprintf(path, sizeof(path), LWK_CG2_ROOT "%s/cpuset.cpus", own);
	if (lwk_read_all(path, &text, NULL) < 0)
		return;
	text[strcspn(text, "\n")] = '\0';
	setenv(LWK_ENV_PARTITION, own + sizeof(pre) - 1, 0);
	if (*text)
		setenv(LWK_ENV_CPUS, text, 0);
	free(text);
}

int lwkrun_container_run(const struct lwkrun_ctr_req *req, struct lwk_err *err)
{
	const char *runtime = req->runtime ? req->runtime : "runc";
	/* mckernel/mos: the multi-kernel places the rank, Linux affinity says nothing */
	hwloc_const_bitmap_t cpus = req->plan->rank.bind ? req->plan->rank.cpus : NULL;
	char dir[] = "/tmp/lwkrun-ctr.XXXXXX", cfg[64], pidfile[64], name[64], own[PATH_MAX];
	char cg[PATH_MAX];
	struct lwkrun_ctr_host host;
	const bool native = req->plan->backend == LWK_BACKEND_NATIVE;
	sigset_t set, orig;
	long pid = -1;
	int rc, version = 0, status = -1;

	snprintf(name, sizeof(name), "%s", req->name ? req->name : "");
	if (!*name)
		snprintf(name, sizeof(name), "lwkrun-%ld", (long)getpid());
	if (!native && host_needs(req->plan, &host, err))
		return -1;	/* nothing started */
	if (lwkrun_cpuset_cgroup(getpid(), own, sizeof(own), &version) < 0)
		return lwk_err_set(err, ENOENT, "cannot read this process's cpuset cgroup "
				   "(/proc/self/cgroup)");
	if (!mkdtemp(dir))
		return lwk_err_set(err, errno, "cannot make a directory in /tmp: %s",
				   strerror(errno));
	snprintf(cfg, sizeof(cfg), "%s/config.json", dir);
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	/* v1: runc nests a relative path below its own cgroup, the partition's.
	 * v2: runc takes a relative path below its cgroup's PARENT (a sibling of
	 * the partition): name the place below the partition in full. */
	if (version == 2)
		snprintf(cg, sizeof(cg), "%s/%s", strcmp(own, "/") ? own : "", name);
	else
		snprintf(cg, sizeof(cg), "%s", name);
	partition_from_cgroup(own, version);
	/* the environment as it is now, LWK_* from the cgroup included */
	if (lwkrun_bundle_write(req->bundle, req->plan, environ, cg, native ? NULL : &host, dir,
				err))
		goto rmdir;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &orig);
	/* The container's init outlives `runtime create`: make it ours. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		lwk_err_set(err, errno, "cannot become a child subreaper: %s", strerror(errno));
		goto unblock;
	}
	rc = rt_run(runtime, &orig, "create", "--bundle", dir, "--pid-file", pidfile, name);
	if (rc || read_pid(pidfile, &pid)) {
		lwk_err_set(err, EIO, "'%s create' failed (status %d): the container did not start",
			    runtime, rc);
		discard(runtime, name, -1, &orig);
		goto unblock;
	}
	/* (mckernel/mos: lwkrun runs on Linux cores, there is nothing to keep) */
	if (native && lwkrun_cpuset_cgroup(pid, cg, sizeof(cg), NULL) == 0 && version == 1 &&
	    strcmp(cg, own) && lwkrun_cgroup_within(cg, own) &&
	    stop_balancing(own, cg, err)) {
		discard(runtime, name, pid, &orig);
		goto unblock;
	}
	if (check(pid, own, cpus, "before its start", err)) {
		discard(runtime, name, pid, &orig);
		goto unblock;
	}
	rc = rt_run(runtime, &orig, "start", name, NULL, NULL, NULL, NULL);
	if (rc) {
		lwk_err_set(err, EIO, "'%s start %s' failed (status %d)", runtime, name, rc);
		discard(runtime, name, pid, &orig);
		goto unblock;
	}
	if (check(pid, own, cpus, "after its start", err)) {
		discard(runtime, name, pid, &orig);
		goto unblock;
	}
	status = wait_container(pid, &set);
	rt_run(runtime, &orig, "delete", "--force", name, NULL, NULL, NULL);
unblock:
	sigprocmask(SIG_SETMASK, &orig, NULL);
	unlink(pidfile);
	unlink(cfg);
rmdir:
	rmdir(dir);
	return status;
}
