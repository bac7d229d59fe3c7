#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug lane: a Linux 6.1 kernel with KASAN, UBSAN, lockdep (PROVE_LOCKING,
# PROVE_RCU), DEBUG_ATOMIC_SLEEP and kmemleak, booted under QEMU with the
# module and the selftests.
#
#   debug-kernel.sh build    build the kernel once (cached in build/debug-kernel;
#                            rebuilt when the source tarball, tests/debug/config
#                            or the compiler change), print its release
#   debug-kernel.sh kver     print the release it builds (6.1.N-tlsdebug)
#   debug-kernel.sh check [TEST...]
#                            build (cached), build the module against it, boot
#                            it with vm-run.sh -K (panic_on_warn=1), run the
#                            selftests through "guest" below; exit non-zero on
#                            any test failure or KASAN/UBSAN/lockdep/kmemleak
#                            report (vm-run.sh fails the run on any report in
#                            the guest's kernel log)
#   debug-kernel.sh guest -- COMMAND...
#                            (inside the VM) forget kmemleak's boot-time
#                            objects, run COMMAND, then scan for leaks twice
#                            and print the report; non-zero when COMMAND
#                            failed or anything leaked
#
# Source: /usr/src/linux-source-6.1.tar.xz (Debian's linux-source-6.1),
# unpacked once into build/debug-kernel/src.  Config: make defconfig, then
# tests/debug/config merged in, then make olddefconfig; every line of the
# fragment must survive into the final .config.  Output: build/debug-kernel/
# {obj (O= build tree, the KDIR for the module), root/lib/modules/KVER
# (modules_install), vmlinuz, build-time.txt}.
#
# Environment: DEBUG_KERNEL_JOBS (default nproc), DEBUG_KERNEL_NICE (default
# 10: the build yields to VM tests), LINUX_SOURCE_TARBALL, VM_TIMEOUT (seconds
# for the VM run, default 3600), MATRIX_TESTS (selftests, default all),
# ATTACKS (the cases of tls_attacks.sh, default all; nmap and testssl fork
# thousands of processes, an hour or more on the debug kernel under TCG),
# TIME_SCALE (default 4: the guest runs Python 3-4x slower than the stock
# kernel's, see tests/selftests/lib.sh), BIG_MB (tls_benign.sh's big
# download in MB, default 100; 8 keeps the debug run shorter).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BASE=$REPO/build/debug-kernel
TARBALL=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
FRAG=$REPO/tests/debug/config
SRC=$BASE/src/linux-source-6.1
OBJ=$BASE/obj
ROOT=$BASE/root
JOBS=${DEBUG_KERNEL_JOBS:-$(nproc)}
NICE=${DEBUG_KERNEL_NICE:-10}

die() { echo "debug-kernel.sh: $*" >&2; exit 1; }

cache_key() {
	{
		stat -c '%n %s %Y' "$TARBALL"
		cat "$FRAG"
		gcc --version | head -n 1
		echo v1
	} | sha256sum | cut -d' ' -f1
}

unpack() {
	local stamp=$BASE/src/.unpacked
	local want
	want=$(stat -c '%s %Y' "$TARBALL")
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$SRC/Makefile" ]; then
		return
	fi
	echo "debug-kernel.sh: unpacking $TARBALL" >&2
	rm -rf "$BASE/src"
	mkdir -p "$BASE/src"
	tar -xf "$TARBALL" -C "$BASE/src"
	[ -f "$SRC/Makefile" ] || die "no $SRC/Makefile after unpacking"
	echo "$want" >"$stamp"
}

kver() {
	if [ -f "$OBJ/include/config/kernel.release" ]; then
		cat "$OBJ/include/config/kernel.release"
	elif [ -f "$OBJ/.config" ]; then
		make -s -C "$SRC" O="$OBJ" kernelrelease
	else
		die "no kernel configured yet: run debug-kernel.sh build"
	fi
}

configure() {
	mkdir -p "$OBJ"
	make -s -C "$SRC" O="$OBJ" defconfig >/dev/null
	(cd "$OBJ" && "$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" \
		"$OBJ/.config" "$FRAG" >/dev/null)
	make -s -C "$SRC" O="$OBJ" olddefconfig >/dev/null
	# Every line of the fragment must be in the result.
	local line sym missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) sym=${line%%=*}
			grep -qxF "$line" "$OBJ/.config" || {
				echo "debug-kernel.sh: wanted $line, got:" \
					"$(grep -E "^(# )?${sym}[= ]" "$OBJ/.config" || echo unset)" >&2
				missing=1; } ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$OBJ/.config" || {
				echo "debug-kernel.sh: wanted $line, got: $(grep "^$sym=" "$OBJ/.config")" >&2
				missing=1; } ;;
		esac
	done <"$FRAG"
	[ $missing = 0 ] || die "tests/debug/config does not apply to this source (see above)"
}

