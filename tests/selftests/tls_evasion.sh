#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Classic TCP evasion: an attacker who controls the client completely (raw
# packets, peers/evasion.py) tries to get a Heartbleed record
# (18 03 02 00 03 01 40 00: payload_length 16384 in a 3-byte record) into
# the server application's recv() stream past the helper on the router.
# The server is a plain TCP recorder: it writes what recv() returns to a
# file, which is then read as TLS records from its start.
#
#   urgent             an urgent byte the server's stream leaves out
#   syn_data           bytes on the SYN, discarded by the server (no TFO);
#                      the helper drops such a SYN (handshake=1), the
#                      client's next SYN has none
#   syn_established    a SYN with data on the established flow
#   ttl_decoy          a decoy whose TTL expires at the hop after the router
#   old_ack_decoy      a decoy whose ACK is older than the server accepts
#   paws_decoy         a decoy whose timestamp PAWS makes the server drop
#   zerowin_decoy      a decoy sent while the server's window is zero
#   ts_wrap            benign: timestamps crossing 2^32 must pass whole
#                      (five records, no drop_*), through the helper only
#   md5_decoy          a decoy with a TCP MD5 option the server drops
#   ipv6_dstopt_decoy  a decoy with a discard-if-unknown destination option
#   ipv4_ts_decoy      a decoy with a full IPv4 timestamp option, overflow
#                      14: the router makes it 15, which the next host
#                      refuses (a source route would do only where routers
#                      accept them, not by default)
#   sslv2_then_tls     a TLS record right after an SSLv2-format hello
#   reseed_pickup      conntrack entry lost, then a SYN to re-seed the helper
#   after_kill         a killed flow goes on (no INVALID rule for this one)
#
# Each case runs once without the helper (a port with no CT rule): the
# Heartbleed record must reach the server's application, or the case FAILs
# (an attack that does not work proves nothing).  Then through the helper
# (iptables and nftables, after_kill iptables only; IPv4 and IPv6): the
# record must not reach it, and the helper's counters named for the case
# must have gone up in the router's /proc/net/nf_conntrack_tls.  In
# old_ack_decoy the decoy's ACK is raised (ack_raised): the server's
# application then holds the decoy, not the heartbeat.
#
# The router runs the default handshake=1.  Every byte the helper may
# inspect is valid at the handshake layer: the ClientHello offers TLS 1.3
# and early data, the decoys, fillers and benign records after it are
# application data records (0-RTT data), so each cut comes from the TCP
# rule the case is about, then the heartbeat rules (hb_length; hb_tls13 in
# zerowin_decoy, whose heartbeat follows early data).
#
#   client -- router (helper, ctstate INVALID dropped) -- hop -- server
#
# EVASION="NAME..." runs only those techniques (default: all);
# EVASION_FULL=1 attaches through iptables and nftables on both families
# (make check: IPv4 with iptables, IPv6 with nftables).
# Needs nf_conntrack_tls loaded (run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PY=/usr/bin/python3
PEER=$PEERS/evasion.py
PORT_OFF=8440		# no helper
PORT_IPT=8441		# iptables CT --helper tls
PORT_NFT=8442		# nftables ct helper
AK_OFF=8443		# after_kill without the helper: no INVALID rule
AK_IPT=8444		# after_kill with iptables: no INVALID rule
TECHNIQUES="urgent syn_data syn_established ttl_decoy old_ack_decoy paws_decoy"
TECHNIQUES+=" zerowin_decoy ts_wrap md5_decoy"
TECHNIQUES+=" ipv6_dstopt_decoy ipv4_ts_decoy sslv2_then_tls reseed_pickup after_kill"
EVASION=${EVASION:-all}

for t in $EVASION; do
	[ "$t" = all ] || [[ " $TECHNIQUES " == *" $t "* ]] ||
		{ echo "FAIL: EVASION: no technique '$t' (techniques: $TECHNIQUES)"; exit 1; }
done
selected() { [ "$EVASION" = all ] || [[ " $EVASION " == *" $1 "* ]]; }

require_module
checktool "$PY -c 'import socket, select, threading'" "run $PY"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"
checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
checktool "od --version" "run od"

