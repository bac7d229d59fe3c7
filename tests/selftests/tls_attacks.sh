#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Attacks through the router, each shown to really happen: run once without
# the helper (the malicious bytes reach the server, the attacker reaches
# its goal), then with the helper attached (the flow is cut, the goal is
# not reached, violation_<reason> and drops go up in the router's
# /proc/net/nf_conntrack_tls):
#
#   hb_plain     Heartbleed in plaintext after the ClientHello (IPv4, IPv6)
#   nmap         nmap --script ssl-heartbleed (IPv4)
#   testssl      testssl.sh --heartbleed (IPv4)
#   hb_enc       encrypted Heartbleed: 16416-byte answer to a 32-byte request
#   hb_split     the plaintext heartbeat in 1-byte TCP segments (IPv6)
#   lowrun       4096 ASCII bytes inside application data (+ a benign control)
#   sslv2_client an SSLv2 SERVER-HELLO sent by the client
#   sslv2_server a CLIENT-MASTER-KEY sent by the server
#   reorder      heartbeat segments out of order (raw socket client)
#   pickup       after the kill: a bare ACK, then the heartbeat bytes twice
#
# A violation drops the packet and kills the conntrack entry; whatever the
# peers send next must not get through either.  After each attack with the
# helper the router's conntrack entries of the flow are shown: an entry
# picked up mid-stream from the server's side (src=server sport=PORT) is
# not matched by the --dport/dport attach rule and so has no helper.
# hb_enc+nopickup repeats hb_enc with the router dropping such pickups
# (! --syn ctstate NEW), to tell that path from the helper's own verdict.
#
# The server (peers/tlsattack.py) is deliberately vulnerable: it answers a
# heartbeat with payload_length bytes of "memory" that hold a secret.
#
# ATTACKS="NAME..." in the environment runs only those cases (names as
# above; hb_enc includes hb_enc+nopickup, lowrun its control); default: all;
# "fast" (what make check runs): all but testssl, whose Heartbleed check
# takes 15 minutes under TCG and proves what hb_plain and nmap prove, and
# hb_plain over IPv4 only (hb_split runs over IPv6 and nftables).
#
# Needs nf_conntrack_tls loaded (run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PORT=443		# nmap's ssl scripts only run by themselves on SSL ports
CMK_PORT=444		# the server that answers a CLIENT-HELLO with CLIENT-MASTER-KEY
PY=/usr/bin/python3
ATTACK=$PEERS/tlsattack.py
SECRET=SELFTEST-SECRET-$SUFFIX-$RANDOM
ATTACKS=${ATTACKS:-all}

CASES="hb_plain nmap testssl hb_enc hb_split lowrun sslv2_client sslv2_server reorder pickup"

FAST=
if [ "$ATTACKS" = fast ]; then
	ATTACKS=${CASES/testssl /}
	FAST=1
	echo "# ATTACKS=fast: testssl and hb_plain over IPv6 not run (check-matrix, check-debug and ATTACKS=all run them)"
fi
selected() { [ "$ATTACKS" = all ] || [[ " $ATTACKS " == *" $1 "* ]]; }

# (a misspelt name would run nothing and pass)
for a in $ATTACKS; do
	[ "$a" = all ] || [[ " $CASES " == *" $a "* ]] ||
		{ echo "FAIL: ATTACKS: no case '$a' (cases: $CASES)"; exit 1; }
done

require_module
checktool "$PY -c 'import socket, ssl'" "run $PY"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"
checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
checktool "openssl version" "run openssl"

mkdir -p "$TLSDIR"
SRVLOG=$TLSDIR/attack-server.log
OUT=$TLSDIR/attack-client.out
: >"$SRVLOG"
trap cleanup_ns EXIT
T0=$SECONDS

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
# (a real certificate: scanners such as testssl.sh parse it)
make_cert || { log_fail "cannot make a certificate"; exit 1; }
ip netns exec "$server" "$PY" "$ATTACK" server --secret "$SECRET" \
	--cert "$TLSDIR/cert.pem" --log "$SRVLOG" $PORT $CMK_PORT:cmk &
