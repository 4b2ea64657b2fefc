#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "bundle.h"

void lwkrun_bundle_init(struct lwkrun_bundle *b)
{
	memset(b, 0, sizeof(*b));
}

void lwkrun_bundle_fini(struct lwkrun_bundle *b)
{
	if (b->config)
		json_object_put(b->config);
	free(b->args);
	memset(b, 0, sizeof(*b));
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* o[key] as an object, made when absent. */
static json_object *obj(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	if (v && json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	if (v)
		json_object_object_add(o, key, v);
	return v;
}

int lwkrun_bundle_load(const char *dir, struct lwkrun_bundle *b, struct lwk_err *err)
{
	char path[PATH_MAX + 16];
	json_object *cfg, *cg, *args;
	const char *s;
	size_t n;

	if (!realpath(dir, b->dir))
		return lwk_err_set(err, errno, "--container '%s': %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/config.json", b->dir);
	cfg = json_object_from_file(path);
	if (!cfg || !json_object_is_type(cfg, json_type_object)) {
		if (cfg)
			json_object_put(cfg);
		return lwk_err_set(err, EINVAL, "--container '%s': cannot read an OCI config.json "
				   "there (make one with 'runc spec')", dir);
	}
	b->config = cfg;
	cg = get(get(cfg, "linux"), "cgroupsPath");
	s = cg ? json_object_get_string(cg) : NULL;
	if (s && s[0] == '/')
		return lwk_err_set(err, EINVAL, "%s: linux.cgroupsPath '%s' would place the "
				   "container outside the LWK partition: remove it (lwkrun gives "
				   "the runtime a path inside the partition)", path, s);
	args = get(get(cfg, "process"), "args");
	n = args && json_object_is_type(args, json_type_array) ? json_object_array_length(args) : 0;
	b->args = calloc(n + 1, sizeof(*b->args));
	if (!b->args)
		return lwk_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(args, i));
		if (!s)
			return lwk_err_set(err, EINVAL, "%s: process.args[%zu] is not a string",
					   path, i);
		b->args[i] = (char *)s;	/* owned by config, which outlives the plan */
	}
	return 0;
}

/* The variables lwkrun hands into the container: its own placement and the
 * launchers' (a runtime passes the host environment to nothing). */
static bool passed_on(const char *kv)
{
	static const char *const pre[] = { "LWK_", "OMP_", "MPI_LOCAL", "PMIX_", "OMPI_",
					   "SLURM_", "GLIBC_TUNABLES=" };

	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(kv, pre[i], strlen(pre[i])))
			return true;
	return false;
}

/* process.env with envp's passed-on variables set over the bundle's. */
static int merge_env(json_object *process, char *const *envp)
{
	json_object *old = get(process, "env"), *env = json_object_new_array();
	size_t n;

	if (!env)
		return -1;
	n = old && json_object_is_type(old, json_type_array) ? json_object_array_length(old) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(old, i));
		const char *eq = kv ? strchr(kv, '=') : NULL;
		bool replaced = false;

		if (!eq)
			continue;
		for (char *const *e = envp; *e && !replaced; e++)
			replaced = passed_on(*e) && !strncmp(*e, kv, eq - kv + 1);
		if (!replaced)
			json_object_array_add(env, json_object_new_string(kv));
	}
	for (char *const *e = envp; *e; e++)
		if (passed_on(*e) && strchr(*e, '='))
			json_object_array_add(env, json_object_new_string(*e));
	json_object_object_add(process, "env", env);
	return 0;
}

/* Is the host's directory dir, or one above it, bound in mounts already? */
static bool mounted(json_object *mounts, const char *dir)
{
	size_t n = json_object_array_length(mounts);

	for (size_t i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(mounts, i);
		json_object *d = get(m, "destination"), *src = get(m, "source");
		const char *s = d ? json_object_get_string(d) : NULL;
		size_t l = s ? strlen(s) : 0;

		/* the host's own directory at its own path (not a tmpfs there) */
		if (l && src && !strcmp(json_object_get_string(src), s) &&
		    !strncmp(dir, s, l) && (dir[l] == '\0' || dir[l] == '/'))
			return true;
	}
	return false;
}

