#!/bin/sh
# Integration tests of runner/vmunit-run, driving a stub QEMU
# (tests/stub/qemu-system-*) with scenario payloads made here, in a temporary
# build directory with its own unittests.cfg.  Prints TAP; exits 1 on failure.
#
# Run from the build directory (runner/vmunit-run), or set VMUNIT_RUN.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/tap-lib.sh
. "$srcdir/tests/tap-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset QEMU ACCEL ARCH TCG_TIMEOUT_FACTOR TIMEOUT
QEMU_DIR=$srcdir/tests/stub
export QEMU_DIR

status_is() { [ "$(cat "$tmp/rc")" = "$1" ]; }
one_err_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ]; }

# A process that still runs (a zombie waiting for its reaper counts as gone).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	[ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]
}

none_alive() {	# FILE: none of the pids listed in FILE still runs
	pids=$(cat "$1") || return 1
	for pid in $pids; do
		alive "$pid" && return 1
	done
	return 0
}

# SIGKILL is delivered asynchronously: a process the runner killed that is
# not its child (an orphan) may need a moment to die.  Wait up to 2 s.
gone_soon() {	# FILE
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		none_alive "$1" && return 0
		sleep 0.1
	done
	return 1
}

# ---- scenarios: payloads the stub acts out ----

mkdir -p "$tmp/build/x86" "$tmp/build/arm" "$tmp/x86" "$tmp/logs"

payload() {	# NAME LINE...: build/x86/NAME.elf and build/arm/NAME.elf
	name=$1
	shift
	printf '%s\n' "$@" >"$tmp/build/x86/$name.elf"
	printf '%s\n' "$@" | sed 's/^@exit [0-9]*$/@exit 0/' >"$tmp/build/arm/$name.elf"
}

sum() {	# TESTS UNEXPECTED EXPECTED SKIPPED
	echo "SUMMARY: $1 tests, $2 unexpected failures, $3 expected failures, $4 skipped, 0 not run"
}

payload pass "booting" "PASS: a: one" "SKIP: a: two needs CPUID.7:EBX.X[3]" \
	"PASS: b: three" "$(sum 3 0 0 1)" "EXIT: STATUS=0" "@exit 1"
payload fail "PASS: one" "FAIL: two (got 1, want 2)" "$(sum 2 1 0 0)" \
	"EXIT: STATUS=1" "@exit 3"
payload skip "SKIP: pmu: needs PDCM" "$(sum 1 0 0 1)" "EXIT: STATUS=2" "@exit 5"
payload error "PASS: one" "ERROR: unexpected #GP at rip 0x1234" \
	"$(sum 1 0 0 0)" "EXIT: STATUS=3" "@exit 7"
payload crlf "PASS: one$(printf '\r')" "$(sum 1 0 0 0)$(printf '\r')" \
	"EXIT: STATUS=0$(printf '\r')" "@exit 1"
payload hang "PASS: one" "@hang"
payload crash "PASS: one" "@segv"
payload noexit "PASS: one" "PASS: two"
payload orphan "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@orphan" "@exit 1"
payload argv "@argv" "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
payload slow "@sleep 0.3" "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
payload probe "PASS: one" "PASS: two" "$(sum 2 0 0 0)" "EXIT: STATUS=0" "@exit 1"
payload reset "PASS: one" "@qmp SHUTDOWN guest-reset"
payload stop "PASS: one" "@qmp STOP" "@hang"
payload late "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "FAIL: cpu 1: late" "@exit 1"
payload lingers "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@hang"
payload flood "@flood 40000000"
payload floodraw "@flood-raw 40000000"
payload daemon "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@daemon" "@exit 1"
payload abort "@abort"
payload evil "PASS: a$(printf '\r')not ok 99 - x" "PASS: b $(printf '\033')[31m \\ # TODO $(printf '\377')" \
	"$(sum 2 0 0 0)" "EXIT: STATUS=0" "@exit 1"

cfg() { cat >"$tmp/unittests.cfg"; }

# vr ARGS...: the runner on the temp tree, x86_64 under tcg, factor 1.
vr() {
	"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 \
		--accel tcg --timeout-factor 1 "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}