wait_port "$server" $PORT && wait_port "$server" $CMK_PORT ||
	{ log_fail "the attack server did not start"; exit 1; }
echo "# setup took $((SECONDS - T0)) s"

# (one ip netns exec: each costs seconds on a loaded TCG guest)
helper_off() {
	ip netns exec "$router" sh -c 'iptables -t raw -F PREROUTING
		ip6tables -t raw -F PREROUTING
		nft delete table inet tlstest 2>/dev/null
		conntrack -F >/dev/null 2>&1; true'
}

# helper_on iptables|nft: attached for PORT (and CMK_PORT with iptables)
helper_on() {
	helper_off
	if [ "$1" = nft ]; then
		attach_nft "$router" $PORT
	else
		attach_iptables "$router" $PORT && attach_iptables "$router" $CMK_PORT
	fi
}

addr_of() { [ "$1" = 6 ] && echo fd00:2::2 || echo 10.0.2.2; }

# run_client FAMILY ARGS... (ARGS: options, then PORT STEP...): sets RC
run_client() {
	local fam=$1 addr
	shift
	addr=$(addr_of "$fam")
	local opts=() rest=()
	while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
		opts+=("$1")
		shift
	done
	ip netns exec "$client" timeout 60 "$PY" "$ATTACK" client \
		--secret "$SECRET" "${opts[@]}" "$addr" "$@" >"$OUT" 2>&1
	RC=$?
	sed 's/^\([^#]\)/# (stderr) \1/' "$OUT"
	LPORT=$(sed -n 's/.*from local port \([0-9]*\).*/\1/p' "$OUT" | head -1)
	RESULT=$(grep '# client: RESULT' "$OUT" | tail -1 | sed 's/^# client: //')
}

# delta BEFORE AFTER NAME
delta() {
	awk -v k="$3" 'FNR == NR { if ($1 == k) b = $2; next }
		       $1 == k { print $2 - b }' "$1" "$2"
}

# violations_except BEFORE AFTER REASON: sum of the other violation deltas
violations_except() {
	awk -v k="violation_$3" 'FNR == NR { b[$1] = $2; next }
		$1 ~ /^violation_/ && $1 != k { s += $2 - b[$1] }
		END { print s + 0 }' "$1" "$2"
}

server_saw() {
	# server_saw PATTERN: the server logged PATTERN for client port LPORT
	[ -n "$LPORT" ] && grep -q "\]:$LPORT $1" "$SRVLOG"
}

show_server() {
	[ -n "$LPORT" ] && grep "\]:$LPORT " "$SRVLOG"
}

# show_conntrack: the router's entries for the client's port (evidence of
# what carried the flow after the helper killed it)
show_conntrack() {
	[ -n "$LPORT" ] || return 0
	ip netns exec "$router" conntrack -L -p tcp 2>/dev/null |
		grep -E "port=$LPORT( |$)" | sed 's/^/# conntrack: /'
}

# check_counters NAME REASON MIN: after an attack with the helper
check_counters() {
	local name=$1 reason=$2 min=${3:-1} v d o p g
	v=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" "violation_$reason")
	d=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" drops)
	o=$(violations_except "$TLSDIR/c.before" "$TLSDIR/c.after" "$reason")
	p=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" pickups)
	g=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" gaps)
	echo "# counters: violation_$reason +$v, drops +$d, other violations +$o, gaps +$g, pickups +$p"
	if [ "${v:-0}" -ge "$min" ] && [ "$d" = "$v" ] && [ "$o" = 0 ]; then
		log_pass "$name: violation_$reason +$v, drops +$d in the router"
	else
		log_fail "$name: counters violation_$reason +$v drops +$d other violations +$o"
	fi
}

