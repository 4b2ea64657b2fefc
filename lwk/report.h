/* Noise reports of a job's partitions, written at teardown where the site
 * keeps them (report_dir in lwk.conf).
 *
 * lwk_report_write() writes DIR/ID.HOST.noise (lwk_noise_report's text) for
 * every live native partition of owner whose spec did not say report:off,
 * and counts them in *written. It goes on past a partition it cannot
 * report; err then describes the first such problem and -1 is returned.
 * Callers run it before lwk_reap() of the same owner and only log failures:
 * a missing report must not keep a node from being restored.
 */
#ifndef LWK_REPORT_H
#define LWK_REPORT_H

#include "error.h"

int lwk_report_write(const char *statedir, const char *owner, const char *dir,
		     unsigned *written, struct lwk_err *err);

#endif
