# The native backend on cgroup v2 in the guest (sourced by guest-tests.sh):
# a partition over CPUs 2-7 spans both NUMA nodes, with huge pages on each;
# lwk.ko accounts its noise; destroy restores the node.

lwkpart_find() {
	for c in "${LWK_BUILDDIR:-/nonexistent}/tools/lwkpart" "$top/build/tools/lwkpart" \
		"$top/tools/lwkpart"; do
		[ -x "$c" ] && echo "$c" && return
	done
}

# node state a partition changes and must give back
node_state() {
	for f in /proc/irq/*/smp_affinity_list; do echo "$f $(cat $f)"; done
	echo "wq $(cat /sys/devices/virtual/workqueue/cpumask)"
	echo "default $(cat /proc/irq/default_smp_affinity)"
	cat /sys/devices/system/node/node*/hugepages/hugepages-2048kB/nr_hugepages
	cat /sys/fs/cgroup/cgroup.subtree_control
	find /sys/fs/cgroup -mindepth 1 -type d | sort
}

hugepages() { # hugepages NODE
	cat /sys/devices/system/node/node$1/hugepages/hugepages-2048kB/nr_hugepages
}

# Ranks placed by lwkrun over the 6 LWK cores of vm1, from a shell inside it.
lwkpart_ranks() {
	R=$(dirname "$(dirname "$P")")/launcher/lwkrun
	if [ ! -x "$R" ]; then
		t_skip "lwkpart: no launcher/lwkrun next to $P"
		return
	fi
	inside() { sh -c "\"$P\" --statedir $SD attach vm1 \$\$ && exec \"\$@\"" sh "$@"; }
	cpus=$(inside sh -c 'for r in 0 1 2 3; do
		MPI_LOCALRANKID=$r MPI_LOCALNRANKS=4 "$0" -p vm1 --statedir "$1" \
			sh -c "grep Cpus_allowed_list /proc/self/status"; done' "$R" "$SD" |
		awk '{ print $2 }' | tr '\n' ' ')
	echo "# 4 ranks: $cpus"
	t_match "lwkpart: 4 ranks get disjoint shares of 2-7 on both nodes" \
		'^(2|3|2-3) ([0-9-]+ ){2}[0-9-]+ $' "$cpus"
	t_eq "lwkpart: 4 ranks use all 6 cores" "2 3 4 5 6 7" \
		"$(for c in $cpus; do seq ${c%-*} ${c#*-}; done | sort -n | tr '\n' ' ' | sed 's/ $//')"
	if ! command -v mpirun > /dev/null; then
		t_skip "lwkpart: no mpirun (openmpi-bin) for 6 real ranks"
		return
	fi
	cpus=$(inside mpirun --allow-run-as-root --oversubscribe -np 6 "$R" -p vm1 --statedir "$SD" \
		sh -c 'grep Cpus_allowed_list /proc/self/status' 2>&1 | awk '/^Cpus/ { print $2 }' |
		sort -n | tr '\n' ' ')
	t_eq "lwkpart: mpirun -np 6 under lwkrun: one core each" "2 3 4 5 6 7 " "$cpus"
}

