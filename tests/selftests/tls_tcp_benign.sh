#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benign TCP behaviours that look like the evasion techniques the helper
# drops (URG, odd SYNs, data after FIN, old ACKs, holes, SYN data) must pass
# intact, IPv4 and IPv6, through the helper on the router (iptables, both
# ports) with the README's INVALID rule:
#
#   loss      netem loss 5% on the router's egress both ways (after the
#             helper), segmentation offload off: a TLS 1.3 download
#             (s_server -WWW -> curl) and upload (Python ssl); retransmits
#             > 0 each
#   reorder   netem reordering (delay 5ms reorder 25% 50%) on the client's
#             and the server's egress (before the helper): the download, the
#             upload and a bidirectional bulk exchange (both sides send at
#             once, so the client's data segments carry rising ACKs, and a
#             reordered one an old ACK, which the helper raises: ack_raised);
#             gaps (segments beyond a hole, dropped by design) > 0 allowed,
#             no drop_* at all
#   bidir     the bidirectional exchange without netem (veth and two CPUs
#             reorder a little on their own)
#   tfo       TCP Fast Open (tcp_fastopen=3), the router with handshake=1
#             (default): a cookie, then SYN data dropped (drop_fastopen +1),
#             the client's plain SYN retransmitted and its data sent after
#             the handshake, intact; then with handshake=0 (record layer
#             only, which takes SYN data): SYN data
#             accepted (TCP_INFO at both ends; the SYN the server accepted
#             the connection from carried the data: TCP_SAVED_SYN); the
#             SYN-ACK lost twice after the router (the client retransmits a
#             plain SYN with its ISN; again with the server sending data
#             at once, then repeating its SYN-ACK); the SYN with data lost
#             after the router (a plain SYN again, data not taken: syn_data_rejected);
#             a server with tcp_fastopen=0 and a client forcing SYN data
#             without a cookie (tcp_fastopen=5): syn_data_rejected
#   halfclose the client sends and shuts its write side (FIN), then the
#             server sends 2 MiB: no drop_after_fin
#   keepalive keepalive probes (seq = snd_nxt - 1, no data) on an idle flow
#   zerowin   a slow reader behind a 4 KiB receive buffer: the window closes,
#             zero-window probes
#   twreuse   the same client port again right after its TIME_WAIT
#             (tcp_tw_reuse=1): conntrack reopens the entry, a new flow
#   synloss   a plain SYN, then a plain SYN-ACK, lost after the router
#
# The synthetic peers (peers/tcp_benign.py, one long-lived process per
# side) send TLS-shaped streams (a handshake record, a CCS, application-data
# records of random bytes); the server sends back the SHA-256 of what it
# read, both sides report the SHA-256 of what they sent and got.  Each step
# passes only if everything arrived intact, and the router's counters show
# no violation, no `drops` and no drop_*; the counter deltas of every step
# are printed ("# STEP: ...").
#
# CASES="NAME..." (default all), FAMILIES (default "4 6"), SIZE_MB (the
# TLS transfers, default 1; the bidirectional exchanges move half of it
# each way under reordering, all of it without), DBG_PCAP (a file: the
# first 200 bytes of every packet on the router's client side are
# captured there).  About 3 minutes in a TCG guest on an idle 2-core
# host, 5 on a loaded one.  Needs nf_conntrack_tls loaded (run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
TLSDIR=${TLSDIR:-/tmp/tls-selftest}/tcp-benign
source "$SELFTESTS/lib.sh"

PY=/usr/bin/python3
PEER=$PEERS/tcp_benign.py
PORT=4433		# synthetic streams, TCP Fast Open
P_SLOW=4434		# synthetic, 4 KiB receive buffer
P_TLS=4435		# TLS 1.3 upload sink (Python ssl)
P_WWW=4436		# openssl s_server -WWW
SIZE_MB=${SIZE_MB:-1}
FAMILIES=${FAMILIES:-4 6}
ALL_CASES="loss reorder bidir tfo halfclose keepalive zerowin twreuse synloss"
CASES=${CASES:-all}
for c in $CASES; do
	[ "$c" = all ] || [[ " $ALL_CASES " == *" $c "* ]] ||
		{ echo "FAIL: CASES: no case '$c' (cases: $ALL_CASES)"; exit 1; }
