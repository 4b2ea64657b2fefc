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

void lwk_fault_point(const char *point)
{
	const char *want = secure_getenv("LWK_FAULT");
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
	if (want && !strncmp(want, cur_phase, pl) && want[pl] == '.' &&
	    !strcmp(want + pl + 1, point)) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
}
