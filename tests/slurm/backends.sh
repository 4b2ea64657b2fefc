# McKernel and mOS scenarios of tests/slurm/run (sourced after scenarios.sh)
# against the TEST DOUBLES of tests/doubles (not McKernel, not mOS).
#
# slurmd inherits the environment below when the cluster starts; the doubles'
# IHK device and mOS sysfs exist only while a scenario here runs, so every
# other scenario still sees a node without McKernel or mOS (backend:auto
# stays native). The doubles are reached through wrappers in $DBL/bin that
# carry their state directory: the job epilog, whose environment is bare,
# tears down through the same (recorded) paths.

DBL=$WORK/doubles
mkdir -p "$DBL/bin" "$DBL/state" "$DBL/dev"
chmod 755 "$DBL" "$DBL/bin"
for _p in ihkconfig ihkosctl mcexec lwkctl yod; do
	cat > "$DBL/bin/$_p" <<-EOF
	#!/bin/sh
	# TEST DOUBLE wrapper: the state of the doubles for tests/slurm
	LWK_DOUBLE_STATE=$DBL/state LWK_DOUBLE_IHK_DEV=$DBL/dev/mcd0 \\
	LWK_DOUBLE_MOS_SYSFS=$DBL/mOS exec "$SRCDIR/tests/doubles/$_p" "\$@"
	EOF
	chmod 755 "$DBL/bin/$_p"
done
: > "$DBL/mckernel.img"
export LWK_IHK_DEV="$DBL/dev/mcd0" LWK_IHK_BINDIR="$DBL/bin" LWK_IHK_LIB=none \
	LWK_MCK_IMAGE="$DBL/mckernel.img" LWK_MCK_BOOT_TIMEOUT=5 LWK_MCK_SHUTDOWN_TIMEOUT=5 \
	LWK_MOS_SYSFS="$DBL/mOS" LWK_MOS_BINDIR="$DBL/bin" LWK_MOS_LOCK_TIMEOUT=2
LWK="$LWK mck_job mck_steps mck_enomem mos_job"
LWK="$LWK mck_bare mos_bare mck_multi"	# issue 13 point 3
# 23.11+: the plugin starts a bare program through lwkrun itself
# (spank_prepend_task_argv); 22.05/23.02: such a step is refused
BARE_SERIES=$("$SLURM_SBIN/slurmd" -V | sed -n 's/^slurm[^ ]* \([0-9]*\)\.\([0-9]*\).*/\1\2/p')
bare_prepends() { [ "${BARE_SERIES:-0}" -ge 2311 ]; }
if command -v runc >/dev/null && command -v jq >/dev/null; then
	LWK="$LWK mck_container mos_container mck_oci_refused"	# issue 11 point 5
else
	t_skip "mckernel/mos container scenarios: runc or jq not installed (contrib/ci/install-deps)"
fi

dbl_log() { tr '\n' ';' 2>/dev/null < "$DBL/state/log"; }
ihk_held() {
	_c=$(tr '\n' ' ' < "$DBL/state/ihk/cpus" 2>/dev/null)
	_m=$(ls "$DBL/state/ihk/mem" 2>/dev/null | tr '\n' ' ')
	_o=$(ls "$DBL/state/ihk/os" 2>/dev/null | tr '\n' ' ')
	echo "cpus[$_c] mem[$_m] os[$_o]"
}

# mck_up / mck_down: this node has (the double of) IHK while a scenario runs
mck_up() { rm -rf "$DBL/state"; mkdir -p "$DBL/state/inject"; : > "$DBL/dev/mcd0"; }
mck_down() { rm -f "$DBL/dev/mcd0" "$DBL"/dev/mcos*; }

