#!/bin/sh
# vmunit benchmarks: prints numbers, asserts nothing.  `make bench` runs
# scripts/bench.sh $(ARCH) from the build directory.
#
#   scripts/bench.sh [ARCH]      ARCH: x86_64 (default: the host's), arm64, s390x
#
# Environment: BENCH_RUNS (timed boots per configuration, default 10, plus
# one untimed warm-up), QEMU and QEMU_DIR (as for the runner), ACCEL (default
# tcg, so that the numbers compare across hosts).
#
# Measurements, one table each:
#  1. Boot-to-verdict latency of the selftest payload: the runner's own QEMU
#     command line (runner/vmunit-run -n selftest) with only -machine swapped
#     (and -bios added).  Wall clock of the QEMU process, from fork to exit,
#     with date +%s%N and timeout(1) around it (a few ms, the same in every
#     row).  "ok" counts the runs whose guest output ends "EXIT: STATUS=0".
#     Two more medians per row split the time up: "empty" boots a 39-byte
#     multiboot kernel that exits at once (QEMU + firmware + kernel load),
#     "qemu" a 64 KiB ROM that exits at the reset vector, no firmware at all
#     (QEMU start-up, machine reset, teardown: the floor for that machine
#     type).  selftest - empty is the payload's own run time.
#     Arches other than x86_64 get one row, the runner's default machine.
#     On x86_64 the same under Bochs (the runner's -n command line): the
#     selftest as tigerlake and ryzen, and selftest-smp (4 CPUs).  Then EFI
#     boot: selftest-efi through the whole runner, cold (the firmware
#     snapshot made first) and warm (started from it).
#  2. Runner overhead per test, with the stub QEMU (scripts/bench-runner.sh).
#  3. Payload sizes: file bytes, and text/data/bss of the loaded image (size).
#  4. Clean build time of the guest payloads (lib + boot code + *.elf), -j1
#     and -jN, in a scratch copy of the source tree: build/ and the payloads
#     of this tree are left alone.
#  5. On x86_64: the LAPIC timer latency figures of x86/timer.c under QEMU
#     TCG and Bochs (guest time: Bochs's runs at its ips rate).
#  5b. Live migration (runner/migrate.h) on x86_64 and arm64 under TCG: each
#     migration's time (the log's figure) and migrate-live's seconds against
#     the same test unmigrated; svm (arm64: its) with its one migration.
#  6. On x86_64, real KVM in the box (--box debian-6.12, runner/box.h), x86_64
#     and arm64: L1 boot to ready (the box log's own figure), one test
#     (cpuid, selftest: the runner's seconds inside L1), the whole run's
#     wall clock and the L0 QEMU's peak RSS (GNU time's %M: the largest
#     process of the run), for one test and for the whole suite at -j2.
#     The kernel cache is made first (untimed).  With Bochs installed, the
#     Intel box too (--box-vmm bochs, tigerlake x1, cpuid alone): boot to
#     ready in wall time and in L1's own clock (Bochs's instructions at its
#     ips: independent of the host's load), the kernel's part (to /init),
#     the test's seconds inside L1 and the whole run's wall clock.
set -eu

arch=${1:-$(uname -m | sed -e 's/aarch64/arm64/')}
runs=${BENCH_RUNS:-10}
accel=${ACCEL:-tcg}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
if [ -x runner/vmunit-run ]; then
	builddir=$PWD
else
	builddir=$srcdir
fi
run=$builddir/runner/vmunit-run
# The runner's command lines name payloads relative to the build directory.
cd "$builddir"

case $arch in
x86_64) adir=x86 triplet=x86_64-linux-gnu- ;;
arm64) adir=arm triplet=aarch64-linux-gnu- ;;
s390x) adir=s390x triplet=s390x-linux-gnu- ;;
*)
	echo "bench.sh: unknown arch '$arch' (x86_64, arm64, s390x)" >&2
	exit 2
	;;
esac
case $runs in
'' | *[!0-9]* | 0)
	echo "bench.sh: BENCH_RUNS must be a positive number" >&2
	exit 2
	;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ns() { date +%s%N; }

row() { printf '  %-34s %7s %7s %7s %6s %7s %7s\n' "$@"; }

