/* The task's command line on mckernel/mos steps (argv.h): which program a
 * task runs, and whether lwkrun goes in front of it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

enum lwk_argv_act lwk_argv_decide(enum lwk_backend_kind backend, const char *prog,
				  int can_prepend)
{
	static const char *const starters[] = { "lwkrun", "lwkrun-full", "mcexec", "yod" };
	const char *b;
	size_t i;

	if (backend != LWK_BACKEND_MCKERNEL && backend != LWK_BACKEND_MOS)
		return LWK_ARGV_LEAVE;
	if (!prog || !*prog)
		return LWK_ARGV_LEAVE;	/* Slurm says there is no program */
	b = base_name(prog);
	for (i = 0; i < sizeof(starters) / sizeof(starters[0]); i++)
		if (strcmp(b, starters[i]) == 0)
			return LWK_ARGV_LEAVE;
	return can_prepend ? LWK_ARGV_PREPEND : LWK_ARGV_REFUSE;
}

/* --- --multi-prog: as slurmstepd reads it (srun(1), MULTIPLE PROGRAM
 * CONFIGURATION): whole-line '#' comments, blank lines, "RANKS COMMAND";
 * a line ending in '\' goes on in the next, which then holds no RANKS. */

/* Does RANKS (n bytes: '*' or "N[-M][,...]") hold task? *offset: its place
 * among the ranks listed. 1 yes, 0 no, -1 not a rank list. */
static int in_ranks(const char *r, size_t n, uint32_t task, uint32_t *offset)
{
	const char *p = r, *end = r + n;
	unsigned long lo, hi, before = 0;
	char *e;
	int found = 0;

	if (n == 1 && r[0] == '*') {
		*offset = task;
		return 1;
	}
	while (p < end) {
		if (!isdigit((unsigned char)*p))
			return -1;
		lo = strtoul(p, &e, 10);
		hi = lo;
		if (e < end && *e == '-') {
			if (e + 1 >= end || !isdigit((unsigned char)e[1]))
				return -1;
			hi = strtoul(e + 1, &e, 10);
		}
		if (e > end || hi < lo)
			return -1;
		if (!found && task >= lo && task <= hi) {
			*offset = (uint32_t)(before + (task - lo));
			found = 1;
		}
		before += hi - lo + 1;
		if (e == end)
			break;
		if (*e != ',' || e + 1 >= end)
			return -1;
		p = e + 1;
	}
	return found;
}

/* The first word of cmd into buf, as slurmstepd splits it: '\' escapes a
 * character, '...' keeps what it holds, %t and %o become the task and its
 * offset. -1 if it does not fit. */
static int first_word(const char *cmd, uint32_t task, uint32_t offset, char *buf, size_t len)
{
	size_t n = 0;
	char num[16];
	const char *q;

	buf[0] = '\0';
	while (*cmd && !isspace((unsigned char)*cmd)) {
		const char *add = cmd;
		size_t k = 1;

		if (*cmd == '\\') {
			if (!cmd[1])
				break;
			add = ++cmd;
		} else if (*cmd == '%') {
			/* %t, %o; slurmstepd drops any other %X */
			num[0] = '\0';
			if (cmd[1] == 't' || cmd[1] == 'o')
				snprintf(num, sizeof(num), "%u", cmd[1] == 't' ? task : offset);
			add = num;
			k = strlen(num);
			if (cmd[1])
				cmd++;
		} else if (*cmd == '\'') {
			q = strchr(cmd + 1, '\'');
			if (!q)
				q = cmd + strlen(cmd);
			add = cmd + 1;
			k = (size_t)(q - add);
			cmd = *q ? q : q - 1;
		}
		if (n + k >= len)
			return -1;
		memcpy(buf + n, add, k);
		n += k;
		buf[n] = '\0';
		cmd++;
	}
	return 0;
}

/* Walks the entries of text. With buf: the program of task's entry (1),
 * none (0). Without: 1 if text is a configuration. -1: not one. */
static int walk(const char *text, uint32_t task, char *buf, size_t len)
{
	const char *line = text, *nl, *p, *r;
	int cont = 0, entries = 0, in;
	uint32_t off = 0;
	char cmd[4096];

	if (!text)
		return -1;
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t ll;
		int was_cont = cont;

		nl = strchr(line, '\n');
		ll = nl ? (size_t)(nl - line) : strlen(line);
		cont = ll > 0 && line[ll - 1] == '\\';
		if (was_cont)
			continue;
		for (p = line; p < line + ll && isspace((unsigned char)*p); p++)
			;
		if (p == line + ll || *p == '#')
			continue;
		for (r = p; p < line + ll && !isspace((unsigned char)*p); p++)
			;
		in = in_ranks(r, (size_t)(p - r), task, &off);
		if (in < 0)
			return -1;
		for (; p < line + ll && isspace((unsigned char)*p); p++)
			;
		if (p == line + ll)
			return -1;	/* ranks without a program */
		entries++;
		if (buf && in) {
			size_t cl = (size_t)(line + ll - p);

			if (cl >= sizeof(cmd))
				cl = sizeof(cmd) - 1;
			memcpy(cmd, p, cl);
			cmd[cl] = '\0';
			return first_word(cmd, task, off, buf, len) ? -1 : 1;
		}
	}
	if (!entries)
		return -1;
	return buf ? 0 : 1;
}

int lwk_multi_prog_is_conf(const char *text)
{
	return walk(text, 0, NULL, 0) == 1;
}

int lwk_multi_prog_program(const char *text, uint32_t task, char *buf, size_t len)
{
	if (!buf || !len)
		return -1;
	buf[0] = '\0';
	return walk(text, task, buf, len);
}

int lwk_task_program(int argc, char *const *argv, int multi, uint32_t task, char *buf,
		     size_t len)
{
	if (!len)
		return -1;
	buf[0] = '\0';
	if (multi && argc >= 2 && argv[1]) {
		/* no line for the task: Slurm fails it ("No executable
		 * program specified"), left to Slurm as "" */
		return lwk_multi_prog_program(argv[1], task, buf, len) < 0 ? -1 : 0;
	}
	if (argc < 1 || !argv[0])
		return 0;
	return (size_t)snprintf(buf, len, "%s", argv[0]) >= len ? -1 : 0;
}

int lwk_argv_refusal(struct lwk_err *err, enum lwk_backend_kind backend, const char *prog,
		     unsigned long slurm_version)
{
	int mck = backend == LWK_BACKEND_MCKERNEL;

	return lwk_err_set(err, EINVAL,
			   "'%.200s' on the %s backend runs on Linux cores unless %s starts it, "
			   "which Slurm %lu.%02lu cannot have the plugin do: run 'srun --lwk=... "
			   "lwkrun %.200s' (Slurm 23.11 and later do it for you; spank_lwk(8))",
			   prog, mck ? "mckernel" : "mos", mck ? "mcexec" : "yod",
			   (slurm_version >> 16) & 0xff, (slurm_version >> 8) & 0xff, prog);
}