# A job's step on McKernel: the instance is booted for the job, the rank
# starts in it through lwkrun (called explicitly) and mcexec, and the job's
# end releases it all.
sc_mck_job() {
	begin mck_job
	mck_up
	run_to "$CFG mck_job" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel "$LWK_BUILDDIR/launcher/lwkrun" -- \
		sh -c 'readlink /proc/$$/fd/9; echo "lwk=$LWK_PARTITION"'
	t_eq "$CFG mck_job: srun --lwk=...,backend:mckernel exits 0" 0 "$RC"
	t_match "$CFG mck_job: the rank runs under mcexec, holding /dev/mcos0" "^$DBL/dev/mcos0\$" \
		"$(printf '%s\n' "$OUT" | grep mcos)"
	t_match "$CFG mck_job: IHK reserved, booted and ran the rank in order" \
		"ihkconfig 0 reserve mem 8388608@0;.*ihkconfig 0 reserve cpu 1;ihkconfig 0 create;ihkosctl 0 assign cpu 1;ihkosctl 0 assign mem 8388608@0;.*ihkosctl 0 kargs hidos;ihkosctl 0 boot;.*mcexec -n 1 0 sh -c" \
		"$(dbl_log)"
	restored mck_job
	t_match "$CFG mck_job: the epilog shut the instance down and released it" \
		"ihkosctl 0 shutdown;.*ihkconfig 0 destroy 0;.*ihkconfig 0 release cpu 1;.*ihkconfig 0 release mem 8388608@0;" \
		"$(dbl_log)"
	t_eq "$CFG mck_job: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	mck_down
}

# Two steps of one job, backend:auto: McKernel (this node has IHK), one
# instance for the job that both steps use, released when the job ends.
sc_mck_steps() {
	begin mck_steps
	mck_up
	cat > "$WORK/mck_steps.sh" <<-EOF
	#!/bin/sh
	for i in 1 2; do
		srun --lwk=cores:1,mem:8M "$LWK_BUILDDIR/launcher/lwkrun" -- \
			sh -c 'echo "step=\$SLURM_STEP_ID backend=\$LWK_BACKEND"' || exit 1
	done
	EOF
	run_to "$CFG mck_steps" 120 env PATH="$DBL/bin:$PATH" salloc -n1 -c2 sh "$WORK/mck_steps.sh"
	t_eq "$CFG mck_steps: both steps ran on McKernel (backend:auto)" \
		"step=0 backend=mckernel step=1 backend=mckernel" \
		"$(printf '%s\n' "$OUT" | grep '^step=' | tr '\n' ' ' | sed 's/ $//')"
	t_eq "$CFG mck_steps: one instance for the job, two ranks started in it" "1 2" \
		"$(dbl_log | tr ';' '\n' | grep -c '^ihkconfig 0 create$') $(dbl_log | tr ';' '\n' | grep -c '^mcexec -n 1 0 ')"
	restored mck_steps
	t_eq "$CFG mck_steps: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	mck_down
}

# IHK cannot reserve the memory: the user gets one lwk: line, nothing stays.
sc_mck_enomem() {
	begin mck_enomem
	mck_up
	: > "$DBL/state/inject/reserve-mem"
	run_to "$CFG mck_enomem" 60 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel "$LWK_BUILDDIR/launcher/lwkrun" -- true
	t_eq "$CFG mck_enomem: the step fails" 1 "$([ "$RC" != 0 ] && echo 1 || echo 0)"
	t_match "$CFG mck_enomem: the user is told what and what to do" \
		"lwk: .*IHK cannot reserve 8388608@0 .*ask for less with mem:" "$OUT"
	restored mck_enomem
	t_eq "$CFG mck_enomem: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	mck_down
}