# stats FILE: "median min max" in ms, one decimal, of the ns values in FILE.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f %.1f\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6
	}'
}

# q WORD: WORD shell-quoted, and a space.
q() {
	printf "'%s' " "$(printf '%s' "$1" | sed -e "s/'/'\\\\''/g")"
}

# boot NAME CHECK ARGVFILE MACHINE [EXTRA-ARGS...]: times 1 + $runs boots
# of the argv in ARGVFILE (one shell-quoted line) plus EXTRA-ARGS, with the
# value of -machine replaced by MACHINE; the first boot (page cache, dynamic
# linker) is not timed.  A run is ok when CHECK is "verdict" and the guest
# output ends with "EXIT: STATUS=0", or CHECK is "exit1" and QEMU exits
# with 1 (isa-debug-exit, status 0), or "exitline" and the output has an
# "EXIT: STATUS=0" line (Bochs prints its exit banner after it).  Leaves "median min max ok" in
# $tmp/result and the output of the last failing run in $tmp/NAME.fail.  A
# boot that hangs is killed after 60 s (timeout(1) forks for every run, so
# every row pays for it alike).
boot() {
	name=$1 check=$2 argvfile=$3 machine=$4
	shift 4
	eval "set -- $(cat "$argvfile") \"\$@\""
	prev=
	for a in "$@"; do
		[ "$prev" = -machine ] && a=$machine
		prev=$a
		q "$a"
	done >"$tmp/cmd"
	eval "set -- $(cat "$tmp/cmd")"
	: >"$tmp/times"
	ok=0
	i=0
	while [ "$i" -le "$runs" ]; do
		start=$(now_ns)
		rc=0
		if [ "$check" = exitline ]; then	# Bochs reopens stdout: give it a pipe
			{ timeout 60 "$@" </dev/null 2>&1 || :; } | cat >"$tmp/out"
		else
			timeout 60 "$@" </dev/null >"$tmp/out" 2>&1 || rc=$?
		fi
		t=$(($(now_ns) - start))
		if [ "$i" -gt 0 ]; then
			echo "$t" >>"$tmp/times"
			if [ "$check" = exit1 ] && [ "$rc" = 1 ]; then
				ok=$((ok + 1))
			elif [ "$check" = verdict ] &&
				[ "$(tail -n 1 "$tmp/out" | tr -d '\r')" = "EXIT: STATUS=0" ]; then
				ok=$((ok + 1))
			elif [ "$check" = exitline ] && grep -qx 'EXIT: STATUS=0' "$tmp/out"; then
				ok=$((ok + 1))
			else
				echo "(QEMU exit status $rc)" >>"$tmp/out"
				cp "$tmp/out" "$tmp/$name.fail"
			fi
		fi
		i=$((i + 1))
	done
	echo "$(stats "$tmp/times") $ok" >"$tmp/result"
}

# replace_kernel ARGVFILE FILE: ARGVFILE's argv with -kernel FILE, or, for
# an empty FILE, without -kernel and -append and their values.
replace_kernel() {
	kernel=$2
	eval "set -- $(cat "$1")"
	prev=
	for a in "$@"; do
		if [ "$prev" = -kernel ]; then
			a=$kernel
		fi
		if [ -n "$kernel" ] || { [ "$prev" != -kernel ] && [ "$prev" != -append ] &&
			[ "$a" != -kernel ] && [ "$a" != -append ]; }; then
			q "$a"
		fi
		prev=$a
	done
	echo
}

# microvm_firmware QEMU: what QEMU's default microvm firmware is: QEMU takes
# the first bios-microvm.bin in its data directories (-L help lists them).
# Debian's comes from the seabios package; upstream QEMU ships qboot.
microvm_firmware() {
	for d in $("$1" -L help 2>/dev/null); do
		f=$d/bios-microvm.bin
		[ -f "$f" ] || continue
		if grep -q SeaBIOS "$f"; then
			echo "SeaBIOS"
		elif [ -f "$d/qboot.rom" ] && cmp -s "$f" "$d/qboot.rom"; then
			echo "qboot"
		else
			echo "default firmware"
		fi
		return
	done
	echo "default firmware"
}

