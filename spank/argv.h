/* What the plugin does with a task's command line (spank/argv.c): pure
 * functions, no Slurm, no I/O; stepd.c applies them.
 *
 * Ranks of a step on the mckernel or mos backend enter the LWK only when
 * started through mcexec or yod, which lwkrun puts in front of the program.
 * For a task whose program (argv[0]'s basename) is none of lwkrun,
 * lwkrun-full, mcexec, yod, the plugin prepends lwkrun on a Slurm that can
 * (spank_prepend_task_argv, 23.11+) and refuses the step on one that cannot
 * (22.05, 23.02), where the program would run on Linux cores. Native steps
 * are placed by the plugin itself: their command line is left as it is.
 *
 * --multi-prog: slurmstepd's step argv is then the configuration file's name
 * and its text ("FILE", "TEXT"), and each task runs the program of the first
 * line whose ranks hold its global task id.
 */
#ifndef LWK_SPANK_ARGV_H
#define LWK_SPANK_ARGV_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "spec_kinds.h"

enum lwk_argv_act {
	LWK_ARGV_LEAVE,		/* run the task as Slurm would */
	LWK_ARGV_PREPEND,	/* start it through lwkrun */
	LWK_ARGV_REFUSE		/* this Slurm cannot: fail the step, nothing made */
};

/* backend: the step's (never auto); prog: the task's argv[0] (NULL or ""
 * when there is none: left to Slurm); can_prepend: the Slurm built against
 * has spank_prepend_task_argv. */
enum lwk_argv_act lwk_argv_decide(enum lwk_backend_kind backend, const char *prog,
				  int can_prepend);

/* Is text a --multi-prog configuration: at least one entry, every line
 * blank, a comment, or "RANKS PROGRAM [ARGS]" (RANKS: '*' or a comma list
 * of N and N-M)? Lines ending in '\' go on. */
int lwk_multi_prog_is_conf(const char *text);

/* The program (first word of the command, quotes removed) of global task
 * `task` in the configuration text into buf: 1 found, 0 no line holds the
 * task, -1 not a configuration or buf too small. */
int lwk_multi_prog_program(const char *text, uint32_t task, char *buf, size_t len);

/* The task's argv[0] into buf from the step's argv: argv[0], or with multi
 * (a --multi-prog step: argc 2, argv[1] its text) the program of its line.
 * 0 on success ("" for none), -1 if it does not fit. */
int lwk_task_program(int argc, char *const *argv, int multi, uint32_t task, char *buf,
		     size_t len);

/* The refusal of a bare program on a Slurm without the API, one line:
 * says why and to run `srun --lwk=... lwkrun PROGRAM`. */
int lwk_argv_refusal(struct lwk_err *err, enum lwk_backend_kind backend, const char *prog,
		     unsigned long slurm_version);	/* SLURM_VERSION_NUMBER */

#endif
