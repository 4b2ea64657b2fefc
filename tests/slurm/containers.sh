# Container scenarios of tests/slurm/run (issue 11), sourced after
# scenarios.sh: Slurm's own --container (oci.conf in RunTimeRun mode, the
# runtime started through lwkrun, real runc) and Charliecloud's ch-run as the
# task, on LWK steps and beside them. Images are built here from busybox-static
# (tests/containers/images.sh); the report script is copied into them.
#
# Slurm 22.05 runs at most one task per node of a --container step ("unexpected
# number of tasks 2 > 1"): container steps here have one task.

. "$SRCDIR/tests/containers/images.sh"

if command -v runc >/dev/null && command -v ch-run >/dev/null && command -v jq >/dev/null; then
	# the cluster's oci.conf (tests/slurm/cluster puts it beside slurm.conf)
	LWK_CLUSTER_OCI="RunTimeQuery=\"runc state %n.%u.%j.%s.%t\"
RunTimeKill=\"runc kill -a %n.%u.%j.%s.%t\"
RunTimeDelete=\"runc delete --force %n.%u.%j.%s.%t\"
RunTimeRun=\"$LWK_BUILDDIR/launcher/lwkrun --container=%b --name=%n.%u.%j.%s.%t\""
	export LWK_CLUSTER_OCI
	LWK="$LWK container container_refused chrun container_mpi"
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
sc_container_mpi() {
	begin container_mpi
	if [ $CTR_MPI_READY = 0 ]; then
		ctr_mpi_bundle "$WORK/ctr-mpi" "$WORK/mpi_report" ||
			{ t_fail "$CFG container_mpi: could not build the MPI image"; return; }
		CTR_MPI_READY=1
	fi
	_before=$(ctr_cg_tree)
	_runc0=$(runc list -q 2>/dev/null | sort)
	srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 "$LWK_BUILDDIR/launcher/lwkrun" \
		--container="$WORK/ctr-mpi" -- /mpi_report 8 > "$WORK/ctr_mpi.out" 2>&1 &
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
	t_eq "$CFG container_mpi: srun --mpi=pmix_v4 --lwk lwkrun --container exits 0" 0 "$RC"
	out=$(printf '%s\n' "$OUT" | grep '^rank=' | sort)
	t_eq "$CFG container_mpi: 2 ranks report from inside, world size 2, on lwkn1 and lwkn2" \
		"2 lwkn1 lwkn2" "$(printf '%s\n' "$out" | grep -c 'size=2') $(printf '%s\n' "$out" | sed -n 's/.* host=\([^ ]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')"
	for r in 0 1; do
		l=$(printf '%s\n' "$out" | grep "^rank=$r ")
		t_match "$CFG container_mpi: rank $r inside: LWK_PARTITION and a cpuset below the partition's" \
			'^job\.[0-9]+ /lwk/job\.[0-9]+/[^ ]+$' "$(field lwk "$l") $(field cpuset "$l")"
		h=$(field host "$l")
		s=$(printf '%s' "$_seen" | grep "^$h ")
		t_eq "$CFG container_mpi: rank $r from the host: one container on $h, in the cgroup it reports" \
			"1 cg=$(field cpuset "$l")" "$(printf '%s\n' "$s" | grep -c . | tr -d ' ') $(printf '%s\n' "$s" | tr ' ' '\n' | grep '^cg=')"
		c=$(printf '%s\n' "$s" | tr ' ' '\n' | sed -n 's/^cpus=//p')
		p=$(printf '%s\n' "$s" | tr ' ' '\n' | sed -n 's/^part=//p')
		if [ "$c" = "$(field cpus "$l")" ] && cpus_within "$c" "$p"; then
			t_ok "$CFG container_mpi: rank $r from the host: CPUs $c, as it reports, within its partition's $p"
		else
			t_fail "$CFG container_mpi: rank $r from the host: CPUs '$c' (reports '$(field cpus "$l")'), partition '$p' ($s)"
		fi
	done
	restored container_mpi
	t_eq "$CFG container_mpi: the node's cpuset tree is as before" "$_before" "$(ctr_cg_tree)"
	t_eq "$CFG container_mpi: no runc container left" "$_runc0" "$(runc list -q 2>/dev/null | sort)"
}
