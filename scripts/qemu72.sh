#!/bin/sh
# Fetches Debian 12's own QEMU 7.2 (x86) next to the installed QEMU, without
# installing it, and prints the path of its qemu-system-x86_64, for the
# QEMU 7.2 cross-check: between QEMU versions a verdict may change between
# PASS and SKIP, never to FAIL.
#
#   QEMU=$(scripts/qemu72.sh) ./run_tests.sh -a x86_64
#   scripts/qemu72.sh [DIR]      (default: build/qemu-7.2 of the source tree)
#
# To compare the per-check lines with the installed QEMU:
#   QEMU=$(scripts/qemu72.sh) ./run_tests.sh -a x86_64 -v -j1 >v72.txt
#   ./run_tests.sh -a x86_64 -v -j1 >v10.txt
#   diff v10.txt v72.txt     (addresses and free-page counts differ)
#
# It takes only Debian packages, with `apt-get download` (the bookworm
# entries of the apt sources must be there; run apt-get update first), and
# unpacks them with dpkg-deb -x into DIR:
#   qemu-system-x86     the binary
#   qemu-system-common  the TCG accelerator, a module (accel-tcg-x86_64.so)
#   qemu-system-data    firmware and option ROMs: qboot.rom, which 7.2 also
#                       uses as bios-microvm.bin, multiboot_dma.bin, ...
#   seabios             bios-256k.bin for -machine pc and q35
# QEMU finds its modules and firmware relative to its binary
# (DIR/usr/lib/<multiarch>/qemu, DIR/usr/share/qemu, DIR/usr/share/seabios),
# so no -L is needed.  If the binary or the TCG module lacks a shared library
# (ldd), the missing library packages of its Depends are unpacked into DIR
# too, and the printed path is then a wrapper, DIR/qemu-system-x86_64, that
# sets LD_LIBRARY_PATH.  Versions: the newest 1:7.2 of each qemu package and
# the newest non-backports seabios that apt knows about.
#
# Idempotent: a complete DIR (DIR/.complete) is reused as it is; a partial
# one is redone.  Progress goes to stderr, the path alone to stdout.
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$srcdir/build/qemu-7.2}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

