/* Holders of a partition (partition.h): one job's partition shared by the
 * execution daemons of that job that run on one kernel. Only records
 * change here; the node is never touched (making and tearing down stay
 * with lwk_partition_create and lwk_reap). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "partition.h"
#include "registry.h"

bool lwk_holder_valid(const char *h)
{
	/* the grammar of ids: no ',' (the separator), nothing a record or a
	 * shell would read specially */
	return h && lwk_id_valid(h);
}

/* Position of h in list as a whole item, or NULL. */
static char *find(const char *list, const char *h)
{
	size_t n = strlen(h);
	const char *s = list;

	if (!n)
		return NULL;
	while ((s = strstr(s, h))) {
		if ((s == list || s[-1] == ',') && (s[n] == ',' || s[n] == '\0'))
			return (char *)s;
		s += n;
	}
	return NULL;
}

bool lwk_holders_has(const char *list, const char *h)
{
	return find(list, h) != NULL;
}

int lwk_holders_add(char *list, size_t len, const char *h)
{
	size_t have = strlen(list);

	if (find(list, h))
		return 0;
	if (have + (have ? 1 : 0) + strlen(h) + 1 > len)
		return -1;
	snprintf(list + have, len - have, "%s%s", have ? "," : "", h);
	return 0;
}

bool lwk_holders_del(char *list, const char *h)
{
	char *s = find(list, h);
	size_t n = strlen(h);

	if (!s)
		return false;
	if (s[n] == ',')
		n++;			/* "h," at the start or in the middle */
	else if (s != list) {
		s--;			/* ",h" at the end */
		n++;
	}
	memmove(s, s + n, strlen(s + n) + 1);
	return true;
}

int lwk_partition_join(const char *statedir, const char *id, const char *owner,
		       const char *spec, const char *holder, struct lwk_partition *out,
		       struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition p;
	int rc = -1;

	if (!lwk_holder_valid(holder))
		return lwk_err_set(err, EINVAL, "bad holder name '%.64s': use letters, digits, "
				   "'.', '_' and '-', at most %d characters", holder ? holder : "",
				   LWK_ID_MAX - 1);
	lwk_partition_init(&p);
	if (lwk_registry_open(&reg, statedir, true, err) < 0)
		goto out_free;
	if (lwk_registry_lock(&reg, err) < 0)
		goto out;
	if (lwk_registry_get(&reg, id, &p, err) < 0) {
		if (err && err->code == ENOENT) {
			lwk_err_clear(err);
			rc = 0;
		}
		goto out;
	}
	if (strcmp(p.owner, owner ? owner : "")) {
		lwk_err_set(err, EEXIST, "partition %s belongs to '%s', not to '%s': it cannot be "
			    "shared", id, p.owner, owner ? owner : "");
		goto out;
	}
	if (spec && strcmp(p.spec, spec)) {
		lwk_err_set(err, EEXIST, "partition %s of %s was made from spec '%s', not '%s': "
			    "every host of a job must ask for the same", id, p.owner, p.spec, spec);
		goto out;
	}
	if (p.state != LWK_PART_LIVE || lwk_partition_stale_boot(&p)) {
		/* under the lock a record not live is one its creator or destroyer
		 * left when it died (or of an earlier boot): nothing to join;
		 * lwk_partition_create undoes it and makes the partition anew */
		rc = 0;
		goto out;
	}
	if (lwk_holders_add(p.holders, sizeof(p.holders), holder) < 0) {
		lwk_err_set(err, ENOSPC, "partition %s has too many holders (%s) to add '%s'",
			    id, p.holders, holder);
		goto out;
	}
	if (lwk_registry_put(&reg, &p, err) < 0)
		goto out;
	if (out) {
		hwloc_bitmap_t c = out->cpus, m = out->mems;

		*out = p;
		out->cpus = c;
		out->mems = m;
		hwloc_bitmap_copy(c, p.cpus);
		hwloc_bitmap_copy(m, p.mems);
	}
	rc = 1;
out:
	lwk_registry_close(&reg);
out_free:
	lwk_partition_fini(&p);
	return rc;
}

int lwk_partition_leave(const char *statedir, const char *owner, const char *holder,
			unsigned *kept, char *by, size_t bylen, struct lwk_err *err)
{
	struct lwk_registry reg;
	struct lwk_partition *parts = NULL;
	size_t n = 0;
	int rc = -1;

	*kept = 0;
	if (by && bylen)
		by[0] = '\0';
	if (!lwk_holder_valid(holder))
		return lwk_err_set(err, EINVAL, "bad holder name '%.64s': use letters, digits, "
				   "'.', '_' and '-', at most %d characters", holder ? holder : "",
				   LWK_ID_MAX - 1);
	if (lwk_registry_open(&reg, statedir, false, err) < 0)
		return err && err->code == ENOENT ? (lwk_err_clear(err), 0) : -1;
	if (lwk_registry_lock(&reg, err) < 0 || lwk_registry_list(&reg, &parts, &n, err) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct lwk_partition *p = &parts[i];

		if (strcmp(p->owner, owner))
			continue;
		/* the last holder stays named until the partition is gone: a
		 * teardown cut short is its to finish, not another daemon's */
		if (strcmp(p->holders, holder) && lwk_holders_del(p->holders, holder) &&
		    lwk_registry_put(&reg, p, err) < 0)
			goto out;
		if (p->holders[0] && strcmp(p->holders, holder)) {
			(*kept)++;
			if (by && bylen)
				snprintf(by, bylen, "%s", p->holders);
		}
	}
	rc = 0;
out:
	lwk_partition_list_free(parts, n);
	lwk_registry_close(&reg);
	return rc;
}
