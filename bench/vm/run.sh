#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end benchmark of the tls helper, run inside the test VM:
#
#   scripts/vm/vm-run.sh -- bench/vm/run.sh [RAW_OUT]   (make bench-vm does it)
#
# Topology of the selftests (tests/selftests/lib.sh): client -- router --
# server namespaces.  Conntrack is on in the router in every run: the raw
# table of the router has exactly one rule, replaced in place between runs:
#
#   none:    iptables -t raw -A PREROUTING -p tcp --dport 443 -j CT
#   helper:  iptables -t raw -A PREROUTING -p tcp --dport 443 -j CT --helper tls
#
# so both modes pay conntrack and the CT template; only the helper differs.
# BENCH_MODES ("none helper") may add the peer modes of issue 18
#
#   suricata: none's rule, and Suricata inline: the router's FORWARD chain
#             queues port 443 both ways to NFQUEUE 0, where Suricata (in the
#             router namespace, bench/peer/suricata/inline.yaml) parses TLS
#             and drops a flow on its heartbeat exploit events
#   both:     the helper's rule and Suricata inline
#
# (the FORWARD rule is ACCEPT in the other modes: the same rule walk).
# Every measurement runs in all modes back to back, in ABBA order over the
# repetitions (ABCD DCBA with four); the report compares each mode with
# none in the same repetition.  Under TCG on a
# shared host the spread between pairs is large: many short pairs beat a few
# long ones, so the servers are persistent and a run costs two processes
# (the rule change and the client); counters are read from /proc/PID/net of a
# process parked in the router namespace, without spawning anything.
#
# Tests (port 443, TLS-framed traffic from bench/vm/tlsgen.c unless noted):
#   stream-W  one flow, W-byte send()s with TCP_NODELAY for BENCH_TIME s,
#             MB/s until the server has read everything; W = 65536 is the
#             bulk figure (BENCH_SIZES: the write sizes)
#   tls       openssl s_server -WWW -> curl of a BENCH_TLS_MB file (TLS 1.3)
#   tlsconn   full TLS 1.3 handshakes per second against that server,
#             each hello with a server name (not in the default set)
# BENCH_SNI_NAMES (0): names loaded into the router's server-name deny list
#             before the tests (none matches the tests' traffic)
#   small     32 flows of 100-byte-body records, one record per send(),
#             TCP_NODELAY, 2 processes: records/s
#   conn      plain TCP connect, server closes, client closes (2 processes):
#             connections/s (conntrack + helper setup and teardown)
#   gro       client TSO/GSO off (1-MSS segments on the wire), GRO off then
#             on on every veth: bulk MB/s (the helper walks 1-MSS or GRO skbs)
#   mem       BENCH_FLOWS (100000) SYN_SENT flows from raw SYNs through the
#             router (the server drops them): slab bytes per flow with
#             nf_conntrack_events=2 (default: no event extension), and with
#             events=1 for BENCH_FLOWS/10 flows; then BENCH_FLOWS flows past
#             the server's SYN-ACK (SYN cookies), which carry the helper's
#             state object
#   iperf3    (not by default) iperf3 -p 443 once per mode: a sanity row,
#             iperf3 is not TLS so the helper kills its flows
#   perf      perf record -a during small and stream-65536 runs, per mode
#   heartbleed (not by default) once per mode of BENCH_MODES: a plaintext
#             Heartbleed request after a ClientHello (tests/selftests/peers/
#             hb_peer.py) to a server that records what recv() returns:
#             whether the request reached it
#
# Output: "R key=value ..." lines in RAW_OUT (default build/bench/vm-raw.txt),
# perf reports next to it; bench/vm/report.py makes the table.  Knobs
# (environment): BENCH_REPS (4: pairs for bulk, small, conn, tls),
# BENCH_REPS2 (2: other write sizes, GRO), BENCH_TIME (seconds per run, 3),
# BENCH_FLOWS (100000), BENCH_SIZES ("1448 16384 65536"), BENCH_TESTS
# (default: "stream small conn tls gro mem perf"; add iperf3 for the sanity
# row), BENCH_TLS_MB (4), BENCH_RPS ("1 0": the passes, see below),
# BENCH_HELPER (tls; ftp puts the in-tree FTP helper in the "helper" mode:
# conntrack's cost of attaching any helper, whose help function returns at
# once on packets without payload, against which the connection rate of
# the tls helper can be compared).
#
# RPS passes.  veth queues a received packet on the CPU that sent it, and a
# TCP sender transmits one flow from several CPUs (the application's and the
# softirq's that handles ACKs): segments of one flow reach the router's
# forwarding path on two CPUs and overtake each other.  A NIC steers each
# flow to one queue (RSS), so in a real router this reordering is rare; with
# the default gap=0 the helper drops a segment beyond a hole and the sender
# waits for a timeout, which would dominate the comparison.  So the main
# pass (BENCH_RPS=1) turns RPS on for the router's ingress veths (r0, r1:
# a flow hash picks one CPU per flow, as RSS does), and a second pass
# (BENCH_RPS=0, the veth default) repeats the bulk, small-record, GRO and
# connection rows without it, so the cost of reordering under gap=0 stays
# visible.  Each row reports the helper's gap drops and the client's TCP
# timeouts.  BENCH_RPS="1" or "0" runs one pass only (with every test).
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/../.." && pwd)
# shellcheck source=../../tests/selftests/lib.sh
source "$REPO/tests/selftests/lib.sh"

