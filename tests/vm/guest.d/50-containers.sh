# Containers on a cgroup v2 partition in the guest (sourced by guest-tests.sh;
# issue 11): crun, which cannot start on the host's hybrid cgroup layout,
# and runc, through lwkrun --container, two ranks over CPUs 2-7; a container
# that its runtime moves out is caught from the host and killed. The node's
# cgroup tree is compared before and after.

ctr_vm() {
	P=$(lwkpart_find)
	R=$(dirname "$(dirname "$P")")/launcher/lwkrun
	if [ -z "$P" ] || [ ! -x "$R" ]; then
		t_fail "containers: no lwkpart or launcher/lwkrun (build first)"
		return
	fi
	for x in crun runc jq; do
		command -v $x >/dev/null || { t_fail "containers: $x not installed (contrib/ci/install-deps)"; return; }
	done
	. "$top/tests/containers/images.sh"
	CT=$(mktemp -d /tmp/lwk-vm-ctr.XXXXXX)
	SD=$CT/state
	ctr_bundle "$CT/b" sh -c 'echo cpus=$(grep Cpus_allowed_list /proc/self/status | tr -d "\t " | cut -d: -f2) rank=$LWK_LOCAL_RANK rankcpus=$LWK_RANK_CPUS' ||
		{ t_fail "containers: cannot build the bundle"; return; }
	tree0=$(find /sys/fs/cgroup -mindepth 1 -type d | sort)
	if ! "$P" --statedir "$SD" create --cpus 2-7 --id vmctr >/dev/null 2>"$CT/err"; then
		t_fail "containers: lwkpart create --cpus 2-7: $(cat "$CT/err")"
		return
	fi
	inside() { sh -c "\"$P\" --statedir $SD attach vmctr \$\$ && exec \"\$@\"" sh "$@"; }
	for rt in crun runc; do
		out=$(inside sh -c 'for r in 0 1; do
			MPI_LOCALRANKID=$r MPI_LOCALNRANKS=2 "$0" -p vmctr --statedir "$1" \
				--container="$2" --runtime="$3" || echo "rc=$?"; done' "$R" "$SD" "$CT/b" "$rt" 2>&1)
		echo "# $rt: $(echo $out)"
		t_match "containers: lwkrun --container --runtime=$rt, 2 ranks: each on its own share of 2-7" \
			'^cpus=([2-7]|[2-7]-[2-7]) rank=0 rankcpus=\1 cpus=([2-7]|[2-7]-[2-7]) rank=1 rankcpus=\2$' \
			"$(echo $out)"
	done
	# a runtime that places its container itself (test stand-in: real crun,
	# then the container's init moved to the root cgroup after create):
	# lwkrun sees it from the host and kills it before the program runs
	cat > "$CT/crun-moves" <<-'EOF'
	#!/bin/sh
	crun --cgroup-manager=disabled "$@" || exit $?
	if [ "$1" = create ]; then
		while [ $# -gt 0 ]; do [ "$1" = --pid-file ] && cat "$2" > /sys/fs/cgroup/cgroup.procs; shift; done
	fi
	exit 0
	EOF
	chmod 755 "$CT/crun-moves"
	out=$(inside "$R" -p vmctr --statedir "$SD" --container="$CT/b" --runtime="$CT/crun-moves" 2>&1)
	rc=$?
	t_match "containers: a container moved out of the partition is caught from the host, killed, exit 1" \
		"^1 lwk: the container \(pid [0-9]+\) before its start (is in cgroup [^ ]+, outside the LWK partition's /lwk/vmctr|may run on CPUs [0-9,-]+, not only on the rank's [0-9,-]+): killed" \
		"$rc $(printf '%s\n' "$out" | grep '^lwk:')"
	t_eq "containers: nothing of it runs after" "" "$(crun list -q 2>/dev/null)"
	"$P" --statedir "$SD" destroy vmctr >/dev/null 2>&1 || t_fail "containers: lwkpart destroy vmctr"
	t_eq "containers: the node's cgroup tree is as before" "$tree0" \
		"$(find /sys/fs/cgroup -mindepth 1 -type d | sort)"
	rm -rf "$CT"
}
ctr_vm

# Slurm's --container on the guest's one-node cluster (cgroup v2, where crun
# runs): oci.conf starts the container through lwkrun --runtime=crun; the
# container of an LWK step is in the partition on the rank's share; a bundle
# with an absolute cgroupsPath is refused before a partition is made. The
# guest is as before afterwards.
ctr_vm_slurm() {
	plugin=$(dirname "$(dirname "$P")")/spank/.libs/spank_lwk.so
	for b in /usr/sbin/slurmctld /usr/sbin/slurmd srun; do
		command -v "$b" >/dev/null || { t_fail "containers/slurm: $b not installed (contrib/ci/install-deps)"; return; }
	done
	[ -r "$plugin" ] || { t_fail "containers/slurm: no $plugin (build first)"; return; }
	modprobe bridge 2>/dev/null
	grep -qw "$(hostname)" /etc/hosts 2>/dev/null || echo "127.0.1.1 $(hostname)" >> /etc/hosts
	CS=$(mktemp -d /tmp/lwk-vm-ctrslurm.XXXXXX)
	chmod 755 "$CS"
	ctr_bundle "$CS/b" /report || { t_fail "containers/slurm: cannot build the bundle"; return; }
	cat > "$CS/b/rootfs/report" <<-'EOF'
	#!/bin/sh
	echo "cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status) cgroup=$(sed -n 's/^0:://p' /proc/self/cgroup) lwk=${LWK_PARTITION:--} lwkcpus=${LWK_CPUS:--} rankcpus=${LWK_RANK_CPUS:--}"
	EOF
	chmod 755 "$CS/b/rootfs/report"
	cp -r "$CS/b" "$CS/abs"
	ctr_set_json "$CS/abs" '.linux.cgroupsPath="/escape"'
	LWK_CLUSTER_DIR=$CS/cluster
	LWK_CLUSTER_PLUGSTACK="required $plugin statedir=@D@/lwkstate min_linux_cores=1 lwk_cpus=nohz_full"
	LWK_CLUSTER_OCI="RunTimeQuery=\"crun state %n.%u.%j.%s.%t\"
RunTimeKill=\"crun kill -a %n.%u.%j.%s.%t\"
RunTimeDelete=\"crun delete --force %n.%u.%j.%s.%t\"
RunTimeRun=\"$R --container=%b --runtime=crun --name=%n.%u.%j.%s.%t\""
	export LWK_CLUSTER_DIR LWK_CLUSTER_PLUGSTACK LWK_CLUSTER_OCI
	tree0=$(find /sys/fs/cgroup -mindepth 1 -type d | sort)
	if ! env_out=$(taskset -c "$(cat /sys/devices/system/cpu/online)" \
		"$top/tests/slurm/cluster" start --nodes 0 --config linuxproc 2>"$CS/start.err"); then
		t_fail "containers/slurm: cluster start: $(tail -n 3 "$CS/start.err")"
		unset LWK_CLUSTER_DIR LWK_CLUSTER_PLUGSTACK LWK_CLUSTER_OCI
		return
	fi
	eval "$env_out"
	out=$(timeout 180 srun --exclusive --lwk=cores:2 -n1 --container="$CS/b" /report 2>&1)
	echo "# srun --container: $out"
	l=$(echo "$out" | grep '^cpus=')
	c=${l#cpus=}; c=${c%% *}
	rc=${l##*rankcpus=}
	# crun gives the container a cgroup namespace ("/" inside): lwkrun checked
	# its cgroup from the host before it started
	t_match "containers/slurm: srun --lwk --container (crun via lwkrun): LWK_* of the step's partition inside" \
		'^cpus=[^ ]+ cgroup=[^ ]* lwk=job\.[0-9]+ lwkcpus=[0-9,-]+ rankcpus=[0-9,-]+$' "$l"
	t_eq "containers/slurm: the container's CPUs are the rank's share" "$rc" "$c"
	# Two ranks of one node in containers at once (Slurm 22.05's --container
	# takes one task per node: lwkrun --container in the task instead): each
	# container on its own share of the partition, the two shares disjoint.
	out=$(timeout 240 srun --exclusive --lwk=cores:4 -n2 \
		"$R" --container="$CS/b" --runtime=crun -- /report 2>&1)
	echo "# srun -n2 lwkrun --container: $(echo $out)"
	n=0 all=""
	for l in $(echo "$out" | grep '^cpus=' | tr ' ' '|'); do
		c=${l#cpus=}; c=${c%%|*}
		r=${l##*rankcpus=}
		p=${l##*lwkcpus=}; p=${p%%|*}
		ok=1
		for x in $(slurm_expand "$c"); do
			case " $(slurm_expand "$p")" in *" $x "*) ;; *) ok=0 ;; esac
		done
		if [ "$c" = "$r" ] && [ -n "$c" ] && [ $ok = 1 ]; then
			n=$((n + 1)) all="$all $(slurm_expand "$c")"
		else
			echo "# rank line $l: CPUs $c, share $r, partition $p"
		fi
	done
	t_eq "containers/slurm: srun -n2 --lwk lwkrun --container: two containers at once, each on its own share of the partition" 2 "$n"
	t_eq "containers/slurm: ... the two shares disjoint" \
		"$(printf '%s\n' $all | sort | wc -l | tr -d ' ')" "$(printf '%s\n' $all | sort -u | wc -l | tr -d ' ')"
	out=$(timeout 180 srun --exclusive --lwk=cores:2 -n1 --container="$CS/abs" /report 2>&1)
	t_match "containers/slurm: a bundle with an absolute cgroupsPath is refused with one lwk: line" \
		"^lwk: --container .*abs: linux.cgroupsPath '/escape' in its config.json would place the container outside the LWK partition: remove it$" \
		"$(echo "$out" | grep '^lwk:')"
	t_eq "containers/slurm: ... and never ran" 0 "$(echo "$out" | grep -c '^cpus=')"
	# no ch-run here: the guest runs in a chroot, where the kernel refuses
	# the user namespace ch-run needs (EPERM); tests/slurm covers it on the host
	"$top/tests/slurm/cluster" stop >/dev/null 2>&1 || t_fail "containers/slurm: cluster stop"
	n=0
	while [ $n -lt 100 ] && ls -d /sys/fs/cgroup/lwk/job.* >/dev/null 2>&1; do sleep 0.2; n=$((n + 1)); done
	t_eq "containers/slurm: the guest's cgroup tree is as before" "$tree0" \
		"$(find /sys/fs/cgroup -mindepth 1 -type d | sort)"
	unset LWK_CLUSTER_DIR LWK_CLUSTER_PLUGSTACK LWK_CLUSTER_OCI SLURM_CONF
	rm -rf "$CS"
}
ctr_vm_slurm
