#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfile.h"

int lwk_read_str(const char *path, char *buf, size_t len, struct lwk_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return lwk_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = errno;

		close(fd);
		return lwk_err_set(err, e, "cannot read %s: %s", path, strerror(e));
	}
	close(fd);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int lwk_read_all(const char *path, char **text, struct lwk_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, len = 0;
	char *buf;

	if (fd < 0)
		return lwk_err_set(err, errno, "cannot open %s: %s", path, strerror(errno));
	buf = malloc(cap);
	for (;;) {
		ssize_t n;

		if (!buf) {
			close(fd);
			return lwk_err_set(err, ENOMEM, "out of memory reading %s", path);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return lwk_err_set(err, e, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		len += n;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int lwk_write_fd(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int lwk_write_str(const char *path, const char *s, struct lwk_err *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return lwk_err_set(err, errno, "cannot open %s for writing: %s", path,
				   strerror(errno));
	n = write(fd, s, len);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return lwk_err_set(err, e, "cannot write '%s' to %s: %s", s, path, strerror(e));
	}
	if (close(fd) < 0)
		return lwk_err_set(err, errno, "cannot write '%s' to %s: %s", s, path,
				   strerror(errno));
	return 0;
}

int lwk_read_list(const char *path, hwloc_bitmap_t set, struct lwk_err *err)
{
	char buf[4096];

	if (lwk_read_str(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (hwloc_bitmap_list_sscanf(set, buf) < 0)
		return lwk_err_set(err, EINVAL, "%s: cannot parse list '%s'", path, buf);
	return 0;
}

int lwk_write_list(const char *path, hwloc_const_bitmap_t set, struct lwk_err *err)
{
	char buf[4096];

	hwloc_bitmap_list_snprintf(buf, sizeof(buf), set);
	return lwk_write_str(path, buf, err);
}

int lwk_read_mask(const char *path, hwloc_bitmap_t set, struct lwk_err *err)
{
	char buf[4096];

	if (lwk_read_str(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (hwloc_bitmap_sscanf(set, buf) < 0)
		return lwk_err_set(err, EINVAL, "%s: cannot parse mask '%s'", path, buf);
	return 0;
}

/* hwloc prints "0x00000001,0x00000003"; the kernel wants the words without
 * the 0x prefix. */
int lwk_format_mask(hwloc_const_bitmap_t set, char *buf, size_t len)
{
	char tmp[4096];
	size_t o = 0;

	if (hwloc_bitmap_iszero(set)) {
		snprintf(buf, len, "0");
		return 0;
	}
	if (hwloc_bitmap_snprintf(tmp, sizeof(tmp), set) < 0)
		return -1;
	for (const char *s = tmp; *s; s++) {
		if (s[0] == '0' && s[1] == 'x') {
			s++;
			continue;
		}
		if (o + 1 >= len)
			return -1;
		buf[o++] = *s;
	}
	buf[o] = '\0';
	return 0;
}

int lwk_write_mask(const char *path, hwloc_const_bitmap_t set, struct lwk_err *err)
{
	char buf[4096];

	if (lwk_format_mask(set, buf, sizeof(buf)) < 0)
		return lwk_err_set(err, EINVAL, "mask too large for %s", path);
	return lwk_write_str(path, buf, err);
}

int lwk_write_atomic(const char *dir, const char *name, const char *text,
		     struct lwk_err *err)
{
	char tmp[4096], dst[4096];
	size_t len = strlen(text);
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= sizeof(tmp) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst))
		return lwk_err_set(err, ENAMETOOLONG, "path too long under %s", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return lwk_err_set(err, errno, "cannot create %s: %s", tmp, strerror(errno));
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			close(fd);
			unlink(tmp);
			return lwk_err_set(err, e, "cannot write %s: %s", tmp, strerror(e));
		}
		text += n;
		len -= n;
	}
	if (close(fd) < 0) {
		int e = errno;

		unlink(tmp);
		return lwk_err_set(err, e, "cannot write %s: %s", tmp, strerror(e));
	}
	if (rename(tmp, dst) < 0) {
		int e = errno;

		unlink(tmp);
		return lwk_err_set(err, e, "cannot rename %s to %s: %s", tmp, dst, strerror(e));
	}
	return 0;
}

int lwk_remove_file(const char *dir, const char *name, struct lwk_err *err)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return lwk_err_set(err, ENAMETOOLONG, "path too long under %s", dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return lwk_err_set(err, errno, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

long long lwk_boot_time(void)
{
	static long long bt = -1;
	char *text, *s;

	if (bt >= 0)
		return bt;
	bt = 0;
	if (lwk_read_all("/proc/stat", &text, NULL) == 0) {
		s = strstr(text, "\nbtime ");
		if (s)
			bt = strtoll(s + 7, NULL, 10);
		free(text);
	}
	return bt;
}

int lwk_kv_next(struct lwk_kv *kv, char *buf, size_t len)
{
	while (*kv->text) {
		const char *nl = strchr(kv->text, '\n');
		size_t n = nl ? (size_t)(nl - kv->text) : strlen(kv->text);
		char *eq;

		kv->lineno++;
		if (n >= len)
			return -1;
		memcpy(buf, kv->text, n);
		buf[n] = '\0';
		kv->text += n + (nl ? 1 : 0);
		if (!*buf)
			continue;
		eq = strchr(buf, '=');
		if (eq)
			*eq++ = '\0';
		kv->key = buf;
		kv->val = eq;
		return 1;
	}
	return 0;
}
