#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run.sh [-k KVER] [-K DIR] [-a ARGS] [-t SECONDS] [-m MiB] [-n] -- COMMAND...
#
# Boot Debian's stock kernel KVER under QEMU (TCG), with the host's / read
# only and this repository writable over virtio-9p, load the
# nf_conntrack_tls.ko built for KVER (build/kmod/KVER, `make KVER=...`),
# run COMMAND as root in the repository root inside the guest, copy the
# guest's dmesg out, and exit with COMMAND's exit status.
#
# A guest oops/BUG/WARNING, a hang past the timeout or a module that fails
# to load is a failure (exit 125..127 plus a message), never a pass.
#
#   -k KVER   kernel release to boot (default: scripts/kver.sh)
#   -K DIR    boot a locally built kernel instead of a Debian package: DIR has
#             vmlinuz and root/lib/modules/KVER (modules_install with
#             INSTALL_MOD_PATH=DIR/root); KVER defaults to the one there
#   -a ARGS   append ARGS to the guest kernel's command line
#   -t SECS   wall-clock limit for the whole VM run (default 1500)
#   -m MiB    guest memory (default 2048)
#   -n        do not load nf_conntrack_tls before COMMAND
#
# Environment: VM_ACCEL=kvm to try KVM (off by default: it does not work on
# the nested machines this project is developed on), VM_KEEP=1 to keep the
# run directory, VM_QUIET=1 to keep guest console output in the log only.
#
# Exit status: COMMAND's, or 125 guest crashed/warned, 126 module did not
# load, 127 VM did not finish (timeout, boot failure).
set -euo pipefail

# This is scripts/vm/vm-run.sh, also run through the symlink
# scripts/vm/vm-run.sh: follow links to the script itself (not readlink -f,
# which would also resolve the repository's own path; the guest mounts the
# repository at the path given here).
self=$0
while [ -L "$self" ]; do
	link=$(readlink "$self")
	case $link in
	/*) self=$link ;;
	*) self=$(dirname "$self")/$link ;;
	esac
done
REPO=$(cd "$(dirname "$self")/../.." && pwd)
KVER=""
TIMEOUT=1500
MEM=2048
LOAD=1
LOCAL=""
APPEND=""

usage() {
	sed -n '4,29p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-k) KVER=${2:?-k needs a kernel release}; shift 2 ;;
	-K) LOCAL=${2:?-K needs a directory}; shift 2 ;;
	-a) APPEND=${2?-a needs arguments}; shift 2 ;;
	-t) TIMEOUT=${2:?-t needs seconds}; shift 2 ;;
	-m) MEM=${2:?-m needs MiB}; shift 2 ;;
	-n) LOAD=0; shift ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) echo "vm-run.sh: unknown option '$1'" >&2; usage ;;
	esac
done
[ $# -gt 0 ] || { echo "vm-run.sh: no COMMAND given" >&2; usage; }
case "$TIMEOUT$MEM" in
*[!0-9]*) echo "vm-run.sh: -t and -m take whole numbers" >&2; exit 2 ;;
esac
if [ -n "$LOCAL" ]; then
	LOCAL=$(cd "$LOCAL" && pwd) || exit 2
	if [ -z "$KVER" ]; then
		KVER=$(ls "$LOCAL/root/lib/modules" 2>/dev/null | head -n 1)
		[ -n "$KVER" ] || { echo "vm-run.sh: no $LOCAL/root/lib/modules/KVER" >&2; exit 2; }
	fi
fi
[ -n "$KVER" ] || KVER=$("$REPO/scripts/kver.sh")

VMDIR=$REPO/build/vm/$KVER
KO=$REPO/build/kmod/$KVER/nf_conntrack_tls.ko

"$REPO/scripts/vm/vm-kernel.sh" "$KVER" ${LOCAL:+"$LOCAL"}

if [ $LOAD = 1 ] && [ ! -f "$KO" ]; then
	echo "vm-run.sh: $KO is missing; build it with: make KVER=$KVER" >&2
	exit 126
fi

# The guest reaches the run directory through the repository share.
RUNS=$REPO/build/vm/runs
mkdir -p "$RUNS"
RUN=$(mktemp -d "$RUNS/run.XXXXXX")
printf '%q ' "$@" >"$RUN/cmd.sh"
echo >>"$RUN/cmd.sh"
LOG=$RUN/console.log

accel="-accel tcg,thread=multi"
cpu="-cpu max"
if [ "${VM_ACCEL:-}" = kvm ]; then
	accel="-accel kvm"
	cpu="-cpu host"
fi

qemu_rc=0
# shellcheck disable=SC2086
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 \
	-M pc $accel $cpu -smp "$(nproc)" -m "$MEM" \
	-nodefaults -no-reboot -display none -serial stdio \
	-kernel "$VMDIR/vmlinuz" -initrd "$VMDIR/initramfs.cpio.gz" \
	-append "console=ttyS0 loglevel=4 panic=-1 rw \
		vmrun.repo=$REPO vmrun.run=$RUN vmrun.kver=$KVER vmrun.load=$LOAD \
		$APPEND" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$REPO",mount_tag=repo,security_model=none,multidevs=remap \
	-device virtio-rng-pci \
	</dev/null 2>&1 | sed -u 's/\r$//' | if [ "${VM_QUIET:-0}" = 1 ]; then
		cat >"$LOG"
	else
		tee "$LOG"
	fi || qemu_rc=$?
qemu_rc=${PIPESTATUS[0]}

fail=0
if [ -f "$RUN/dmesg.txt" ]; then
	cp "$RUN/dmesg.txt" "$REPO/build/vm/dmesg-last.txt"
	echo "vm-run.sh: guest dmesg saved to build/vm/dmesg-last.txt"
fi
# Anything the kernel itself reports as broken fails the run, whatever
# COMMAND returned.
bad='Oops|BUG:|WARNING:|general protection|Kernel panic|KASAN|UBSAN|'
bad+='sleeping function called from invalid context|possible recursive locking|'
bad+='unreferenced object|stack-protector|RCU stall|soft lockup|hard LOCKUP|'
bad+='Call Trace'
# The console log also holds COMMAND's own output: read the kernel's log
# when the guest saved it, the console only when it could not.
klog=$RUN/dmesg.txt
[ -f "$klog" ] || klog=$LOG
if grep -Eq "$bad" "$klog"; then
	echo "vm-run.sh: FAIL: the guest kernel reported a problem:" >&2
	grep -E -m 20 "$bad" "$klog" >&2 || true
	fail=125
fi

if [ -f "$RUN/load-failed" ]; then
	echo "vm-run.sh: FAIL: nf_conntrack_tls.ko did not load on $KVER:" >&2
	cat "$RUN/load.log" >&2
	rc=126
elif [ -f "$RUN/rc" ]; then
	rc=$(cat "$RUN/rc")
else
	# QEMU exits 0 on timeout's SIGTERM: look for its own message too.
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ] ||
	   grep -q 'terminating on signal 15 .*(timeout)' "$LOG"; then
		echo "vm-run.sh: FAIL: VM did not finish within ${TIMEOUT}s (hang?)" >&2
	else
		echo "vm-run.sh: FAIL: VM stopped before COMMAND finished" \
			"(qemu exit $qemu_rc); see $LOG" >&2
	fi
	rc=127
fi
[ $fail = 0 ] || rc=$fail

if [ "${VM_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
	echo "vm-run.sh: run directory kept: $RUN" >&2
else
	rm -rf "$RUN"
fi
exit "$rc"