# A job on mOS: lwkctl partition with the job's Linux core as utility CPU,
# ras/jobid set for the job, the rank through yod -R MPI; all gone after.
sc_mos_job() {
	begin mos_job
	rm -rf "$DBL/state" "$DBL/mOS"
	mkdir -p "$DBL/state/inject"
	sh "$SRCDIR/tests/doubles/fake-mos-sysfs" "$DBL/mOS" 2
	run_to "$CFG mos_job" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,backend:mos "$LWK_BUILDDIR/launcher/lwkrun" -- sh -c \
		'echo "mpi=$MPI_LOCALRANKID/$MPI_LOCALNRANKS jobid=$(cat '"$DBL"'/mOS/ras/jobid) lwkcpus=$(cat '"$DBL"'/mOS/lwkcpus)"'
	t_eq "$CFG mos_job: srun --lwk=...,backend:mos exits 0" 0 "$RC"
	job=$(job_of)
	t_eq "$CFG mos_job: the rank runs through yod -R MPI inside the partition, job id set" \
		"mpi=0/1 jobid=$job lwkcpus=1" "$(printf '%s\n' "$OUT" | grep '^mpi=')"
	t_match "$CFG mos_job: lwkctl made the partition with CPU 0 as utility CPU" \
		"^lwkctl -t 2 -c lwkcpus=0.1;yod -R MPI sh -c" "$(dbl_log)"
	restored mos_job
	t_match "$CFG mos_job: the epilog deleted the partition" "lwkctl -t [0-9]+ -d;\$" "$(dbl_log)"
	t_eq "$CFG mos_job: nothing left in mOS" "lwkcpus= jobid=" \
		"lwkcpus=$(cat "$DBL/mOS/lwkcpus") jobid=$(cat "$DBL/mOS/ras/jobid")"
	rm -rf "$DBL/mOS"
}

# --- a bare program on McKernel and mOS (issue 13 point 3), TEST DOUBLES.
# srun --lwk=... PROGRAM, without lwkrun: on 23.11+ the plugin prepends
# lwkrun (spank_prepend_task_argv), which starts PROGRAM through mcexec or
# yod; on 22.05/23.02 the step is refused with one lwk: line before anything
# is reserved (the program would run on Linux cores).
write_bare() {
	cat > "$WORK/bare" <<-EOF
	#!/bin/sh
	echo "bare fd9=\$(readlink /proc/\$\$/fd/9) part=\${LWK_PARTITION:--} backend=\${LWK_BACKEND:--} mpi=\${MPI_LOCALRANKID:--}/\${MPI_LOCALNRANKS:--} reserved=\$(cat $DBL/mOS/lwkcpus_reserved 2>/dev/null)"
	EOF
	chmod 755 "$WORK/bare"
}
mcexec_runs() { dbl_log | tr ';' '\n' | grep -c '^mcexec '; }

# bare_refused NAME WHAT(mcexec|yod) BACKEND: the refusal on 22.05/23.02
bare_refused() {
	t_match "$CFG $1: srun fails" '^[1-9]' "$RC"
	t_match "$CFG $1: one lwk: line saying to run it through lwkrun" \
		"^lwk: '$WORK/bare' on the $3 backend runs on Linux cores unless $2 starts it, which Slurm [0-9.]+ cannot have the plugin do: run 'srun --lwk=\.\.\. lwkrun $WORK/bare'" \
		"$(printf '%s\n' "$OUT" | grep '^lwk:')"
	t_eq "$CFG $1: exactly one lwk: line" 1 "$(printf '%s\n' "$OUT" | grep -c '^lwk:')"
	t_eq "$CFG $1: the program did not run" "" "$(printf '%s\n' "$OUT" | grep '^bare ')"
	t_eq "$CFG $1: nothing asked of the multi-kernel (nothing provisioned)" "" "$(dbl_log)"
	t_eq "$CFG $1: no partition recorded" "" "$(parts)$(lwk_cpusets)"
}

