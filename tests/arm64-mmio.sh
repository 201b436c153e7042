#!/bin/sh
# lib/mmio.h on arm64: every device access of the payloads is one plain
# ldr/str with a base register (ISV=1, so a hypervisor can emulate it from
# the syndrome), and no arm64 device code bypasses the accessors with a C
# volatile, which may compile to writeback addressing or a pair (ISV=0:
# KVM injects an external abort).  Needs the arm64 payloads (make ARCH=arm64).
set -eu
cd "$(dirname "$0")/.."
objdump=aarch64-linux-gnu-objdump
fail=0

# Device code the arm64 payloads run: no access through a volatile cast.
if grep -nE '\*[[:space:]]*\(volatile u?int(8|16|32|64)_t[[:space:]]*\*\)' \
	lib/arm64/*.c lib/arm64/*.h arm/*.c lib/virtio-mmio.c lib/virtio-pci.c lib/pci.c \
	lib/console.c lib/efi/arm64.c; then
	echo "FAIL: device access through a volatile cast above; use lib/mmio.h"
	fail=1
fi

n=0 elves=0
for elf in arm/*.elf; do
	[ -f "$elf" ] || { echo "FAIL: no arm64 payloads (make ARCH=arm64)"; exit 1; }
	elves=$((elves + 1))
	# The sites (.mmio_sites: little-endian 64-bit addresses) and the code.
	sites=$($objdump -s -j .mmio_sites "$elf" 2>/dev/null | awk '
		/^ [0-9a-f]+ / { for (i = 2; i <= 5 && length($i) == 8; i++) w[k++] = $i }
		END { for (j = 0; j + 1 < k; j += 2) {
			s = w[j]; a = ""
			for (b = 7; b >= 0; b -= 2) a = a substr(s, b, 2)
			sub(/^0+/, "", a); print a } }')
	case $elf in
	arm/gic.elf | arm/its.elf | arm/timer.elf | arm/virtio-*.elf)
		[ -n "$sites" ] || { echo "FAIL $elf: no device access through lib/mmio.h"; fail=1; } ;;
	esac
	[ -n "$sites" ] || continue
	bad=$($objdump -d --no-show-raw-insn "$elf" | awk -v sites="$sites" '
		BEGIN { k = split(sites, s, "\n"); for (i = 1; i <= k; i++) want[s[i]] = 1 }
		{ a = $1; sub(/:$/, "", a); sub(/^0+/, "", a) }
		a in want {
			seen[a] = 1; $1 = ""; insn = substr($0, 2)
			if (insn !~ /^(ldr|str)[bh]?[ \t]+[wx]([0-9]+|zr), \[x[0-9]+\]$/)
				print "not one plain access at 0x" a ": " insn
		}
		END { for (x in want) if (!(x in seen)) print "no instruction at 0x" x }')
	if [ -n "$bad" ]; then
		echo "$bad" | sed "s|^|FAIL $elf: |"
		fail=1
	fi
	n=$((n + $(echo "$sites" | wc -l)))
done
echo "$n device accesses checked in $elves payloads"
exit $fail