done
selected() { [ "$CASES" = all ] || [[ " $CASES " == *" $1 "* ]]; }

require_module
checktool "test -x $PY" "run $PY"
checktool "openssl version" "run openssl"
checktool "curl --version" "run curl"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"
checktool "tc -V" "run tc"
checktool "ethtool --version" "run ethtool"

cleanup() {
	[ -z "${CLIENT_IN:-}" ] || exec {CLIENT_IN}>&-
	cleanup_ns
	wait 2>/dev/null
	rm -rf "$TLSDIR"
}
trap cleanup EXIT
rm -rf "$TLSDIR"
mkdir -p "$TLSDIR" || exit 1
make_cert || { log_fail "cannot create a certificate"; exit 1; }
want_down=$(random_file "$TLSDIR/big.bin" "$SIZE_MB")
want_up=$(random_file "$TLSDIR/up.bin" "$SIZE_MB")
T_ALL=$SECONDS

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
[ -z "${DBG_PCAP:-}" ] || { ip netns exec "$router" tcpdump -q -s 200 -i r0 -w "$DBG_PCAP" & sleep 2; }
{ attach_iptables "$router" $PORT,$P_SLOW,$P_TLS,$P_WWW && drop_invalid "$router"; } ||
	{ log_fail "cannot attach the helper"; exit 1; }
ip netns exec "$router" sysctl net.netfilter.nf_conntrack_tls_ttl_floor \
	net.netfilter.nf_conntrack_tls_gap | sed 's/^/# router: /'

# Every process costs a second or two on an emulated guest sharing its
# host: the checks below read /proc/PID/net of a process in each namespace
# (a sleep in the router's, the peers in the others) with bash builtins.
ip netns exec "$router" sleep 100000 &
R_PID=$!
mkfifo "$TLSDIR/nap" || { log_fail "cannot make a fifo"; exit 1; }
exec {NAP_FD}<>"$TLSDIR/nap"
nap() { read -r -t "$1" -u "$NAP_FD" _; }

# the peers: the server in the background, the client reading commands
SRV_OUT=$TLSDIR/server.out
ip netns exec "$server" "$PY" -u "$PEER" serve $PORT "$TLSDIR/cert.pem" \
	"$TLSDIR/key.pem" >"$SRV_OUT" 2>&1 &
coproc CLIENT { exec ip netns exec "$client" "$PY" -u "$PEER" client 2>"$TLSDIR/client.err"; }
C_PID=$CLIENT_PID
exec {CLIENT_OUT}<&"${CLIENT[0]}" {CLIENT_IN}>&"${CLIENT[1]}"
read -r -t "$(scaled 120)" -u "$CLIENT_OUT" line
{ [ "$line" = "client: ready" ] && wait_port "$server" $P_TLS; } ||
	{ log_fail "the peers did not start: $line $(cat "$SRV_OUT" "$TLSDIR/client.err")"; exit 1; }
echo "# setup took $((SECONDS - T_ALL)) s"

# --- counters -------------------------------------------------------------

