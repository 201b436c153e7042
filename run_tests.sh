#!/bin/sh
# Run the vmunit tests: a thin wrapper around runner/vmunit-run, which it
# builds when missing.  Options and exit status: ./run_tests.sh -h
#   ./run_tests.sh -g quick -j4 -t      TAP for a CI log
#   ./run_tests.sh 'apic*' -v           some tests, with guest output
# The runner and payloads are taken from the current directory when it is a
# build directory (runner/vmunit-run exists), else from the source tree.
set -eu

srcdir=$(dirname "$0")
# ./configure --qemu-dir=DIR: the default for QEMU_DIR.
if [ -z "${QEMU_DIR:-}" ] && [ -f "$srcdir/config.mak" ]; then
	QEMU_DIR=$(sed -n 's/^QEMU_DIR = //p' "$srcdir/config.mak")
	[ -z "$QEMU_DIR" ] || export QEMU_DIR
fi
if [ -x runner/vmunit-run ]; then
	exec runner/vmunit-run -S "$srcdir" "$@"
fi
if [ ! -x "$srcdir/runner/vmunit-run" ]; then
	make -s -C "$srcdir" runner/vmunit-run >&2
fi
exec "$srcdir/runner/vmunit-run" -S "$srcdir" -b "$srcdir" "$@"
