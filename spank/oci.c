#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "oci.h"

#define FIX "RunTimeRun=\"lwkrun --container=%%b --name=%%n.%%u.%%j.%%s.%%t\" (doc/containers.md)"

/* The value of key (case-insensitive, as Slurm reads it) in an oci.conf
 * text, quotes stripped, into buf; false when absent. */
static bool conf_get(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *s = l + strspn(l, " \t"), *e, *v;
		size_t n;

		if (strncasecmp(s, key, klen) || s[klen] != '=')
			continue;
		v = s + klen + 1;
		e = strchr(v, '\n');
		n = e ? (size_t)(e - v) : strlen(v);
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
			n--;
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v++;
			n -= 2;
		}
		snprintf(buf, len, "%.*s", (int)n, v);
		return true;
	}
	return false;
}

/* Does the command line cmd have the word w? */
static bool has_word(const char *cmd, const char *w)
{
	size_t n = strlen(w);

	for (const char *s = strstr(cmd, w); s; s = strstr(s + 1, w))
		if ((s == cmd || s[-1] == ' ' || s[-1] == '\t') &&
		    (s[n] == '\0' || s[n] == ' ' || s[n] == '\t' || s[n] == '='))
			return true;
	return false;
}

/* basename of the command's first word */
static void program(const char *cmd, char *buf, size_t len)
{
	const char *s = cmd + strspn(cmd, " \t"), *e = s + strcspn(s, " \t"), *b = s;

	for (const char *p = s; p < e; p++)
		if (*p == '/')
			b = p + 1;
	snprintf(buf, len, "%.*s", (int)(e - b), b);
}

int lwk_oci_conf_check(const char *text, const char *path, struct lwk_err *err)
{
	char run[1024], prog[256], other[16];

	if (conf_get(text, "RunTimeCreate", run, sizeof(run)) ||
	    conf_get(text, "RunTimeStart", run, sizeof(run))) {
		snprintf(other, sizeof(other), "%s",
			 conf_get(text, "RunTimeCreate", run, sizeof(run)) ? "RunTimeCreate"
									    : "RunTimeStart");
		return lwk_err_set(err, EINVAL, "%s: %s: Slurm starts such containers outside the "
				   "step's tasks, off the LWK partition: use " FIX, path, other);
	}
	if (!conf_get(text, "RunTimeRun", run, sizeof(run)) || !run[0])
		return lwk_err_set(err, EINVAL, "%s: no RunTimeRun: an LWK step's container must "
				   "start in its task: use " FIX, path);
	program(run, prog, sizeof(prog));
	if (!strcmp(prog, "lwkrun") && has_word(run, "--container"))
		return 0;
	if (!strcmp(prog, "crun") && has_word(run, "--cgroup-manager=disabled"))
		return 0;
	if (!strcmp(prog, "ch-run"))
		return 0;
	return lwk_err_set(err, EINVAL, "%s: RunTimeRun '%s' lets the runtime make cgroups of its "
			   "own, outside the LWK partition's: use " FIX, path, run);
}

int lwk_oci_bundle_check(const char *bundle, struct lwk_err *err)
{
	char path[PATH_MAX];
	json_object *cfg, *linux_ = NULL, *cg = NULL;
	const char *s;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	cfg = json_object_from_file(path);
	if (!cfg)
		return 0;	/* Slurm says what is wrong with it */
	if (json_object_object_get_ex(cfg, "linux", &linux_) &&
	    json_object_object_get_ex(linux_, "cgroupsPath", &cg) &&
	    (s = json_object_get_string(cg)) && s[0] == '/')
		rc = lwk_err_set(err, EINVAL, "--container %s: linux.cgroupsPath '%s' in its "
				 "config.json would place the container outside the LWK "
				 "partition: remove it", bundle, s);
	json_object_put(cfg);
	return rc;
}

/* A Slurm path pattern that names a different directory on each node: %n
 * (and %h, in SlurmdSpoolDir), or %m (the spool directory) when spool_per_node. */
static bool per_node(const char *pat, bool spool_per_node)
{
	for (const char *p = strchr(pat, '%'); p && p[1]; p = strchr(p + 2, '%'))
		if (p[1] == 'n' || p[1] == 'h' || (p[1] == 'm' && spool_per_node))
			return true;
	return false;
}

int lwk_oci_mpi_check(const struct lwk_oci_mpi *m, struct lwk_err *err)
{
	char cpath[1024], spool[1024] = "";
	bool spool_pn;

	if (!m->mpi || strncmp(m->mpi, "pmix", 4))
		return 0;
	if (!m->pmix_in_containers)
		return lwk_err_set(err, EINVAL, "--container with --mpi=%s: this Slurm (before "
				   "23.02) passes no PMIx variable into the container, so an MPI "
				   "program stops in MPI_Init: run 'srun --mpi=%s --lwk=... lwkrun "
				   "--container=%s -- PROGRAM' instead, or --mpi=none for a program "
				   "that is not MPI (doc/containers.md)", m->mpi, m->mpi, m->bundle);
	if (m->nnodes < 2)
		return 0;
	/* slurm.conf: the first word of SlurmdSpoolDir's value */
	if (m->slurm_conf && conf_get(m->slurm_conf, "SlurmdSpoolDir", spool, sizeof(spool)))
		spool[strcspn(spool, " \t")] = '\0';
	spool_pn = per_node(spool, false);
	if (conf_get(m->oci, "ContainerPath", cpath, sizeof(cpath)) && cpath[0]) {
		if (!per_node(cpath, spool_pn))
			return 0;
		return lwk_err_set(err, EINVAL, "--container with --mpi=%s on %u nodes: oci.conf's "
				   "ContainerPath '%s' differs between nodes, and Slurm's PMIx plugin "
				   "sends it to the other nodes as its server's address: MPI_Init "
				   "would hang; set ContainerPath to one path, the same on every node "
				   "(doc/containers.md)", m->mpi, m->nnodes, cpath);
	}
	if (!spool_pn)
		return 0;
	/* the same line on every node: no node's own path in it */
	return lwk_err_set(err, EINVAL, "--container with --mpi=%s on %u nodes: no ContainerPath "
			   "in oci.conf and SlurmdSpoolDir '%s' differs between nodes, and Slurm's "
			   "PMIx plugin sends the container's spool path to the other nodes as its "
			   "server's address: MPI_Init would hang; set ContainerPath in oci.conf to "
			   "one path, the same on every node (doc/containers.md)", m->mpi, m->nnodes,
			   spool);
}