OUT=${1:-$REPO/build/bench/vm-raw.txt}
OUTDIR=$(dirname "$OUT")
TLSGEN=${TLSGEN:-$REPO/build/bench/tlsgen}
REPS=${BENCH_REPS:-4}
REPS2=${BENCH_REPS2:-2}
T=${BENCH_TIME:-3}
FLOWS=${BENCH_FLOWS:-100000}
SIZES=${BENCH_SIZES:-1448 16384 65536}
TESTS=${BENCH_TESTS:-stream small conn tls gro mem perf}
TLS_MB=${BENCH_TLS_MB:-4}
HELPER=${BENCH_HELPER:-tls}
SMALL_FLOWS=32
PORT=443
# one server per address, all on port 443
SINK=10.0.2.2 ACCEPT=10.0.2.3 TLSSRV=10.0.2.4 IPERF=10.0.2.5 BLACKHOLE=10.0.2.6
HBSRV=10.0.2.7
MODES=${BENCH_MODES:-none helper}
W=$(mktemp -d /tmp/bench.XXXXXX)
MODE=none
START=$EPOCHSECONDS
PIDS=()

mkdir -p "$OUTDIR"
: >"$OUT"
cleanup() {
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null
	cleanup_ns
	rm -rf "$W"
}
trap cleanup EXIT

emit() {
	echo "R $*" >>"$OUT"
	echo "R $*"
}
note() { echo "# $*"; }
has() { [[ " $TESTS " == *" $1 "* ]]; }
elapsed() { echo $((EPOCHSECONDS - START)); }

case $HELPER in
tls) ;;
ftp) modprobe nf_conntrack_ftp || { echo "FAIL: modprobe nf_conntrack_ftp"; exit 1; } ;;
*) echo "FAIL: BENCH_HELPER=$HELPER: expected tls or ftp"; exit 1 ;;
esac
for m in $MODES; do
	case $m in
	none | helper) ;;
	suricata | both)
		command -v suricata >/dev/null ||
			{ echo "FAIL: BENCH_MODES=$MODES: no suricata (scripts/deps-peer.sh installs it)"; exit 1; }
		SURICATA=1 ;;
	*) echo "FAIL: BENCH_MODES=$MODES: $m is not none, helper, suricata or both"; exit 1 ;;
	esac
done
[[ " $MODES " == *" none "* ]] || { echo "FAIL: BENCH_MODES=$MODES: none is the baseline"; exit 1; }
[ -x "$TLSGEN" ] || { echo "FAIL: $TLSGEN missing (make bench-vm builds it)"; exit 1; }
grep -q '^nf_conntrack_tls ' /proc/modules || { echo "FAIL: nf_conntrack_tls not loaded"; exit 1; }
# the guest's devtmpfs has no /dev/fd (process substitution needs it)
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

# nap SECS: sleep without a process (a read that times out)
mkfifo "$W/never"
exec {NEVER}<>"$W/never"
nap() { read -r -t "$1" -u "$NEVER" _; }

# The selftests' topology (tests/selftests/lib.sh, IPv4 only) built with a
# few batched commands: under TCG every process costs about a second.
bench_topology() {
	client=client-$SUFFIX router=router-$SUFFIX server=server-$SUFFIX
	NS_LIST=("$client" "$router" "$server")
	ip -batch - <<-EOF || return 1
		netns add $client
		netns add $router
		netns add $server
	EOF
	ip -n "$client" -batch - <<-EOF || return 1
		link add c0 type veth peer name r0 netns $router
		link set lo up
		link set c0 up
		addr add 10.0.1.1/24 dev c0
		route add default via 10.0.1.254
	EOF
	ip -n "$server" -batch - <<-EOF || return 1
		link add s0 type veth peer name r1 netns $router
		link set lo up
		link set s0 up
		addr add 10.0.2.2/24 dev s0
		addr add $ACCEPT/24 dev s0
		addr add $TLSSRV/24 dev s0
		addr add $IPERF/24 dev s0
		addr add $BLACKHOLE/24 dev s0
		addr add $HBSRV/24 dev s0
		route add default via 10.0.2.254
	EOF
	ip -n "$router" -batch - <<-EOF || return 1
		link set lo up
		link set r0 up
		link set r1 up
		addr add 10.0.1.254/24 dev r0
		addr add 10.0.2.254/24 dev r1
	EOF
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
}
note "setup: start at $(elapsed) s"
bench_topology || { echo "FAIL: cannot build the namespaces"; exit 1; }
note "setup: namespaces at $(elapsed) s"
R() { ip netns exec "$router" "$@"; }
C() { ip netns exec "$client" "$@"; }
S() { ip netns exec "$server" "$@"; }

