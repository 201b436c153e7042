#!/bin/sh
# Integration tests of the runner's EFI firmware snapshots
# (runner/efi-snapshot.h): made without a shell into a file of the runner's
# own, checked before use, and a snapshot QEMU cannot load deleted and the
# test booted cold.  A fake QEMU (python3, written below) plays the part:
# it takes its migration socket over QMP (getfd, SCM_RIGHTS), migrates a
# stream of its own into it, and on -incoming defer loads one, refusing
# any other byte for byte as QEMU does ("error while loading state
# section").  Prints TAP; exits 1 on failure.
#
# Run from the build directory (runner/vmunit-run), or set VMUNIT_RUN.
set -u

srcdir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/tap-lib.sh
. "$srcdir/tests/tap-lib.sh"
# boot = efi needs the firmware file to exist (the fake never reads it).
if [ ! -r /usr/share/ovmf/OVMF.fd ] && [ ! -r /usr/share/qemu/OVMF.fd ]; then
	echo "1..0 # SKIP no OVMF (Debian package ovmf)"
	exit 0
fi
if [ ! -x /usr/bin/python3 ]; then
	echo "1..0 # SKIP no /usr/bin/python3 for the fake QEMU"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset QEMU ACCEL ARCH TCG_TIMEOUT_FACTOR TIMEOUT FAKE_QEMU_REFUSE
QEMU_DIR=$tmp/qemu
export QEMU_DIR

in_log() { grep -qF -- "$1" "$tmp/logs/efi.log"; }

# ---- the fake QEMU ----

mkdir -p "$QEMU_DIR" "$tmp/build/x86" "$tmp/logs"
cat >"$QEMU_DIR/qemu-system-x86_64" <<'EOF2'
#!/usr/bin/python3
# QEMU as the runner's EFI snapshots see it.  Without -fw_cfg (the
# snapshot's boot) it prints the loader's waiting line and serves QMP:
# "getfd" takes the fd sent with it, "migrate" to "fd:NAME" writes STREAM
# into it, "query-migrate" says completed.  With -incoming defer it waits
# for "migrate-incoming" and loads the stream (anything but STREAM: QEMU's
# error, exit 1; $FAKE_QEMU_REFUSE: refused, and it waits on), then runs
# the payload (-fw_cfg ...,file=PATH: its lines printed, "@exit N" exits).
import json, os, socket, sys, time

STREAM = b"QEVM\0\0\0\3" + bytes(range(256)) * 1024
args = sys.argv[1:]
opts = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("-")}
payload = opts.get("-fw_cfg", "").partition(",file=")[2]


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Qmp:
    def __init__(self):
        self.sock = socket.socket(fileno=3)
        self.buf, self.fds, self.named = b"", [], {}
        self.status = "none"
        self.reply({"QMP": {"version": {}, "capabilities": []}})

    def reply(self, msg, cmd=None):
        if cmd and "id" in cmd:
            msg["id"] = cmd["id"]
        self.sock.sendall((json.dumps(msg) + "\r\n").encode())

    def command(self):
        while b"\n" not in self.buf:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 4)
            if not data:
                sys.exit(0)
            self.buf += data
            self.fds += fds
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def serve(self):
        """Commands until a migrate-incoming loads its stream."""
        while True:
            cmd = self.command()
            name, a = cmd.get("execute"), cmd.get("arguments", {})
            if name == "getfd":
                self.named[a["fdname"]] = self.fds.pop(0)
            elif name == "migrate":
                with os.fdopen(self.named.pop(a["uri"][3:]), "wb") as f:
                    f.write(STREAM)
                self.status = "completed"
            elif name == "query-migrate":
                self.reply({"return": {"status": self.status}}, cmd)
                continue
            elif name == "migrate-incoming" and os.environ.get("FAKE_QEMU_REFUSE"):
                self.reply({"error": {"class": "GenericError", "desc": "refused"}}, cmd)
                continue
            elif name == "migrate-incoming":
                self.reply({"return": {}}, cmd)
                with os.fdopen(self.named.pop(a["uri"][3:]), "rb") as f:
                    got = f.read()
                if got != STREAM:
                    sys.stderr.write("qemu-system-x86_64: error while loading state section id 2(ram)\n"
                                     "qemu-system-x86_64: load of migration failed: Input/output error\n")
                    sys.exit(1)
                return
            elif name != "qmp_capabilities":
                self.reply({"error": {"class": "CommandNotFound", "desc": name}}, cmd)
                continue
            self.reply({"return": {}}, cmd)


