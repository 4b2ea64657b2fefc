/* Placement on a live node that keeps LWK cores away from unmovable IRQs.
 * See lwk_place_irq in place.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irq.h"
#include "partition.h"
#include "place.h"
#include "registry.h"

/* Probing writes each IRQ's mask back; a partition being made meanwhile
 * writes new masks, which a probe could undo between its read and its
 * write: probes hold the registry lock, as making a partition does. */
int lwk_irqs_read_node(const char *statedir, struct lwk_irqs *out, struct lwk_err *err)
{
	struct lwk_registry reg;
	int rc;

	if (geteuid() != 0 || lwk_registry_open(&reg, statedir, true, NULL) < 0)
		return lwk_irqs_read("", 0, out, err);
	if (lwk_registry_lock(&reg, NULL) < 0) {
		lwk_registry_close(&reg);
		return lwk_irqs_read("", 0, out, err);
	}
	rc = lwk_irqs_read("", LWK_IRQ_PROBE, out, err);
	lwk_registry_close(&reg);
	return rc;
}

int lwk_place_irq(const char *statedir, const struct lwk_topo *tp, const struct lwk_policy *pol,
		  const struct lwk_spec *spec, hwloc_const_bitmap_t alloc, uint64_t alloc_mem,
		  struct lwk_placement *out, char *note, size_t notelen, struct lwk_err *err)
{
	struct lwk_irqs x;
	uint64_t *cost = NULL;
	char which[160];
	int rc;

	if (notelen)
		note[0] = '\0';
	/* a synthetic or XML topology (tests, HWLOC_SYNTHETIC) is not the
	 * machine whose /proc/interrupts this would read */
	if (!hwloc_topology_is_thissystem(tp->t))
		return lwk_place(tp, pol, spec, alloc, alloc_mem, out, err);
	/* McKernel and mOS take their CPUs away from Linux (IHK offlines a
	 * reserved CPU, which moves even managed IRQs off it; IHK never takes
	 * CPU 0): what Linux's IRQs cost matters to the native backend only */
	if (lwk_partition_backend_for(spec->backend, pol->backends) != LWK_BACKEND_NATIVE)
		return lwk_place(tp, pol, spec, alloc, alloc_mem, out, err);
	if (lwk_irqs_read_node(statedir, &x, NULL) < 0)
		return lwk_place(tp, pol, spec, alloc, alloc_mem, out, err);
	cost = calloc(x.ncpu ? x.ncpu : 1, sizeof(*cost));
	if (cost)
		lwk_irqs_cost(&x, cost, x.ncpu);
	rc = lwk_place_avoid(tp, pol, spec, alloc, alloc_mem, cost, cost ? x.ncpu : 0, out, err);
	if (rc == 0 && notelen) {
		lwk_irqs_describe(&x, out->cpus, 2, which, sizeof(which));
		if (which[0])
			snprintf(note, notelen,
				 "unmovable IRQs on LWK CPUs (no core of the job was free of them): %s",
				 which);
	}
	free(cost);
	lwk_irqs_fini(&x);
	return rc;
}
