#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every selftest inside the VM (scripts/vm/vm-run.sh --
# tests/selftests/run.sh [TEST...]).  Each test prints PASS:/FAIL:/SKIP:
# lines; exit 4 means the whole test was skipped.  nf_conntrack_tls is (re)loaded before each test.
# Exit status: 1 if any test failed.
DIR=$(cd "$(dirname "$0")" && pwd)
# KO, module_loaded; checks TIME_SCALE (time_scale.sh)
# shellcheck source=lib.sh
source "$DIR/lib.sh"
TESTS=("$@")
# default: every tls_*.sh here, in name order
[ ${#TESTS[@]} -gt 0 ] || mapfile -t TESTS < <(cd "$DIR" && ls tls_*.sh)
if [ ${#TESTS[@]} -eq 0 ]; then
	echo "FAIL: no selftest found in $DIR"
	exit 1
fi

rc=0
for t in "${TESTS[@]}"; do
	if ! module_loaded; then
		insmod "$KO" || { echo "FAIL: $t: cannot load $KO"; rc=1; continue; }
	fi
	# a sweep each second (default 60): any state it wrongly frees shows
	echo "${GC_INTERVAL:-1}" >/sys/module/nf_conntrack_tls/parameters/gc_interval
	echo "# selftest $t"
	t0=$(date +%s)
	out=$(mktemp)
	"$DIR/$t" 2>&1 | tee "$out"
	trc=${PIPESTATUS[0]}
	if [ "$trc" = 4 ] && ! grep -q '^SKIP:' "$out"; then
		echo "SKIP: $t"
	elif [ "$trc" != 0 ] && [ "$trc" != 4 ]; then
		grep -q '^FAIL:' "$out" || echo "FAIL: $t exited $trc"
		rc=1
	fi
	rm -f "$out"
	echo "# run.sh: $t took $(($(date +%s) - t0)) s"
done
exit $rc
