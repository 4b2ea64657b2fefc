# Container scenarios of tests/slurm/run (issue 11), sourced after
# scenarios.sh: Slurm's own --container (oci.conf in RunTimeRun mode, the
# runtime started through lwkrun, real runc) and Charliecloud's ch-run as the
# task, on LWK steps and beside them. Images are built here from busybox-static
# (tests/containers/images.sh); the report script is copied into them.
#
# Slurm 22.05 runs at most one task per node of a --container step ("unexpected
# number of tasks 2 > 1"): container steps here have one task.

. "$SRCDIR/tests/containers/images.sh"

# the Slurm series as a number (2205, 2605): from 23.02 on, Slurm passes a
# task's PMIx variables into its container
CTR_SERIES=$("$SLURM_SBIN/slurmd" -V | sed -n 's/^slurm[^ ]* \([0-9]*\)\.\([0-9]*\).*/\1\2/p')
if command -v runc >/dev/null && command -v ch-run >/dev/null && command -v jq >/dev/null; then
	# the cluster's oci.conf (tests/slurm/cluster puts it beside slurm.conf)
	LWK_CLUSTER_OCI="RunTimeQuery=\"runc state %n.%u.%j.%s.%t\"
RunTimeKill=\"runc kill -a %n.%u.%j.%s.%t\"
RunTimeDelete=\"runc delete --force %n.%u.%j.%s.%t\"
RunTimeRun=\"$LWK_BUILDDIR/launcher/lwkrun --container=%b --name=%n.%u.%j.%s.%t\""
	LWK="$LWK container container_refused chrun container_mpi container_mpi_native"
	if [ "${CTR_SERIES:-0}" -ge 2302 ]; then
		# One path on every node (each emulated node's own directory,
		# tests/slurm/cluster), as a site's MPI containers need
		# (doc/containers.md); container_mpi_spool takes it out.
		LWK_CLUSTER_OCI="$LWK_CLUSTER_OCI
ContainerPath=@D@/oci"
		LWK="$LWK container_mpi_spool"
	fi
	export LWK_CLUSTER_OCI
else
	t_skip "container scenarios: runc, ch-run or jq not installed (contrib/ci/install-deps)"
fi

CTR=$WORK/ctr
CTR_READY=0
ctr_setup() {
	[ $CTR_READY = 1 ] && return 0
	ctr_bundle "$CTR" /report || return 1
	cp "$WORK/report" "$CTR/rootfs/report"
	cp -r "$CTR" "$WORK/ctr-abs"
	ctr_set_json "$WORK/ctr-abs" '.linux.cgroupsPath="/escape"'
	CTR_READY=1
}
# the node's cpuset tree, without Slurm's own job cgroups
ctr_cg_tree() { find /sys/fs/cgroup/cpuset -type d 2>/dev/null | grep -v '/slurm\|/lwkclus-' | sort; }

# An LWK step whose task is a runc container: the container runs in the
# step's partition (a cpuset runc made below it), on the rank's share, with
# LWK_* inside; an --overlap container step of the same job stays on Linux
# cores; nothing is left in the cgroup tree.
sc_container() {
	begin container
	ctr_setup || { t_fail "$CFG container: could not build the bundle"; return; }
	_before=$(ctr_cg_tree)
	run_to "$CFG container" 90 srun --lwk=cores:1 -n1 --container="$CTR" /report
	t_eq "$CFG container: srun --lwk --container exits 0" 0 "$RC"
	l=$(lines lwk= "$OUT")
	t_match "$CFG container: LWK_PARTITION inside the container" '^job\.[0-9]+$' "$(field lwk "$l")"
	t_match "$CFG container: its cpuset is below the partition's (runc's, via lwkrun)" \
		'^/lwk/job\.[0-9]+/[^ ]+$' "$(field cpuset "$l")"
	cpus=$(field cpus "$l")
	if cpus_within "$cpus" "$(field lwkcpus "$l")" && [ "$cpus" = "$(field rankcpus "$l")" ]; then
		t_ok "$CFG container: Cpus_allowed_list ($cpus) is the rank's share of LWK_CPUS ($(field lwkcpus "$l"))"
	else
		t_fail "$CFG container: Cpus_allowed_list '$cpus' vs LWK_CPUS '$(field lwkcpus "$l")' LWK_RANK_CPUS '$(field rankcpus "$l")' ($OUT)"
	fi

	cat > "$WORK/ctr_analytics.sh" <<-EOF
	#!/bin/sh
	srun --lwk=cores:1 -n1 --container="$CTR" /report 6 > "$WORK/ctr_sim.out" 2>&1 &
	i=0
	while ! grep -q '^host=' "$WORK/ctr_sim.out" 2>/dev/null && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
	srun --overlap -n1 --container="$CTR" /report > "$WORK/ctr_ana.out" 2>&1
	echo "analytics rc=\$?"
	wait
	EOF
	run_to "$CFG container analytics" 120 salloc -n2 sh "$WORK/ctr_analytics.sh"
	sim=$(lines lwk= "$(cat "$WORK/ctr_sim.out")")
	ana=$(lines lwk= "$(cat "$WORK/ctr_ana.out")")
	t_match "$CFG container: the LWK container step runs in the partition" '^job\.[0-9]+$' "$(field lwk "$sim")"
	t_match "$CFG container: the --overlap container step exits 0" 'rc=0' "$OUT"
	off_lwk "$CFG container: the --overlap container never sees an LWK core" "$ana" \
		"$(field lwkcpus "$sim")" "$(cat "$WORK/ctr_sim.out" "$WORK/ctr_ana.out")"
	t_eq "$CFG container: the --overlap container is not told of a partition" "-" "$(field lwk "$ana")"
	restored container
	t_eq "$CFG container: the node's cpuset tree is as before" "$_before" "$(ctr_cg_tree)"
	t_eq "$CFG container: no runc container left" "" "$(runc list -q 2>/dev/null)"
}