RECDIR=$TLSDIR/evasion
rm -rf "$RECDIR"
mkdir -p "$RECDIR"
RECLOG=$RECDIR/recorder.log
trap cleanup_ns EXIT
T0=$SECONDS

setup_topology_hop || { log_fail "cannot build the namespaces"; exit 1; }
echo "# namespaces took $((SECONDS - T0)) s"

# (few ip netns exec: each costs up to a second on a loaded guest)
# client: its kernel knows none of the raw client's connections and would
# reset each; the raw client itself sends no RST
ip netns exec "$client" sh -c '
	iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP &&
	ip6tables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP' ||
	{ log_fail "cannot drop the client kernel's RSTs"; exit 1; }
# router: the README's deployment; the after_kill ports are exempt from the
# INVALID rule, to show that the helper alone keeps a killed flow dead.
# The handshake layer stays on (handshake=1, the default).
{ attach_iptables "$router" $PORT_IPT,$AK_IPT && attach_nft "$router" $PORT_NFT &&
  drop_invalid "$router" &&
  ip netns exec "$router" sh -c "
	iptables -I FORWARD 1 -p tcp -m multiport --ports $AK_OFF,$AK_IPT -j ACCEPT &&
	ip6tables -I FORWARD 1 -p tcp -m multiport --ports $AK_OFF,$AK_IPT -j ACCEPT &&
	sysctl net.netfilter.nf_conntrack_tcp_loose net.netfilter.nf_conntrack_tls_ttl_floor \
		net.netfilter.nf_conntrack_tls_dead_timeout \
		net.netfilter.nf_conntrack_tls_handshake 2>&1 | sed 's/^/# router: /'"; } ||
	{ log_fail "cannot set up the router"; exit 1; }
# server: Fast Open as by default (1, client only): no SYN data accepted
ip netns exec "$server" sysctl net.ipv4.tcp_fastopen net.ipv4.tcp_stdurg | sed 's/^/# server: /'

echo "# namespaces and rules took $((SECONDS - T0)) s"

ip netns exec "$server" "$PY" -u "$PEER" record "$RECDIR" \
	$PORT_OFF $PORT_IPT $PORT_NFT $AK_OFF $AK_IPT >"$RECLOG" 2>&1 &
RECORDER_PID=$!
# a process that lives in the router, whose /proc/PID/net shows the router's
# counters without an ip netns exec per read
ip netns exec "$router" sleep 100000 &
ROUTER_PID=$!
# the raw client: one process for every case, commands on its stdin
# (bash unsets CLIENT when the coprocess exits: keep the numbers)
coproc CLIENT { ip netns exec "$client" "$PY" -u "$PEER" client 2>&1; }
CLIENT_JOB=$CLIENT_PID CLIENT_OUT=${CLIENT[0]} CLIENT_IN=${CLIENT[1]}
wait_port "$server" $AK_IPT || { log_fail "the recorder did not start"; exit 1; }
echo "# setup took $((SECONDS - T0)) s"

# stop_peers: the client reads its last command, the recorder is stopped
# (and both reaped, so that bash reports no killed job)
stop_peers() {
	local i
	exec {CLIENT_IN}>&-
	for i in $(seq 50); do
		kill -0 "$CLIENT_JOB" 2>/dev/null || break
		sleep 0.1
	done
	kill "$CLIENT_JOB" "$RECORDER_PID" "$ROUTER_PID" 2>/dev/null
	wait "$CLIENT_JOB" "$RECORDER_PID" "$ROUTER_PID" 2>/dev/null
}

# ----------------------------------------------------------------- helpers

# tls_records FILE: the records of FILE read from its start as a TLS
# server does (an SSLv2 2-byte-header record first if its first byte has
# the high bit set), one word each: TYPE/VERSION/LENGTH, with :HEARTBLEED
# for a heartbeat request whose payload_length + 3 + 16 exceeds its record
# and :decoy for evasion.py's DECOY record (application data, "DCY")
tls_records() {
	[ -s "$1" ] || { echo "(nothing)"; return; }
	od -An -v -tu1 "$1" | awk '
	{ for (k = 1; k <= NF; k++) b[n++] = $k }
	END {
		i = 0
		if (b[0] >= 128 && n >= 2) {
			len = (b[0] - 128) * 256 + b[1]
			printf "sslv2/%d ", len
			i = 2 + len
		}
		while (i < n) {
			if (i + 5 > n) { printf "(partial header)"; break }
			t = b[i]; len = b[i + 3] * 256 + b[i + 4]; d = ""
			if (t < 20 || t > 24 || b[i + 1] != 3) { printf "(not TLS: byte %d)", t; break }
			if (t == 24 && len >= 3 && i + 8 <= n && b[i + 5] == 1) {
				pl = b[i + 6] * 256 + b[i + 7]
				d = pl + 19 > len ? ":HEARTBLEED(payload_length " pl ")" : ":heartbeat"
			}
			if (t == 23 && len == 3 && b[i + 5] == 68 && b[i + 6] == 67 && b[i + 7] == 89)
				d = ":decoy"
			printf "%d/0x03%02x/%d%s ", t, b[i + 2], len, d
			i += 5 + len
			if (i > n) printf "(truncated)"
		}
		print ""
	}'
}

# client_run TECHNIQUE: the command for the current case to the client,
# its output shown; at "# pause:" runs pause_TECHNIQUE and lets it go on
# (few forks per case from here on: each costs ~0.3 s under TCG, seconds
# on a loaded host)
CLIENT_TIMEOUT=$(scaled 60)
client_run() {
	local line
	echo "$1 $ADDR $DPORT $SPORT" >&"$CLIENT_IN"
	while read -r -t "$CLIENT_TIMEOUT" -u "$CLIENT_OUT" line; do
		echo "$line"
		case $line in
		"# pause: "*) "pause_$1"; echo go >&"$CLIENT_IN" ;;
		"# end "*) return 0 ;;
		esac
	done
	log_fail "$CASE: no answer from the client"
	return 1
}