/* The directory a PMIx rendezvous variable names (PMIX_*TMPDIR,
 * PMIX_*_BASE_PATH: its server's tmpdir, the system tmpdir, the
 * shared-memory dstore), without trailing slashes; NULL for others. */
static char *pmix_dir(const char *kv)
{
	const char *eq = strchr(kv, '='), *v;
	size_t klen, vlen;

	if (!eq || strncmp(kv, "PMIX_", 5))
		return NULL;
	klen = eq - kv;
	if (!(klen > 6 && !strncmp(eq - 6, "TMPDIR", 6)) &&
	    !(klen > 10 && !strncmp(eq - 10, "_BASE_PATH", 10)))
		return NULL;
	v = eq + 1;
	vlen = strlen(v);
	while (vlen > 1 && v[vlen - 1] == '/')	/* Slurm's ".../pmix.J.S/" */
		vlen--;
	return v[0] == '/' && vlen < PATH_MAX ? strndup(v, vlen) : NULL;
}

static int shorter(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	return la < lb ? -1 : la > lb;
}

static int bind_dir(json_object *mounts, const char *dir)
{
	json_object *m = json_object_new_object(), *opts = json_object_new_array();

	if (!m || !opts) {
		json_object_put(m);
		json_object_put(opts);
		return -1;
	}
	json_object_object_add(m, "destination", json_object_new_string(dir));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(dir));
	json_object_array_add(opts, json_object_new_string("rbind"));
	json_object_array_add(opts, json_object_new_string("rw"));
	json_object_object_add(m, "options", opts);
	return json_object_array_add(mounts, m);
}

/*
 * An MPI rank's PMIx client reaches its server (Slurm's slurmstepd, mpirun's
 * daemon) through the host: TCP on 127.0.0.1 (PMIX_SERVER_URI*) and files in
 * the directories named by its PMIx variables (pmix_dir). In the container
 * those directories are bound at the same paths, parents before children (a
 * child inside a bound parent comes with it), and the rank keeps the host's
 * network namespace, which also carries its MPI traffic to other nodes.
 * Without PMIx variables in env nothing changes.
 */
static int pmix_rendezvous(json_object *cfg, json_object *env)
{
	json_object *mounts = get(cfg, "mounts"), *ns;
	size_t n = json_object_array_length(env), ndirs = 0;
	char **dirs = calloc(n + 1, sizeof(*dirs));
	bool pmix = false;
	int rc = -1;

	if (!dirs)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(env, i));
		struct stat st;

		if (!kv || strncmp(kv, "PMIX_", 5))
			continue;
		pmix = true;
		dirs[ndirs] = pmix_dir(kv);
		if (dirs[ndirs] && !stat(dirs[ndirs], &st) && S_ISDIR(st.st_mode))
			ndirs++;
		else
			free(dirs[ndirs]);
		dirs[ndirs] = NULL;
	}
	if (!pmix) {
		rc = 0;
		goto out;
	}
	if (!mounts || !json_object_is_type(mounts, json_type_array)) {
		mounts = json_object_new_array();
		if (!mounts)
			goto out;
		json_object_object_add(cfg, "mounts", mounts);
	}
	qsort(dirs, ndirs, sizeof(*dirs), shorter);
	for (size_t i = 0; i < ndirs; i++)
		if (!mounted(mounts, dirs[i]) && bind_dir(mounts, dirs[i]))
			goto out;
	ns = get(get(cfg, "linux"), "namespaces");
	if (ns && json_object_is_type(ns, json_type_array)) {
		for (size_t i = json_object_array_length(ns); i-- > 0;) {
			json_object *t = get(json_object_array_get_idx(ns, i), "type");

			if (t && !strcmp(json_object_get_string(t), "network"))
				json_object_array_del_idx(ns, i, 1);
		}
	}
	rc = 0;
out:
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

static int set_list(json_object *o, const char *key, hwloc_const_bitmap_t set)
{
	char *s = NULL;

	if (hwloc_bitmap_list_asprintf(&s, set) < 0)
		return -1;
	json_object_object_add(o, key, json_object_new_string(s));
	free(s);
	return 0;
}

/* o[key] as an array, made when absent. */
static json_object *arr(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	if (v && json_object_is_type(v, json_type_array))
		return v;
	v = json_object_new_array();
	if (v)
		json_object_object_add(o, key, v);
	return v;
}