# A bundle that would leave the partition: refused by the plugin before the
# step's partition is made, with one line.
sc_container_refused() {
	begin container_refused
	ctr_setup || { t_fail "$CFG container_refused: could not build the bundle"; return; }
	run_to "$CFG container_refused" 60 srun --lwk=cores:1 -n1 --container="$WORK/ctr-abs" /report
	j=$(job_of)
	t_match "$CFG container_refused: srun fails" '^[1-9]' "$RC"
	t_match "$CFG container_refused: one lwk: line naming the setting and the fix" \
		"^lwk: --container .*ctr-abs: linux.cgroupsPath '/escape' in its config.json would place the container outside the LWK partition: remove it$" \
		"$(printf '%s\n' "$OUT" | grep '^lwk:')"
	t_eq "$CFG container_refused: the program never ran" 0 "$(printf '%s\n' "$OUT" | grep -c '^host=')"
	t_eq "$CFG container_refused: no partition was made for the job" 0 \
		"$(cat "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log | grep -c "lwk: job $j step 0: partition")"
	restored container_refused
}

# Charliecloud: ch-run as the task of an LWK step execs in place and stays
# in the partition's own cpuset, on the rank's share.
sc_chrun() {
	begin chrun
	ctr_setup || { t_fail "$CFG chrun: could not build the image"; return; }
	# ch-run needs $USER, which a CI environment may lack
	run_to "$CFG chrun" 60 env USER="$(id -un)" srun --lwk=cores:1 -n1 ch-run "$CTR/rootfs" -- /report
	t_eq "$CFG chrun: srun --lwk ch-run exits 0" 0 "$RC"
	l=$(lines lwk= "$OUT")
	t_match "$CFG chrun: in the partition's own cpuset, LWK_PARTITION inside" \
		'^/lwk/job\.[0-9]+ job\.[0-9]+$' "$(field cpuset "$l") $(field lwk "$l")"
	cpus=$(field cpus "$l")
	if cpus_within "$cpus" "$(field lwkcpus "$l")" && [ "$cpus" = "$(field rankcpus "$l")" ]; then
		t_ok "$CFG chrun: Cpus_allowed_list ($cpus) is the rank's share"
	else
		t_fail "$CFG chrun: Cpus_allowed_list '$cpus' vs LWK_RANK_CPUS '$(field rankcpus "$l")' ($OUT)"
	fi
	restored chrun
}

# An MPI program packaged in an image (tests/mpi_report with the host's Open
# MPI and PMIx, ctr_mpi_bundle) across two emulated nodes:
# srun --mpi=pmix_v4 --lwk lwkrun --container. Each rank reports from inside;
# while the ranks run, each container's process is looked at from the host:
# its node, its cgroup below that node's partition, its CPUs the share.
CTR_MPI_READY=0
ctr_mpi_ready() {
	[ $CTR_MPI_READY = 1 ] && return 0
	ctr_mpi_bundle "$WORK/ctr-mpi" "$WORK/mpi_report" || return 1
	CTR_MPI_READY=1
}

