# Scenarios of tests/slurm/run (sourced). Each sc_NAME runs against the
# cluster in $SLURM_CONF, asserts on what the tasks report and, for the
# plugin, on the node state afterwards. $CFG names the configuration.

# --- the cluster itself
sc_hostname() {
	run_to "$CFG hostname" 20 srun -n1 hostname
	t_eq "$CFG: srun -n1 hostname runs on the host node" "$LWK_CLUSTER_HOST" "$OUT"
}

sc_mpi() {
	run_to "$CFG mpi" 60 srun --mpi=pmix_v4 -n2 "$WORK/mpi_report"
	out=$(printf '%s\n' "$OUT" | grep '^rank=' | sort)
	t_eq "$CFG: srun --mpi=pmix_v4 -n2: two ranks report" 2 "$(printf '%s\n' "$out" | grep -c '^rank=')"
	r0=$(printf '%s\n' "$out" | grep '^rank=0 ')
	r1=$(printf '%s\n' "$out" | grep '^rank=1 ')
	t_eq "$CFG: MPI world size is 2" "2 2" "$(field size "$r0") $(field size "$r1")"
	c0=$(field cpus "$r0")
	c1=$(field cpus "$r1")
	t_match "$CFG: rank 0 reports a CPU list" '^[0-9]' "$c0"
	# task/affinity binds each rank to its own core
	if [ -n "$c0" ] && [ "$c0" != "$c1" ]; then
		t_ok "$CFG: ranks bound to different cores ($c0 / $c1)"
	else
		t_fail "$CFG: ranks bound to different cores: '$c0' / '$c1' ($OUT)"
	fi
	if [ "$CFG" = cgroup ]; then
		t_match "$CFG: rank 0 in the step's cpuset cgroup" '/job_[0-9]+/step_[0-9]+(/task_[0-9]+)?$' "$(field cpuset "$r0")"
	fi
}

sc_multinode() {
	run_to "$CFG multinode" 30 srun -p emu -N2 -n2 "$WORK/report"
	hosts=$(printf '%s\n' "$OUT" | sed -n 's/^host=\([^ ]*\).*/\1/p' | sort | tr '\n' ' ')
	t_eq "$CFG: 2-node job runs one task on each emulated node" "lwkn1 lwkn2 " "$hosts"
}

sc_hetjob() {
	run_to "$CFG hetjob" 60 srun -p emu -N1 -n1 "$WORK/report" : -p emu -N1 -n1 "$WORK/report"
	t_eq "$CFG: hetjob srun exits 0" 0 "$RC"
	hosts=$(printf '%s\n' "$OUT" | sed -n 's/^host=\([^ ]*\).*/\1/p' | sort | tr '\n' ' ')
	t_eq "$CFG: hetjob components on two emulated nodes" "lwkn1 lwkn2 " "$hosts"
}

# --- the plugin
# An LWK step: its task runs in the job's partition, on its rank's share.
sc_lwk_place() {
	begin lwk_place
	run_to "$CFG lwk_place" 60 srun --lwk=cores:1 -n1 "$WORK/report"
	t_eq "$CFG lwk_place: srun --lwk=cores:1 exits 0" 0 "$RC"
	l=$(lines lwk= "$OUT")
	t_match "$CFG lwk_place: the task is told its partition (LWK_PARTITION)" '^job\.[0-9]+$' "$(field lwk "$l")"
	t_match "$CFG lwk_place: the task runs in the partition's cpuset" '^/lwk/job\.[0-9]+$' "$(field cpuset "$l")"
	cpus=$(field cpus "$l")
	if cpus_within "$cpus" "$(field lwkcpus "$l")" && [ "$cpus" = "$(field rankcpus "$l")" ]; then
		t_ok "$CFG lwk_place: Cpus_allowed_list ($cpus) is the rank's share of LWK_CPUS ($(field lwkcpus "$l"))"
	else
		t_fail "$CFG lwk_place: Cpus_allowed_list '$cpus' vs LWK_CPUS '$(field lwkcpus "$l")' LWK_RANK_CPUS '$(field rankcpus "$l")' ($OUT)"
	fi
	run_to "$CFG lwk_place fifo" 60 srun --lwk=cores:1,sched:fifo -n1 sh -c 'chrt -p $$'
	t_match "$CFG lwk_place: sched:fifo runs the task SCHED_FIFO" 'policy: SCHED_FIFO' "$OUT"
	restored lwk_place
}

# off_lwk NAME REPORT_LINES LWKCPUS DIAGNOSTICS: every reported task is on
# CPUs outside LWKCPUS (which must be known).
off_lwk() {
	_cpus=$(printf '%s\n' "$2" | sed -n 's/.* cpus=\([^ ]*\).*/\1/p')
	_bad=""
	for _c in $_cpus; do
		if [ -z "$3" ] || [ "$3" = - ] || cpus_overlap "$_c" "$3"; then _bad="$_bad $_c"; fi
	done
	if [ -z "$_bad" ] && [ -n "$_cpus" ]; then
		t_ok "$1 (LWK $3; analytics $(printf '%s ' $_cpus))"
	else
		t_fail "$1: on LWK cores: '$_bad' (LWK '$3'): $4"
	fi
}

# A sim step in the LWK and an analytics step beside it on Linux cores.
sc_analytics() {
	begin analytics
	cat > "$WORK/analytics.sh" <<-EOF
	#!/bin/sh
	srun --lwk=cores:1 -n1 "$WORK/report" 4 > "$WORK/sim.out" 2>&1 &
	sleep 2
	srun --overlap -n2 "$WORK/report" > "$WORK/ana.out" 2>&1
	echo "analytics rc=\$?"
	wait
	EOF
	run_to "$CFG analytics" 90 salloc -n2 sh "$WORK/analytics.sh"
	sim=$(lines lwk= "$(cat "$WORK/sim.out")")
	ana=$(lines lwk= "$(cat "$WORK/ana.out")")
	lwkcpus=$(field lwkcpus "$sim")
	t_match "$CFG analytics: the sim step runs in the partition" '^job\.[0-9]+$' "$(field lwk "$sim")"
	t_match "$CFG analytics: the analytics step exits 0" 'rc=0' "$OUT"
	t_eq "$CFG analytics: two analytics tasks reported" 2 "$(printf '%s\n' "$ana" | grep -c '^host=')"
	off_lwk "$CFG analytics: analytics tasks never see an LWK core" "$ana" "$lwkcpus" \
		"$(cat "$WORK/sim.out" "$WORK/ana.out")"
	t_eq "$CFG analytics: analytics tasks are not told of a partition" "- -" \
		"$(printf '%s\n' "$ana" | sed -n 's/.* lwk=\([^ ]*\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
	restored analytics
}

# The analytics step first, the sim step's partition made while it runs:
# its tasks are moved off the new LWK core (task/cgroup keeps them in a
# cpuset with every core of the job; linuxproc in the root cpuset), also the
# one Slurm had bound to that core alone.
sc_analytics_first() {
	begin analytics_first
	cat > "$WORK/analytics1.sh" <<-EOF
	#!/bin/sh
	srun --overlap -n2 "$WORK/report_after" "$WORK/sim1.out" > "$WORK/ana1.out" 2>&1 &
	sleep 2
	srun --lwk=cores:1 -n1 "$WORK/report" > "$WORK/sim1.out" 2>&1
	echo "sim rc=\$?"
	wait \$!
	echo "analytics rc=\$?"
	EOF
	rm -f "$WORK/sim1.out" "$WORK/ana1.out"	# the other config's
	run_to "$CFG analytics_first" 90 salloc -n2 sh "$WORK/analytics1.sh"
	sim=$(lines lwk= "$(cat "$WORK/sim1.out")")
	ana=$(lines lwk= "$(cat "$WORK/ana1.out")")
	lwkcpus=$(field lwkcpus "$sim")
	t_match "$CFG analytics_first: the sim step runs in the partition" '^job\.[0-9]+$' "$(field lwk "$sim")"
	t_match "$CFG analytics_first: both steps exit 0" 'sim rc=0.*analytics rc=0' "$(printf '%s ' $OUT)"
	t_eq "$CFG analytics_first: two analytics tasks reported" 2 "$(printf '%s\n' "$ana" | grep -c '^host=')"
	off_lwk "$CFG analytics_first: running analytics tasks moved off the new LWK core" "$ana" "$lwkcpus" \
		"$(cat "$WORK/sim1.out" "$WORK/ana1.out"); slurmd: $(grep -h 'lwk\|launch task\|done with' "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log | tail -n 8)"
	restored analytics_first
}

