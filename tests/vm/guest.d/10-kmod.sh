# lwk.ko in the guest (sourced by guest-tests.sh; $top is the source tree).
# CPU 3 is the watched CPU under test; 1 and 4 stay unwatched; 5 is unplugged.

ko=$top/kmod/lwk.ko
L=/sys/kernel/lwk

# kstat CPU NAME [FIELD]: a counter of cpuN/stats (FIELD 2 count, 3 ns, 4 max)
kstat() {
	awk -v n="$2" -v f="${3:-2}" '$1 == n { print $f; found = 1 } END { if (!found) print 0 }' \
		"$L/cpu$1/stats"
}

# kirq CPU IRQ: the count of IRQ in cpuN/irqs (0 if absent)
kirq() {
	awk -v n="$2" '$1 == n { c = $2 } END { print c + 0 }' "$L/cpu$1/irqs"
}

# psnap CPU IRQ: "LOC RES CAL IRQ" of CPU in /proc/interrupts, whose
# columns follow the header (it lists online CPUs only).
psnap() {
	awk -v cpu="CPU$1" -v irq="$2:" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == cpu) col = i + 1; next }
		!col { next }
		$1 == "LOC:" { l = $col }
		$1 == "RES:" { r = $col }
		$1 == "CAL:" { c = $col }
		$1 == irq { q = $col }
		END { print l + 0, r + 0, c + 0, q + 0 }' /proc/interrupts
}

# ksnap CPU IRQ: the module's "timer reschedule call-function IRQ" counts
ksnap() {
	awk -v irq="$2" '
		FILENAME ~ /stats$/ && $1 == "vector.local_timer" { t = $2 }
		FILENAME ~ /stats$/ && $1 == "vector.reschedule" { r = $2 }
		FILENAME ~ /stats$/ && $1 ~ /^vector.call_function/ { c += $2 }
		FILENAME ~ /irqs$/ && $1 == irq { q = $2 }
		END { print t + 0, r + 0, c + 0, q + 0 }' $L/cpu$1/stats $L/cpu$1/irqs
}

# snap CPU IRQ: psnap then ksnap, read while /proc/interrupts stays the same
# (retried), so that both sides describe the same moment.
snap() {
	for _try in 1 2 3 4 5 6 7 8; do
		_p1=$(psnap $1 $2)
		_k=$(ksnap $1 $2)
		[ "$_p1" = "$(psnap $1 $2)" ] && break
	done
	echo "$_p1 $_k"
}

busy_pids=
# kwait_preempt CPU N: waits (up to 20 s) until lwk.ko counted at least N
# preemptions on CPU. A loaded host slows the vCPUs down, so tests wait for
# what they expect instead of trusting a fixed sleep.
kwait_preempt() {
	_w=100
	while [ "$(kstat "$1" preempt)" -lt "$2" ] && [ $_w -gt 0 ]; do
		_w=$((_w - 1))
		sleep 0.2
	done
}

busy() { # busy CPU N: N spinning shells pinned to CPU
	for _i in $(seq "$2"); do
		taskset -c "$1" sh -c 'while :; do :; done' &
		busy_pids="$busy_pids $!"
	done
}
unbusy() {
	[ -n "$busy_pids" ] && kill $busy_pids 2>/dev/null
	wait $busy_pids 2>/dev/null
	busy_pids=
}

kmod_tests() {
	if [ ! -f "$ko" ]; then
		t_skip "kmod: $ko not built (tests/vm/run builds it: make -C kmod)"
		return
	fi
	dmesg -c > /dev/null
	# Keep this shell and its helpers off the CPUs under test.
	taskset -cp 0-1 $$ > /dev/null

	t_check "kmod: insmod lwk.ko" insmod "$ko"
	if [ ! -d $L ]; then
		t_fail "kmod: $L missing after insmod"
		return
	fi
	t_match "kmod: features" '^irq softirq preempt timer ipi vector' "$(cat $L/features)"
	t_eq "kmod: nothing watched at load" "" "$(cat $L/cpus)"
	t_eq "kmod: a directory per possible CPU" 8 "$(ls -d $L/cpu[0-9]* | wc -l)"

	echo 3 > $L/cpus
	echo 5-6 > $L/watch
	t_eq "kmod: watch adds" "3,5-6" "$(cat $L/cpus)"
	echo 6 > $L/unwatch
	t_eq "kmod: unwatch removes" "3,5" "$(cat $L/cpus)"
	if echo 64 > $L/cpus 2>/dev/null; then r=accepted; else r=rejected; fi
	t_eq "kmod: a CPU that cannot exist is rejected" rejected "$r"
	if echo 3-x > $L/watch 2>/dev/null; then r=accepted; else r=rejected; fi
	t_eq "kmod: a malformed list is rejected" rejected "$r"
	t_eq "kmod: rejected writes leave the set alone" "3,5" "$(cat $L/cpus)"

	kmod_irq_tests
	kmod_sched_tests
	kmod_unwatched_tests
	kmod_hotplug_tests
	kmod_unload_tests

	# (Warnings about slow vCPUs, e.g. from sched_tick_remote, are TCG's.)
	t_eq "kmod: no kernel bug, and no warning in lwk.ko" "" \
		"$(dmesg | grep -E '\[lwk\]|BUG:|Oops|general protection|lwk: ' |
			grep -vE 'taints kernel|module verification failed' | head -n 3)"
}

