/* Node topology through hwloc. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

/* hwloc looks for plugins at the first hwloc_topology_init of a process: a
 * scan of its plugin folder, then dlopens of libxml2 with ICU, OpenCL, X11
 * (GL) and libpciaccess, tens of ms on a busy node, for I/O discovery liblwk
 * never uses. That matters for lwkrun, which starts once per rank. Unless
 * the caller chose plugins itself (HWLOC_PLUGINS_PATH or _BLACKLIST), an
 * empty plugin path keeps hwloc from even scanning the folder; the
 * environment is restored at once, so that the program lwkrun execs (and
 * its MPI's hwloc) sees the environment it was given. hwloc's built-in XML
 * parser still reads lstopo's XML and the node cache (topo_cache.h). */
static int topo_init(hwloc_topology_t *t)
{
	int ret, e;

	if (getenv("HWLOC_PLUGINS_PATH") || getenv("HWLOC_PLUGINS_BLACKLIST"))
		return hwloc_topology_init(t);
	if (setenv("HWLOC_PLUGINS_PATH", "", 1) < 0)
		return hwloc_topology_init(t);
	ret = hwloc_topology_init(t);
	e = errno;
	unsetenv("HWLOC_PLUGINS_PATH");
	errno = e;
	return ret;
}

/* hwloc reports every failure through errno. */
static int topo_load(struct lwk_topo *tp, hwloc_topology_t t, const char *what,
		     struct lwk_err *err)
{
	/* Caches and I/O are never used here; skipping them makes loading
	 * this machine cheaper, which matters for lwkrun's start time. */
	hwloc_topology_set_cache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	hwloc_topology_set_icache_types_filter(t, HWLOC_TYPE_FILTER_KEEP_NONE);
	if (hwloc_topology_load(t) < 0) {
		int e = errno;

		hwloc_topology_destroy(t);
		return lwk_err_set(err, e, "cannot load the topology of %s: %s", what,
				   strerror(e));
	}
	tp->t = t;
	return 0;
}

int lwk_topo_load(struct lwk_topo *tp, struct lwk_err *err)
{
	hwloc_topology_t t;

	tp->t = NULL;
	if (topo_init(&t) < 0)
		return lwk_err_set(err, errno, "cannot initialise hwloc: %s", strerror(errno));
	/* The LWK takes CPUs that our own cpuset (e.g. slurmstepd's) may not
	 * include; placement must see the whole node. */
	if (hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) < 0) {
		int e = errno;

		hwloc_topology_destroy(t);
		return lwk_err_set(err, e, "cannot configure hwloc: %s", strerror(e));
	}
	/* hwloc's x86 backend migrates the caller onto every CPU to run CPUID
	 * there: LWK cores included, and slow where CPUID traps to a
	 * hypervisor. The Linux backend's sysfs view has the cores and NUMA
	 * nodes liblwk needs. A caller's own HWLOC_COMPONENTS wins. */
	if (!getenv("HWLOC_COMPONENTS"))
		(void)hwloc_topology_set_components(t, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
						    "x86");
	return topo_load(tp, t, "this node", err);
}

int lwk_topo_load_synthetic(struct lwk_topo *tp, const char *desc, struct lwk_err *err)
{
	hwloc_topology_t t;

	tp->t = NULL;
	if (!desc || !*desc)
		return lwk_err_set(err, EINVAL, "empty synthetic topology description; give one like \"pack:2 numa:2 core:16 pu:2\"");
	if (topo_init(&t) < 0)
		return lwk_err_set(err, errno, "cannot initialise hwloc: %s", strerror(errno));
	if (hwloc_topology_set_synthetic(t, desc) < 0) {
		hwloc_topology_destroy(t);
		return lwk_err_set(err, EINVAL, "invalid synthetic topology \"%s\"; give one like \"pack:2 numa:2 core:16 pu:2\"",
				   desc);
	}
	return topo_load(tp, t, "the synthetic machine", err);
}

int lwk_topo_load_xml(struct lwk_topo *tp, const char *path, struct lwk_err *err)
{
	hwloc_topology_t t;

	tp->t = NULL;
	if (!path || !*path)
		return lwk_err_set(err, EINVAL, "no topology XML file given");
	if (topo_init(&t) < 0)
		return lwk_err_set(err, errno, "cannot initialise hwloc: %s", strerror(errno));
	if (hwloc_topology_set_flags(t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) < 0 ||
	    hwloc_topology_set_xml(t, path) < 0) {
		int e = errno ? errno : EINVAL;

		hwloc_topology_destroy(t);
		return lwk_err_set(err, e, "cannot read topology XML %s: %s; export one with 'lstopo FILE.xml'",
				   path, strerror(e));
	}
	return topo_load(tp, t, path, err);
}

