/* Unit tests of the container pieces that need no runtime: the plugin's
 * oci.conf and bundle rules (spank/oci.c), lwkrun's private bundle copy
 * (launcher/bundle.c) and its cgroup containment test (container.c). The
 * runtimes themselves run in tests/containers/run and tests/slurm. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bundle.h"
#include "check_run.h"
#include "container.h"
#include "oci.h"

static struct lwk_err err;

static int conf(const char *text)
{
	lwk_err_clear(&err);
	return lwk_oci_conf_check(text, "/etc/slurm/oci.conf", &err);
}

START_TEST(oci_accepts_confining_runtimes)
{
	ck_assert_int_eq(conf("RunTimeRun=\"/usr/bin/lwkrun --container=%b --name=%n.%u.%j.%s.%t\"\n"
			      "RunTimeKill=\"runc kill -a %n.%u.%j.%s.%t\"\n"), 0);
	ck_assert_int_eq(conf("# comment\n  runtimerun=\"crun --cgroup-manager=disabled run -b %b x\""), 0);
	ck_assert_int_eq(conf("RunTimeRun=ch-run %b -- true"), 0);
}
END_TEST

START_TEST(oci_refuses_escaping_configs)
{
	ck_assert_int_eq(conf("RunTimeRun=\"runc --rootless=true run %n -b %b\""), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "/etc/slurm/oci.conf: RunTimeRun 'runc --rootless=true run %n -b %b' lets the runtime make cgroups"));
	ck_assert_ptr_nonnull(strstr(err.msg, "use RunTimeRun=\"lwkrun --container=%b"));
	ck_assert_int_eq(conf("RunTimeRun=\"crun run -b %b x\""), -1);
	ck_assert_int_eq(conf("RunTimeRun=\"lwkrun ./app\""), -1);
	ck_assert_int_eq(conf("RunTimeCreate=\"runc create -b %b %n\"\nRunTimeStart=\"runc start %n\""), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "RunTimeCreate: Slurm starts such containers outside the step's tasks"));
	ck_assert_int_eq(conf("RunTimeStart=\"runc start %n\"\nRunTimeRun=\"lwkrun --container=%b\""), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "RunTimeStart"));
	ck_assert_int_eq(conf("RunTimeQuery=\"runc state %n\"\n"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no RunTimeRun"));
}
END_TEST

static int mpi(const char *type, unsigned nnodes, bool pmix, const char *oci, const char *sconf)
{
	struct lwk_oci_mpi m = {
		.mpi = type, .bundle = "/srv/b", .nnodes = nnodes, .pmix_in_containers = pmix,
		.oci = oci, .slurm_conf = sconf,
	};

	lwk_err_clear(&err);
	return lwk_oci_mpi_check(&m, &err);
}

/* MPI in Slurm's own containers (doc/containers.md, "MPI in an image") */
START_TEST(oci_mpi)
{
	const char *run = "RunTimeRun=\"lwkrun --container=%b\"\n";
	const char *per_node_spool = "SlurmdSpoolDir=/var/spool/slurmd/%n SlurmdPidFile=/run/x\n";

	/* not PMIx, or no MPI type: nothing to judge */
	ck_assert_int_eq(mpi(NULL, 2, false, run, NULL), 0);
	ck_assert_int_eq(mpi("none", 2, false, run, NULL), 0);
	/* before 23.02: no PMIx in the container, on any node count */
	ck_assert_int_eq(mpi("pmix_v4", 1, false, run, NULL), -1);
	ck_assert_str_eq(err.msg, "--container with --mpi=pmix_v4: this Slurm (before 23.02) "
			 "passes no PMIx variable into the container, so an MPI program stops in "
			 "MPI_Init: run 'srun --mpi=pmix_v4 --lwk=... lwkrun --container=/srv/b -- "
			 "PROGRAM' instead, or --mpi=none for a program that is not MPI "
			 "(doc/containers.md)");
	/* 23.02 and later: one spool path on every node is fine */
	ck_assert_int_eq(mpi("pmix", 2, true, run, "SlurmdSpoolDir=/var/spool/slurmd\n"), 0);
	ck_assert_int_eq(mpi("pmix_v4", 2, true, run, NULL), 0);
	ck_assert_int_eq(mpi("pmix_v4", 1, true, run, per_node_spool), 0);
	/* a spool directory per node, no ContainerPath: refused */
	ck_assert_int_eq(mpi("pmix_v4", 2, true, run, per_node_spool), -1);
	ck_assert_str_eq(err.msg, "--container with --mpi=pmix_v4 on 2 nodes: no ContainerPath in "
			 "oci.conf and SlurmdSpoolDir '/var/spool/slurmd/%n' differs between nodes, "
			 "and Slurm's PMIx plugin sends the container's spool path to the other "
			 "nodes as its server's address: MPI_Init would hang; set ContainerPath in "
			 "oci.conf to one path, the same on every node (doc/containers.md)");
	ck_assert_int_eq(mpi("pmix_v4", 2, true, run, "slurmdspooldir=/s/%h\n"), -1);
	/* ContainerPath: the same path everywhere passes, %n or a per-node %m not */
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "RunTimeRun=x\nContainerPath=/run/oci\n",
			     per_node_spool), 0);
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "ContainerPath=\"/run/oci/%u\"\n", NULL), 0);
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "ContainerPath=/run/%%n\n", NULL), 0);
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "ContainerPath=/run/%n/oci\n", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "on 2 nodes: oci.conf's ContainerPath '/run/%n/oci' "
				     "differs between nodes"));
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "ContainerPath=%m/oci\n", per_node_spool), -1);
	ck_assert_int_eq(mpi("pmix_v4", 2, true, "ContainerPath=%m/oci\n",
			     "SlurmdSpoolDir=/var/spool/slurmd\n"), 0);
}
END_TEST