# attack NAME FAMILY ATTACH REASON CUTSTEP SERVERPAT WHAT -- CLIENTARGS...
#   CUTSTEP: the client step the helper must cut; SERVERPAT: what the
#   server logs when the malicious bytes reach it ("" = not checked);
#   WHAT: what the attacker gets without the helper.
attack() {
	local name=$1 fam=$2 attach=$3 reason=$4 cut=$5 pat=$6 what=$7
	shift 8
	local t=$SECONDS

	selected "$name" || return 0
	echo "# --- $name ipv$fam: without the helper"
	helper_off
	run_client "$fam" "$@"
	cp "$OUT" "$TLSDIR/attack-baseline.out"
	show_server
	if [ "$RC" = 0 ] && { [ -z "$pat" ] || server_saw "$pat"; }; then
		log_pass "$name ipv$fam: without the helper the attack works ($what)"
	else
		log_fail "$name ipv$fam: without the helper the attack did not work ($RESULT, rc $RC)"
	fi

	echo "# --- $name ipv$fam: helper attached with $attach"
	helper_on "$attach" || { log_fail "$name: cannot attach the helper"; return; }
	snap_counters "$TLSDIR/c.before"
	run_client "$fam" "$@"
	snap_counters "$TLSDIR/c.after"
	show_server
	show_conntrack
	if [ "$RC" = 2 ] && grep -q "cut at step $cut " <<<"$RESULT"; then
		log_pass "$name ipv$fam: with the helper the client got nothing more: ${RESULT#RESULT }"
	else
		log_fail "$name ipv$fam: with the helper: $RESULT (rc $RC, wanted a cut at step $cut)"
	fi
	if [ -n "$pat" ]; then
		if server_saw "$pat"; then
			log_fail "$name ipv$fam: the malicious bytes reached the server through the helper"
		else
			log_pass "$name ipv$fam: the malicious bytes never reached the server"
		fi
	fi
	# (client-side attacks only: in hb_enc the server's answer is the attack)
	if [ -n "$pat" ] && ! grep -q "LEAKED" "$OUT" && show_server | grep -q "SECRET LEAKED"; then
		log_fail "$name ipv$fam: the server sent the secret towards the client after the kill (the client had stopped waiting)"
	fi
	if grep -q "LEAKED\|CLIENT-MASTER-KEY" "$OUT"; then
		log_fail "$name ipv$fam: the client got what it was after through the helper"
	fi
	check_counters "$name ipv$fam" "$reason"
	echo "# $name ipv$fam took $((SECONDS - t)) s"
}

# 1. Heartbleed in plaintext, right after the ClientHello.
attack hb_plain 4 iptables hb_length 2 "plaintext heartbeat type 1, record 11 bytes, payload_length 16384" \
	"the secret leaked" -- $PORT ch hbx
[ -n "$FAST" ] ||
	attack hb_plain 6 nft hb_length 2 "plaintext heartbeat type 1, record 11 bytes, payload_length 16384" \
		"the secret leaked" -- $PORT ch hbx

