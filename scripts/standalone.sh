#!/bin/sh
# `make standalone`: one self-contained POSIX sh script per cfg entry of ARCH,
# OUTDIR/ARCH/ENTRY, that runs the test on a host without the source tree.
#   usage: scripts/standalone.sh ARCH OUTDIR [ENTRY...]   (default: every entry)
# SRCDIR (unittests.cfg) and BUILDDIR (the runner and payloads) default to .,
# VMUNIT_RUN (the runner) to BUILDDIR/runner/vmunit-run.
#
# A bundle is the runner itself (runner/vmunit-run, stripped), the entry's
# cfg section, its payload, the arch's probe payload (the kvm probe) and, on
# x86, the Bochs boot floppy, each gzip'ed and base64-encoded after the
# script's last line.  It unpacks them into a temporary directory and runs
# the runner there, so the command line, timeout, verdict rules, outputs
# and exit status are the runner's own; its arguments go to the runner
# (--accel tcg, -v, --tap FILE, --bisect ...); logs go to ./logs (--logdir).
# It needs sh, base64, gzip, mktemp and sed (coreutils, gzip), the VMM, and
# the runner's shared libraries: libc, libjson-c5, libxml2, libdw1, libarchive13.
set -eu

arch=$1 out=$2
shift 2
src=${SRCDIR:-.} build=${BUILDDIR:-.}
run=${VMUNIT_RUN:-$build/runner/vmunit-run}
case $arch in
x86_64) dir=x86 ;;
arm64) dir=arm ;;
s390x) dir=s390x ;;
*) echo "standalone.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
# shellcheck disable=SC2046 # entry names are single words
[ $# -gt 0 ] || set -- $("$run" -S "$src" -a "$arch" -l | awk '{ print $1 }')
mkdir -p "$out/$arch"
strip -o "$out/.runner" "$run"
trap 'rm -f "$out/.runner"' EXIT

section() {	# NAME: the cfg section [NAME], its header to the next one
	awk -v want="[$1]" '/^\[/ { on = ($0 == want) } on' "$src/unittests.cfg"
}

blob() {	# TAG FILE: the file gzip'ed, base64, between __TAG__ and __end__
	echo "__$1__"
	gzip -9c "$2" | base64
	echo "__end__"
}

for name; do
	cfg=$(section "$name")
	file=$(printf '%s\n' "$cfg" | sed -n 's/^[[:space:]]*file[[:space:]]*=[[:space:]]*//p')
	payload=$dir/$file.elf
	[ -f "$build/$payload" ] || { echo "standalone.sh: $name: $build/$payload not built" >&2; exit 2; }
	extra=
	for f in $dir/probe.elf $dir/bochs-boot.img $dir/efi-boot.efi; do	# those built
		[ ! -f "$build/$f" ] || extra="$extra $f"
	done
	{
		cat <<EOF
#!/bin/sh
# vmunit standalone test '$name' ($arch), built by make standalone from
# $(git describe --always --dirty 2>/dev/null || echo "an unknown commit").  Runs without the source tree:
#   ./$name [vmunit-run options: --accel tcg, -v, --tap FILE, --bisect, ...]
# Exit status as vmunit-run's (0 passed, 1 failed, 2 bad input, 125 --bisect
# could not test).  Needs base64, gzip, the VMM (qemu-system-* or bochs) and
# the runner's libraries (libc, libjson-c5, libxml2, libdw1, libarchive13).
set -u
bad=2	# what bad input exits with: 125 ("cannot test") under --bisect
for arg; do [ "\$arg" != --bisect ] || bad=125; done
tmp=\$(mktemp -d "\${TMPDIR:-/tmp}/vmunit-$name.XXXXXX") || exit \$bad
trap 'rm -rf "\$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
unpack() {	# TAG FILE
	sed -n "/^__\$1__\\\$/,/^__end__\\\$/p" "\$0" | sed '1d;\$d' | base64 -d | gzip -dc >"\$tmp/\$2"
}
mkdir -p "\$tmp/$dir" && unpack runner vmunit-run && chmod +x "\$tmp/vmunit-run" &&
	unpack payload "$payload" || exit \$bad
EOF
		for f in $extra; do
			echo "unpack $(basename "$f" | tr -c 'a-z0-9\n' _) \"$f\" || exit \$bad"
		done
		cat <<EOF
cat >"\$tmp/unittests.cfg" <<'__cfg__'
$cfg
__cfg__
if ! "\$tmp/vmunit-run" -h >/dev/null 2>"\$tmp/err"; then
	echo "$name: the runner cannot start here: \$(tail -n 1 "\$tmp/err")" >&2
	exit \$bad
fi
"\$tmp/vmunit-run" -S "\$tmp" -b "\$tmp" -a $arch "\$@" -- '$name'
exit
EOF
		blob runner "$out/.runner"
		blob payload "$build/$payload"
		for f in $extra; do
			blob "$(basename "$f" | tr -c 'a-z0-9\n' _)" "$build/$f"
		done
	} >"$out/$arch/$name.tmp"
	chmod +x "$out/$arch/$name.tmp"
	mv "$out/$arch/$name.tmp" "$out/$arch/$name"
done
echo "standalone.sh: $# bundles in $out/$arch"