static char dir[64];

static void make_bundle(const char *config)
{
	char path[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/lwk-unit-bundle.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(config, f);
	fclose(f);
}

static void drop_bundle(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/config.json", dir);
	unlink(path);
	rmdir(dir);
}

START_TEST(bundle_absolute_cgroups_path)
{
	struct lwkrun_bundle b;

	make_bundle("{\"process\":{\"args\":[\"sh\"]},\"linux\":{\"cgroupsPath\":\"/outside\"}}");
	lwk_err_clear(&err);
	ck_assert_int_eq(lwk_oci_bundle_check(dir, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "linux.cgroupsPath '/outside'"));
	lwkrun_bundle_init(&b);
	ck_assert_int_eq(lwkrun_bundle_load(dir, &b, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "linux.cgroupsPath '/outside' would place the container outside the LWK partition: remove it"));
	lwkrun_bundle_fini(&b);
	drop_bundle();
	ck_assert_int_eq(lwk_oci_bundle_check("/nonexistent", &err), 0);
}
END_TEST

static const char *str_at(json_object *o, const char *a, const char *b)
{
	json_object *x = NULL, *y = NULL;

	if (!json_object_object_get_ex(o, a, &x) || !json_object_object_get_ex(x, b, &y))
		return NULL;
	return json_object_get_string(y);
}

START_TEST(bundle_copy)
{
	char *envp[] = { "LWK_RANK_CPUS=3", "OMP_NUM_THREADS=1", "HOME=/root", "SLURM_PROCID=2",
			 NULL };
	char *argv[] = { "./app", "x y", NULL };
	struct lwkrun_bundle b;
	struct lwkrun_plan plan;
	json_object *out, *env, *cpu = NULL, *res = NULL, *lin = NULL;
	char path[128], out_dir[] = "/tmp/lwk-unit-out.XXXXXX";
	size_t n;

	make_bundle("{\"root\":{\"path\":\"rootfs\"},\"process\":{\"terminal\":true,"
		    "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\",\"OMP_NUM_THREADS=8\"]},"
		    "\"linux\":{\"cgroupsPath\":\"mine\"}}");
	lwkrun_bundle_init(&b);
	ck_assert_int_eq(lwkrun_bundle_load(dir, &b, &err), 0);
	ck_assert_str_eq(b.args[0], "sh");
	ck_assert_ptr_null(b.args[1]);
	memset(&plan, 0, sizeof(plan));
	lwk_rank_plan_init(&plan.rank);
	plan.argv = argv;
	plan.rank.bind = true;
	hwloc_bitmap_set(plan.rank.cpus, 3);
	hwloc_bitmap_set(plan.rank.mems, 0);
	ck_assert_ptr_nonnull(mkdtemp(out_dir));
	ck_assert_int_eq(lwkrun_bundle_write(&b, &plan, envp, "ctr1", NULL, out_dir, &err), 0);
	snprintf(path, sizeof(path), "%s/config.json", out_dir);
	out = json_object_from_file(path);
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(strstr(str_at(out, "root", "path"), "/rootfs"));
	ck_assert_int_eq(str_at(out, "root", "path")[0], '/');
	ck_assert_str_eq(str_at(out, "linux", "cgroupsPath"), "ctr1");
	json_object_object_get_ex(out, "linux", &lin);
	json_object_object_get_ex(lin, "resources", &res);
	json_object_object_get_ex(res, "cpu", &cpu);
	ck_assert_str_eq(str_at(res, "cpu", "cpus"), "3");
	ck_assert_str_eq(str_at(res, "cpu", "mems"), "0");
	ck_assert_str_eq(str_at(out, "process", "terminal"), "false");
	json_object_object_get_ex(json_object_object_get(out, "process"), "env", &env);
	n = json_object_array_length(env);
	/* the bundle's PATH kept, its OMP_NUM_THREADS replaced, HOME not passed */
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(env, 0)), "PATH=/bin");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(env, 1)), "LWK_RANK_CPUS=3");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(env, 2)), "OMP_NUM_THREADS=1");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(env, 3)), "SLURM_PROCID=2");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
		json_object_object_get(json_object_object_get(out, "process"), "args"), 1)), "x y");
	json_object_put(out);
	unlink(path);
	rmdir(out_dir);
	plan.argv = NULL;
	lwk_rank_plan_fini(&plan.rank);
	lwkrun_bundle_fini(&b);
	drop_bundle();
}
END_TEST

