#!/bin/sh
# Install every Debian package vmunit needs to build and run its suite.
#
# Idempotent and quiet when everything is present.  On Debian 12 QEMU comes
# from bookworm-backports (QEMU 10, whose TCG emulates x2APIC); elsewhere the
# distribution's QEMU is used.  Bochs (the second x86 VMM) comes without a
# GUI toolkit: bochs-term satisfies its bochs-gui dependency.  Needs root
# (or sudo) only when something is missing.
set -eu
# shellcheck source=scripts/apt-sources.sh
. "$(dirname "$0")/apt-sources.sh"

native="make gcc pkg-config libcmocka-dev libjson-c-dev libxml2-dev libdw-dev libarchive-dev
	gcc-aarch64-linux-gnu gcc-s390x-linux-gnu
	libxml2-utils perl shellcheck python3-tap python3-jsonschema python3-junitparser lcov
	clang libclang-rt-dev
	bochs bochs-term bochsbios vgabios ovmf qemu-efi-aarch64
	cpio kmod xz-utils mmdebstrap syslinux syslinux-common mtools dosfstools"
qemu="qemu-system-x86 qemu-system-arm qemu-system-s390x qemu-system-data"
foreign="libfdt-dev:arm64"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: not a Debian system; install the equivalents of: make" \
		"gcc pkg-config libcmocka json-c, aarch64/s390x cross gcc, QEMU, Bochs" >&2
	exit 0
fi

missing=""
for p in $native $qemu $foreign; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing$missing" >&2


# shellcheck source=/dev/null
. /etc/os-release
backports=""
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
	list=/etc/apt/sources.list.d/vmunit-backports.list
	if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		uri=$(bookworm_uri)
		if [ -z "$uri" ]; then
			echo "install-deps: no apt source for bookworm to take the mirror from" >&2
			exit 1
		fi
		echo "deb $uri bookworm-backports main" | $SUDO tee "$list" >/dev/null
	fi
	backports="-t bookworm-backports"
fi
dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64

$SUDO apt-get -qq update >/dev/null
# shellcheck disable=SC2086 # word splitting of the package lists is intended
$SUDO apt-get -qq install -y --no-install-recommends $native $foreign >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get -qq install -y --no-install-recommends $backports $qemu >/dev/null
