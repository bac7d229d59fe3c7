#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-kernel.sh KVER [LOCALDIR]: prepare build/vm/KVER for vm-run.sh, once.
#   vmlinuz            Debian's stock linux-image-KVER kernel
#   root/lib/modules   its modules, depmod'ed (the guest's modprobe uses it)
#   initramfs.cpio.gz  busybox + vm-init.sh + the virtio/9p modules
# The image is fetched with apt-get download and unpacked with dpkg -x: the
# host's own kernel and /lib/modules are never touched.  A release the
# host's apt sources do not carry is looked up in the suites of VM_SUITES
# (default "bookworm-backports sid"), each through its own separate apt
# configuration in build/apt (scripts/kheaders.sh apt); the host's sources
# are never changed.  Newer suites split the image (linux-image-KVER pulls
# linux-binary-KVER, linux-modules-KVER, linux-base-KVER): every package of
# that release the image depends on is unpacked too.
#
# With LOCALDIR (vm-run.sh -K), a locally built kernel is used instead:
# LOCALDIR/vmlinuz and LOCALDIR/root/lib/modules/KVER; build/vm/KVER/root
# then links to LOCALDIR/root and nothing is downloaded.
set -euo pipefail

KVER=${1:?usage: vm-kernel.sh KVER [LOCALDIR]}
LOCAL=${2:-}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
VMDIR=$REPO/build/vm/$KVER
INIT=$REPO/scripts/vm/vm-init.sh
mkdir -p "$VMDIR"

if [ -n "$LOCAL" ]; then
	if [ ! -f "$LOCAL/vmlinuz" ] || [ ! -d "$LOCAL/root/lib/modules/$KVER" ]; then
		echo "vm-kernel.sh: $LOCAL has no vmlinuz or root/lib/modules/$KVER" >&2
		exit 1
	fi
	[ -L "$VMDIR/root" ] || rm -rf "$VMDIR/root"
	ln -sfn "$(realpath --relative-to="$VMDIR" "$LOCAL/root")" "$VMDIR/root"
	cmp -s "$LOCAL/vmlinuz" "$VMDIR/vmlinuz" 2>/dev/null ||
		cp "$LOCAL/vmlinuz" "$VMDIR/vmlinuz"
	touch "$VMDIR/root/.stamp"
fi

if [ ! -f "$VMDIR/root/.stamp" ]; then
	pkg=linux-image-$KVER
	# Debian names unsigned images linux-image-KVER-unsigned.
	echo "vm-kernel.sh: fetching $pkg"
	rm -rf "$VMDIR/root" "$VMDIR"/*.deb
	if ! (cd "$VMDIR" && apt-get download "$pkg" >/dev/null 2>&1 ||
	      apt-get download "$pkg-unsigned" >/dev/null 2>&1); then
		got=0
		for suite in ${VM_SUITES:-bookworm-backports sid}; do
			ksuite() { "$REPO/scripts/kheaders.sh" apt "$suite" "$@"; }
			for p in "$pkg" "$pkg-unsigned"; do
				ksuite apt-cache show "$p" >/dev/null 2>&1 || continue
				# The image and the packages of the same release it
				# depends on (linux-binary-, linux-modules-, linux-base-).
				deps=$(ksuite apt-cache depends --recurse \
					--no-recommends --no-suggests --no-conflicts \
					--no-breaks --no-replaces --no-enhances "$p" |
					sed -n 's/^ *\(Pre\)\{0,1\}Depends: //p' |
					grep -F -- "-$KVER" | sort -u || true)
				# shellcheck disable=SC2086
				if (cd "$VMDIR" && ksuite apt-get download -qq "$p" $deps \
					>/dev/null 2>&1); then
					echo "vm-kernel.sh: $p${deps:+ (+ $(echo $deps))} from $suite"
					got=1
					break 2
				fi
			done
		done
		if [ $got = 0 ]; then
			echo "vm-kernel.sh: cannot download $pkg from the configured" \
				"apt sources nor from ${VM_SUITES:-bookworm-backports sid}" >&2
			exit 1
		fi
	fi
	for deb in "$VMDIR"/*.deb; do
		dpkg -x "$deb" "$VMDIR/root"
	done
	# Newer packages install under /usr/lib/modules (merged /usr).
	if [ ! -d "$VMDIR/root/lib/modules/$KVER" ] &&
	   [ -d "$VMDIR/root/usr/lib/modules/$KVER" ]; then
		mkdir -p "$VMDIR/root/lib/modules"
		ln -s "../../usr/lib/modules/$KVER" "$VMDIR/root/lib/modules/$KVER"
	fi
	depmod -b "$VMDIR/root" "$KVER"
	# /boot/vmlinuz-KVER, or the modules directory in newer packages.
	for k in "boot/vmlinuz-$KVER" "usr/lib/modules/$KVER/vmlinuz" \
		 "lib/modules/$KVER/vmlinuz" ""; do
		[ -n "$k" ] || { echo "vm-kernel.sh: no vmlinuz in $pkg" >&2; exit 1; }
		[ -f "$VMDIR/root/$k" ] && break
	done
	cp "$VMDIR/root/$k" "$VMDIR/vmlinuz"
	rm -f "$VMDIR"/*.deb
	touch "$VMDIR/root/.stamp"
fi

if [ ! -f "$VMDIR/initramfs.cpio.gz" ] ||
   [ "$INIT" -nt "$VMDIR/initramfs.cpio.gz" ] ||
   [ "$0" -nt "$VMDIR/initramfs.cpio.gz" ] ||
   [ "$VMDIR/root/lib/modules/$KVER/modules.dep" -nt "$VMDIR/initramfs.cpio.gz" ]; then
	BUSYBOX=$(command -v busybox || true)
	if [ -z "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q static; then
		BUSYBOX=/bin/busybox
	fi
	[ -x "$BUSYBOX" ] || { echo "vm-kernel.sh: install busybox-static" >&2; exit 1; }
	IRD=$(mktemp -d)
	trap 'rm -rf "$IRD"' EXIT
	mkdir -p "$IRD/bin" "$IRD/modules"
	# Empty when everything is built in (a local kernel).
	: >"$IRD/modules.order"
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
