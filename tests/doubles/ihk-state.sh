# IHK's state for the ihkconfig/ihkosctl/mcexec doubles (sourced after
# double-lib.sh). TEST DOUBLE, not IHK.
#   ihk/cpus            reserved CPUs no instance has (one per line)
#   ihk/mem/NODE        reserved bytes on NODE no instance has
#   ihk/os/N/status     INACTIVE BOOTING RUNNING SHUTDOWN PANIC HUNGUP
#   ihk/os/N/{cpus,mem,image,kargs,kmsg}
#   ihk/ncpus           CPUs the node has (default 8)
#   ihk/memfree/NODE    bytes a node can still give (default 16 GiB, nodes 0-1)
IHK="$S/ihk"
DEV=${LWK_DOUBLE_IHK_DEV:-${LWK_IHK_DEV:-$S/dev/mcd0}}
DEVDIR=${DEV%/*}
[ -d "$IHK/memfree" ] && [ -d "$DEVDIR" ] || mkdir -p "$IHK/mem" "$IHK/os" "$IHK/memfree" "$DEVDIR"
[ -e "$IHK/cpus" ] || : > "$IHK/cpus"
[ -e "$IHK/ncpus" ] || echo 8 > "$IHK/ncpus"
# (not mcexec: it opens /dev/mcosN only, and in a container that is all of
# IHK it is given)
[ -e "$DEV" ] || [ "$PROG" = mcexec ] || : > "$DEV"
for _n in 0 1; do
	[ -e "$IHK/memfree/$_n" ] || echo $((16 << 30)) > "$IHK/memfree/$_n"
done

# "SIZE@NODE,..." (SIZE in bytes or with K/M/G) -> "bytes node" lines;
# exits 1 on junk.
mem_expand() {
	printf '%s\n' "$1" | awk -F, '
	{ for (i = 1; i <= NF; i++) {
		if ($i !~ /^[0-9]+[KMG]?@[0-9]+$/) exit 1
		split($i, p, "@"); s = p[1]; m = 1
		if (s ~ /K$/) m = 1024; else if (s ~ /M$/) m = 1048576; else if (s ~ /G$/) m = 1073741824
		sub(/[KMG]$/, "", s)
		printf "%.0f %d\n", s * m, p[2] } }'
}

os_status() {	# N -> status, applying the transitions a poll would see
	_d="$IHK/os/$1"
	_st=$(cat "$_d/status")
	if [ "$_st" = BOOTING ]; then
		if [ -e "$S/inject/boot-timeout" ]; then :
		elif [ -e "$S/inject/panic" ]; then
			_st=PANIC; echo "PANIC: injected by the test double" >> "$_d/kmsg"
		elif [ -e "$S/inject/hungup" ]; then _st=HUNGUP
		else _st=RUNNING; echo "McKernel booted (test double)" >> "$_d/kmsg"
		fi
		echo "$_st" > "$_d/status"
	fi
	echo "$_st"
}

# Pids that have file $1 open (what holds /dev/mcosN), from /proc.
holders() {
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/fd/.*|\1|p' | sort -u
}