# snap FILE: the router's helper counters and ct_invalid (packets
# conntrack found INVALID, which the INVALID rule drops: the sum of the
# per-CPU column of /proc/net/stat/nf_conntrack)
snap() {
	local hdr row i col=-1 inv=0
	{
		while read -r line; do echo "$line"; done <"/proc/$R_PID/net/nf_conntrack_tls"
		{
			read -r -a hdr
			for i in "${!hdr[@]}"; do [ "${hdr[$i]}" = invalid ] && col=$i; done
			while read -r -a row; do
				[ "$col" -ge 0 ] && inv=$((inv + 16#${row[$col]}))
			done
		} <"/proc/$R_PID/net/stat/nf_conntrack"
		echo "ct_invalid $inv"
	} >"$1"
}

# case_begin NAME: counters before the step NAME
case_begin() {
	CASE=$1
	BEFORE=$TLSDIR/$CASE.before
	AFTER=$TLSDIR/$CASE.after
	snap "$BEFORE"
	T_CASE=$SECONDS
}

# case_end [ALLOWED_DROP...]: counters after the step: sets D_NAME to the
# change of each counter, prints the interesting ones, and fails (D_BAD)
# on any change of drops, drop_*, violation_*, audited, pickups, gap_stops,
# except the drop_* named ALLOWED
case_end() {
	snap "$AFTER"
	eval "$(awk -v allowed=" $* " '
		FNR == NR { b[$1] = $2; next }
		$1 ~ /^[a-z_0-9]+$/ {
			d = $2 - b[$1]
			printf "D_%s=%d\n", $1, d
			if (d && $1 ~ /^(drop_.*|violation_.*|audited|pickups|gap_stops)$/) {
				list = list " " $1 "=" d
				if (!($1 ~ /^drop_/ && index(allowed, " " $1 " ")))
					bad = bad " " $1 "=" d
			}
		}
		END { printf "D_LIST=\"%s\"\nD_BAD=\"%s\"\n", list, bad }' "$BEFORE" "$AFTER")"
	[ "$D_drops" = 0 ] || D_BAD+=" drops=$D_drops"
	echo "# $CASE: flows=$D_flows bytes=$D_bytes retransmits=$D_retransmits gaps=$D_gaps" \
		"syn_data_rejected=$D_syn_data_rejected drops=$D_drops ct_invalid=$D_ct_invalid$D_LIST" \
		"($((SECONDS - T_CASE)) s)"
	[ -z "$D_BAD" ]
}

# helper_check LABEL [ALLOWED_DROP...]: PASS/FAIL on case_end
helper_check() {
	local label=$1
	shift
	if case_end "$@"; then
		log_pass "$label: helper dropped nothing"
	else
		log_fail "$label: helper dropped:$D_BAD"
	fi
}

# --- peers ----------------------------------------------------------------

# kv VAR LINE KEY: VAR = the VALUE of KEY=VALUE in LINE
kv() {
	local - w
	set -f
	printf -v "$1" %s ""
	for w in $2; do
		[[ $w == "$3="* ]] && { printf -v "$1" %s "${w#*=}"; return 0; }
	done
	return 1
}

# conn ID PORT ARGS...: one connection to $SADDR made by the client peer;
# its result line in $CLINE
conn() {
	local id=$1 port=$2
	shift 2
	echo "$id $SADDR $port $*" >&"$CLIENT_IN"
	CLINE=""
	read -r -t "$(scaled 200)" -u "$CLIENT_OUT" CLINE
}

# srv_line PATTERN: the server peer's first line matching the glob PATTERN
# in $SLINE (it prints it once the connection is closed: wait up to 10 s)
srv_line() {
	local i l
	for ((i = 0; i < $(scaled 50); i++)); do
		while IFS= read -r l; do
			# shellcheck disable=SC2053
			[[ $l == $1 ]] && { SLINE=$l; return 0; }
		done <"$SRV_OUT"
		nap 0.2
	done
	SLINE=""
	return 1
}

# peer_conn LABEL ID PORT ARGS...: one synthetic connection; PASS if the
# client's stream arrived as sent (sent = in = echoed) and the server's too
# (out = got)
peer_conn() {
	local label=$1 id=$2 sent got in out echoed
	shift 2
	conn "$id" "$@"
	srv_line "id=$id *"
	kv sent "$CLINE" sent; kv got "$CLINE" got; kv echoed "$CLINE" echoed
	kv in "$SLINE" in; kv out "$SLINE" out
	if [ -n "$sent" ] && [ "$sent" = "$in" ] && [ "$sent" = "$echoed" ] &&
	   [ -n "$got" ] && [ "$got" = "$out" ]; then
		log_pass "$label: both streams intact"
	else
		log_fail "$label: streams differ or cut (client: ${CLINE:-nothing}; server: ${SLINE:-nothing})"
	fi
}

# tls_download LABEL: s_server -WWW -> curl, TLS 1.3, $SIZE_MB MiB
tls_download() {
	local url="https://$SADDR:$P_WWW/big.bin" got PORT=$P_WWW
	[ "$fam" = 6 ] && url="https://[$SADDR]:$P_WWW/big.bin"
	serve_www "$fam" 1 "$(scaled 150)" || { log_fail "$1: server did not start"; return; }
	got=$(ip netns exec "$client" curl -sk --max-time "$(scaled 120)" "$url" | sha256sum)
	wait "$SERVER_PID" 2>/dev/null
	if [ "$got" = "$want_down" ]; then
		log_pass "$1: ${SIZE_MB} MiB TLS download intact"
	else
		log_fail "$1: TLS download corrupted or cut"
	fi
}

# tls_upload LABEL: the client peer's TLS 1.3 upload of $SIZE_MB MiB to
# the server peer
TLS_N=0
tls_upload() {
	local sent
	TLS_N=$((TLS_N + 1))
	conn "tls$TLS_N" $P_TLS --tls "$TLSDIR/up.bin"
	kv sent "$CLINE" sent
	# the server's lines for these have no id: take the TLS_N-th
	tls_line "$TLS_N"
	if [ "$sent  -" = "$want_up" ] && [ "${SLINE#tls in=}  -" = "$want_up" ]; then
		log_pass "$1: ${SIZE_MB} MiB TLS upload intact"
	else
		log_fail "$1: TLS upload corrupted or cut (client: ${CLINE:-nothing}; server: ${SLINE:-nothing})"
	fi
}

# tls_line N: the server peer's N-th "tls in=" line in $SLINE
tls_line() {
	local i n l
	for ((i = 0; i < $(scaled 50); i++)); do
		n=0
		while IFS= read -r l; do
			[[ $l == "tls in="* ]] && n=$((n + 1)) && [ $n = "$1" ] &&
				{ SLINE=$l; return 0; }
		done <"$SRV_OUT"
		nap 0.2
	done
	SLINE=""
	return 1
}

# time_wait PID PORT: a TCP socket of PID's namespace with local port PORT
# is in TIME_WAIT (state 06 in /proc/net/tcp, tcp6)
time_wait() {
	local hex f local_addr st
	printf -v hex %04X "$2"
	for f in tcp tcp6; do
		while read -r _ local_addr _ st _; do
			[ "${local_addr##*:}" = "$hex" ] && [ "$st" = 06 ] && return 0
		done <"/proc/$1/net/$f"
	done
	return 1
}

# --- cases ----------------------------------------------------------------

netem_off() {
	ip netns exec "$router" sh -c 'tc qdisc del dev r0 root; tc qdisc del dev r1 root' 2>/dev/null
	ip netns exec "$client" tc qdisc del dev c0 root 2>/dev/null
	ip netns exec "$server" tc qdisc del dev s0 root 2>/dev/null
}

# gso on|off: segmentation offload of the client's and the server's veth
gso() {
	ip netns exec "$client" ethtool -K c0 tso "$1" gso "$1" >/dev/null &&
	ip netns exec "$server" ethtool -K s0 tso "$1" gso "$1" >/dev/null
}

case_loss() {
	local n="loss ipv$fam" r
	# one packet per segment, not 64 KiB skbs: 5% of a few hundred
	# packets, so that some are surely lost
	{ gso off && ip netns exec "$router" sh -c '
		tc qdisc add dev r1 root netem loss 5% &&
		tc qdisc add dev r0 root netem loss 5%'; } ||
		{ log_fail "$n: cannot add netem"; netem_off; gso on; return; }
	case_begin "loss$fam-download"
	tls_download "$n"
	helper_check "$n download"
	r=$D_retransmits
	case_begin "loss$fam-upload"
	tls_upload "$n"
	helper_check "$n upload"
	netem_off
	gso on
	if [ "$r" -gt 0 ] && [ "$D_retransmits" -gt 0 ]; then
		log_pass "$n: router counted $r/$D_retransmits retransmits (download/upload: lost after the helper)"
	else
		log_fail "$n: retransmits $r/$D_retransmits (download/upload): netem lost nothing?"
	fi
}

case_reorder() {
	local n="reorder ipv$fam" bulk=$((SIZE_MB << 19)) g gsum
	{ ip netns exec "$client" tc qdisc add dev c0 root netem delay 5ms reorder 25% 50% &&
	  ip netns exec "$server" tc qdisc add dev s0 root netem delay 5ms reorder 25% 50%; } ||
		{ log_fail "$n: cannot add netem"; netem_off; return; }
	case_begin "reorder$fam-download"
	tls_download "$n"
	helper_check "$n download"
	g=$D_gaps gsum=$D_gaps
	case_begin "reorder$fam-upload"
	tls_upload "$n"
	helper_check "$n upload"
	g+=/$D_gaps gsum=$((gsum + D_gaps))
	# both sides send at once: the client's data segments carry rising
	# ACKs, and the reordering puts a higher one before a lower one
	case_begin "reorder$fam-bidir"
	peer_conn "$n bidirectional, $((bulk >> 10)) KiB each way" "reorder$fam" $PORT \
		--send $bulk --srv-send $bulk --srv-concurrent
	helper_check "$n bidirectional"
	netem_off
	g+=/$D_gaps gsum=$((gsum + D_gaps))
	if [ "$gsum" -gt 0 ]; then
		log_pass "$n: gaps $g (download/upload/bidirectional): segments beyond a hole dropped, resent"
	else
		log_fail "$n: gaps $g (download/upload/bidirectional): netem reordered nothing?"
	fi
}

case_bidir() {
	local n="bidir ipv$fam" bulk=$((SIZE_MB << 20))
	case_begin "bidir$fam"
	peer_conn "$n, $((bulk >> 10)) KiB each way, no netem" "bidir$fam" $PORT \
		--send $bulk --srv-send $bulk --srv-concurrent
	helper_check "$n"
}

# tfo_conn LABEL ID EXPECT [ARGS...]: one Fast Open connection; EXPECT is
# "client/server TCP_INFO syn_data/payload bytes of the server's SYN"
tfo_conn() {
	local label=$1 id=$2 want=$3 c s l
	shift 3
	peer_conn "$label" "$id" $PORT --fastopen "$@"
	kv c "$CLINE" syn_data; kv s "$SLINE" syn_data; kv l "$SLINE" syn_len
	[ "${l:-0}" -gt 0 ] && l=data
	if [ "$c/$s/$l" = "$want" ]; then
		log_pass "$label: SYN data acknowledged/taken/on the server's SYN: $c/$s/$l"
	else
		log_fail "$label: SYN data acknowledged/taken/on the server's SYN: $c/$s/$l, expected $want"
	fi
}

# quota_rule NS CHAIN -I|-D N MATCH...: drop the first N (1 or 2)
# matching packets, each a SYN or SYN-ACK without data (60 bytes over IPv4,
# 80 over IPv6): xt_quota matches while the bytes it has left cover the
# packet
quota_rule() {
	local ns=$1 chain=$2 act=$3 q4=100 q6=100
	[ "$4" = 2 ] && q4=130 q6=170
	shift 4
	ip netns exec "$ns" sh -c "
		iptables $act $chain -p tcp $* -m quota --quota $q4 -j DROP &&
		ip6tables $act $chain -p tcp $* -m quota --quota $q6 -j DROP"
}

case_tfo() {
	local n="tfo ipv$fam"
	ip netns exec "$client" sh -c 'sysctl -qw net.ipv4.tcp_fastopen=3 &&
		ip tcp_metrics flush all 2>/dev/null; true'
	ip netns exec "$server" sysctl -qw net.ipv4.tcp_fastopen=3

	case_begin "tfo$fam-cookie"
	tfo_conn "$n first connection (cookie request)" "tfo$fam-cookie" 0/0/0
	if ip -n "$client" tcp_metrics show "$SADDR" 2>/dev/null | grep -q fo_cookie; then
		log_pass "$n: the client got a Fast Open cookie"
	else
		log_fail "$n: no Fast Open cookie cached"
	fi
	helper_check "$n first connection"

	# the handshake layer on: the SYN's data dropped, sent again after
	# the 3-way handshake (the client's SYN timeout, ~1 s)
	case_begin "tfo$fam-handshake"
	tfo_conn "$n SYN data, handshake=1" "tfo$fam-hs" 0/0/0
	case_end drop_fastopen
	if [ "$D_drop_fastopen" = 1 ] && [ -z "$D_BAD" ]; then
		log_pass "$n SYN data, handshake=1: drop_fastopen +1, nothing else dropped"
	else
		log_fail "$n SYN data, handshake=1: drop_fastopen +$D_drop_fastopen, expected +1; other drops:$D_BAD"
	fi
	ip netns exec "$client" sh -c 'ip tcp_metrics flush all 2>/dev/null; true'
	tfo_conn "$n cookie again" "tfo$fam-cookie2" 0/0/0

	# the record layer alone takes SYN data
	ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_handshake=0
	case_begin "tfo$fam-data"
	tfo_conn "$n SYN data 1" "tfo$fam-data1" 1/1/data
	tfo_conn "$n SYN data 2" "tfo$fam-data2" 1/1/data
	helper_check "$n SYN data"
	if [ "$D_syn_data_rejected" = 0 ]; then
		log_pass "$n SYN data: syn_data_rejected +0"
	else
		log_fail "$n SYN data: syn_data_rejected +$D_syn_data_rejected, expected +0"
	fi

	# the SYN-ACK (acknowledging the data) lost between router and
	# client, and the server's first retransmission of it too, so that
	# the client's retransmitted SYN (plain, same ISN) surely follows a
	# SYN-ACK the router passed
	case_begin "tfo$fam-synack-lost"
	quota_rule "$client" INPUT -I 2 --sport $PORT --tcp-flags SYN,ACK SYN,ACK ||
		log_fail "$n: cannot add the SYN-ACK drop"
	tfo_conn "$n SYN-ACK lost" "tfo$fam-synack" 1/1/data
	quota_rule "$client" INPUT -D 2 --sport $PORT --tcp-flags SYN,ACK SYN,ACK
	helper_check "$n SYN-ACK lost"

	# the same, the server sending at once: its data, then its repeated
	# SYN-ACK, pass the router before the client has its SYN-ACK
	case_begin "tfo$fam-synack-lost-data"
	quota_rule "$client" INPUT -I 2 --sport $PORT --tcp-flags SYN,ACK SYN,ACK ||
		log_fail "$n: cannot add the SYN-ACK drop"
	tfo_conn "$n SYN-ACK lost, the server sending at once" "tfo$fam-synack-data" 1/1/data \
		--srv-send 65536 --srv-concurrent
	quota_rule "$client" INPUT -D 2 --sport $PORT --tcp-flags SYN,ACK SYN,ACK
	helper_check "$n SYN-ACK lost, the server sending at once"

	# the SYN with data lost between router and server: the client
	# retransmits a plain SYN, the SYN-ACK acknowledges ISN + 1 only
	case_begin "tfo$fam-syn-lost"
	ip netns exec "$server" sh -c "
		iptables -I INPUT -p tcp --dport $PORT --syn -m length --length 120:65535 -j DROP &&
		ip6tables -I INPUT -p tcp --dport $PORT --syn -m length --length 120:65535 -j DROP" ||
		log_fail "$n: cannot add the SYN drop"
	tfo_conn "$n SYN with data lost" "tfo$fam-synlost" 0/0/0
	ip netns exec "$server" sh -c "
		iptables -D INPUT -p tcp --dport $PORT --syn -m length --length 120:65535 -j DROP
		ip6tables -D INPUT -p tcp --dport $PORT --syn -m length --length 120:65535 -j DROP"
	helper_check "$n SYN with data lost"
	if [ "$D_syn_data_rejected" = 1 ]; then
		log_pass "$n: SYN with data lost after the router: syn_data_rejected +1"
	else
		log_fail "$n: SYN with data lost after the router: syn_data_rejected +$D_syn_data_rejected, expected +1"
	fi

	# a server without TFO, a client forcing data on the SYN, no cookie:
	# the SYN carries the data to the server, which does not take it
	ip netns exec "$server" sysctl -qw net.ipv4.tcp_fastopen=0
	ip netns exec "$client" sh -c 'sysctl -qw net.ipv4.tcp_fastopen=5 &&
		ip tcp_metrics flush all 2>/dev/null; true'
	case_begin "tfo$fam-rejected"
	tfo_conn "$n rejected (server tcp_fastopen=0, client 5)" "tfo$fam-rejected" 0/0/data
	helper_check "$n rejected"
	if [ "$D_syn_data_rejected" = 1 ]; then
		log_pass "$n rejected: syn_data_rejected +1"
	else
		log_fail "$n rejected: syn_data_rejected +$D_syn_data_rejected, expected +1"
	fi
	ip netns exec "$client" sh -c 'sysctl -qw net.ipv4.tcp_fastopen=1 &&
		ip tcp_metrics flush all 2>/dev/null; true'
	ip netns exec "$server" sysctl -qw net.ipv4.tcp_fastopen=1
	ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_handshake=1
}

case_halfclose() {
	local n="halfclose ipv$fam"
	case_begin "halfclose$fam"
	# the server starts sending after the client's FIN: 2 MiB in 64 KiB
	# writes 50 ms apart
	peer_conn "$n" "halfclose$fam" $PORT --send $((256 << 10)) \
		--srv-send $((2 << 20)) --srv-pace 0.05
	helper_check "$n"
	if [ "$D_bytes" -ge $(((2 << 20) + (256 << 10))) ]; then
		log_pass "$n: $D_bytes bytes inspected, the server's 2 MiB after the client's FIN"
	else
		log_fail "$n: only $D_bytes bytes inspected"
	fi
}

case_keepalive() {
	local n="keepalive ipv$fam" k
	case_begin "keepalive$fam"
	peer_conn "$n" "keepalive$fam" $PORT --send 131072 --keepalive 1 --idle 4 \
		--srv-send 65536
	helper_check "$n"
	kv k "$CLINE" TCPKeepAlive
	if [ "${k:-0}" -ge 2 ]; then
		log_pass "$n: the client sent $k keepalive probes"
	else
		log_fail "$n: ${k:-no} keepalive probes sent, expected at least 2"
	fi
}

case_zerowin() {
	local n="zerowin ipv$fam" p z
	case_begin "zerowin$fam"
	# 4 KiB receive buffer, 3 pauses of 1.5 s, one after each 128 KiB read
	peer_conn "$n" "zerowin$fam" $P_SLOW --send $((512 << 10)) --srv-send 65536 \
		--srv-pauses 3 --srv-pause-every 131072 --srv-pause 1.5
	helper_check "$n"
	kv p "$CLINE" TCPWinProbe
	kv z "$SLINE" TCPToZeroWindowAdv
	if [ "${p:-0}" -ge 1 ]; then
		log_pass "$n: the client sent $p zero-window probes (the server announced $z zero windows)"
	else
		log_fail "$n: ${p:-no} zero-window probes sent (the server announced ${z:-no} zero windows)"
	fi
}

case_twreuse() {
	local n="twreuse ipv$fam" lport=$((40000 + fam))
	case_begin "twreuse$fam"
	ip netns exec "$client" sysctl -qw net.ipv4.tcp_tw_reuse=1
	peer_conn "$n first" "twreuse$fam-1" $PORT --bind-port $lport --reuse
	# the client closed first: its socket is in TIME_WAIT; tcp_tw_reuse
	# takes the port again once a second has passed
	if time_wait "$C_PID" $lport; then
		log_pass "$n: client port $lport in TIME_WAIT"
	else
		log_fail "$n: client port $lport not in TIME_WAIT"
	fi
	nap 1.5
	peer_conn "$n again from port $lport" "twreuse$fam-2" $PORT --bind-port $lport --reuse
	ip netns exec "$client" sysctl -qw net.ipv4.tcp_tw_reuse=2
	helper_check "$n"
	if [ "$D_flows" = 2 ]; then
		log_pass "$n: both connections inspected from their SYN (flows +2)"
	else
		log_fail "$n: flows +$D_flows, expected +2"
	fi
}

case_synloss() {
	local n="synloss ipv$fam"
	case_begin "synloss$fam"
	quota_rule "$server" INPUT -I 1 --dport $PORT --syn ||
		log_fail "$n: cannot add the SYN drop"
	peer_conn "$n SYN lost" "synloss$fam-syn" $PORT
	quota_rule "$server" INPUT -D 1 --dport $PORT --syn
	quota_rule "$client" INPUT -I 1 --sport $PORT --tcp-flags SYN,ACK SYN,ACK ||
		log_fail "$n: cannot add the SYN-ACK drop"
	peer_conn "$n SYN-ACK lost" "synloss$fam-synack" $PORT
	quota_rule "$client" INPUT -D 1 --sport $PORT --tcp-flags SYN,ACK SYN,ACK
	helper_check "$n"
}

for fam in $FAMILIES; do
	SADDR=10.0.2.2
	[ "$fam" = 6 ] && SADDR=fd00:2::2
	for c in $ALL_CASES; do
		selected "$c" || continue
		t=$SECONDS
		"case_$c"
		echo "# $c ipv$fam took $((SECONDS - t)) s"
	done
done
while read -r name value; do
	[ "$value" = 0 ] || echo "# total: $name $value"
done <"/proc/$R_PID/net/nf_conntrack_tls"
echo "# tls_tcp_benign took $((SECONDS - T_ALL)) s"
exit $RET
