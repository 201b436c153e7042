#!/bin/sh
# The box's Intel flavour (issue 29): the same kernel cache as scripts/box.sh,
# booted in Bochs with a VMX model, kvm_intel loaded, QEMU -accel kvm inside.
# Bochs has no virtio and no 9p, so everything L1 runs rides in the
# initramfs, in two layers that Linux unpacks one after the other (syslinux
# "INITRD a,b"):
#
#   scripts/box-bochs.sh prepare KERNEL CACHE
#       The cached layer, CACHE/KERNEL-x86_64/bochs-STAMP/base.cpio: a static
#       busybox, kvm-intel.ko and what it depends on (in load order, from the
#       kernel package's modinfo, fetched again with apt-get download: the
#       cache keeps only kvm_amd's; unsigned and stripped, slim_module), the
#       host's qemu-system-x86_64 with the libraries ldd names and the
#       firmware the runner's x86 machines load, and the runner's libraries
#       (libicudata as a stub: stub_icudata); 73 MB; and base.img, a FAT
#       disk with syslinux, the kernel and that layer (mkfs.fat -C, mcopy,
#       syslinux --install: no root, no loop device).  STAMP: QEMU, the
#       runner's libraries and this script; each has its own (unused for a
#       day: removed).  Prints base=IMG kernel=PATH release=UNAME-R name=WHAT.
#
#   scripts/box-bochs.sh image BASE.img OUT.img RUNFILE FILE...
#       The run's disk: a copy of base.img plus the per-run layer (run.cpio:
#       scripts/box-bochs-init as /init, RUNFILE as /box.run, each FILE at its
#       own absolute path: the runner, the cfg, the payloads) and a
#       syslinux.cfg whose APPEND is the kernel command line ($BOX_APPEND adds
#       to it).  RUNFILE: line 1 the log directory, then the runner's argv,
#       one argument a line.  BASE.img is prepare's base=.
#
#   scripts/box-bochs.sh boot IMG [MODEL [COUNT [MEMORY-MIB]]]
#       Boots it: Bochs with a VMX model (tigerlake and 1 CPU by default:
#       tigerlake with 2 hangs in insmod kvm-intel, corei7_skylake_x takes 1
#       or 2), 2048 MiB, COM1 (L1's console) on stdout, COM2 into IMG.com2
#       (vmunit.logs=ttyS1: the log directory as a tar), Bochs's log in
#       IMG.bochs.log; it ends when L1 powers off.  Bochs ignores SIGTERM and
#       leaves IMG.lock after a SIGKILL: a SIGTERM/SIGINT/SIGHUP here is
#       Bochs's SIGKILL and the lock's removal.
#       Bochs's term display draws on a pseudo-terminal of its own (it
#       opens /dev/ptmx) that nobody looks at: boot reads it away, or the
#       cursor's blinking (17 bytes a blink) fills it in some ten minutes
#       and Bochs blocks in write() for good, L1 silent.
# Errors: one line on stderr, exit 1.
set -eu

die() {
	echo "box-bochs: $*" >&2
	exit 1
}

# Reads Bochs $1's term display away (see boot): cat on the slave of the
# pseudo-terminal Bochs opened, until Bochs closes it (EIO) or exits.
drain_term() {
	for _ in $(seq 100); do
		for fd in /proc/"$1"/fd/*; do
			case $(readlink "$fd" 2>/dev/null) in
			/dev/ptmx | /dev/pts/ptmx) ;;
			*) continue ;;
			esac
			n=$(sed -n 's/^tty-index:[[:space:]]*//p' "/proc/$1/fdinfo/${fd##*/}")
			cat "/dev/pts/$n" >/dev/null 2>&1 || :
			return 0
		done
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "box-bochs: Bochs opened no pseudo-terminal in 10 s; its display is not drained" >&2
}

