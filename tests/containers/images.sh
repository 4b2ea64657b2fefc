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
#   ctr_mpi_bundle DIR PROG [ARG...]  an OCI bundle whose image holds the MPI
#                                program PROG (at /PROG's basename) with the
#                                host's Open MPI and PMIx: their libraries,
#                                plugin directories and help/parameter files;
#                                the container has the node's network and
#                                host name

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
	# the union first: each library is copied once however many files load it
	for _b in "$@"; do
		_b=$(readlink -f "$_b")
		echo "$_b"
		ldd "$_b" 2>/dev/null | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }'
	done | sort -u | while read -r _f; do
		[ -e "$_r$_f" ] && continue
		mkdir -p "$_r$(dirname "$_f")" && cp -L "$_f" "$_r$_f" || exit 1
	done
}

# ctr_mpi_bundle DIR PROG [ARG...]: the MPI image, built from the host's
# own Open MPI and PMIx (offline: no registry, no apt). Their plugins are
# dlopen()ed from their host paths at run time, so the plugin directories
# come whole, each plugin with what it links.
CTR_MPI_DIRS="/usr/lib/x86_64-linux-gnu/openmpi /usr/lib/x86_64-linux-gnu/pmix2"
CTR_MPI_DATA="/usr/share/openmpi /etc/openmpi"
ctr_mpi_bundle() {
	_mb=$1
	_mp=$2
	shift 2
	ctr_bundle "$_mb" "/$(basename "$_mp")" "$@" || return 1
	cp "$_mp" "$_mb/rootfs/$(basename "$_mp")" || return 1
	ctr_add_binary "$_mb/rootfs" "$_mp" || return 1
	for _d in $CTR_MPI_DIRS; do
		[ -d "$_d" ] || { echo "ctr_mpi_bundle: $_d missing (libopenmpi3, libpmix2)" >&2; return 1; }
		mkdir -p "$_mb/rootfs$(dirname "$_d")" && cp -a "$_d" "$_mb/rootfs$(dirname "$_d")/" || return 1
		ctr_add_binary "$_mb/rootfs" $(find "$_d" -name '*.so' -path '*/lib/*/*') || return 1
	done
	for _d in $CTR_MPI_DATA; do
		[ -e "$_d" ] || continue
		mkdir -p "$_mb/rootfs$(dirname "$_d")" && cp -aL "$_d" "$_mb/rootfs$(dirname "$_d")/" || return 1
	done
	chmod -R a+rX "$_mb/rootfs"
	# the node's network and name, as MPI ranks have them bare (lwkrun
	# drops the network namespace of an MPI rank's container anyway)
	ctr_set_json "$_mb" 'del(.hostname) | .linux.namespaces |= map(select(.type != "network" and .type != "uts"))'
}