say() { echo "qemu72.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# The command to print: the wrapper if there is one, else the binary.
result() {
	if [ -x "$dir/qemu-system-x86_64" ]; then
		echo "$dir/qemu-system-x86_64"
	else
		echo "$dir/usr/bin/qemu-system-x86_64"
	fi
}

if [ -f "$dir/.complete" ] && [ -x "$dir/usr/bin/qemu-system-x86_64" ]; then
	result
	exit 0
fi

if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
	die "needs apt-get and dpkg-deb (Debian)"
fi
# Only ever clear a directory that this script made.
if [ ! -f "$dir/.qemu72" ] && [ -n "$(ls -A "$dir")" ]; then
	die "$dir: not empty and not made by qemu72.sh"
fi
: >"$dir/.qemu72"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")

# pick PKG PATTERN: the newest version of PKG that matches the grep -E
# PATTERN and does not come from a -backports suite.
pick() {
	apt-cache madison "$1" 2>/dev/null |
		awk -F' [|] ' '$3 !~ /-backports/ { gsub(/ /, "", $2); print $2 }' |
		grep -E -m 1 "$2" || true
}

rm -rf "${dir:?}/.complete" "${dir:?}/usr" "${dir:?}/lib" "${dir:?}/etc" \
	"${dir:?}/qemu-system-x86_64" "${dir:?}/debs"
mkdir -p "$dir/debs"

want=
for p in qemu-system-x86 qemu-system-common qemu-system-data; do
	v=$(pick "$p" '^1:7\.2')
	[ -n "$v" ] || die "apt knows no $p 1:7.2 (bookworm in the apt sources? apt-get update?)"
	want="$want $p=$v"
done
v=$(pick seabios .)
[ -n "$v" ] || die "apt knows no seabios"
want="$want seabios=$v"

# Same source upload for the three qemu packages (binNMU suffixes aside).
# shellcheck disable=SC2086 # want: words on purpose
srcvers=$(printf '%s\n' $want | grep '^qemu' | sed -e 's/^[^=]*=//' \
	-e 's/+b[0-9]*$//' | sort -u | wc -l)
[ "$srcvers" = 1 ] || die "qemu packages of different uploads:$want"

# download PKG=VERSION...: into $dir/debs, then unpack into $dir.
download() {
	say "apt-get download $*"
	# shellcheck disable=SC2046 # the root-only option: one word or none
	(cd "$dir/debs" && apt-get -q download \
		$([ "$(id -u)" = 0 ] && echo "-oAPT::Sandbox::User=root") "$@") >&2 ||
		die "apt-get download failed"
	for pv in "$@"; do
		p=${pv%%=*}
		for deb in "$dir/debs/${p}_"*.deb; do
			[ -f "$deb" ] || die "no .deb for $pv"
			dpkg-deb -x "$deb" "$dir"
		done
	done
}

# shellcheck disable=SC2086 # want: words on purpose
download $want

bin=$dir/usr/bin/qemu-system-x86_64
tcg=$dir/usr/lib/$multiarch/qemu/accel-tcg-x86_64.so
[ -x "$bin" ] || die "no usr/bin/qemu-system-x86_64 in qemu-system-x86"
[ -f "$tcg" ] || say "warning: no $tcg: -accel tcg may fail"

# missing_libs: ldd's complaints about the binary and the TCG module.
missing_libs() {
	for f in "$bin" "$tcg"; do
		if [ -f "$f" ]; then
			ldd "$f" 2>&1 | grep -E 'not found' || true
		fi
	done
}

if [ -n "$(missing_libs)" ]; then
	say "missing shared libraries:"
	missing_libs | sed -e 's/^/  /' >&2
	# The lib* Depends of the two packages that are not installed, or not
	# in the wanted version, first alternative of each.
	libs=
	for pv in $want; do
		case $pv in qemu-system-x86=* | qemu-system-common=*) ;; *) continue ;; esac
		deps=$(apt-cache show "$pv" | sed -n -e 's/^Depends: //p' | head -n 1 |
			tr ',' '\n' | sed -e 's/|.*//' -e 's/^ *//' -e 's/ *$//' | grep '^lib')
		while IFS= read -r d; do
			[ -n "$d" ] || continue
			name=${d%% *}
			op='' ver=''
			case $d in
			*"("*")")
				op=$(echo "$d" | sed -e 's/.*(\([<>=]*\).*/\1/' -e 's/^>>$/gt/' \
					-e 's/^>=$/ge/' -e 's/^<<$/lt/' -e 's/^<=$/le/' -e 's/^=$/eq/')
				ver=$(echo "$d" | sed -e 's/.*([<>=]* *\(.*\))/\1/')
				;;
			esac
			have=$(dpkg-query -W -f='${Version}' "$name" 2>/dev/null || true)
			status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$name" 2>/dev/null || true)
			if [ "${status%% *}" = ii ] && { [ -z "$op" ] ||
				dpkg --compare-versions "$have" "$op" "$ver"; }; then
				continue
			fi
			case " $libs " in *" $name "*) ;; *) libs="$libs $name" ;; esac
		done <<-EOF
			$deps
		EOF
	done
	[ -n "$libs" ] || die "missing libraries, but every lib* Depends is installed"
	# Candidate versions of the libraries: Debian 12's, on a bookworm host.
	# shellcheck disable=SC2086 # libs: words on purpose
	download $libs
	libpath=$dir/usr/lib/$multiarch:$dir/lib/$multiarch
	cat >"$dir/qemu-system-x86_64" <<-EOF
		#!/bin/sh
		# QEMU 7.2 with the libraries that scripts/qemu72.sh unpacked.
		LD_LIBRARY_PATH=$libpath\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}
		export LD_LIBRARY_PATH
		exec "$bin" "\$@"
	EOF
	chmod +x "$dir/qemu-system-x86_64"
	if (LD_LIBRARY_PATH=$libpath && export LD_LIBRARY_PATH && missing_libs) |
		grep -q .; then
		die "still missing libraries after unpacking:$libs"
	fi
fi

"$(result)" --version | head -n 1 | grep -q 'version 7\.2' ||
	die "$(result) --version does not say 7.2"
echo "$want" >"$dir/.complete"
say "$("$(result)" --version | head -n 1)"
result