lwkpart_tests() {
	echo "# lwkpart at $(cut -d' ' -f1 /proc/uptime)s"
	P=$(lwkpart_find)
	if [ -z "$P" ]; then
		t_skip "lwkpart: tools/lwkpart not built (build the tree or set LWK_BUILDDIR)"
		return
	fi
	SD=/run/lwk-vmtest
	LP() { "$P" --statedir "$SD" "$@"; }
	taskset -cp 0-1 $$ > /dev/null
	before=$(node_state)
	kmod=no
	[ -f "$ko" ] && insmod "$ko" && kmod=yes

	out=$(LP create --cpus 2-7 --mem 64M --pages 2m --id vm1 2>&1)
	t_eq "lwkpart: create --cpus 2-7 --mem 64M on cgroup v2 ($out)" vm1 "$(echo "$out" | tail -n 1)"
	show=$(LP show vm1)
	cg=$(echo "$show" | awk '$1 == "cpuset" { print $2 }')
	t_match "lwkpart: a cpuset under the v2 root" '^/sys/fs/cgroup/' "$cg"
	t_eq "lwkpart: the partitions' parent is an isolated cpuset partition" isolated \
		"$(cat "${cg%/*}/cpuset.cpus.partition" 2>&1)"
	t_eq "lwkpart: the partition is a plain cpuset under it" member \
		"$(cat "$cg/cpuset.cpus.partition" 2>&1)"
	t_eq "lwkpart: effective CPUs" 2-7 "$(cat "$cg/cpuset.cpus.effective" 2>&1)"
	t_eq "lwkpart: memory on both NUMA nodes" 0-1 "$(echo "$show" | awk '$1 == "mems" { print $2 }')"
	t_check "lwkpart: 2M pages reserved on node 0 ($(hugepages 0))" [ "$(hugepages 0)" -gt 0 ]
	t_check "lwkpart: 2M pages reserved on node 1 ($(hugepages 1))" [ "$(hugepages 1)" -gt 0 ]
	t_eq "lwkpart: 64M of 2M pages in all" 32 $(($(hugepages 0) + $(hugepages 1)))
	t_check "lwkpart: the root keeps CPUs 0-1 only" \
		[ "$(cat /sys/fs/cgroup/cpuset.cpus.effective)" = 0-1 ]

	if [ $kmod = yes ]; then
		t_eq "lwkpart: lwk.ko watches the partition's CPUs" 2-7 "$(cat $L/cpus)"
		# Two tasks of the partition on CPU 3: its noise shows preemptions.
		busy 0 2
		for p in $busy_pids; do
			LP attach vm1 "$p" && taskset -cp 3 "$p" > /dev/null
		done
		# A loaded host slows the vCPUs down: wait up to 20 s for the
		# first preemption rather than a fixed second.
		n=0
		while :; do
			sleep 1
			n=$((n + 1))
			report=$(LP show vm1)
			pre=$(echo "$report" | awk '$1 == "3" { print $8 }')
			[ "${pre:-0}" -gt 0 ] 2>/dev/null && break
			[ $n -lt 20 ] || break
		done
		echo "#   CPU 3 after ${n}s, busy tasks on CPUs: $(for p in $busy_pids; do
			sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$p/status; done | tr '\n' ' ')"
		unbusy
		echo "$report" | sed -n '/^lwk: noise/,$p' | sed 's/^/#   /'
		t_match "lwkpart: show prints lwk.ko's noise report" '^lwk: noise of partition vm1 on 6 CPUs \(lwk.ko' \
			"$(echo "$report" | grep '^lwk: noise')"
		t_check "lwkpart: the report shows preemptions on CPU 3" \
			[ "$(echo "$report" | awk '$1 == "3" { print $8 }')" -gt 0 ]
	else
		t_skip "lwkpart: no kmod/lwk.ko to account the partition's noise"
	fi

	lwkpart_ranks

	t_check "lwkpart: destroy" LP destroy vm1
	t_eq "lwkpart: registry empty" "" "$(LP list | sed 1d)"
	[ $kmod = yes ] && t_eq "lwkpart: lwk.ko watches nothing after destroy" "" "$(cat $L/cpus)"
	t_eq "lwkpart: the node is as before (IRQs, workqueues, huge pages, cgroups)" \
		"$before" "$(node_state)"

	# Two partitions at once: one isolated cgroup v2 partition holds both
	# (its CPUs grow and shrink with them), each a plain cpuset of its own.
	ok2=yes
	for a in "vm2a 2-3" "vm2b 4-5"; do
		out=$(LP create --cpus "${a#* }" --id "${a% *}" 2>&1) ||
			{ ok2=no; t_fail "lwkpart: create ${a% *} beside another: $out"; }
	done
	if [ $ok2 = yes ]; then
		t_eq "lwkpart: two partitions: the isolated parent holds both" "isolated 2-5" \
			"$(cat /sys/fs/cgroup/lwk/cpuset.cpus.partition) $(cat /sys/fs/cgroup/lwk/cpuset.cpus.effective)"
		t_eq "lwkpart: two partitions: each has its own CPUs" "2-3 4-5" \
			"$(cat /sys/fs/cgroup/lwk/vm2a/cpuset.cpus.effective) $(cat /sys/fs/cgroup/lwk/vm2b/cpuset.cpus.effective)"
		t_eq "lwkpart: two partitions: the root keeps the rest" 0-1,6-7 \
			"$(cat /sys/fs/cgroup/cpuset.cpus.effective)"
	fi
	t_check "lwkpart: destroy the first of two" LP destroy vm2a
	t_eq "lwkpart: the parent shrinks to the other one" "isolated 4-5 4-5" \
		"$(cat /sys/fs/cgroup/lwk/cpuset.cpus.partition) $(cat /sys/fs/cgroup/lwk/cpuset.cpus.effective) $(cat /sys/fs/cgroup/lwk/vm2b/cpuset.cpus.effective 2>&1)"
	t_check "lwkpart: destroy the second" LP destroy vm2b
	t_eq "lwkpart: the node is as before after two partitions" "$before" "$(node_state)"

	# A node where an earlier slurm-lwk made a partition (its layout: the
	# parent a root partition, each partition an isolated one under it): a
	# partition made beside it takes that layout, and both go cleanly.
	CG=/sys/fs/cgroup/lwk
	if LP create --cpus 2-3 --id vmold > /dev/null 2>&1; then
		echo root > $CG/cpuset.cpus.partition
		echo isolated > $CG/vmold/cpuset.cpus.partition
		t_eq "lwkpart: the earlier layout made by hand" "root isolated" \
			"$(cat $CG/cpuset.cpus.partition) $(cat $CG/vmold/cpuset.cpus.partition)"
		out=$(LP create --cpus 4-5 --id vmnew 2>&1)
		t_eq "lwkpart: create beside a partition of the earlier layout ($out)" vmnew "$(echo "$out" | tail -n 1)"
		t_eq "lwkpart: the new partition takes the earlier layout" "root isolated isolated 2-5" \
			"$(cat $CG/cpuset.cpus.partition) $(cat $CG/vmold/cpuset.cpus.partition) $(cat $CG/vmnew/cpuset.cpus.partition 2>&1) $(cat $CG/cpuset.cpus)"
		t_check "lwkpart: destroy the new one" LP destroy vmnew
		t_check "lwkpart: destroy the earlier one" LP destroy vmold
		t_eq "lwkpart: the node is as before after the earlier layout" "$before" "$(node_state)"
	else
		t_fail "lwkpart: create vmold"
	fi

	# Without lwk.ko the report falls back to /proc counts; reaping a job's
	# partition writes it to report_dir.
	[ $kmod = yes ] && rmmod lwk
	out=$(LP create --cpus 4-7 --mem 16M --id job.77 --owner 77 2>&1)
	t_eq "lwkpart: create on node 1 only ($out)" job.77 "$(echo "$out" | tail -n 1)"
	sleep 0.5
	report=$(LP show job.77)
	t_match "lwkpart: without lwk.ko the report has counts from /proc" \
		'^lwk: noise of partition job.77 on 4 CPUs \(from /proc: counts only' \
		"$(echo "$report" | grep '^lwk: noise')"
	if [ $kmod = yes ]; then
		insmod "$ko"
		t_match "lwkpart: lwk.ko loaded after creation is not trusted for it" \
			'^lwk: noise of partition job.77 on 4 CPUs \(from /proc' \
			"$(LP show job.77 | grep '^lwk: noise')"
		rmmod lwk
	fi
	mkdir -p /tmp/lwk-reports
	printf 'report_dir = /tmp/lwk-reports\n' > /tmp/lwk-vm.conf
	t_check "lwkpart: reap --job 77" "$P" --config /tmp/lwk-vm.conf --statedir "$SD" reap --job 77
	t_match "lwkpart: reap wrote the job's noise report to report_dir" \
		'^lwk: noise of partition job.77 on 4 CPUs' \
		"$(head -n 1 /tmp/lwk-reports/job.77.$(hostname).noise 2>&1)"
	t_eq "lwkpart: registry empty after reap" "" "$(LP list | sed 1d)"
	t_eq "lwkpart: the node is as before again" "$before" "$(node_state)"
}

lwkpart_tests
