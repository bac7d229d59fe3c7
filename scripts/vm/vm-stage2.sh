#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM after switch_root (see vm-init.sh): load
# nf_conntrack_tls unless told not to, run the command from the run
# directory as root in the repository, save its exit status and dmesg into
# the run directory, power off.  The host judges only these files.
. /run/vmbin/vm-env

ip link set lo up
hostname tls-vm

cd "$VM_REPO" || exit 1
if [ "$VM_LOAD" = 1 ]; then
	if ! { modprobe -a nf_conntrack nf_reject_ipv4 nf_reject_ipv6 &&
	       insmod "$KMOD_DIR/nf_conntrack_tls.ko"; } >"$VM_RUN/load.log" 2>&1; then
		cat "$VM_RUN/load.log"
		touch "$VM_RUN/load-failed"
	fi
fi

if [ ! -e "$VM_RUN/load-failed" ]; then
	bash "$VM_RUN/cmd.sh" </dev/console >/dev/console 2>&1
	echo $? >"$VM_RUN/rc.tmp"
	mv "$VM_RUN/rc.tmp" "$VM_RUN/rc"
fi

dmesg >"$VM_RUN/dmesg.txt"
sync
busybox poweroff -f
