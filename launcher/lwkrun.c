/* lwkrun: start one rank inside its share of an LWK partition.
 *
 *   lwkrun [options] [--] PROGRAM [ARGS...]
 *   lwkrun [options] --container=BUNDLE [--runtime=R] [--] [PROGRAM [ARGS...]]
 *
 * Learns the local rank (localrank.h), the partition (part.h), builds the
 * rank's plan (plan.h), prints it for --dry-run/--verbose, applies it and
 * execs (exec.h), or runs the rank as a container (bundle.h, container.h).
 * Every error is one "lwk: " line on stderr.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "bundle.h"
#include "container.h"
#include "env.h"
#include "exec.h"
#include "inherit.h"
#include "localrank.h"
#include "part.h"
#include "plan.h"
#include "sysfile.h"
#include "topo_cache.h"

extern char **environ;

static void usage(FILE *f)
{
	fputs("Usage: lwkrun [options] [--] PROGRAM [ARGS...]\n"
	      "       lwkrun [options] --container=BUNDLE [--] [PROGRAM [ARGS...]]\n"
	      "Start PROGRAM as one rank on its share of an LWK partition.\n\n"
	      "  -n, --dry-run         print this rank's plan and exit\n"
	      "  -v, --verbose         print the plan to stderr, then run\n"
	      "  -p, --partition ID    use registered partition ID (default: LWK_* environment,\n"
	      "                        else the caller's CPU affinity)\n"
	      "      --statedir DIR    partition registry (default: $LWK_STATEDIR or "
	      LWK_STATEDIR ")\n"
	      "      --container BUNDLE  run the rank as the OCI bundle's container (PROGRAM,\n"
	      "                        if given, replaces its process.args)\n"
	      "      --runtime R       OCI runtime for --container: runc (default) or crun\n"
	      "      --name ID         the container's id (default: lwkrun-PID)\n"
	      "  -h, --help            this text\n"
	      "  -V, --version         print the version\n\n"
	      "The local rank comes from OMPI_COMM_WORLD_LOCAL_RANK/SIZE, MPI_LOCALRANKID/\n"
	      "MPI_LOCALNRANKS, SLURM_LOCALID, else PMIx, else a single process. See lwkrun(1).\n",
	      f);
}

struct opts {
	bool dry_run, verbose;
	const char *partition, *statedir;
	const char *container, *runtime, *name;
};

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "partition", required_argument, NULL, 'p' },
		{ "statedir", required_argument, NULL, 's' },
		{ "container", required_argument, NULL, 'C' },
		{ "runtime", required_argument, NULL, 'R' },
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	/* '+': options end at PROGRAM, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+nvp:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->dry_run = true; break;
		case 'v': o->verbose = true; break;
		case 'p': o->partition = optarg; break;
		case 's': o->statedir = optarg; break;
		case 'C': o->container = optarg; break;
		case 'R': o->runtime = optarg; break;
		case 'N': o->name = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("lwkrun (%s) %s\n", PACKAGE_NAME, PACKAGE_VERSION); exit(0);
		default:
			fputs("lwk: unknown option; see lwkrun --help\n", stderr);
			exit(2);
		}
	}
	if ((o->runtime || o->name) && !o->container) {
		fputs("lwk: --runtime and --name go with --container=BUNDLE; see lwkrun --help\n",
		      stderr);
		exit(2);
	}
	if (optind >= argc && !o->container) {
		fputs("lwk: no program to run: lwkrun [options] PROGRAM [ARGS...]\n", stderr);
		exit(2);
	}
	return optind;
}

/* --statedir, else LWK_STATEDIR, else NULL (the built-in default). */
static const char *state_dir(const struct opts *o)
{
	const char *d = o->statedir ? o->statedir : getenv(LWK_ENV_STATEDIR);

	return d && *d ? d : NULL;
}

static int find_partition(const struct lwk_topo *tp, const struct opts *o,
			  struct lwkrun_part *part, struct lwk_err *err)
{
	const char *statedir = o->statedir;
	hwloc_bitmap_t aff;
	int rc;

