/* plugin_version SO: prints what Slurm's plugin loader reads from a SPANK
 * plugin before it accepts it: plugin_version (major.minor must be Slurm's
 * own) and whether it sets slurm_spank_init_failure_mode (25.05+).
 * RTLD_LAZY: the plugin's calls into Slurm (spank_get_item, slurm_error)
 * stay unresolved, as nothing here calls them. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h;
	const uint32_t *ver;
	const int *mode;

	if (argc != 2) {
		fprintf(stderr, "usage: plugin_version SO\n");
		return 2;
	}
	h = dlopen(argv[1], RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "plugin_version: %s\n", dlerror());
		return 1;
	}
	ver = dlsym(h, "plugin_version");
	mode = dlsym(h, "slurm_spank_init_failure_mode");
	if (!ver) {
		fprintf(stderr, "plugin_version: %s has no plugin_version\n", argv[1]);
		return 1;
	}
	printf("%u.%02u", *ver >> 16, (*ver >> 8) & 0xff);
	if (mode)
		printf(" init_failure_mode=%d", *mode);
	printf("\n");
	return 0;
}
