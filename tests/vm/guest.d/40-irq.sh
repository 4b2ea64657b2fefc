# Unmovable interrupts in the guest (sourced by guest-tests.sh). run-vm
# boots with isolcpus=managed_irq,2-7 and gives the guest a virtio-blk disk
# with several request queues, whose IRQs the kernel manages (user space
# cannot move them). Checked against what the guest's kernel reports:
# - managed_irq keeps each queue IRQ off 2-7 when the queue's CPUs include
#   a housekeeping CPU (0-1); a queue whose CPUs are all isolated stays there;
# - lwkpart check names the CPUs where they land, as the kernel reports;
# - lwkpart create --cores picks LWK cores free of them while it can;
# - the disk's interrupts show up by name in /proc deltas (the noise
#   report's sources) on the CPU that takes them.

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
