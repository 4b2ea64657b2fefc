#define _GNU_SOURCE	/* secure_getenv */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	if (want && !strncmp(want, cur_phase, pl) && want[pl] == '.' &&
	    !strcmp(want + pl + 1, point)) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
}