build() {
	local key t0 t1 log=$BASE/build.log
	[ -r "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.1)"
	mkdir -p "$BASE"
	key=$(cache_key)
	if [ -f "$BASE/.stamp" ] && [ "$(cat "$BASE/.stamp")" = "$key" ] &&
	   [ -f "$BASE/vmlinuz" ]; then
		kver
		return
	fi
	t0=$(date +%s)
	unpack
	configure
	echo "debug-kernel.sh: building $(kver) with $JOBS jobs (nice $NICE), log $log" >&2
	if ! nice -n "$NICE" make -C "$SRC" O="$OBJ" -j"$JOBS" bzImage modules \
		>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -n 30 >&2
		die "kernel build failed; log: $log"
	fi
	rm -rf "$ROOT"
	make -s -C "$SRC" O="$OBJ" INSTALL_MOD_PATH="$ROOT" modules_install \
		>>"$log" 2>&1 || die "modules_install failed; log: $log"
	cp "$OBJ/arch/x86/boot/bzImage" "$BASE/vmlinuz"
	t1=$(date +%s)
	echo "$(kver): built in $((t1 - t0)) s with $JOBS jobs on $(nproc) CPUs" \
		"(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))" \
		>"$BASE/build-time.txt"
	cat "$BASE/build-time.txt" >&2
	echo "$key" >"$BASE/.stamp"
	kver
}

check() {
	local kv tests rc=0 t0 log=$BASE/check.log
	t0=$(date +%s)
	kv=$(build) || { echo "FAIL: debug: kernel build"; return 1; }
	{
	make --no-print-directory -C "$REPO" KVER="$kv" KDIR="$OBJ" module \
		>"$BASE/module.log" 2>&1 || { cat "$BASE/module.log"; echo "FAIL: debug: module build"; return 1; }
	echo "PASS: debug: module built against $kv (W=1, -Werror, KASAN/UBSAN instrumented)"
	tests=${*:-${MATRIX_TESTS:-$(cd "$REPO/tests/selftests" && echo tls_*.sh)}}
	# shellcheck disable=SC2086
	"$REPO/scripts/vm/vm-run.sh" -K "$BASE" -k "$kv" -t "${VM_TIMEOUT:-3600}" \
		-a "panic_on_warn=1 kmemleak=on" -- \
		scripts/debug-kernel.sh guest -- env ATTACKS="${ATTACKS:-all}" \
		TIME_SCALE="${TIME_SCALE:-4}" BIG_MB="${BIG_MB:-}" \
		tests/selftests/run.sh $tests || rc=$?
	[ -f "$REPO/build/vm/dmesg-last.txt" ] && cp "$REPO/build/vm/dmesg-last.txt" "$BASE/dmesg.txt"
	if [ $rc = 0 ]; then
		echo "PASS: debug: selftests on $kv with no KASAN/UBSAN/lockdep/kmemleak report"
	else
		echo "FAIL: debug: selftests on $kv (exit $rc; guest log build/debug-kernel/dmesg.txt)"
	fi
	} 2>&1 | tee "$log"
	echo "check-debug took $(( $(date +%s) - t0 )) s (kernel: $(cat "$BASE/build-time.txt" 2>/dev/null))"
	echo "$(grep -c '^PASS:' "$log") passed, $(grep -c '^FAIL:' "$log") failed, $(grep -c '^SKIP:' "$log") skipped"
	! grep -q '^FAIL:' "$log"
}

# Inside the VM.
guest() {
	local kml=/sys/kernel/debug/kmemleak rc=0 leaks
	[ -e $kml ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
	if [ -w $kml ]; then
		# Boot-time objects are not ours to judge.
		echo scan >$kml
		echo clear >$kml
	else
		echo "SKIP: kmemleak: $kml not available"
	fi
	"$@" || rc=$?
	if [ -w $kml ]; then
		# An object must stay unreferenced over two scans (and be older
		# than 5 s) to be reported.
		sleep 6
		echo scan >$kml
		sleep 6
		echo scan >$kml
		leaks=$(cat $kml)
		if [ -n "$leaks" ]; then
			echo "$leaks" | head -n 60
			echo "FAIL: kmemleak: $(grep -c '^unreferenced object' <<<"$leaks") unreferenced objects"
			rc=1
		else
			echo "PASS: kmemleak: no unreferenced objects after the tests"
		fi
	fi
	return $rc
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
build) build ;;
kver) kver ;;
check) check "$@" ;;
guest) [ "${1:-}" = -- ] && shift; [ $# -gt 0 ] || die "guest: no COMMAND"; guest "$@" ;;
*) sed -n '4,37p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
