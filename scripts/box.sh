#!/bin/sh
# The box's kernel cache and initramfs builder (runner/box.h has the rest of
# the contract):
#
#   scripts/box.sh prepare KERNEL ARCH CACHE [MODULES-DIR]
#
# KERNEL is debian-6.1 (bookworm's linux-image-ARCH), debian-6.12 (the same
# from bookworm-backports) or the path of a kernel image (a bzImage) whose
# modules are in MODULES-DIR (a tree holding lib/modules/REL/,
# as `make modules_install INSTALL_MOD_PATH=DIR` leaves it; none: everything
# built in).  ARCH is x86_64 or arm64.  Debian kernels are fetched by package
# name with apt-get download, unpacked with dpkg-deb -x into CACHE, never
# installed.  Prints, once the cache holds them:
#
#   kernel=PATH  initrd=PATH  release=UNAME-R  name=WHAT (for reports)
#   root=PATH  runner=PATH  (arm64: L1's userland and the runner in it)
#
# x86_64's L1 runs the host's own userland.  arm64's is a tree of arm64
# packages (QEMU from bookworm-backports, the runner's libraries) that
# mmdebstrap extracts from the system's apt sources into CACHE/userland-arm64
# (no emulation, nothing installed), and the runner is cross-built against
# it (CACHE/runner-arm64, rebuilt when its sources change).
#
# The initramfs (uncompressed newc cpio) holds a static busybox, the modules
# for 9p and KVM (in load order, decompressed) and scripts/box-init as /init.
# A cache entry is complete when its "ready" file exists: a second run
# prints at once.  Of kernels of one's own the 4 newest entries are kept.  Errors: one line on stderr, exit 1.
set -eu

die() {
	echo "box: $*" >&2
	exit 1
}

if [ $# -lt 4 ] || [ "$1" != prepare ]; then
	die "usage: $0 prepare KERNEL ARCH CACHE [MODULES-DIR]"
fi
kernel=$2 arch=$3 cache=$4 moddir=${5:-}
# The cache's real path: L1 binds its paths, which must not pass a symlink.
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)
# One preparation at a time per cache (parallel CI jobs share one).
exec 9>"$cache/.lock"
flock 9
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/apt-sources.sh
. "$here/apt-sources.sh"

case $arch in
x86_64) deb_arch=amd64 kvm_mods="kvm_amd" mods9p="9p 9pnet_virtio virtio_pci" ;;
arm64) deb_arch=arm64 kvm_mods="" mods9p="9p 9pnet_virtio virtio_pci virtio_mmio" ;;
*) die "arch '$arch': the box runs x86_64 or arm64" ;;
esac

# The package linux-image-ARCH depends on, apt-cache's options given (-t SUITE).
debian_package() {
	apt-cache depends "$@" "linux-image-$deb_arch:$deb_arch" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\).*/\1/p' | head -n 1
}

case $kernel in
debian-6.1 | debian-6.12) entry=$cache/$kernel-$arch ;;
debian-*) die "kernel '$kernel': want debian-6.1, debian-6.12 or the path of a kernel image" ;;
*)	[ -f "$kernel" ] || die "$kernel: no such kernel image"
	# A kernel of one's own: the entry is named after the image's path,
	# size and time, so a rebuilt kernel gets a new one.
	key=$(printf '%s %s' "$(readlink -f "$kernel")" "$(stat -c '%s %Y' "$kernel")" |
		cksum | cut -d' ' -f1)
	entry=$cache/custom-$key-$arch
	# A bisection builds a kernel a step: keep the 4 newest of one's own.
	# shellcheck disable=SC2012 # our own names, no blanks
	ls -dt "$cache"/custom-*-"$arch" 2>/dev/null | tail -n +4 | while read -r old; do
		[ "$old" = "$entry" ] || rm -rf "$old"
	done ;;
esac