payloads_built() {
	for f in "$builddir/$adir"/*.elf; do
		[ -f "$f" ] && return 0
	done
	return 1
}

echo "vmunit bench: $arch, $(nproc) CPUs, accel $accel, $runs runs per row"

# --- 1. boot latency --------------------------------------------------------
echo
echo "1. boot-to-verdict latency, selftest (ms, wall clock of QEMU)"
if ! payloads_built; then
	echo "  no $arch payloads built ($adir/*.elf): make ARCH=$arch"
elif ! "$run" -S "$srcdir" -b "$builddir" -a "$arch" --accel "$accel" -n \
	selftest >"$tmp/argv" 2>"$tmp/err" || [ ! -s "$tmp/argv" ]; then
	echo "  no selftest command line for $arch: $(head -n 1 "$tmp/err")"
else
	# Without the runner's own firmware choice: each row names its own.
	head -n 1 "$tmp/argv" | sed -e 's/ -bios qboot\.rom//' >"$tmp/argv1" &&
		mv "$tmp/argv1" "$tmp/argv"
	eval "set -- $(cat "$tmp/argv")"
	qemu=$1
	echo "  QEMU: $qemu ($("$qemu" --version | head -n 1 | sed -e 's/^QEMU emulator //'))"
	if [ "$arch" = x86_64 ]; then
		echo "  selftest: median min max, and ok runs (guest output ends EXIT: STATUS=0)"
		echo "  empty: median for a multiboot kernel that exits at once (+ firmware, load)"
		echo "  qemu: median for a ROM that exits at the reset vector (QEMU start, exit)"
		row "configuration" median min max ok empty qemu
		# 64 KiB of zeros ending in the reset vector at 0xffff0 (real mode):
		#   mov al,0; out 0xf4,al; hlt; jmp $-1   -> QEMU exits with 1.
		{
			head -c 65520 /dev/zero
			printf '\260\000\346\364\364\353\375'
			head -c 9 /dev/zero
		} >"$tmp/exit.rom"
		# A flat multiboot kernel (flags bit 16: load addresses in the header),
		# loaded at 1 MiB, entry at 1 MiB + 32, running the same 7 bytes.
		printf '%b' '\002\260\255\033\000\000\001\000\376\117\121\344' \
			'\000\000\020\000\000\000\020\000\000\000\000\000' \
			'\000\000\000\000\040\000\020\000' \
			'\260\000\346\364\364\353\375' >"$tmp/empty.mb"
		replace_kernel "$tmp/argv" "$tmp/empty.mb" >"$tmp/argv.empty"
		replace_kernel "$tmp/argv" "" >"$tmp/argv.base"
		for m in microvm pc q35; do
			boot "qemu-$m" exit1 "$tmp/argv.base" "$m" -bios "$tmp/exit.rom"
			read -r med min max ok <"$tmp/result"
			echo "$m $med" >>"$tmp/base"
		done
		# name|machine|extra args|label
		for c in "microvm|microvm||microvm ($(microvm_firmware "$qemu"), default)" \
			"microvm-qboot|microvm|-bios qboot.rom|microvm -bios qboot.rom (runner)" \
			"pc-qboot|pc|-bios qboot.rom|pc -bios qboot.rom" \
			"q35-qboot|q35|-bios qboot.rom|q35 -bios qboot.rom" \
			"pc|pc||pc (SeaBIOS)"; do
			IFS='|' read -r name machine extra label <<-EOF
				$c
			EOF
			# shellcheck disable=SC2086 # extra: words on purpose
			boot "empty-$name" exit1 "$tmp/argv.empty" "$machine" $extra
			read -r empty min max ok <"$tmp/result"
			# shellcheck disable=SC2086
			boot "$name" verdict "$tmp/argv" "$machine" $extra
			read -r med min max ok <"$tmp/result"
			base=$(awk -v m="$machine" '$1 == m { print $2 }' "$tmp/base")
			row "$label" "$med" "$min" "$max" "$ok/$runs" "$empty" "$base"
		done
	else
		machine=$(
			eval "set -- $(cat "$tmp/argv")"
			while [ $# -gt 1 ] && [ "$1" != -machine ]; do shift; done
			echo "${2:-?}"
		)
		row "configuration" median min max ok
		boot default verdict "$tmp/argv" "$machine"
		read -r med min max ok <"$tmp/result"
		row "$machine (runner default)" "$med" "$min" "$max" "$ok/$runs"
	fi
	if [ "$arch" = x86_64 ] && command -v "${BOCHS:-bochs}" >/dev/null 2>&1; then
		echo "  Bochs: $("${BOCHS:-bochs}" --help 2>&1 | sed -n 's/.*Bochs x86 Emulator \([0-9.]*\).*/\1/p' | head -n 1) (runner's command line, --vmm bochs)"
		row "configuration" median min max ok
		for c in "tigerlake|selftest" "ryzen|selftest" "tigerlake|selftest-smp"; do
			IFS='|' read -r model entry <<-EOF
				$c
			EOF
			if ! "$run" -S "$srcdir" -b "$builddir" -a x86_64 --vmm bochs --cpu "$model" \
				-n "$entry" >"$tmp/argv.bochs" 2>"$tmp/err"; then
				echo "  $entry under Bochs: $(head -n 1 "$tmp/err")"
				continue
			fi
			boot "bochs-$model-$entry" exitline "$tmp/argv.bochs" -
			read -r med min max ok <"$tmp/result"
			row "bochs $model, $entry" "$med" "$min" "$max" "$ok/$runs"
		done
	fi
	if "$run" -S "$srcdir" -b "$builddir" -a "$arch" -l 2>/dev/null | grep -q '^selftest-efi '; then
		echo "  EFI boot (boot = efi): selftest-efi, the whole runner (--accel tcg -j1), wall clock;"
		echo "  cold: no firmware snapshot yet (the firmware boots, the runner snapshots it,"
		echo "  then the run), 3 runs; warm: started from the snapshot"
		row "configuration" median min max ok
		for mode in cold warm; do
			: >"$tmp/times"
			ok=0
			n=$runs
			[ "$mode" = cold ] && n=3
			i=0
			while [ "$i" -lt "$n" ]; do
				[ "$mode" = cold ] && rm -rf "$builddir/build/efi-snapshot"
				start=$(now_ns)
				if "$run" -S "$srcdir" -b "$builddir" -a "$arch" --accel tcg -j1 \
					selftest-efi >"$tmp/out" 2>&1; then
					ok=$((ok + 1))
				else
					cp "$tmp/out" "$tmp/efi-$mode.fail"
				fi
				echo $(($(now_ns) - start)) >>"$tmp/times"
				i=$((i + 1))
			done
			read -r med min max <<-EOF
				$(stats "$tmp/times")
			EOF
			row "EFI, $mode" "$med" "$min" "$max" "$ok/$n"
		done
	fi
	for f in "$tmp"/*.fail; do
		[ -f "$f" ] || continue
		n=${f##*/}
		echo "  ${n%.fail}: last failing run ends with:"
		grep -E '^(FAIL|SUMMARY|EXIT)' "$f" | tail -n 5 | sed -e 's/^/    /'
		tail -n 1 "$f" | sed -e 's/^/    (last line) /'
	done