# ctr_mpi_run CMD...: runs the MPI step CMD (at most 120 s), looks at the
# containers from the host while its ranks run; $RC, $OUT, $_seen
ctr_mpi_run() {
	_runc0=$(runc list -q 2>/dev/null | sort)
	timeout 120 "$@" > "$WORK/ctr_mpi.out" 2>&1 &
	_srun=$!
	_i=0
	while [ "$(grep -c '^rank=' "$WORK/ctr_mpi.out")" -lt 2 ] && [ $_i -lt 1200 ] &&
		kill -0 $_srun 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	# from the host: the containers lwkrun started (runc's state is the host's)
	_seen=""
	for _c in $(runc list -q 2>/dev/null | sort | grep -vxF "$_runc0"); do
		_p=$(runc state "$_c" 2>/dev/null | jq -r .pid)
		[ -n "$_p" ] && [ -r "/proc/$_p/status" ] || continue
		_cg=$(sed -n 's/^[0-9]*:[^:]*cpuset[^:]*://p' "/proc/$_p/cgroup")
		_part=$(printf '%s\n' "$_cg" | sed -n 's|^\(/lwk/job\.[0-9]*\)/.*|\1|p')
		_pcpus=$(cat "/sys/fs/cgroup/cpuset$_part/cpuset.cpus" 2>/dev/null)
		_node=$(nsenter -t "$_p" -u hostname 2>/dev/null)
		_cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$_p/status")
		_seen="$_seen$_node cg=$_cg cpus=$_cpus part=$_pcpus
"
	done
	wait $_srun
	RC=$?
	OUT=$(cat "$WORK/ctr_mpi.out")
	[ $RC != 124 ] || t_fail "$CFG $SC: timed out after 120 s: $*"
}

# ctr_mpi_checks WHAT: the ranks' reports and what the host saw
ctr_mpi_checks() {
	t_eq "$CFG $SC: $1 exits 0" 0 "$RC"
	out=$(printf '%s\n' "$OUT" | grep '^rank=' | sort)
	t_eq "$CFG $SC: 2 ranks report from inside, world size 2, on lwkn1 and lwkn2" \
		"2 lwkn1 lwkn2" "$(printf '%s\n' "$out" | grep -c 'size=2') $(printf '%s\n' "$out" | sed -n 's/.* host=\([^ ]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')"
	for r in 0 1; do
		l=$(printf '%s\n' "$out" | grep "^rank=$r ")
		t_match "$CFG $SC: rank $r inside: LWK_PARTITION and a cpuset below the partition's" \
			'^job\.[0-9]+ /lwk/job\.[0-9]+/[^ ]+$' "$(field lwk "$l") $(field cpuset "$l")"
		h=$(field host "$l")
		s=$(printf '%s' "$_seen" | grep "^$h ")
		t_eq "$CFG $SC: rank $r from the host: one container on $h, in the cgroup it reports" \
			"1 cg=$(field cpuset "$l")" "$(printf '%s\n' "$s" | grep -c . | tr -d ' ') $(printf '%s\n' "$s" | tr ' ' '\n' | grep '^cg=')"
		c=$(printf '%s\n' "$s" | tr ' ' '\n' | sed -n 's/^cpus=//p')
		p=$(printf '%s\n' "$s" | tr ' ' '\n' | sed -n 's/^part=//p')
		if [ "$c" = "$(field cpus "$l")" ] && cpus_within "$c" "$p"; then
			t_ok "$CFG $SC: rank $r from the host: CPUs $c, as it reports, within its partition's $p"
		else
			t_fail "$CFG $SC: rank $r from the host: CPUs '$c' (reports '$(field cpus "$l")'), partition '$p' ($s)"
		fi
	done
}

sc_container_mpi() {
	SC=container_mpi
	begin $SC
	ctr_mpi_ready || { t_fail "$CFG $SC: could not build the MPI image"; return; }
	_before=$(ctr_cg_tree)
	ctr_mpi_run srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 "$LWK_BUILDDIR/launcher/lwkrun" \
		--container="$WORK/ctr-mpi" -- /mpi_report 8
	ctr_mpi_checks "srun --mpi=pmix_v4 --lwk lwkrun --container"
	restored $SC
	t_eq "$CFG $SC: the node's cpuset tree is as before" "$_before" "$(ctr_cg_tree)"
	t_eq "$CFG $SC: no runc container left" "$_runc0" "$(runc list -q 2>/dev/null | sort)"
}

