#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM (busybox, from the initramfs that vm-run.sh builds).
#
#  1. load virtio + 9p modules shipped in the initramfs;
#  2. mount the host's / read-only (tag "hostroot") and the repository
#     read-write (tag "repo") over virtio-9p;
#  3. assemble a root on tmpfs: host /usr, /etc, /work bound read-only,
#     writable /tmp, /run, /var, /root, the repository writable at its
#     host path;
#  4. switch_root into it and run scripts/vm/vm-stage2.sh, which loads the
#     module, runs the command and powers off.
#
# Parameters come on the kernel command line: vmrun.repo= vmrun.run=
# vmrun.kver= vmrun.load=0|1.  The host decides pass/fail from the files
# written into vmrun.run, never from this script's own output.

/bin/busybox mkdir -p /proc /sys /dev /host /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox --install -s /bin

for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmrun.repo=*) REPO=${arg#vmrun.repo=} ;;
	vmrun.run=*) RUN=${arg#vmrun.run=} ;;
	vmrun.kver=*) KVER=${arg#vmrun.kver=} ;;
	vmrun.load=*) LOAD=${arg#vmrun.load=} ;;
	esac
done

die() {
	echo "vm-init: $*"
	poweroff -f
}

for m in $(cat /modules.order); do
	insmod "/modules/$m" || die "insmod $m failed"
done

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 hostroot /host ||
	die "cannot mount host root over 9p"

R=/newroot
mount -t tmpfs -o mode=0755 newroot $R
mkdir -p $R/usr $R/etc $R/work $R/proc $R/sys $R/dev $R/tmp $R/run \
	$R/var $R/root $R/mnt
ln -s usr/bin $R/bin
ln -s usr/sbin $R/sbin
ln -s usr/lib $R/lib
ln -s usr/lib64 $R/lib64
mount --bind /host/usr $R/usr
mount --bind /host/etc $R/etc
[ -d /host/work ] && mount --bind /host/work $R/work
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
# devtmpfs lacks these; bash process substitution needs /dev/fd
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmp $R/dev/shm
mount -t tmpfs -o mode=1777 tmp $R/tmp
mount -t tmpfs run $R/run
mount -t tmpfs var $R/var
mount -t tmpfs root $R/root
mkdir -p $R/var/tmp $R/var/log $R/var/lib $R/run/netns $R/run/vmbin
ln -s /run $R/var/run
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
# The repository last: a repository under /tmp, /root or /var must not be
# hidden by the tmpfs mounted there above.
case "$REPO" in
/work/*) ;;
*)	mkdir -p "$R$REPO" 2>/dev/null ||
		die "cannot create $REPO in the guest (not under /usr or /etc, please)" ;;
esac
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=512000 repo "$R$REPO" ||
	die "cannot mount the repository over 9p"

# The host has no /lib/modules for this kernel: the modules live in the
# repository's build tree.  Route both modprobe from PATH and the kernel's
# own request_module() through a wrapper that points kmod there.
MODROOT=$REPO/build/vm/$KVER/root
cat >$R/run/vmbin/modprobe <<EOF
#!/bin/sh
exec /usr/sbin/modprobe -d $MODROOT "\$@"
EOF
chmod 755 $R/run/vmbin/modprobe
echo /run/vmbin/modprobe >/proc/sys/kernel/modprobe

cat >$R/run/vmbin/vm-env <<EOF
export PATH=/run/vmbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
export VM_KVER=$KVER VM_REPO=$REPO VM_RUN=$RUN VM_MODROOT=$MODROOT VM_LOAD=$LOAD
export KMOD_DIR=$REPO/build/kmod/$KVER
EOF

# switch_root (not chroot): the kernel's own helpers (request_module) must
# see the same root as the tests.
exec switch_root $R /bin/bash "$REPO/scripts/vm/vm-stage2.sh"