# 2. nmap's ssl-heartbleed (TLS 1.0, 1.1, 1.2: one connection each).
nmap_run() {
	ip netns exec "$client" timeout 120 nmap -Pn -n -sT -p $PORT \
		--script ssl-heartbleed --script-args vulns.showall 10.0.2.2 \
		>"$TLSDIR/nmap.out" 2>&1
	grep -E 'ssl-heartbleed|State:' "$TLSDIR/nmap.out" | sed 's/^/# nmap: /'
}
if selected nmap && nmap --version >/dev/null 2>&1; then
	t=$SECONDS
	echo "# --- nmap ssl-heartbleed ipv4: without the helper"
	helper_off
	n0=$(grep -c 'plaintext heartbeat type 1, record 22 bytes, payload_length 16384' "$SRVLOG")
	nmap_run
	n1=$(grep -c 'plaintext heartbeat type 1, record 22 bytes, payload_length 16384' "$SRVLOG")
	if grep -q 'State: VULNERABLE' "$TLSDIR/nmap.out" && [ "$n1" -gt "$n0" ]; then
		log_pass "nmap ipv4: without the helper nmap reports VULNERABLE"
	else
		log_fail "nmap ipv4: without the helper nmap does not report VULNERABLE"
		sed 's/^/# /' "$TLSDIR/nmap.out"
	fi
	echo "# --- nmap ssl-heartbleed ipv4: helper attached with iptables"
	helper_on iptables
	snap_counters "$TLSDIR/c.before"
	nmap_run
	sleep 2		# the client kernel retransmits after nmap has closed
	snap_counters "$TLSDIR/c.after"
	n2=$(grep -c 'plaintext heartbeat type 1, record 22 bytes, payload_length 16384' "$SRVLOG")
	if grep -q 'State: NOT VULNERABLE' "$TLSDIR/nmap.out" &&
	   ! grep -q 'State: VULNERABLE' "$TLSDIR/nmap.out"; then
		log_pass "nmap ipv4: with the helper nmap reports NOT VULNERABLE"
	else
		log_fail "nmap ipv4: with the helper nmap still sees the server vulnerable"
		sed 's/^/# /' "$TLSDIR/nmap.out"
	fi
	if [ "$n2" = "$n1" ]; then
		log_pass "nmap ipv4: none of nmap's heartbeats reached the server"
	else
		log_fail "nmap ipv4: $((n2 - n1)) of nmap's heartbeats reached the server through the helper"
		grep 'record 22 bytes, payload_length 16384' "$SRVLOG" | tail -n $((n2 - n1))
	fi
	check_counters "nmap ipv4" hb_length
	echo "# nmap took $((SECONDS - t)) s"
elif selected nmap; then
	log_skip "nmap ipv4: nmap not installed"
fi