if [ ! -f "$entry/ready" ]; then
	rm -rf "$entry"
	mkdir -p "$entry/tree" "$entry/initrd/lib/modules" "$entry/initrd/bin"
	tree=$entry/tree
	pkg=""
	case $kernel in
	debian-6.1) pkg=$(debian_package) ;;
	debian-6.12) pkg=$(debian_package -t bookworm-backports) ;;
	esac
	case $kernel:$pkg in
	debian-*:"linux-image-${kernel#debian-}."*) ;;
	debian-*) die "$kernel: linux-image-$deb_arch resolves to '${pkg:-nothing}' (apt-get update; bookworm-backports for 6.12)" ;;
	esac
	if [ -n "$pkg" ]; then
		(cd "$entry" && apt-get download -q "$pkg:$deb_arch" >/dev/null 2>&1) ||
			die "apt-get download $pkg:$deb_arch failed"
		dpkg-deb -x "$entry"/*.deb "$tree"
		rm -f "$entry"/*.deb
		release=${pkg#linux-image-}
		image=$(ls "$tree/boot/vmlinuz-$release" 2>/dev/null) ||
			die "$pkg has no /boot/vmlinuz-$release"
		name="Debian $release"
	else
		image=$kernel
		if [ -n "$moddir" ]; then
			[ -d "$moddir/lib/modules" ] || die "$moddir: no lib/modules/ in it"
			release=$(basename "$(find "$moddir/lib/modules" -mindepth 1 -maxdepth 1 | head -n 1)")
			cp -a "$moddir/lib" "$tree/"
		else
			release=""
		fi
		name="$(basename "$kernel")${release:+ $release}"
	fi
	cp "$image" "$entry/kernel"

	# Modules, in load order, decompressed (busybox insmod reads plain .ko).
	: >"$entry/initrd/modules"
	if [ -n "$release" ] && [ -d "$tree/lib/modules/$release" ]; then
		command -v depmod >/dev/null || die "depmod not found (install kmod)"
		depmod -b "$tree" "$release"
		for m in $mods9p $kvm_mods; do
			modprobe -d "$tree" -S "$release" --show-depends "$m" 2>/dev/null || true
		done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
			base=$(basename "$ko")
			case $base in
			*.xz) xz -dc "$ko" >"$entry/initrd/lib/modules/${base%.xz}"; base=${base%.xz} ;;
			*.zst) zstd -qdc "$ko" >"$entry/initrd/lib/modules/${base%.zst}"; base=${base%.zst} ;;
			*) cp "$ko" "$entry/initrd/lib/modules/$base" ;;
			esac
			echo "$base" >>"$entry/initrd/modules"
		done
	fi
	rm -rf "$tree"
	mkdir -p "$tree"

	# A static busybox of the box's arch, one per cache.
	bb=$cache/busybox-$arch
	if [ ! -f "$bb" ]; then
		(cd "$entry" && apt-get download -q "busybox-static:$deb_arch" >/dev/null 2>&1) ||
			die "apt-get download busybox-static:$deb_arch failed"
		dpkg-deb -x "$entry"/busybox-static_*.deb "$tree"
		cp "$tree/bin/busybox" "$bb.tmp" && mv "$bb.tmp" "$bb"
	fi
	cp "$bb" "$entry/initrd/bin/busybox"
	rm -rf "$tree" "$entry"/*.deb
	printf '%s\n' "$release" >"$entry/release"
	printf '%s\n' "$name" >"$entry/name"
	touch "$entry/ready"
fi

# The archive again whenever the init script changed (it is not the cache's).
if [ ! -f "$entry/initrd.cpio" ] || [ -n "$(find "$here/box-init" -newer "$entry/initrd.cpio")" ]; then
	cp "$here/box-init" "$entry/initrd/init"
	chmod 755 "$entry/initrd/init" "$entry/initrd/bin/busybox"
	(cd "$entry/initrd" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$entry/initrd.cpio.tmp"
	mv "$entry/initrd.cpio.tmp" "$entry/initrd.cpio"
fi

# arm64: its userland, once per cache, and the runner built for it.
if [ "$arch" = arm64 ]; then
	ul=$cache/userland-$arch
	bpo=bookworm-backports
	# .ready holds the package list it was made with: a new list, a new userland
	pkgs="qemu-system-arm/$bpo,qemu-system-data/$bpo,qemu-system-common/$bpo,qemu-efi-aarch64,libc6-dev,libjson-c-dev,libxml2-dev,libdw-dev,libarchive-dev"
	if [ "$(cat "$ul/.ready" 2>/dev/null)" != "$pkgs" ]; then
		uri=$(bookworm_uri)
		[ -n "$uri" ] || die "no apt source for bookworm to take the mirror from"
		command -v mmdebstrap >/dev/null || die "mmdebstrap not found (scripts/install-deps.sh)"
		rm -rf "$ul"
		mmdebstrap --variant=extract --architectures=arm64 --include="$pkgs" \
			bookworm "$ul" "deb $uri bookworm main" "deb $uri $bpo main" >"$ul.log" 2>&1 ||
			die "mmdebstrap of the arm64 userland failed (see $ul.log)"
		echo "$pkgs" >"$ul/.ready"
	fi
	mkdir -p "$cache/runner-$arch"
	PKG_CONFIG_SYSROOT_DIR=$ul PKG_CONFIG_LIBDIR=$ul/usr/lib/aarch64-linux-gnu/pkgconfig:$ul/usr/share/pkgconfig \
		make -s -C "$cache/runner-$arch" -f "$here/../runner/runner.mk" SRCDIR="$(dirname "$here")" \
		HOST_CC="aarch64-linux-gnu-gcc --sysroot=$ul" runner/vmunit-run >&2 ||
		die "the runner for arm64 did not build"
	printf 'root=%s\nrunner=%s\n' "$ul" "$cache/runner-$arch/runner/vmunit-run"
fi

printf 'kernel=%s\ninitrd=%s\nrelease=%s\nname=%s\n' "$entry/kernel" "$entry/initrd.cpio" \
	"$(cat "$entry/release")" "$(cat "$entry/name")"