/* mckernel: mcexec by its host path first, its directory and the device
 * bound in after the bundle's own mounts, the device allowed after the
 * bundle's deny-all rule. */
START_TEST(bundle_copy_host)
{
	char *argv[] = { "mcexec", "-n", "2", "0", "./app", NULL };
	struct lwkrun_bundle b;
	struct lwkrun_plan plan;
	struct lwkrun_ctr_host host;
	json_object *out, *args, *mounts, *m, *devs, *d;
	char path[128], out_dir[] = "/tmp/lwk-unit-out.XXXXXX";

	make_bundle("{\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]},"
		    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}],"
		    "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}}}");
	lwkrun_bundle_init(&b);
	ck_assert_int_eq(lwkrun_bundle_load(dir, &b, &err), 0);
	memset(&plan, 0, sizeof(plan));
	lwk_rank_plan_init(&plan.rank);
	plan.argv = argv;
	memset(&host, 0, sizeof(host));
	snprintf(host.prog, sizeof(host.prog), "/opt/mckernel/bin/mcexec");
	snprintf(host.mount[0].path, sizeof(host.mount[0].path), "/opt/mckernel/bin");
	host.mount[0].ro = true;
	snprintf(host.mount[1].path, sizeof(host.mount[1].path), "/dev/mcos0");
	host.nmounts = 2;
	host.dev[0].type = 'c';
	host.dev[0].major = 240;
	host.dev[0].minor = 1;
	host.ndevs = 1;
	ck_assert_ptr_nonnull(mkdtemp(out_dir));
	ck_assert_int_eq(lwkrun_bundle_write(&b, &plan, (char *[]){ NULL }, "c", &host, out_dir,
					     &err), 0);
	snprintf(path, sizeof(path), "%s/config.json", out_dir);
	out = json_object_from_file(path);
	ck_assert_ptr_nonnull(out);
	args = json_object_object_get(json_object_object_get(out, "process"), "args");
	ck_assert_uint_eq(json_object_array_length(args), 5);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(args, 0)),
			 "/opt/mckernel/bin/mcexec");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(args, 3)), "0");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(args, 4)), "./app");
	mounts = json_object_object_get(out, "mounts");
	ck_assert_uint_eq(json_object_array_length(mounts), 3);
	m = json_object_array_get_idx(mounts, 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(m, "destination")),
			 "/opt/mckernel/bin");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(m, "source")),
			 "/opt/mckernel/bin");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
		json_object_object_get(m, "options"), 1)), "ro");
	m = json_object_array_get_idx(mounts, 2);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(m, "destination")),
			 "/dev/mcos0");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
		json_object_object_get(m, "options"), 1)), "rw");
	devs = json_object_object_get(json_object_object_get(json_object_object_get(out, "linux"),
							     "resources"), "devices");
	ck_assert_uint_eq(json_object_array_length(devs), 2);
	d = json_object_array_get_idx(devs, 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "allow")), "true");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "type")), "c");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "major")), 240);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(d, "minor")), 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(d, "access")), "rw");
	json_object_put(out);
	unlink(path);
	rmdir(out_dir);
	plan.argv = NULL;
	lwk_rank_plan_fini(&plan.rank);
	lwkrun_bundle_fini(&b);
	drop_bundle();
}
END_TEST