# 2b. testssl.sh --heartbleed: after its own probes (the ServerHello must
# offer the heartbeat extension, a suite it sent and a certificate it can
# parse), a connection with a 3-byte heartbeat record, payload_length 16384.
# --warnings off: its first probe, an openssl s_client handshake, cannot
# complete against this stand-in server, and testssl would stop there; the
# heartbleed check itself uses testssl's own sockets.  testssl waits
# HEARTBLEED_MAX_WAITSOCK (8) s for the answer: 20 on a loaded TCG guest.
# testssl forks ~1800 processes (70 of them openssl) before it is done:
# minutes under TCG, more than 10 when the host is loaded, 21-23 on the
# debug kernel (hence both bounds times TIME_SCALE).
TS_HB='plaintext heartbeat type 1, record 3 bytes, payload_length 16384'
TS_LEAK='answering with 16403 bytes, SECRET LEAKED'
testssl_run() {
	rm -f "$TLSDIR/testssl.csv"
	ip netns exec "$client" env HEARTBLEED_MAX_WAITSOCK="$(scaled 20)" \
		timeout "$(scaled 1500)" \
		testssl --heartbleed --warnings off --color 0 --nodns min \
		--csvfile "$TLSDIR/testssl.csv" 10.0.2.2:$PORT >"$TLSDIR/testssl.out" 2>&1
	TSRC=$?
	TSRES=$(awk -F'","' '$1 == "\"heartbleed" { print $4 ": " $5 }' \
		"$TLSDIR/testssl.csv" 2>/dev/null)
	echo "# testssl: exit $TSRC, CSV heartbleed: ${TSRES:-none}"
	grep 'Heartbleed' "$TLSDIR/testssl.out" | sed 's/^ */# testssl: /'
}
if selected testssl && testssl --version >/dev/null 2>&1; then
	t=$SECONDS
	echo "# --- testssl --heartbleed ipv4: without the helper"
	helper_off
	n0=$(grep -c "$TS_HB" "$SRVLOG")
	l0=$(grep -c "$TS_LEAK" "$SRVLOG")
	testssl_run
	n1=$(grep -c "$TS_HB" "$SRVLOG")
	l1=$(grep -c "$TS_LEAK" "$SRVLOG")
	echo "# server: $((n1 - n0)) testssl heartbeats received, $((l1 - l0)) answered with the secret"
	if [ "$TSRES" = "CRITICAL: VULNERABLE" ] && [ "$n1" -gt "$n0" ] && [ "$l1" -gt "$l0" ]; then
		log_pass "testssl ipv4: without the helper testssl reports Heartbleed VULNERABLE"
	else
		log_fail "testssl ipv4: without the helper testssl does not report VULNERABLE (${TSRES:-no result})"
		sed 's/^/# /' "$TLSDIR/testssl.out"
	fi
	echo "# testssl without the helper took $((SECONDS - t)) s"
	echo "# --- testssl --heartbleed ipv4: helper attached with nft"
	t=$SECONDS
	helper_on nft
	snap_counters "$TLSDIR/c.before"
	testssl_run
	sleep 2		# the client kernel retransmits after testssl has closed
	snap_counters "$TLSDIR/c.after"
	n2=$(grep -c "$TS_HB" "$SRVLOG")
	l2=$(grep -c "$TS_LEAK" "$SRVLOG")
	echo "# server: $((n2 - n1)) testssl heartbeats received, $((l2 - l1)) answered with the secret"
	# not vulnerable because the answer never came, not because the
	# helper spoilt the handshakes ("no heartbeat extension")
	case $TSRES in
	"OK: not vulnerable"*"no heartbeat"*|*VULNERABLE*|"")
		log_fail "testssl ipv4: with the helper testssl says: ${TSRES:-no result}"
		sed 's/^/# /' "$TLSDIR/testssl.out" ;;
	"OK: not vulnerable"*)
		log_pass "testssl ipv4: with the helper testssl reports not vulnerable (${TSRES#OK: })" ;;
	*)
		log_fail "testssl ipv4: with the helper testssl says: $TSRES" ;;
	esac
	if [ "$n2" = "$n1" ] && [ "$l2" = "$l1" ]; then
		log_pass "testssl ipv4: its heartbeat never reached the server, nothing leaked"
	else
		log_fail "testssl ipv4: $((n2 - n1)) heartbeats reached the server, $((l2 - l1)) leaks sent"
	fi
	check_counters "testssl ipv4" hb_length
	echo "# testssl with the helper took $((SECONDS - t)) s"
elif selected testssl; then
	log_skip "testssl ipv4: testssl not installed"
fi

# 3. Encrypted Heartbleed: the request passes, the answer must not.
attack hb_enc 4 iptables hb_leak 3 "" "a 16416-byte heartbeat record with the secret" \
	-- $PORT ch ccs hbe

# 3b. Root cause check: the same attack when the router also drops packets
# that would create a conntrack entry without a SYN (mid-stream pickup).
if selected hb_enc; then
	echo "# --- hb_enc ipv4: helper attached, router drops mid-stream pickups (! --syn ctstate NEW)"
	helper_on iptables
	ip netns exec "$router" iptables -A FORWARD -p tcp ! --syn -m conntrack --ctstate NEW -j DROP
	snap_counters "$TLSDIR/c.before"
	run_client 4 $PORT ch ccs hbe
	snap_counters "$TLSDIR/c.after"
	show_conntrack
	if [ "$RC" = 2 ] && grep -q "cut at step 3 " <<<"$RESULT" && ! grep -q LEAKED "$OUT"; then
		log_pass "hb_enc+nopickup ipv4: the 16416-byte answer never reaches the client"
	else
		log_fail "hb_enc+nopickup ipv4: $RESULT (rc $RC)"
	fi
	check_counters "hb_enc+nopickup ipv4" hb_leak
	ip netns exec "$router" iptables -F FORWARD
fi

# 4. The plaintext heartbeat in 1-byte segments.
attack hb_split 6 iptables hb_length 2 "plaintext heartbeat type 1, record 11 bytes, payload_length 16384" \
	"the secret leaked" -- --split $PORT ch hbx