here=$(cd "$(dirname "$0")" && pwd)
# Bochs's clock: its TSC and timers count instructions at this rate.  Linux
# must be told (tsc_early_khz): it would take the TSC frequency of the
# model's CPUID leaf 0x15 (GHz), and L1's clock and timers would run ~50
# times slower than Bochs's (a scheduler tick every ~200 ms of host time).
ips=50000000
# L1's kernel command line skips what costs L1 time and is not KVM (L1's
# clock to /init, measured with initcall_debug: 38.8 s, now 17): the crypto
# self-tests (cryptomgr.notests: at boot, and for the instances the first
# module signature check made: 9 s of insmod kvm.ko), the jitter entropy
# source's (jent_mod_init, 5 s: it feeds only the DRBG in FIPS mode),
# SP800-108's (crypto_kdf108_init: its init is only a self-test), the W+X
# page table walk that follows write-protecting the kernel (rodata=off:
# 2.6 s) and zeroing every kernel allocation (init_on_alloc=0).  Hardening
# of L1 itself: KVM runs the same code with the same features.
fast="cryptomgr.notests initcall_blacklist=jent_mod_init,crypto_kdf108_init rodata=off init_on_alloc=0"
# The firmware QEMU's x86 machines load (microvm and q35 with -bios
# qboot.rom, -kernel's option ROMs; pc's SeaBIOS; virtio-pci's ROM; OVMF
# for the boot = efi entries).
firmware="/usr/share/qemu/qboot.rom /usr/share/qemu/linuxboot_dma.bin
	/usr/share/qemu/kvmvapic.bin /usr/share/qemu/multiboot_dma.bin /usr/share/qemu/pvh.bin
	/usr/share/seabios/bios-256k.bin /usr/share/seabios/bios-microvm.bin
	/usr/lib/ipxe/qemu/efi-virtio.rom /usr/share/ovmf/OVMF.fd"

# The file at its own path under dir, and what it links to (ld.so's absolute
# link /lib64/... -> /lib/...: L1 has no merged /usr, the layer's own /lib).
put() {
	mkdir -p "$1$(dirname "$2")"
	cp -P "$2" "$1$2"
	if [ -L "$2" ]; then
		t=$(readlink "$2")
		case $t in
		/*) put "$1" "$t" ;;
		*) put "$1" "$(dirname "$2")/$t" ;;
		esac
	fi
}

# The libraries the binaries need, each at its path (and the real file behind it).
put_libs() {
	dir=$1
	shift
	ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && NF > 1 { print $1 }' |
		sort -u | while read -r lib; do
		put "$dir" "$lib"
	done
}

# The module as L1 loads it fastest (insmod kvm.ko took 23.6 s of L1's
# clock, now 4): without its appended signature (struct module_signature,
# 12 bytes ending in the signature's length, big-endian, then the 28-byte
# marker; checking it hashed 2.8 MB and set off the crypto self-tests;
# Debian's kernels do not enforce signatures: the module loads, the kernel
# tainted E), and without the symbols relocations do not need (strip
# --strip-unneeded: 7900 -> 3700 in kvm.ko; ftrace looks each of the
# module's 1504 call sites up in that table, linearly, at load: 3.4 s).
# KVM's code is the same; L1's backtraces name kvm's static functions by
# the nearest global symbol.
slim_module() {
	if [ "$(tail -c 28 "$1")" = "~Module signature appended~" ]; then
		n=$(tail -c 32 "$1" | head -c 4 | od -An -tu1 |
			awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
		truncate -s $(($(stat -c %s "$1") - 40 - n)) "$1"
	fi
	strip --strip-unneeded "$1"
}

# libicudata (31 MB, a third of the layer) as ICU's own "stub data" library:
# the same soname and data symbol, no data.  Only the runner needs it
# (libxml2, for --junit, which the runner inside L1 never writes).
stub_icudata() {
	for f in "$1"/lib/*/libicudata.so.*; do
		if [ -L "$f" ] || [ ! -f "$f" ]; then
			continue
		fi
		sym=$(nm -D --defined-only "$f" | awk '$3 ~ /^icudt[0-9]+_dat$/ { print $3 }')
		soname=$(objdump -p "$f" | awk '$1 == "SONAME" { print $2 }')
		if [ -z "$sym" ] || [ -z "$soname" ]; then
			continue
		fi
		echo "const char ${sym}[16];" >"$1/stub.c"
		"${CC:-cc}" -shared -nostdlib -Wl,-soname,"$soname" -o "$f" "$1/stub.c" || return 1
		rm -f "$1/stub.c"
	done
}