# Interrupts of a quiet virtio device directed at CPU 3.
kmod_irq_tests() {
	echo "# irq at $(cut -d' ' -f1 /proc/uptime)s"
	dev=$(grep -lx lwkirq /sys/bus/virtio/devices/virtio*/mount_tag 2>/dev/null | head -n 1)
	dev=${dev%/mount_tag}
	irq=$(awk -v d="${dev##*/}-requests" '$NF == d { sub(":", "", $1); print $1 }' /proc/interrupts)
	if [ -z "$irq" ]; then
		t_fail "kmod: no IRQ for the lwkirq 9p device"
		return
	fi
	old_aff=$(cat /proc/irq/$irq/smp_affinity_list)
	echo 3 > /proc/irq/$irq/smp_affinity_list
	t_eq "kmod: IRQ $irq steered to CPU 3" 3 "$(cat /proc/irq/$irq/smp_affinity_list)"
	sleep 0.2
	echo 3 > $L/reset
	t_eq "kmod: reset clears the IRQ count" 0 "$(kirq 3 $irq)"
	t_eq "kmod: reset clears preemptions" 0 "$(kstat 3 preempt)"

	set -- $(snap 3 $irq)
	for i in $(seq 40); do
		read -r x < /run/lwk-irq/file
	done
	sleep 0.2
	set -- "$@" $(snap 3 $irq)
	# $1..$4 /proc before, $5..$8 module before, $9..$12 /proc after, ...
	t_check "kmod: 40 reads raised IRQ $irq on CPU 3 at least 40 times ($((${12} - $4)))" \
		[ $((${12} - $4)) -ge 40 ]
	t_eq "kmod: IRQ $irq count matches /proc/interrupts" $((${12} - $4)) $((${16} - $8))
	t_eq "kmod: local timer count matches LOC" $(($9 - $1)) $((${13} - $5))
	t_eq "kmod: reschedule IPIs match RES" $((${10} - $2)) $((${14} - $6))
	t_eq "kmod: function-call IPIs match CAL" $((${11} - $3)) $((${15} - $7))
	t_check "kmod: IRQ time accounted ($(kstat 3 irq 3) ns, max $(kstat 3 irq 4))" \
		[ "$(kstat 3 irq 3)" -gt 0 -a "$(kstat 3 irq 4)" -gt 0 ]
	t_check "kmod: per-kind irq total >= IRQ $irq count" \
		[ "$(kstat 3 irq)" -ge "$(kirq 3 $irq)" ]
	echo "$old_aff" > /proc/irq/$irq/smp_affinity_list
	echo "# cpu3 after the IRQ test:"; sed 's/^/#   /' $L/cpu3/stats | grep -v ' 0 0 0$'
}