sc_mck_bare() {
	begin mck_bare
	mck_up
	write_bare
	run_to "$CFG mck_bare" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel "$WORK/bare"
	if bare_prepends; then
		t_eq "$CFG mck_bare: srun --lwk=...,backend:mckernel PROGRAM (no lwkrun) exits 0" 0 "$RC"
		t_match "$CFG mck_bare: the program runs under mcexec, holding the job's /dev/mcos0" \
			"^bare fd9=$DBL/dev/mcos0 part=job\.[0-9]+ backend=mckernel " \
			"$(printf '%s\n' "$OUT" | grep '^bare ')"
		t_match "$CFG mck_bare: the plugin put lwkrun in front, which ran mcexec -n 1 0 PROGRAM" \
			"ihkosctl 0 boot;.*mcexec -n 1 0 $WORK/bare;" "$(dbl_log)"
		t_eq "$CFG mck_bare: mcexec ran once" 1 "$(mcexec_runs)"
	else
		bare_refused mck_bare mcexec mckernel
	fi
	restored mck_bare
	t_eq "$CFG mck_bare: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	mck_down
}

sc_mos_bare() {
	begin mos_bare
	rm -rf "$DBL/state" "$DBL/mOS"
	mkdir -p "$DBL/state/inject"
	sh "$SRCDIR/tests/doubles/fake-mos-sysfs" "$DBL/mOS" 2
	write_bare
	run_to "$CFG mos_bare" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,backend:mos "$WORK/bare"
	if bare_prepends; then
		t_eq "$CFG mos_bare: srun --lwk=...,backend:mos PROGRAM (no lwkrun) exits 0" 0 "$RC"
		t_match "$CFG mos_bare: the program runs through yod -R MPI, which reserved the LWK CPU for rank 0 of 1" \
			"^bare fd9=.* part=job\.[0-9]+ backend=mos mpi=0/1 reserved=1\$" \
			"$(printf '%s\n' "$OUT" | grep '^bare ')"
		t_match "$CFG mos_bare: lwkctl made the partition, lwkrun (prepended) ran yod -R MPI PROGRAM" \
			"^lwkctl -t 2 -c lwkcpus=0.1;yod -R MPI $WORK/bare;" "$(dbl_log)"
	else
		bare_refused mos_bare yod mos
		t_eq "$CFG mos_bare: no mOS partition made" "lwkcpus= jobid=" \
			"lwkcpus=$(cat "$DBL/mOS/lwkcpus") jobid=$(cat "$DBL/mOS/ras/jobid")"
	fi
	restored mos_bare
	t_eq "$CFG mos_bare: nothing left in mOS" "lwkcpus= jobid= reserved=" \
		"lwkcpus=$(cat "$DBL/mOS/lwkcpus") jobid=$(cat "$DBL/mOS/ras/jobid") reserved=$(cat "$DBL/mOS/lwkcpus_reserved")"
	rm -rf "$DBL/mOS"
}

# srun --multi-prog: the decision is per task, from its own line. A line
# that names lwkrun runs as it is on every series (mcexec once, no second
# lwkrun in front); a bare line is started through lwkrun (23.11+) or
# refused (22.05/23.02).
sc_mck_multi() {
	begin mck_multi
	mck_up
	write_bare
	printf '# issue 13\n0 %s -- %s\n' "$LWK_BUILDDIR/launcher/lwkrun" "$WORK/bare" > "$WORK/mp-lwkrun.conf"
	run_to "$CFG mck_multi" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel --multi-prog "$WORK/mp-lwkrun.conf"
	t_eq "$CFG mck_multi: --multi-prog, task 0 runs lwkrun: exits 0" 0 "$RC"
	t_match "$CFG mck_multi: the task runs under mcexec" "^bare fd9=$DBL/dev/mcos0 part=job\.[0-9]+ backend=mckernel " \
		"$(printf '%s\n' "$OUT" | grep '^bare ')"
	t_eq "$CFG mck_multi: lwkrun named in the line: nothing prepended, mcexec ran once" 1 "$(mcexec_runs)"
	restored mck_multi
	t_eq "$CFG mck_multi: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"

	mck_up
	printf '0 %s\n' "$WORK/bare" > "$WORK/mp-bare.conf"
	run_to "$CFG mck_multi bare" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel --multi-prog "$WORK/mp-bare.conf"
	if bare_prepends; then
		t_eq "$CFG mck_multi: --multi-prog, bare task 0: exits 0" 0 "$RC"
		t_match "$CFG mck_multi: the bare line's program runs under mcexec" \
			"^bare fd9=$DBL/dev/mcos0 part=job\.[0-9]+ backend=mckernel " \
			"$(printf '%s\n' "$OUT" | grep '^bare ')"
		t_match "$CFG mck_multi: lwkrun prepended to the task's own line" \
			"mcexec -n 1 0 $WORK/bare;" "$(dbl_log)"
		t_eq "$CFG mck_multi: mcexec ran once" 1 "$(mcexec_runs)"
	else
		bare_refused "mck_multi bare" mcexec mckernel
	fi
	restored mck_multi
	t_eq "$CFG mck_multi: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	mck_down
}

