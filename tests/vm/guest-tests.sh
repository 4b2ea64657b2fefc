#!/bin/sh
# Runs inside the test VM (tests/vm/run-vm), as root: checks of the machine
# itself, then one file per area under tests/vm/guest.d/ (sourced in order):
# 10-kmod.sh lwk.ko, 20-lwkpart.sh the native backend on cgroup v2,
# 30-slurm.sh a real one-node Slurm cluster (tests/slurm/cluster) with the
# plugin: srun --lwk=cores:6 -n6 over both NUMA nodes.
# Usage: guest-tests.sh TOP [NAME...]   (TOP: the source tree, as seen from
# the host; NAMEs, e.g. 40-irq, run only those files of guest.d)
top=${1:?usage: guest-tests.sh TOP [NAME...]}
shift
only=" $* "
T_SUITE=guest
. "$top/tests/lib.sh"

if [ "${LWK_VM:-}" != 1 ]; then
	t_fail "guest-tests.sh must run inside tests/vm/run-vm (it loads modules, unplugs CPUs)"
	t_summary
	exit
fi

echo "# machine: $(uname -r), $(nproc) CPUs"
t_eq "vm: 8 CPUs online" 0-7 "$(cat /sys/devices/system/cpu/online)"
t_eq "vm: two NUMA nodes" 0-1 "$(cat /sys/devices/system/node/online)"
t_eq "vm: node 1 holds CPUs 4-7" 4-7 "$(cat /sys/devices/system/node/node1/cpulist)"
t_eq "vm: nohz_full is 2-7" 2-7 "$(cat /sys/devices/system/cpu/nohz_full)"
t_match "vm: cgroup v2 offers cpuset" '(^| )cpuset( |$)' \
	"$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"

for f in "$top"/tests/vm/guest.d/*.sh; do
	[ -f "$f" ] || continue
	[ "$only" = "  " ] || case $only in *" $(basename "$f" .sh) "*) ;; *) continue ;; esac
	echo "# $(basename "$f")"
	. "$f"
done
t_summary
