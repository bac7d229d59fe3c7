#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The offline tool and the kernel agree on the same traffic.  A mix of
# benign TLS sessions (openssl s_server -WWW -> curl, TLS 1.2 and 1.3,
# IPv4 and IPv6, and a benign session of the attack tool) and attacks
# (peers/tlsattack.py: plaintext Heartbleed, the same in 1-byte segments,
# encrypted Heartbleed, a long ASCII run in application data, an SSLv2
# SERVER-HELLO from the client, a heartbeat hidden by reordered segments)
# goes through the router with the helper attached, while tcpdump captures
# it in the router.  Then tools/tls-replay --no-reorder (capture order,
# the kernel's path: no reorder window) reads the capture and its
# verdicts must equal the router's
# /proc/net/nf_conntrack_tls counters, name by name (flows, bytes, records,
# violation_<reason>, drops, gaps, pickups, retransmits), and the flows it
# kills must be the ones the kernel logged ("dropped: REASON from SIDE:
# CLIENT -> SERVER").  Every mismatch is a FAIL with both numbers.
#
# Where to capture.  The helper runs for a forwarded packet in conntrack's
# confirm hook (POSTROUTING) of the router, for packets arriving from both
# sides: client -> server ones arriving on r0, server -> client ones
# arriving on r1.  tcpdump's tap sits in the receive path before netfilter,
# and in the same softirq, so packets *received* by r0 and r1 are exactly
# the helper's input, in the order it gets them, including the segments it
# then drops.  A capture on r0 alone (the first idea) shows client -> server
# before the helper but server -> client only *after* it (transmitted on
# r0): the server segments the helper drops (the encrypted Heartbleed
# answer, pickups of a killed flow) would be missing and the tool would
# count fewer drops and pickups than the kernel.  r1 alone has the mirror
# problem, and two captures would have to be merged on two clocks.  So:
# one capture, "-i any -Q in" in the router (each forwarded packet once,
# as received; Linux cooked v2 link type, which the tool reads).
#
# Why the counters can be compared exactly, bytes included.  With that
# input, the tool takes per segment the branch nf_ct_tls_help() takes
# (tls_seq_segment, then tls_feed/tls_seq_advance or drop): the same
# retransmissions are skipped by the same sequence arithmetic, the
# segments the helper drops are in the capture and dropped by the tool
# too, and their retransmissions follow in the capture as they reached the
# helper.  So bytes = sum of accepted new bytes must be equal, not about
# equal.  What could still make them differ, checked and reported apart so
# a mismatch can be told from a broken capture: packets tcpdump lost
# (its "dropped by kernel" count), packets conntrack finds INVALID (they
# never reach a helper; conntrack -S), and the order: the tap and
# the helper see the same order only if one CPU handles both.  A veth
# queues a packet on the backlog of the CPU that sent it; with two CPUs,
# two segments of one direction sent from two CPUs are tapped in one order
# and can reach the helper in the other.  Measured without the pinning
# below (2 vCPUs): the kernel counted 4 segments beyond a hole (dropped,
# then retransmitted) where the capture had them in order, so the tool
# counted 0 gaps and 7 retransmits against the kernel's 4 and 0, while
# flows, bytes, records and every verdict were equal.  So RPS steers every
# packet the router receives to CPU 0: it is tapped and then inspected in
# one backlog, in one order.  The raw-socket reorder attack still makes a
# real hole at the helper, so gaps are compared on a non-zero number.
# To make the counters and the capture cover the same packets, the
# client's and the server's links are set down (the killed flows'
# endpoints keep retransmitting for minutes) before the counters are read
# and tcpdump stops.
#
# After a kill the helper keeps the connection's conntrack entry, dead:
# every later packet of it, both directions, FIN and RST included, reaches
# the helper and is dropped (drop_dead), and the tool models the same.  So
# the router has no "ctstate INVALID drop" rule here: a killed flow must
# stay dead without it (it stays recommended for what conntrack itself
# finds INVALID).  Before dead entries, a segment with FIN after a kill made
# no entry (tcp_new(): INVALID) and passed uninspected; the egress capture
# check below (afterkill.py) shows none does now.