/* An MPI rank's copy: PMIx's directories bound (parents first, a child
 * inside a bound parent not again, a missing one not at all), the network
 * namespace dropped; the other namespaces and the bundle's mounts kept. */
START_TEST(bundle_pmix_rendezvous)
{
	char srv[] = "/tmp/lwk-unit-pmix.XXXXXX", out_dir[] = "/tmp/lwk-unit-out.XXXXXX";
	char e1[96], e2[96], *argv[] = { "./app", NULL };
	char *envp[] = { e1, "PMIX_SYSTEM_TMPDIR=/tmp", e2, "PMIX_RANK=1",
			 "PMIX_DSTORE_21_BASE_PATH=/nonexistent/ds21", NULL };
	struct lwkrun_bundle b;
	struct lwkrun_plan plan;
	json_object *out, *mounts, *ns;
	char path[128];

	ck_assert_ptr_nonnull(mkdtemp(srv));
	snprintf(e1, sizeof(e1), "PMIX_SERVER_TMPDIR=%s/", srv);
	snprintf(e2, sizeof(e2), "PMIX_DSTORE_ESH_BASE_PATH=%s", srv);
	make_bundle("{\"process\":{\"args\":[\"sh\"]},\"mounts\":[{\"destination\":\"/proc\","
		    "\"type\":\"proc\",\"source\":\"proc\"}],\"linux\":{\"namespaces\":["
		    "{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"mount\"}]}}");
	lwkrun_bundle_init(&b);
	ck_assert_int_eq(lwkrun_bundle_load(dir, &b, &err), 0);
	memset(&plan, 0, sizeof(plan));
	lwk_rank_plan_init(&plan.rank);
	plan.argv = argv;
	ck_assert_ptr_nonnull(mkdtemp(out_dir));
	ck_assert_int_eq(lwkrun_bundle_write(&b, &plan, envp, "ctr1", NULL, out_dir, &err), 0);
	snprintf(path, sizeof(path), "%s/config.json", out_dir);
	out = json_object_from_file(path);
	ck_assert_ptr_nonnull(out);
	mounts = json_object_object_get(out, "mounts");
	/* /proc, then /tmp; the server's directory is inside /tmp already */
	ck_assert_uint_eq(json_object_array_length(mounts), 2);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(mounts, 1), "destination")), "/tmp");
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(mounts, 1), "source")), "/tmp");
	ns = json_object_object_get(json_object_object_get(out, "linux"), "namespaces");
	ck_assert_uint_eq(json_object_array_length(ns), 2);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(ns, 1), "type")), "mount");
	json_object_put(out);
	unlink(path);

	/* without the system tmpdir: the server's own directory, once */
	envp[1] = "PMIX_NAMESPACE=x";
	ck_assert_int_eq(lwkrun_bundle_write(&b, &plan, envp, "ctr1", NULL, out_dir, &err), 0);
	out = json_object_from_file(path);
	mounts = json_object_object_get(out, "mounts");
	ck_assert_uint_eq(json_object_array_length(mounts), 2);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(mounts, 1), "destination")), srv);
	json_object_put(out);
	unlink(path);

	/* no PMIx at all: mounts and namespaces as the bundle has them */
	envp[0] = "LWK_RANK_CPUS=0";
	envp[1] = NULL;
	ck_assert_int_eq(lwkrun_bundle_write(&b, &plan, envp, "ctr1", NULL, out_dir, &err), 0);
	out = json_object_from_file(path);
	ck_assert_uint_eq(json_object_array_length(json_object_object_get(out, "mounts")), 1);
	ck_assert_uint_eq(json_object_array_length(json_object_object_get(
		json_object_object_get(out, "linux"), "namespaces")), 3);
	json_object_put(out);
	unlink(path);
	rmdir(out_dir);
	rmdir(srv);
	plan.argv = NULL;
	lwk_rank_plan_fini(&plan.rank);
	lwkrun_bundle_fini(&b);
	drop_bundle();
}
END_TEST

