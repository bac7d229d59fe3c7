#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Automatic attachment (module parameter "ports"), with no CT rule and no
# nftables ruleset anywhere:
#
#  - bad lists (0, 65536, a trailing comma, nine ports, a name) refuse the
#    load with a message and leave nothing loaded;
#  - with ports=8443,443, new TCP flows to a listed port get helper=tls in
#    conntrack and a Heartbleed request (hb_peer.py) is killed, over IPv4
#    and IPv6; a flow to an unlisted port gets no helper and the same
#    request reaches the server (the attack really happens there).  The
#    parameter applies to every namespace, so the client's own namespace
#    inspects its outgoing flow too and kills it first; the router (which
#    drops ctstate INVALID, as deployed) kills it again when the
#    retransmission carrying FIN gets there: its count is the one checked;
#  - the module reloads with its defaults afterwards (no automatic
#    attachment for the tests that follow).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PY=/usr/bin/python3
PEER=$PEERS/hb_peer.py

require_module file
checktool "$PY -c 'import socket'" "run $PY"
checktool "conntrack --version" "run conntrack"

mkdir -p "$TLSDIR"
GO=$TLSDIR/autoattach-go

cleanup() {
	cleanup_ns
	if module_loaded &&
	   [ -n "$(cat /sys/module/nf_conntrack_tls/parameters/ports 2>/dev/null)" ]; then
		rmmod nf_conntrack_tls
	fi
	module_loaded || insmod "$KO"
}
trap cleanup EXIT

module_loaded && rmmod nf_conntrack_tls
for bad in 0 65536 443, 1,2,3,4,5,6,7,8,9 https; do
	n=$(dmesg | wc -l)
	if insmod "$KO" ports="$bad" 2>/dev/null; then
		log_fail "insmod ports=$bad was accepted"
		rmmod nf_conntrack_tls
		continue
	fi
	msg=$(dmesg_since "$n" |
	      grep -m1 "nf_conntrack_tls: parameter ports=$bad: expected up to 8 comma-separated TCP ports")
	if [ -n "$msg" ] && ! module_loaded; then
		log_pass "insmod ports=$bad refused, nothing loaded:${msg#*]}"
	else
		log_fail "insmod ports=$bad: refused, but message '$msg' or module loaded"
	fi
done

insmod "$KO" ports=8443,443 || { log_fail "insmod ports=8443,443"; exit 1; }
p=$(cat /sys/module/nf_conntrack_tls/parameters/ports)
if [ "$p" = "8443,443" ]; then
	log_pass "parameters/ports reads $p"
else
	log_fail "parameters/ports reads '$p'"
fi

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
if ip netns exec "$router" iptables-save 2>/dev/null | grep -q -- '-j CT' ||
   ip netns exec "$router" nft list ruleset 2>/dev/null | grep -q 'ct helper'; then
	log_fail "the router has a CT rule: the test would prove nothing"
fi

# No INVALID rule: a killed flow stays dead on its own.  hb_peer's client
# closes its socket while the heartbeat is still unacknowledged, so TCP
# retransmits it with FIN; the killed entry stays and drops that too.
#
# The helper is attached in the client's namespace too (ports= applies to
# every namespace) and kills the flow there first, on the heartbeat's way
# out; its retransmissions, FIN included, are dropped there as the dead
# flow's, so the router never sees them.  The kill is counted in whichever
# namespace made it: the check adds both.
hb_violations() {
	echo $(($(counter "$client" violation_hb_length) +
		$(counter "$router" violation_hb_length)))
}

# one_flow ADDR PORT: hb_peer through the router; while the client is paused
# after its ClientHello, the router's conntrack entry for the flow is read
one_flow() {
	local addr=$1 port=$2 before pid cpid
	before=$(hb_violations)
	rm -f "$GO"
	ip netns exec "$server" timeout "$(scaled 90)" "$PY" "$PEER" server "$port" \
		"$(scaled 12)" >"$TLSDIR/aa-srv.out" 2>&1 &
	pid=$!
	wait_port "$server" "$port" || { log_fail "hb_peer server on $port"; return; }
	ip netns exec "$client" timeout "$(scaled 90)" "$PY" "$PEER" client "$addr" "$port" 4 \
		"$GO" >"$TLSDIR/aa-cli.out" 2>&1 &
	cpid=$!
	wait_paused "$TLSDIR/aa-cli.out" "$(scaled 300)"
	local fam=ipv4
	[[ $addr == *:* ]] && fam=ipv6
	ENTRY=$(ip netns exec "$router" conntrack -L -f $fam -p tcp --dport "$port" 2>/dev/null |
		grep -m1 ESTABLISHED)
	touch "$GO"
	wait $cpid
	wait $pid
	SRV=$(tail -n 1 "$TLSDIR/aa-srv.out")
	HBV=$(($(hb_violations) - before))
	echo "# conntrack: $ENTRY"
	echo "# $SRV; violation_hb_length +$HBV"
}

for addr in 10.0.2.2 fd00:2::2; do
	one_flow $addr 8080
	if [[ $ENTRY != *helper=tls* && $SRV == *"heartbeat: yes"* ]] && [ "$HBV" = 0 ]; then
		log_pass "$addr port 8080 (not listed): no helper, the Heartbleed request reaches the server"
	else
		log_fail "$addr port 8080 (not listed): entry '$ENTRY', $SRV, violation_hb_length +$HBV"
	fi
	for port in 443 8443; do
		one_flow $addr $port
		if [[ $ENTRY == *helper=tls* && $SRV == *"heartbeat: no"* ]] && [ "$HBV" = 1 ]; then
			log_pass "$addr port $port (listed): helper=tls without a rule, Heartbleed killed"
		else
			log_fail "$addr port $port (listed): entry '$ENTRY', $SRV, violation_hb_length +$HBV"
		fi
	done
done

cleanup_ns
if rmmod nf_conntrack_tls && insmod "$KO" &&
   [ -z "$(cat /sys/module/nf_conntrack_tls/parameters/ports)" ]; then
	log_pass "reloaded without ports: no automatic attachment"
else
	log_fail "reload without ports"
fi
exit $RET
