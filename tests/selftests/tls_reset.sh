#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The action knob net.netfilter.nf_conntrack_tls_reset, on a plaintext
# Heartbleed request (hb_peer.py) through the router:
#
#  - without the helper (port 8443, not attached) the heartbeat reaches the
#    server: the attack really happens;
#  - reset=0 (default): the packet is dropped and the flow killed; both
#    ends hear nothing and wait (client and server time out);
#  - reset=1, set while the flow is live (after its ClientHello): both ends
#    get a TCP RST at once (client and server see ECONNRESET), so the RST
#    carried the exact sequence number each end expected; IPv4 and IPv6;
#  - the heartbeat never reaches the server while the helper is attached.
#
# Needs nf_conntrack_tls loaded (run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PORT=443
FREE_PORT=8443		# not attached: shows the attack without the helper
PY=/usr/bin/python3
PEER=$PEERS/hb_peer.py
WAIT=6			# seconds each end waits for the flow to end

require_module
checktool "$PY -c 'import socket'" "run $PY"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"

mkdir -p "$TLSDIR"
GO=$TLSDIR/reset-go
trap cleanup_ns EXIT

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
attach_iptables "$router" $PORT || { log_fail "cannot attach the helper"; exit 1; }

# one_flow ADDR PORT [KNOB=VALUE]: the exchange; KNOB=VALUE is set in the
# router while the client is paused after its ClientHello.  Sets SRV, CLI
# (the peers' last lines) and HBV (violation_hb_length increase).
one_flow() {
	local addr=$1 port=$2 knob=${3:-} before pid
	before=$(counter "$router" violation_hb_length)
	rm -f "$GO"
	ip netns exec "$server" timeout "$(scaled 90)" "$PY" "$PEER" server "$port" \
		"$(scaled $((WAIT + 10)))" >"$TLSDIR/reset-srv.out" 2>&1 &
	pid=$!
	wait_port "$server" "$port" || { log_fail "hb_peer server on $port"; return; }
	ip netns exec "$client" timeout "$(scaled 90)" "$PY" "$PEER" client "$addr" "$port" \
		"$(scaled $WAIT)" "$GO" >"$TLSDIR/reset-cli.out" 2>&1 &
	local cpid=$!
	wait_paused "$TLSDIR/reset-cli.out" "$(scaled 300)"
	if [ -n "$knob" ]; then
		ip netns exec "$router" sysctl -qw "net.netfilter.nf_conntrack_tls_$knob" ||
			log_fail "sysctl $knob in the router"
		echo "# router: $knob while the flow is live"
	fi
	touch "$GO"
	wait $cpid
	# the server ends by itself (reset, or its own timeout)
	wait $pid
	SRV=$(tail -n 1 "$TLSDIR/reset-srv.out")
	CLI=$(tail -n 1 "$TLSDIR/reset-cli.out")
	HBV=$(($(counter "$router" violation_hb_length) - before))
	echo "# $SRV"
	echo "# $CLI"
	echo "# violation_hb_length +$HBV"
}

# (for lib.sh's check)
check_detail() { echo "$SRV; $CLI; violation_hb_length +$HBV"; }
# the heartbeat reached the server, nothing was counted
hb_reached_server() { [[ $SRV == *"heartbeat: yes"* ]] && [ "$HBV" = 0 ]; }
# hb_dropped_both_end END: the heartbeat was dropped (one violation) and
# both ends finished with END (timeout or reset)
hb_dropped_both_end() {
	[[ $SRV == *"heartbeat: no), end: $1" ]] && [[ $CLI == *"end: $1"* ]] &&
		[ "$HBV" = 1 ]
}

echo "# without the helper (port $FREE_PORT is not attached)"
one_flow 10.0.2.2 $FREE_PORT
check "no helper: the Heartbleed request reaches the server" hb_reached_server

echo "# reset=0 (default)"
one_flow 10.0.2.2 $PORT
check "reset=0: heartbeat dropped, flow killed, both ends left waiting (timeout)" \
	hb_dropped_both_end timeout

echo "# reset 0 -> 1 mid-flow, IPv4"
one_flow 10.0.2.2 $PORT reset=1
t=$(sed -n 's/.*end: reset after \([0-9.]*\) s/\1/p' <<<"$CLI")
check "reset=1 (IPv4): heartbeat dropped, client and server both reset (client after ${t:-?} s)" \
	hb_dropped_both_end reset

echo "# reset=1, IPv6"
one_flow fd00:2::2 $PORT
check "reset=1 (IPv6): heartbeat dropped, client and server both reset" \
	hb_dropped_both_end reset

ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_reset=0
exit $RET