# Wide port range for the connection loop; no autocorking, so that a small
# send() with TCP_NODELAY leaves as its own segment.
C sysctl -qw net.ipv4.ip_local_port_range="10000 65001" net.ipv4.tcp_autocorking=0
# set_rps 0|1: RPS on the router's ingress veths off, or on for every CPU
# (see "RPS passes" above); the router's sysfs needs a process in its netns.
RPS_PASSES=${BENCH_RPS:-1 0}
RPS=0
set_rps() {
	local mask=0
	RPS=$1
	[ "$RPS" = 1 ] && mask=$(printf %x $(( (1 << $(nproc)) - 1 )))
	R sh -c "for q in /sys/class/net/r0/queues/rx-*/rps_cpus \
		/sys/class/net/r1/queues/rx-*/rps_cpus; do echo $mask >\$q; done" ||
		{ echo "FAIL: cannot set rps_cpus"; exit 1; }
	note "setup: RPS ${mask} on r0, r1 at $(elapsed) s"
}
# Room for the flows of the memory test (global knobs: init_net).
sysctl -qw net.netfilter.nf_conntrack_max=$((FLOWS * 2 + 10000)) net.core.netdev_max_backlog=10000

# The one rule of the router's raw table, and the two of its FORWARD
# chain, replaced in place to switch modes.
R iptables -t raw -A PREROUTING -p tcp --dport $PORT -j CT
R iptables -A FORWARD -p tcp --dport $PORT -j ACCEPT
R iptables -A FORWARD -p tcp --sport $PORT -j ACCEPT
set_mode() {
	local q=ACCEPT

	MODE=$1
	case $MODE in
	helper | both)
		R iptables -t raw -R PREROUTING 1 -p tcp --dport $PORT -j CT --helper "$HELPER" ;;
	*)
		R iptables -t raw -R PREROUTING 1 -p tcp --dport $PORT -j CT ;;
	esac
	case $MODE in suricata | both) q="NFQUEUE --queue-num 0" ;; esac
	R iptables -R FORWARD 1 -p tcp --dport $PORT -j $q
	R iptables -R FORWARD 2 -p tcp --sport $PORT -j $q
}