# Two one-core analytics steps first (srun -n1 -c1: with ConstrainCores each
# step's own cpuset holds its one core), then the sim step's partition on
# one of those cores: that step's cpuset gives up the LWK core for the job's
# Linux one, where no affinity could have taken its task (contrib/demo's
# Dask step ran on the LWK core beside the simulation before).
sc_analytics_pinned() {
	begin analytics_pinned
	cat > "$WORK/analytics2.sh" <<-EOF
	#!/bin/sh
	srun -n1 -c1 "$WORK/report_after" "$WORK/sim2.out" > "$WORK/ana2a.out" 2>&1 &
	srun -n1 -c1 "$WORK/report_after" "$WORK/sim2.out" > "$WORK/ana2b.out" 2>&1 &
	sleep 3
	srun --overlap --lwk=cores:1 -n1 "$WORK/report" > "$WORK/sim2.out" 2>&1
	echo "sim rc=\$?"
	wait
	echo "analytics done"
	EOF
	rm -f "$WORK/sim2.out" "$WORK/ana2a.out" "$WORK/ana2b.out"	# the other config's
	run_to "$CFG analytics_pinned" 90 salloc -n2 sh "$WORK/analytics2.sh"
	sim=$(lines lwk= "$(cat "$WORK/sim2.out")")
	ana=$(lines lwk= "$(cat "$WORK/ana2a.out" "$WORK/ana2b.out")")
	lwkcpus=$(field lwkcpus "$sim")
	t_match "$CFG analytics_pinned: the sim step runs in the partition" '^job\.[0-9]+$' "$(field lwk "$sim")"
	t_match "$CFG analytics_pinned: the sim step exits 0" 'sim rc=0' "$OUT"
	t_eq "$CFG analytics_pinned: two one-core analytics tasks reported" 2 "$(printf '%s\n' "$ana" | grep -c '^host=')"
	off_lwk "$CFG analytics_pinned: both one-core analytics steps off the new LWK core" "$ana" "$lwkcpus" \
		"$(cat "$WORK/sim2.out" "$WORK/ana2a.out" "$WORK/ana2b.out"); slurmd: $(grep -h 'lwk' "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log | tail -n 8)"
	if [ "$CFG" = cgroup ]; then	# ConstrainCores: the step's own cpuset held the core
		t_match "$CFG analytics_pinned: the slurmd log names the step cpuset that left the LWK core" \
			'lwk: cpuset /sys/fs/cgroup/.*/step_[0-9]+(/task_[0-9]+)? of an earlier step left the LWK CPUs' \
			"$(grep -h 'left the LWK' "$LWK_CLUSTER_DIR"/nodes/*/slurmd.log)"
	fi
	restored analytics_pinned
}

# Analytics and sim steps launched at the same instant, several times: the
# analytics task starts (no task_g_set_affinity failure) and, once the
# partition exists, is off the LWK core, whichever step won.
sc_analytics_race() {
	begin analytics_race
	cat > "$WORK/race.sh" <<-EOF
	#!/bin/sh
	srun --overlap -n1 "$WORK/report_after" "$WORK/race.sim" > "$WORK/race.ana" 2>&1 &
	srun --lwk=cores:1 -n1 "$WORK/report" 3 > "$WORK/race.sim" 2>&1
	echo "sim rc=\$?"
	wait \$!
	echo "analytics rc=\$?"
	EOF
	fails=""
	for i in 1 2 3 4; do
		rm -f "$WORK/race.sim" "$WORK/race.ana"
		run_to "$CFG analytics_race $i" 60 salloc -n2 sh "$WORK/race.sh"
		sim=$(lines lwk= "$(cat "$WORK/race.sim")")
		ana=$(lines lwk= "$(cat "$WORK/race.ana")")
		lwkcpus=$(field lwkcpus "$sim")
		if ! printf '%s ' $OUT | grep -q 'sim rc=0.*analytics rc=0' || [ -z "$ana" ] ||
		   [ -z "$lwkcpus" ] || [ "$lwkcpus" = - ] || cpus_overlap "$(field cpus "$ana")" "$lwkcpus"; then
			fails="$fails [$i: $OUT / $(cat "$WORK/race.sim" "$WORK/race.ana" | tr '\n' ' ')]"
		fi
		wait_parts_gone 20 || true
	done
	if [ -z "$fails" ]; then
		t_ok "$CFG analytics_race: 4 simultaneous analytics+sim launches: both start, analytics never on the LWK core"
	else
		t_fail "$CFG analytics_race:$fails"
	fi
	restored analytics_race
}

# Every bad spec of tests/data/bad-specs.tsv, through srun: one "lwk:" line
# with the expected message, non-zero exit, no job, no partition.
sc_bad_specs() {
	begin bad_specs
	table="$SRCDIR/tests/data/bad-specs.tsv"
	if [ ! -r "$table" ]; then
		t_fail "$CFG bad_specs: $table is missing"
		return
	fi
	next0=$(scontrol show config | sed -n 's/^NEXT_JOB_ID *= *//p')
	n=0
	nbad=0
	tab=$(printf '\t')
	while IFS="$tab" read -r spec msg; do
		case $spec in '#'*) continue ;; esac
		[ -n "$msg" ] || continue
		n=$((n + 1))
		out=$(timeout 20 srun --lwk="$spec" -n1 true 2>&1)
		rc=$?
		nl=$(printf '%s\n' "$out" | grep -c '^lwk: ')
		if [ $rc = 0 ] || [ "$nl" != 1 ] || ! printf '%s\n' "$out" | grep '^lwk: ' | grep -qF -- "$msg"; then
			nbad=$((nbad + 1))
			t_fail "$CFG bad_specs: srun --lwk='$spec': rc=$rc, want one 'lwk: ...$msg...' line, got: $(printf '%s' "$out" | tr '\n' '|')"
		fi
	done < "$table"
	if [ $n -ge 20 ] && [ $nbad = 0 ]; then
		t_ok "$CFG bad_specs: $n bad specs rejected by srun, each with its one 'lwk:' message"
	elif [ $n -lt 20 ]; then
		t_fail "$CFG bad_specs: only $n specs in $table (want at least 20)"
	fi
	for tool in sbatch salloc; do
		if [ $tool = sbatch ]; then
			out=$(timeout 20 sbatch --lwk=cores:6O -n1 --wrap true 2>&1)
		else
			out=$(timeout 20 salloc --lwk=cores:6O -n1 true 2>&1)
		fi
		rc=$?
		if [ $rc != 0 ] && [ "$(printf '%s\n' "$out" | grep -c '^lwk: ')" = 1 ] &&
		   printf '%s\n' "$out" | grep -q "^lwk: 'cores:6O': cores expects"; then
			t_ok "$CFG bad_specs: $tool --lwk=cores:6O rejected with one lwk: line"
		else
			t_fail "$CFG bad_specs: $tool --lwk=cores:6O: rc=$rc: $out"
		fi
	done
	next1=$(scontrol show config | sed -n 's/^NEXT_JOB_ID *= *//p')
	t_eq "$CFG bad_specs: no job was submitted for any bad spec" "$next0" "$next1"
	t_eq "$CFG bad_specs: nothing provisioned" "" "$(parts)$(lwk_cpusets)"
}