# --- containers on McKernel and mOS (issue 11 point 5), TEST DOUBLES.
# The bundle binds the doubles' state (their stand-in for the kernel, which
# every namespace shares) and tests/doubles (where the wrappers in $DBL/bin
# exec the doubles from); lwkrun binds the rest: $DBL/bin (where mcexec/yod
# is) and the instance's device or mOS's sysfs.
dbl_bundle() {
	[ -d "$WORK/dblctr" ] && return 0
	. "$SRCDIR/tests/containers/images.sh"
	ctr_bundle "$WORK/dblctr" sh || return 1
	ctr_set_json "$WORK/dblctr" ".mounts += [
		{\"destination\": \"$DBL/state\", \"type\": \"bind\", \"source\": \"$DBL/state\", \"options\": [\"bind\", \"rw\"]},
		{\"destination\": \"$SRCDIR/tests/doubles\", \"type\": \"bind\", \"source\": \"$SRCDIR/tests/doubles\", \"options\": [\"bind\", \"ro\"]}]"
}
DBL_REPORT='echo "ns=$(readlink /proc/self/ns/mnt) pid=$$ fd9=$(readlink /proc/$$/fd/9) mpi=${MPI_LOCALRANKID:--}/${MPI_LOCALNRANKS:--} part=$LWK_PARTITION"'
dbl_where() { sed -n "s/^$1 //p" "$DBL/state/where" 2>/dev/null | tail -n 1; }

# srun --lwk=...,backend:mckernel lwkrun --container=BUNDLE: the rank's
# program goes through mcexec inside the container, on the job's instance.
sc_mck_container() {
	begin mck_container
	mck_up
	# the state directory is made anew by mck_up: bind the new one
	rm -rf "$WORK/dblctr"
	dbl_bundle || { t_fail "$CFG mck_container: could not build the bundle"; mck_down; return; }
	run_to "$CFG mck_container" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel "$LWK_BUILDDIR/launcher/lwkrun" \
		--container="$WORK/dblctr" -- sh -c "$DBL_REPORT"
	t_eq "$CFG mck_container: srun --lwk=...,backend:mckernel lwkrun --container exits 0" 0 "$RC"
	l=$(printf '%s\n' "$OUT" | grep '^ns=')
	ns=$(printf '%s\n' "$l" | sed -n 's/^ns=\([^ ]*\) .*/\1/p')
	t_match "$CFG mck_container: the program is the container's PID 1 holding the job's /dev/mcos0" \
		"^ns=mnt:\[[0-9]+\] pid=1 fd9=$DBL/dev/mcos0 .* part=job\.[0-9]+\$" "$l"
	if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/mnt)" ]; then
		t_ok "$CFG mck_container: in a mount namespace of its own ($ns)"
	else
		t_fail "$CFG mck_container: not in a container's mount namespace ($OUT)"
	fi
	t_match "$CFG mck_container: IHK booted the job's instance, mcexec -n 1 0 ran the program" \
		"ihkosctl 0 boot;.*mcexec -n 1 0 sh -c" "$(dbl_log)"
	t_eq "$CFG mck_container: mcexec ran inside the container" "1 $ns" "$(dbl_where mcexec)"
	restored mck_container
	t_eq "$CFG mck_container: nothing left in IHK" "cpus[] mem[] os[]" "$(ihk_held)"
	t_eq "$CFG mck_container: no runc container left" "" "$(runc list -q 2>/dev/null)"
	mck_down
	rm -rf "$WORK/dblctr"
}

# The same on mOS: yod -R MPI inside the container, the rank's MPI_LOCAL*.
sc_mos_container() {
	begin mos_container
	rm -rf "$DBL/state" "$DBL/mOS" "$WORK/dblctr"
	mkdir -p "$DBL/state/inject"
	sh "$SRCDIR/tests/doubles/fake-mos-sysfs" "$DBL/mOS" 2
	dbl_bundle || { t_fail "$CFG mos_container: could not build the bundle"; return; }
	run_to "$CFG mos_container" 90 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,backend:mos "$LWK_BUILDDIR/launcher/lwkrun" \
		--container="$WORK/dblctr" -- sh -c "$DBL_REPORT"' reserved=$(cat '"$DBL"'/mOS/lwkcpus_reserved)'
	t_eq "$CFG mos_container: srun --lwk=...,backend:mos lwkrun --container exits 0" 0 "$RC"
	l=$(printf '%s\n' "$OUT" | grep '^ns=')
	ns=$(printf '%s\n' "$l" | sed -n 's/^ns=\([^ ]*\) .*/\1/p')
	t_match "$CFG mos_container: yod reserved the job's LWK CPU for rank 0 of 1, seen through the bound sysfs" \
		" mpi=0/1 part=job\.[0-9]+ reserved=1\$" "$l"
	if [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/self/ns/mnt)" ]; then
		t_ok "$CFG mos_container: in a mount namespace of its own ($ns)"
	else
		t_fail "$CFG mos_container: not in a container's mount namespace ($OUT)"
	fi
	t_match "$CFG mos_container: lwkctl made the partition, yod -R MPI ran the program" \
		"^lwkctl -t 2 -c lwkcpus=0.1;yod -R MPI sh -c" "$(dbl_log)"
	t_eq "$CFG mos_container: yod was the container's PID 1" "1 $ns" "$(dbl_where yod)"
	restored mos_container
	t_eq "$CFG mos_container: nothing left in mOS" "lwkcpus= jobid= reserved=" \
		"lwkcpus=$(cat "$DBL/mOS/lwkcpus") jobid=$(cat "$DBL/mOS/ras/jobid") reserved=$(cat "$DBL/mOS/lwkcpus_reserved")"
	rm -rf "$DBL/mOS" "$WORK/dblctr"
}

# Slurm's own --container (oci.conf) on McKernel: refused before anything is
# reserved, with the way that works.
sc_mck_oci_refused() {
	begin mck_oci_refused
	mck_up
	rm -rf "$WORK/dblctr"
	dbl_bundle || { t_fail "$CFG mck_oci_refused: could not build the bundle"; mck_down; return; }
	run_to "$CFG mck_oci_refused" 60 env PATH="$DBL/bin:$PATH" srun -n1 -c2 \
		--lwk=cores:1,mem:8M,backend:mckernel --container="$WORK/dblctr" true
	t_match "$CFG mck_oci_refused: srun fails" '^[1-9]' "$RC"
	t_match "$CFG mck_oci_refused: one lwk: line saying to use lwkrun --container" \
		"^lwk: --container on the mckernel backend: .*run 'srun --lwk=... lwkrun --container=.*dblctr -- PROGRAM' instead" \
		"$(printf '%s\n' "$OUT" | grep '^lwk:')"
	t_eq "$CFG mck_oci_refused: IHK was never asked" "" "$(dbl_log)"
	restored mck_oci_refused
	mck_down
	rm -rf "$WORK/dblctr"
}
