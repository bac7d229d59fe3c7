#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handshake layer's reasons (handshake=1, the default), one attack
# each, through the router: an endpoint that speaks raw TLS records
# (peers/hsattack.py) breaks one rule against a peer that records exactly
# what its recv() returns.
#
#   hs_direction      the client sends a ServerHello after its ClientHello
#   hs_malformed      a ClientHello whose server_name extension runs 64
#                     bytes past the end of the hello
#   hs_interleave     the ClientHello in two records, a ChangeCipherSpec
#                     between them
#   hs_order          a second ClientHello (TLS 1.0 only, another name)
#                     with no HelloRetryRequest
#   early_server      the server's flight while the ClientHello is half sent
#   version_mismatch  a ServerHello selecting TLS 1.0 for a client that
#                     offered TLS 1.2 and 1.3 only (supported_versions)
#   downgrade         a TLS 1.2 ServerHello with the RFC 8446 downgrade
#                     sentinel to a client that offered TLS 1.3
#
# Each case runs on a port without the helper first: every malicious byte
# must reach the recorder's recv() (the recording equals what the attacker
# sent, byte for byte), or the case FAILs.  Then through the helper
# (iptables over IPv4, nftables over IPv6, each after its own baseline):
# the recording must be exactly the benign bytes sent before the
# malicious ones (none of those), violation_<reason> must rise by exactly
# one, drops by one, no other violation, and the kernel log must name the
# reason, the side and the flow.  A control (a valid flight from the same
# server code, "control") must pass the helper whole.  The recorders are
# not real TLS stacks: OpenSSL's s_server and s_client reject these
# messages themselves (OpenSSL 3 clients abort on the downgrade sentinel),
# so a recorder shows what reaches an endpoint that does not.
#
#   client (attacker or victim) -- router (helper, INVALID dropped) -- server
#
# HS_CASES="NAME..." runs only those cases (default: all); HS_FAMILIES=both
# runs each over IPv4 and IPv6 (default: one family per case, alternating).
# Needs nf_conntrack_tls loaded (run.sh does it).  About a minute under
# TCG after the boot.
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PY=/usr/bin/python3
PEER=$PEERS/hsattack.py
# port = base + role (hsattack.py serve: the last digit is the server's role)
BASE_OFF=8460		# no helper
BASE_IPT=8470		# iptables CT --helper tls
BASE_NFT=8480		# nftables ct helper
CASES="hs_direction hs_malformed hs_interleave hs_order early_server"
CASES+=" version_mismatch downgrade"
HS_CASES=${HS_CASES:-all}

for c in $HS_CASES; do
	[ "$c" = all ] || [[ " $CASES " == *" $c "* ]] ||
		{ echo "FAIL: HS_CASES: no case '$c' (cases: $CASES)"; exit 1; }
done
selected() { [ "$HS_CASES" = all ] || [[ " $HS_CASES " == *" $1 "* ]]; }

require_module
checktool "$PY -c 'import socket, fcntl, termios'" "run $PY"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"
checktool "nft --version" "run nft"
checktool "cmp --version" "run cmp"

RECDIR=$TLSDIR/handshake
rm -rf "$RECDIR"
mkdir -p "$RECDIR"
trap cleanup_ns EXIT
T0=$SECONDS

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
{ attach_iptables "$router" $BASE_IPT:$((BASE_IPT + 4)) &&
  attach_nft "$router" $BASE_NFT-$((BASE_NFT + 4)) && drop_invalid "$router"; } ||
	{ log_fail "cannot set up the router"; exit 1; }
ip netns exec "$router" sysctl net.netfilter.nf_conntrack_tls_handshake | sed 's/^/# router: /'

ports=()
for base in $BASE_OFF $BASE_IPT $BASE_NFT; do
	ports+=("$base" $((base + 1)) $((base + 2)) $((base + 3)) $((base + 4)))
done
ip netns exec "$server" "$PY" -u "$PEER" serve "$RECDIR" "${ports[@]}" \
	>"$RECDIR/server.log" 2>&1 &
