# lwk_hook.py: the slurm-lwk PBS hook (OpenPBS 23.06 / PBS Professional).
#
# One hook for every event it handles; install with contrib/pbs/install or
# the qmgr commands in doc/pbs.md. Users ask with `qsub -l lwk=SPEC` (the
# same SPEC as `srun --lwk=SPEC`). This file only moves data between PBS and
# the project's own C tools: every decision (the spec, the site policy in
# lwk.conf, which cores, the partition itself, its teardown) is lwkpart's,
# i.e. the same liblwk code the Slurm plugin runs.
#
#   queuejob         (server)  lwkpart check-spec --user REQUESTOR SPEC;
#                              a bad spec rejects qsub with its one lwk: line;
#                              the spec goes to the MoMs in LWK_PBS_SPEC
#   execjob_begin    (each host) lwkpart create --spec SPEC --alloc-count N
#                              --holder MOM (N: the job's ncpus on this host;
#                              MOM: this MoM's name); a MoM sharing its kernel
#                              with another MoM of the job joins the job's
#                              partition there (lwkpart decides); a job with
#                              a pbs_cgroups cpuset is refused; a failure is
#                              kept for execjob_launch
#   execjob_launch   (each task) LWK_* variables for the job; a task whose
#                              program is lwkrun (pbsdsh -- lwkrun ./sim) is
#                              moved into the partition first; a host whose
#                              partition failed runs a one-line error instead
#   execjob_attach   (each host) pbs_attach ... lwkrun ./sim (under mpirun):
#                              the attaching process goes into the partition
#   execjob_epilogue (first host) reap --holder MOM: this MoM leaves the
#                              partition; the last holder to leave destroys
#                              it (noise report to report_dir, and onto the
#                              job's stderr when that is this MoM)
#   execjob_end      (each host) the same: partition destroyed, node restored
#   exechost_startup (each host) reap partitions of jobs this MoM no longer has
#                              (those it holds, or that have no holder)
#   exechost_periodic (each host) the same, every `freq` seconds: a job
#                              deleted while its partition was being made
#                              gets no execjob_end on this host
#
# Configuration (hook config file, JSON; all keys optional):
#   {"lwkpart": "/usr/local/sbin/lwkpart",   the CLI, as built by make install
#    "lwk_conf": "/etc/lwk/lwk.conf",         site policy, as under Slurm
#    "state": "/run/lwk-pbs",                 per-job notes of this hook
#    "test_fault": null}                      tests only: a file whose line
#                              LWK_FAULT=P or LWK_FAULT_STOP=P (lwkpart(8)) goes
#                              into the environment of every lwkpart the hook
#                              runs while the file says so; off when unset
import json
import os
import pwd
import re
import socket
import subprocess

import pbs

CONF = {"lwkpart": "/usr/local/sbin/lwkpart", "lwk_conf": "/etc/lwk/lwk.conf",
        "state": "/run/lwk-pbs", "test_fault": None}
if pbs.hook_config_filename:
    with open(pbs.hook_config_filename) as f:
        CONF.update(json.load(f))

OWNER = "pbs:"          # partition owner: "pbs:<job id>"
ID = "pbs."             # partition id: "pbs.<job id>"


def fault_env():
    """lwkpart's environment: the hook's, plus the fault the test_fault file
    names (tests only; the key is unset on a site)."""
    env = dict(os.environ)
    if not CONF["test_fault"]:
        return env
    try:
        with open(CONF["test_fault"]) as f:
            line = f.readline().strip()
    except OSError:
        return env
    k, _, v = line.partition("=")
    if k in ("LWK_FAULT", "LWK_FAULT_STOP") and re.match(r"^[a-z-]+\.[a-z0-9_-]+$", v):
        env[k] = v
    return env


def lwkpart(*args):
    """Runs lwkpart with the site's lwk.conf; (rc, stdout, stderr)."""
    cmd = [CONF["lwkpart"], "--config", CONF["lwk_conf"]] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120, env=fault_env())
    return p.returncode, p.stdout, p.stderr