# A spec asking more cores than the job has on the node fails the step.
sc_too_big() {
	begin too_big
	run_to "$CFG too_big" 30 srun --lwk=cores:3 -n1 "$WORK/report"
	if [ $RC != 0 ] && [ $RC != 124 ]; then
		t_ok "$CFG too_big: srun --lwk=cores:3 on a 1-core job exits non-zero ($RC)"
	else
		t_fail "$CFG too_big: srun --lwk=cores:3 on a 1-core job exited $RC"
	fi
	t_match "$CFG too_big: srun's output says why, on an lwk: line" '^lwk: cannot provision.*cores' "$(printf '%s\n' "$OUT" | grep '^lwk:')"
	t_eq "$CFG too_big: the task did not run" "" "$(lines host= "$OUT")"
	restored too_big
}

# More tasks on a node than the partition has cores: every task starts,
# says why on an lwk: line and fails; srun exits non-zero. (Slurm binds one
# task to the LWK core; slurmstepd must still be able to start it.)
sc_too_many() {
	begin too_many
	run_to "$CFG too_many" 30 srun --lwk=cores:1 -n2 "$WORK/report"
	if [ $RC != 0 ] && [ $RC != 124 ]; then
		t_ok "$CFG too_many: srun --lwk=cores:1 -n2 exits non-zero ($RC)"
	else
		t_fail "$CFG too_many: srun --lwk=cores:1 -n2 exited $RC: $OUT"
	fi
	t_eq "$CFG too_many: each task says why, on an lwk: line" 2 \
		"$(printf '%s\n' "$OUT" | grep -c '^lwk: 2 tasks on this node: 2 local ranks but only 1 LWK core on this node')"
	t_eq "$CFG too_many: no task ran" "" "$(lines host= "$OUT")"
	if printf '%s\n' "$OUT" | grep -q 'task_g_set_affinity'; then
		t_fail "$CFG too_many: a task failed to start instead of reporting: $OUT"
	else
		t_ok "$CFG too_many: no task failed to start (task_g_set_affinity)"
	fi
	restored too_many
}

# The step's noise report: at the step's end, on its stderr, for the step's
# window; report:off keeps it quiet.
sc_step_report() {
	begin step_report
	OUT=$(timeout 60 srun --lwk=cores:1 -n1 sh -c 'echo out; sleep 1' 2>"$WORK/rep.err"); RC=$?
	err=$(cat "$WORK/rep.err")
	t_eq "$CFG step_report: the step exits 0 and its stdout is its own" "0 out" "$RC $OUT"
	sum=$(printf '%s\n' "$err" | grep '^lwk: job [0-9]* step 0 on ')
	t_match "$CFG step_report: srun's stderr has the step's summary" \
		"^lwk: job [0-9]+ step 0 on $LWK_CLUSTER_HOST: [0-9]+ interruptions? of 1 LWK CPU in [0-9]+\.[0-9]+ s" "$sum"
	secs=$(printf '%s\n' "$sum" | sed -n 's/.* in \([0-9]*\)\.[0-9]* s.*/\1/p')
	if [ -n "$secs" ] && [ "$secs" -ge 1 ] && [ "$secs" -lt 30 ]; then
		t_ok "$CFG step_report: the window is the step's (${secs}s for a 1 s step)"
	else
		t_fail "$CFG step_report: window '$secs' s for a 1 s step: $err"
	fi
	t_match "$CFG step_report: then the per-CPU table" '^lwk: noise of partition job\.[0-9]+ on 1 CPU ' \
		"$(printf '%s\n' "$err" | grep '^lwk: noise of partition')"
	lwkcpu=$(printf '%s\n' "$err" | awk '$1 == "cpu" { getline; print $1 }')
	t_match "$CFG step_report: the table has a row for the LWK CPU" '^[0-9]+$' "$lwkcpu"
	run_to "$CFG step_report off" 60 srun --lwk=cores:1,report:off -n1 true
	t_eq "$CFG step_report: report:off prints no report" "0 " "$RC $(printf '%s\n' "$OUT" | grep '^lwk:')"
	restored step_report
}