SERVER_PID=$!
# a process in the router: /proc/PID/net shows its counters without a fork
ip netns exec "$router" sleep 100000 &
ROUTER_PID=$!
# one client process for every case, commands on its stdin
coproc CLIENT { ip netns exec "$client" "$PY" -u "$PEER" client "$RECDIR" 2>&1; }
CLIENT_JOB=$CLIENT_PID CLIENT_OUT=${CLIENT[0]} CLIENT_IN=${CLIENT[1]}
wait_port "$server" $((BASE_NFT + 4)) || { log_fail "the server did not start"; exit 1; }
echo "# setup took $((SECONDS - T0)) s"

stop_peers() {
	local i
	exec {CLIENT_IN}>&-
	for i in $(seq 50); do
		kill -0 "$CLIENT_JOB" 2>/dev/null || break
		sleep 0.1
	done
	kill "$CLIENT_JOB" "$SERVER_PID" "$ROUTER_PID" 2>/dev/null
	wait "$CLIENT_JOB" "$SERVER_PID" "$ROUTER_PID" 2>/dev/null
}

# ----------------------------------------------------------------- helpers

# role CASE: the server's role (port digit) for CASE; side CASE: who breaks
# the rule, as the kernel log says it
role() {
	case $1 in
	early_server) echo 1 ;;
	version_mismatch) echo 2 ;;
	downgrade) echo 3 ;;
	control) echo 4 ;;
	*) echo 0 ;;
	esac
}
side() { [ "$(role "$1")" = 0 ] && echo client || echo server; }

# client_run CASE: the command to the client, its output shown
CLIENT_TIMEOUT=$(scaled 60)
client_run() {
	local line
	echo "$1 $ADDR $DPORT $SPORT" >&"$CLIENT_IN"
	while read -r -t "$CLIENT_TIMEOUT" -u "$CLIENT_OUT" line; do
		echo "$line"
		[[ $line == "# end "* ]] && return 0
	done
	log_fail "$LABEL: no answer from the client"
	return 1
}

# snap ARRAY: the router's counters into the associative ARRAY
snap() {
	local -n into=$1
	local k v
	into=()
	while read -r k v; do
		into[$k]=$v
	done <"/proc/$ROUTER_PID/net/nf_conntrack_tls"
}
declare -A C_BEFORE C_AFTER

# delta NAME: NAME's increase during the case
delta() { echo $((${C_AFTER[$1]:-0} - ${C_BEFORE[$1]:-0})); }

# other_violations REASON: the increase of every violation_* but REASON's
other_violations() {
	local k s=0
	for k in "${!C_AFTER[@]}"; do
		[[ $k == violation_* ]] && [ "$k" != "violation_$1" ] &&
			s=$((s + $(delta "$k")))
	done
	echo $s
}