if selected hb_split; then
	segs=$(sed -n 's/.*the kernel sent \([0-9]*\) data segments.*/\1/p' "$TLSDIR/attack-baseline.out")
	if [ "${segs:-0}" -ge 16 ]; then
		log_pass "hb_split ipv6: the 16-byte heartbeat record left the client in $segs TCP segments"
	else
		log_fail "hb_split ipv6: the heartbeat record was not split (${segs:-?} data segments)"
	fi
fi

# 5. Plaintext tunnelled in application data, and the benign control.
attack lowrun 4 nft lowrun 6 "application data record, 4128 bytes" \
	"4096 ASCII bytes delivered inside application data" -- $PORT ch ccs r512 r512 r512 a4096 r512

if selected lowrun; then
	echo "# --- lowrun control ipv4: the same session with random data, helper attached"
	helper_on nft
	snap_counters "$TLSDIR/c.before"
	run_client 4 $PORT ch ccs r512 r512 r512 r4096 r512
	snap_counters "$TLSDIR/c.after"
	n=$(show_server | grep -c 'application data record')
	b=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" bytes)
	dr=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" drops)
	echo "# counters: bytes +$b, drops +$dr; the server got $n application data records"
	if [ "$RC" = 0 ] && [ "$n" = 5 ] && [ "$dr" = 0 ] && [ "${b:-0}" -ge 6000 ]; then
		log_pass "lowrun control ipv4: random application data passes entirely ($b bytes inspected, 0 drops)"
	else
		log_fail "lowrun control ipv4: benign session disturbed ($RESULT, $n records, drops +$dr)"
	fi
fi

# 6. SSLv2 messages from the wrong side.
attack sslv2_client 4 iptables sslv2_direction 1 "SSLv2 record, message type 4" \
	"the server received and answered an SSLv2 SERVER-HELLO from the client" -- $PORT v2sh
attack sslv2_server 4 iptables sslv2_direction 1 "" \
	"the client received a CLIENT-MASTER-KEY from the server" -- --expect-cmk $CMK_PORT v2ch:0x0301

# 7. Reordered segments hiding a heartbeat: a hand-made TCP client (raw
# socket); the kernel's RSTs for its port must not reach the server.
ip netns exec "$client" iptables -A OUTPUT -p tcp --dport $PORT --tcp-flags RST RST -j DROP
attack reorder 4 iptables hb_length 2 "plaintext heartbeat type 1, record 11 bytes, payload_length 16384" \
	"the secret leaked" -- --raw --reorder $PORT ch hbx
if selected reorder; then
	g=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" gaps)
	if [ "${g:-0}" -ge 1 ]; then
		log_pass "reorder ipv4: the segment beyond the hole was dropped (gaps +$g)"
	else
		log_fail "reorder ipv4: no gap counted (gaps +$g)"
	fi
fi

# 7b. After the kill: a bare ACK (conntrack picks the flow up again; the
# helper sees no data and accepts it), then the heartbeat bytes twice.
if selected pickup; then
	echo "# --- pickup ipv4: reordered heartbeat, then a bare ACK and the bytes twice, helper attached"
	helper_on iptables
	snap_counters "$TLSDIR/c.before"
	run_client 4 --raw --reorder --ack-resend $PORT ch hbx
	snap_counters "$TLSDIR/c.after"
	show_server
	show_conntrack
	p=$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" pickups)
	echo "# counters: pickups +$p, violation_hb_length +$(delta "$TLSDIR/c.before" "$TLSDIR/c.after" violation_hb_length)"
	if [ "$RC" = 2 ] && ! server_saw "plaintext heartbeat type 1"; then
		log_pass "pickup ipv4: the killed flow stays cut after a bare ACK and resent data"
	else
		log_fail "pickup ipv4: the killed flow came back through conntrack pickup: $RESULT"
	fi
fi
ip netns exec "$client" iptables -F OUTPUT

echo "# tls_attacks.sh took $((SECONDS - T0)) s"
exit $RET