/* The host's mcexec/yod, its paths and devices into the config. */
static int add_host(json_object *cfg, json_object *args, const struct lwkrun_ctr_host *h)
{
	json_object *mounts = arr(cfg, "mounts"), *devs, *m, *opts, *d;

	if (!mounts || json_object_array_put_idx(args, 0, json_object_new_string(h->prog)))
		return -1;
	for (unsigned i = 0; i < h->nmounts; i++) {
		m = json_object_new_object();
		opts = json_object_new_array();
		if (!m || !opts)
			return -1;
		json_object_object_add(m, "destination", json_object_new_string(h->mount[i].path));
		json_object_object_add(m, "type", json_object_new_string("bind"));
		json_object_object_add(m, "source", json_object_new_string(h->mount[i].path));
		json_object_array_add(opts, json_object_new_string("bind"));
		json_object_array_add(opts, json_object_new_string(h->mount[i].ro ? "ro" : "rw"));
		json_object_object_add(m, "options", opts);
		json_object_array_add(mounts, m);
	}
	if (!h->ndevs)
		return 0;
	devs = arr(obj(obj(cfg, "linux"), "resources"), "devices");
	if (!devs)
		return -1;
	for (unsigned i = 0; i < h->ndevs; i++) {
		char t[2] = { h->dev[i].type, '\0' };

		d = json_object_new_object();
		if (!d)
			return -1;
		json_object_object_add(d, "allow", json_object_new_boolean(1));
		json_object_object_add(d, "type", json_object_new_string(t));
		json_object_object_add(d, "major", json_object_new_int64(h->dev[i].major));
		json_object_object_add(d, "minor", json_object_new_int64(h->dev[i].minor));
		json_object_object_add(d, "access", json_object_new_string("rw"));
		json_object_array_add(devs, d);
	}
	return 0;
}

int lwkrun_bundle_write(const struct lwkrun_bundle *b, const struct lwkrun_plan *plan,
			char *const *envp, const char *cgroup_name,
			const struct lwkrun_ctr_host *host, const char *outdir,
			struct lwk_err *err)
{
	json_object *cfg = NULL, *root, *process, *linux_, *cpu, *args, *path;
	char file[PATH_MAX + 16], rootfs[PATH_MAX + 16];
	const char *rp;
	int rc = -1;

	/* A deep copy: the loaded config keeps the strings plan->argv borrows. */
	if (json_object_deep_copy(b->config, &cfg, NULL) < 0)
		return lwk_err_set(err, ENOMEM, "out of memory");
	root = obj(cfg, "root");
	path = get(root, "path");
	rp = path ? json_object_get_string(path) : "rootfs";
	if (rp[0] == '/')
		snprintf(rootfs, sizeof(rootfs), "%s", rp);
	else
		snprintf(rootfs, sizeof(rootfs), "%s/%s", b->dir, rp);
	json_object_object_add(root, "path", json_object_new_string(rootfs));

	process = obj(cfg, "process");
	args = json_object_new_array();
	for (size_t i = 0; args && plan->argv[i]; i++)
		json_object_array_add(args, json_object_new_string(plan->argv[i]));
	json_object_object_add(process, "args", args);
	json_object_object_add(process, "terminal", json_object_new_boolean(0));
	if (merge_env(process, envp) || (host && add_host(cfg, args, host)) ||
	    pmix_rendezvous(cfg, get(process, "env")))
		goto nomem;

	linux_ = obj(cfg, "linux");
	json_object_object_add(linux_, "cgroupsPath", json_object_new_string(cgroup_name));
	if (plan->rank.bind) {
		cpu = obj(obj(linux_, "resources"), "cpu");
		if (!cpu || set_list(cpu, "cpus", plan->rank.cpus) ||
		    set_list(cpu, "mems", plan->rank.mems))
			goto nomem;
	}
	snprintf(file, sizeof(file), "%s/config.json", outdir);
	if (json_object_to_file_ext(file, cfg, JSON_C_TO_STRING_PLAIN) < 0) {
		lwk_err_set(err, errno ? errno : EIO, "cannot write %s: %s", file,
			    json_util_get_last_err());
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	lwk_err_set(err, ENOMEM, "out of memory");
out:
	json_object_put(cfg);
	return rc;
}
