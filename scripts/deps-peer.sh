#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The peers of `make bench-peer` (bench/peer/): suricata from
# bookworm-backports and tshark from bookworm.  Only that target calls this
# script; scripts/deps.sh (and so CI) does not depend on it.  Idempotent:
# when everything is present it only runs dpkg-query and exits.  Never
# upgrades the host: the backports suite gets a sources file of its own,
# and only suricata and what it needs are taken from it (-t, apt's default
# pin of backports keeps every other package on bookworm).
set -euo pipefail

LIST=/etc/apt/sources.list.d/nf-ct-tls-backports.list
# packages from bookworm, then from bookworm-backports
PKGS=(tshark tcpdump python3 nginx-light openssl curl iproute2 ethtool)
BPO_PKGS=(suricata)

# shellcheck source=apt-lib.sh
source "$(dirname "$0")/apt-lib.sh"

missing=()
for p in "${PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
bpo_missing=()
for p in "${BPO_PKGS[@]}"; do pkg_installed "$p" || bpo_missing+=("$p"); done

if [ ${#missing[@]} -eq 0 ] && [ ${#bpo_missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps-peer.sh: missing packages: ${missing[*]} ${bpo_missing[*]}" >&2
	echo "deps-peer.sh: run as root" >&2
	exit 1
fi

# The mirror the host's own bookworm sources use (deb822 or one-line), so
# that backports come from the same place.
mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		u=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ { print uri; exit }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		u=$(awk '$1 == "deb" && $0 ~ / bookworm / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	echo http://deb.debian.org/debian
}

export DEBIAN_FRONTEND=noninteractive
if [ ${#bpo_missing[@]} -gt 0 ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	m=$(mirror)
	echo "deps-peer.sh: adding $LIST ($m bookworm-backports)"
	echo "deb $m bookworm-backports main" >"$LIST"
fi

echo "deps-peer.sh: installing ${missing[*]} ${bpo_missing[*]}"
apt-get update -qq
rc=0
# tshark asks whether non-root users may capture: keep the default (no)
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
if [ ${#missing[@]} -gt 0 ]; then
	apt_install_no_services "${missing[@]}" || rc=$?
fi
if [ $rc -eq 0 ] && [ ${#bpo_missing[@]} -gt 0 ]; then
	apt_install_no_services -t bookworm-backports "${bpo_missing[@]}" || rc=$?
fi
exit $rc
