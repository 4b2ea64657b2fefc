# Unmovable interrupts in the guest (sourced by guest-tests.sh). run-vm
# boots with isolcpus=managed_irq,2-7 and gives the guest a virtio-blk disk
# with several request queues, whose IRQs the kernel manages (user space
# cannot move them). Checked against what the guest's kernel reports:
# - managed_irq keeps each queue IRQ off 2-7 when the queue's CPUs include
#   a housekeeping CPU (0-1); a queue whose CPUs are all isolated stays there;
# - lwkpart check names the CPUs where they land, as the kernel reports;
# - lwkpart create --cores picks LWK cores free of them while it can;
# - the disk's interrupts show up by name in /proc deltas (the noise
#   report's sources) on the CPU that takes them;
# - with no LWK-capable CPU free of them, placement takes the CPU of an idle
#   queue over a busy one, and follows when the other queue gets busier.

irq_list() {	# irq_list "LIST,LIST,...": one sorted comma list
	python3 -c 'import sys
s=set()
for p in sys.argv[1].split(","):
    if not p: continue
    a,_,b=p.partition("-"); s.update(range(int(a),int(b or a)+1))
print(",".join(map(str,sorted(s))))' "$1"
}

irq_tests() {
	P=
	for c in "${LWK_BUILDDIR:-/nonexistent}/tools/lwkpart" "$top/build/tools/lwkpart"; do
		[ -x "$c" ] && P=$c && break
	done
	if [ -z "$P" ]; then
		t_fail "irq: lwkpart not built"
		return
	fi
	modprobe virtio_blk 2>/dev/null
	i=0
	while ! grep -q 'virtio[0-9]*-req\.' /proc/interrupts && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	qs=$(awk '/virtio[0-9]+-req\./ { sub(":", "", $1); print $1 }' /proc/interrupts)
	if [ -z "$qs" ]; then
		t_fail "irq: the guest has no virtio-blk request queue IRQs (virtio_blk: $(lsmod | grep -c virtio_blk))"
		return
	fi
	t_match "irq: the disk has several request queues" '^[2-9]|^[1-9][0-9]' "$(echo "$qs" | wc -l)"
	iso=$(sed -n 's/.*isolcpus=managed_irq,\([0-9,-]*\).*/\1/p' /proc/cmdline)
	t_eq "irq: booted with isolcpus=managed_irq on the nohz_full CPUs" \
		"$(cat /sys/devices/system/cpu/nohz_full)" "$iso"
	hk=$(irq_list "0-1")
	eff_all=
	for q in $qs; do
		name=$(awk -v q="$q:" '$1 == q { print $NF }' /proc/interrupts)
		m=$(irq_list "$(cat /proc/irq/$q/smp_affinity_list)")
		e=$(irq_list "$(cat /proc/irq/$q/effective_affinity_list)")
		eff_all="$eff_all,$e"
		if (echo "$(cat /proc/irq/$q/smp_affinity_list)" >/proc/irq/$q/smp_affinity_list) 2>/dev/null; then
			t_fail "irq: $name ($q) accepted an affinity write: not managed?"
		else
			t_ok "irq: $name ($q) refuses affinity writes (managed)"
		fi
		# the queue's CPUs include a housekeeping CPU: managed_irq keeps it there
		inter=$(python3 -c 'import sys; a=set(sys.argv[1].split(",")); b=set(sys.argv[2].split(",")); print(",".join(sorted(a & b)))' "$m" "$hk")
		if [ -n "$inter" ]; then
			sub=$(python3 -c 'import sys; a=set(sys.argv[1].split(",")); b=set(sys.argv[2].split(",")); print("yes" if a <= b else "no")' "$e" "$hk")
			t_eq "irq: $name (CPUs $m) lands on housekeeping CPU $e" yes "$sub"
		else
			t_ok "irq: $name (CPUs $m, all isolated) lands on $e: managed_irq cannot move it"
		fi
	done
	eff_all=$(irq_list "$eff_all")
	got=$(irq_list "$("$P" --json check | python3 -c 'import json,sys; print(json.load(sys.stdin)["cpus"])')")
	inc=$(python3 -c 'import sys; a=set(sys.argv[1].split(",")); b=set(sys.argv[2].split(",")); print("yes" if a <= b else "no")' "$eff_all" "$got")
	t_eq "irq: lwkpart check names the queues' CPUs ($eff_all among $got)" yes "$inc"
	"$P" check | sed 's/^/# /'

	# placement stays off those CPUs while the job (here: all free CPUs) has others
	for n in 1 2; do
		if id=$("$P" create --cores $n 2>/tmp/irq-create.err); then
			c=$(irq_list "$("$P" --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cpus"])')")
			both=$(python3 -c 'import sys; a=set(sys.argv[1].split(",")); b=set(sys.argv[2].split(",")); print(",".join(sorted(a & b)))' "$c" "$got")
			t_eq "irq: create --cores $n takes CPUs $c, none where unmovable IRQs land ($got)" "" "$both"
			"$P" destroy "$id" 2>/dev/null || t_fail "irq: destroy $id"
		else
			t_fail "irq: create --cores $n: $(cat /tmp/irq-create.err)"
		fi
	done

	# disk I/O: its completions arrive on the queue IRQs, by name
	dev=$(for d in /sys/block/vd*; do [ "$(cat $d/serial 2>/dev/null)" = lwkdisk ] && echo "${d##*/}"; done | head -1)
	if [ -n "$dev" ]; then
		before=$(awk '/virtio[0-9]+-req\./ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) t += $i } END { print t + 0 }' /proc/interrupts)
		dd if=/dev/zero of=/dev/$dev bs=64k count=200 oflag=direct 2>/dev/null
		after=$(awk '/virtio[0-9]+-req\./ { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) t += $i } END { print t + 0 }' /proc/interrupts)
		if [ "$after" -gt "$before" ]; then
			t_ok "irq: 200 direct writes to /dev/$dev raised $((after - before)) queue interrupts"
		else
			t_fail "irq: direct writes to /dev/$dev raised no queue interrupt ($before -> $after)"
		fi
	else
		t_fail "irq: no block device with serial lwkdisk"
	fi
}