# ctr_mpi_refused WHAT LINE: the step failed with one (distinct) lwk: line
# matching LINE on its nodes, before its program ran or a partition was made
ctr_mpi_refused() {
	j=$(job_of)
	t_match "$CFG $SC: $1 fails" '^[1-9]' "$RC"
	t_match "$CFG $SC: one lwk: line, what and why and what to do instead" "$2" \
		"$(printf '%s\n' "$OUT" | grep '^lwk:' | sort -u)"
	t_eq "$CFG $SC: the program never ran" 0 "$(printf '%s\n' "$OUT" | grep -c '^rank=')"
	t_eq "$CFG $SC: no partition was made for the job" 0 \
		"$(cat "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log | grep -c "lwk: job $j step 0: partition")"
}

# The same image through Slurm's own --container (oci.conf: RunTimeRun runs
# lwkrun): srun --mpi=pmix_v4 --lwk --container across two emulated nodes.
# Slurm >= 23.02 writes each task's PMIx variables into its container's
# config.json: the ranks run and report as in container_mpi. Slurm 22.05
# passes none (MPI_Init would fail): refused by the plugin with one line.
sc_container_mpi_native() {
	SC=container_mpi_native
	begin $SC
	ctr_mpi_ready || { t_fail "$CFG $SC: could not build the MPI image"; return; }
	_before=$(ctr_cg_tree)
	if [ "${CTR_SERIES:-0}" -lt 2302 ]; then
		run_to "$CFG $SC" 60 srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 \
			--container="$WORK/ctr-mpi" /mpi_report
		ctr_mpi_refused "srun --mpi=pmix_v4 --lwk --container on Slurm 22.05" \
			"^lwk: --container with --mpi=pmix_v4: this Slurm \(before 23\.02\) passes no PMIx variable into the container, so an MPI program stops in MPI_Init: run 'srun --mpi=pmix_v4 --lwk=\.\.\. lwkrun --container=$WORK/ctr-mpi -- PROGRAM' instead, or --mpi=none for a program that is not MPI \(doc/containers\.md\)$"
		restored $SC
		return
	fi
	ctr_mpi_run srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 --container="$WORK/ctr-mpi" \
		/mpi_report 8
	ctr_mpi_checks "srun --mpi=pmix_v4 --lwk --container"
	restored $SC
	t_eq "$CFG $SC: the node's cpuset tree is as before" "$_before" "$(ctr_cg_tree)"
	t_eq "$CFG $SC: no runc container left" "$_runc0" "$(runc list -q 2>/dev/null | sort)"
}

# Slurm >= 23.02 without ContainerPath: the container spool directory is the
# slurmd's, here a different one on each node (SlurmdSpoolDir has %n), which
# Slurm's PMIx plugin sends to the other nodes as its server's address; the
# ranks would hang in MPI_Init. Refused by the plugin with one line instead.
sc_container_mpi_spool() {
	SC=container_mpi_spool
	begin $SC
	ctr_mpi_ready || { t_fail "$CFG $SC: could not build the MPI image"; return; }
	for _f in "$LWK_CLUSTER_DIR"/etc/oci.conf "$LWK_CLUSTER_DIR"/nodes/*/etc/oci.conf; do
		[ -f "$_f" ] || continue
		cp "$_f" "$_f.keep" && grep -v '^ContainerPath=' "$_f.keep" > "$_f"
	done
	run_to "$CFG $SC" 60 srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 \
		--container="$WORK/ctr-mpi" /mpi_report
	for _f in "$LWK_CLUSTER_DIR"/etc/oci.conf "$LWK_CLUSTER_DIR"/nodes/*/etc/oci.conf; do
		[ -f "$_f.keep" ] && mv "$_f.keep" "$_f"
	done
	ctr_mpi_refused "srun --mpi=pmix_v4 --lwk --container with a spool directory per node" \
		"^lwk: --container with --mpi=pmix_v4 on 2 nodes: no ContainerPath in oci\\.conf and SlurmdSpoolDir '$LWK_CLUSTER_DIR/nodes/%n/spool' differs between nodes, and Slurm's PMIx plugin sends the container's spool path to the other nodes as its server's address: MPI_Init would hang; set ContainerPath in oci\\.conf to one path, the same on every node \\(doc/containers\\.md\\)$"
	restored $SC
}
