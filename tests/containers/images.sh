# Container images built offline from the host's own files (no registry):
# source it. Used by tests/containers/run and the Slurm scenarios.
#
#   ctr_rootfs DIR               a busybox-static root file system in DIR
#                                (with empty /etc/passwd and /etc/group, which
#                                ch-run needs; so DIR is a Charliecloud image)
#   ctr_bundle DIR [ARG...]      an OCI bundle in DIR: DIR/rootfs + `runc spec`
#                                with process.args ARG... (default: sh), no
#                                terminal; rootless with CTR_ROOTLESS=1
#   ctr_set_json DIR JQ-FILTER   edits DIR/config.json with jq
#   ctr_add_binary ROOTFS BIN... BIN and its shared libraries, at their host paths

ctr_rootfs() {
	_r=$1
	mkdir -p "$_r/bin" "$_r/etc" "$_r/proc" "$_r/sys" "$_r/dev" "$_r/tmp" "$_r/home" \
		"$_r/root" "$_r/run" || return 1
	cp /bin/busybox "$_r/bin/busybox" || return 1
	# hard links: crun 1.8 refuses to execute a symbolic link (ELOOP)
	for _a in $(/bin/busybox --list); do
		[ -e "$_r/bin/$_a" ] || ln "$_r/bin/busybox" "$_r/bin/$_a"
	done
	: >"$_r/etc/passwd"
	: >"$_r/etc/group"
	chmod -R a+rX "$_r"
}

ctr_bundle() {
	_b=$1
	shift
	mkdir -p "$_b" && ctr_rootfs "$_b/rootfs" || return 1
	rm -f "$_b/config.json"
	if [ "${CTR_ROOTLESS:-0}" = 1 ]; then
		(cd "$_b" && runc spec --rootless) || return 1
	else
		(cd "$_b" && runc spec) || return 1
	fi
	[ $# -gt 0 ] || set -- sh
	_args=$(for _x in "$@"; do printf '%s\n' "$_x"; done | jq -R . | jq -s -c .)
	ctr_set_json "$_b" ".process.terminal=false | .process.args=$_args"
}

ctr_set_json() {
	jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# ctr_add_binary ROOTFS BIN...: BIN and the shared libraries it loads (ldd),
# each at its host path, so the host's own programs run in the image.
ctr_add_binary() {
	_r=$1
	shift
	for _b in "$@"; do
		_b=$(readlink -f "$_b")
		for _f in "$_b" $(ldd "$_b" 2>/dev/null | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }'); do
			mkdir -p "$_r$(dirname "$_f")" && cp -L "$_f" "$_r$_f" || return 1
		done
	done
}