# reseed_pickup: the router forgets the flow while both ends still have it
pause_reseed_pickup() {
	ip netns exec "$router" conntrack -D -f "ipv$FAM" -p tcp --orig-port-src "$SPORT" 2>&1 |
		sed 's/^/# router: /'
}

# after_kill: TCP segments the server's kernel received so far (Tcp
# InSegs in the recorder's /proc/PID/net/snmp; both families count there).
# Only the case's flow is active: the recorder never sends, so no earlier
# flow has anything to answer or retransmit.
server_segments() {
	local line
	local -a tcp
	while read -r line; do
		[[ $line == "Tcp: "[0-9]* ]] && read -r -a tcp <<<"$line"
	done <"/proc/$RECORDER_PID/net/snmp"
	echo "${tcp[10]}"
}
pause_after_kill() { AK_BEFORE=$(server_segments); }

# snap ARRAY: the router's /proc/net/nf_conntrack_tls into the associative
# ARRAY (read through a process of the router's, without a fork)
snap() {
	local -n into=$1
	local k v
	into=()
	while read -r k v; do
		into[$k]=$v
	done <"/proc/$ROUTER_PID/net/nf_conntrack_tls"
}
declare -A C_BEFORE C_AFTER

# settle: until the recorder has written all that the server's TCP took
# on the case's connection: its receive queue (in the recorder's own
# /proc/PID/net/tcp6; IPv4 peers are mapped there) is empty
settle() {
	local port i sl loc rem st queue rest q
	printf -v port '%04X' "$SPORT"
	for ((i = 0; i < SETTLE_TRIES; i++)); do
		q=0
		while read -r sl loc rem st queue rest; do
			[[ $rem == *:$port ]] && q=$((16#${queue#*:}))
		done <"/proc/$RECORDER_PID/net/tcp6"
		[ "$q" = 0 ] && return 0
		sleep 0.1
	done
	echo "# the recorder did not read $q bytes"
}
SETTLE_TRIES=$(scaled 50)

# delta NAME: NAME's increase in the router's counters during the case
delta() {
	if [ -z "${C_AFTER[$1]}" ]; then
		echo missing
	else
		echo $((C_AFTER[$1] - ${C_BEFORE[$1]:-0}))
	fi
}

# dead_entry: the router's conntrack entry of the case's flow, then the
# dead_timeout knob (one ip netns exec)
dead_entry() {
	ip netns exec "$router" sh -c "
		conntrack -L -f ipv$FAM -p tcp --orig-port-src $SPORT 2>/dev/null
		sysctl -n net.netfilter.nf_conntrack_tls_dead_timeout 2>/dev/null"
}

# ------------------------------------------------------------------- cases

NEXT_SPORT=20001
# take_sport TECHNIQUE: SPORT for the next case; the recorder holds back
# connections from ports ending in 9, which only zerowin_decoy wants
take_sport() {
	while { [ "$1" = zerowin_decoy ] && [ $((NEXT_SPORT % 10)) != 9 ]; } ||
	      { [ "$1" != zerowin_decoy ] && [ $((NEXT_SPORT % 10)) = 9 ]; }; do
		NEXT_SPORT=$((NEXT_SPORT + 1))
	done
	SPORT=$NEXT_SPORT
	NEXT_SPORT=$((NEXT_SPORT + 1))
}
COUNTERS_urgent="drop_urgent"
COUNTERS_syn_data="drop_fastopen violation_hb_length"
COUNTERS_syn_established="drop_syn_data violation_hb_length"
COUNTERS_ttl_decoy="drop_low_ttl violation_hb_length"
COUNTERS_old_ack_decoy="ack_raised"
COUNTERS_paws_decoy="drop_paws violation_hb_length"
COUNTERS_zerowin_decoy="drop_window violation_hb_tls13"
COUNTERS_md5_decoy="drop_tcp_options violation_hb_length"
COUNTERS_ipv6_dstopt_decoy="drop_ip_options violation_hb_length"
COUNTERS_ipv4_ts_decoy="drop_ip_options violation_hb_length"
COUNTERS_sslv2_then_tls="violation_sslv2_early"
COUNTERS_reseed_pickup="pickups"
COUNTERS_after_kill="violation_hb_length drop_dead"

# run_case TECHNIQUE FAMILY off|iptables|nft
# exchange TECHNIQUE: run the client against ADDR (from FAM) DPORT, wait
# for the router to settle, snapshot its counters around it (C_BEFORE,
# C_AFTER) and set REC to the records the server's application received
exchange() {
	[ "$FAM" = 6 ] && ADDR=fd00:3::2 || ADDR=10.0.3.2
	echo "# --- $CASE: port $SPORT -> $DPORT"
	snap C_BEFORE
	client_run "$1" || return
	settle
	snap C_AFTER
	REC=$(tls_records "$RECDIR/rec-$SPORT")
	echo "# the server's application received: $REC"
}

run_case() {
	local tech=$1 mode=$3 t=$SECONDS rec c d counters
	FAM=$2
	take_sport "$tech"
	case $mode in
	off) DPORT=$PORT_OFF; CASE="$tech ipv$FAM without the helper" ;;
	iptables) DPORT=$PORT_IPT; CASE="$tech ipv$FAM with the helper (iptables)" ;;
	nft) DPORT=$PORT_NFT; CASE="$tech ipv$FAM with the helper (nftables)" ;;
	esac
	if [ "$tech" = after_kill ]; then
		[ "$mode" = off ] && DPORT=$AK_OFF || DPORT=$AK_IPT
	fi
	exchange "$tech" || return
	rec=$REC
	if [ "$mode" = off ]; then
		if [[ $rec == *HEARTBLEED* ]]; then
			log_pass "$CASE: the Heartbleed record reached the server's application"
		else
			log_fail "$CASE: the attack did not work, the server's application got: $rec"
		fi
	elif [[ $rec == *HEARTBLEED* ]]; then
		log_fail "$CASE: the Heartbleed record reached the server's application"
	else
		log_pass "$CASE: the Heartbleed record never reached the server's application"
	fi
	if [ "$mode" != off ]; then
		counters=COUNTERS_$tech
		for c in ${!counters}; do
			d=$(delta "$c")
			if [ "$d" != missing ] && [ "$d" -gt 0 ]; then
				log_pass "$CASE: $c +$d"
			else
				log_fail "$CASE: $c +${d/missing/? (no such counter)}"
			fi
		done
	fi
	"extra_$tech" "$mode" "$rec"
	echo "# $CASE took $((SECONDS - t)) s"
}

