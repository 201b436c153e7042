#!/bin/sh
# make check-ci: the GitLab pipeline (.gitlab-ci.yml) run here by
# gitlab-ci-local, pinned, on a clean clone of HEAD, and then held to what
# a distributed run must give:
# - every job passed (gitlab-ci-local's status and its job list);
# - the shards' union is the selection, each arch/entry exactly once
#   (scripts/merge-results refuses a test twice; the list is compared with
#   vmunit-run -l);
# - the merged JUnit's counts per testsuite equal an unsharded run's.
# The selection is kept short here (the quick group in 4 shards, the
# selftest in each of the 4 boxes); VMUNIT_SELECT / VMUNIT_BOX_SELECT
# override it ("" for everything).  Installs nodejs and npm (unless the
# machine has Node 18 to 20), rsync and gitlab-ci-local itself, into
# build/ci-tools.  Exit 0 when all holds.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
gcl_version=4.60.1
tools=$here/build/ci-tools
gcl=$tools/node_modules/.bin/gitlab-ci-local
select=${VMUNIT_SELECT--g quick}
box_select=${VMUNIT_BOX_SELECT-selftest}
export DEBIAN_FRONTEND=noninteractive

need_deb() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			{ apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; return; }
	done
}
need_deb rsync git
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	need_deb nodejs npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ] || [ "$major" -gt 20 ]; then
	echo "check-ci: gitlab-ci-local $gcl_version needs Node 18 to 20, this is $(node --version)" >&2
	exit 2
fi
if [ "$("$gcl" --version 2>/dev/null)" != "$gcl_version" ]; then
	mkdir -p "$tools"
	npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
		"gitlab-ci-local@$gcl_version" >&2
fi

work=$here/build/ci
rm -rf "$work"
mkdir -p "$work" "$here/build/box"
git clone -q "$here" "$work/repo"
cd "$work/repo"
status=0
"$gcl" --shell-isolation --concurrency 2 --no-color --artifacts-to-source \
	--variable "VMUNIT_SELECT=$select" --variable "VMUNIT_BOX_SELECT=$box_select" \
	--variable "BOX_CACHE=$here/build/box" >"$work/pipeline.log" 2>&1 || status=$?

fail=0
check() {	# WHAT COMMAND...: one line of the verdict
	what=$1
	shift
	if "$@"; then
		echo "PASS check-ci: $what"
	else
		echo "FAIL check-ci: $what"
		fail=1
	fi
}
# shellcheck disable=SC2317 # called through check
jobs_passed() {
	[ "$status" -eq 0 ] &&
	for j in build "suite: \[1/4\]" "suite: \[2/4\]" "suite: \[3/4\]" "suite: \[4/4\]" \
		"box: \[debian-6.1,x86_64\]" "box: \[debian-6.1,arm64\]" \
		"box: \[debian-6.12,x86_64\]" "box: \[debian-6.12,arm64\]" report; do
		grep -q "^ *PASS  *$j" "$work/pipeline.log" || { echo "  no PASS for job $j" >&2; return 1; }
	done
}
check "every job of the pipeline passed ($work/pipeline.log)" jobs_passed

# shellcheck disable=SC2086 # the selections are words
runner/vmunit-run -S . -l -a all --all $select | awk '{ print $2 "/" $1 }' | sort >"$work/want"
python3 -c 'import json, sys
for t in json.load(open(sys.argv[1]))["tests"]:
    print(t["arch"] + "/" + t["name"].split("/")[-1])' results.json | sort >"$work/got"
check "the shards' union is the selection, each entry once ($(wc -l <"$work/want") entries)" \
	cmp -s "$work/want" "$work/got"

# shellcheck disable=SC2086
./run_tests.sh -a all --all --accel tcg --no-progress --logdir "$work/unsharded" \
	--junit "$work/unsharded.xml" $select >"$work/unsharded.out" 2>&1 || true
counts() {
	python3 -c 'import sys, xml.etree.ElementTree as ET
for s in sorted(ET.parse(sys.argv[1]).getroot(), key=lambda s: s.get("name")):
    print(s.get("name"), *(s.get(k) for k in ("tests", "failures", "errors", "skipped")))' "$1"
}
counts junit.xml >"$work/merged.counts"
counts "$work/unsharded.xml" >"$work/unsharded.counts"
check "the merged JUnit's counts equal an unsharded run's: $(tr '\n' ';' <"$work/merged.counts")" \
	cmp -s "$work/merged.counts" "$work/unsharded.counts"
exit "$fail"