# Two LWK jobs on one node. The host has 2 CPUs, so the second job's LWK
# would leave Linux no CPU: it must fail with a message and leave the first
# job alone (or, on a bigger node, get a partition of its own).
sc_two_jobs() {
	begin two_jobs
	srun --lwk=cores:1 -n1 "$WORK/report" 5 > "$WORK/a.out" 2>&1 &
	apid=$!
	i=0
	while [ -z "$(parts)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	run_to "$CFG two_jobs" 30 srun --lwk=cores:1 -n1 "$WORK/report"
	wait $apid
	arc=$?
	a=$(lines lwk= "$(cat "$WORK/a.out")")
	t_eq "$CFG two_jobs: the first LWK job exits 0" 0 "$arc"
	t_match "$CFG two_jobs: the first job ran in its partition" '^job\.[0-9]+$' "$(field lwk "$a")"
	b=$(lines lwk= "$OUT")
	if [ $RC = 0 ] && [ -n "$b" ] && [ "$(field lwk "$b")" != - ] &&
	   ! cpus_overlap "$(field cpus "$b")" "$(field lwkcpus "$a")"; then
		t_ok "$CFG two_jobs: the second job got a partition of its own ($(field lwkcpus "$b") vs $(field lwkcpus "$a"))"
	elif [ $RC != 0 ] && [ $RC != 124 ] && printf '%s\n' "$OUT" | grep -q '^lwk: '; then
		t_ok "$CFG two_jobs: the second job, which would take the node's last Linux CPU, fails with: $(printf '%s\n' "$OUT" | grep '^lwk: ' | head -1)"
	else
		t_fail "$CFG two_jobs: second job rc=$RC: $OUT"
	fi
	restored two_jobs
}

# scancel while an LWK step runs: tasks gone, partition torn down.
sc_scancel() {
	begin scancel
	srun --lwk=cores:1 -n1 sleep 60 > "$WORK/scancel.out" 2>&1 &
	spid=$!
	i=0
	while [ -z "$(parts)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	job=$(squeue -h -o %i -t running | sort -n | tail -1)
	i=0
	tasks=""
	while [ -z "$tasks" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
		tasks=$(cat /sys/fs/cgroup/cpuset/lwk/job."$job"/cgroup.procs 2>/dev/null | tr '\n' ' ')
	done
	t_match "$CFG scancel: the step's task runs in the partition" '[0-9]' "$tasks"
	scancel "$job"
	i=0
	while kill -0 $spid 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $spid 2>/dev/null; then
		t_fail "$CFG scancel: srun still running 15 s after scancel"
		kill $spid 2>/dev/null
	else
		t_ok "$CFG scancel: srun ended after scancel"
	fi
	alive=""
	for p in $tasks; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
	t_eq "$CFG scancel: the LWK task is gone" "" "$alive"
	restored scancel
}

# SIGKILL of the step's slurmstepd: nobody runs the step's teardown; the job
# epilog reaps the partition when the job is cancelled.
sc_stepd_kill() {
	begin stepd_kill
	job=$(sbatch --parsable -n1 -o /dev/null --wrap "srun --lwk=cores:1 -n1 sleep 60")
	i=0
	tasks=""
	while [ -z "$tasks" ] && [ $i -lt 200 ]; do
		sleep 0.1
		i=$((i + 1))
		tasks=$(cat /sys/fs/cgroup/cpuset/lwk/job."$job"/cgroup.procs 2>/dev/null | tr '\n' ' ')
	done
	stepd=""
	for f in /proc/[0-9]*/cmdline; do
		c=$( { tr '\0' ' ' < "$f"; } 2>/dev/null)
		case $c in "slurmstepd: [$job.0]"*)
			stepd=${f#/proc/}
			stepd=${stepd%/cmdline}
			;;
		esac
	done
	if [ -z "$stepd" ] || [ -z "$tasks" ]; then
		t_fail "$CFG stepd_kill: no slurmstepd for $job.0 or no task in its partition ('$stepd' '$tasks')"
	else
		kill -KILL "$stepd"
		t_ok "$CFG stepd_kill: SIGKILL to slurmstepd $stepd of step $job.0"
	fi
	sleep 1
	t_match "$CFG stepd_kill: the partition outlives its slurmstepd" "job\.$job\.part" "$(parts)"
	scancel "$job"
	i=0
	while squeue -h -j "$job" 2>/dev/null | grep -q . && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	restored stepd_kill
	# the orphaned task (linuxproc has no container to kill it)
	for p in $tasks; do kill -KILL "$p" 2>/dev/null; done
}

# sbatch --lwk: steps inherit it, --lwk=none opts out, the script stays on Linux.
sc_sbatch() {
	begin sbatch
	run_to "$CFG sbatch" 90 sbatch --wait -n2 --lwk=cores:1 -o "$WORK/sbatch.out" --wrap \
		"echo script; $WORK/report; echo step-inherit; srun -n1 $WORK/report; echo step-none; srun --lwk=none -n1 $WORK/report; echo step-own; srun --lwk=report:off -n1 $WORK/report"
	t_eq "$CFG sbatch: sbatch --wait exits 0" 0 "$RC"
	o=$(cat "$WORK/sbatch.out" 2>/dev/null)
	# the Nth line after a marker, srun's own messages ("step creation
	# temporarily disabled, retrying") left out
	after() { printf '%s\n' "$o" | grep -v '^srun: ' | sed -n "/^$1\$/{n;${2:+n;}p}"; }
	script=$(after script)
	inh=$(after step-inherit)
	none=$(after step-none)
	own=$(after step-own)
	t_eq "$CFG sbatch: the batch script itself is not in the LWK" - "$(field lwk "$script")"
	t_match "$CFG sbatch: a step without --lwk inherits sbatch's --lwk" '^job\.[0-9]+$' "$(field lwk "$inh")"
	t_eq "$CFG sbatch: srun --lwk=none opts a step out" - "$(field lwk "$none")"
	if [ -n "$none" ] && ! cpus_overlap "$(field cpus "$none")" "$(field lwkcpus "$inh")"; then
		t_ok "$CFG sbatch: the opted-out step runs on Linux cores only"
	else
		t_fail "$CFG sbatch: opted-out step cpus '$(field cpus "$none")' vs LWK '$(field lwkcpus "$inh")': $o"
	fi
	t_match "$CFG sbatch: a step's own --lwk is layered over sbatch's" '^job\.[0-9]+$' "$(field lwk "$own")"
	t_match "$CFG sbatch: ... keeping sbatch's items (LWK_SPEC)" 'cores:1.*report:off' "$(field spec "$own")"
	# the job's stderr (here with its stdout) has the reports of its LWK
	# steps: the inheriting one, not the report:off one
	t_eq "$CFG sbatch: the job's output has one step noise report" 1 \
		"$(printf '%s\n' "$o" | grep -c '^lwk: job [0-9]* step [0-9]* on ')"
	t_match "$CFG sbatch: ... right after the inheriting step's output" '^lwk: job [0-9]+ step [0-9]+ on ' \
		"$(after step-inherit 2)"
	restored sbatch
}

# A hetjob: only the component that asked gets the LWK.
sc_het_lwk() {
	begin het_lwk
	# Emulated nodes share this machine's CPUs. -c2: the LWK component's
	# partition takes the core of its two that takes no unmovable IRQ (issue
	# 15), else the higher one; the other component is bound to the other
	# core, so that it cannot race with the partition's creation (stepd.c).
	_hit=$("$LWK_BUILDDIR/tools/lwkpart" --statedir "$(STATEDIR)" --json check | unmovable_cpus)
	case $_hit in
	*,0,*) _other=0 ;;
	*,1,*) _other=1 ;;
	*) _other=0 ;;
	esac
	run_to "$CFG het_lwk" 60 srun -p emu -N1 -n1 -c2 --lwk=cores:1 "$WORK/report" 2 : \
		-p emu -N1 -n1 -c2 --cpu-bind=map_cpu:$_other "$WORK/report" 2
	t_eq "$CFG het_lwk: srun exits 0" 0 "$RC"
	sim=$(lines 'lwk=job' "$OUT")
	ana=$(lines 'lwk=-' "$OUT")
	t_eq "$CFG het_lwk: one component in the LWK, one not" "1 1" \
		"$(printf '%s\n' "$sim" | grep -c host=) $(printf '%s\n' "$ana" | grep -c host=)"
	if [ -n "$sim" ] && [ -n "$ana" ] && [ "$(field host "$sim")" != "$(field host "$ana")" ]; then
		t_ok "$CFG het_lwk: the components ran on two emulated nodes ($(field host "$sim"), $(field host "$ana"))"
	else
		t_fail "$CFG het_lwk: components: $OUT"
	fi
	# emulated nodes share this machine's CPUs: the other component stays
	# off the LWK cores too
	if [ -n "$ana" ] && [ -n "$sim" ] && ! cpus_overlap "$(field cpus "$ana")" "$(field lwkcpus "$sim")"; then
		t_ok "$CFG het_lwk: the other component never sees an LWK core"
	else
		t_fail "$CFG het_lwk: other component cpus '$(field cpus "$ana")' vs LWK '$(field lwkcpus "$sim")'"
	fi
	run_to "$CFG het_lwk none" 60 srun -p emu -N1 -n1 --lwk=none "$WORK/report" : -p emu -N1 -n1 -c2 --lwk=cores:1 "$WORK/report"
	t_eq "$CFG het_lwk: --lwk=none on the first component, --lwk on the second: one each" "1 1" \
		"$(lines 'lwk=job' "$OUT" | grep -c host=) $(lines 'lwk=-' "$OUT" | grep -c host=)"
	restored het_lwk
}

# A real MPI program (Open MPI over PMIx) in the LWK.
sc_mpi_lwk() {
	begin mpi_lwk
	run_to "$CFG mpi_lwk" 60 srun --mpi=pmix_v4 --lwk=cores:1 -n1 "$WORK/mpi_report"
	r0=$(printf '%s\n' "$OUT" | grep '^rank=0 ')
	t_match "$CFG mpi_lwk: MPI rank 0 runs in the partition" '^job\.[0-9]+$' "$(field lwk "$r0")"
	t_match "$CFG mpi_lwk: ... in its cpuset" '^/lwk/job\.[0-9]+$' "$(field cpuset "$r0")"
	run_to "$CFG mpi_lwk 2" 90 srun -p emu -N2 -n2 --mpi=pmix_v4 --lwk=cores:1 "$WORK/mpi_report"
	out=$(printf '%s\n' "$OUT" | grep '^rank=' | sort)
	t_eq "$CFG mpi_lwk: 2 ranks on 2 emulated nodes (world size 2), both in the LWK" "2 2" \
		"$(printf '%s\n' "$out" | grep -c 'size=2') $(printf '%s\n' "$out" | grep -c 'lwk=job\.')"
	restored mpi_lwk
}