fi

# --- 2. runner overhead -----------------------------------------------------
echo
echo "2. runner overhead per test, stub QEMU (scripts/bench-runner.sh)"
if (cd "$builddir" && "$srcdir/scripts/bench-runner.sh") >"$tmp/runner" 2>&1; then
	sed -e 's/^/  /' "$tmp/runner"
else
	echo "  bench-runner.sh failed:"
	tail -n 5 "$tmp/runner" | sed -e 's/^/    /'
fi

# --- 3. payload sizes -------------------------------------------------------
echo
echo "3. payload sizes (bytes; loaded = text + data + bss)"
if ! payloads_built; then
	echo "  no $arch payloads built ($adir/*.elf): make ARCH=$arch"
else
	sizecmd=size
	if ! size "$builddir/$adir"/*.elf >/dev/null 2>&1; then
		sizecmd=${triplet}size
	fi
	printf '  %-22s %8s %8s %8s %8s %8s\n' payload file text data bss loaded
	for f in "$builddir/$adir"/*.elf; do
		# Berkeley format: text data bss dec hex filename
		if s=$($sizecmd "$f" 2>/dev/null | awk 'NR == 2 { print $1, $2, $3, $4 }') &&
			[ -n "$s" ]; then
			# shellcheck disable=SC2086 # s: four numbers
			set -- $s
		else
			set -- ? ? ? ?
		fi
		printf '  %-22s %8s %8s %8s %8s %8s\n' "$adir/${f##*/}" \
			"$(wc -c <"$f" | tr -d ' ')" "$1" "$2" "$3" "$4"
	done
