# Shared by the test doubles (sourced). Not McKernel or mOS: see README.md.
set -u
: "${LWK_DOUBLE_STATE:?LWK_DOUBLE_STATE must name the test doubles state directory}"
S=$LWK_DOUBLE_STATE
[ -d "$S/inject" ] || mkdir -p "$S/inject"
EINVAL=22 ENOMEM=12 EBUSY=16 ENOENT=2

# Logs the invocation: program name, then arguments ('quoted' if they
# contain spaces).
dbl_log() {
	_l=$1 _n=$1; shift
	[ -z "${LWK_DOUBLE_LIB:-}" ] || _l="[libihk] $_l"
	for _a in "$@"; do
		case $_a in
		*' '*|'') _l="$_l '$_a'" ;;
		*) _l="$_l $_a" ;;
		esac
	done
	printf '%s\n' "$_l" >> "$S/log"
	# where it ran: pid and mount namespace (a container has its own)
	printf '%s %s %s\n' "$_n" "$$" "$(readlink /proc/$$/ns/mnt 2>/dev/null)" >> "$S/where"
}

dbl_fail() {	# ERRNO MESSAGE
	echo "$PROG: error: $2" >&2
	exit "$1"
}

# A cpu list "1,3,5-7" -> one number per line; exits 1 on junk.
list_expand() {
	printf '%s\n' "$1" | awk -F, '
	$0 == "" { exit 0 }
	{ for (i = 1; i <= NF; i++) {
		if ($i ~ /^[0-9]+$/) print $i + 0
		else if ($i ~ /^[0-9]+-[0-9]+$/) {
			split($i, r, "-"); if (r[1] + 0 > r[2] + 0) exit 1
			for (c = r[1] + 0; c <= r[2] + 0; c++) print c
		} else exit 1 } }'
}

# Numbers on stdin -> "1,3,5-7".
list_compress() {
	sort -n -u | awk '
	NF == 0 { next }
	n == 0 { first = last = $1; n = 1; next }
	$1 == last + 1 { last = $1; next }
	{ out = out (out == "" ? "" : ",") (first == last ? first : first "-" last)
	  first = last = $1 }
	END { if (n) out = out (out == "" ? "" : ",") (first == last ? first : first "-" last)
	      print out }'
}

# True if injection file $1 is there; with a count in it, uses one up.
injected() {
	_f="$S/inject/$1"
	[ -e "$_f" ] || return 1
	_c=$(cat "$_f")
	case $_c in
	''|always) return 0 ;;
	*[!0-9]*) return 0 ;;
	0) return 1 ;;
	*) echo $((_c - 1)) > "$_f"; return 0 ;;
	esac
}
