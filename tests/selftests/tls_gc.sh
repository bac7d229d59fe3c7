#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The per-flow state objects of entries whose helper was removed over
# ctnetlink (CTA_HELP with an empty name: conntrack calls no helper code
# for such an entry again, not even destroy):
#  - with the sweep off (gc_interval=0) the objects really leak, whether the
#    entries are then deleted or stay;
#  - the sweep frees them within a few intervals (state_objects back to
#    where it was, state_reclaimed counts them);
#  - it never frees the state of a live inspected flow: with sweeps every
#    second, held connections keep their state and stay inspected;
#  - bad gc_interval writes are refused and change nothing;
#  - rmmod with leaked objects left frees them without a warning
#    (vm-run.sh fails the run on any kernel warning).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"
PORT=4433
N=8
PARAM=/sys/module/nf_conntrack_tls/parameters/gc_interval

require_module loaded file
checktool "conntrack --version" "find conntrack(8)"
trap cleanup_ns EXIT
make_cert

objects() { awk '$1 == "state_objects" { print $2 }' /proc/net/nf_conntrack_tls; }
reclaimed() { awk '$1 == "state_reclaimed" { print $2 }' /proc/net/nf_conntrack_tls; }
entries() { ip netns exec "$router" conntrack -L -p tcp --dport $PORT 2>/dev/null | grep -c .; }
helped() { ip netns exec "$router" conntrack -L -p tcp --dport $PORT 2>/dev/null | grep -c 'helper=tls'; }

# hold SECONDS: N connections from the client, held open; sets $hold_pid,
# output in $TLSDIR/hold.out; returns once they are up
hold() {
	ip netns exec "$client" python3 "$SELFTESTS/peers/hold_conns.py" \
		client 10.0.2.2 $PORT $N "$1" >"$TLSDIR/hold.out" 2>&1 &
	hold_pid=$!
	local i
	for i in $(seq "$(scaled 100)"); do
		grep -q '^client: up' "$TLSDIR/hold.out" && return 0
		sleep 0.1
	done
	return 1
}

# wait_objects WANT SECONDS: until state_objects is WANT
wait_objects() {
	local i
	for i in $(seq $(($2 * 10))); do
		[ "$(objects)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

rmmod nf_conntrack_tls && insmod "$KO" gc_interval=0 || { log_fail "reload with gc_interval=0"; exit 1; }
setup_topology
attach_iptables "$router" $PORT
(ip netns exec "$server" python3 "$SELFTESTS/peers/hold_conns.py" serve $PORT \
	"$TLSDIR/cert.pem" "$TLSDIR/key.pem" >/dev/null 2>&1 &)
wait_port "$server" $PORT || { log_fail "server did not start"; exit 1; }
base=$(objects)

# 1. helper removed, entries deleted, no sweep: the objects leak
hold 600 || log_fail "connections did not come up: $(cat "$TLSDIR/hold.out")"
up=$(objects)
out=$(ip netns exec "$router" python3 "$SELFTESTS/peers/ct_unhelp.py" $PORT)
kill $hold_pid 2>/dev/null; wait $hold_pid 2>/dev/null
ip netns exec "$router" conntrack -D -p tcp --dport $PORT >/dev/null 2>&1
sleep 1
left=$(objects)
if [ "$up" -ge $((base + N)) ] && [ "$out" = "unhelped $N" ] &&
   [ "$left" -ge $((base + N)) ] && [ "$(entries)" = 0 ]; then
	log_pass "without the sweep: $N entries unhelped and deleted leave their state ($base -> $up -> $left objects)"
else
	log_fail "leak not reproduced: objects $base -> $up -> $left, '$out', $(entries) entries left"
fi

# 2. the sweep frees them (two complete sweeps: within ~3 intervals)
r0=$(reclaimed)
echo 1 >"$PARAM"
if wait_objects "$base" "$(scaled 10)" && [ $(($(reclaimed) - r0)) -ge $N ]; then
	log_pass "the sweep freed the $N leaked objects (reclaimed $r0 -> $(reclaimed))"
else
	log_fail "sweep: objects $(objects) (want $base), reclaimed $r0 -> $(reclaimed)"
fi

# 3. live inspected flows keep their state through many sweeps, and the
#    state of entries unhelped while they live is freed while they live
hold "$(scaled 8)" || log_fail "connections did not come up: $(cat "$TLSDIR/hold.out")"
up=$(objects)
rec0=$(counter "$router" records)
sleep "$(scaled 5)"
mid=$(objects)
rec1=$(counter "$router" records)
if [ "$up" -ge $((base + N)) ] && [ "$mid" = "$up" ] && [ "$rec1" -gt "$rec0" ] &&
   [ "$(helped)" -ge $N ]; then
	log_pass "5 s of 1-s sweeps: $N live flows keep their state and stay inspected (records $rec0 -> $rec1)"
else
	log_fail "live flows: objects $up -> $mid, records $rec0 -> $rec1, $(helped) entries with the helper"
fi
ip netns exec "$router" python3 "$SELFTESTS/peers/ct_unhelp.py" $PORT >/dev/null
if wait_objects "$base" "$(scaled 10)" && [ "$(entries)" -ge $N ]; then
	log_pass "state of entries unhelped while they live is freed while they live ($(entries) entries)"
else
	log_fail "unhelped live entries: objects $(objects) (want $base), $(entries) entries"
fi
wait $hold_pid
if grep -q "^client: ok $N\$" "$TLSDIR/hold.out"; then
	log_pass "the $N connections kept working through it all"
else
	log_fail "connections: $(tail -1 "$TLSDIR/hold.out")"
fi
ip netns exec "$router" conntrack -D -p tcp --dport $PORT >/dev/null 2>&1

# 4. bad values are refused and change nothing
bad=0
for v in -1 3601 abc "" 1x; do
	echo "$v" >"$PARAM" 2>/dev/null && bad=1
done
if [ $bad = 0 ] && [ "$(cat "$PARAM")" = 1 ]; then
	log_pass "gc_interval refuses -1, 3601, abc, empty, 1x; stays 1"
else
	log_fail "gc_interval took a bad value (now $(cat "$PARAM"))"
fi

# 5. leaked objects left at rmmod are freed there
echo 0 >"$PARAM"
hold 600 || log_fail "connections did not come up: $(cat "$TLSDIR/hold.out")"
ip netns exec "$router" python3 "$SELFTESTS/peers/ct_unhelp.py" $PORT >/dev/null
kill $hold_pid 2>/dev/null; wait $hold_pid 2>/dev/null
ip netns exec "$router" conntrack -D -p tcp --dport $PORT >/dev/null 2>&1
left=$(objects)
cleanup_ns
if [ "$left" -ge $N ] && rmmod nf_conntrack_tls && insmod "$KO"; then
	log_pass "rmmod with $left leaked objects left, reload"
else
	log_fail "rmmod with leaked objects ($left)"
fi
exit $RET
