#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# matrix.sh list|build|check [LANE...]
#
# Build (and with "check" also boot and test) nf_conntrack_tls against every
# kernel of the matrix.  A lane is SUITE[:PREFIX]: the newest stock amd64
# kernel of that Debian suite whose release starts with PREFIX (the newest
# of the suite when none does); "bookworm" is the host's own default kernel
# (scripts/kver.sh).  Default lanes: $MATRIX_LANES or
#
#     bookworm bookworm-backports:6.12 sid:7.
#
#   list    print "LANE KVER" per lane (looks the releases up)
#   build   per lane: fetch the headers, make KVER=... (W=1, -Werror unless
#           WERROR=0), count warnings, check modinfo of the .ko
#   check   build, then scripts/vm/vm-run.sh -k KVER -- tests/selftests/run.sh
#           (the stock kernel of that release under QEMU/TCG)
#
# Where each lane builds:
#   bookworm            host, KDIR from the installed linux-headers
#   bookworm-backports  host, headers unpacked by scripts/kheaders.sh into
#                       build/kheaders/KVER (its kbuild runs on bookworm)
#   sid                 the sid chroot (scripts/sid-chroot.sh): headers
#                       installed there by apt, built with sid's gcc, objects
#                       land in this repository's build/kmod/KVER as usual
#
# Output: one PASS:/FAIL: line per lane and step, logs in build/matrix/,
# a per-kernel table and, last, "N passed, N failed, N skipped".
# Exit status 1 when anything failed.  Each kernel's module is
# build/kmod/KVER/nf_conntrack_tls.ko, so the default kernel's is not touched.
#
# Environment: MATRIX_LANES, MATRIX_TESTS (selftests to run, default every
# tests/selftests/tls_*.sh; a lane whose run shows no PASS line fails),
# VM_TIMEOUT (seconds per VM run, default 3000), ATTACKS (the cases of
# tls_attacks.sh to run, default all; e.g. every case but testssl, which
# alone takes 10-15 minutes under TCG), WERROR.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
OUT=$REPO/build/matrix
mkdir -p "$OUT"
LOG=$OUT/matrix.log
WERROR=${WERROR:-1}

mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
list|build|check) ;;
*) sed -n '4,35p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
if [ $# -gt 0 ]; then
	LANES=("$@")
else
	read -r -a LANES <<<"${MATRIX_LANES:-bookworm bookworm-backports:6.12 sid:7.}"
fi

say() { echo "$*" | tee -a "$LOG"; }

# lane_kver LANE: the kernel release a lane stands for.
lane_kver() {
	local suite=${1%%:*} prefix=
	case "$1" in *:*) prefix=${1#*:} ;; esac
	if [ "$suite" = bookworm ] && [ -z "$prefix" ]; then
		scripts/kver.sh
		return
	fi
	scripts/kheaders.sh latest "$suite" "$prefix" 2>/dev/null ||
		scripts/kheaders.sh latest "$suite"
}

# The module's own metadata, as modinfo shows it.
check_modinfo() {
	local ko=$1 mi parms p bad=0
	mi=$(/sbin/modinfo "$ko") || return 1
	for f in version description license author; do
		grep -q "^$f: *[^ ]" <<<"$mi" || { echo "modinfo: no $f"; bad=1; }
	done
	grep -q '^license: *GPL$' <<<"$mi" || { echo "modinfo: license is not GPL"; bad=1; }
	parms=$(sed -n 's/^parm: *\([a-z0-9_]*\):.*/\1/p' <<<"$mi")
	for p in lowrun_limit heartbeat gap audit sslv2 log; do
		grep -qx "$p" <<<"$parms" || { echo "modinfo: parameter $p missing"; bad=1; }
	done
	# Every parameter carries a description: "parm: name:text (type)".
	while read -r p; do
		grep -Eq "^parm: *$p: *[^ (][^(]{4,}" <<<"$mi" ||
			{ echo "modinfo: parameter $p has no description"; bad=1; }
	done <<<"$parms"
	return $bad
}

start_all=$(date +%s)
[ "$mode" = list ] || : >"$LOG"
declare -A RES_BUILD RES_WARN RES_TEST RES_TIME_B RES_TIME_T KVERS

for lane in "${LANES[@]}"; do
	suite=${lane%%:*}
	if ! kver=$(lane_kver "$lane"); then
		say "FAIL: matrix: $lane: no kernel found"
		continue
	fi
	KVERS[$lane]=$kver
	if [ "$mode" = list ]; then
		echo "$lane $kver"
		continue
	fi

	# 1. build
	blog=$OUT/$kver.build.log
	t0=$(date +%s)
	case "$suite" in
	bookworm)
		make --no-print-directory KVER="$kver" WERROR="$WERROR" module >"$blog" 2>&1
		rc=$? ;;
	bookworm-backports)
		if kdir=$(scripts/kheaders.sh fetch "$kver" "$suite" 2>>"$blog"); then
			make --no-print-directory KVER="$kver" KDIR="$kdir" \
				WERROR="$WERROR" module >>"$blog" 2>&1
			rc=$?
		else
			rc=1
		fi ;;
	sid)
		scripts/sid-chroot.sh -i "linux-headers-$kver" -- \
			make --no-print-directory KVER="$kver" WERROR="$WERROR" \
			module >"$blog" 2>&1
		rc=$? ;;
	*)
		echo "matrix.sh: no build recipe for suite '$suite'" >"$blog"
		rc=1 ;;
	esac
	RES_TIME_B[$lane]=$(( $(date +%s) - t0 ))
	warn=$(grep -c 'warning:' "$blog")
	RES_WARN[$lane]=$warn
	if [ $rc = 0 ] && [ -f "build/kmod/$kver/nf_conntrack_tls.ko" ]; then
		RES_BUILD[$lane]=ok
		say "PASS: matrix: $kver: build (W=1, $warn warnings, ${RES_TIME_B[$lane]} s)"
		if mi=$(check_modinfo "build/kmod/$kver/nf_conntrack_tls.ko" 2>&1); then
			say "PASS: matrix: $kver: modinfo (version, description, license, author, parameters)"
		else
			say "FAIL: matrix: $kver: modinfo: $mi"
		fi
		[ "$warn" = 0 ] || grep 'warning:' "$blog" | head -n 20 | tee -a "$LOG"
	else
		RES_BUILD[$lane]=FAILED
		tail -n 30 "$blog" | tee -a "$LOG"
		say "FAIL: matrix: $kver: build ($warn warnings; log $blog)"
		continue
	fi

	# 2. VM selftests on the stock kernel of that release
	[ "$mode" = check ] || continue
	vlog=$OUT/$kver.vm.log
	t0=$(date +%s)
	# The tests are named here (not left to run.sh's default) so that
	# every lane runs the same list.
	tests=${MATRIX_TESTS:-$(cd tests/selftests && echo tls_*.sh)}
	# shellcheck disable=SC2086
	scripts/vm/vm-run.sh -k "$kver" -t "${VM_TIMEOUT:-3000}" -- \
		env ATTACKS="${ATTACKS:-all}" tests/selftests/run.sh $tests \
		>"$vlog" 2>&1
	rc=$?
	RES_TIME_T[$lane]=$(( $(date +%s) - t0 ))
	[ -f build/vm/dmesg-last.txt ] && cp build/vm/dmesg-last.txt "$OUT/$kver.dmesg.txt"
	np=$(grep -c '^PASS:' "$vlog")
	nf=$(grep -c '^FAIL:' "$vlog")
	ns=$(grep -c '^SKIP:' "$vlog")
	RES_TEST[$lane]="$np passed, $nf failed, $ns skipped, exit $rc"
	grep -E '^(FAIL|SKIP):' "$vlog" | sed "s|^|  $kver: |" | tee -a "$LOG"
	if [ $rc = 0 ] && [ "$nf" = 0 ] && [ "$np" -gt 0 ]; then
		say "PASS: matrix: $kver: selftests in the VM ($np passed, $ns skipped, ${RES_TIME_T[$lane]} s)"
	else
		grep -E '^vm-run.sh' "$vlog" | tail -n 10 | tee -a "$LOG"
		say "FAIL: matrix: $kver: selftests in the VM (${RES_TEST[$lane]}; log $vlog)"
	fi
done

[ "$mode" = list ] && exit 0

{
	echo
	printf '%-26s %-26s %-8s %-6s %s\n' lane kernel build warn "VM selftests"
	for lane in "${LANES[@]}"; do
		printf '%-26s %-26s %-8s %-6s %s\n' "$lane" "${KVERS[$lane]:-?}" \
			"${RES_BUILD[$lane]:--}" "${RES_WARN[$lane]:--}" \
			"${RES_TEST[$lane]:--}"
	done
	echo "matrix took $(( $(date +%s) - start_all )) s; logs in build/matrix/"
} | tee -a "$LOG"
pass=$(grep -c '^PASS:' "$LOG")
fail=$(grep -c '^FAIL:' "$LOG")
skip=$(grep -c '^SKIP:' "$LOG")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