if not payload:
    say("VMUNIT-EFI: waiting for the payload")
    Qmp().serve()
    time.sleep(1000)
if opts.get("-incoming") == "defer":
    Qmp().serve()
    say("INFO: fake-qemu: restored from the snapshot")
else:
    say("INFO: fake-qemu: booted the firmware")
for line in open(payload):
    if line.startswith("@exit "):
        sys.exit(int(line[6:]))
    say(line.rstrip("\n"))
EOF2
chmod +x "$QEMU_DIR/qemu-system-x86_64"

printf 'the loader\n' >"$tmp/build/x86/efi-boot.efi"
printf '%s\n' "PASS: one" \
	"SUMMARY: 1 tests, 0 unexpected failures, 0 expected failures, 0 skipped, 0 not run" \
	"EXIT: STATUS=0" "@exit 1" >"$tmp/build/x86/efi.elf"
printf '[efi]\nfile = efi\nboot = efi\ntimeout = 20\n' >"$tmp/unittests.cfg"

# vr ARGS...: the runner on the temp tree, x86_64 under tcg (snapshots are
# TCG's), factor 1; a run that hangs (say, opening a FIFO) is killed.
vr() {
	timeout -k 5 60 "$run" -S "$tmp" -b "$tmp/build" --logdir "$tmp/logs" -a x86_64 \
		--accel tcg --timeout-factor 1 "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}

dir=$tmp/build/build/efi-snapshot
passed() { has "PASS efi (1 check)"; }
warm() { passed && in_log "efi: from the firmware snapshot $state" &&
	in_log "INFO: fake-qemu: restored from the snapshot"; }
cold() { passed && in_log "INFO: fake-qemu: booted the firmware"; }
only_state() { [ "$(ls -A "$dir")" = "${state##*/}" ] && [ -f "$state" ] && [ ! -L "$state" ]; }
quiet() { [ ! -s "$tmp/err" ]; }
# The header (efi-snapshot.c): "VMUEFI1\0", the stream's length, the stream.
whole() {
	[ "$(head -c 7 "$state")" = VMUEFI1 ] &&
		[ "$(od -An -tu8 -j8 -N8 "$state" | tr -d ' ')" -eq $(($(wc -c <"$state") - 16)) ] &&
		[ "$(tail -c +17 "$state" | head -c 4)" = QEVM ]
}
same_file() { [ "$(stat -c %i.%Y "$state")" = "$id" ]; }
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# ---- made, then used ----

vr
state=$(ls "$dir"/*.state 2>/dev/null)
check "the first run makes the snapshot" [ -n "$state" ]
check "... a whole one: header, its length, QEMU's stream" whole
check "... and nothing else (no temporary file left)" only_state
check "... and the test starts from it" warm
check "... silently" quiet
id=$(stat -c %i.%Y "$state")
cp "$state" "$tmp/good.state"

vr
check "the next run starts from it as it is" warm
check "... the same file" same_file
check "... silently" quiet

# ---- checked before use ----

truncate -s 100000 "$state"
vr
check "a truncated snapshot is said, naming it" \
	has_err "EFI firmware snapshot $state: truncated: 99984 bytes of QEMU's stream where its header says"
check "... deleted and made again" has_err "; deleted; making it again"
check "... a whole one" whole
check "... and the test starts from the new one" warm

tail -c +17 "$tmp/good.state" >"$state"
vr
check "a snapshot of an older runner (no header) is said" has_err "$state: no snapshot header"
check "... and made again" whole
check "... and used" warm

cp "$tmp/good.state" "$state"
printf '\002' | dd of="$state" bs=1 seek=23 conv=notrunc 2>/dev/null
vr
check "a stream of another version (QEVM 2) is said" \
	has_err "$state: no QEMU migration stream (QEVM, version 3) after the header; deleted"
check "... and made again" whole

rm "$state"
mkfifo "$state"
vr
check "a FIFO there does not hang the run: not a regular file, deleted" \
	has_err "$state: not a regular file; deleted"
check "... and a snapshot made and used" warm
if [ ! -f "$state" ]; then	# (a FIFO left would hang this script)
	rm -f "$state"
	vr
fi

# ---- a snapshot QEMU cannot load ----

printf 'XXXXXXXX' | dd of="$state" bs=1 seek=5000 conv=notrunc 2>/dev/null
vr
check "one that passes the check but does not load: said, naming it" \
	has_err "efi: EFI firmware snapshot $state did not load (error while loading state section id 2(ram)): deleted; booting cold"
check "... the test still gets its verdict, from a cold boot" cold
check "... its log says why" in_log "efi: firmware snapshot $state did not load"
check "... and the snapshot is gone" gone "$state"
vr
check "... the next run makes a new one" whole
check "... and starts from it" warm
check "... silently" quiet

# Two tests of one command line at once: one snapshot, each fed its own.
printf '[efi]\nfile = efi\nboot = efi\ntimeout = 20\n[efi2]\nfile = efi\nboot = efi\ntimeout = 20\n' \
	>"$tmp/unittests.cfg"
vr -j2
check "two tests at once (-j2) start from the same snapshot" \
	eval "warm && grep -qF 'restored from the snapshot' '$tmp/logs/efi2.log' && has 'PASS efi2 (1 check)'"
printf 'XXXXXXXX' | dd of="$state" bs=1 seek=5000 conv=notrunc 2>/dev/null
vr -j2
check "... and both boot cold when it does not load" \
	eval "cold && grep -qF 'booted the firmware' '$tmp/logs/efi2.log' && has 'PASS efi2 (1 check)'"
check "... each saying so" [ "$(grep -c 'did not load' "$tmp/err")" -eq 2 ]
printf '[efi]\nfile = efi\nboot = efi\ntimeout = 20\n' >"$tmp/unittests.cfg"
vr

FAKE_QEMU_REFUSE=1 vr
check "QEMU refusing migrate-incoming (it would wait forever): said" \
	has_err "$state did not load (QEMU ended with no output): deleted; booting cold"
check "... a cold boot, not a TIMEOUT" cold

# ---- symbolic links are never followed ----

vr
printf 'victim\n' >"$tmp/victim"
cp "$tmp/victim" "$tmp/victim.orig"
unchanged() { cmp -s "$tmp/victim" "$tmp/victim.orig"; }

rm "$state"
ln -s "$tmp/victim" "$state"
vr
check "a symbolic link at the snapshot's name: not followed, said" \
	has_err "$state: a symbolic link (not followed); deleted; making it again"
check "... its target untouched" unchanged
check "... a real snapshot in its place" only_state
check "... made and used" warm

rm "$state"
ln -s "$tmp/good.state" "$state"
vr
check "a link to a good snapshot is not loaded either" has_err "$state: a symbolic link"
check "... a real snapshot in its place" only_state
check "... the link's target untouched" cmp -s "$tmp/good.state" "$state"

rm "$state"
ln -s "$tmp/created" "$state"
vr
check "a dangling link there: nothing is created at its target" gone "$tmp/created"
check "... a real snapshot in its place" only_state

# The temporary file's name is random: a shim makes it known, to plant a
# link at the very name the runner picks.  (Not with a sanitizer's runtime,
# which must come first.)
cat >"$tmp/fixed-random.c" <<'EOF2'
#include <string.h>
#include <sys/types.h>

ssize_t getrandom(void *buf, size_t n, unsigned int flags)
{
	(void)flags;
	memset(buf, 0xab, n);
	return (ssize_t)n;
}
EOF2
if ldd "$run" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	ok "a link at the temporary file's name # SKIP the runner has a sanitizer's runtime"
elif ! "${CC:-cc}" -shared -fPIC -o "$tmp/fixed-random.so" "$tmp/fixed-random.c" 2>/dev/null; then
	ok "a link at the temporary file's name # SKIP no C compiler for the shim"
else
	rm "$state"
	ln -s "$tmp/victim" "$state.abababababababab.tmp"
	LD_PRELOAD=$tmp/fixed-random.so vr
	check "a link at the temporary file's name: not followed (O_EXCL), said" \
		has_err "$state: no temporary file beside it: File exists; booting cold"
	check "... its target untouched" unchanged
	check "... the test boots cold" cold
	check "... the link left alone" [ -L "$state.abababababababab.tmp" ]
	check "... no snapshot installed" gone "$state"
	rm "$state.abababababababab.tmp"
fi

rm -rf "$dir"
mkdir "$tmp/elsewhere"
cp "$tmp/victim" "$tmp/elsewhere/${state##*/}"
ln -s "$tmp/elsewhere" "$dir"
vr
check "the snapshot directory a symbolic link: refused, said" \
	has_err "$dir: a symbolic link (not followed); booting cold"
check "... nothing written where it points" [ "$(ls -A "$tmp/elsewhere")" = "${state##*/}" ]
check "... nothing changed there" cmp -s "$tmp/victim" "$tmp/elsewhere/${state##*/}"
check "... the test boots cold" cold
check "... its log says so" in_log "efi: no firmware snapshot"

echo "1..$n"
[ "$failed" -eq 0 ]
