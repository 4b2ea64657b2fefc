/* lwkrun_apply (exec.h): apart from exec.c because it needs liblwk's rank
 * code (binding through the topology), which the static front does not
 * link: the front only ever execs. */
#include <errno.h>
#include <stdlib.h>

#include "exec.h"

static int set_env(void *ctx, const char *name, const char *value)
{
	(void)ctx;
	return setenv(name, value, 1) ? errno : 0;
}

int lwkrun_apply(const struct lwk_topo *tp, const struct lwkrun_plan *p, struct lwk_err *err)
{
	if (lwk_rank_bind(tp, &p->rank, err) || lwk_rank_export(&p->rank, set_env, NULL, err))
		return -1;
	/* Last: a real-time process should not spend its time on our setup. */
	return lwk_rank_sched(&p->rank, err);
}
