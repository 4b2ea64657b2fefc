# A real Slurm cluster in the guest (sourced by guest-tests.sh): one node, the
# guest itself (8 CPUs, 2 NUMA nodes, nohz_full=2-7, cgroup v2), started by
# tests/slurm/cluster with spank_lwk.so and lwk.ko loaded. srun --lwk=cores:6
# -n6 runs beside a non-LWK step of the same job; the ranks report where they
# run, the step reports its noise, and the node is restored afterwards.

# What a task sees, one line; with an argument, then waits for that file.
slurm_report_prog() {
	cat > "$1" <<-'EOF'
	#!/bin/sh
	printf 'rank=%s cpus=%s mems=%s policy=%s cgroup=%s lwk=%s lwkcpus=%s rankcpus=%s rankmems=%s\n' \
		"${SLURM_PROCID:--}" "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)" \
		"$(sed -n 's/^Mems_allowed_list:[[:space:]]*//p' /proc/self/status)" \
		"$(awk 'NR == 1 { print $2 }' /proc/self/numa_maps)" "$(sed -n 's/^0:://p' /proc/self/cgroup)" \
		"${LWK_PARTITION:--}" "${LWK_CPUS:--}" "${LWK_RANK_CPUS:--}" "${LWK_RANK_MEMS:--}"
	n=0
	while [ -n "${1:-}" ] && [ ! -e "$1" ] && [ $n -lt 900 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	EOF
	chmod 755 "$1"
}

# The job (run by salloc): the LWK step, then, once its 6 ranks have
# reported, a non-LWK step beside it (--overlap); then the LWK step ends.
slurm_job_prog() {
	cat > "$1" <<-'EOF'
	#!/bin/sh
	W=$1
	srun --lwk=cores:6 -n6 "$W/report" "$W/go" > "$W/sim.out" 2> "$W/sim.err" &
	sim=$!
	n=0
	while [ "$(grep -c '^rank=' "$W/sim.out" 2>/dev/null)" != 6 ] && kill -0 $sim 2>/dev/null &&
		[ $n -lt 900 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	cg=/sys/fs/cgroup$(sed -n 's/.* cgroup=\([^ ]*\).*/\1/p' "$W/sim.out" | head -n 1)
	echo "partition=$(cat "${cg%/*}/cpuset.cpus.partition" 2>&1)/$(cat "$cg/cpuset.cpus.partition" 2>&1) effective=$(cat "$cg/cpuset.cpus.effective" 2>&1) root=$(cat /sys/fs/cgroup/cpuset.cpus.effective) wq=$(cat /sys/devices/virtual/workqueue/cpumask) irq=$(cat /proc/irq/default_smp_affinity)" > "$W/part.out"
	srun --overlap -n2 "$W/report" > "$W/ana.out" 2>&1
	echo "analytics rc=$?"
	touch "$W/go"
	wait $sim
	echo "sim rc=$?"
	EOF
	chmod 755 "$1"
}

# node state an LWK job changes and must give back
# (one grep for all: every process costs under TCG)
slurm_node_state() {
	grep -H '' /proc/irq/*/smp_affinity_list /sys/devices/virtual/workqueue/cpumask \
		/proc/irq/default_smp_affinity /sys/fs/cgroup/cpuset.cpus.effective \
		/sys/fs/cgroup/cgroup.subtree_control /sys/kernel/lwk/cpus 2> /dev/null
	find /sys/fs/cgroup -mindepth 1 -type d | sort
}

# what an LWK job may leave behind: registry records (the node baseline goes
# last), partition cgroups; not the node's topology cache (lwk/topo_cache.h)
slurm_left() {
	ls "$LWK_CLUSTER_DIR/lwkstate" 2> /dev/null | grep -v -e '^lock$' -e '^topology\.xml$' | tr '\n' ' '
	ls -d /sys/fs/cgroup/lwk/job.* 2> /dev/null | tr '\n' ' '
}

# CPU list -> words
slurm_expand() {
	printf '%s\n' "$1" | tr ',' '\n' | while IFS=- read -r _a _b; do
		case $_a in '' | *[!0-9]*) continue ;; esac
		seq "$_a" "${_b:-$_a}"
	done | tr '\n' ' '
}

# Sets r c pol cg lwk lc rc rm from a report line, without a fork (every
# process costs under TCG).
slurm_parse() {
	r= c= pol= cg= lwk= lc= rc= rm=
	for _kv in $1; do
		case $_kv in
		rank=*) r=${_kv#*=} ;;
		cpus=*) c=${_kv#*=} ;;
		policy=*) pol=${_kv#*=} ;;
		cgroup=*) cg=${_kv#*=} ;;
		lwk=*) lwk=${_kv#*=} ;;
		lwkcpus=*) lc=${_kv#*=} ;;
		rankcpus=*) rc=${_kv#*=} ;;
		rankmems=*) rm=${_kv#*=} ;;
		esac
	done
}

# Sets n to the NUMA node of CPU $1 in $numa (" CPU:NODE ...").
slurm_node() {
	n=${numa#* $1:}
	n=${n%% *}
}

# Asserts on what the job's tasks and the step's noise report said.
slurm_check_job() {
	W=$1
	sim=$(grep '^rank=' "$W/sim.out")
	ana=$(grep '^rank=' "$W/ana.out")
	printf '%s\n%s\n' "$sim" "$ana" | sed 's/^/#   /'
	sed 's/^/#   /' "$W/part.out"
	t_match "slurm: both steps exit 0" 'analytics rc=0 sim rc=0' \
		"$(echo "$OUT" | grep -E '^(analytics|sim) rc=' | tr '\n' ' ')"
	numa=" "
	for _n in /sys/devices/system/node/node[0-9]*; do
		for _c in $(slurm_expand "$(cat "$_n/cpulist")"); do numa="$numa$_c:${_n##*node} "; done
	done

	ranks= parts= lwks= cgs= seen= bad= nodes=
	first=$(echo "$sim" | head -n 1)
	slurm_parse "$first"
	part=$lwk
	lwkcpus=$lc
	lwkset=" $(slurm_expand "$lwkcpus")"
	lwkset=${lwkset% }
	for c in $lwkset; do
		slurm_node $c
		case " $nodes " in *" $n "*) ;; *) nodes="$nodes${nodes:+ }$n" ;; esac
	done
	# one CPU each, distinct, inside the partition, memory on its NUMA node
	while read -r l; do
		slurm_parse "$l"
		ranks="$ranks $r"
		[ "$lwk" = "$part" ] || bad="$bad rank $r in partition $lwk, not $part;"
		[ "$lc" = "$lwkcpus" ] || bad="$bad rank $r has LWK_CPUS=$lc, not $lwkcpus;"
		[ "$cg" = "/lwk/$part" ] || bad="$bad rank $r in cgroup $cg;"
		case $c in '' | *[!0-9]*) bad="$bad rank $r on '$c', not one CPU;"; continue ;; esac
		case "$seen " in *" $c "*) bad="$bad rank $r shares CPU $c;" ;; esac
		seen="$seen $c"
		case "$lwkset " in *" $c "*) ;; *) bad="$bad rank $r on $c outside $lwkcpus;" ;; esac
		[ "$c" = "$rc" ] || bad="$bad rank $r on $c but LWK_RANK_CPUS=$rc;"
		slurm_node $c
		[ "$pol" = "bind:$n" ] || bad="$bad rank $r on CPU $c (node $n) has memory policy $pol;"
		[ "$rm" = "$n" ] || bad="$bad rank $r on CPU $c (node $n) has LWK_RANK_MEMS=$rm;"
	done <<-EOF
	$sim
	EOF
	t_eq "slurm: 6 LWK ranks report" " 0 1 2 3 4 5" "$(echo $ranks | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/^/ /; s/ $//')"
	t_match "slurm: the ranks are told their partition ($part)" '^job\.[0-9]+$' "$part"
	t_eq "slurm: the partition is the nohz_full CPUs ($nohz)" " $(slurm_expand "$nohz" | sed 's/ $//')" "$lwkset"
	t_eq "slurm: the partition spans both NUMA nodes" "0 1" "$nodes"
	t_match "slurm: the partition is a cpuset of its own CPUs in the isolated v2 partition" \
		"^partition=isolated/member effective=$lwkcpus root=" "$(cat "$W/part.out")"
	# while the step ran: unbound workqueues and new IRQs on the Linux CPUs only
	linux=0
	for c in $(slurm_expand "$(cat /sys/devices/system/cpu/online)"); do
		case "$lwkset " in *" $c "*) ;; *) linux=$((linux | (1 << c))) ;; esac
	done
	pout=$(cat "$W/part.out")
	wq=${pout##* wq=}
	wq=${wq%% *}
	irq=${pout##* irq=}
	t_eq "slurm: during the step, workqueues and default IRQ affinity exclude the LWK CPUs" \
		"$linux $linux" "$((0x${wq:-0})) $((0x${irq:-0}))"
	t_eq "slurm: 6 ranks on 6 distinct LWK CPUs in the partition's cgroup, each with its memory bound to its CPU's NUMA node" \
		"" "$bad"

	# the non-LWK step beside it
	t_eq "slurm: 2 non-LWK tasks report" 2 "$(echo "$ana" | grep -c '^rank=')"
	bad= cpus=
	while read -r l; do
		slurm_parse "$l"
		cpus="$cpus $c"
		[ "$lwk" = - ] || bad="$bad told of partition $lwk;"
		for x in $(slurm_expand "$c"); do
			case "$lwkset " in *" $x "*) bad="$bad on LWK CPU $x;" ;; esac
		done
	done <<-EOF
	$ana
	EOF
	t_eq "slurm: the --overlap tasks ($cpus) never see an LWK CPU nor a partition" "" "$bad"

	# the step's noise report on its stderr
	err=$(cat "$W/sim.err")
	echo "$err" | sed 's/^/#   /'
	sum=$(echo "$err" | grep '^lwk: job [0-9]* step 0 on ')
	t_match "slurm: the step's stderr has its noise summary, timed by lwk.ko" \
		"^lwk: job [0-9]+ step 0 on $(hostname): [0-9]+ interruptions? of 6 LWK CPUs in [0-9.]+ s, [0-9.]+ % of their time \(worst" \
		"$sum"
	t_match "slurm: then lwk.ko's per-CPU table" "^lwk: noise of partition $part on 6 CPUs \(lwk.ko" \
		"$(echo "$err" | grep '^lwk: noise of partition')"
	t_eq "slurm: the table's preempt column has a number for each LWK CPU" "$lwkset" \
		"$(echo "$err" | awk '$1 == "cpu" && $8 == "preempt" { t = 1; next }
			t && $1 ~ /^[0-9]+$/ && $8 ~ /^[0-9]+$/ { printf " %s", $1 }')"
}