# That each attack really works without the helper is tls_attacks.sh's
# job; here each attack must be cut (client result) so the comparison is
# not between two zeros.
#
# TLS_OFFLINE_FIXTURES=DIR: also write two of the flows as fixtures into
# DIR (tests/data/regen.sh vm): vm-tls13-curl.pcap (the benign TLS 1.3
# download) and vm-heartbleed.pcap (the plaintext Heartbleed with the
# dropped packets of the dead flow after the kill), each < 100 KB.
#
# Needs nf_conntrack_tls loaded (run.sh does it) and tools/tls-replay
# (make tools, on the host: the repository is mounted in the VM).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

REPO=$(cd "$SELFTESTS/../.." && pwd)
TOOL=${TLS_REPLAY:-$REPO/build/tools/tls-replay}
PORT=4433		# openssl s_server -WWW
APORT=4434		# peers/tlsattack.py server
PY=/usr/bin/python3
ATTACK=$PEERS/tlsattack.py
TALLY=$PEERS/tally.py
SECRET=OFFLINE-SECRET-$SUFFIX-$RANDOM

require_module
checktool "openssl version" "run openssl"
checktool "curl --version" "run curl"
checktool "tcpdump --version" "run tcpdump"
checktool "iptables -V" "run iptables"
checktool "ip6tables -V" "run ip6tables"
checktool "$PY -c 'import json, socket, ssl'" "run $PY"
if [ ! -x "$TOOL" ]; then
	echo "SKIP: $TOOL missing: run 'make tools' on the host first"
	exit $ksft_skip
fi

mkdir -p "$TLSDIR"
CAP=$TLSDIR/offline.pcap
CAPOUT=$TLSDIR/offline-out.pcap
SRVLOG=$TLSDIR/offline-server.log
: >"$SRVLOG"
trap cleanup_ns EXIT
T0=$SECONDS

make_cert || { log_fail "cannot create a certificate"; exit 1; }
head -c 32768 /dev/urandom >"$TLSDIR/small.bin"
want=$(sha256sum <"$TLSDIR/small.bin")

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
if ! attach_iptables "$router" $PORT || ! attach_iptables "$router" $APORT; then
	log_fail "cannot attach the helper"
	exit 1
fi

# The router handles every received packet on CPU 0 (RPS): see the header.
# (TLS_OFFLINE_RPS=0 leaves it out, to see the ordering effect.)
if [ "${TLS_OFFLINE_RPS:-1}" != 0 ]; then
	for q in $(ip netns exec "$router" sh -c 'ls -d /sys/class/net/r[01]/queues/rx-*'); do
		ip netns exec "$router" sh -c "echo 1 >$q/rps_cpus" ||
			{ log_fail "cannot steer $q to CPU 0 (RPS)"; exit 1; }
	done
fi

