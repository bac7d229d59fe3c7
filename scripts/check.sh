#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project, in order
#   1. module build (W=1, warnings are errors)
#   2. userspace unit tests of the engine (plain and ASan/UBSan builds),
#      the offline replay tool (tls_offline.sh needs it in the VM)
#   3. VM selftests on the default kernel (scripts/vm/vm-run.sh)
#   4. offline replay tool over the capture corpus and fixtures (tests/corpus)
#   5. KUnit on UML (scripts/kunit.sh; its kernel builds in the background
#      from stage 3 on)
#   6. style: checkpatch --strict and sparse on every source file (make style)
# Each stage prints PASS:/FAIL:/SKIP: lines; a stage that fails without
# saying why counts as one failure.  The last line is
#   N passed, N failed, N skipped
# and the exit status is 1 when anything failed.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
LOG=$REPO/build/check.log
mkdir -p build
: >"$LOG"

stage() {
	local name=$1
	shift
	local out rc t0
	t0=$(date +%s)
	out=$(mktemp)
	echo "### $name: $*" | tee -a "$LOG"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	cat "$out" >>"$LOG"
	if [ "$rc" != 0 ] && ! grep -q '^FAIL:' "$out"; then
		echo "FAIL: $name (exit $rc)" | tee -a "$LOG"
	fi
	rm -f "$out"
	echo "# stage $name took $(($(date +%s) - t0)) s" | tee -a "$LOG"
}

start=$(date +%s)
if make --no-print-directory module >build/module.log 2>&1; then
	echo "PASS: build: nf_conntrack_tls.ko (W=1, -Werror)" | tee -a "$LOG"
else
	cat build/module.log
	echo "FAIL: build: nf_conntrack_tls.ko (see build/module.log)" | tee -a "$LOG"
fi
stage unit make --no-print-directory unit
# tls_offline.sh runs the replay tool on what it captures in the VM
if make --no-print-directory tools >build/tools.log 2>&1; then
	echo "PASS: build: build/tools/tls-replay" | tee -a "$LOG"
else
	cat build/tools.log
	echo "FAIL: build: build/tools/tls-replay (see build/tools.log)" | tee -a "$LOG"
fi
# the KUnit kernel builds meanwhile, on the CPU time the VM leaves idle
# (nice 19: the VM's threads keep their share); the kunit stage waits
KUNIT_PREBUILD=1 nice -n 19 scripts/kunit.sh >build/kunit-prebuild.log 2>&1 &
prebuild=$!
if [ -f "$(make -s --no-print-directory print-KBUILD)/nf_conntrack_tls.ko" ]; then
	# testssl (15 of tls_attacks.sh's 20 minutes) repeats what hb_plain and
	# nmap prove; it runs in check-matrix, check-debug and by hand
	stage selftests scripts/vm/vm-run.sh -t 4500 -- \
		env ATTACKS="${ATTACKS:-fast}" tests/selftests/run.sh
else
	echo "SKIP: selftests: no module to load" | tee -a "$LOG"
fi
stage corpus make --no-print-directory check-corpus
wait "$prebuild" || echo "# kunit prebuild failed (build/kunit-prebuild.log); the kunit stage builds again"
stage kunit scripts/kunit.sh
stage style make --no-print-directory style

pass=$(grep -c '^PASS:' "$LOG")
fail=$(grep -c '^FAIL:' "$LOG")
skip=$(grep -c '^SKIP:' "$LOG")
echo "make check took $(( $(date +%s) - start )) s; log: build/check.log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
