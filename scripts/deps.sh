#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that the build, the tests, the demo and CI
# need.  Idempotent: when everything is present it only runs dpkg-query and
# exits.  Never upgrades the host; never touches the running kernel.
set -euo pipefail

PKGS=(
	# module build
	build-essential bc kmod libelf-dev flex bison linux-headers-amd64
	# VM: the stock Debian kernel to boot is fetched with apt-get download
	qemu-system-x86 busybox-static cpio file xz-utils zstd
	# userspace tests, fuzzing, benchmarks, offline tool
	clang libclang-rt-14-dev llvm valgrind libpcap-dev pkg-config sparse
	# in-guest network tools and peers
	iproute2 ethtool iptables nftables conntrack openssl gnutls-bin curl nginx-light
	nmap testssl.sh python3 python3-scapy tcpdump iperf3 procps psmisc
	# benchmarks: perf inside the test VM (make bench-vm)
	linux-perf
	# KUnit on UML and checkpatch
	linux-source-6.1 python3-ply libssl-dev
	# kernel matrix (sid chroot, BTF of modules), DKMS packaging
	debootstrap dwarves dkms
)

# shellcheck source=apt-lib.sh
source "$(dirname "$0")/apt-lib.sh"

missing=()
for p in "${PKGS[@]}"; do
	case "$p" in \#*) continue ;; esac
	pkg_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
rc=0
apt_install_no_services "${missing[@]}" || rc=$?
exit $rc