# What a task of srun --lwk gets is what lwkrun gives a rank (liblwk's rank
# plan, lwk/rank.h): OpenMP variables for its share, GLIBC_TUNABLES for
# pages:, the user's own values kept. Each task also asks lwkrun for its
# plan (--dry-run, from the partition the plugin exports) and every env:
# line of that plan must be in the task's environment as it is.
# omp_task VAR=VALUE...: the task's command line; the VARs are the user's
# values lwkrun is given (the plugin's are taken out first).
omp_task() {
	_keep=""
	for _v in "$@"; do _keep="$_keep $_v"; done
	printf '%s' 'printf "omp n=%s places=%s bind=%s tunables=%s rankcpus=%s cpus=%s\n" "${OMP_NUM_THREADS:--}" "${OMP_PLACES:--}" "${OMP_PROC_BIND:--}" "${GLIBC_TUNABLES:--}" "${LWK_RANK_CPUS:--}" "$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status)"; env | sed "s/^/task: /"; env -u OMP_NUM_THREADS -u OMP_PLACES -u OMP_PROC_BIND -u GLIBC_TUNABLES'"$_keep"' '"$LWK_BUILDDIR/launcher/lwkrun"' --dry-run true | sed -n "s/^env: \(.*\) (kept: set by the user)\$/lwkrun: \1/p; s/^env: /lwkrun: /p"'
}

# places LIST: the OMP_PLACES of a share, "{2},{3}"
places() { for _c in $(expand "$1"); do printf '{%s},' "$_c"; done | sed 's/,$//'; }

# same_as_lwkrun NAME: every variable of lwkrun's plan is in the task's env
same_as_lwkrun() {
	_want=$(printf '%s\n' "$OUT" | sed -n 's/^lwkrun: //p' | sort)
	_miss=""
	for _l in $_want; do
		printf '%s\n' "$OUT" | grep -qxF "task: $_l" || _miss="$_miss $_l"
	done
	if [ -n "$_want" ] && [ -z "$_miss" ]; then
		t_ok "$CFG $1: the task has every variable of lwkrun's plan for it ($(printf '%s' "$_want" | sed 's/=.*//' | tr '\n' ' '))"
	else
		t_fail "$CFG $1: lwkrun's plan has '$_miss', which the task lacks: $OUT"
	fi
}

sc_omp_env() {
	begin omp_env
	run_to "$CFG omp_env" 60 env -u OMP_NUM_THREADS -u OMP_PLACES -u OMP_PROC_BIND -u GLIBC_TUNABLES \
		srun --lwk=cores:1,pages:2m -n1 sh -c "$(omp_task)"
	t_eq "$CFG omp_env: srun --lwk=cores:1,pages:2m exits 0" 0 "$RC"
	l=$(printf '%s\n' "$OUT" | grep '^omp ')
	rc=$(field rankcpus "$l")
	t_match "$CFG omp_env: the task is told its share (LWK_RANK_CPUS)" '^[0-9]' "$rc"
	t_eq "$CFG omp_env: bound to the share; OMP_NUM_THREADS, OMP_PLACES, OMP_PROC_BIND, GLIBC_TUNABLES for it" \
		"cpus=$rc n=$(expand "$rc" | wc -w) places=$(places "$rc") bind=close tunables=glibc.malloc.hugetlb=2" \
		"cpus=$(field cpus "$l") n=$(field n "$l") places=$(field places "$l") bind=$(field bind "$l") tunables=$(field tunables "$l")"
	same_as_lwkrun omp_env

	run_to "$CFG omp_env user" 60 env -u OMP_PLACES OMP_NUM_THREADS=5 OMP_PROC_BIND=spread \
		GLIBC_TUNABLES=glibc.malloc.check=3 srun --lwk=cores:1,pages:2m -n1 \
		sh -c "$(omp_task OMP_NUM_THREADS=5 OMP_PROC_BIND=spread GLIBC_TUNABLES=glibc.malloc.check=3)"
	t_eq "$CFG omp_env user: srun exits 0" 0 "$RC"
	l=$(printf '%s\n' "$OUT" | grep '^omp ')
	rc=$(field rankcpus "$l")
	t_eq "$CFG omp_env user: the user's OMP_NUM_THREADS and OMP_PROC_BIND kept, hugetlb appended to GLIBC_TUNABLES" \
		"n=5 places=$(places "$rc") bind=spread tunables=glibc.malloc.check=3:glibc.malloc.hugetlb=2" \
		"n=$(field n "$l") places=$(field places "$l") bind=$(field bind "$l") tunables=$(field tunables "$l")"
	same_as_lwkrun "omp_env user"

	run_to "$CFG omp_env 4k" 60 env -u OMP_NUM_THREADS -u OMP_PLACES -u OMP_PROC_BIND -u GLIBC_TUNABLES \
		srun --lwk=cores:1,pages:4k -n1 sh -c "$(omp_task)"
	l=$(printf '%s\n' "$OUT" | grep '^omp ')
	t_eq "$CFG omp_env 4k: pages:4k leaves GLIBC_TUNABLES unset, OpenMP variables still set" \
		"0 tunables=- n=1 bind=close" "$RC tunables=$(field tunables "$l") n=$(field n "$l") bind=$(field bind "$l")"
	same_as_lwkrun "omp_env 4k"
	restored omp_env
}

# --- sizing (issue 14): the cluster of the "sizing" phase of run has
# contrib/slurm/cli_filter.lua and job_submit.lua installed (cluster --lua)
# and min_linux_cores=1, as a site would: --lwk=cores:N alone asks Slurm for
# N+1 CPUs per node.

# ncpus JOB: NumCPUs of a job Slurm still knows
ncpus() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*NumCPUs=\([0-9]*\).*/\1/p' | head -n 1; }
next_job() { scontrol show config | sed -n 's/^NEXT_JOB_ID *= *//p'; }

# sized NAME EXPECTED_CPUS: the report in $OUT ran in a partition of a job
# of EXPECTED_CPUS CPUs
sized() {
	_l=$(lines 'lwk=job' "$OUT" | head -n 1)
	_job=$(field lwk "$_l" | sed 's/^job\.//')
	if [ "$RC" = 0 ] && [ -n "$_job" ] && cpus_within "$(field cpus "$_l")" "$(field lwkcpus "$_l")"; then
		t_ok "$CFG sizing: $1: exits 0, its task on the LWK cores ($(field cpus "$_l"))"
	else
		t_fail "$CFG sizing: $1: rc=$RC: $OUT"
	fi
	t_eq "$CFG sizing: $1: the job got $2 CPUs" "$2" "$(ncpus "$_job")"
}

# refused NAME PATTERN CMD...: one lwk: line matching PATTERN, non-zero
# exit, no job submitted
refused() {
	_rn=$1
	_rp=$2
	shift 2
	_n0=$(next_job)
	run_to "$CFG sizing $_rn" 30 "$@"
	_l=$(printf '%s\n' "$OUT" | grep -c '^lwk: ')
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && [ "$_l" = 1 ] &&
	   printf '%s\n' "$OUT" | grep '^lwk: ' | grep -Eq -- "$_rp"; then
		t_ok "$CFG sizing: $_rn: refused at submit time: $(printf '%s\n' "$OUT" | grep '^lwk: ')"
	else
		t_fail "$CFG sizing: $_rn: rc=$RC, want one lwk: line matching /$_rp/: $OUT"
	fi
	t_eq "$CFG sizing: $_rn: no job submitted" "$_n0" "$(next_job)"
}