extra_urgent() { :; }
extra_ttl_decoy() { :; }
extra_syn_data() { :; }
extra_syn_established() { :; }
extra_md5_decoy() { :; }
extra_paws_decoy() { :; }
extra_zerowin_decoy() { :; }
extra_ipv6_dstopt_decoy() { :; }
extra_ipv4_ts_decoy() { :; }
extra_sslv2_then_tls() { :; }
extra_reseed_pickup() { :; }

# old_ack_decoy: the ACK raised, the server keeps the decoy and drops the
# heartbeat as a duplicate
extra_old_ack_decoy() {
	[ "$1" = off ] && return
	if [[ $2 == *:decoy* ]]; then
		log_pass "$CASE: the server's application got the decoy"
	else
		log_fail "$CASE: the decoy never reached the server's application"
	fi
}

# after_kill: nothing of the flow reaches the server from the heartbeat on,
# and the killed entry stays (a dead timeout, not ESTABLISHED's 5 days)
extra_after_kill() {
	local n entry tmo dead
	n=$(( $(server_segments) - ${AK_BEFORE:-0} ))
	if [ "$1" = off ]; then
		echo "# without the helper the server received $n TCP segments from the heartbeat on"
		return
	fi
	if [ "$n" = 0 ]; then
		log_pass "$CASE: the server received no TCP segment from the heartbeat on"
	else
		log_fail "$CASE: the server received $n TCP segments after the heartbeat"
	fi
	entry=$(dead_entry)
	grep '^tcp' <<<"$entry" | sed 's/^/# router: conntrack: /'
	tmo=$(awk '/^tcp/ { print $3; exit }' <<<"$entry")
	dead=$(grep -x '[0-9]*' <<<"$entry")
	if [ -n "$tmo" ] && [ -n "$dead" ] && [ "$tmo" -le "$dead" ]; then
		log_pass "$CASE: the killed flow's entry stays, timeout $tmo s (dead_timeout $dead)"
	else
		log_fail "$CASE: no dead entry for the flow (timeout ${tmo:-none}, dead_timeout ${dead:-none})"
	fi
}