int lwk_topo_load_xmlbuffer(struct lwk_topo *tp, const char *buf, size_t len,
			    const char *what, struct lwk_err *err)
{
	/* The export describes this machine: bind through the OS (an XML
	 * topology otherwise gets hwloc's binding stubs, which do nothing),
	 * and take the allowed CPUs and nodes from our own cpuset, not from
	 * the exporter's. */
	unsigned long flags = HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED |
			      HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
			      HWLOC_TOPOLOGY_FLAG_THISSYSTEM_ALLOWED_RESOURCES;
	hwloc_topology_t t;

	tp->t = NULL;
	if (!buf || !len || len > INT_MAX || buf[len - 1] != '\0')
		return lwk_err_set(err, EINVAL, "%s is not a NUL-terminated XML text", what);
	if (topo_init(&t) < 0)
		return lwk_err_set(err, errno, "cannot initialise hwloc: %s", strerror(errno));
	if (hwloc_topology_set_flags(t, flags) < 0 ||
	    hwloc_topology_set_xmlbuffer(t, buf, (int)len) < 0) {
		int e = errno ? errno : EINVAL;

		hwloc_topology_destroy(t);
		return lwk_err_set(err, e, "cannot read topology XML %s: %s", what, strerror(e));
	}
	return topo_load(tp, t, what, err);
}

void lwk_topo_fini(struct lwk_topo *tp)
{
	if (tp && tp->t) {
		hwloc_topology_destroy(tp->t);
		tp->t = NULL;
	}
}

static hwloc_obj_type_t core_type(hwloc_topology_t t)
{
	return hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

unsigned lwk_topo_ncores(const struct lwk_topo *tp)
{
	int n = hwloc_get_nbobjs_by_type(tp->t, core_type(tp->t));

	return n > 0 ? (unsigned)n : 0;
}

hwloc_obj_t lwk_topo_core(const struct lwk_topo *tp, unsigned i)
{
	return hwloc_get_obj_by_type(tp->t, core_type(tp->t), i);
}

/* Slurm numbers a node's cores 0..n-1 socket by socket, core by core,
 * ignoring hyperthreads: that is hwloc's logical order of cores over the
 * whole machine. */
int lwk_topo_slurm_cores(const struct lwk_topo *tp, const char *corelist,
			 hwloc_bitmap_t pus, struct lwk_err *err)
{
	unsigned ncores = lwk_topo_ncores(tp);
	hwloc_bitmap_t idx;
	const char *c;
	int i, digits, ret = -1;

	hwloc_bitmap_zero(pus);
	if (!corelist || !*corelist)
		return lwk_err_set(err, EINVAL, "empty core list from Slurm; expected indexes like \"0-3,8\"");
	/* hwloc also accepts forms Slurm never produces (e.g. "3-" for
	 * "3 to infinity"); only digits, ',' and '-' get through. */
	for (c = corelist, digits = 0; *c; c++) {
		if (*c >= '0' && *c <= '9') {
			/* bounds the bitmap hwloc allocates for a hostile index */
			if (++digits > 6)
				return lwk_err_set(err, ERANGE,
						   "core index in \"%.64s\" from Slurm is beyond this node's %u cores (0-%u)",
						   corelist, ncores, ncores ? ncores - 1 : 0);
			continue;
		}
		digits = 0;
		if (*c != ',' && *c != '-')
			return lwk_err_set(err, EINVAL,
					   "bad core list \"%.64s\" from Slurm: unexpected character 0x%02x; expected indexes like \"0-3,8\"",
					   corelist, (unsigned char)*c);
	}
	idx = hwloc_bitmap_alloc();
	if (!idx)
		return lwk_err_set(err, ENOMEM, "out of memory");
	if (hwloc_bitmap_list_sscanf(idx, corelist) < 0 || hwloc_bitmap_iszero(idx) ||
	    hwloc_bitmap_isfull(idx) || hwloc_bitmap_weight(idx) < 0) {
		lwk_err_set(err, EINVAL, "bad core list \"%.64s\" from Slurm; expected indexes like \"0-3,8\"",
			    corelist);
		goto out;
	}
	i = hwloc_bitmap_last(idx);
	if (i < 0 || (unsigned)i >= ncores) {
		lwk_err_set(err, ERANGE,
			    "core index %d from Slurm is beyond this node's %u cores (0-%u); check the node's CPU description in slurm.conf",
			    i, ncores, ncores ? ncores - 1 : 0);
		goto out;
	}
	hwloc_bitmap_foreach_begin(i, idx) {
		hwloc_obj_t core = lwk_topo_core(tp, (unsigned)i);

		hwloc_bitmap_or(pus, pus, core->cpuset);
	} hwloc_bitmap_foreach_end();
	ret = 0;
out:
	hwloc_bitmap_free(idx);
	return ret;
}

void lwk_topo_cpus_to_mems(const struct lwk_topo *tp, hwloc_const_bitmap_t cpus,
			   hwloc_bitmap_t mems)
{
	hwloc_obj_t node = NULL;

	hwloc_bitmap_zero(mems);
	while ((node = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, node)))
		if (node->cpuset && hwloc_bitmap_intersects(node->cpuset, cpus))
			hwloc_bitmap_set(mems, node->os_index);
}