# A competing task, cross-CPU wakeups and softirqs on CPU 3.
kmod_sched_tests() {
	echo "# sched at $(cut -d' ' -f1 /proc/uptime)s"
	echo 3 > $L/reset
	busy 3 2
	sleep 1
	kwait_preempt 3 10
	# The scheduler's own account: time these tasks waited while runnable.
	wait_ns=0
	for p in $busy_pids; do
		wait_ns=$((wait_ns + $(cut -d' ' -f2 /proc/$p/schedstat)))
	done
	ns=$(kstat 3 preempt 3)
	unbusy
	n=$(kstat 3 preempt)
	t_check "kmod: two tasks on CPU 3 preempt each other ($n times)" [ "$n" -ge 10 ]
	t_check "kmod: preemption time $((ns / 1000000)) ms ~ run delay $((wait_ns / 1000000)) ms" \
		[ $((ns * 2)) -ge "$wait_ns" -a $((ns * 2)) -le $((wait_ns * 3 + 100000000)) ]
	t_check "kmod: softirqs on a loaded CPU ($(kstat 3 softirq))" [ "$(kstat 3 softirq)" -gt 0 ]
	t_check "kmod: ticks on a loaded nohz_full CPU ($(kstat 3 timer))" [ "$(kstat 3 timer)" -gt 0 ]

	# Ping-pong between CPU 1 and CPU 3: every message wakes the task on 3.
	mkfifo /tmp/lwk-ab /tmp/lwk-ba
	taskset -c 3 sh -c 'while read -r x; do echo "$x"; done < /tmp/lwk-ab > /tmp/lwk-ba' &
	pong=$!
	sleep 0.2
	set -- $(snap 3 0)
	taskset -c 1 sh -c 'exec 3> /tmp/lwk-ab 4< /tmp/lwk-ba; i=0
		while [ $i -lt 100 ]; do echo $i >&3; read -r y <&4; i=$((i + 1)); done'
	wait $pong
	rm -f /tmp/lwk-ab /tmp/lwk-ba
	sleep 0.2
	set -- "$@" $(snap 3 0)
	ipi=$((${14} + ${15} - $6 - $7))
	t_check "kmod: wakeups from CPU 1 send IPIs to CPU 3 ($ipi)" [ "$ipi" -ge 50 ]
	t_eq "kmod: IPI count matches RES + CAL" $((${10} + ${11} - $2 - $3)) "$ipi"
}

kmod_unwatched_tests() {
	echo "# unwatched at $(cut -d' ' -f1 /proc/uptime)s"
	loc=$(psnap 1 0 | cut -d' ' -f1)
	busy 1 1
	busy 4 2
	sleep 1
	unbusy
	t_check "kmod: CPU 1 was interrupted meanwhile" [ "$(psnap 1 0 | cut -d' ' -f1)" -gt "$loc" ]
	for c in 1 4; do
		t_eq "kmod: CPU $c (unwatched) counts nothing" "" \
			"$(awk '$2 != 0 || $3 != 0' $L/cpu$c/stats; cat $L/cpu$c/irqs)"
	done
}

kmod_hotplug_tests() {
	echo "# hotplug at $(cut -d' ' -f1 /proc/uptime)s"
	cpu5=/sys/devices/system/cpu/cpu5/online
	busy 5 2
	sleep 0.5
	kwait_preempt 5 1
	echo 0 > $cpu5
	t_eq "kmod: CPU 5 offline while watched and loaded" 0 "$(cat $cpu5)"
	t_eq "kmod: the watched set keeps an offline CPU" "3,5" "$(cat $L/cpus)"
	n5=$(kstat 5 preempt)
	t_check "kmod: counters of CPU 5 readable offline ($n5 preemptions)" [ "$n5" -gt 0 ]
	unbusy
	echo 5 > $L/reset
	echo 1 > $cpu5
	t_eq "kmod: CPU 5 back online" 1 "$(cat $cpu5)"
	busy 5 2
	sleep 0.5
	kwait_preempt 5 1
	unbusy
	t_check "kmod: CPU 5 counts again after hotplug ($(kstat 5 preempt))" \
		[ "$(kstat 5 preempt)" -gt 0 ]
	max=$(kstat 5 preempt 4)
	t_check "kmod: no stale interval across hotplug (max $((max / 1000000)) ms)" \
		[ "$max" -lt 1000000000 ]
}

# Unload with CPUs watched and readers racing; hotplug without the module.
kmod_unload_tests() {
	echo "# unload at $(cut -d' ' -f1 /proc/uptime)s"
	readers=
	for i in 1 2; do
		sh -c 'while :; do cat /sys/kernel/lwk/cpu*/stats /sys/kernel/lwk/cpu*/irqs \
			/sys/kernel/lwk/cpus > /dev/null 2>&1; done' &
		readers="$readers $!"
	done
	busy 3 2
	ok=0
	for i in $(seq 3); do
		if [ ! -d $L ]; then
			insmod "$ko" || break
			echo 2-7 > $L/cpus || break
		fi
		echo 6 > $L/unwatch; echo 6 > $L/watch; echo 2-3 > $L/reset
		rmmod lwk || break
		ok=$((ok + 1))
	done
	kill $readers
	wait $readers 2>/dev/null
	unbusy
	t_eq "kmod: 3 load/watch/unload cycles under load and readers" 3 "$ok"
	t_check "kmod: module gone" [ ! -d $L ]
	echo 0 > /sys/devices/system/cpu/cpu5/online
	insmod "$ko" && echo 2-7 > $L/cpus
	echo 1 > /sys/devices/system/cpu/cpu5/online
	t_eq "kmod: CPU 5 watched after coming online under the module" 2-7 "$(cat $L/cpus)"
	t_check "kmod: rmmod with CPUs watched" rmmod lwk
}

kmod_tests
