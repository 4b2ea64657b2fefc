/* srun (local context): validates --lwk before anything is submitted and
 * tells slurmstepd the effective spec of each hetjob component.
 *
 * srun calls init_post_opt once per component, right after that
 * component's options were parsed, but forwards only the last --lwk value
 * to every component. So the value seen at the i-th init_post_opt (if the
 * option callback ran since the previous one) is component i's own --lwk,
 * layered over the allocation's (sbatch/salloc) spec; a component without
 * --lwk gets the allocation's spec, "none" opts out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lwk_spank.h"
#include "sysfile.h"

#define MAX_LIST 8192

static char alloc_spec[LWK_SPEC_MAX + 1];	/* from sbatch/salloc, "" if none */
static char list[MAX_LIST];			/* "SPEC0;SPEC1;..." */
static int ncomp;
static int seq_seen;
static int any;					/* some component asked for the LWK */

int lwk_srun_init(spank_t sp)
{
	const char *a = getenv(LWK_ENV_ALLOC_OPT);

	if (!a)
		a = getenv(LWK_ENV_ALLOC_OPT_RAW);
	snprintf(alloc_spec, sizeof(alloc_spec), "%s", a ? a : "");
	/* an srun inside an LWK step must not inherit the outer step's list */
	unsetenv(LWK_ENV_COMPONENTS);
	unsetenv(LWK_ENV_MULTI_PROG);
	list[0] = '\0';
	ncomp = 0;
	seq_seen = 0;
	any = 0;
	return 0;
}

int lwk_srun_post_opt(spank_t sp)
{
	const char *over = NULL;
	char eff[LWK_SPEC_MAX + 1];
	struct lwk_spec s;
	struct lwk_err err;
	size_t n;

	lwk_err_clear(&err);
	if (lwk_plugin.opt_seq > seq_seen)
		over = lwk_plugin.opt;
	seq_seen = lwk_plugin.opt_seq;
	if (!over && !alloc_spec[0] && !any && !lwk_plugin.opt_set) {
		/* no --lwk anywhere so far: nothing to validate or forward */
		ncomp++;
		n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%snone", ncomp > 1 ? ";" : "");
		return 0;
	}
	if (lwk_layer_specs(alloc_spec, over, eff, sizeof(eff), &err))
		goto fail;
	if (lwk_check_spec(&lwk_plugin.pol, eff, getuid(), getgid(), &s, &err))
		goto fail;
	if (!s.none)
		any = 1;
	lwk_spec_fini(&s);
	ncomp++;
	n = strlen(list);
	if (n + strlen(eff) + 2 >= sizeof(list)) {
		lwk_err_set(&err, 0, "--lwk: too many hetjob components");
		goto fail;
	}
	snprintf(list + n, sizeof(list) - n, "%s%s", ncomp > 1 ? ";" : "", eff);
	/* srun builds every step's environment from its own at launch */
	if (setenv(LWK_ENV_COMPONENTS, list, 1)) {
		lwk_err_set(&err, 0, "cannot set %s", LWK_ENV_COMPONENTS);
		goto fail;
	}
	return 0;
fail:
	lwk_user_error(&err);
	return -1;
}

/* Tells slurmstepd whether this is srun --multi-prog, which SPANK does not
 * say: srun then launches ("FILE", the text it read from FILE), and only
 * srun, where FILE is, can tell that from a program with one argument. */
int lwk_srun_user_init(spank_t sp)
{
	int argc = 0, multi = 0;
	char **argv = NULL, *text = NULL;
	struct stat sb;

	if (!any)
		return 0;
	/* the size first: argv[0] is most often a program, not worth reading */
	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) == ESPANK_SUCCESS && argv &&
	    argc >= 2 && argv[0] && argv[1] && stat(argv[0], &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (size_t)sb.st_size == strlen(argv[1]) && lwk_read_all(argv[0], &text, NULL) >= 0) {
		multi = strcmp(text, argv[1]) == 0;
		free(text);
	}
	/* srun builds the step's environment from its own right after */
	if (setenv(LWK_ENV_MULTI_PROG, multi ? "1" : "0", 1)) {
		slurm_error("lwk: cannot set %s", LWK_ENV_MULTI_PROG);
		return -1;
	}
	return 0;
}

int lwk_srun_exit(spank_t sp)
{
	return 0;
}
