#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The knobs of nf_conntrack_tls:
#
#  - module parameters: an out-of-range value refuses the load with a clear
#    message and leaves nothing loaded (make check: one value per kind of
#    error, all through the same range check; KNOBS_ALL=1: every knob); valid values become the sysctl
#    defaults of every namespace created afterwards (sysctl changes in one
#    namespace do not change them); reloading without parameters restores
#    the built-in defaults (the module is left loaded that way);
#  - sysctl net.netfilter.nf_conntrack_tls_*: out-of-range and non-numeric
#    values are refused and leave the knob unchanged; each namespace has
#    its own values;
#  - each knob changed in the router during a live flow, with its effect
#    on the rest of that flow: lowrun_limit lowered (killed) and 0 (off),
#    heartbeat=1 (valid heartbeat killed: hb_forbidden), heartbeat=2
#    (malformed heartbeat let through), audit=1 (counted in audited, not
#    dropped, logged as audit), sslv2=1 (SSLv2 session let through),
#    gap=1 (reordered heartbeat: gap_stops, flow no longer inspected),
#    log=0 (dropped, no kernel log line); reset (0 -> 1 during a live
#    flow) is tls_reset.sh's.
#
# The router also drops TCP packets that would create a conntrack entry
# without a SYN (mid-stream pickups), a common firewall rule: a flow killed
# by the helper then stays cut whatever the peers retransmit, so each live
# check sees only the knob's own effect (tls_attacks.sh covers what happens
# without that rule).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PORT=443
PY=/usr/bin/python3
ATTACK=$PEERS/tlsattack.py
SECRET=SELFTEST-KNOB-SECRET-$SUFFIX-$RANDOM
KNOBS=(lowrun_limit heartbeat gap audit sslv2 log reset ttl_floor dead_timeout)
# handshake (default 1) is checked by its bad and good values below only
DEFAULTS=(128 0 0 0 0 1 0 8 120)

require_module loaded file
checktool "$PY -c 'import socket'" "run $PY"
checktool "iptables -V" "run iptables"
checktool "sysctl -V" "run sysctl"

mkdir -p "$TLSDIR"
SRVLOG=$TLSDIR/knobs-server.log
OUT=$TLSDIR/knobs-client.out
GO=$TLSDIR/knobs-go
: >"$SRVLOG"
MSG_COST=$(sysctl -n net.core.message_cost)
T0=$SECONDS

cleanup() {
	cleanup_ns
	sysctl -qw net.core.message_cost="$MSG_COST"
	# whatever happened, leave the module loaded with its defaults
	local P=/sys/module/nf_conntrack_tls/parameters
	if module_loaded &&
	   [ "$(cat $P/lowrun_limit $P/heartbeat $P/gap $P/audit $P/sslv2 $P/log $P/reset \
		$P/ttl_floor $P/dead_timeout | tr '\n' ' ')" != "${DEFAULTS[*]} " ]; then
		rmmod nf_conntrack_tls
	fi
	module_loaded || insmod "$KO"
}
trap cleanup EXIT

# knob NS NAME: the value of net.netfilter.nf_conntrack_tls_NAME in NS
# ("" = the initial namespace)
knob() {
	if [ -n "$1" ]; then
		ip netns exec "$1" sysctl -n "net.netfilter.nf_conntrack_tls_$2" 2>/dev/null
	else
		sysctl -n "net.netfilter.nf_conntrack_tls_$2" 2>/dev/null
	fi
}

# all_knobs NS: "lowrun_limit=128 heartbeat=0 ..." (one sysctl run: every
# process costs on a loaded TCG guest)
all_knobs() {
	local k names=() vals
	for k in "${KNOBS[@]}"; do
		names+=("net.netfilter.nf_conntrack_tls_$k")
	done
	if [ -n "$1" ]; then
		vals=$(ip netns exec "$1" sysctl -n "${names[@]}" 2>/dev/null)
	else
		vals=$(sysctl -n "${names[@]}" 2>/dev/null)
	fi
	# (no process substitution: the guest has no /dev/fd)
	local i=0 v out=()
	for v in $vals; do
		out+=("${KNOBS[$i]}=$v")
		i=$((i + 1))
	done
	echo "${out[*]}"
}

