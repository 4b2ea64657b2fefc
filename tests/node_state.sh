# tests/node_state.sh: the node-state snapshot the root suites compare
# against (tests/root/run, tests/pbs/run). Source it after tests/lib.sh.
#   node_snap              prints what a partition changes and must restore:
#                          IRQ masks, default IRQ affinity, workqueue mask,
#                          huge page pools, the root cpuset's files and the
#                          LWK cpusets, and the calling shell's own cpuset and
#                          affinity. What other processes change on their own
#                          (tasks, other cpusets) is left out.
#   node_same NAME FILE    t_ok if the node equals snapshot FILE, else t_fail
#                          with the first differences; a suite may define
#                          node_interference (prints a note on why the node
#                          may have moved under it) to be added to the failure.
# NODE_CGV is 1 (cpuset v1 at /sys/fs/cgroup/cpuset), 2 (cgroup v2 with the
# cpuset controller) or empty (no cpuset controller).

NODE_CG1=/sys/fs/cgroup/cpuset
NODE_CG2=/sys/fs/cgroup
if [ -e $NODE_CG1/cpuset.cpus ]; then
	NODE_CGV=1
elif grep -qw cpuset $NODE_CG2/cgroup.controllers 2>/dev/null; then
	NODE_CGV=2
else
	NODE_CGV=
fi

node_snap() {
	for _f in /proc/irq/*/smp_affinity_list; do
		printf '%s %s\n' "$_f" "$(cat "$_f")"
	done
	printf 'default_smp_affinity %s\n' "$(cat /proc/irq/default_smp_affinity 2>/dev/null)"
	printf 'wq %s\n' "$(cat /sys/devices/virtual/workqueue/cpumask 2>/dev/null)"
	for _f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
		printf '%s %s\n' "$_f" "$(cat "$_f")"
	done
	if [ "$NODE_CGV" = 1 ]; then
		for _f in cpus mems sched_load_balance cpu_exclusive; do
			printf 'root %s %s\n' $_f "$(cat $NODE_CG1/cpuset.$_f)"
		done
		ls -d $NODE_CG1/lwk $NODE_CG1/lwk.linux 2>/dev/null
	elif [ "$NODE_CGV" = 2 ]; then
		printf 'subtree %s\n' "$(cat $NODE_CG2/cgroup.subtree_control)"
		ls -d $NODE_CG2/lwk 2>/dev/null
	fi
	# the calling shell's cpuset and affinity come back too
	printf 'self %s %s\n' "$(cat /proc/self/cpuset)" \
		"$(grep Cpus_allowed_list /proc/self/status | cut -f2)"
}

node_same() {
	_now=$(node_snap)
	if [ "$_now" = "$(cat "$2")" ]; then
		t_ok "$1"
	else
		_why=
		command -v node_interference >/dev/null 2>&1 && _why=$(node_interference)
		t_fail "$1: node differs from before: $(printf '%s\n' "$_now" | diff "$2" - | grep '^[<>]' | head -4 | tr '\n' ' ')${_why:+ ($_why)}"
	fi
}
