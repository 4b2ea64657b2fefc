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