	if (o->partition) {
		if (!statedir)
			statedir = getenv(LWK_ENV_STATEDIR);
		return lwkrun_part_from_registry(statedir && *statedir ? statedir : NULL,
						 o->partition, part, err);
	}
	rc = lwkrun_part_from_env(tp, environ, part, err);
	if (rc)
		return rc < 0 ? -1 : 0;
	aff = hwloc_bitmap_alloc();
	if (!aff)
		return lwk_err_set(err, ENOMEM, "out of memory");
	if (hwloc_get_cpubind(tp->t, aff, HWLOC_CPUBIND_THREAD)) {
		rc = lwk_err_set(err, errno, "cannot read this process's CPU affinity: %s",
				 strerror(errno));
	} else {
		rc = lwkrun_part_from_affinity(tp, aff, part, err);
	}
	hwloc_bitmap_free(aff);
	return rc;
}

/*
 * The plan in one write(2) to stderr: unbuffered stderr would send it in
 * pieces, and a parallel launcher that merges its ranks' output (mpirun)
 * could then splice another rank's line into the middle of one of ours.
 */
static void print_plan_whole(const struct lwkrun_plan *plan)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		lwkrun_plan_print(plan, stderr);
		return;
	}
	lwkrun_plan_print(plan, f);
	if (fclose(f) == 0)
		(void)lwk_write_fd(STDERR_FILENO, buf, len);
	free(buf);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct lwkrun_local loc;
	struct lwkrun_part part;
	struct lwkrun_plan plan;
	struct lwk_topo tp;
	struct lwkrun_bundle bundle;
	struct lwk_err err;
	char **prog;
	int first, status = 1;

	lwk_err_clear(&err);
	lwkrun_bundle_init(&bundle);
	first = parse(argc, argv, &o);
	prog = argv + first;
	/* Before anything else: a bad bundle or runtime changes nothing. */
	if (o.container ? lwkrun_bundle_load(o.container, &bundle, &err)
			: lwkrun_container_refuse(prog, &err)) {
		lwk_err_print(&err, stderr);
		lwkrun_bundle_fini(&bundle);
		return 2;
	}
	if (o.container && !*prog)
		prog = bundle.args;

	/* First, so that the PMIx connection (if any) is closed before we
	 * do anything that could fail and exit. */
	if (lwkrun_local_discover(environ, &loc, &err)) {
		lwk_err_print(&err, stderr);
		return 1;
	}
	tp.t = NULL;
	lwkrun_part_init(&part);
	lwkrun_plan_init(&plan);
	/* Under srun --lwk the plugin made, applied and exported this rank's
	 * plan already: no topology to load (inherit.h). */
	/* (not --container: the runtime's cpuset needs the share in the plan) */
	if (!o.dry_run && !o.verbose && !o.partition && !o.container &&
	    lwkrun_plan_inherit(&loc, environ, prog, &plan, &err) == 1)
		goto run;
	lwk_err_clear(&err);
	lwkrun_plan_fini(&plan);
	lwkrun_plan_init(&plan);
	/* The node's topology as the plugin or lwkpart left it in the state
	 * directory (topo_cache.h), else discovered; lwkrun never writes it. */
	if (lwk_topo_load_node(&tp, state_dir(&o), 0, NULL, 0, &err) < 0)
		goto fail;
	if (find_partition(&tp, &o, &part, &err) ||
	    lwkrun_plan_build(&tp, &loc, &part, environ, prog, &plan, &err))
		goto fail;
	if (o.dry_run) {
		lwkrun_plan_print(&plan, stdout);
		if (o.container)
			printf("container: %s, runtime %s\n", bundle.dir,
			       o.runtime ? o.runtime : "runc");
		status = fflush(stdout) ? 1 : 0;
		goto out;
	}
	if (o.verbose)
		print_plan_whole(&plan);
run:
	if (lwkrun_apply(&tp, &plan, &err))
		goto fail;
	if (o.container) {
		struct lwkrun_ctr_req req = {
			.runtime = o.runtime, .name = o.name, .bundle = &bundle, .plan = &plan,
		};

		status = lwkrun_container_run(&req, &err);
		if (status >= 0)
			goto out;
		status = 1;
		goto fail;
	}
	lwkrun_exec(&plan, &err);
	status = err.code == ENOENT ? 127 : 126;	/* as a shell would */
fail:
	lwk_err_print(&err, stderr);
out:
	lwkrun_plan_fini(&plan);
	lwkrun_part_fini(&part);
	lwk_topo_fini(&tp);
	lwkrun_bundle_fini(&bundle);
	return status;
}
