#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs INSIDE the test VM (make check-install does: it installs the module
# into the VM's module tree with make install, boots with vm-run.sh -n, runs
# this, uninstalls).  Checks what a user of the examples would do:
#   1. modprobe finds the installed module in updates/, pulls nf_conntrack
#      in, and applies the options of the modprobe.d example;
#   2. the nftables example loads (twice: it is meant to be re-loadable)
#      and shows the ct helper object;
#   3. with the module unloaded, loading the nftables example loads the
#      module by its alias (nfct-helper-tls), as on a real host;
#   4. the iptables-restore example loads into the raw table.
# Prints PASS:/FAIL: lines; exit 1 when anything failed.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
rc=0
pass() { echo "PASS: examples: $*"; }
fail() { echo "FAIL: examples: $*"; rc=1; }
NS=ex-$$
cleanup() {
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-ipt" 2>/dev/null
}
trap cleanup EXIT

# Namespaces go away asynchronously: retry for a while.
unload() {
	local _
	for _ in $(seq 50); do
		grep -q '^nf_conntrack_tls ' /proc/modules || return 0
		rmmod nf_conntrack_tls 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# 1. modprobe with the example options (one value changed, to see it applied)
unload
conf=$(mktemp -d)
sed 's/lowrun_limit=128/lowrun_limit=200/' "$DIR/nf_conntrack_tls.modprobe.conf" \
	>"$conf/nf_conntrack_tls.conf"
where=$(modprobe --show-depends nf_conntrack_tls 2>&1 | tail -n 1)
case "$where" in
*/updates/nf_conntrack_tls.ko*) pass "modprobe finds the installed module: ${where#insmod }" ;;
*) fail "modprobe does not find the module in updates/: $where" ;;
esac
if modprobe -C "$conf" nf_conntrack_tls; then
	v=$(cat /sys/module/nf_conntrack_tls/parameters/lowrun_limit)
	hb=$(cat /sys/module/nf_conntrack_tls/parameters/heartbeat)
	if [ "$v" = 200 ] && [ "$hb" = 0 ]; then
		pass "modprobe -C <example> applies its options (lowrun_limit=$v heartbeat=$hb)"
	else
		fail "options not applied: lowrun_limit=$v heartbeat=$hb"
	fi
	grep -q '^nf_conntrack ' /proc/modules &&
		pass "nf_conntrack loaded as a dependency (depmod)" ||
		fail "nf_conntrack not loaded"
	[ "$(cat /proc/sys/net/netfilter/nf_conntrack_tls_lowrun_limit)" = 200 ] &&
		pass "sysctl of init_net starts from the module option" ||
		fail "sysctl nf_conntrack_tls_lowrun_limit is not 200"
else
	fail "modprobe -C <example> nf_conntrack_tls failed"
fi
rm -rf "$conf"

# 2. the nftables example, twice
ip netns add "$NS"
if ip netns exec "$NS" nft -f "$DIR/nf_conntrack_tls.nft" &&
   ip netns exec "$NS" nft -f "$DIR/nf_conntrack_tls.nft"; then
	if ip netns exec "$NS" nft list ruleset | grep -q 'type "tls" protocol tcp'; then
		pass "nftables example loads (twice) and shows the ct helper object"
	else
		fail "nftables example loaded but no ct helper object listed"
	fi
else
	fail "nft -f nf_conntrack_tls.nft failed"
fi
ip netns del "$NS"

# 3. autoload by alias
if unload; then
	ip netns add "$NS"
	if ip netns exec "$NS" nft -f "$DIR/nf_conntrack_tls.nft" &&
	   grep -q '^nf_conntrack_tls ' /proc/modules; then
		pass "the nftables example loads the module through its alias"
	else
		fail "the module was not loaded by the nftables example"
	fi
	ip netns del "$NS"
else
	fail "cannot rmmod nf_conntrack_tls"
fi

# 4. iptables-restore example
ip netns add "$NS-ipt"
if ip netns exec "$NS-ipt" iptables-restore --noflush <"$DIR/nf_conntrack_tls.iptables" &&
   ip netns exec "$NS-ipt" iptables -t raw -S | grep -q -- '--helper tls'; then
	pass "iptables-restore example loads into the raw table"
else
	fail "iptables-restore of nf_conntrack_tls.iptables failed"
fi
if ip netns exec "$NS-ipt" ip6tables-restore --noflush <"$DIR/nf_conntrack_tls.iptables"; then
	pass "ip6tables-restore takes the same file"
else
	fail "ip6tables-restore of nf_conntrack_tls.iptables failed"
fi
exit $rc