sc_sizing() {
	begin sizing
	run_to "$CFG sizing srun" 60 srun --lwk=cores:1 "$WORK/report"
	sized "srun --lwk=cores:1 (no -n/-c)" 2
	run_to "$CFG sizing sbatch" 90 sbatch --wait --lwk=cores:1 -o "$WORK/size.out" --wrap "srun $WORK/report"
	OUT=$(cat "$WORK/size.out" 2>/dev/null)
	sized "sbatch --lwk=cores:1, its srun step" 2
	run_to "$CFG sizing salloc" 90 salloc --lwk=cores:1 srun "$WORK/report"
	sized "salloc --lwk=cores:1, its srun step" 2
	run_to "$CFG sizing util" 60 srun -p emu --lwk=cores:1,util:1 "$WORK/report"
	sized "srun --lwk=cores:1,util:1 (util counts as kept on Linux)" 2

	# hetjob: the component with --lwk is sized, the other is not
	run_to "$CFG sizing het" 90 srun -p emu --lwk=cores:1 "$WORK/report" : -p emu "$WORK/report"
	sized "hetjob srun --lwk=cores:1 A : B, component A" 2
	ana=$(lines 'lwk=-' "$OUT")
	t_eq "$CFG sizing: hetjob component B runs outside the LWK on the 1 CPU it asked for" "1 1" \
		"$(printf '%s\n' "$ana" | grep -c host=) $(expand "$(field cpus "$ana")" | wc -w)"

	# explicit sizes are the user's
	run_to "$CFG sizing -c2" 60 srun --lwk=cores:1 -c2 "$WORK/report"
	sized "srun --lwk=cores:1 -c2 (left alone)" 2
	run_to "$CFG sizing exclusive" 60 srun --lwk=cores:1 --exclusive "$WORK/report"
	sized "srun --lwk=cores:1 --exclusive (left alone: the whole node)" "$(sinfo -h -n "$LWK_CLUSTER_HOST" -o %c)"
	refused "srun --lwk=cores:1 -c1" 'needs 2 CPUs on each node .*at most 1 on a node: add --mincpus=2' \
		srun --lwk=cores:1 -c1 "$WORK/report"
	refused "sbatch --lwk=cores:1 --ntasks-per-node=1" 'needs 2 CPUs on each node .*at most 1 on a node' \
		sbatch --lwk=cores:1 --ntasks-per-node=1 -o /dev/null --wrap true
	refused "sbatch --lwk=cores:2 -n2 (no 3-CPU node)" "'cores:2' needs 3 CPUs .*largest node of the default partition has 2" \
		sbatch --lwk=cores:2 -n2 -o /dev/null --wrap true

	# shares of the job: only with a size
	refused "srun --lwk=cores:all" "'cores:all' takes a share of the job's cores.*give it one" \
		srun --lwk=cores:all "$WORK/report"
	refused "salloc --lwk=cores:50%" "'cores:50%' takes a share" salloc --lwk=cores:50% true
	run_to "$CFG sizing 50%" 60 srun --lwk=cores:50% -c2 "$WORK/report"
	sized "srun --lwk=cores:50% -c2" 2

	# beyond any node: Slurm would refuse it anyway, the filter says why
	refused "srun --lwk=cores:60" "'cores:60' needs 61 CPUs .*largest node of the default partition has [0-9]+" \
		srun --lwk=cores:60 "$WORK/report"
	# a bad spec is the plugin's: still its one line
	refused "srun --lwk=cores:6O" "'cores:6O': cores expects" srun --lwk=cores:6O true

	# a client without the cli_filter: job_submit.lua sizes and guards
	run_to "$CFG sizing nofilter" 60 env SLURM_CONF="$LWK_CLUSTER_DIR/etc-nofilter/slurm.conf" \
		srun --lwk=cores:1 "$WORK/report"
	sized "without the cli_filter, srun --lwk=cores:1 (sized by job_submit.lua)" 2
	run_to "$CFG sizing nofilter -c1" 30 env SLURM_CONF="$LWK_CLUSTER_DIR/etc-nofilter/slurm.conf" \
		srun --lwk=cores:1 -c1 "$WORK/report"
	if [ "$RC" != 0 ] && [ "$(printf '%s\n' "$OUT" | grep -c 'lwk: ')" = 1 ] &&
	   printf '%s\n' "$OUT" | grep -q "lwk: 'cores:1' needs 2 CPUs" && [ -z "$(lines host= "$OUT")" ]; then
		t_ok "$CFG sizing: without the cli_filter, srun --lwk=cores:1 -c1 refused by job_submit.lua: $(printf '%s\n' "$OUT" | grep 'lwk: ')"
	else
		t_fail "$CFG sizing: without the cli_filter, srun --lwk=cores:1 -c1: rc=$RC: $OUT"
	fi
	restored sizing
}

# --- real analytics (issue 14): a Dask cluster (bench/dask_wordcount: a
# scheduler and dask-worker nannies and workers, started as a Slurm step)
# word-counting beside an MPI BSP simulation (bench/bsp_mpi) in the LWK.
# While both run, every thread of every process the framework started is
# read from /proc (not only the step's first task) and must be on Linux
# cores; after the step, none of them may be left.

# dask_threads DIR: "pid/tid name cpus" of every thread of every process
# started with LWK_DASK_DIR=DIR (dask_wordcount puts it in all of them)
dask_threads() {
	# one ps for every environment (grepping /proc/*/environ takes seconds)
	ps -e e -ww -o pid= -o args= > "$WORK/ps.env" 2>/dev/null
	for _p in $(sed 's/$/ /' "$WORK/ps.env" | grep -F " LWK_DASK_DIR=$1 " | awk '{ print $1 }'); do
		for _t in /proc/"$_p"/task/*; do
			[ -r "$_t/status" ] || continue
			awk -v id="$_p/${_t##*/}" '/^Name:/ { n = $2 } /^Cpus_allowed_list:/ { c = $2 }
				END { if (c != "") print id, n, c }' "$_t/status" 2>/dev/null
		done
	done
}

# lwk_cpus_now: the CPUs of this cluster's partitions ("" if none yet)
lwk_cpus_now() {
	for _j in $(squeue -h -o %A 2>/dev/null); do
		cat "/sys/fs/cgroup/cpuset/lwk/job.$_j/cpuset.cpus" 2>/dev/null
	done | tr '\n' ',' | sed 's/,$//'
}

# dask_sample DIR OUTFILE: once the Dask cluster is ready and a partition
# exists, writes "lwk=CPUS" and the threads to OUTFILE (within 240 s)
dask_sample() {
	_i=0
	while [ $_i -lt 1200 ]; do
		if [ -e "$1/ready" ] && [ -n "$(lwk_cpus_now)" ]; then
			sleep 1	# past the Client's start: its threads run
			{ echo "lwk=$(lwk_cpus_now)"; dask_threads "$1"; } > "$2"
			return 0
		fi
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "lwk=" > "$2"
}