# A directory as an uncompressed newc cpio archive.
cpio_of() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

case ${1:-} in
prepare)
	[ $# -eq 3 ] || die "usage: $0 prepare KERNEL CACHE"
	kernel=$2 cache=$3
	for t in mkfs.fat mcopy syslinux cpio ldd nm objdump strip truncate; do
		command -v "$t" >/dev/null || die "$t not found (scripts/install-deps.sh)"
	done
	out=$(sh "$here/box.sh" prepare "$kernel" x86_64 "$cache") || exit 1
	kimage=$(echo "$out" | sed -n 's/^kernel=//p')
	entry=$(dirname "$kimage")
	release=$(cat "$entry/release")
	case $kernel in
	debian-6.1 | debian-6.12) ;;
	*) die "$kernel: the Bochs box takes Debian kernels only, so far" ;;
	esac
	exec 9>"$entry/../.lock"
	flock 9
	qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 not found"
	runner=$here/../runner/vmunit-run
	[ -x "$runner" ] || die "$runner: build it first (make runner/vmunit-run)"
	# What the layer was built from: a new QEMU or library, a new layer.
	stamp=$( {
		{ ldd "$qemu" "$runner" | awk '$3 ~ /^\// { print $3 }'; echo "$qemu"; } |
			sort -u | xargs stat -L -c '%n %s %Y'
		cksum <"$here/box-bochs.sh"
	} | cksum | cut -d' ' -f1)
	# One layer a stamp: runs of different runners or QEMUs (worktrees, CI)
	# do not rebuild each other's; those unused for a day go.
	b=$entry/bochs-$stamp
	find "$entry" -maxdepth 1 -name 'bochs-*' ! -name "bochs-$stamp" -mtime +0 \
		-exec rm -rf {} +
	if [ ! -f "$b/ready" ]; then
		rm -rf "$b"
		mkdir -p "$b/layer/bin" "$b/layer/lib/modules" "$b/tree"
		pkg=linux-image-$release
		(cd "$b" && apt-get download -q "$pkg:amd64" >/dev/null 2>&1) ||
			die "apt-get download $pkg:amd64 failed"
		# Only the modules: the package's kernel/arch/x86/kvm and virt/lib.
		dpkg-deb --fsys-tarfile "$b"/*.deb | tar -x -C "$b/tree" --wildcards \
			'./lib/modules/*/kernel/arch/x86/kvm/*' './lib/modules/*/kernel/virt/*' \
			'./lib/modules/*/modules.*'
		rm -f "$b"/*.deb
		depmod -b "$b/tree" "$release"
		: >"$b/layer/modules"
		modprobe -d "$b/tree" -S "$release" --show-depends kvm_intel |
			awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
			base=$(basename "$ko" .xz)
			xz -dc "$ko" >"$b/layer/lib/modules/$base"
			slim_module "$b/layer/lib/modules/$base"
			echo "$base" >>"$b/layer/modules"
		done
		grep -q kvm-intel "$b/layer/modules" || die "$pkg: no kvm-intel.ko"
		rm -rf "$b/tree"
		cp "$entry/initrd/bin/busybox" "$b/layer/bin/busybox"
		put "$b/layer" "$qemu"
		for f in $firmware; do
			[ -f "$f" ] && put "$b/layer" "$f"
		done
		put_libs "$b/layer" "$qemu" "$runner"
		stub_icudata "$b/layer" || die "cannot build a stub libicudata"
		mkdir -p "$b/layer/usr/bin" "$b/layer/usr/sbin" "$b/layer/sbin" "$b/layer/tmp" \
			"$b/layer/run" "$b/layer/proc" "$b/layer/sys" "$b/layer/dev"
		cpio_of "$b/layer" >"$b/base.cpio"
		rm -rf "$b/layer"
		# The disk: a FAT file system with room for the run's layer.
		kib=$((($(stat -c %s "$kimage") + $(stat -c %s "$b/base.cpio")) / 1024 + 65536))
		kib=$(((kib + 503) / 504 * 504))	# whole cylinders of 16 heads, 63 sectors
		rm -f "$b/base.img"
		mkfs.fat -C -n VMUNITBOX "$b/base.img" "$kib" >/dev/null
		mcopy -i "$b/base.img" "$kimage" ::/vmlinuz
		mcopy -i "$b/base.img" "$b/base.cpio" ::/base.cpio
		syslinux --install "$b/base.img"
		rm -f "$b/base.cpio"
		: >"$b/ready"
	fi
	touch "$b"
	printf 'base=%s\nkernel=%s\nrelease=%s\nname=%s\n' "$b/base.img" "$kimage" \
		"$release" "$(cat "$entry/name")"
	;;
image)
	[ $# -ge 4 ] || die "usage: $0 image BASE.img OUT.img RUNFILE FILE..."
	base=$2 img=$3 runfile=$4
	shift 4
	[ -f "$base" ] || die "$base: no such base disk (prepare makes it)"
	layer=$img.layer
	rm -rf "$layer"
	mkdir -p "$layer"
	cp "$here/box-bochs-init" "$layer/init"
	cp "$runfile" "$layer/box.run"
	chmod 755 "$layer/init"
	for f in "$@"; do
		case $f in
		/*) put "$layer" "$f" ;;
		*) die "$f: not an absolute path" ;;
		esac
	done
	cp "$base" "$img.tmp"
	cpio_of "$layer" | mcopy -i "$img.tmp" - ::/run.cpio
	printf 'SERIAL 0 115200\nDEFAULT box\nPROMPT 0\nLABEL box\n  KERNEL vmlinuz\n  INITRD base.cpio,run.cpio\n  APPEND %s\n' \
		"console=ttyS0,115200 loglevel=4 panic=-1 tsc_early_khz=$((ips / 1000)) $fast kvm_intel.nested=1${BOX_APPEND:+ $BOX_APPEND}" |
		mcopy -i "$img.tmp" - ::/syslinux.cfg
	mv "$img.tmp" "$img"
	rm -rf "$layer"
	;;
boot)
	[ $# -ge 2 ] || die "usage: $0 boot IMG [MODEL [COUNT [MEMORY-MIB]]]"
	img=$2 model=${3:-tigerlake} count=${4:-1} mem=${5:-2048}
	# Bochs ignores SIGTERM: a stop is its SIGKILL, and the lock it leaves goes.
	rm -f "$img.lock"
	echo c >"$img.rc"	# Debian's Bochs has its debugger built in: "continue"
	# shellcheck disable=SC2016 # $BXSHARE is Bochs's own variable
	bochs -q -f /dev/null -rc "$img.rc" \
		"memory: guest=$mem, host=$mem" "cpu: model=$model, count=$count, ips=$ips" \
		'romimage: file=$BXSHARE/BIOS-bochs-latest' \
		'vgaromimage: file=$BXSHARE/VGABIOS-lgpl-latest' \
		"ata0-master: type=disk, path=$img" 'boot: disk' \
		'com1: enabled=1, mode=file, dev=/dev/stdout' \
		"com2: enabled=1, mode=file, dev=$img.com2" \
		'display_library: term' 'speaker: enabled=0' 'sound: driver=dummy' \
		'panic: action=fatal' 'error: action=report' 'info: action=ignore' \
		'debug: action=ignore' "log: $img.bochs.log" </dev/null &
	pid=$!
	drain_term "$pid" >/dev/null &
	trap 'kill -KILL $pid 2>/dev/null; wait $pid || :; rm -f "$img.lock"; exit 1' INT TERM HUP
	wait $pid || status=$?
	rm -f "$img.lock"
	exit "${status:-0}"
	;;
*)
	die "usage: $0 prepare KERNEL CACHE | image CACHE-ENTRY OUT.img RUNFILE FILE... | boot IMG [MODEL [COUNT]]"
	;;
esac
