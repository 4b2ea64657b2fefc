/* Fault injection for the crash tests. LWK_FAULT=<phase>.<point> (read with
 * secure_getenv) makes the process SIGKILL itself when it reaches that
 * point; LWK_FAULT_STOP=<phase>.<point> makes it stop itself there (SIGSTOP),
 * so that a test can kill it, or the batch-system hook that runs it, at that
 * point, or let it go on (SIGCONT). LWK_FAULT_TRACE=1 prints every point
 * reached to stderr as "lwk-fault-point: <phase>.<point>", so a test can
 * enumerate them; LWK_FAULT_TRACE=2 adds the time since the previous point
 * (profiling). */
#ifndef LWK_FAULT_H
#define LWK_FAULT_H

/* The phase names the operation in progress ("create", "destroy", "reap"). */
void lwk_fault_phase(const char *phase);
void lwk_fault_point(const char *point);

#endif