expect_knobs() {
	# expect_knobs WHAT NS VALUES...
	local what=$1 ns=$2 i want=() got
	shift 2
	for i in "${!KNOBS[@]}"; do
		want+=("${KNOBS[$i]}=$1")
		shift
	done
	got=$(all_knobs "$ns")
	if [ "$got" = "${want[*]}" ]; then
		log_pass "$what: $got"
	else
		log_fail "$what: got '$got', wanted '${want[*]}'"
	fi
}

# ------------------------------------------------------------------ module

echo "# --- module parameters (t=$((SECONDS - T0)) s)"
if ! rmmod nf_conntrack_tls; then
	log_fail "rmmod nf_conntrack_tls (module parameters not tested)"
else
	# every knob goes through one range check (nf_ct_tls_param_set());
	# make check tries one value per kind of error, KNOBS_ALL=1 all
	bads=(heartbeat=abc lowrun_limit=65536 ttl_floor=-1 dead_timeout=0
	      sni_odd=2 sni_max_entries=0 sni_max_len=254)
	[ "${KNOBS_ALL:-}" = 1 ] && bads+=(heartbeat=9 heartbeat=3 lowrun_limit=-1
		gap=2 audit=2 sslv2=2 log=2 reset=2 ttl_floor=256 dead_timeout=86401
		handshake=2 min_version=5 ech=3 cipher_deny=32 min_offer=2 no_sni=2
		sni_ip=-1 sni_multi=2 sni_odd=-1 sni_max_entries=8388608)
	for bad in "${bads[@]}"; do
		n=$(dmesg | wc -l)
		name=${bad%%=*}
		if insmod "$KO" "$bad" 2>"$TLSDIR/insmod.err"; then
			log_fail "insmod $bad was accepted"
			rmmod nf_conntrack_tls
			continue
		fi
		msg=$(dmesg_since "$n" | grep -m1 "nf_conntrack_tls: parameter $bad: expected an integer from [01] to")
		if [ -n "$msg" ] && ! module_loaded &&
		   [ ! -e /proc/net/nf_conntrack_tls ] &&
		   [ ! -e "/proc/sys/net/netfilter/nf_conntrack_tls_$name" ]; then
			log_pass "insmod $bad refused ($(tr -d '\n' <"$TLSDIR/insmod.err" | sed 's/^insmod: //')), nothing loaded; dmesg:${msg#*]}"
		else
			log_fail "insmod $bad: refused but message '$msg', modules: $(grep -c '^nf_conntrack_tls ' /proc/modules)"
			dmesg_since "$n" | sed 's/^/# /'
		fi
	done

	if insmod "$KO" lowrun_limit=64 heartbeat=1 gap=1 audit=1 sslv2=1 log=0 reset=1 \
		ttl_floor=0 dead_timeout=5; then
		expect_knobs "insmod with parameters: initial namespace" "" 64 1 1 1 1 0 1 0 5
		setup_ns pa pb
		expect_knobs "insmod with parameters: new namespace" "$pa" 64 1 1 1 1 0 1 0 5
		ip netns exec "$pa" sysctl -qw net.netfilter.nf_conntrack_tls_heartbeat=2 \
			net.netfilter.nf_conntrack_tls_lowrun_limit=300
		setup_ns pc
		expect_knobs "sysctl in one namespace leaves the defaults of the next one" \
			"$pc" 64 1 1 1 1 0 1 0 5
		p=$(cat /sys/module/nf_conntrack_tls/parameters/heartbeat \
			/sys/module/nf_conntrack_tls/parameters/lowrun_limit | tr '\n' ' ')
		if [ "$p" = "1 64 " ]; then
			log_pass "/sys/module/nf_conntrack_tls/parameters shows heartbeat=1 lowrun_limit=64"
		else
			log_fail "/sys/module/nf_conntrack_tls/parameters: heartbeat lowrun_limit = $p"
		fi
		cleanup_ns
		rmmod nf_conntrack_tls || log_fail "rmmod after the parameter test"
	else
		log_fail "insmod with valid parameters failed"
	fi
	if insmod "$KO"; then
		setup_ns pd
		expect_knobs "reloaded without parameters: built-in defaults" "$pd" "${DEFAULTS[@]}"
		expect_knobs "reloaded without parameters: initial namespace" "" "${DEFAULTS[@]}"
		cleanup_ns
	else
		log_fail "insmod without parameters failed"
		exit 1
	fi