# conntrack's INVALID count in the router (packets that never reach a helper)
ct_invalid() {
	ip netns exec "$router" conntrack -S 2>/dev/null |
		sed -n 's/.* invalid=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}

# --- capture in the router: what arrives on r0 and r1 (see the header)
ip netns exec "$router" tcpdump -Z root -i any -Q in --immediate-mode -U \
	-s 0 -B 16384 -w "$CAP" tcp 2>"$TLSDIR/tcpdump.log" &
TCPDUMP=$!
# and what the router sends on (after the helper): which segments it
# really forwarded, to check the tool's drops packet by packet
ip netns exec "$router" tcpdump -Z root -i any -Q out --immediate-mode -U \
	-s 0 -B 16384 -w "$CAPOUT" tcp 2>"$TLSDIR/tcpdump-out.log" &
TCPDUMP_OUT=$!
for _ in $(seq 200); do
	grep -q 'listening on' "$TLSDIR/tcpdump.log" &&
		grep -q 'listening on' "$TLSDIR/tcpdump-out.log" && break
	sleep 0.1
done
grep -q 'listening on' "$TLSDIR/tcpdump.log" &&
	grep -q 'listening on' "$TLSDIR/tcpdump-out.log" ||
	{ log_fail "tcpdump did not start"; cat "$TLSDIR"/tcpdump*.log; exit 1; }

snap_counters "$TLSDIR/k.before"
inv0=$(ct_invalid)
klog0=$(dmesg | wc -l)

# --- benign: curl downloads from s_server -WWW
# download FAMILY VERSION LPORT: 32 KiB over TLS VERSION from client port LPORT
download() {
	local fam=$1 ver=$2 lport=$3 url=https://10.0.2.2:$PORT/small.bin got
	local flags=(--tlsv1.3)

	[ "$fam" = 6 ] && url=https://[fd00:2::2]:$PORT/small.bin
	[ "$ver" = 1.2 ] && flags=(--tlsv1.2 --tls-max 1.2)
	got=$(ip netns exec "$client" curl -sk --max-time 60 --local-port "$lport" \
		"${flags[@]}" "$url" | sha256sum)
	if [ "$got" = "$want" ]; then
		log_pass "benign ipv$fam TLS$ver (client port $lport): download intact"
	else
		log_fail "benign ipv$fam TLS$ver (client port $lport): download cut or corrupted"
	fi
}

TLS13_LPORT=40013
if serve_www 4 3 120; then
	download 4 1.3 $TLS13_LPORT
	download 4 1.2 40012
	download 4 1.3 40023
	wait "$SERVER_PID" 2>/dev/null
else
	log_fail "s_server (ipv4) did not start"
fi
if serve_www 6 2 120; then
	download 6 1.3 40613
	download 6 1.2 40612
	wait "$SERVER_PID" 2>/dev/null
else
	log_fail "s_server (ipv6) did not start"
fi

# --- attacks (and one benign session) with the attack tool
ip netns exec "$server" "$PY" "$ATTACK" server --secret "$SECRET" \
	--log "$SRVLOG" $APORT &
wait_port "$server" $APORT || { log_fail "the attack server did not start"; exit 1; }

# session NAME FAMILY WANT_RC ARGS...: one tlsattack.py client run; sets LPORT
session() {
	local name=$1 fam=$2 want_rc=$3 addr=10.0.2.2 out=$TLSDIR/offline-$1.out rc
	local opts=()

	shift 3
	[ "$fam" = 6 ] && addr=fd00:2::2
	while [ "${1#--}" != "$1" ]; do
		opts+=("$1")
		shift
	done
	ip netns exec "$client" timeout 90 "$PY" "$ATTACK" client \
		--secret "$SECRET" "${opts[@]}" "$addr" $APORT "$@" >"$out" 2>&1
	rc=$?
	LPORT=$(sed -n 's/.*from local port \([0-9]*\).*/\1/p' "$out" | head -1)
	result=$(grep '# client: RESULT' "$out" | tail -1 | sed 's/^# client: //')
	if [ "$rc" = "$want_rc" ]; then
		log_pass "$name ipv$fam (client port $LPORT): $result"
	else
		log_fail "$name ipv$fam: rc $rc, wanted $want_rc: $result"
		sed 's/^/# /' "$out"
	fi
}

session control 4 0 ch ccs r512 r4096
session hb_plain 4 2 ch hbx
HB_LPORT=$LPORT
session hb_split 6 2 --split ch hbx
session hb_enc 4 2 ch ccs hbe
session lowrun 4 2 ch ccs r512 a4096
session sslv2 4 2 v2sh
# a hand-made TCP client sends the heartbeat's second part first: a real
# hole at the helper (gaps); the client kernel's RSTs for its port must not
# reach the server
ip netns exec "$client" iptables -A OUTPUT -p tcp --dport $APORT --tcp-flags RST RST -j DROP
session reorder 4 2 --raw --reorder ch hbx
ip netns exec "$client" iptables -F OUTPUT

# --- freeze: nothing more reaches the router, then counters and capture
ip -n "$client" link set c0 down
ip -n "$server" link set s0 down
sleep 2
snap_counters "$TLSDIR/k.after"
inv1=$(ct_invalid)
kill -INT "$TCPDUMP" "$TCPDUMP_OUT"
wait "$TCPDUMP" "$TCPDUMP_OUT" 2>/dev/null
sed 's/^/# tcpdump: /' "$TLSDIR/tcpdump.log" | grep -v 'listening on'
lost=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$TLSDIR/tcpdump.log")
if [ "${lost:-x}" = 0 ]; then
	log_pass "capture complete: tcpdump lost no packet"
else
	log_fail "capture incomplete: tcpdump lost ${lost:-?} packets (the comparison below is not meaningful)"
fi
echo "# conntrack INVALID packets in the router during the run: $((inv1 - inv0))"

# --- the tool on the capture
"$TOOL" --no-reorder --json --port $PORT --port $APORT "$CAP" >"$TLSDIR/tool.json" 2>"$TLSDIR/tool.err"
trc=$?
if [ "$trc" = 2 ]; then
	log_fail "tls-replay could not read the capture: $(head -c 300 "$TLSDIR/tool.err")"
	exit 1
fi
"$PY" "$TALLY" -v <"$TLSDIR/tool.json" >"$TLSDIR/tool.tally" ||
	{ log_fail "cannot read the tool's JSON output"; exit 1; }
grep '^summary' "$TLSDIR/tool.tally" | tr '\n' ' ' | sed 's/summary //g; s/^/# tool: /; s/ $/\n/'
while read -r line; do
	echo "# tool flow: $line"
done < <("$PY" -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    if o["type"] == "flow":
        print("%s -> %s %s bytes=%d records=%d verdict=%s%s state=%s packets=%d%s" % (
            o["client"], o["server"], o["version"], o["bytes"], o["records"],
            o["verdict"], "/%s@%d" % (o["dir"], o["frame"]) if o["dir"] else "",
            o["state"], o["packets"],
            "".join(" %s=%d" % (k, o[k]) for k in ("retrans", "gap_drops",
                    "pickup_drops", "after_kill") if o[k]) +
            ("" if o["syn"] else " nosyn")))
' <"$TLSDIR/tool.json")

stalled=$(awk '$1 == "summary" && $2 == "gap_stalled" { print $3 }' "$TLSDIR/tool.tally")
snapcut=$(awk '$1 == "summary" && $2 == "snaplen_stops" { print $3 }' "$TLSDIR/tool.tally")
if [ "${stalled:-x}" = 0 ] && [ "${snapcut:-x}" = 0 ]; then
	log_pass "the capture has no hole the tool could not judge past (gap_stalled 0, snaplen_stops 0)"
else
	log_fail "the capture has holes: gap_stalled ${stalled:-?}, snaplen_stops ${snapcut:-?}"
fi

# --- kernel counters vs tool, name by name
# kdelta NAME: the kernel's counter over the run
kdelta() {
	awk -v k="$1" 'FNR == NR { if ($1 == k) b = $2; next }
		       $1 == k { print $2 - b; f = 1 } END { if (!f) print "missing" }' \
		"$TLSDIR/k.before" "$TLSDIR/k.after"
}
tval() {
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$TLSDIR/tool.tally"
}

names="flows bytes records drops gaps pickups retransmits"
names="$names syn_data_rejected ack_raised"
names="$names $(awk '$1 ~ /^(violation|drop)_/ { print $1 }' "$TLSDIR/k.after" | tr '\n' ' ')"
# a reason the tool reports but the kernel has no counter for is a mismatch too
for n in $(awk '$1 ~ /^(violation|drop)_/ { print $1 }' "$TLSDIR/tool.tally"); do
	grep -qw "$n" <<<"$names" || names="$names $n"
done
nviol=0
for n in $names; do
	k=$(kdelta "$n")
	t=$(tval "$n")
	case $n in violation_*) [ "$k" != missing ] && nviol=$((nviol + k)) ;; esac
	if [ "$k" = "$t" ]; then
		# zeros everywhere are not worth a line each
		[ "$k" = 0 ] && [[ $n == violation_* || $n == drop_* ]] && continue
		log_pass "$n: kernel $k, tool $t"
	else
		log_fail "$n: kernel $k, tool $t"
	fi
done

# The comparison means something only if the mix really happened.
kflows=$(kdelta flows)
kgaps=$(kdelta gaps)
if [ "${kflows:-0}" -ge 12 ] && [ "$nviol" -ge 6 ] && [ "${kgaps:-0}" -ge 1 ]; then
	log_pass "the kernel inspected the mix: $kflows flows, $nviol violations, $kgaps gaps"
else
	log_fail "the mix did not happen as planned: kernel flows ${kflows:-?}, violations $nviol, gaps ${kgaps:-?} (wanted >= 12, >= 6, >= 1)"
fi

# --- after a kill the tool has the kernel drop every packet of the
# connection (drop_dead); the egress capture shows what the router really
# forwarded
"$PY" "$PEERS/afterkill.py" "$CAP" "$CAPOUT" "$TLSDIR/tool.json" \
	>"$TLSDIR/afterkill" || { log_fail "cannot read the captures"; exit 1; }
fwd=$(sed -n 's/^forwarded //p' "$TLSDIR/afterkill")
if [ "$fwd" = 0 ]; then
	log_pass "after each kill: the router forwarded no packet of the connection (no INVALID rule), as the tool models"
else
	log_fail "after a kill: the router forwarded $fwd packets of killed connections, the tool has them dropped:"
	grep -v '^forwarded' "$TLSDIR/afterkill" | sed 's/^/# forwarded after the kill: /'
fi

# --- which flows were killed, and why: kernel log vs tool
dmesg_since "$klog0" >"$TLSDIR/klog"
sed -n 's/.*nf_conntrack_tls: dropped: \([a-z0-9_]*\) from \([a-z]*\): \(.*\) -> \(.*\)$/kill \1 \2 \3 \4/p' \
	"$TLSDIR/klog" | sort >"$TLSDIR/kills.kernel"
grep '^kill ' "$TLSDIR/tool.tally" | sort >"$TLSDIR/kills.tool"
nk=$(wc -l <"$TLSDIR/kills.kernel")
if [ "$nk" -lt "$nviol" ]; then
	log_skip "killed flows: the kernel log was rate-limited ($nk lines for $nviol violations)"
elif diff -u "$TLSDIR/kills.kernel" "$TLSDIR/kills.tool" >"$TLSDIR/kills.diff"; then
	log_pass "killed flows: the kernel logged the same $nk (reason, side, flow) as the tool"
else
	log_fail "killed flows differ (- kernel log, + tool):"
	sed 's/^/# /' "$TLSDIR/kills.diff"
fi

# --- fixtures (tests/data/regen.sh vm)
# fixture NAME CLIENT-PORT: the flows of that client port, as captured
fixture() {
	local f=$TLSDIR/$1 size

	tcpdump -r "$CAP" -w "$f" "tcp port $2" 2>/dev/null
	size=$(stat -c %s "$f")
	if [ "$size" -ge 102400 ]; then
		log_fail "fixture $1: $size bytes, not < 100 KB"
		return
	fi
	cp "$f" "$TLS_OFFLINE_FIXTURES/$1"
	echo "# fixture $TLS_OFFLINE_FIXTURES/$1: $size bytes:"
	"$TOOL" --no-reorder --port $PORT --port $APORT "$f" | sed 's/^/#   /'
}
if [ -n "${TLS_OFFLINE_FIXTURES:-}" ]; then
	fixture vm-tls13-curl.pcap $TLS13_LPORT
	[ -n "$HB_LPORT" ] && fixture vm-heartbleed.pcap "$HB_LPORT"
fi

echo "# tls_offline.sh took $((SECONDS - T0)) s"
exit $RET
