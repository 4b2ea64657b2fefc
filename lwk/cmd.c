/* Running administration programs without a shell (see cmd.h). */
#define _GNU_SOURCE	/* secure_getenv, pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

const char *lwk_cmd_env(const char *name, const char *def)
{
	const char *v = secure_getenv(name);

	return v && *v ? v : def;
}

const char *lwk_cmd_find(const char *const *dirs, const char *prog)
{
	char path[PATH_MAX];

	for (; *dirs; dirs++) {
		snprintf(path, sizeof(path), "%s/%s", *dirs, prog);
		if (access(path, X_OK) == 0)
			return *dirs;
	}
	return NULL;
}

void lwk_cmd_line(char *const argv[], char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; argv[i] && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? " " : "", argv[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Keeps the last non-empty line of what the child wrote to stderr. */
static void keep_errline(struct lwk_cmd_out *o, char *acc, size_t *acclen)
{
	char *end = acc + *acclen, *line = acc, *nl;

	while ((nl = memchr(line, '\n', (size_t)(end - line)))) {
		size_t n = (size_t)(nl - line);

		if (n) {
			if (n >= sizeof(o->errline))
				n = sizeof(o->errline) - 1;
			memcpy(o->errline, line, n);
			o->errline[n] = '\0';
		}
		line = nl + 1;
	}
	*acclen = (size_t)(end - line);
	memmove(acc, line, *acclen);
}

static void child(char *const argv[], int out, int errfd)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);	/* not the caller's blocked set */

	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	/* A fixed program with a fixed argv: no shell ever sees our text. */
	execv(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int lwk_cmd_run(char *const argv[], int timeout_s, struct lwk_cmd_out *o,
		struct lwk_err *err)
{
	int po[2], pe[2], st;
	size_t outlen = 0, acclen = 0;
	char acc[1024], line[512];
	long deadline = now_ms() + timeout_s * 1000L;
	bool timed_out = false;
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	bool restore = false;
	pid_t pid;
	int ret;

	memset(o, 0, sizeof(*o));
	lwk_cmd_line(argv, line, sizeof(line));
	if (argv[0][0] != '/' || access(argv[0], X_OK) < 0)
		return lwk_err_set(err, errno ? errno : ENOENT, "cannot run %s: %s", argv[0],
				   argv[0][0] != '/' ? "not an absolute path" : strerror(errno));
	if (pipe2(po, O_CLOEXEC) < 0)
		return lwk_err_set(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return lwk_err_set(err, errno, "pipe: %s", strerror(errno));
	}
	/* With SIGCHLD ignored (a daemon may do that) the kernel reaps the
	 * child itself and its exit status is lost: wait for it by default. */
	if (sigaction(SIGCHLD, NULL, &old) == 0 &&
	    (old.sa_handler == SIG_IGN || (old.sa_flags & SA_NOCLDWAIT)))
		restore = sigaction(SIGCHLD, &dfl, NULL) == 0;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		if (restore)
			sigaction(SIGCHLD, &old, NULL);
		return lwk_err_set(err, e, "cannot fork to run %s: %s", argv[0], strerror(e));
	}
	if (pid == 0)
		child(argv, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);

	struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;

	while (open_fds) {
		long left = deadline - now_ms();
		int r;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		r = poll(fds, 2, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (int i = 0; i < 2; i++) {
			char buf[512];
			ssize_t n;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0) {
				size_t room = sizeof(o->out) - 1 - outlen;
				size_t k = (size_t)n < room ? (size_t)n : room;

				memcpy(o->out + outlen, buf, k);
				outlen += k;
			} else {
				size_t room = sizeof(acc) - 1 - acclen;
				size_t k = (size_t)n < room ? (size_t)n : room;

				memcpy(acc + acclen, buf, k);
				acclen += k;
				keep_errline(o, acc, &acclen);
				if (acclen == sizeof(acc) - 1)
					acclen = 0;	/* an overlong line: drop it */
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	if (acclen) {	/* a last line without newline */
		acc[acclen++] = '\n';
		keep_errline(o, acc, &acclen);
	}
	o->out[outlen] = '\0';
	if (timed_out)
		kill(pid, SIGKILL);
	while ((ret = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (restore)
		sigaction(SIGCHLD, &old, NULL);
	if (ret < 0)
		return lwk_err_set(err, errno, "cannot learn how '%s' ended: %s", line,
				   strerror(errno));
	if (timed_out)
		return lwk_err_set(err, ETIMEDOUT, "'%s' did not finish within %d s and was killed",
				   line, timeout_s);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}
