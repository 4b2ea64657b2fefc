/* plugstack.conf arguments: "required spank_lwk.so [key=value ...]".
 *
 *   conf=PATH         lwk.conf to read (default LWK_CONFFILE; a missing
 *                     default file is fine, a missing conf= file is not)
 *   backend=LIST      backends users may ask for (lwk.conf "backends")
 *   default=SPEC      items used where a user's spec omits them
 *   lwkrun=PATH       the lwkrun put in front of the programs of mckernel
 *                     and mos steps (absolute; default LWK_LWKRUN_PATH,
 *                     configure's $(bindir)/lwkrun)
 *   min_linux_cores=N, statedir=DIR, and every other lwk.conf key
 * The file is read first whatever the argument order, so arguments win.
 * Anything else is an error naming the argument.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwk_spank.h"

int lwk_args_parse(struct lwk_plugin *pl, int ac, char **av, struct lwk_err *err)
{
	const char *conf = LWK_CONFFILE;
	int explicit_conf = 0, i;

	lwk_policy_init(&pl->pol);
	snprintf(pl->lwkrun, sizeof(pl->lwkrun), "%s", LWK_LWKRUN_PATH);
	for (i = 0; i < ac; i++) {
		if (strncmp(av[i], "conf=", 5) == 0) {
			conf = av[i] + 5;
			explicit_conf = 1;
			if (conf[0] != '/')
				return lwk_err_set(err, EINVAL,
						   "'%s': conf= needs an absolute path", av[i]);
		}
	}
	if (lwk_policy_load(&pl->pol, conf, err)) {
		if (explicit_conf || err->code != ENOENT)
			return -1;
		lwk_err_clear(err);
		pl->conf[0] = '\0';
	} else {
		snprintf(pl->conf, sizeof(pl->conf), "%s", conf);
	}
	for (i = 0; i < ac; i++) {
		char key[64];
		const char *eq = strchr(av[i], '='), *k = key;
		size_t n;

		if (!eq || eq == av[i])
			return lwk_err_set(err, EINVAL,
					   "'%s': arguments are key=value (conf, backend, default, lwkrun, min_linux_cores, statedir, ...)",
					   av[i]);
		n = (size_t)(eq - av[i]);
		if (n >= sizeof(key))
			return lwk_err_set(err, EINVAL, "'%.40s...': unknown argument", av[i]);
		memcpy(key, av[i], n);
		key[n] = '\0';
		if (strcmp(key, "conf") == 0)
			continue;
		if (strcmp(key, "lwkrun") == 0) {
			if (eq[1] != '/')
				return lwk_err_set(err, EINVAL,
						   "'%s': lwkrun= needs the absolute path of lwkrun (e.g. lwkrun=%s)",
						   av[i], LWK_LWKRUN_PATH);
			if (strlen(eq + 1) >= sizeof(pl->lwkrun))
				return lwk_err_set(err, ENAMETOOLONG,
						   "'%.40s...': lwkrun= path is too long", av[i]);
			snprintf(pl->lwkrun, sizeof(pl->lwkrun), "%s", eq + 1);
			continue;
		}
		if (strcmp(key, "backend") == 0)
			k = "backends";
		else if (strcmp(key, "backends") == 0)
			return lwk_err_set(err, EINVAL,
					   "'%s': the argument is backend=LIST", av[i]);
		if (lwk_policy_set(&pl->pol, k, eq + 1, err))
			return lwk_err_prefix(err, "'%s'", av[i]);
	}
	return 0;
}