# settle: until the recorder holds all its TCP took on the case's
# connection (its receive queue, in the server's /proc/PID/net/tcp6, empty)
settle() {
	local port i sl loc rem st queue rest q
	printf -v port '%04X' "$SPORT"
	for ((i = 0; i < $(scaled 50); i++)); do
		q=0
		while read -r sl loc rem st queue rest; do
			[[ $rem == *:$port ]] && q=$((16#${queue#*:}))
		done <"/proc/$SERVER_PID/net/tcp6"
		[ "$q" = 0 ] && return 0
		sleep 0.1
	done
	echo "# the recorder did not read $q bytes"
}

# ------------------------------------------------------------------- cases

NEXT_SPORT=30001

# run_case CASE FAMILY off|iptables|nft
run_case() {
	local name=$1 fam=$2 mode=$3 t=$SECONDS base rec sent cut size n0 logs tuple
	local v d o
	case $mode in
	off) base=$BASE_OFF ;;
	iptables) base=$BASE_IPT ;;
	nft) base=$BASE_NFT ;;
	esac
	SPORT=$NEXT_SPORT
	NEXT_SPORT=$((NEXT_SPORT + 1))
	DPORT=$((base + $(role "$name")))
	if [ "$fam" = 6 ]; then
		ADDR=fd00:2::2
		tuple="[fd00:1::1]:$SPORT -> [fd00:2::2]:$DPORT"
	else
		ADDR=10.0.2.2
		tuple="10.0.1.1:$SPORT -> 10.0.2.2:$DPORT"
	fi
	if [ "$mode" = off ]; then
		LABEL="$name ipv$fam without the helper"
	else
		LABEL="$name ipv$fam with the helper ($mode)"
	fi
	echo "# --- $LABEL: port $SPORT -> $DPORT"
	n0=$(dmesg | wc -l)
	snap C_BEFORE
	client_run "$name" || return
	[ "$(role "$name")" = 0 ] && settle
	snap C_AFTER
	rec=$RECDIR/rec-$SPORT
	sent=$RECDIR/sent-$SPORT
	[ -f "$rec" ] || : >"$rec"
	if [ ! -s "$sent" ] || ! cut=$(cat "$RECDIR/cut-$SPORT" 2>/dev/null); then
		log_fail "$LABEL: the attacker sent nothing"
		return
	fi
	size=$(stat -c %s "$sent")
	echo "# the attacker sent $size bytes, the malicious ones from offset $cut;" \
	     "the recorder's recv() got $(stat -c %s "$rec")"
	v=$(delta "violation_$name")
	d=$(delta drops)
	o=$(other_violations "$name")
	if [ "$mode" = off ] || [ "$name" = control ]; then
		if cmp -s "$rec" "$sent"; then
			log_pass "$LABEL: recv() got all $size bytes, the $((size - cut)) malicious ones too (byte-exact)"
		else
			log_fail "$LABEL: recv() did not get what was sent ($(cmp "$rec" "$sent" 2>&1))"
		fi
		if [ "$d" = 0 ] && [ "$((v + o))" = 0 ]; then
			log_pass "$LABEL: no violation, no drop"
		else
			log_fail "$LABEL: violations +$((v + o)), drops +$d"
		fi
		echo "# $LABEL took $((SECONDS - t)) s"
		return
	fi
	if [ "$(stat -c %s "$rec")" = "$cut" ] && cmp -s -n "$cut" "$rec" "$sent"; then
		log_pass "$LABEL: recv() got the $cut benign bytes and none of the $((size - cut)) malicious ones"
	else
		log_fail "$LABEL: recv() got $(stat -c %s "$rec") bytes, wanted exactly the first $cut of what was sent"
	fi
	echo "# counters: violation_$name +$v, drops +$d, other violations +$o"
	if [ "$v" = 1 ] && [ "$d" = 1 ] && [ "$o" = 0 ]; then
		log_pass "$LABEL: violation_$name +1, drops +1, no other violation"
	else
		log_fail "$LABEL: violation_$name +$v, drops +$d, other violations +$o"
	fi
	logs=$(dmesg_since "$n0" | grep -F -- "$tuple")
	sed 's/^/# kernel: /' <<<"$logs"
	if grep -qF -- "dropped: $name from $(side "$name"): $tuple" <<<"$logs" &&
	   [ "$(grep -c . <<<"$logs")" = 1 ]; then
		log_pass "$LABEL: the kernel log names $name from the $(side "$name")"
	else
		log_fail "$LABEL: no single log line 'dropped: $name from $(side "$name")' for the flow"
	fi
	echo "# $LABEL took $((SECONDS - t)) s"
}

# make check runs each case over one family, IPv4 + iptables and IPv6 +
# nftables in turn; HS_FAMILIES=both runs every case over both.
i=0
for name in $CASES; do
	selected "$name" || continue
	if [ "${HS_FAMILIES:-alternate}" = both ] || ((i % 2 == 0)); then
		run_case "$name" 4 off
		run_case "$name" 4 iptables
	fi
	if [ "${HS_FAMILIES:-alternate}" = both ] || ((i % 2 == 1)); then
		run_case "$name" 6 off
		run_case "$name" 6 nft
	fi
	i=$((i + 1))
done
# the same server and client code with a valid flight: nothing is cut
run_case control 4 iptables
run_case control 6 nft

stop_peers
echo "# tls_handshake.sh took $((SECONDS - T0)) s"
exit "$RET"