# bg_run ARGS...: the runner in the background (pid in $rpid), once the
# hang scenario has started; output in $tmp/out and $tmp/err.
bg_run() {
	rm -f "$tmp/build/x86/hang.elf.pids"
	"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 "$@" \
		>"$tmp/out" 2>"$tmp/err" &
	rpid=$!
	i=0
	while [ ! -s "$tmp/build/x86/hang.elf.pids" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# ---- verdicts, console lines, closing line, exit status ----

cfg <<'EOF2'
[pass]
file = pass
groups = quick
[fail]
file = fail
[skip]
file = skip
[error]
file = error
[crlf]
file = crlf
[noexit]
file = noexit
[crash]
file = crash
EOF2
vr
check "PASS line with counts" has "PASS pass (3 checks, 1 skipped)"
check "FAIL line" has "FAIL fail (1 of 2 checks failed)"
check "SKIP line with the reason" has "SKIP skip (pmu: needs PDCM)"
check "ERROR line with the guest's reason" has "ERROR error (unexpected #GP at rip 0x1234)"
check "serial CR LF line ends" has "PASS crlf (1 check)"
check "no EXIT line is a CRASH" has "CRASH noexit (no EXIT line; QEMU exited with status 0)"
check "signal is a CRASH naming it" has "CRASH crash (QEMU killed by signal 11 (SIGSEGV))"
check "closing line" has "2 passed, 4 failed, 1 skipped"
check "closing line is last" [ "$(tail -n 1 "$tmp/out")" = "2 passed, 4 failed, 1 skipped" ]
check "exit status 1 when a test failed" status_is 1

vr -g quick
check "group selection" has "1 passed, 0 failed, 0 skipped"
check "exit status 0 when nothing failed" status_is 0

vr 'p*' crash
check "names and globs select" has "1 passed, 1 failed, 0 skipped"

# ---- logs ----

log=$tmp/logs/pass.log
first_line_is_command() {
	head -n 1 "$log" |
		grep -q "^$QEMU_DIR/qemu-system-x86_64 -nodefaults .* -kernel $tmp/build/x86/pass.elf "
}
check "log starts with the command line" first_line_is_command
check "log holds the guest output" grep -qxF "PASS: b: three" "$log"
check "log ends with the verdict" [ "$(tail -n 1 "$log")" = "PASS pass (3 checks, 1 skipped)" ]
check "log of a crash ends with the verdict" \
	[ "$(tail -n 1 "$tmp/logs/noexit.log")" = "CRASH noexit (no EXIT line; QEMU exited with status 0)" ]

# ---- expect, accel requirement, host precondition ----

echo Y >"$tmp/param"
cfg <<EOF2
[experr]
file = error
expect = ERROR
[expfail]
file = pass
expect = ERROR
[needkvm]
file = pass
accel = kvm
[precond]
file = pass
check = $tmp/param=N
[precond-ok]
file = pass
check = $tmp/param=Y
EOF2
vr experr needkvm precond precond-ok
check "expect = ERROR passes" has "PASS experr (expected ERROR: unexpected #GP at rip 0x1234)"
check "accel requirement SKIPs" has "SKIP needkvm (requires accel=kvm (running tcg))"
check "failed precondition SKIPs naming the path, not the file's contents" \
	has "SKIP precond (requires $tmp/param = N (it reads another value))"
check "met precondition runs" has "PASS precond-ok (3 checks, 1 skipped)"
check "passes and skips exit 0" status_is 0
vr expfail
check "expect = ERROR, got PASS fails" has "FAIL expfail (expected ERROR, got PASS: 3 checks, 1 skipped)"
check "... and exits 1" status_is 1

# ---- timeouts and process groups ----

cfg <<'EOF2'
[hang]
file = hang
timeout = 1
[orphan]
file = orphan
EOF2
timed_vr() {	# vr, with the wall time in $secs; no .pids files left before
	rm -f "$tmp/build/x86/"*.pids
	start=$(date +%s)
	vr
	secs=$(($(date +%s) - start))
}
timed_vr
check "hang is a TIMEOUT" has "TIMEOUT hang (no verdict after 1 s)"
check "... within its timeout" [ "$secs" -le 5 ]
check "... and its whole process group is gone" gone_soon "$tmp/build/x86/hang.elf.pids"
check "hang.elf.pids was written" [ -s "$tmp/build/x86/hang.elf.pids" ]
check "an orphan holding the pipe does not hold the run" has "PASS orphan (1 check)"
check "... and is killed" gone_soon "$tmp/build/x86/orphan.elf.pids"

cfg <<'EOF2'
[hang]
file = hang
timeout = 2
[tcg]
file = hang
timeout = 1
EOF2
vr --timeout-factor 1.5 tcg
check "the tcg factor scales the timeout" has "TIMEOUT tcg (no verdict after 1.5 s)"

# ---- interruption ----

cfg <<'EOF2'
[pass]
file = pass
[hang]
file = hang
timeout = 60
EOF2
bg_run -j 2
sleep 0.2
kill -TERM "$rpid"
wait "$rpid"
echo $? >"$tmp/rc"
check "SIGTERM: exit status 128+15" status_is 143
check "... finished tests reported" has "PASS pass (3 checks, 1 skipped)"
check "... closing line still printed" has "1 passed, 0 failed, 0 skipped"
check "... running groups killed" gone_soon "$tmp/build/x86/hang.elf.pids"

# ---- parallel runs ----

{
	for i in 1 2 3 4 5 6 7 8; do
		printf '[slow%s]\nfile = slow\n' "$i"
	done
} | cfg
vr -j 4
check "-j 4: every result arrives" has "8 passed, 0 failed, 0 skipped"
check "-j 4: one line per test" [ "$(grep -c '^PASS slow[1-8] (1 check)$' "$tmp/out")" -eq 8 ]

# ---- TAP ----

cfg <<'EOF2'
[pass]
file = pass
[skip]
file = skip
[experr]
file = error
expect = ERROR
[fail]
file = fail
EOF2
vr -t pass skip experr
cp "$tmp/out" "$tmp/good.tap"
check "-t starts with TAP version 13" [ "$(head -n 1 "$tmp/good.tap")" = "TAP version 13" ]
prove_accepts() { prove -e cat "$1" >"$tmp/prove" 2>&1; }
check "-t: prove accepts it" prove_accepts "$tmp/good.tap"
check "-t: closing line as a comment" has "# 2 passed, 0 failed, 1 skipped"
check "-t: a check per test point" \
	grep -qE '^ok [0-9]+ - pass: a: two needs CPUID\.7:EBX\.X\[3\] # SKIP$' "$tmp/out"
check "-t: the plan comes last" [ "$(tail -n 2 "$tmp/out" | head -n 1)" = "1..8" ]
vr --tap "$tmp/sub/all.tap" -v
check "--tap FILE keeps console lines" has "FAIL fail (1 of 2 checks failed)"
check "-v streams guest lines" has "pass: PASS: a: one"
prove_sees_one_failure() {
	! prove -e cat "$1" >"$tmp/prove" 2>&1 &&
		grep -q "Failed 2/11 subtests" "$tmp/prove" &&
		! grep -q "Parse errors" "$tmp/prove"
}
check "--tap FILE: prove parses it and sees the failure" \
	prove_sees_one_failure "$tmp/sub/all.tap"

# ---- argv reaches QEMU word by word; -l; -n ----

cfg <<'EOF2'
[argv]
file = argv
smp = 3
args = mem=64 two words
qemu_params = -device 'x,id=a b' -global "k=v w"
groups = quick smoke
scratch = 2
EOF2
printf 'old' >"$tmp/logs/argv.img"
vr
argv_has() { grep -qxF "INFO: arg: $1" "$tmp/logs/argv.log"; }
check "scratch = 2: a drive with id scratch on LOGDIR/NAME.img" \
	argv_has "if=none,id=scratch,format=raw,file=$tmp/logs/argv.img"
check "... made afresh: 2 MiB of zeros" \
	sh -c "[ \$(stat -c %s '$tmp/logs/argv.img') = 2097152 ] && ! tr -d '\\0' <'$tmp/logs/argv.img' | grep -q ."
check "args go as one -append word, after the memory and CPU count" \
	argv_has "vmunit.mem=64 vmunit.smp=3 mem=64 two words"
check "qemu_params quoting keeps spaces" argv_has "x,id=a b"
check "qemu_params double quotes" argv_has "k=v w"
check "smp" argv_has 3
vr -l
check "-l lists name, arch, groups" grep -q '^argv  *x86_64  *quick smoke$' "$tmp/out"
vr -n
check "-n prints the command line" grep -q -- "-smp 3 .*'x,id=a b'" "$tmp/out"

# ---- several arches ----

cfg <<'EOF2'
[pass]
file = pass
EOF2
"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64,arm64 \
	--accel tcg >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "several arches: names carry the arch" has "PASS x86_64/pass (3 checks, 1 skipped)"
check "... arm64 too" has "PASS arm64/pass (3 checks, 1 skipped)"
check "... logs per arch" [ -s "$tmp/logs/arm64/pass.log" ]
QEMU=$QEMU_DIR/qemu-system-x86_64 "$run" -S "$tmp" -b "$tmp/build" -a all \
	>"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "QEMU= with several arches is refused" status_is 2

# ---- --payload ----

"$run" --payload "$tmp/build/x86/argv.elf" --accel tcg -- -smp 4 -S \
	>"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "--payload passes output through" has "PASS: one"
check "--payload appends the extra args" has "INFO: arg: -S"
check "--payload verdict line" has "PASS argv (1 check)"
check "--payload exit status" status_is 0
"$run" --payload "$tmp/build/x86/fail.elf" >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "--payload failing exits 1" status_is 1

# ---- bad input: exit 2 and one line saying where ----

printf '[a]\nfile = pass\n\n[b]\nfile = pass\nsmpp = 2\n' | cfg
vr
check "malformed cfg: exit 2" status_is 2
check "... file:line in the message" has_err "unittests.cfg:6: unknown key 'smpp'"
check "... one line" one_err_line
check "... nothing ran" [ ! -s "$tmp/out" ]
printf '[a]\nfile = pass\nsmp = lots\n' | cfg
vr
check "bad integer: exit 2" status_is 2
check "... with file:line" has_err "unittests.cfg:3: bad integer 'lots' for 'smp'"

cfg <<'EOF2'
[pass]
file = pass
[gone]
file = gone
arch = arm64
EOF2
vr nosuch
check "unknown test: exit 2" status_is 2
check "... named" has_err "unknown test 'nosuch'"
vr 'zz*'
check "glob matching nothing: exit 2" status_is 2
vr pass gone -a arm64
check "missing payload: exit 2" status_is 2
check "... named" has_err "arm/gone.elf: payload not found"
vr --qemu-dir "$tmp/none" pass
check "missing QEMU: exit 2" status_is 2
check "... named" has_err "qemu-system-x86_64: not found"
vr -j 0
check "bad option value: exit 2" status_is 2
vr -c "$tmp/nope.cfg"
check "missing cfg: exit 2" status_is 2

# ---- --check-cfg ----

touch "$tmp/x86/pass.c" "$tmp/x86/orphan-src.c"
cfg <<'EOF2'
[pass]
file = pass
arch = x86_64
[ghost]
file = ghost
arch = x86_64
EOF2
"$run" -S "$tmp" --check-cfg -a x86_64 >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "--check-cfg: exit 2 on mismatch" status_is 2
check "... a source without an entry" has "x86/orphan-src.c: no cfg entry for x86_64"
check "... an entry without a source" \
	has "$tmp/unittests.cfg:4: [ghost] file = ghost: x86/ghost.c not found (arch x86_64)"
rm "$tmp/x86/orphan-src.c"
touch "$tmp/x86/ghost.c"
"$run" -S "$tmp" --check-cfg -a x86_64 >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "--check-cfg: exit 0 when consistent" status_is 0

# ---- the accelerator: a probe boot decides, a note says why ----

if [ "$(uname -m)" = x86_64 ]; then
	: >"$tmp/kvm"	# a device that opens read-write
	cfg <<'EOF2'
[pass]
file = pass
[experr]
file = error
expect = ERROR
EOF2
	va() {	# the runner with auto accel and the stand-in device
		KVM_DEVICE=$tmp/kvm KVM_PROBE_TIMEOUT=2 "$run" -S "$tmp" -b "$tmp/build" \
			--logdir "$tmp/logs" -a x86_64 "$@" >"$tmp/out" 2>"$tmp/err"
		echo $? >"$tmp/rc"
	}
	log_accel() { grep -q -- "-accel $1 " "$tmp/logs/pass.log"; }
	STUB_KVM=abort va --tap "$tmp/a.tap"
	check "probe: QEMU aborts: the note quotes QEMU" has_err \
		"note: kvm not usable (qemu-system-x86_64 -accel kvm -cpu host: QEMU could not start (killed by signal 6 (SIGABRT)): error: failed to set MSR 0x10a to 0xc000069); using tcg (ACCEL=kvm to insist)"
	check "... and the tests run under tcg" log_accel tcg
	check "... and pass" status_is 0
	check "... the note is in the TAP stream" grep -q '^# note: kvm not usable' "$tmp/a.tap"
	check "... and in every log" grep -q '^# note: kvm not usable' "$tmp/logs/pass.log"
	check "... the probe has its log" grep -q 'failed to set MSR' "$tmp/logs/kvm-probe-x86_64.log"
	STUB_KVM=internal va
	check "probe: KVM internal error: not usable, saying so" has_err \
		"probe ERROR: KVM internal error. Suberror: 1 (emulation failure) at INT3, rip 0x100110 after 2 checks"
	start=$(date +%s)
	STUB_KVM=hang va
	end=$(date +%s)
	check "probe: a hang is not usable" has_err "probe TIMEOUT: no verdict after 2 s"
	check "... and costs only the probe's timeout" [ $((end - start)) -le 8 ]
	check "... the tests run under tcg" log_accel tcg
	va
	check "probe passes: kvm, and no note on stderr" [ ! -s "$tmp/err" ]
	check "... the tests run under kvm" log_accel kvm
	rm "$tmp/kvm"
	va
	check "no device: tcg, silently" [ ! -s "$tmp/err" ]
	check "... under tcg" log_accel tcg
	: >"$tmp/kvm"

	# ACCEL=kvm insists: no probe, no fallback, each verdict earned.
	rm -f "$tmp/logs/kvm-probe-x86_64.log"
	STUB_KVM=abort va --accel kvm
	check "ACCEL=kvm: no probe" [ ! -e "$tmp/logs/kvm-probe-x86_64.log" ]
	check "... QEMU's reason on the console line" has \
		"CRASH pass (QEMU could not start (killed by signal 6 (SIGABRT)): error: failed to set MSR 0x10a to 0xc000069)"
	check "... expect = ERROR is not a FAIL when QEMU could not start" has \
		"CRASH experr (QEMU could not start (killed by signal 6 (SIGABRT)): error: failed to set MSR 0x10a to 0xc000069; expected ERROR not checked)"
	start=$(date +%s)
	STUB_KVM=internal va --accel kvm pass
	end=$(date +%s)
	check "KVM internal error: ERROR at once with the checks seen" has \
		"ERROR pass (KVM internal error. Suberror: 1 (emulation failure) at INT3, rip 0x100110 after 3 checks)"
	check "... within seconds, not its 30 s timeout" [ $((end - start)) -le 5 ]
	check "... the register dump is in the log" grep -q '^RIP=0000000000100110' "$tmp/logs/pass.log"
	rm "$tmp/kvm"
fi

# ---- QMP events, output after EXIT, floods, orphans ----

cfg <<'EOF2'
[reset]
file = reset
[stop]
file = stop
[late]
file = late
[lingers]
file = lingers
timeout = 1
[flood]
file = flood
[floodraw]
file = floodraw
[daemon]
file = daemon
[abort]
file = abort
EOF2
timed_vr
check "QMP guest-reset: a triple fault is an ERROR" has \
	"ERROR reset (the guest reset the machine (a triple fault on x86) after 1 check)"
check "QMP STOP: the test ends at once" has \
	"ERROR stop (the VM stopped (QMP STOP) without a fatal message after 1 check)"
check "a check after EXIT is not dropped" has \
	"ERROR late (output after EXIT: 1 line, the first \"FAIL: cpu 1: late\")"
check "TIMEOUT after EXIT says so" has "TIMEOUT lingers (EXIT seen, QEMU did not exit within 1 s)"
check "a flood of check lines is an ERROR" has \
	"ERROR flood (output flood: more than 100000 check lines after 100000 checks; output cut off)"
check "a flood without newlines is an ERROR" has \
	"ERROR floodraw (output flood: more than 16 MiB of output; output cut off)"
log_bounded() { [ "$(wc -c <"$tmp/logs/$1.log")" -le $((16 * 1024 * 1024 + 4096)) ]; }
check "... its log is cut at 16 MiB" log_bounded floodraw
check "... and says so" grep -q 'output cut off after 16 MiB' "$tmp/logs/floodraw.log"
check "... all of it in seconds" [ "$secs" -le 15 ]
check "an orphan in a session of its own is killed" gone_soon "$tmp/build/x86/daemon.elf.pids"
check "QEMU that dies at once: it could not start" has \
	"CRASH abort (QEMU could not start (killed by signal 6 (SIGABRT)))"

# ---- no QEMU outlives the runner, whatever signal ends it ----
# (Not SIGINT or SIGQUIT: a background job of sh starts with them ignored,
# and an ignored signal stays ignored.)

cfg <<'EOF2'
[hang]
file = hang
timeout = 60
EOF2
# A SIGHUP ignored on entry (nohup make check) stays ignored in the runner
# too, as it should: not sent then.
sigs="KILL USR1"
[ $((0x$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status) & 1)) -eq 1 ] ||
	sigs="$sigs HUP"
for sig in $sigs; do
	bg_run --accel tcg
	kill -"$sig" "$rpid"
	wait "$rpid"
	# SIGKILL cannot be caught: QEMU dies of PR_SET_PDEATHSIG, what it
	# started of the reaper (runner/reaper.h).  The others kill the group.
	check "SIG$sig to the runner: QEMU and its child are gone" \
		gone_soon "$tmp/build/x86/hang.elf.pids"
done
check "an interrupted test's log says so" \
	[ "$(tail -n 1 "$tmp/logs/hang.log")" = "INTERRUPTED hang (SIG${sigs##* })" ]

payload family "PASS: one" "@family"
printf '[family]\nfile = family\ntimeout = 60\n[family2]\nfile = family\ntimeout = 60\n' | cfg
rm -f "$tmp/build/x86/family.elf.pids"
"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 --accel tcg -j2 \
	>"$tmp/out" 2>"$tmp/err" &
rpid=$!
i=0
f=$tmp/build/x86/family.elf.pids
while { [ ! -f "$f" ] || [ "$(wc -l <"$f")" -lt 8 ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$rpid"
wait "$rpid"
check "SIGKILL to the runner (-j2): every process of both tests is gone (group, setsid, double fork)" \
	gone_soon "$tmp/build/x86/family.elf.pids"

# ---- one run per log directory ----

bg_run --accel tcg
vr
check "a second run in the same log directory: exit 2" status_is 2
check "... naming the PID that holds it" has_err "is in use by another run (PID $rpid)"
kill -TERM "$rpid"
wait "$rpid"

# ---- results are never lost: write errors are errors ----

cfg <<'EOF2'
[pass]
file = pass
[evil]
file = evil
EOF2
vr --tap /dev/full
check "--tap /dev/full: exit 2" status_is 2
check "... saying so" has_err "/dev/full: write error"
"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 --accel tcg \
	>/dev/full 2>"$tmp/err"
echo $? >"$tmp/rc"
check "stdout on /dev/full: exit 2" status_is 2
mkdir -p "$tmp/badlogs/pass.log"
vr --logdir "$tmp/badlogs"
check "a log that cannot be written: exit 2" status_is 2

# ---- TAP that strict parsers read whole, whatever the guest printed ----

vr -t
cp "$tmp/out" "$tmp/evil.tap"
has_point() { grep -qxE "ok [0-9]+ - $1" "$tmp/out"; }
check "guest control characters are escaped" has_point 'evil: a\\x0dnot ok 99 - x'
check "... as are ESC, \\, # and invalid UTF-8" has_point \
	'evil: b \\x1b\[31m \\\\ \\# TODO \\xff'
check "prove reads every point" prove_accepts "$tmp/evil.tap"
check "... all 7 of them" grep -q "Tests=7" "$tmp/prove"
tappy_reads() {	# FILE COUNT: python3-tap finds COUNT points, no unknown line
	/usr/bin/python3 - "$1" "$2" <<'EOF2' >/dev/null 2>&1
import sys
from tap.parser import Parser
lines = list(Parser().parse_text(open(sys.argv[1], encoding="utf-8").read()))
tests = [l for l in lines if l.category == "test"]
plans = [l for l in lines if l.category == "plan"]
bad = [l for l in lines if l.category == "unknown"]
ok = len(tests) == int(sys.argv[2]) and len(plans) == 1 and not bad
sys.exit(0 if ok and plans[0].expected_tests == len(tests) else 1)
EOF2
}
if /usr/bin/python3 -c 'import tap' 2>/dev/null; then
	check "python3-tap reads every point, and no unknown line" tappy_reads "$tmp/evil.tap" 7
fi

# ---- Bochs (tests/stub/bochs): the same verdicts, its own exit ----

BOCHS=$srcdir/tests/stub/bochs
export BOCHS
: >"$tmp/build/x86/bochs-boot.img"
payload bpanic "PASS: one" "@panic >>PANIC<< exception(): 3rd (13) exception with no resolution"
payload screen "PASS: one" "@screen 1048576" "PASS: two" "$(sum 2 0 0 0)" "EXIT: STATUS=0"
cfg <<'EOF2'
[pass]
file = pass
[screen]
file = screen
timeout = 20
[hang]
file = hang
timeout = 1
[bpanic]
file = bpanic
[armpass]
file = pass
arch = arm64
[onqemu]
file = pass
machine = pc
EOF2
rm -f "$tmp/build/x86/"*.pids
vr --vmm bochs -a x86_64,arm64
check "bochs: a pass is a PASS (its exit status 1 says nothing)" has "PASS x86_64/pass (3 checks, 1 skipped)"
check "bochs: a hang is a TIMEOUT" has "TIMEOUT x86_64/hang (no verdict after 1 s)"
check "bochs: its terminal display is read away (1 MiB, no one else reads it)" \
	has "PASS x86_64/screen (2 checks)"
check "... and its whole process group is gone" gone_soon "$tmp/build/x86/hang.elf.pids"
check "bochs: a panic is an ERROR with its message" \
	has "ERROR x86_64/bpanic (Bochs: [CPU0  ] >>PANIC<< exception(): 3rd (13) exception with no resolution after 1 check)"
check "bochs: another arch's entry SKIPs" has "SKIP arm64/armpass (Bochs runs no arm64 payloads)"
check "bochs: a QEMU machine= entry SKIPs" has "SKIP x86_64/onqemu (needs QEMU (its machine), running Bochs)"
check "bochs: Bochs's own lines are not the guest's" \
	sh -c "! grep -q 'Bochs is exiting' '$tmp/logs/x86_64/pass.log' || grep -q '^PASS x86_64/pass' '$tmp/logs/x86_64/pass.log'"
vr --vmm bochs -n pass
check "bochs: -n prints the whole configuration" \
	grep -qF "'optramimage1: file=$tmp/build/x86/pass.elf, address=0x2000000'" "$tmp/out"
check "... and the command line file it wrote" \
	grep -qx "$tmp/build/x86/pass.elf vmunit.vmm=bochs vmunit.mem=64" "$tmp/build/build/bochs/pass.cmdline"
vr --vmm nope pass
check "an unknown --vmm: exit 2" status_is 2
printf '[pass]\nfile = pass\nvmm = vbox\n' | cfg
vr
check "an unknown vmm= key value: exit 2 with file:line" has_err "unittests.cfg:3: unknown vmm 'vbox' (qemu or bochs)"
unset BOCHS

# ---- --json, --junit: a mixed run, validated against their schemas ----

cfg <<'EOF2'
[pass]
file = pass
[fail]
file = fail
[skip]
file = skip
[error]
file = error
[hang]
file = hang
timeout = 1
[crash]
file = crash
[expfail]
file = fail
expect = FAIL
[evil]
file = evil
[known]
file = fail
EOF2
printf 'test: known\ncheck: two\nreason: a known bug\n' >"$tmp/known"
vr --json "$tmp/r.json" --tap "$tmp/r.tap" --junit "$tmp/r.xml" --baseline "$tmp/known"
json_valid() {	# the schema holds, and the verdicts are those of the console and TAP
	/usr/bin/python3 - "$tmp/r.json" "$srcdir/docs/results.schema.json" "$tmp/out" \
		"$tmp/r.tap" <<'EOF3'
import json, re, sys
import jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator(json.load(open(sys.argv[2]))).validate(doc)
verdicts = sorted(t["verdict"] for t in doc["tests"])
console = sorted(l.split()[0] for l in open(sys.argv[3]) if l.split() and
                 l.split()[0] in ("PASS", "FAIL", "SKIP", "ERROR", "TIMEOUT", "CRASH", "XFAIL"))
fail = [t for t in doc["tests"] if t["name"] == "fail"][0]
known = [t for t in doc["tests"] if t["name"] == "known"][0]
assert verdicts == console, (verdicts, console)
assert {"PASS", "FAIL", "SKIP", "ERROR", "TIMEOUT", "CRASH", "XFAIL"} <= set(verdicts), verdicts
assert [c["status"] for c in fail["checks"]] == ["PASS", "FAIL"], fail["checks"]
assert [c["status"] for c in known["checks"]] == ["PASS", "XFAIL"], known["checks"]
assert known["checks"][1]["name"] == "two" and known["checks"][1]["known"] == "a known bug"
assert known["reason"].startswith("known: a known bug; ")
hang = [t for t in doc["tests"] if t["name"] == "hang"][0]
assert fail["command"] and fail["log"].endswith("fail.log") and hang["seconds"] >= 1
points = [m.group(2) for m in (re.match(r"(not )?ok \d+ - (.*)", l) for l in open(sys.argv[4]))
          if m]
for t in doc["tests"]:
    assert sum(p == t["name"] or p.startswith((t["name"] + " (", t["name"] + " #"))
               for p in points) == 1, t["name"]
assert len(points) == len(doc["tests"]) + sum(len(t["checks"]) for t in doc["tests"])
EOF3
}
prove_mixed() {	# the 5 failures are failures, the known one a TODO
	prove -e cat "$tmp/r.tap" >"$tmp/prove" 2>&1
	grep -q "Tests: 24 Failed: 5)" "$tmp/prove"
}
check "--tap with a baseline: prove counts 5 failures of 24, not the known one" prove_mixed
check "... the known failure is a TODO point" \
	grep -qxF "not ok 22 - known # TODO known: a known bug; 1 of 2 checks failed" "$tmp/r.tap"
check "the closing line counts the XFAIL apart" has "3 passed, 4 failed, 1 skipped, 1 xfail"

if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	check "--json: schema-valid; the same tests and checks as the console and the TAP" json_valid
fi
vr --json /nonexistent/dir/r.json pass
check "--json to an unwritable path: exit 2 saying so" status_is 2
check "--junit: valid against docs/junit.xsd (xmllint), guest bytes included" \
	xmllint --noout --schema "$srcdir/docs/junit.xsd" "$tmp/r.xml"
junit_counts() {	# a JUnit reader sees the console's counts
	/usr/bin/python3 - "$tmp/r.xml" <<'EOF3'
import sys
from junitparser import JUnitXml
suites = list(JUnitXml.fromfile(sys.argv[1]))
assert len(suites) == 1 and suites[0].name == "x86_64 qemu tcg", [s.name for s in suites]
s = suites[0]
assert (s.tests, s.failures, s.errors, s.skipped) == (9, 1, 3, 2), (s.tests, s.failures,
                                                                  s.errors, s.skipped)
cases = {c.name: c for c in s}
assert cases["hang"].result[0].type == "TIMEOUT" and "1 s" in cases["hang"].result[0].message
assert "FAIL: two (got 1, want 2)" in cases["fail"].system_out
assert cases["known"].result[0].type == "XFAIL"
EOF3
}
if /usr/bin/python3 -c 'import junitparser' 2>/dev/null; then
	check "--junit: junitparser reads 9 tests, 1 failure, 3 errors, 2 skipped" junit_counts
fi

# ---- --baseline, --write-baseline ----

vr --write-baseline "$tmp/today" --baseline "$tmp/known"
check "--write-baseline: the run's own verdicts and exit status" status_is 1
wrote() { grep -qzF -- "$1" "$tmp/today"; }
check "... a record per new failed check, its name without the detail" \
	wrote "$(printf 'test: fail\ncheck: two\narch: x86_64\naccel: tcg\nvmm: qemu\n')"
check "... a verdict record per failure without failed checks" \
	wrote "$(printf 'test: hang\nverdict: TIMEOUT\narch: x86_64\n')"
check "... the known record kept" wrote "$(printf 'test: known\ncheck: two\nreason: a known bug\n')"
vr --baseline "$tmp/today"
check "with the written baseline: nothing fails, exit 0" status_is 0
check "... every failure an XFAIL" has "3 passed, 0 failed, 1 skipped, 5 xfail"
printf 'test: pass\ncheck: a: one\nreason: was broken\n' >"$tmp/fixed"
vr --baseline "$tmp/fixed" pass
check "a baselined check that passes: a notice on the console" \
	has "  notice: fixed? $tmp/fixed:1 (check a: one) passes: remove it from the baseline"
check "... and in the log" grep -qF "notice: fixed? $tmp/fixed:1" "$tmp/logs/pass.log"
printf 'test: fail\ncheck: two\naccel: kvm\nreason: kvm only\n' >"$tmp/kvmonly"
vr --baseline "$tmp/kvmonly" fail
check "a record for another accelerator does not apply" has "0 passed, 1 failed, 0 skipped"
printf 'test: fail\nreason: r\nverdict: PASS\n' >"$tmp/bad"
vr --baseline "$tmp/bad" fail
check "a bad baseline: exit 2 with file:line" has_err "$tmp/bad:3: verdict 'PASS': want FAIL, ERROR, TIMEOUT or CRASH"
vr --bisect --baseline "$tmp/today" fail
check "--bisect: a known failure only is not a failure (exit 0)" status_is 0

# ---- the status line: on a terminal only ----

printf '[pass]\nfile = pass\n[slow]\nfile = slow\n' | cfg
vr
check "no status line into a file (no CR, no escape)" \
	sh -c "! grep -q \"\$(printf '\\r\\|\\033')\" '$tmp/out'"
on_tty() {	# ARGS: the runner under script(1)'s pseudo-terminal, output in $tmp/tty
	script -qec "$(printf '%s ' "$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" \
		-a x86_64 --accel tcg "$@")" /dev/null >"$tmp/tty" 2>&1
}
status_line_shown() {
	on_tty && grep -q "$(printf '\033')\[K\[0/2\] 0s, 0 failed: " "$tmp/tty" &&
		tail -n 1 "$tmp/tty" | grep -q "$(printf '\033')\[K2 passed, 0 failed, 0 skipped"
}
if command -v script >/dev/null; then
	check "on a terminal: a status line, erased before the closing line" status_line_shown
	on_tty --no-progress
	check "--no-progress: none on a terminal either" \
		sh -c "! grep -q \"\$(printf '\\033')\\[K\" '$tmp/tty'"
fi

# ---- --shard and --bisect ----

cfg <<'EOF2'
[pass]
file = pass
[fail]
file = fail
[skip]
file = skip
[hang]
file = hang
[crash]
file = crash
[nopayload]
file = nosuch
EOF2
shards_partition() {	# the 3 shards of -l are disjoint and make up the whole list
	for k in 1 2 3; do
		"$run" -S "$tmp" -b "$tmp/build" -a x86_64,arm64 --shard "$k/3" -l || return 1
	done | sort >"$tmp/shards"
	"$run" -S "$tmp" -b "$tmp/build" -a x86_64,arm64 -l | sort >"$tmp/all"
	cmp -s "$tmp/shards" "$tmp/all" && [ "$(uniq -d <"$tmp/shards" | wc -l)" -eq 0 ]
}
check "--shard K/3: each entry in exactly one of the 3 shards" shards_partition
vr --shard 4/3 pass
check "--shard 4/3: bad input, exit 2" status_is 2
vr --bisect pass
check "--bisect: a pass exits 0" status_is 0
vr --bisect pass fail
check "--bisect: a failure exits 1" status_is 1
vr --bisect skip
check "--bisect: all SKIP exits 125" status_is 125
vr --bisect nopayload
check "--bisect: a missing payload exits 125" status_is 125
vr --bisect nosuchtest
check "--bisect: an unknown test exits 125" status_is 125
QEMU=$tmp vr --bisect pass
check "--bisect: a QEMU that cannot run exits 125" status_is 125
unset QEMU	# (dash keeps an assignment before a function call)

# git bisect run on a throwaway repository whose commits differ only in
# the verdict of the stub's payload: the first bad commit is found.
bisect_finds_first_bad() {
	b=$tmp/bisect
	rm -rf "$b" && mkdir -p "$b/build/x86" && cd "$b" || return 1
	git init -q && git config user.email t@t && git config user.name t || return 1
	printf '[t]\nfile = t\narch = x86_64\n' >unittests.cfg
	for v in pass pass pass fail fail; do
		cp "$tmp/build/x86/$v.elf" build/x86/t.elf
		git add -A && git commit -q --allow-empty -m "$v" || return 1
	done
	good=$(git rev-list --max-parents=0 HEAD)
	want=$(git rev-list --reverse HEAD | sed -n 4p)
	git bisect start HEAD "$good" >/dev/null &&
		git bisect run "$run" -S "$b" -b "$b/build" --logdir "$b/logs" -a x86_64 \
			--accel tcg --bisect t >"$tmp/bisect.out" 2>&1
	found=$(sed -n 's/^\([0-9a-f]*\) is the first bad commit$/\1/p' "$tmp/bisect.out")
	cd "$tmp" || return 1
	[ -n "$found" ] && [ "$found" = "$want" ]
}
if command -v git >/dev/null; then
	check "git bisect run with --bisect finds the first failing commit" bisect_finds_first_bad
fi

# ---- guest coverage: GCOV lines become .gcda files, never verdict input ----

payload gcov "PASS: one" "GCOV-BEGIN: /b/lib/a.gcda 3" "GCOV: 6162" "GCOV: 63" "GCOV-END" \
	"GCOV-BEGIN: /b/lib/b.gcda 2" "GCOV: 6869" "GCOV-END" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
payload gcovbad "PASS: one" "GCOV-BEGIN: /b/../../evil.gcda 1" "GCOV: 41" "GCOV-END" \
	"GCOV-BEGIN: /b/torn.gcda 4" "GCOV: 4142" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
printf '[gcov]\nfile = gcov\n[gcovbad]\nfile = gcovbad\n' | cfg
rm -rf "$tmp/logs/gcov.gcov" "$tmp/logs/gcovbad.gcov"
vr -v
check "coverage lines: the test's verdict as without them" has "PASS gcov (1 check)"
check "... and not shown as guest output (-v)" sh -c "! grep -q GCOV '$tmp/out'"
check "... the verdict unchanged by a refused image" has "PASS gcovbad (1 check)"
if has_err "not a coverage build"; then	# this build: the runner writes nothing
	check "not a coverage build: no image written, said once per test" \
		eval "[ ! -e '$tmp/logs/gcov.gcov' ] && has_err 'gcov: coverage: 7 GCOV lines ignored'"
else
	check "... each image written under LOGDIR/NAME.gcov/<its path>" \
		sh -c "[ \"\$(cat '$tmp/logs/gcov.gcov/b/lib/a.gcda')\" = abc ] &&
			[ \"\$(cat '$tmp/logs/gcov.gcov/b/lib/b.gcda')\" = hi ]"
	check "a path with '..': not written, said on stderr and in the log" \
		sh -c "[ ! -e '$tmp/logs/evil.gcda' ] && [ ! -e '$tmp/evil.gcda' ] &&
			grep -qF 'gcovbad: coverage: bad GCOV-BEGIN: /b/../../evil.gcda 1' '$tmp/err' &&
			grep -qF '# coverage: bad GCOV-BEGIN' '$tmp/logs/gcovbad.log'"
fi
check "a torn image is not written" test ! -e "$tmp/logs/gcovbad.gcov/b/torn.gcda"

# ---- KVM statistics: kvm only (off KVM each check a SKIP); the cfg's checks are checked ----

printf '[pass]\nfile = pass\nstats = exits io_exits\nstats_check = io_exits >= 1\n' | cfg
vr pass
check "stats under tcg: the test's own verdict and each stats check a SKIP saying why" \
	sh -c "grep -qx 'PASS pass (4 checks, 2 skipped)' '$tmp/out' &&
		grep -qxF \"SKIP: stats: cfg check 'io_exits >= 1': KVM's statistics only (running tcg)\" '$tmp/logs/pass.log'"
printf '[pass]\nfile = pass\nstats_check = io_exits => 1\n' | cfg
vr pass
check "a malformed stats_check: exit 2 with file:line" \
	sh -c "[ \$(cat '$tmp/rc') = 2 ] && grep -qF 'unittests.cfg:3: stats check' '$tmp/err'"

# ---- make standalone: bundles that run without the tree ----

printf '[pass]\nfile = pass\n[fail]\nfile = fail\ntimeout = 7\n' | cfg
SRCDIR=$tmp BUILDDIR=$tmp/build VMUNIT_RUN=$run "$srcdir/scripts/standalone.sh" \
	x86_64 "$tmp/sa" pass fail >/dev/null
bundle() {	# NAME ARGS...: run a bundle from an empty directory, no tree around
	b=$tmp/sa/x86_64/$1
	shift
	rm -rf "$tmp/empty" && mkdir "$tmp/empty" &&
		(cd "$tmp/empty" && "$b" "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc")
}
bundle pass --accel tcg
check "a bundle runs its test from an empty directory: PASS, exit 0" \
	sh -c "grep -qx 'PASS pass (3 checks, 1 skipped)' '$tmp/out' && [ \$(cat '$tmp/rc') = 0 ]"
check "... its log in ./logs" test -s "$tmp/empty/logs/pass.log"
bundle fail --accel tcg -n
check "... the runner's command line and the entry's timeout (-n)" \
	grep -q "^.*qemu-system-x86_64 .*-kernel .*/x86/fail.elf" "$tmp/out"
bundle fail --accel tcg
check "a failing bundle: FAIL, exit 1" \
	sh -c "grep -qx 'FAIL fail (1 of 2 checks failed)' '$tmp/out' && [ \$(cat '$tmp/rc') = 1 ]"
check "... and nothing left in TMPDIR" sh -c "! ls -d '${TMPDIR:-/tmp}'/vmunit-fail.* 2>/dev/null"
bundle_script_clean() {	# the script part, up to its "exit"
	sed '/^exit$/q' "$tmp/sa/x86_64/pass" | shellcheck -s sh -
}
check "a bundle's script is POSIX sh (shellcheck)" bundle_script_clean

# ---- the box: an L1 that streams records back (the stub plays L1) ----

ln -s "$srcdir/scripts" "$tmp/scripts"
ln -s "$srcdir/runner" "$tmp/runner"
printf '[pass]\nfile = pass\n[fail]\nfile = fail\n' | cfg
rec() {	# ENTRY VERDICT REASON: a record line
	printf 'VMUNIT-BOX-RESULT: {"entry":"%s","verdict":"%s","reason":"%s","seconds":1.5,"started":true,"unstarted":false,"checks":[["PASS","a: one"],["SKIP","b: two"]],"stats":[["io_exits",1200]]}\n' "$1" "$2" "$3"
}
box() {	# SCENARIO ARGS...: the runner with --box, L0 the stub
	sc=$1
	shift
	"$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 --timeout-factor 1 \
		--box "$tmp/$sc" "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}
ready="VMUNIT-BOX: ready 6.12.0-test kvm_amd nested=1 npt=Y"
{ echo "Probing EDD (edd=off to disable)... ok"; echo "$ready"; echo "VMUNIT-BOX-START: pass"
  rec pass PASS "2 checks, 1 skipped"; echo 'VMUNIT-BOX-RESULT: {"entry":"fail", broken'
  rec nosuch PASS "1 check"; echo "VMUNIT-BOX: end 1"; } >"$tmp/good.img"
box good.img --json "$tmp/box.json" --junit "$tmp/box.xml"
check "box: a record is the test's verdict" has "PASS pass (2 checks, 1 skipped)"
check "... the platform named on the console" \
	grep -q '^# platform: .*good.img, kvm_amd nested=1, nested under QEMU TCG$' "$tmp/out"
check "... and in the JSON" grep -q '"accel_note":"platform: .*nested under QEMU TCG"' "$tmp/box.json"
check "... and in the JUnit, valid" sh -c "xmllint --noout --schema '$srcdir/docs/junit.xsd' '$tmp/box.xml' 2>/dev/null &&
	grep -q '<property name=\"platform\" value=\"[^\"]*nested under QEMU TCG\"/>' '$tmp/box.xml'"
check "... with its checks and statistics" \
	sh -c "grep -q '\"io_exits\":1200' '$tmp/box.json' && grep -q '\"message\":\"two\"' '$tmp/box.json'"
check "a malformed record is refused, its test an ERROR naming why" \
	has "ERROR fail (box: the runner in L1 ended (status 1) without its verdict)"
check "... said in the box log, and a record for no test too" \
	sh -c "grep -q '^# box: a record refused: not a JSON object' '$tmp/logs/box-x86_64.log' &&
		grep -q '^# box: a record for no test waiting for one: nosuch' '$tmp/logs/box-x86_64.log'"
check "... exit 1, the closing line" eval "status_is 1 && has '1 passed, 1 failed, 0 skipped'"

printf '%s\n' "VMUNIT-BOX: error no /dev/kvm after loading KVM: kvm: no hardware support for 'kvm_amd'" >"$tmp/nokvm.img"
box nokvm.img
check "box: L1 without KVM: every test an ERROR naming it" \
	eval "has \"ERROR pass (box: L1: no /dev/kvm after loading KVM: kvm: no hardware support for 'kvm_amd')\" &&
		has \"ERROR fail (box: L1: no /dev/kvm after loading KVM: kvm: no hardware support for 'kvm_amd')\""
check "... one L1, not booted again" test "$(grep -c qemu-system "$tmp/logs/box-x86_64.log")" -eq 1
box nokvm.img --bisect
check "... under --bisect: 125, nothing could be tested" status_is 125

{ echo "$ready"; echo "VMUNIT-BOX-START: pass"
  echo "[   29.011656] Kernel panic - not syncing: corrupted stack end detected inside scheduler"; } >"$tmp/panic.img"
box panic.img
check "box: L1 panics: the test it ran is an ERROR naming the panic" \
	has "ERROR pass (box: L1 Kernel panic - not syncing: corrupted stack end detected inside scheduler)"
check "... the tests waiting go to fresh L1s, at most 6" \
	test "$(grep -c qemu-system "$tmp/logs/box-x86_64.log")" -eq 6
check "... then an ERROR too" grep -q '^ERROR fail (box: L1 Kernel panic' "$tmp/out"

{ echo "$ready"; echo "VMUNIT-BOX-START: pass"
  echo "[   20.434180] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010"
  echo "[   20.441378] Internal error: Oops: 0000000096000004 [#1] SMP"
  echo "[   20.445251] pc : vgic_its_save_tables_v0+0x2a4/0x5a0"; echo "@hang"; } >"$tmp/oops.img"
box oops.img
check "box: L1's kernel oopses: the test it ran is an ERROR naming the oops and where, at once" \
	has "ERROR pass (box: L1 kernel oops: Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010, at vgic_its_save_tables_v0+0x2a4/0x5a0)"
check "... the tests waiting go to fresh L1s" grep -q '^ERROR fail (box: L1 kernel oops' "$tmp/out"

{ echo "$ready"; echo "VMUNIT-BOX-START: pass"; echo "@abort"; } >"$tmp/abort.img"
box abort.img
check "box: the L0 QEMU crashes: its tests run again in a fresh L1, once" \
	eval "has 'ERROR pass (box: the L0 QEMU died of SIGABRT (its last line: $ready))' &&
		grep -q '^  notice: run again in a fresh L1: the L0 QEMU died of SIGABRT' '$tmp/out'"

printf 'booting\n@hang\n' >"$tmp/slow.img"
rm -f "$tmp/build/build/box/"*/kernel.pids
BOX_BOOT_TIMEOUT=1 box slow.img
check "box: L1 never ready: an ERROR naming the boot timeout" \
	has "ERROR pass (box: L1 did not get ready in 1 s (its last line: booting))"
check "... its whole process group killed" \
	gone_soon "$(find "$tmp/build/build/box" -name kernel.pids | head -n 1)"
box good.img -n
check "box: -n prints the L0 command line and the runner's inside" \
	sh -c "grep -q '^# platform: ' '$tmp/out' && grep -q 'qemu-system-x86_64 -accel tcg -cpu max' '$tmp/out' &&
		grep -qx '# inside L1:' '$tmp/out'"
check "... the run file: the logs, the host's own root, no binds, then the runner" \
	sh -c "sed -n 2p '$tmp/logs/box-x86_64.run' | grep -qx / && sed -n 3p '$tmp/logs/box-x86_64.run' | grep -qx '' &&
		sed -n 5p '$tmp/logs/box-x86_64.run' | grep -qx -- --box-inner=tcg"
box good.img -n --box-append 'kvm_amd.npt=1 foo'
check "box: --box-append goes to L1's kernel command line" \
	grep -q "vmunit.box=[^ ]*/box-x86_64.run kvm_amd.npt=1 foo'" "$tmp/out"
"$run" -S "$tmp" -b "$tmp/build" --box-append x=1 -n >"$tmp/out" 2>"$tmp/err"
echo $? >"$tmp/rc"
check "... and only with --box, exit 2" eval "status_is 2 && has_err 'go with --box'"
box good.img -a arm64,x86_64
check "box: one arch at a time, exit 2" eval "status_is 2 && has_err '--box runs one arch at a time'"
check "box: of 5 kernels of one's own the cache keeps at most 4, the newest" \
	test "$(find "$tmp/build/build/box" -maxdepth 1 -name 'custom-*' | wc -l)" -le 4

# ---- untrusted guest output, hostile input (the runner's robustness) ----

a5000=$(head -c 5000 /dev/zero | tr '\0' a)
payload long "PASS: one" "${a5000}FAIL: phantom" "PASS: ${a5000}" "$(sum 2 0 0 0)" \
	"EXIT: STATUS=0" "@exit 1"
payload nonxml "PASS: a $(printf '\357\277\276') b $(printf '\357\277\277') c $(printf '\177') d" \
	"$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
payload many "@flood 800000"
payload unnamed "FAIL: " "FAIL:  (only a detail)" "FAIL: named (1)" "FAIL: spaced  " \
	"$(sum 4 4 0 0)" "EXIT: STATUS=1" "@exit 3"
payload slower "@sleep 1.5" "PASS: one" "$(sum 1 0 0 0)" "EXIT: STATUS=0" "@exit 1"
cfg <<'EOF2'
[pass]
file = pass
[long]
file = long
[nonxml]
file = nonxml
[evil]
file = evil
[unnamed]
file = unnamed
EOF2
vr --json "$tmp/long.json" long
check "a line over 4095 bytes stays one line: no phantom FAIL in it" \
	has "PASS long (2 checks)"
check "... the check it is cut with a marker, the log keeps it whole" \
	eval "grep -q 'aaa \\[line cut\\]\"' '$tmp/long.json' && grep -q '^a*FAIL: phantom$' '$tmp/logs/long.log'"
vr --junit "$tmp/nonxml.xml" nonxml
check "--junit: U+FFFE, U+FFFF and DEL escaped, the file valid XML" \
	eval "status_is 0 && xmllint --noout '$tmp/nonxml.xml' 2>/dev/null &&
		grep -qF 'a \xef\xbf\xbe b \xef\xbf\xbf c \x7f d' '$tmp/nonxml.xml'"
for w in --junit --json --tap; do
	vr "$w" /dev/full pass
	check "$w /dev/full: exit 2 naming the file" eval "status_is 2 && has_err '/dev/full'"
done
printf '[many]\nfile = many\n' | cfg
elapsed() {	# ARGS: vr's wall time in ms into $ms
	t0=$(date +%s%N)
	vr "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
}
elapsed --json "$tmp/many.json"
json_ms=$ms
elapsed --junit "$tmp/many.xml"
check "--junit: 100,000 checks in at most twice the time of --json ($ms ms, $json_ms ms)" \
	eval "[ $ms -le $((2 * json_ms + 200)) ] && grep -c '^PASS: x$' '$tmp/many.xml' | grep -qx 100000"
printf '[evil]\nfile = evil\n' | cfg
vr -v -t evil
check "-v -t: guest lines in TAP comments are escaped (no CR, ESC or non-UTF-8 byte)" \
	eval "grep -q '^# evil: PASS: a\\\\x0dnot ok 99' '$tmp/out' &&
		! LC_ALL=C grep -q '$(printf '[\r\033\377]')' '$tmp/out' && iconv -f UTF-8 -t UTF-8 '$tmp/out' >/dev/null"
vr --baseline "$tmp" evil
check "--baseline DIR: exit 2 with FILE:LINE" eval "status_is 2 && has_err \"$tmp:1: Is a directory\""
printf 'test: evil\ncheck: a\0b\nreason: x\n' >"$tmp/nul.baseline"
vr --baseline "$tmp/nul.baseline" evil
check "--baseline with a NUL in a value: exit 2 with FILE:LINE" \
	eval "status_is 2 && has_err '$tmp/nul.baseline:2: a NUL byte'"
printf '[unnamed]\nfile = unnamed\n' | cfg
vr --write-baseline "$tmp/unnamed.baseline" unnamed
vr --baseline "$tmp/unnamed.baseline" unnamed
check "--write-baseline then --baseline: FAILs without a name are absorbed too" \
	eval "status_is 0 && grep -q '^XFAIL unnamed' '$tmp/out'"
vr --timeout-factor 1e-300 unnamed
check "--timeout-factor 1e-300: exit 2" eval "status_is 2 && has_err 'from 0.1 to 100'"
printf '[pass]\nfile = pass\n[hang]\nfile = hang\ntimeout = 90\n[slower]\nfile = slower\ntimeout = 1\n' | cfg
rm -f "$tmp/build/x86/hang.elf.pids"
TIMEOUT=1 vr --timeout-factor 5 hang
check "TIMEOUT=1: every entry's timeout, the factor not applied" \
	eval "has 'TIMEOUT hang (no verdict after 1 s)' && gone_soon '$tmp/build/x86/hang.elf.pids'"
TIMEOUT=0 vr slower
check "TIMEOUT=0: no timeout (a 1.5 s test whose cfg says 1 s passes)" has "PASS slower (1 check)"
TIMEOUT=1m vr -n slower
check "TIMEOUT=1m: timeout(1)'s syntax" status_is 0
TIMEOUT=2x vr slower
check "TIMEOUT=2x: exit 2" eval "status_is 2 && has_err \"timeout '2x'\""
printf '#!/nonexistent/interpreter\n' >"$tmp/badqemu"
chmod +x "$tmp/badqemu"
QEMU=$tmp/badqemu vr slower
check "a QEMU script whose interpreter is missing: exit 2 naming both" \
	eval "status_is 2 && has_err '$tmp/badqemu: cannot be started: its interpreter /nonexistent/interpreter'"

# ---- live migration with the real QEMU (runner/migrate.h) ----

if [ -f "$srcdir/x86/migrate.elf" ] && command -v qemu-system-x86_64 >/dev/null; then
	printf '[destfail]\nfile = migrate\narch = x86_64\nqemu_params = -pidfile %s\nmigration = 1\n' \
		"$tmp/qemu.pidfile" >"$tmp/mig.cfg"
	QEMU_DIR='' "$run" -c "$tmp/mig.cfg" -S "$srcdir" -b "$srcdir" --logdir "$tmp/logs" \
		-a x86_64 --accel tcg destfail >"$tmp/out" 2>"$tmp/err"
	check "a destination QEMU that dies: ERROR at once naming the stage and QEMU's words" \
		has "ERROR destfail (migration: the destination QEMU ended (qemu-system-x86_64: cannot create PID file: Cannot lock pid file: Resource temporarily unavailable))"
fi

# ---- smaller rules ----

cfg <<'EOF2'
[armonly]
file = pass
arch = arm64
EOF2
vr
check "an empty selection: exit 2" status_is 2
check "... saying why" has_err "no test selected"
printf '[pass]\nfile = pass\n' | cfg
QEMU=$tmp vr
check "a QEMU that is not an executable file: exit 2" status_is 2
check "... saying so" has_err "QEMU=$tmp: not an executable"

echo "1..$n"
[ "$failed" -eq 0 ]
