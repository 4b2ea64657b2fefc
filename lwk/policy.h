/* Site policy: /etc/lwk/lwk.conf (path overridable) and plugstack args.
 *
 * File format: one "key = value" per line, '#' starts a comment, blank lines.
 *   backends        = native,mckernel,mos   backends users may ask for (auto picks among them; default: all three)
 *   lwk_cpus        = 1-63                   OS CPUs that may ever become LWK cores (default: all;
 *                                            nohz_full: those the node's kernel runs tickless)
 *   min_linux_cores = 1                      cores of the job's allocation kept on Linux, per node
 *   max_core_share  = 100%                   largest share of the job's cores on a node for the LWK
 *   max_mem_share   = 90%                    largest share of a NUMA node's memory the LWK may reserve
 *   default         = cores:all,util:1       items used when the user's spec omits them (default: cores:all)
 *   allow_users     = alice,bob              who may use --lwk (default: everyone)
 *   allow_groups    = hpc                    ... or members of these groups
 *   report_dir      = /var/log/lwk           per-job noise reports (empty: none)
 *   statedir        = /run/lwk               partition registry
 * A malformed file is an error naming file:line. Unknown keys are errors.
 * Every setter is all-or-nothing: on error the policy is left as it was.
 */
#ifndef LWK_POLICY_H
#define LWK_POLICY_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

#define LWK_NOHZ_FULL_WORD "nohz_full"
#define LWK_NOHZ_FULL_FILE "/sys/devices/system/cpu/nohz_full"

struct lwk_policy {
	unsigned backends;		/* bit (1 << enum lwk_backend_kind); AUTO bit ignored */
	hwloc_bitmap_t lwk_cpus;	/* NULL: any CPU */
	unsigned min_linux_cores;	/* default 1 */
	unsigned max_core_share;	/* percent, default 100 */
	unsigned max_mem_share;		/* percent, default 90 */
	struct lwk_spec defaults;	/* keys set only where given */
	char **allow_users;		/* NULL-terminated; NULL: everyone */
	char **allow_groups;		/* NULL-terminated; NULL: no group rule */
	char report_dir[PATH_MAX];	/* "" : no report files */
	char statedir[PATH_MAX];	/* default LWK_STATEDIR */
};

void lwk_policy_init(struct lwk_policy *p);	/* built-in defaults */
void lwk_policy_fini(struct lwk_policy *p);

/* Reads path into p (on top of what p holds: keys in the file replace).
 * A missing file is an error with code ENOENT, so callers can accept a
 * missing default file. When run as root, a file that anyone but root can
 * write is refused (EPERM). */
int lwk_policy_load(struct lwk_policy *p, const char *path, struct lwk_err *err);

/* One key=value, as from a plugstack argument; same keys as the file. */
int lwk_policy_set(struct lwk_policy *p, const char *key, const char *value,
		   struct lwk_err *err);

/* May this user (uid, primary gid, supplementary groups) use the LWK? */
int lwk_policy_check_user(const struct lwk_policy *p, uid_t uid, gid_t gid,
			  struct lwk_err *err);

/* Checks what can be checked without topology: backend allowed, shares
 * within bounds. Fills in defaults for keys the spec omits. */
int lwk_policy_apply(const struct lwk_policy *p, struct lwk_spec *s, struct lwk_err *err);

/* spec_check.c: parses text, checks the user and the site policy, fills in
 * site defaults: the whole check of a spec before any node is known. out is
 * initialised in any case; free with lwk_spec_fini. */
int lwk_spec_check(const struct lwk_policy *pol, const char *text, uid_t uid, gid_t gid,
		   struct lwk_spec *out, struct lwk_err *err);

#endif
