/* Noise reports of a job's partitions at teardown. See report.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "noise.h"
#include "partition.h"
#include "report.h"

static bool wants_report(const struct lwk_partition *p)
{
	struct lwk_spec spec;
	bool on = true;

	lwk_spec_init(&spec);
	if (p->spec[0] && lwk_spec_parse(&spec, p->spec, NULL) == 0)
		on = spec.report;
	lwk_spec_fini(&spec);
	return on;
}

static int write_one(const char *statedir, const struct lwk_partition *p, const char *dir,
		     struct lwk_err *err)
{
	char host[64] = "", path[PATH_MAX];
	struct lwk_noise n;
	FILE *f;
	int fd, rc = 0;

	if (lwk_partition_noise(statedir, p->id, &n, err) < 0)
		return lwk_err_prefix(err, "no noise report for %s", p->id);
	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "node");
	snprintf(path, sizeof(path), "%s/%s.%s.noise", dir, p->id, host);
	/* root writes here: never through a link someone planted */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		rc = lwk_err_set(err, errno, "cannot write the noise report %s: %s (check "
				 "report_dir in lwk.conf)", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	} else {
		lwk_noise_report(f, p->id, &n);
		if (fclose(f) != 0)
			rc = lwk_err_set(err, errno, "cannot write the noise report %s: %s", path,
					 strerror(errno));
	}
	lwk_noise_fini(&n);
	return rc;
}

int lwk_report_write(const char *statedir, const char *owner, const char *dir,
		     unsigned *written, struct lwk_err *err)
{
	struct lwk_partition *arr = NULL;
	struct lwk_err e;
	size_t n = 0;
	int rc = 0;

	*written = 0;
	if (!dir || !dir[0])
		return 0;
	if (lwk_partition_list(statedir, &arr, &n, err) < 0)
		return err && err->code == ENOENT ? 0 : -1;
	for (size_t i = 0; i < n; i++) {
		const struct lwk_partition *p = &arr[i];

		if (strcmp(p->owner, owner) || p->state != LWK_PART_LIVE ||
		    p->backend != LWK_BACKEND_NATIVE || !wants_report(p))
			continue;
		if (write_one(statedir, p, dir, &e) == 0) {
			(*written)++;
		} else if (!rc) {
			if (err)
				*err = e;
			rc = -1;
		}
	}
	lwk_partition_list_free(arr, n);
	return rc;
}