# dask_check NAME SAMPLE DIR OUTPUT: the sampled threads are all off the
# LWK cores, the word count was right, and no process of it is left
dask_check() {
	_lwk=$(sed -n 's/^lwk=//p' "$2")
	_thr=$(grep -v '^lwk=' "$2")
	_np=$(printf '%s\n' "$_thr" | grep . | cut -d/ -f1 | sort -u | wc -l)
	_nt=$(printf '%s\n' "$_thr" | grep -c .)
	_bad=$(printf '%s\n' "$_thr" | while read -r _id _name _c; do
		[ -n "$_id" ] || continue
		if [ -z "$_c" ] || cpus_overlap "$_c" "$_lwk"; then echo "$_id($_name:$_c)"; fi
	done | tr '\n' ' ')
	# a scheduler, the client's process, a nanny and its worker at least
	if [ -n "$_lwk" ] && [ "$_np" -ge 4 ] && [ -z "$_bad" ]; then
		t_ok "$CFG $1: all $_nt threads of the framework's $_np processes on Linux cores while the LWK ($_lwk) ran the simulation"
	else
		t_fail "$CFG $1: LWK '$_lwk', $_np processes, $_nt threads, on LWK cores: '$_bad': $(printf '%s' "$_thr" | tr '\n' ' ')"
	fi
	t_match "$CFG $1: the Dask word count completed and was right" \
		'^dask: workers=[0-9]+ .*rounds=[1-9][0-9]* .*check=ok$' "$(printf '%s\n' "$4" | grep '^dask: ')"
	_i=0
	while [ -n "$(dask_threads "$3")" ] && [ $_i -lt 75 ]; do sleep 0.2; _i=$((_i + 1)); done
	t_eq "$CFG $1: no process of the framework left after the step" "" \
		"$(dask_threads "$3" | cut -d/ -f1 | sort -u | tr '\n' ' ')"
}

# the --overlap scenario: sim step in the LWK, Dask step on the Linux core
sc_dask_overlap() {
	begin dask_overlap
	dd="$WORK/dask-overlap"
	rm -rf "$dd"
	cat > "$WORK/dask_overlap.sh" <<-EOF
	#!/bin/sh
	srun --mpi=pmix_v4 "$WORK/bsp_mpi" --seconds 30 > "$WORK/dsim.out" 2>&1 &
	i=0
	while [ ! -d /sys/fs/cgroup/cpuset/lwk/job.\$SLURM_JOB_ID ] && [ \$i -lt 600 ]; do sleep 0.2; i=\$((i + 1)); done
	srun --overlap --lwk=none -n2 -c1 "$SRCDIR/bench/dask_wordcount" --dir "$dd" --seconds 12 > "$WORK/dana.out" 2>&1
	echo "analytics rc=\$?"
	wait
	echo "sim rc=\$?"
	EOF
	dask_job dask_overlap "$dd" "$WORK/dsim.out" "$WORK/dana.out" "ran on its LWK core" \
		salloc --lwk=cores:1 sh "$WORK/dask_overlap.sh"
}

# dask_job NAME DIR SIMOUT ANAOUT WHERE SALLOC...: runs the allocation whose
# script starts the MPI simulation and the Dask step (sampling where every
# Dask thread runs meanwhile), then checks both exit 0, the simulation ran
# (WHERE says where), and the Dask threads were never on an LWK core.
dask_job() {
	_n=$1 _dd=$2 _sim=$3 _ana=$4 _where=$5
	shift 5
	dask_sample "$_dd" "$WORK/$_n.sample" &
	_spid=$!
	run_to "$CFG $_n" 240 "$@"
	wait $_spid
	t_match "$CFG $_n: $*: the sim and the Dask step exit 0" \
		'analytics rc=0.*sim rc=0' "$(printf '%s ' $OUT)"
	t_match "$CFG $_n: the MPI simulation $_where" '^bsp: ranks=1 iters=[0-9]+' \
		"$(grep '^bsp: ' "$_sim")"
	dask_check "$_n" "$WORK/$_n.sample" "$_dd" "$(cat "$_ana")"
	restored "$_n"
}

# the heterogeneous job: sim component in the LWK of one node, Dask
# component (scheduler + worker) on another, one step each (srun
# --mpi=pmix_v4 A : B would make one MPI world of both components, and the
# Dask tasks never join it)
sc_dask_het() {
	begin dask_het
	dd="$WORK/dask-het"
	rm -rf "$dd"
	cat > "$WORK/dask_het.sh" <<-EOF
	#!/bin/sh
	srun --het-group=0 --mpi=pmix_v4 "$WORK/bsp_mpi" --seconds 30 > "$WORK/dhsim.out" 2>&1 &
	srun --het-group=1 --lwk=none -n2 "$SRCDIR/bench/dask_wordcount" --dir "$dd" --seconds 12 > "$WORK/dhana.out" 2>&1
	echo "analytics rc=\$?"
	wait
	echo "sim rc=\$?"
	EOF
	dask_job dask_het "$dd" "$WORK/dhsim.out" "$WORK/dhana.out" "ran in the LWK component" \
		salloc -p emu --lwk=cores:1 : -p emu -N1 -n2 sh "$WORK/dask_het.sh"
}


# --- issue 16: the node's topology is read once. slurmd's start saves it in
# the state directory (lwk/topo_cache.h); lwkrun in a task of srun --lwk
# takes the plan the plugin made for the task (launcher/inherit.h) and opens
# neither the CPUs' sysfs files nor the cache; a corrupt cache is
# rediscovered by the next LWK step and saved whole again.
sc_lwkrun_inherit() {
	begin lwkrun_inherit
	_tx="$(STATEDIR)/topology.xml"
	t_check "$CFG lwkrun_inherit: slurmd's start saved the node's topology ($_tx)" \
		grep -q 'name="LWKBootId"' "$_tx"
	rm -f "$WORK/lwkrun.strace"
	run_to "$CFG lwkrun_inherit" 60 srun --lwk=cores:1 -n1 strace -f -qq -e trace=execve,open,openat \
		-o "$WORK/lwkrun.strace" "$LWK_BUILDDIR/launcher/lwkrun" "$WORK/report"
	t_eq "$CFG lwkrun_inherit: srun --lwk=cores:1 -n1 lwkrun report exits 0" 0 "$RC"
	l=$(lines lwk= "$OUT")
	t_match "$CFG lwkrun_inherit: the program runs on the rank's share" \
		"^$(field rankcpus "$l")\$" "$(field cpus "$l")"
	if grep -q "execve(\"$LWK_BUILDDIR/launcher/lwkrun\"" "$WORK/lwkrun.strace" 2>/dev/null; then
		# up to the program's exec: lwkrun's own opens
		_opened=$(awk -v p="execve(\"$WORK/report\"" 'index($0, p) { exit } { print }' \
			"$WORK/lwkrun.strace" |
			grep -e '/sys/devices/system/cpu/cpu[0-9]' -e '/sys/devices/system/node/node' \
			-e 'topology\.xml' -e '/proc/cpuinfo' -e 'libhwloc' | head -3)
		t_eq "$CFG lwkrun_inherit: lwkrun loads no topology and no hwloc (no CPU or NUMA sysfs file, no cache)" "" "$_opened"
		t_eq "$CFG lwkrun_inherit: the front execs the program itself (no lwkrun-full)" "" \
			"$(grep -o 'execve("[^"]*lwkrun-full"' "$WORK/lwkrun.strace")"
	else
		t_fail "$CFG lwkrun_inherit: strace did not record lwkrun's start ($(head -3 "$WORK/lwkrun.strace" 2>&1 | tr '\n' '|'))"
	fi
	restored lwkrun_inherit

	begin lwkrun_inherit_corrupt
	printf '<?xml version="1.0"?>\n<topology' > "$_tx"
	run_to "$CFG lwkrun_inherit corrupt" 60 srun --lwk=cores:1 -n1 "$WORK/report"
	t_eq "$CFG lwkrun_inherit: with a torn topology cache, srun --lwk still runs (exit 0)" 0 "$RC"
	t_check "$CFG lwkrun_inherit: ... and slurmstepd saved the rediscovered topology whole" \
		grep -q '</topology>' "$_tx"
	restored lwkrun_inherit_corrupt
}

# Issue 15: interrupts that cannot be moved. Expectations come from the node
# (lwkpart check), not from this machine's layout: the step's report names
# its LWK CPU's sources; an unmovable IRQ's name shows there only if the LWK
# unmovable_cpus: ",0,3," from `lwkpart --json check` on stdin: the CPUs
# that take interrupts that cannot be moved (issue 15)
unmovable_cpus() {
	printf ',%s,' "$(python3 -c 'import json,sys
s=set()
for p in json.load(sys.stdin)["cpus"].split(","):
    if p: a,_,b=p.partition("-"); s.update(range(int(a),int(b or a)+1))
print(",".join(map(str,sorted(s))))')"
}

# CPU takes it, and then (and only then) the step said so once, up front.
sc_irq_report() {
	begin irq_report
	chk=$("$LWK_BUILDDIR/tools/lwkpart" --statedir "$(STATEDIR)" --json check)
	hit=$(printf '%s' "$chk" | unmovable_cpus)
	on=$(echo "$hit" | sed 's/^,//; s/,$//')
	names=$(printf '%s' "$chk" | python3 -c 'import json,sys; print(" ".join(u["name"] for u in json.load(sys.stdin)["unmovable"]))')
	# fsync'ed writes from the step itself: completions on the disk's CPU
	OUT=$(timeout 60 srun --lwk=cores:1 -n1 sh -c 'dd if=/dev/zero of=/tmp/lwk-irq-io.$$ bs=128k count=64 conv=fsync status=none; rm -f /tmp/lwk-irq-io.$$; exec "$0"' "$WORK/report" 2>"$WORK/irq.err"); RC=$?
	err=$(cat "$WORK/irq.err")
	t_eq "$CFG irq_report: the step exits 0" 0 "$RC"
	c=$(field lwkcpus "$(lines lwk= "$OUT")")
	src=$(printf '%s\n' "$err" | grep "^  cpu $c sources: ")
	t_match "$CFG irq_report: the report names LWK CPU $c's sources" "^  cpu $c sources: (softirq )?[^ ]+ [0-9,]+" "$src"
	said=$(printf '%s\n' "$err" | grep -c '^lwk: job [0-9]* step 0: unmovable IRQs on LWK CPUs')
	case $hit in
	*",$c,"*)
		t_eq "$CFG irq_report: LWK CPU $c takes unmovable IRQs ($names): the step said so once" 1 "$said" ;;
	*)
		t_eq "$CFG irq_report: LWK CPU $c takes no unmovable IRQ (they land on ${on:-none}): nothing to say" 0 "$said"
		for n in $names; do
			case $src in
			*" $n "*) t_fail "$CFG irq_report: $n, which lands on $on, shows on LWK CPU $c: $src" ;;
			*) t_ok "$CFG irq_report: $n (on $on) is not among LWK CPU $c's sources" ;;
			esac
		done ;;
	esac
	restored irq_report
}

