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

dbl_log() { tr '\n' ';' < "$DBL/state/log" 2>/dev/null; }
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
		--lwk=cores:1,mem:8M,backend:mckernel true
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