irq_tests

# A real device interrupt made busy (issue 15, "for multi-queue devices,
# CPUs whose queues are idle"): every queue IRQ of the disk is unmovable, so
# with lwk_cpus limited to two queues' CPUs the placement has no CPU free of
# them and must choose by the queues' activity. Direct writes submitted from
# a CPU go through that CPU's queue and complete on its IRQ's CPU: drive one
# queue, and placement must take the CPU of the idle one; then drive the
# other queue past it, and the choice must follow. check and show must name
# the queues' IRQs, with the counts the kernel reports.
irq_total() {	# irq_total IRQ: its interrupts so far, over all CPUs
	awk -v q="$1:" '$1 == q { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) t += $i } END { print t + 0 }' /proc/interrupts
}
irq_drive() {	# irq_drive CPU DEV: 300 direct 4 KiB writes submitted from CPU
	taskset -c "$1" dd if=/dev/zero of="/dev/$2" bs=4k count=300 oflag=direct status=none
}
irq_busy_queue_tests() {
	dev=$(for d in /sys/block/vd*; do [ "$(cat $d/serial 2>/dev/null)" = lwkdisk ] && echo "${d##*/}"; done | head -1)
	[ -n "$dev" ] && [ -n "$P" ] || return
	# two queues each completing on one isolated CPU of its own, on the
	# same NUMA node (so that the node's share of cores is not the choice)
	cands=
	for q in $qs; do
		e=$(cat /proc/irq/$q/effective_affinity_list)
		case $e in *[,-]*) continue ;; esac
		[ "$e" -ge 2 ] || continue
		node=$(basename /sys/devices/system/cpu/cpu$e/node*)
		cands="$cands $q:$e:$node"
	done
	A= B=
	for x in $cands; do
		for y in $cands; do
			[ -z "$A" ] && [ "${x%%:*}" != "${y%%:*}" ] && [ "${x##*:}" = "${y##*:}" ] &&
				[ "$(echo "$x" | cut -d: -f2)" != "$(echo "$y" | cut -d: -f2)" ] &&
				A=${x%%:*} B=${y%%:*}
		done
	done
	if [ -z "$B" ]; then
		t_fail "irq: busy queue: no two queue IRQs complete on single isolated CPUs of one NUMA node ($cands)"
		return
	fi
	ea=$(cat /proc/irq/$A/effective_affinity_list) eb=$(cat /proc/irq/$B/effective_affinity_list)
	na=$(awk -v q="$A:" '$1 == q { print $NF }' /proc/interrupts)
	nb=$(awk -v q="$B:" '$1 == q { print $NF }' /proc/interrupts)
	# submit from a CPU of each queue's mask that is not the other's
	sa=$(irq_list "$(cat /proc/irq/$A/smp_affinity_list)" | cut -d, -f1)
	sb=$(irq_list "$(cat /proc/irq/$B/smp_affinity_list)" | cut -d, -f1)
	conf=/tmp/irq-busy.conf
	printf 'lwk_cpus = %s,%s\nmin_linux_cores = 1\n' "$ea" "$eb" >"$conf"
	echo "# busy queue: $na (irq $A) on CPU $ea from CPU $sa, $nb (irq $B) on CPU $eb from CPU $sb"

	# round 1: queue A busy, B idle; round 2: B driven past A
	for round in 1 2; do
		if [ $round = 1 ]; then busy=$A bq=$na bs=$sa idle=$B iq=$nb want=$eb; else busy=$B bq=$nb bs=$sb idle=$A iq=$na want=$ea; fi
		b0=$(irq_total "$busy") i0=$(irq_total "$idle")
		k=0
		# at least 100 new interrupts on the busy queue, and past the idle
		# one: the first dd above may already have raised either queue
		while { [ $(($(irq_total "$busy") - b0)) -lt 100 ] ||
			[ "$(irq_total "$busy")" -le $((2 * $(irq_total "$idle") + 100)) ]; } && [ $k -lt 40 ]; do
			irq_drive "$bs" "$dev"
			k=$((k + 1))
		done
		b1=$(irq_total "$busy") i1=$(irq_total "$idle")
		t_check "irq: round $round: writes from CPU $bs raised $bq (irq $busy) from $b0 to $b1, $iq (irq $idle) stayed quiet ($i0 -> $i1)" \
			test $((b1 - b0)) -ge 100 -a $((i1 - i0)) -lt $(((b1 - b0) / 10 + 5))
		# check names the busy queue, with the kernel's count
		js=$("$P" --config "$conf" --json check)
		got=$(printf '%s' "$js" | python3 -c 'import json,sys
d=json.load(sys.stdin)
print(" ".join("%s:%s:%s:%s" % (u["irq"], u["name"], u["cpus"], u["count"]) for u in d["unmovable"]))')
		cnt=$(printf '%s\n' $got | awk -F: -v q="$busy" '$1 == q { print $4 }')
		t_match "irq: round $round: check names $bq (irq $busy) on CPU $(cat /proc/irq/$busy/effective_affinity_list)" \
			"(^| )$busy:$bq:$(cat /proc/irq/$busy/effective_affinity_list):" "$got"
		t_check "irq: round $round: check's count for $bq ($cnt) is the kernel's ($b1, read before)" \
			test "${cnt:-0}" -ge "$b1" -a "${cnt:-0}" -le $((b1 + 50))
		t_eq "irq: round $round: check: both LWK-capable CPUs take unmovable IRQs" \
			"$(irq_list "$ea,$eb")" "$(irq_list "$(printf '%s' "$js" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lwk_capable_hit"])')")"
		if id=$("$P" --config "$conf" create --cores 1 2>/tmp/irq-busy.err); then
			c=$("$P" --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["cpus"])')
			note=$("$P" --json show "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["note"])')
			t_eq "irq: round $round: create --cores 1 takes CPU $want, whose queue is idle, not the busy one's" "$want" "$c"
			t_match "irq: round $round: show's note names the idle queue's IRQ on CPU $want" \
				"no core of the job was free of them\\): irq $idle $iq on CPU $want " "$note"
			t_match "irq: round $round: create said so on stderr" "unmovable IRQs on LWK CPUs" "$(cat /tmp/irq-busy.err)"
			"$P" destroy "$id" 2>/dev/null || t_fail "irq: destroy $id"
		else
			t_fail "irq: round $round: create --cores 1 with lwk_cpus $ea,$eb: $(cat /tmp/irq-busy.err)"
		fi
	done
	rm -f "$conf" /tmp/irq-busy.err
}

irq_busy_queue_tests
