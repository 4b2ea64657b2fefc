/* The end of every Check test program's main(): runs the suite, frees the
 * runner, and turns the failure count into the exit status. */
#ifndef LWK_CHECK_RUN_H
#define LWK_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int lwk_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