START_TEST(cgroup_within)
{
	ck_assert_int_eq(lwkrun_cgroup_within("/lwk/job.1", "/lwk/job.1"), 1);
	ck_assert_int_eq(lwkrun_cgroup_within("/lwk/job.1/ctr", "/lwk/job.1"), 1);
	ck_assert_int_eq(lwkrun_cgroup_within("/lwk/job.12", "/lwk/job.1"), 0);
	ck_assert_int_eq(lwkrun_cgroup_within("/", "/lwk/job.1"), 0);
	ck_assert_int_eq(lwkrun_cgroup_within("/anything", "/"), 1);
}
END_TEST

START_TEST(plain_runtimes_refused)
{
	char *runc[] = { "/usr/sbin/runc", "run", "x", NULL };
	char *crun[] = { "crun", "run", "x", NULL };
	char *crun_ok[] = { "crun", "--cgroup-manager=disabled", "run", "x", NULL };
	char *chrun[] = { "ch-run", "/img", "--", "true", NULL };

	ck_assert_int_eq(lwkrun_container_refuse(runc, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "--container=BUNDLE"));
	ck_assert_int_eq(lwkrun_container_refuse(crun, &err), -1);
	ck_assert_int_eq(lwkrun_container_refuse(crun_ok, &err), 0);
	ck_assert_int_eq(lwkrun_container_refuse(chrun, &err), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("containers");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, oci_accepts_confining_runtimes);
	tcase_add_test(tc, oci_refuses_escaping_configs);
	tcase_add_test(tc, oci_mpi);
	tcase_add_test(tc, bundle_absolute_cgroups_path);
	tcase_add_test(tc, bundle_copy);
	tcase_add_test(tc, bundle_copy_host);
	tcase_add_test(tc, bundle_pmix_rendezvous);
	tcase_add_test(tc, cgroup_within);
	tcase_add_test(tc, plain_runtimes_refused);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
