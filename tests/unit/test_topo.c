/* lwk/topo: loading machines and mapping Slurm's core indexes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "synth.h"
#include "topo.h"
#include "check_run.h"

START_TEST(synthetic_loads)
{
	struct lwk_topo tp;

	synth_load(&tp, 2, 4, 32, 2, 0);
	ck_assert_uint_eq(lwk_topo_ncores(&tp), 256);
	ck_assert_int_eq(hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_PU), 512);
	ck_assert_int_eq(hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_NUMANODE), 8);
	ck_assert_ptr_nonnull(lwk_topo_core(&tp, 255));
	ck_assert_ptr_null(lwk_topo_core(&tp, 256));
	lwk_topo_fini(&tp);
	ck_assert_ptr_null(tp.t);
	lwk_topo_fini(&tp);	/* idempotent */
}
END_TEST

START_TEST(synthetic_bad)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };

	ck_assert_int_eq(lwk_topo_load_synthetic(&tp, "pack:2 bogus:3", &err), -1);
	ck_assert_ptr_null(tp.t);
	ck_assert_ptr_nonnull(strstr(err.msg, "invalid synthetic topology \"pack:2 bogus:3\""));
	ck_assert_int_eq(lwk_topo_load_synthetic(&tp, "", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
}
END_TEST

START_TEST(this_machine)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	hwloc_bitmap_t all, mems;

	unsetenv("HWLOC_PLUGINS_BLACKLIST");
	unsetenv("HWLOC_PLUGINS_PATH");
	ck_assert_msg(lwk_topo_load(&tp, &err) == 0, "%s", err.msg);
	/* the empty plugin path used for the load does not leak to what we exec */
	ck_assert_ptr_null(getenv("HWLOC_PLUGINS_PATH"));
	ck_assert_ptr_null(getenv("HWLOC_PLUGINS_BLACKLIST"));
	ck_assert_uint_ge(lwk_topo_ncores(&tp), 1);
	/* INCLUDE_DISALLOWED: every configured CPU is there, whatever our cpuset */
	ck_assert_int_eq(hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_PU), conf);
	all = hwloc_bitmap_dup(hwloc_topology_get_complete_cpuset(tp.t));
	mems = hwloc_bitmap_alloc();
	lwk_topo_cpus_to_mems(&tp, all, mems);
	ck_assert_int_ge(hwloc_bitmap_weight(mems), 1);
	ck_assert_int_eq(hwloc_bitmap_first(mems), 0);
	hwloc_bitmap_free(all);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);

	/* a caller's own choice is kept */
	setenv("HWLOC_PLUGINS_BLACKLIST", "hwloc_gl", 1);
	ck_assert_msg(lwk_topo_load(&tp, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(getenv("HWLOC_PLUGINS_BLACKLIST"), "hwloc_gl");
	ck_assert_ptr_null(getenv("HWLOC_PLUGINS_PATH"));
	lwk_topo_fini(&tp);
	unsetenv("HWLOC_PLUGINS_BLACKLIST");
}
END_TEST

START_TEST(xml_roundtrip)
{
	struct lwk_topo tp, tx;
	struct lwk_err err = { 0 };
	char path[] = "/tmp/lwk-topo-XXXXXX";
	int fd = mkstemp(path);
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();

	ck_assert_int_ge(fd, 0);
	close(fd);
	synth_load(&tp, 2, 2, 4, 2, 1);
	ck_assert_int_eq(hwloc_topology_export_xml(tp.t, path, 0), 0);
	ck_assert_msg(lwk_topo_load_xml(&tx, path, &err) == 0, "%s", err.msg);
	unlink(path);
	ck_assert_uint_eq(lwk_topo_ncores(&tx), 16);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tx, "0,15", pus, &err), 0);
	ck_assert_bm(pus, "0,15-16,31");
	lwk_topo_fini(&tp);
	lwk_topo_fini(&tx);

	ck_assert_int_eq(lwk_topo_load_xml(&tx, "/nonexistent/topo.xml", &err), -1);
	ck_assert_ptr_null(tx.t);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/topo.xml"));
	hwloc_bitmap_free(pus);
}
END_TEST