# order REP: the modes, in order on odd repetitions and reversed on even
# ones (ABBA with two)
order() {
	local -a m
	read -r -a m <<<"$MODES"
	if [ $(($1 % 2)) = 1 ]; then
		echo "${m[@]}"
	else
		for ((i = ${#m[@]} - 1; i >= 0; i--)); do echo -n "${m[i]} "; done
	fi
}

# Suricata inline (BENCH_MODES suricata, both; BENCH_SURICATA_ARGS: more
# of its options, e.g. "--set exception-policy=ignore"): its heartbeat exploit
# rules from the installed tls-events.rules, alert turned into drop; one
# worker on queue 0, up until it reports its engine started (minutes under
# TCG).  It idles when the FORWARD rules accept.
start_suricata() {
	local i
	mkdir -p "$W/suri"
	grep -E '^alert tls .*heartbeat.*exploit attempt' \
		/etc/suricata/rules/tls-events.rules | sed 's/^alert /drop /' \
		>"$W/suri/inline.rules"
	[ -s "$W/suri/inline.rules" ] || { note "no heartbeat rules in tls-events.rules"; return 1; }
	modprobe nfnetlink_queue 2>/dev/null
	ip netns exec "$router" suricata -c "$REPO/bench/peer/suricata/inline.yaml" \
		-q 0 -l "$W/suri" -S "$W/suri/inline.rules" -k none \
		${BENCH_SURICATA_ARGS:-} >"$W/suri/stdout" 2>&1 &
	SURI_PID=$!
	PIDS+=($SURI_PID)
	for i in $(seq 600); do
		grep -qs 'Engine started' "$W/suri/suricata.log" && {
			note "setup: suricata $(suricata -V | sed 's/.*version //') inline," \
				"$(wc -l <"$W/suri/inline.rules") drop rules, at $(elapsed) s"
			return 0
		}
		kill -0 $SURI_PID 2>/dev/null || break
		nap 0.5
	done
	note "suricata did not start: $(tail -3 "$W/suri/suricata.log" "$W/suri/stdout" 2>&1)"
	return 1
}
# tally: "value:count,..." of the lines on stdin
tally() { sort | uniq -c | awk '{ printf "%s%s:%s", (NR > 1 ? "," : ""), $2, $1 }'; }
# suri_alerts: the alerts (each a drop: every rule is one) Suricata logged
suri_alerts() {
	local n
	n=$(grep -c '"event_type":"alert"' "$W/suri/eve.json" 2>/dev/null)
	echo "${n:-0}"
}

# A process parked in the router: /proc/RPID/net/ is the router's view.
ip netns exec "$router" sleep 100000 &
RPID=$!
ip netns exec "$client" sleep 100000 &
CPID=$!
PIDS+=($RPID $CPID)

# snap ARRAY: the helper's counters, conntrack entries, forwarded skbs and
# the veths' receive counters of the router into an associative array,
# with bash builtins only.  The router's IP layer counts a GSO/GRO skb once
# (Ip ForwDatagrams, both directions); veth receive counters count what the
# peer sent (before GRO).
snap() {
	local -n a=$1
	local k v i
	a=()
	while read -r k v; do a[$k]=$v; done </proc/$RPID/net/nf_conntrack_tls
	local line
	while read -r line; do
		line=${line/:/ }
		read -r k v i _ <<<"$line"
		case $k in r0|r1) a[${k}_rx_bytes]=$v; a[${k}_rx_packets]=$i ;; esac
	done </proc/$RPID/net/dev
	snmp_fields a /proc/$RPID/net/snmp Ip: "" ForwDatagrams
	{ read -r _; read -r v _; } </proc/$RPID/net/stat/nf_conntrack
	a[ct_count]=$((16#$v))
	# the client's TCP: retransmissions, timeouts, tail loss probes
	snmp_fields a /proc/$CPID/net/snmp Tcp: c_ RetransSegs
	snmp_fields a /proc/$CPID/net/netstat TcpExt: c_ TCPTimeouts TCPLossProbes
}

# snmp_fields ARRAY FILE PREFIX KEYPREFIX FIELD...: fields of the header and
# value line pair starting with PREFIX in a /proc/net/snmp-style FILE
snmp_fields() {
	local -n sa=$1
	local file=$2 pfx=$3 kp=$4 k line i f
	local -a hdr=() val=()
	shift 4
	while read -r k line; do
		[ "$k" = "$pfx" ] || continue
		if [ ${#hdr[@]} = 0 ]; then
			read -r -a hdr <<<"$line"
		else
			read -r -a val <<<"$line"
			break
		fi
	done <"$file"
	for i in "${!hdr[@]}"; do
		for f in "$@"; do
			[ "${hdr[$i]}" = "$f" ] && sa[$kp$f]=${val[$i]}
		done
	done
}
declare -A S0 S1
d() { echo $(( ${S1[$1]:-0} - ${S0[$1]:-0} )); }
# usecs "1.234567" -> 1234567
usecs() { local s=${1/./}; echo $((10#${s:-0})); }
# milli A B: A/B with 3 decimals
milli() { local v=$(( $1 * 1000 / ($2 > 0 ? $2 : 1) )); printf '%d.%03d' $((v / 1000)) $((v % 1000)); }
# kv KEY TEXT: KEY=value in TEXT
kv() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }

start_servers() {
	ip netns exec "$server" "$TLSGEN" sink -B $SINK -p $PORT >"$W/sink.log" 2>&1 &
	PIDS+=($!)
	ip netns exec "$server" "$TLSGEN" accept -B $ACCEPT -p $PORT >"$W/acc.log" 2>&1 &
	PIDS+=($!)
	local i
	for i in $(seq 300); do
		[[ $(<"$W/sink.log") == listening* && $(<"$W/acc.log") == listening* ]] &&
			return 0
		nap 0.1
	done
	note "servers did not start: $(cat "$W/sink.log" "$W/acc.log")"
	return 1
}

# run_stream NAME REP WRITE BODY FLOWS PROCS: one run, timed by the client
# until the server has read everything
run_stream() {
	local name=$1 rep=$2 wr=$3 body=$4 nf=$5 np=$6 out bytes us fw rx
	snap S0
	out=$(C "$TLSGEN" stream -H $SINK -p $PORT -t "$T" -w "$wr" -b "$body" \
		-c "$nf" -P "$np" -N 2>&1)
	snap S1
	bytes=$(kv bytes "$out")
	us=$(usecs "$(kv secs "$out")")
	if [ -z "$bytes" ] || [ "$bytes" = 0 ] || [ "$us" = 0 ]; then
		note "$name $MODE: no result: $out"
		emit "test=$name mode=$MODE rps=$RPS rep=$rep value=NA"
		return 1
	fi
	# skbs the router forwarded client -> server: all forwarded minus the
	# server's ACKs (r1 receive; pure ACKs are never merged)
	fw=$(( $(d ForwDatagrams) - $(d r1_rx_packets) ))
	rx=$(d r0_rx_packets)
	emit "test=$name mode=$MODE rps=$RPS rep=$rep value=$(milli "$bytes" "$us") unit=MB/s" \
		"bytes=$bytes usecs=$us recs_per_s=$(milli $((bytes * 1000000 / (body + 5))) "$us")" \
		"fwd_skbs=$fw fwd_avg=$(( $(d r0_rx_bytes) / (fw > 0 ? fw : 1) ))" \
		"wire_avg=$(( $(d r0_rx_bytes) / (rx > 0 ? rx : 1) ))" \
		"inspected=$(d bytes) records=$(d records) drops=$(d drops) gaps=$(d gaps) retrans=$(d retransmits)" \
		"tcp_retrans=$(d c_RetransSegs) tcp_timeouts=$(d c_TCPTimeouts) tcp_tlp=$(d c_TCPLossProbes)" \
		"largest_skb=${S1[largest_skb_payload]} ct=${S1[ct_count]} t=$(elapsed)"
}

run_conn() {
	local rep=$1 out n us
	R conntrack -F >/dev/null 2>&1
	snap S0
	out=$(C "$TLSGEN" connect -H $ACCEPT -p $PORT -t "$T" -P 2 2>&1)
	snap S1
	n=$(kv conns "$out")
	us=$(usecs "$(kv secs "$out")")
	if [ -z "$n" ] || [ "$n" = 0 ]; then
		note "conn $MODE: no result: $out"
		emit "test=conn mode=$MODE rps=$RPS rep=$rep value=NA"
		return 1
	fi
	emit "test=conn mode=$MODE rps=$RPS rep=$rep value=$(milli $((n * 1000000)) "$us")" \
		"unit=conn/s conns=$n usecs=$us failed=$(kv failed "$out")" \
		"gaps=$(d gaps) tcp_retrans=$(d c_RetransSegs) tcp_timeouts=$(d c_TCPTimeouts)" \
		"helper_flows=$(d flows) ct=${S1[ct_count]} t=$(elapsed)"
}

run_tls() {
	local rep=$1 out size tt tp
	snap S0
	out=$(C curl -sk --max-time 300 -o /dev/null \
		-w '%{size_download} %{time_total} %{time_pretransfer}' \
		"https://$TLSSRV:$PORT/big.bin")
	snap S1
	read -r size tt tp <<<"$out"
	if [ "${size:-0}" != $((TLS_MB << 20)) ]; then
		note "tls $MODE: incomplete download ($out)"
		emit "test=tls mode=$MODE rps=$RPS rep=$rep value=NA"
		return 1
	fi
	tt=$(usecs "$tt")
	tp=$(usecs "$tp")
	emit "test=tls mode=$MODE rps=$RPS rep=$rep value=$(milli "$size" $((tt - tp))) unit=MB/s" \
		"bytes=$size usecs=$((tt - tp)) handshake_usecs=$tp" \
		"records=$(d records) drops=$(d drops) gaps=$(d gaps) retrans=$(d retransmits) inspected=$(d bytes)" \
		"tcp_timeouts=$(d c_TCPTimeouts) t=$(elapsed)"
}

# run_tlsconn REP: full TLS 1.3 handshakes for T seconds, one after the
# other, each ClientHello with a server name (none of BENCH_SNI_NAMES
# matches it): Python's ssl, since s_time sends no server_name
run_tlsconn() {
	local rep=$1 out n us
	R conntrack -F >/dev/null 2>&1
	snap S0
	out=$(C python3 -c 'import socket, ssl, sys, time
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
n, t0 = 0, time.monotonic()
end = t0 + float(sys.argv[2])
while time.monotonic() < end:
    with socket.create_connection((sys.argv[1], int(sys.argv[3]))) as s:
        with ctx.wrap_socket(s, server_hostname="www.bench-allow.test"):
            n += 1
print(n, int((time.monotonic() - t0) * 1e6))' "$TLSSRV" "$T" "$PORT" 2>&1)
	snap S1
	read -r n us <<<"$out"
	if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" = 0 ]; then
		note "tlsconn $MODE: no result: $(echo "$out" | tail -2)"
		emit "test=tlsconn mode=$MODE rps=$RPS rep=$rep value=NA"
		return 1
	fi
	emit "test=tlsconn mode=$MODE rps=$RPS rep=$rep value=$(milli $((n * 1000000)) "$us")" \
		"unit=conn/s conns=$n usecs=$us drops=$(d drops) helper_flows=$(d flows) t=$(elapsed)"
}

# set_gro on|off: client TSO/GSO off, GRO on or off on every veth
set_gro() {
	C ethtool -K c0 tso off gso off gro "$1" >/dev/null 2>&1
	S ethtool -K s0 tso off gso off gro "$1" >/dev/null 2>&1
	R ethtool -K r0 gro "$1" >/dev/null 2>&1
	R ethtool -K r1 gro "$1" >/dev/null 2>&1
}

reset_offloads() {
	C ethtool -K c0 tso on gso on gro off >/dev/null 2>&1
	S ethtool -K s0 tso on gso on gro off >/dev/null 2>&1
	R ethtool -K r0 gro off >/dev/null 2>&1
	R ethtool -K r1 gro off >/dev/null 2>&1
}

# slab_snapshot FILE: name active_objs objsize pagesperslab num_slabs
slab_snapshot() {
	awk 'NR > 2 { print $1, $2, $4, $6, $15 }' /proc/slabinfo >"$1"
}

# wait_ct OP N: until the router's conntrack count OP N (max ~60 s)
wait_ct() {
	local i
	for i in $(seq 120); do
		snap S1
		test "${S1[ct_count]}" "$1" "$2" && return 0
		nap 0.5
	done
	return 1
}

# run_mem EVENTS NFLOWS HOST KIND: slabs before and after NFLOWS flows of
# raw SYNs to HOST; KIND (syn or synack) names the row
run_mem() {
	local events=$1 n=$2 host=$3 kind=$4 c round sent s0 u0 s1 u1 f0
	R sysctl -qw net.netfilter.nf_conntrack_events="$events"
	R conntrack -F >/dev/null 2>&1
	wait_ct -le 2
	nap 1
	snap S0
	f0=${S0[flows]}
	slab_snapshot "$W/slab0"
	read -r s0 u0 <<<"$(awk '/^(Slab|SUnreclaim):/ { printf "%s ", $2 }' /proc/meminfo)"
	sent=0
	for round in 1 2 3 4; do
		C "$TLSGEN" syn -s 10.0.1.10 -H "$host" -p $PORT -n "$n" \
			-q $((round == 1 ? 200 : 50)) >/dev/null || break
		sent=$((sent + n))
		nap 1
		snap S1
		[ "${S1[ct_count]}" -ge "$n" ] && break
		note "mem: ${S1[ct_count]} of $n flows after round $round; sending again"
	done
	slab_snapshot "$W/slab1"
	read -r s1 u1 <<<"$(awk '/^(Slab|SUnreclaim):/ { printf "%s ", $2 }' /proc/meminfo)"
	snap S1
	c=${S1[ct_count]}
	# per cache: delta of active objects (count:object size) for the
	# caches that moved by more than 1% of the flows; totals in bytes of
	# objects and of slab pages
	awk -v n="$c" '
		FNR == NR { a[$1] = $2; pg[$1] = $4 * $5; next }
		{ d = ($2 - a[$1]) * $3; dp = ($4 * $5 - pg[$1]) * 4096
		  tot += d; totp += dp
		  if ($2 - a[$1] > n / 100 || a[$1] - $2 > n / 100)
			printf " cache_%s=%d:%d", $1, $2 - a[$1], $3 }
		END { printf " slab_obj_bytes=%d slab_page_bytes=%d", tot, totp }
	' "$W/slab0" "$W/slab1" >"$W/slabdiff"
	emit "test=mem-ev$events mode=$MODE kind=$kind flows=$c syns_sent=$sent" \
		"helper_flows=$((S1[flows] - f0))$(<"$W/slabdiff")" \
		"meminfo_slab_kb=$((s1 - s0)) meminfo_sunreclaim_kb=$((u1 - u0))" \
		"nf_conn_size=$(awk '$1 == "nf_conntrack" { print $3 }' "$W/slab1") t=$(elapsed)"
	R conntrack -F >/dev/null 2>&1
	wait_ct -le 2
	R sysctl -qw net.netfilter.nf_conntrack_events=2
}

run_iperf3() {
	local spid out
	ip netns exec "$server" iperf3 -s -B $IPERF -p $PORT -1 >/dev/null 2>&1 &
	spid=$!
	nap 1
	snap S0
	out=$(C timeout 12 iperf3 -c $IPERF -p $PORT -t 2 -J 2>/dev/null |
		python3 -c 'import json, sys
try:
    j = json.load(sys.stdin)
    print("%.3f" % (j["end"]["sum_received"]["bits_per_second"] / 8e6))
except Exception:
    print("NA")' 2>/dev/null)
	snap S1
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	emit "test=iperf3 mode=$MODE rep=1 value=${out:-NA} unit=MB/s" \
		"drops=$(d drops) violation_record_type=$(d violation_record_type)" \
		"pickups=$(d pickups) t=$(elapsed)"
}

# run_heartbleed: one plaintext Heartbleed request after a ClientHello, to
# a server that reports whether recv() returned it (hb_peer.py)
run_heartbleed() {
	local spid out srv sd0 reached
	ip netns exec "$server" python3 "$REPO/tests/selftests/peers/hb_peer.py" \
		server $PORT 12 $HBSRV >"$W/hb.srv" 2>&1 &
	spid=$!
	for _ in $(seq 200); do
		S ss -Hltn "src $HBSRV and sport = :$PORT" | grep -q . && break
		nap 0.1
	done
	sd0=$(suri_alerts)
	snap S0
	out=$(C python3 "$REPO/tests/selftests/peers/hb_peer.py" client $HBSRV $PORT 6 2>&1)
	snap S1
	wait $spid
	srv=$(<"$W/hb.srv")
	reached=no
	[[ $srv == *"heartbeat: yes"* ]] && reached=yes
	emit "test=heartbleed mode=$MODE reached_server=$reached" \
		"server=\"${srv//\"/}\" client=\"${out//\"/}\"" \
		"helper_drops=$(d drops) suricata_alerts=$(( $(suri_alerts) - sd0 )) t=$(elapsed)"
}

# perf_run NAME TLSGEN_ARGS...: perf record -a around one tlsgen client run
# (perf runs the client: sampling covers exactly the run)
perf_run() {
	local name=$1 host=$SINK
	shift
	[ "$1" = connect ] && host=$ACCEPT
	perf record -a -F 499 -o "$W/perf.data" -- ip netns exec "$client" \
		"$TLSGEN" "$@" -H $host -p $PORT >"$W/pstream.out" 2>"$W/perf.log"
	perf report -i "$W/perf.data" --stdio --sort dso,sym 2>/dev/null |
		grep -v '^#' | grep -v '^$' >"$W/perf.txt"
	{
		echo "## perf $name mode=$MODE ($(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$W/perf.log") samples, all CPUs, RPS $RPS; client: $(<"$W/pstream.out"))"
		head -40 "$W/perf.txt"
	} >"$OUTDIR/perf-$name-$MODE.txt"
	# the helper path: the module's functions (perf shows them in
	# [kernel.kallsyms]: taken from /proc/kallsyms), plus skb_seq_read()
	# and friends (only the helper calls them here); nf_conntrack's
	# functions for comparison
	emit "test=perf-$name mode=$MODE rps=$RPS $(awk '
		FILENAME == "/proc/kallsyms" {
			if ($4 == "[nf_conntrack_tls]") mod[$3] = 1
			if ($4 == "[nf_conntrack]") ct[$3] = 1
			next }
		{ p = $1; sub("%", "", p); sym = $4 }
		sym in mod { m += p }
		sym in ct { c += p }
		sym ~ /^(skb_seq_read|skb_prepare_seq_read|skb_abort_seq_read)$/ { s += p }
		sym ~ /^(native_safe_halt|default_idle|acpi_idle_do_entry|mwait_idle)$/ { idle += p }
		END { printf "module_pct=%.2f skb_seq_pct=%.2f conntrack_pct=%.2f idle_pct=%.2f", m, s, c, idle }' \
		/proc/kallsyms "$W/perf.txt")" \
		"samples=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$W/perf.log") t=$(elapsed)"
}

note "bench: guest $(uname -r), $(nproc) vCPUs, reps=$REPS/$REPS2 time=${T}s flows=$FLOWS helper=$HELPER tests: $TESTS"
emit "test=info kernel=$(uname -r) nproc=$(nproc) reps=$REPS reps2=$REPS2 time=$T flows=$FLOWS rps=${RPS_PASSES// /,} helper=$HELPER modes=${MODES// /,}" \
	"cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1 | tr ' ' '_')"

note "setup: rules at $(elapsed) s"
if [ -n "${SURICATA:-}" ]; then
	start_suricata || { echo "FAIL: suricata"; exit 1; }
fi
start_servers || exit 1
note "setup: servers at $(elapsed) s"

if [ "${BENCH_SNI_NAMES:-0}" -gt 0 ]; then
	python3 -c 'import random, sys
r = random.Random(1)
a = "abcdefghijklmnopqrstuvwxyz"
for i in range(int(sys.argv[1])):
    print("+%s%s.bench-deny" % ("." if i % 3 == 0 else "",
          "".join(r.choice(a) for _ in range(r.randint(6, 16)))))' "$BENCH_SNI_NAMES" >"$W/names.txt"
	R python3 -c 'import os, sys
d = open(sys.argv[1], "rb").read()
fd = os.open("/proc/net/nf_conntrack_tls_sni_deny", os.O_WRONLY)
os.write(fd, d)' "$W/names.txt" || note "could not load $BENCH_SNI_NAMES names"
	n=$(R cat /proc/net/nf_conntrack_tls_sni_deny | wc -l)
	note "setup: $n names in the deny list at $(elapsed) s"
	emit "test=names loaded=$n"
fi

if has tls || has tlsconn; then
	make_cert
	head -c $((TLS_MB << 20)) /dev/urandom >"$W/big.bin"
	(cd "$W" && exec ip netns exec "$server" openssl s_server -quiet \
		-accept $TLSSRV:$PORT -cert "$TLSDIR/cert.pem" \
		-key "$TLSDIR/key.pem" -WWW) >/dev/null 2>&1 &
	PIDS+=($!)
	nap 2
fi

# pairs NAME COUNT CMD...: COUNT ABBA pairs of CMD (which gets the rep)
pairs() {
	local name=$1 n=$2 rep m
	shift 2
	for rep in $(seq "$n"); do
		for m in $(order "$rep"); do
			set_mode $m
			"$@" "$rep"
		done
	done
	note "$name (rps $RPS) done at $(elapsed) s"
}
stream_rep() { run_stream "stream-$1" "$2" "$1" 16401 1 1; }
small_rep() { run_stream small "$1" 105 100 $SMALL_FLOWS 2; }
gro_rep() { run_stream "gro-$1" "$2" 65536 16401 1 1; }

# run_pass TESTS SIZES: one pass of the throughput tests at the current RPS
run_pass() {
	local tests=" $1 " sizes=$2 wr g n
	if [[ $tests == *" stream "* ]]; then
		for wr in $sizes; do
			n=$REPS2
			[ "$wr" = 65536 ] && n=$REPS
			pairs "stream-$wr" "$n" stream_rep "$wr"
		done
	fi
	[[ $tests == *" small "* ]] && pairs small "$REPS" small_rep
	[[ $tests == *" conn "* ]] && pairs conn "$REPS" run_conn
	[[ $tests == *" tls "* ]] && pairs tls "$REPS" run_tls
	[[ $tests == *" tlsconn "* ]] && pairs tlsconn "$REPS" run_tlsconn
	if [[ $tests == *" gro "* ]]; then
		for g in off on; do
			set_gro $g
			pairs "gro-$g" "$REPS2" gro_rep "$g"
		done
		reset_offloads
	fi
	return 0
}

# The first pass runs every test; when there are two, the second repeats
# the throughput rows that reordering affects (bulk 64 KiB, small records,
# connections, GRO off/on) with the same number of pairs.
second=
for t in stream small conn gro; do
	has $t && second+="$t "
done
first=1
for rps in $RPS_PASSES; do
	set_rps "$rps"
	if [ $first = 1 ]; then
		run_pass "$TESTS" "$SIZES"
	else
		run_pass "$second" 65536
	fi
	first=0
done
set_rps "${RPS_PASSES%% *}"

if has mem; then
	# syn: the server drops the SYNs, the flows stay in SYN_SENT (120 s) and
	# the helper keeps them in nf_conn_help.  synack: the accept server
	# answers every SYN with a SYN cookie (tcp_syncookies=2: no request
	# socket, one SYN-ACK, no retransmission); the helper sees it and gives
	# the flow its state object (nf_ct_tls_obj); the SYN-ACK dies after the
	# router (no neighbour for the spoofed client), the flows stay in
	# SYN_RECV (60 s).
	S iptables -t raw -A PREROUTING -d $BLACKHOLE -j DROP
	S sysctl -qw net.ipv4.tcp_syncookies=2
	for spec in "2 none $FLOWS syn" "2 helper $FLOWS syn" \
		    "1 helper $((FLOWS / 10)) syn" "1 none $((FLOWS / 10)) syn" \
		    "2 none $FLOWS synack" "2 helper $FLOWS synack"; do
		read -r ev m n kind <<<"$spec"
		set_mode "$m"
		host=$BLACKHOLE
		[ "$kind" = synack ] && host=$ACCEPT
		run_mem "$ev" "$n" "$host" "$kind"
	done
	S sysctl -qw net.ipv4.tcp_syncookies=1
	S iptables -t raw -F PREROUTING
	note "mem done at $(elapsed) s"
fi

if has heartbleed; then
	for m in $MODES; do
		set_mode "$m"
		run_heartbleed
	done
	note "heartbleed done at $(elapsed) s"
fi

if has iperf3 && command -v iperf3 >/dev/null; then
	for m in none helper; do
		set_mode $m
		run_iperf3
	done
	note "iperf3 done at $(elapsed) s"
fi

if has perf && perf --version >/dev/null 2>&1; then
	for m in none helper; do
		set_mode $m
		perf_run small stream -t "$T" -w 105 -b 100 -c $SMALL_FLOWS -P 2 -N
		perf_run stream-65536 stream -t "$T" -w 65536 -b 16401 -c 1 -P 1 -N
		perf_run conn connect -t "$T" -P 2
	done
	note "perf done at $(elapsed) s"
fi

if [ -n "${SURICATA:-}" ]; then
	# stopped, it has written out every event: the alerts by rule
	kill -TERM "$SURI_PID" 2>/dev/null
	wait "$SURI_PID" 2>/dev/null
	cp "$W/suri/eve.json" "$OUTDIR/suricata-eve.json" 2>/dev/null
	cp "$W/suri/suricata.log" "$OUTDIR/suricata.log" 2>/dev/null
	# alerts by rule; drop events by reason, all and those of the
	# Heartbleed server's flows
	emit "test=suricata alerts=$(suri_alerts) by_sid=$(grep '"event_type":"alert"' \
		"$W/suri/eve.json" 2>/dev/null | grep -o '"signature_id":[0-9]*' |
		cut -d: -f2 | tally)" \
		"drops_by_reason=$(grep -o '"reason":"[^"]*"' "$W/suri/eve.json" 2>/dev/null |
		cut -d'"' -f4 | tr ' ' _ | tally)" \
		"hb_drops_by_reason=$(grep "\"$HBSRV\"" "$W/suri/eve.json" 2>/dev/null |
		grep -o '"reason":"[^"]*"' | cut -d'"' -f4 | tr ' ' _ | tally)" \
		"verdicts=\"$(sed -n 's/.*Verdict: //p' "$W/suri/suricata.log" | tail -1)\""
fi

emit "test=done elapsed=$(elapsed)"
exit 0