def first_lwk_line(text, fallback):
    for line in text.splitlines():
        if line.startswith("lwk: "):
            return line
    return fallback


# The MoM does not see a job-wide custom resource (Resource_List["lwk"] is
# None there), so the queuejob hook hands the checked spec on in the job's
# variables. A user who sets it by hand gains nothing: execjob_begin's
# lwkpart create checks the spec against the policy for the job's owner.
SPEC_VAR = "LWK_PBS_SPEC"


def variable(job, name):
    try:
        v = job.Variable_List[name]
    except Exception:
        return None
    return str(v) if v else None


def job_spec(job):
    """The job's spec: -l lwk=SPEC (on the server), else what queuejob
    handed on, else lwk="SPEC" inside a select chunk."""
    try:
        v = job.Resource_List["lwk"]
    except Exception:
        v = None
    if v:
        return str(v)
    v = variable(job, SPEC_VAR)
    if v:
        return v
    m = re.search(r'lwk=(?:"([^"]*)"|([^:+]*))', str(job.schedselect or ""))
    if m:
        return m.group(1) if m.group(1) is not None else m.group(2)
    return None


def holder():
    """This MoM's name among a partition's holders (lwkpart's grammar)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(pbs.get_local_nodename()))[:63] or "mom"


def part_id(jobid):
    return ID + re.sub(r"[^A-Za-z0-9._-]", "_", str(jobid))


def note(jobid, kind):
    """This MoM's note on a job: per MoM, as MoMs on one kernel share the
    state folder (the hook's configuration is the server's)."""
    return os.path.join(CONF["state"], "%s.%s.%s" % (
        re.sub(r"[^A-Za-z0-9._-]", "_", str(jobid)), holder(), kind))


def my_names():
    """Short names this host goes by: the MoM's, the host name, and what the
    host name resolves to (the vnode is often named after the latter)."""
    names = {pbs.get_local_nodename(), socket.gethostname()}
    try:
        canon, aliases, _ = socket.gethostbyname_ex(socket.gethostname())
        names.update([canon] + aliases)
    except OSError:
        pass
    return {n.split(".")[0] for n in names if n}


def local_ncpus(job):
    """The job's ncpus on this host, from exec_vnode."""
    names = my_names()
    n = 0
    for chunk in str(job.exec_vnode or "").split("+"):
        chunk = chunk.strip("()")
        for part in chunk.split("+"):
            fields = part.split(":")
            vn = fields[0].split("[")[0].split(".")[0]
            if vn not in names:
                continue
            for kv in fields[1:]:
                if kv.startswith("ncpus="):
                    n += int(kv[6:])
    return n


def job_cpuset(jobid):
    """CPUs of the job's cpuset made by pbs_cgroups, or None without one."""
    for base in ("/sys/fs/cgroup/cpuset/pbs_jobs.service/jobid",
                 "/sys/fs/cgroup/pbs_jobs.service/jobid"):
        for name in ("cpuset.cpus", "cpuset.cpus.effective"):
            path = os.path.join(base, str(jobid), name)
            if os.path.exists(path):
                with open(path) as f:
                    cpus = f.read().strip()
                if cpus:
                    return cpus
    return None


def show(jobid):
    rc, out, _ = lwkpart("--json", "show", part_id(jobid))
    return json.loads(out) if rc == 0 else None


def refuse_launch(e, msg):
    """The job's program becomes a one-line error on its stderr, exit 1:
    the script's output is where the user looks. msg is never parsed by a
    shell (it is a positional argument)."""
    e.progname = "/bin/sh"
    e.argv = ["/bin/sh", "-c", 'printf "%s\\n" "$1" >&2; exit 1', "lwk", msg]


def on_queuejob(e):
    if variable(e.job, SPEC_VAR):
        e.reject("lwk: %s is the LWK hook's own variable; ask with -l lwk=SPEC" % SPEC_VAR)
    spec = job_spec(e.job)
    if spec is None:
        return
    rc, out, err = lwkpart("check-spec", "--user", str(e.requestor), spec)
    if rc != 0:
        e.reject(first_lwk_line(err, "lwk: cannot check the spec '%s' on the server" % spec))
    e.job.Variable_List[SPEC_VAR] = spec


