/* lwk_envp_get (rank.h): on its own, so that a program that needs only the
 * environment lookup (lwkrun's static front, launcher/front.c) does not
 * link the rank planner and, through it, hwloc's topology code. */
#include <string.h>

#include "rank.h"

const char *lwk_envp_get(void *ctx, const char *name)
{
	char *const *envp = ctx;
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}
