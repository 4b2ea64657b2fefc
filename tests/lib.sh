# Shared helpers for the shell test suites (root, slurm, vm).
# Source it, call t_ok/t_fail/t_skip per check, end with t_summary (exit code).
# A skip must say why; CI (CI=true) treats a skip as a failure unless the
# suite was told the capability is truly absent (T_ALLOW_SKIP=1).

T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_SUITE=${T_SUITE:-$(basename "$0")}

t_ok() {
	T_PASSED=$((T_PASSED + 1))
	printf 'ok   %s\n' "$*"
}

t_fail() {
	T_FAILED=$((T_FAILED + 1))
	printf 'FAIL %s\n' "$*"
}

# t_skip REASON: visible, counted, and fatal on CI unless allowed.
t_skip() {
	if [ "${CI:-}" = true ] && [ "${T_ALLOW_SKIP:-0}" != 1 ]; then
		t_fail "skipped on CI: $*"
		return
	fi
	T_SKIPPED=$((T_SKIPPED + 1))
	printf 'SKIP %s\n' "$*"
}

# t_check NAME CMD...: ok if CMD succeeds.
t_check() {
	_n=$1
	shift
	if "$@"; then t_ok "$_n"; else t_fail "$_n"; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_ok "$1"
	else
		t_fail "$1: expected '$2', got '$3'"
	fi
}

# t_match NAME REGEX TEXT (grep -E)
t_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_ok "$1"
	else
		t_fail "$1: '$3' does not match /$2/"
	fi
}

t_summary() {
	printf '%s: %d passed, %d failed, %d skipped\n' "$T_SUITE" "$T_PASSED" "$T_FAILED" "$T_SKIPPED"
	[ "$T_FAILED" -eq 0 ]
}