slurm_vm_tests() {
	echo "# slurm at $(cut -d' ' -f1 /proc/uptime)s"
	for b in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged srun salloc sinfo ip unshare; do
		if ! command -v "$b" > /dev/null; then
			t_skip "slurm: $b not installed (contrib/ci/install-deps)"
			return
		fi
	done
	plugin=
	for c in "${LWK_BUILDDIR:-/nonexistent}" "$top/build" "$top"; do
		[ -r "$c/spank/.libs/spank_lwk.so" ] || continue
		plugin=$c/spank/.libs/spank_lwk.so
		lwkpart=$c/tools/lwkpart
		break
	done
	if [ -z "$plugin" ]; then
		t_skip "slurm: spank_lwk.so not built (build the tree or set LWK_BUILDDIR)"
		return
	fi
	if [ ! -f "$top/kmod/lwk.ko" ]; then
		t_skip "slurm: no kmod/lwk.ko (tests/vm/run builds it)"
		return
	fi
	nohz=$(cat /sys/devices/system/cpu/nohz_full)

	# The cluster's controller listens on a bridge address (the harness
	# gives emulated nodes one); slurmd and srun want the name resolved.
	modprobe bridge 2> /dev/null
	grep -qw "$(hostname)" /etc/hosts 2> /dev/null ||
		echo "127.0.1.1 $(hostname)" >> /etc/hosts 2> /dev/null

	SW=$(mktemp -d /tmp/lwk-vmslurm.XXXXXX)
	chmod 755 "$SW"
	slurm_report_prog "$SW/report"
	slurm_job_prog "$SW/job"
	LWK_CLUSTER_DIR=$SW/cluster
	mkdir -p "$LWK_CLUSTER_DIR"
	cat > "$LWK_CLUSTER_DIR/epilog" <<-EOF
	#!/bin/sh
	LWKPART=$lwkpart LWK_STATEDIR=\$(dirname "\$0")/lwkstate exec "$top/contrib/slurm/epilog"
	EOF
	chmod 755 "$LWK_CLUSTER_DIR/epilog"
	# the site policy of a node booted nohz_full: only those CPUs may be LWK
	# cores (lwk_cpus=nohz_full reads them from the running kernel)
	LWK_CLUSTER_PLUGSTACK="required $plugin statedir=@D@/lwkstate min_linux_cores=1 lwk_cpus=nohz_full"
	LWK_CLUSTER_EPILOG=@D@/epilog
	export LWK_CLUSTER_DIR LWK_CLUSTER_PLUGSTACK LWK_CLUSTER_EPILOG

	before_cluster=$(slurm_node_state)
	t_check "slurm: insmod lwk.ko (the step's report is then timed)" insmod "$top/kmod/lwk.ko"
	# the daemons (and so the steps) get every CPU, not this shell's 0-1
	t0=$(date +%s)
	if env_out=$(LWK_CLUSTER_KEEP=1 taskset -c "$(cat /sys/devices/system/cpu/online)" \
		"$top/tests/slurm/cluster" start --nodes 0 --config linuxproc 2> "$SW/start.err"); then
		eval "$env_out"
		t_ok "slurm: a one-node cluster on the guest starts ($(($(date +%s) - t0)) s)"
		sinfo -h -N -p host -o '%N %c %z %t' | sed 's/^/#   node: /'
		before=$(slurm_node_state)
		t0=$(date +%s)
		OUT=$(timeout 240 salloc --exclusive -n6 "$SW/job" "$SW" 2>&1)
		echo "#   salloc exit $? after $(($(date +%s) - t0)) s"
		slurm_check_job "$SW"
		if ! echo "$OUT" | grep -q '^sim rc=0'; then
			echo "$OUT" | sed 's/^/#   salloc: /'
			tail -n 20 "$LWK_CLUSTER_DIR/nodes/$(hostname)/slurmd.log" | sed 's/^/#   slurmd: /'
		fi
		n=0
		while [ $n -lt 100 ] && [ -n "$(slurm_left)" ]; do
			sleep 0.2
			n=$((n + 1))
		done
		t_eq "slurm: after the job, no partition left (registry, cgroups)" "" "$(slurm_left)"
		t_eq "slurm: after the job, the node is as before (IRQs, workqueues, cgroups, lwk.ko)" \
			"$before" "$(slurm_node_state)"
		echo "# slurm: stopping the cluster at $(cut -d' ' -f1 /proc/uptime)s"
		"$top/tests/slurm/cluster" stop || t_fail "slurm: cluster stop"
	else
		t_fail "slurm: cluster start on the guest: $(cat "$SW/start.err")"
		for f in "$LWK_CLUSTER_DIR"/ctld/slurmctld.log "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log; do
			[ -f "$f" ] && tail -n 15 "$f" | sed "s|^|#   ${f##*/}: |"
		done
	fi
	rmmod lwk 2> /dev/null
	t_eq "slurm: after the cluster, the guest is as before" "$before_cluster" "$(slurm_node_state)"
	echo "# slurm: done at $(cut -d' ' -f1 /proc/uptime)s"
	rm -rf "$SW"
	unset LWK_CLUSTER_DIR LWK_CLUSTER_PLUGSTACK LWK_CLUSTER_EPILOG SLURM_CONF
}

slurm_vm_tests