fi

# --- 4. clean build time ----------------------------------------------------
echo
echo "4. clean guest build (lib, boot code, $adir/*.elf) in a scratch copy"
targets=
for c in "$srcdir/$adir"/*.c; do
	[ -f "$c" ] || continue
	c=${c##*/}
	targets="$targets $adir/${c%.c}.elf"
done
if [ -z "$targets" ]; then
	echo "  no $adir/*.c sources for $arch"
else
	mkdir "$tmp/src"
	(cd "$srcdir" && tar -cf - --exclude=./.git --exclude=./build \
		--exclude=./logs --exclude='*.elf' --exclude='*.elf.tmp' \
		--exclude='*.o' --exclude='*.d' --exclude='*.a' .) |
		tar -C "$tmp/src" -xf -
	printf '  %-22s %8s  %s\n' jobs seconds result
	for j in 1 "$(nproc)"; do
		rm -rf "$tmp/src/build" "$tmp/src/$adir"/*.elf
		start=$(now_ns)
		# shellcheck disable=SC2086 # targets: words on purpose
		if make -s -C "$tmp/src" ARCH="$arch" -j"$j" $targets \
			>"$tmp/build.log" 2>&1; then
			result="ok, $(echo $targets | wc -w) payloads"
		else
			result="failed: $(grep -m 1 -i error "$tmp/build.log" || tail -n 1 "$tmp/build.log")"
		fi
		t=$(($(now_ns) - start))
		printf '  %-22s %8s  %s\n' "-j$j" \
			"$(awk -v t="$t" 'BEGIN { printf "%.2f", t / 1e9 }')" "$result"
	done
fi

# --- 5. LAPIC timer latency ---------------------------------------------------
if [ "$arch" = x86_64 ] && [ -f "$builddir/x86/timer.elf" ]; then
	echo
	echo "5. LAPIC timer latency, deadline to handler (x86/timer.c, ns; guest time)"
	for vmm in qemu bochs; do
		[ "$vmm" = bochs ] && ! command -v "${BOCHS:-bochs}" >/dev/null 2>&1 && continue
		"$run" -S "$srcdir" -b "$builddir" -a x86_64 --accel tcg --vmm "$vmm" \
			--logdir "$tmp/logs-$vmm" -v timer 2>/dev/null |
			sed -n "s/^timer: INFO: latency: \(.*\) latency over \([0-9]*\) timers (ns): /  $vmm: \1 (\2 timers): /p"
	done
fi

# --- 5b. live migration ----------------------------------------------------------
if [ -f "$builddir/$adir/migrate.elf" ] && [ "$arch" != s390x ]; then
	echo
	echo "5b. live migration (runner/migrate.h), 64 MiB guest, TCG: ms per migration; test seconds"
	case $arch in	# a test with one migration, and the same unmigrated
	x86_64) one=svm ;;
	*) one=its ;;
	esac
	"$run" -S "$srcdir" -b "$builddir" -a "$arch" --accel tcg --logdir "$tmp/mig" \
		--json "$tmp/mig.json" migrate migrate-live "$one" "$one-migration" >/dev/null 2>&1 || true
	printf '  per migration (ms): %s\n' "$(sed -n 's/^migration [0-9]*: .* in \([0-9]*\) ms$/\1/p' \
		"$tmp/mig/migrate-live.log" | tr '\n' ' ')"
	/usr/bin/python3 - "$tmp/mig.json" "$(grep -c '^migration [0-9]*: ' "$tmp/mig/migrate-live.log")" "$one" <<'EOF2'
import json, sys
s = {t["name"]: t["seconds"] for t in json.load(open(sys.argv[1]))["tests"]}
print("  migrate (unmigrated) %.2f s, migrate-live (%s migrations) %.2f s: %.1fx"
      % (s["migrate"], sys.argv[2], s["migrate-live"], s["migrate-live"] / s["migrate"]))
one = sys.argv[3]
print("  %s %.2f s, %s-migration (1 migration) %.2f s: %.1fx"
      % (one, s[one], one, s[one + "-migration"], s[one + "-migration"] / s[one]))
EOF2
fi

# --- 6. the box ------------------------------------------------------------------
if [ "$arch" = x86_64 ] && [ -x /usr/bin/time ]; then
	echo
	echo "6. real KVM in the box, Debian 6.12 under QEMU TCG (s; peak RSS MB)"
	for a in x86_64:cpuid arm64:selftest; do
		one=${a#*:} a=${a%:*}
		"$run" -S "$srcdir" -b "$builddir" -a "$a" --box debian-6.12 --logdir "$tmp/box0" \
			-n "$one" >/dev/null || echo "  $a: (the kernel cache could not be made)"
		for what in "$one" suite; do
			sel=$what
			[ "$what" = suite ] && sel=""
			start=$(now_ns)
			# shellcheck disable=SC2086 # no selection: the whole suite
			/usr/bin/time -f %M -o "$tmp/rss" "$run" -S "$srcdir" -b "$builddir" -a "$a" \
				--box debian-6.12 --logdir "$tmp/box-$a-$what" --json "$tmp/box-$a-$what.json" \
				-j2 $sel >"$tmp/box-$a-$what.out" 2>&1 || true
			t=$(($(now_ns) - start))
			printf '  %-7s %-8s ready %5s  wall %6s  %s  peak RSS %s MB\n' "$a" "$what" \
				"$(sed -n 's/^# box: L1 ready \([0-9.]*\) s.*/\1/p' "$tmp/box-$a-$what/box-$a.log" | head -n 1)" \
				"$(awk -v t="$t" 'BEGIN { printf "%.1f", t / 1e9 }')" \
				"$(tail -n 1 "$tmp/box-$a-$what.out")" "$(($(tail -n 1 "$tmp/rss") / 1024))"
		done
		printf '  %-7s one test inside L1 (%s): %s s\n' "$a" "$one" \
			"$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$tmp/box-$a-$one.json" | head -n 1)"
	done
	if command -v "${BOCHS:-bochs}" >/dev/null 2>&1; then
		echo "  Intel box, kvm_intel under Bochs tigerlake x1 (--box-vmm bochs); L1: L1's clock"
		"$run" -S "$srcdir" -b "$builddir" -a x86_64 --box debian-6.12 --box-vmm bochs \
			--logdir "$tmp/bochs0" -n cpuid >/dev/null || echo "  bochs: (the layer could not be made)"
		start=$(now_ns)
		"$run" -S "$srcdir" -b "$builddir" -a x86_64 --box debian-6.12 --box-vmm bochs \
			--logdir "$tmp/bochs" --json "$tmp/bochs.json" cpuid >"$tmp/bochs.out" 2>&1 || true
		t=$(($(now_ns) - start))
		l=$tmp/bochs/box-x86_64.log
		printf '  %-7s %-8s ready %5s  wall %6s  %s\n' bochs cpuid \
			"$(sed -n 's/^# box: L1 ready \([0-9.]*\) s.*/\1/p' "$l" | head -n 1)" \
			"$(awk -v t="$t" 'BEGIN { printf "%.1f", t / 1e9 }')" "$(tail -n 1 "$tmp/bochs.out")"
		printf '  %-7s L1: /init %s s, kvm modules %s s, ready %s s; cpuid inside L1 %s s\n' bochs \
			"$(sed -n 's/^VMUNIT-BOX: step init \([0-9.]*\).*/\1/p' "$l" | head -n 1)" \
			"$(awk '/^VMUNIT-BOX: step init / { s = $4 } /^VMUNIT-BOX: step insmod / { e = $NF }
				END { if (e != "") printf "%.2f", e - s }' "$l")" \
			"$(sed -n 's/^VMUNIT-BOX: step ready \([0-9.]*\).*/\1/p' "$l" | head -n 1)" \
			"$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$tmp/bochs.json" | head -n 1 |
				awk '{ printf "%.2f", $1 }')"
	fi
fi
