/* The noise an LWK step's cores saw, printed where the user reads the
 * step's output: at its end, on local task 0's stderr, one block per node.
 *
 * Once a step's tasks have ended, SPANK gives slurmstepd no stream that
 * reaches srun. So before the tasks are forked slurmstepd makes a socket
 * pair; local task 0, its stdio in place (task_init), sends a duplicate of
 * its stderr over it (SCM_RIGHTS) and execs. slurmstepd picks it up as the
 * tasks exit and, after the last, writes the report through it and closes
 * it. Holding that descriptor keeps Slurm's I/O thread from seeing the end
 * of task 0's stderr, so the report is forwarded like any output of it;
 * it is always closed at the last task exit (or at exit, whatever happens).
 *
 * The window is the step's: counters read before the fork are subtracted
 * from those at the last exit. The worst single interruption cannot be
 * subtracted: for a step that reused the job's partition it is the worst
 * since the partition was made, and the report says so.
 *
 * Below the table, each LWK CPU's largest sources by name (IRQ lines such
 * as virtio1-req.0, LOC, RES, CAL, softirqs), from /proc/interrupts and
 * /proc/softirqs read at the same two moments: lwk.ko counts by kind only,
 * so the names come from /proc with or without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "irq.h"
#include "lwk_spank.h"
#include "noise.h"
#include "partition.h"
#include "sysfile.h"

static struct {
	int on;
	int made;		/* this step made the partition */
	uint32_t job, step;
	char statedir[256];
	char id[LWK_ID_MAX];
	struct lwk_noise base;
	struct lwk_irqs irq_base;	/* per IRQ line; nline 0 if unreadable */
	double t0;
	int sock[2];		/* [0] slurmstepd's end, [1] task 0's */
	int out;		/* task 0's stderr, once it arrived */
	unsigned exited;
} rep = { .sock = { -1, -1 }, .out = -1 };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int lwk_step_report_begin(const char *statedir, const char *id, int made, uint32_t job,
			  uint32_t step)
{
	struct lwk_err err;

	lwk_step_report_end();
	lwk_err_clear(&err);
	if (lwk_partition_noise(statedir, id, &rep.base, &err) < 0) {
		/* not native, or nothing to read: no report, and no reason to fail */
		slurm_info("lwk: job %u step %u: no noise report: %s", job, step, err.msg);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, rep.sock)) {
		slurm_error("lwk: job %u step %u: no noise report: socketpair: %s", job, step,
			    strerror(errno));
		lwk_noise_fini(&rep.base);
		return -1;
	}
	/* the exits are counted in slurmstepd, which never blocks on this */
	fcntl(rep.sock[0], F_SETFL, O_NONBLOCK);
	snprintf(rep.statedir, sizeof(rep.statedir), "%s", statedir);
	snprintf(rep.id, sizeof(rep.id), "%s", id);
	rep.made = made;
	rep.job = job;
	rep.step = step;
	if (lwk_irqs_read("", LWK_IRQ_COUNTS, &rep.irq_base, NULL) < 0)
		memset(&rep.irq_base, 0, sizeof(rep.irq_base));
	rep.t0 = now_s();
	rep.on = 1;
	return 0;
}

/* In the task, before exec: task 0 lends its stderr to slurmstepd. */
void lwk_step_report_task_init(uint32_t local_id)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte = 'e';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = 2;

	if (!rep.on || local_id != 0 || rep.sock[1] < 0)
		return;
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	/* a report is not worth failing the task for: no error */
	(void)sendmsg(rep.sock[1], &msg, MSG_NOSIGNAL);
}

/* Takes task 0's stderr if it has arrived. */
static void receive(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	while (rep.sock[0] >= 0 && recvmsg(rep.sock[0], &msg, MSG_CMSG_CLOEXEC) > 0) {
		c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			if (rep.out < 0)
				rep.out = fd;
			else
				close(fd);
		}
		msg.msg_controllen = sizeof(cbuf);
	}
}

static void summary(FILE *f, const struct lwk_noise *n, double secs)
{
	struct lwk_noise_cpu total;
	struct lwk_noise_sum all;
	char host[64] = "";

	lwk_noise_total(n, &total);
	all = lwk_noise_cpu_sum(&total);
	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "this node");
	fprintf(f, "lwk: job %" PRIu32 " step %" PRIu32 " on %s: %" PRIu64
		" interruption%s of %u LWK CPU%s in %.2f s", rep.job, rep.step, host, all.count,
		all.count == 1 ? "" : "s", n->ncpu, n->ncpu == 1 ? "" : "s", secs);
	if (n->timed && secs > 0 && n->ncpu)
		fprintf(f, ", %.4f %% of their time (worst %.1f us, %s%s)",
			100.0 * all.ns / 1e9 / (secs * n->ncpu), all.worst_ns / 1e3,
			all.worst_kind >= 0 ? lwk_noise_kind_name(all.worst_kind) : "-",
			rep.made ? "" : ", since the partition was made");
	fputc('\n', f);
}

/* "  cpu 1 sources: virtio1-req.0 72,365, LOC 1,204, ..." per LWK CPU. */
static void sources(FILE *f, const struct lwk_noise *n)
{
	struct lwk_irqs now;
	char buf[512];

	if (!rep.irq_base.nline || lwk_irqs_read("", LWK_IRQ_COUNTS, &now, NULL) < 0)
		return;
	for (unsigned i = 0; i < n->ncpu; i++) {
		lwk_irqs_top(&now, &rep.irq_base, n->cpu[i].cpu, 6, buf, sizeof(buf));
		fprintf(f, "  cpu %u sources: %s\n", n->cpu[i].cpu, buf[0] ? buf : "none");
	}
	lwk_irqs_fini(&now);
}

/* The report, in one write: task 0's other output may still be in flight. */
static void write_report(void)
{
	struct lwk_noise now;
	struct lwk_err err;
	char *buf = NULL;
	size_t len = 0;
	double secs = now_s() - rep.t0;
	FILE *f;

	lwk_err_clear(&err);
	if (lwk_partition_noise(rep.statedir, rep.id, &now, &err) < 0) {
		slurm_error("lwk: job %u step %u: no noise report: %s", rep.job, rep.step,
			    err.msg);
		return;
	}
	if (now.timed == rep.base.timed)
		lwk_noise_sub(&now, &rep.base);
	f = open_memstream(&buf, &len);
	if (f) {
		summary(f, &now, secs);
		lwk_noise_report(f, rep.id, &now);
		sources(f, &now);
		if (fclose(f) == 0)
			(void)lwk_write_fd(rep.out, buf, len);
		free(buf);
	}
	lwk_noise_fini(&now);
}

/* slurmstepd, as each task ends; the last one of ntasks prints. */
void lwk_step_report_task_exit(unsigned ntasks)
{
	if (!rep.on)
		return;
	receive();
	if (++rep.exited < ntasks)
		return;
	if (rep.out >= 0)
		write_report();
	lwk_step_report_end();
}

void lwk_step_report_end(void)
{
	close_fd(&rep.out);
	close_fd(&rep.sock[0]);
	close_fd(&rep.sock[1]);
	if (rep.on) {
		lwk_noise_fini(&rep.base);
		lwk_irqs_fini(&rep.irq_base);
	}
	memset(&rep, 0, sizeof(rep));
	rep.sock[0] = rep.sock[1] = rep.out = -1;
}
