#define _GNU_SOURCE	/* secure_getenv */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"

static const char *cur_phase = "none";

void lwk_fault_phase(const char *phase)
{
	cur_phase = phase;
}

/* Does "<phase>.<point>" in want name this point of the current phase? */
static int at(const char *want, size_t pl, const char *point)
{
	return want && !strncmp(want, cur_phase, pl) && want[pl] == '.' &&
	       !strcmp(want + pl + 1, point);
}

void lwk_fault_point(const char *point)
{
	const char *want = secure_getenv("LWK_FAULT");
	const char *stop = secure_getenv("LWK_FAULT_STOP");
	const char *trace = secure_getenv("LWK_FAULT_TRACE");
	size_t pl = strlen(cur_phase);

	if (trace && *trace == '1')
		fprintf(stderr, "lwk-fault-point: %s.%s\n", cur_phase, point);
	if (trace && *trace == '2') {	/* profiling: time since the previous point */
		static struct timespec last;
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (last.tv_sec)
			fprintf(stderr, "lwk-fault-point: %s.%s +%.2f ms\n", cur_phase, point,
				(t.tv_sec - last.tv_sec) * 1e3 + (t.tv_nsec - last.tv_nsec) / 1e6);
		last = t;
	}
	if (at(want, pl, point)) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
	if (at(stop, pl, point)) {
		/* stopped, the test kills this process, its parent (a batch
		 * system's hook) or both; SIGCONT carries on as if nothing was */
		fflush(NULL);
		raise(SIGSTOP);
	}
}
