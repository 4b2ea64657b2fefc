/* lwk_envp_get (env.h): on its own, so that a program that needs only the
 * environment lookup (lwkrun's static front, launcher/front.c) links
 * neither the rank planner nor hwloc. */
#include <string.h>

#include "env.h"

const char *lwk_envp_get(void *ctx, const char *name)
{
	char *const *envp = ctx;
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}