/* Slurm core i is the i-th core socket-major; its PUs are all threads. */
START_TEST(slurm_cores_smt_linux)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();

	/* 2 sockets x 4 cores x 2 threads, Linux numbering: core i = {i, i+8} */
	synth_load(&tp, 2, 1, 4, 2, 1);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-1,5", pus, &err), 0);
	ck_assert_bm(pus, "0-1,5,8-9,13");
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "7", pus, &err), 0);
	ck_assert_bm(pus, "7,15");
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-7", pus, &err), 0);
	ck_assert_bm(pus, "0-15");
	lwk_topo_fini(&tp);

	/* same shape, hwloc's default numbering: core i = {2i, 2i+1} */
	synth_load(&tp, 2, 1, 4, 2, 0);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-1,5", pus, &err), 0);
	ck_assert_bm(pus, "0-3,10-11");
	lwk_topo_fini(&tp);

	/* 256 cores, 8 NUMA nodes, SMT2: the last core */
	synth_load(&tp, 2, 4, 32, 2, 1);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "255", pus, &err), 0);
	ck_assert_bm(pus, "255,511");
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "32-63", pus, &err), 0);
	ck_assert_bm(pus, "32-63,288-319");
	lwk_topo_fini(&tp);
	hwloc_bitmap_free(pus);
}
END_TEST

START_TEST(slurm_cores_nosmt)
{
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();

	synth_load(&tp, 1, 2, 8, 1, 0);
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "1,3,8-9", pus, &err), 0);
	ck_assert_bm(pus, "1,3,8-9");
	lwk_topo_fini(&tp);
	hwloc_bitmap_free(pus);
}
END_TEST

START_TEST(slurm_cores_errors)
{
	static const char *bad[] = {
		"", "abc", "1-", "-", "0 1", "0;1", "1\n", "0-3,x", "[0-3]",
	};
	struct lwk_topo tp;
	struct lwk_err err = { 0 };
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();
	unsigned i;

	synth_load(&tp, 2, 1, 4, 2, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwloc_bitmap_only(pus, 3);
		ck_assert_msg(lwk_topo_slurm_cores(&tp, bad[i], pus, &err) == -1, "accepted \"%s\"", bad[i]);
		ck_assert_msg(hwloc_bitmap_iszero(pus), "\"%s\" left PUs set", bad[i]);
		ck_assert_ptr_null(strchr(err.msg, '\n'));
		ck_assert_msg(strstr(err.msg, "core list") != NULL, "%s: %s", bad[i], err.msg);
	}
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "0-8", pus, &err), -1);
	ck_assert_str_eq(err.msg, "core index 8 from Slurm is beyond this node's 8 cores (0-7); check the node's CPU description in slurm.conf");
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "3,12", pus, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "core index 12"));
	ck_assert_int_eq(lwk_topo_slurm_cores(&tp, "99999999999", pus, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "8 cores"));
	ck_assert(hwloc_bitmap_iszero(pus));
	lwk_topo_fini(&tp);
	hwloc_bitmap_free(pus);
}
END_TEST

START_TEST(cpus_to_mems)
{
	struct lwk_topo tp;
	hwloc_bitmap_t cpus, mems = hwloc_bitmap_alloc();

	synth_load(&tp, 2, 4, 32, 2, 1);	/* NUMA n: cores 32n..32n+31 */
	cpus = bm("0,40,300");			/* node 0, node 1, core 44 -> node 1 */
	lwk_topo_cpus_to_mems(&tp, cpus, mems);
	ck_assert_bm(mems, "0-1");
	hwloc_bitmap_free(cpus);
	cpus = bm("511");
	lwk_topo_cpus_to_mems(&tp, cpus, mems);
	ck_assert_bm(mems, "7");
	hwloc_bitmap_zero(cpus);
	lwk_topo_cpus_to_mems(&tp, cpus, mems);
	ck_assert(hwloc_bitmap_iszero(mems));
	hwloc_bitmap_free(cpus);
	hwloc_bitmap_free(mems);
	lwk_topo_fini(&tp);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("topo");
	TCase *tc = tcase_create("topo");

	tcase_add_test(tc, synthetic_loads);
	tcase_add_test(tc, synthetic_bad);
	tcase_add_test(tc, this_machine);
	tcase_add_test(tc, xml_roundtrip);
	tcase_add_test(tc, slurm_cores_smt_linux);
	tcase_add_test(tc, slurm_cores_nosmt);
	tcase_add_test(tc, slurm_cores_errors);
	tcase_add_test(tc, cpus_to_mems);
	suite_add_tcase(s, tc);
	return lwk_check_run(s);
}