def on_begin(e):
    j = e.job
    spec = job_spec(j)
    if spec is None:
        return
    os.makedirs(CONF["state"], mode=0o700, exist_ok=True)
    host = pbs.get_local_nodename()
    if job_cpuset(j.id):
        # pbs_cgroups hands CPUs to later jobs from what its job cpusets
        # hold: LWK cores cut out of this one would go to the next job, and
        # left in, the job's cpuset and the partition would share them.
        rc, err = 1, ("lwk: the pbs_cgroups hook gave job %s a cpuset on %s; LWK partitions "
                      "need that hook's cpuset subsystem disabled (see doc/pbs.md)" % (j.id, host))
    else:
        rc, out, err = lwkpart("create", "--spec", spec,
                               "--alloc-count", str(max(local_ncpus(j), 1)),
                               "--user", str(j.euser),
                               "--id", part_id(j.id), "--owner", OWNER + str(j.id),
                               "--holder", holder())
    if rc != 0:
        msg = first_lwk_line(err, "lwk: cannot provision the LWK partition")
        msg = "%s (job %s on %s)" % (msg, j.id, host)
        pbs.logmsg(pbs.LOG_ERROR, msg)
        with open(note(j.id, "err"), "w") as f:
            f.write(msg + "\n")
        return
    joined = " (joined: %s)" % err.strip() if "joined" in err else ""
    pbs.logmsg(pbs.LOG_DEBUG, "lwk: job %s: partition %s%s" % (j.id, out.strip(), joined))


def lwkrun_in(argv):
    return any(os.path.basename(str(a)) == "lwkrun" for a in argv)


def local_rank(jobid):
    """Next local rank of a pbsdsh task on this host, and the local size
    (the job's lines for this host in its node file)."""
    me = my_names()
    size = 0
    try:
        with open(os.path.join(pbs.pbs_conf["PBS_HOME"], "aux", str(jobid))) as f:
            size = sum(1 for line in f if line.strip().split(".")[0] in me)
    except OSError:
        pass
    size = max(size, 1)
    path = note(jobid, "rank")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        import fcntl
        fcntl.flock(fd, fcntl.LOCK_EX)
        n = int(os.read(fd, 32) or b"0")
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, str(n + 1).encode())
    finally:
        os.close(fd)
    return n % size, size


def on_launch(e):
    j = e.job
    if job_spec(j) is None:
        return
    if os.path.exists(note(j.id, "err")):
        with open(note(j.id, "err")) as f:
            refuse_launch(e, f.read().strip())
        return
    p = show(j.id)
    if p is None:
        refuse_launch(e, "lwk: job %s has no LWK partition on %s" % (j.id, pbs.get_local_nodename()))
        return
    env = {"LWK_PARTITION": p["id"], "LWK_CPUS": p["cpus"], "LWK_MEMS": p["mems"],
           "LWK_BACKEND": p["backend"], "LWK_SPEC": p["spec"]}
    if lwkrun_in([e.progname] + list(e.argv or [])):
        rc, _, err = lwkpart("attach", p["id"], str(os.getppid()))
        if rc != 0:
            refuse_launch(e, first_lwk_line(err, "lwk: cannot move the task into the partition"))
            return
        rank, size = local_rank(j.id)
        env["MPI_LOCALRANKID"] = str(rank)
        env["MPI_LOCALNRANKS"] = str(size)
    for k, v in env.items():
        e.env[k] = v


def proc_owner_and_argv(pid):
    with open("/proc/%d/status" % pid) as f:
        uid = next(int(l.split()[1]) for l in f if l.startswith("Uid:"))
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        argv = f.read().split(b"\0")
    return uid, [a.decode(errors="replace") for a in argv if a]