# --- issue 13: a node that cannot be restored is drained, with the reason
# A genuine teardown failure: the job's batch script makes the registry
# directory immutable (chattr +i) after its LWK step, so the job epilog can
# no longer remove the partition's record. The node must be drained with the
# plugin's reason (cause and fix), not Slurm's "Epilog error", which the
# failing epilog also asks for. Then contrib/slurm/epilog alone (the safety
# net, run by hand as slurmd would) must drain it the same way. Last, what
# the reason says to do is done: chattr -i, lwkpart reap, resume; the node is
# restored and runs jobs again.
node_field() {	# node_field NODE KEY: KEY=... of scontrol show node (Reason: to the end)
	if [ "$2" = Reason ]; then
		scontrol -o show node "$1" 2>/dev/null | sed -n 's/.* Reason=//p'
	else
		scontrol -o show node "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
	fi
}
sc_restore_fail() {
	begin restore_fail
	if ! command -v chattr >/dev/null || ! chattr -i "$(STATEDIR)" 2>/dev/null; then
		t_skip "$CFG restore_fail: chattr cannot set attributes on $(STATEDIR) (e2fsprogs, or its file system)"
		return
	fi
	sd=$(STATEDIR)
	host=$LWK_CLUSTER_HOST
	job=$(sbatch --parsable -n1 -w "$host" -o "$LWK_CLUSTER_DIR/rf.out" \
		--wrap "srun --lwk=cores:1 -n1 true && chattr +i $sd")
	i=0
	while ! node_field "$host" Reason | grep -q . && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	reason=$(node_field "$host" Reason)
	state=$(node_field "$host" State)
	lsattr -d "$sd" 2>/dev/null | grep -q '^[^ ]*i' ||
		t_fail "$CFG restore_fail: the job did not make $sd immutable: $(cat "$LWK_CLUSTER_DIR/rf.out" 2>/dev/null)"
	t_match "$CFG restore_fail: the node is drained after the failed restore" 'DRAIN' "$state"
	t_match "$CFG restore_fail: scontrol show node gives the plugin's reason with the cause" \
		"^lwk: job $job: node not restored: .*(Operation not permitted|Permission denied|Read-only).*; fix that, run lwkpart --statedir $sd reap --job $job, then scontrol update nodename=$host state=resume" \
		"$reason"
	case $reason in
	*"Epilog error"*) t_fail "$CFG restore_fail: Slurm's \"Epilog error\" is in the reason: $reason" ;;
	esac
	t_match "$CFG restore_fail: the partition's record is still there (the restore really failed)" \
		"job\.$job\.part" "$(parts)"
	# The safety-net script on its own, on the same unrestorable node:
	# resumed first, so that no reason of the plugin's is there already.
	scontrol update nodename="$host" state=resume
	out=$(SLURM_JOB_ID=$job SLURMD_NODENAME=$host LWK_STATEDIR=$sd LWKPART=$LWKPART_BIN \
		SCONTROL=$(command -v scontrol) sh "$SRCDIR/contrib/slurm/epilog" 2>&1)
	rc=$?
	t_eq "$CFG restore_fail: contrib/slurm/epilog fails too (exit 1)" 1 "$rc"
	t_match "$CFG restore_fail: ... and drains the node with the same kind of reason" \
		"^lwk: job $job: node not restored: .*; fix that, run lwkpart --statedir $sd reap --job $job, then scontrol update nodename=$host state=resume" \
		"$(node_field "$host" Reason)"
	t_match "$CFG restore_fail: ... and says why on stderr" "lwk epilog: job $job: node not restored" "$out"
	# the fix the reason names
	chattr -i "$sd"
	if "$LWKPART_BIN" --statedir "$sd" reap --job "$job"; then
		t_ok "$CFG restore_fail: lwkpart reap --job $job restores the node once the cause is fixed"
	else
		t_fail "$CFG restore_fail: lwkpart reap --job $job still fails after chattr -i"
	fi
	scontrol update nodename="$host" state=resume
	restored restore_fail
	run_to "$CFG restore_fail" 60 srun -w "$host" -n1 --lwk=cores:1 true
	t_eq "$CFG restore_fail: the resumed node runs an LWK job again" 0 "$RC"
	t_eq "$CFG restore_fail: ... and is not drained" "" "$(node_field "$host" Reason)"
}

# --- issue 13: a user's error fails the job, never the node
# Runs last: after every scenario whose step failed on a user's bad spec
# (bad_specs, too_big, too_many, the sbatch ones), no node is drained or down.
# On 25.05+ any non-zero SPANK return is an error; this is where a plugin
# returning one in the wrong callback would show.
sc_undrained() {
	_st=$(sinfo -h -N -o '%N %T %E' 2>&1)
	_bad=$(printf '%s\n' "$_st" | awk '$2 ~ /drain|down|fail/ { print }' | sort -u | tr '\n' ';')
	if [ -n "$_st" ] && [ -z "$_bad" ]; then
		t_ok "$CFG undrained: after the failed jobs of the scenarios no node is drained or down"
	else
		t_fail "$CFG undrained: ${_bad:-sinfo said nothing: $_st}"
	fi
}