# benign_case TECHNIQUE FAMILY: through the helper (iptables), the flow's
# records all reach the server's application and no drop_* goes up
benign_case() {
	local tech=$1 rec n k bad=""
	FAM=$2
	take_sport "$tech"
	DPORT=$PORT_IPT
	CASE="$tech ipv$FAM with the helper (iptables)"
	exchange "$tech" || return
	rec=$REC
	n=$(wc -w <<<"$rec")
	if [ "$n" = 5 ] && [[ $rec != *"("* ]]; then
		log_pass "$CASE: all 5 records reached the server's application"
	else
		log_fail "$CASE: the server's application got $rec"
	fi
	for k in "${!C_AFTER[@]}"; do
		[[ $k == drop_* || $k == drops ]] && [ "$(delta "$k")" != 0 ] &&
			bad+=" $k +$(delta "$k")"
	done
	if [ -z "$bad" ]; then
		log_pass "$CASE: nothing dropped"
	else
		log_fail "$CASE: dropped:$bad"
	fi
}

for tech in $TECHNIQUES; do
	selected "$tech" || continue
	if [ "$tech" = ts_wrap ]; then
		benign_case "$tech" 4
		benign_case "$tech" 6
		continue
	fi
	case $tech in
	ipv6_dstopt_decoy) fams=6 ;;
	ipv4_ts_decoy) fams=4 ;;
	*) fams="4 6" ;;
	esac
	for fam in $fams; do
		run_case "$tech" "$fam" off
		# make check: IPv4 through iptables, IPv6 through nftables (a
		# technique for one family gets both); EVASION_FULL=1: both
		# attachments on both families
		if [ "${EVASION_FULL:-}" = 1 ] || [ "$fams" != "4 6" ] ||
		   [ "$fam" = 4 ] || [ "$tech" = after_kill ]; then
			run_case "$tech" "$fam" iptables
		fi
		# after_kill has ports of its own, without the INVALID rule
		if [ "$tech" != after_kill ] &&
		   { [ "${EVASION_FULL:-}" = 1 ] || [ "$fams" != "4 6" ] ||
		     [ "$fam" = 6 ]; }; then
			run_case "$tech" "$fam" nft
		fi
	done
done

stop_peers
echo "# tls_evasion.sh took $((SECONDS - T0)) s"
exit $RET