fi

# ------------------------------------------------------------------ sysctl

echo "# --- sysctl values (t=$((SECONDS - T0)) s)"
setup_topology || { log_fail "cannot build the namespaces"; exit 1; }

# Inside the router, one shell for all writes; each line:
# "bad|good KNOB VALUE RC BEFORE AFTER"
ip netns exec "$router" bash -c '
	try() {
		local f=/proc/sys/net/netfilter/nf_conntrack_tls_$2 b a rc
		b=$(cat "$f"); sysctl -qw "net.netfilter.nf_conntrack_tls_$2=$3" 2>/dev/null
		rc=$?; a=$(cat "$f"); echo "$1 $2 $3 $rc $b $a"
	}
	for v in -1 65536 100000 abc; do try bad lowrun_limit $v; done
	for v in 3 7 -1; do try bad heartbeat $v; done
	for k in gap audit sslv2 log reset handshake; do try bad $k 2; try bad $k -1; done
	for v in 256 -1 x; do try bad ttl_floor $v; done
	for v in 0 86401 -5; do try bad dead_timeout $v; done
	for kv in lowrun_limit=65535 lowrun_limit=0 heartbeat=2 gap=1 audit=1 sslv2=1 log=0 reset=1 \
		  ttl_floor=255 ttl_floor=0 dead_timeout=86400 dead_timeout=1 \
		  handshake=0 handshake=1; do
		try good ${kv%%=*} ${kv#*=}
	done' >"$TLSDIR/sysctl.out"
for k in "${KNOBS[@]}"; do
	refused=()
	while read -r kind kk v rc b a; do
		[ "$kind" = bad ] && [ "$kk" = "$k" ] || continue
		if [ "$rc" = 0 ]; then
			log_fail "sysctl $k=$v accepted (now $a)"
		elif [ "$a" != "$b" ]; then
			log_fail "sysctl $k=$v refused but the value changed from $b to $a"
		else
			refused+=("$v")
			before=$b
		fi
	done <"$TLSDIR/sysctl.out"
	[ ${#refused[@]} -gt 0 ] &&
		log_pass "sysctl $k: ${refused[*]} refused, value stays $before"
done
bad=$(awk '$1 == "good" && ($4 != 0 || $6 != $3)' "$TLSDIR/sysctl.out")
if [ -z "$bad" ] && [ "$(grep -c '^good' "$TLSDIR/sysctl.out")" = 14 ]; then
	log_pass "sysctl accepts the limits (lowrun_limit 65535 and 0, heartbeat 2, gap/audit/sslv2/reset 1, log 0, ttl_floor 255 and 0, dead_timeout 86400 and 1, handshake 0 and 1)"
else
	log_fail "sysctl refused valid values: $bad"
fi
expect_knobs "router after its changes" "$router" 0 2 1 1 1 0 1 0 1
expect_knobs "per-netns: client namespace untouched" "$client" "${DEFAULTS[@]}"
expect_knobs "per-netns: initial namespace untouched" "" "${DEFAULTS[@]}"
kv=()
for i in "${!KNOBS[@]}"; do
	kv+=("net.netfilter.nf_conntrack_tls_${KNOBS[$i]}=${DEFAULTS[$i]}")
done
ip netns exec "$router" sysctl -qw "${kv[@]}"
expect_knobs "router restored" "$router" "${DEFAULTS[@]}"

# ---------------------------------------------------------------- live flows

echo "# --- knobs changed during live flows (t=$((SECONDS - T0)) s)"
sysctl -qw net.core.message_cost=0	# no rate limit on the log lines checked
ip netns exec "$server" "$PY" "$ATTACK" server --secret "$SECRET" --log "$SRVLOG" $PORT &
wait_port "$server" $PORT || { log_fail "the attack server did not start"; exit 1; }
attach_iptables "$router" $PORT || { log_fail "cannot attach the helper"; exit 1; }
ip netns exec "$router" iptables -A FORWARD -p tcp ! --syn -m conntrack --ctstate NEW -j DROP
ip netns exec "$router" ip6tables -A FORWARD -p tcp ! --syn -m conntrack --ctstate NEW -j DROP
# the raw-socket client (gap) needs the kernel's RSTs for its port dropped
ip netns exec "$client" iptables -A OUTPUT -p tcp --dport $PORT --tcp-flags RST RST -j DROP

delta() {
	awk -v k="$1" 'FNR == NR { if ($1 == k) b = $2; next }
		       $1 == k { print $2 - b }' "$TLSDIR/k.before" "$TLSDIR/k.after"
}
violations() {
	awk 'FNR == NR { b[$1] = $2; next }
	     $1 ~ /^violation_/ && $2 != b[$1] { printf "%s +%d ", $1, $2 - b[$1] }' \
		"$TLSDIR/k.before" "$TLSDIR/k.after"
}

finish() {
	snap_counters "$TLSDIR/k.after"
	sed 's/^\([^#]\)/# (stderr) \1/' "$OUT"
	LPORT=$(sed -n 's/.*from local port \([0-9]*\).*/\1/p' "$OUT" | head -1)
	RESULT=$(grep '# client: RESULT' "$OUT" | tail -1 | sed 's/^# client: //')
	VIOL=$(violations)
	echo "# counters: ${VIOL:-no violation}, drops +$(delta drops), audited +$(delta audited), gaps +$(delta gaps), gap_stops +$(delta gap_stops)"
}

# flow CLIENTARGS...: a whole flow with the current knobs
flow() {
	snap_counters "$TLSDIR/k.before"
	ip netns exec "$client" timeout 120 "$PY" "$ATTACK" client --secret "$SECRET" \
		"$@" >"$OUT" 2>&1
	RC=$?
	finish
}

# live KNOB VALUE CLIENTARGS...: the client stops at its p:$GO step, the
# router's KNOB is set to VALUE, the client goes on
live() {
	local k=$1 v=$2 pid
	shift 2
	rm -f "$GO"
	snap_counters "$TLSDIR/k.before"
	ip netns exec "$client" timeout 180 "$PY" "$ATTACK" client --secret "$SECRET" \
		"$@" >"$OUT" 2>&1 &
	pid=$!
	wait_paused "$OUT" 1200 $pid
	ip netns exec "$router" sysctl -qw "net.netfilter.nf_conntrack_tls_$k=$v" ||
		log_fail "sysctl $k=$v in the router"
	echo "# router: $k set to $(knob "$router" "$k") while the flow is paused"
	touch "$GO"
	wait $pid
	RC=$?
	finish
}

restore() { ip netns exec "$router" sysctl -qw "net.netfilter.nf_conntrack_tls_$1=$2"; }

# (for lib.sh's check WHAT PREDICATE...)
check_detail() { echo "client: $RESULT, rc $RC; violations: ${VIOL:-none}"; }
cut_at() { [ "$RC" = 2 ] && grep -q "cut at step $1 " <<<"$RESULT"; }
done_ok() { [ "$RC" = 0 ]; }
only_viol() { [ "$VIOL" = "violation_$1 +$2 " ]; }
no_viol() { [ -z "$VIOL" ]; }
delta_is() { [ "$(delta "$1")" = "$2" ]; }
said() { grep -q "$1" "$OUT"; }	# said PATTERN: the client printed it

# one predicate per check below, named after what it proves
lowrun_cut_second_run() {
	cut_at 6 && only_viol lowrun 1 && delta_is drops 1 &&
		said "100-byte ASCII run .* acknowledged"
}
passed_clean() { done_ok && no_viol; }
hb_forbidden_cut() { cut_at 3 && only_viol hb_forbidden 1 && delta_is drops 1; }
hb_leak_allowed() { done_ok && no_viol && said "secret LEAKED"; }
hb_audited() {
	done_ok && only_viol hb_length 1 && delta_is audited 1 && delta_is drops 0 &&
		[ -n "$msg" ]
}
sslv2_cut() { cut_at 1 && only_viol sslv2_forbidden 1; }
sslv2_passed() { done_ok && no_viol && said "received an SSLv2 SERVER-HELLO"; }
gap_stopped() { done_ok && no_viol && delta_is gaps 1 && delta_is gap_stops 1; }
hb_dropped_logged() { cut_at 2 && only_viol hb_length 1 && [ -n "$msg" ]; }
hb_dropped_unlogged() {
	cut_at 3 && only_viol hb_length 1 && delta_is drops 1 && [ "$lines" = 0 ]
}

A=10.0.2.2

echo "# lowrun_limit: a 100-byte ASCII run passes under 128; limit lowered to 64 mid-flow"
live lowrun_limit 64 $A $PORT ch ccs r256 a100 p:"$GO" a100
check "lowrun_limit 128 -> 64 mid-flow: the first 100-byte run passed, the second is killed (violation_lowrun)" \
	lowrun_cut_second_run
restore lowrun_limit 128

echo "# lowrun_limit=0 mid-flow: the rule is off"
live lowrun_limit 0 $A $PORT ch ccs a100 p:"$GO" a4096 r256
check "lowrun_limit 0 mid-flow: a 4096-byte ASCII run passes, no violation" passed_clean
restore lowrun_limit 128

echo "# heartbeat=0 (validate): a valid heartbeat passes"
flow $A $PORT ch hbv
check "heartbeat=0: a valid heartbeat request and its response pass" passed_clean

echo "# heartbeat=1 (drop all) mid-flow"
live heartbeat 1 $A $PORT ch p:"$GO" hbv
check "heartbeat 0 -> 1 mid-flow: the valid heartbeat is killed (violation_hb_forbidden)" \
	hb_forbidden_cut
restore heartbeat 0

echo "# heartbeat=2 (allow all) mid-flow"
live heartbeat 2 $A $PORT ch p:"$GO" hbx
check "heartbeat 0 -> 2 mid-flow: the malformed heartbeat passes (the secret leaks), no violation" \
	hb_leak_allowed
restore heartbeat 0

echo "# audit=1 mid-flow"
n=$(dmesg | wc -l)
live audit 1 $A $PORT ch p:"$GO" hbx
msg=$(dmesg_since "$n" | grep -m1 "nf_conntrack_tls: audit: hb_length from client: 10.0.1.1:$LPORT ")
echo "# dmesg:${msg#*]}"
check "audit 0 -> 1 mid-flow: Heartbleed counted (violation_hb_length, audited +1) and logged as audit, not dropped" \
	hb_audited
restore audit 0

echo "# sslv2=0: an SSLv2-only CLIENT-HELLO is refused"
flow $A $PORT v2ch:0x0002
check "sslv2=0: SSLv2 CLIENT-HELLO 0x0002 killed (violation_sslv2_forbidden)" \
	sslv2_cut
echo "# sslv2=1 mid-flow (after the TCP handshake, before the first record)"
live sslv2 1 $A $PORT p:"$GO" v2ch:0x0002
check "sslv2 0 -> 1 mid-flow: the SSLv2 CLIENT-HELLO and the SERVER-HELLO pass" \
	sslv2_passed
restore sslv2 0

echo "# gap=1 mid-flow: reordered heartbeat segments (raw socket client)"
live gap 1 --raw --reorder $A $PORT ch p:"$GO" hbx
check "gap 0 -> 1 mid-flow: the segment beyond the hole stops inspection (gaps +1, gap_stops +1), the heartbeat is no longer inspected" \
	gap_stopped
restore gap 0

echo "# log=1: a violation is logged"
n=$(dmesg | wc -l)
flow $A $PORT ch hbx
msg=$(dmesg_since "$n" | grep -m1 "nf_conntrack_tls: dropped: hb_length from client: 10.0.1.1:$LPORT -> 10.0.2.2:$PORT")
echo "# dmesg:${msg#*]}"
check "log=1: Heartbleed dropped and logged" hb_dropped_logged
echo "# log=0 mid-flow"
n=$(dmesg | wc -l)
live log 0 $A $PORT ch p:"$GO" hbx
lines=$(dmesg_since "$n" | grep -c "nf_conntrack_tls: .*:$LPORT ")
check "log 1 -> 0 mid-flow: Heartbleed dropped (drops +1), no kernel log line" \
	hb_dropped_unlogged
restore log 1

cleanup_ns
echo "# tls_knobs.sh took $((SECONDS - T0)) s"
exit $RET
