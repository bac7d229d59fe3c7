#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-kernel.sh KVER: prepare build/vm/KVER for vm-run.sh, once.
#   vmlinuz            Debian's stock linux-image-KVER kernel
#   root/lib/modules   its modules, depmod'ed (the guest's modprobe uses it)
#   initramfs.cpio.gz  busybox + vm-init.sh + the virtio/9p modules
# The image is fetched with apt-get download and unpacked with dpkg -x: the
# host's own kernel and /lib/modules are never touched.
set -euo pipefail

KVER=${1:?usage: vm-kernel.sh KVER}
REPO=$(cd "$(dirname "$0")/.." && pwd)
VMDIR=$REPO/build/vm/$KVER
INIT=$REPO/scripts/vm-init.sh
mkdir -p "$VMDIR"

if [ ! -f "$VMDIR/root/.stamp" ]; then
	pkg=linux-image-$KVER
	# Debian names unsigned images linux-image-KVER-unsigned.
	echo "vm-kernel.sh: fetching $pkg"
	rm -rf "$VMDIR/root" "$VMDIR"/*.deb
	if ! (cd "$VMDIR" && apt-get download "$pkg" >/dev/null 2>&1 ||
	      apt-get download "$pkg-unsigned" >/dev/null 2>&1); then
		echo "vm-kernel.sh: cannot download $pkg from the configured" \
			"apt sources (is the suite that carries it enabled?)" >&2
		exit 1
	fi
	dpkg -x "$VMDIR"/linux-image-*.deb "$VMDIR/root"
	depmod -b "$VMDIR/root" "$KVER"
	cp "$VMDIR/root/boot/vmlinuz-$KVER" "$VMDIR/vmlinuz"
	rm -f "$VMDIR"/linux-image-*.deb
	touch "$VMDIR/root/.stamp"
fi

if [ ! -f "$VMDIR/initramfs.cpio.gz" ] ||
   [ "$INIT" -nt "$VMDIR/initramfs.cpio.gz" ] ||
   [ "$0" -nt "$VMDIR/initramfs.cpio.gz" ]; then
	BUSYBOX=$(command -v busybox || true)
	if [ -z "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q static; then
		BUSYBOX=/bin/busybox
	fi
	[ -x "$BUSYBOX" ] || { echo "vm-kernel.sh: install busybox-static" >&2; exit 1; }
	IRD=$(mktemp -d)
	trap 'rm -rf "$IRD"' EXIT
	mkdir -p "$IRD/bin" "$IRD/modules"
	cp "$BUSYBOX" "$IRD/bin/busybox"
	cp "$INIT" "$IRD/init"
	chmod 755 "$IRD/init"
	# Dependency order as modprobe would load them; .ko, .ko.xz or .ko.zst.
	for m in virtio_pci virtio_rng 9pnet_virtio 9p; do
		modprobe -d "$VMDIR/root" -S "$KVER" --show-depends "$m"
	done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r ko; do
		base=$(basename "$ko")
		case "$base" in
		*.xz) xz -dc "$ko" >"$IRD/modules/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$ko" >"$IRD/modules/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$ko" "$IRD/modules/$base" ;;
		esac
		echo "$base" >>"$IRD/modules.order"
	done
	(cd "$IRD" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$VMDIR/initramfs.cpio.gz.tmp"
	mv "$VMDIR/initramfs.cpio.gz.tmp" "$VMDIR/initramfs.cpio.gz"
fi