def on_attach(e):
    j = e.job
    if job_spec(j) is None or not e.pid:
        return
    uid, argv = proc_owner_and_argv(int(e.pid))
    # only the job owner's pbs_attach ... lwkrun goes into the partition
    if uid != pwd.getpwnam(str(j.euser)).pw_uid or not lwkrun_in(argv):
        return
    p = show(j.id)
    if p is None:
        return
    rc, _, err = lwkpart("attach", p["id"], str(e.pid))
    if rc != 0:
        e.reject(first_lwk_line(err, "lwk: cannot move the process into the partition"))


def reap(jobid):
    """This MoM leaves the job's partition here; the last holder to leave
    destroys it. The noise report text, if this call wrote one."""
    rc, _, err = lwkpart("reap", "--owner", OWNER + str(jobid), "--holder", holder())
    for k in ("err", "rank"):
        try:
            os.unlink(note(jobid, k))
        except OSError:
            pass
    if rc != 0:
        pbs.logmsg(pbs.LOG_ERROR, "%s (job %s)" % (first_lwk_line(err, "lwk: reap failed"), jobid))
    m = re.search(r"noise reports? in (\S+)", err)
    if not m:
        return None
    path = os.path.join(m.group(1), "%s.%s.noise" % (part_id(jobid), os.uname()[1]))
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def on_epilogue(e):
    j = e.job
    if job_spec(j) is None:
        return
    report = reap(j.id)
    if not report:
        return
    # the job's stderr, still in MoM's spool before it is staged out
    er = os.path.join(pbs.pbs_conf["PBS_HOME"], "spool", "%s.ER" % j.id)
    if os.path.exists(er):
        with open(er, "a") as f:
            f.write(report)


def on_end(e):
    if job_spec(e.job) is not None:
        reap(e.job.id)


def reap_orphans(known=()):
    """Reaps the pbs: partitions of jobs this MoM does not have: neither in
    `known` (the event's job list) nor in mom_priv/jobs. The list is read
    first: a job that arrives later has its job file before its partition.
    Only partitions this MoM holds, or that have no holder: a MoM sharing
    the kernel with others leaves theirs alone."""
    rc, out, _ = lwkpart("--json", "list")
    if rc != 0:
        return
    jobs = os.path.join(pbs.pbs_conf["PBS_HOME"], "mom_priv", "jobs")
    for p in json.loads(out):
        owner = p.get("owner", "")
        if not owner.startswith(OWNER):
            continue
        holders = [h for h in p.get("holders", "").split(",") if h]
        if holders and holder() not in holders:
            continue
        jobid = owner[len(OWNER):]
        if jobid in known or os.path.exists(os.path.join(jobs, jobid + ".JB")):
            continue
        pbs.logmsg(pbs.LOG_WARNING, "lwk: partition %s (state %s) of job %s, which this "
                   "MoM no longer has: reaped" % (p.get("id"), p.get("state"), jobid))
        reap(jobid)


def on_startup(e):
    reap_orphans()


def on_periodic(e):
    try:
        known = set(str(j) for j in e.job_list.keys())
    except Exception:
        known = set()
    reap_orphans(known)


HANDLERS = {pbs.QUEUEJOB: on_queuejob, pbs.EXECJOB_BEGIN: on_begin,
            pbs.EXECJOB_LAUNCH: on_launch, pbs.EXECJOB_ATTACH: on_attach,
            pbs.EXECJOB_EPILOGUE: on_epilogue, pbs.EXECJOB_END: on_end,
            pbs.EXECHOST_STARTUP: on_startup, pbs.EXECHOST_PERIODIC: on_periodic}

ev = pbs.event()
try:
    HANDLERS[ev.type](ev)
except SystemExit:
    raise       # reject() ends the hook this way: the verdict stands
except Exception as exc:
    # an unexpected failure is the admin's to see; never a silent job
    pbs.logmsg(pbs.LOG_ERROR, "lwk: hook %s failed: %s" % (ev.hook_name, exc))
    if ev.type == pbs.QUEUEJOB:
        ev.reject("lwk: the LWK hook failed on the server (see server_logs): %s" % exc)
ev.accept()
