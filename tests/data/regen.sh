#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the capture fixtures of tests/data (expected verdicts: rows
# "tests/data/..." of tests/corpus/expectations.tsv):
#
#   - crafted ones (tests/data/mkpcaps.py, python3-scapy): Heartbleed,
#     reordering, lost segments, low-byte run, link types (QinQ, raw IPv4,
#     IPv6 with extension headers and fragments, BSD loopback, Linux cooked
#     v1/v2 pcapng), snaplen, a truncated file, pickup, port reuse, TFO.
#     Deterministic: the same bytes every time.
#   - real ones: openssl s_server / s_client on 127.0.0.1, captured with
#     tcpdump: TLS 1.3 on lo (Ethernet link type) and TLS 1.2 on "any" as
#     Linux cooked v2.  Needs root (tcpdump), openssl and tcpdump; skipped
#     with a message otherwise (the committed files stay).  These differ
#     on every run (keys, timing); their verdicts do not.
#
#   - vm ones (not part of "all": they boot the test VM): a TLS 1.3
#     download and a plaintext Heartbleed captured in the router of the
#     selftest tls_offline.sh (vm-tls13-curl.pcap, vm-heartbleed.pcap).
#     Needs the module and build/tools/tls-replay built (make && make tools).
#
# Usage: tests/data/regen.sh [crafted|real|all|vm]   (default all)
set -euo pipefail

DIR=$(cd "$(dirname "$0")" && pwd)
what=${1:-all}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

if [ "$what" = vm ]; then
	cd "$DIR/../.." &&
	exec scripts/vm/vm-run.sh -t 1800 -- env TLS_OFFLINE_FIXTURES=tests/data \
		tests/selftests/run.sh tls_offline.sh
fi

if [ "$what" = all ] || [ "$what" = crafted ]; then
	if ! "$PY" -c 'import scapy' 2>/dev/null; then
		echo "regen: python3-scapy missing: crafted fixtures not made" >&2
		exit 1
	fi
	"$PY" "$DIR/mkpcaps.py" "$DIR" 2> >(grep -v -i warning >&2)
	echo "regen: crafted fixtures written"
fi

[ "$what" = all ] || [ "$what" = real ] || exit 0

for t in openssl tcpdump; do
	if ! command -v $t >/dev/null; then
		echo "regen: $t missing: real fixtures not made" >&2
		exit 0
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "regen: not root (tcpdump): real fixtures not made" >&2
	exit 0
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
	-subj /CN=localhost 2>/dev/null

wait_port() {
	local i
	for i in $(seq 50); do
		ss -Htln "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	echo "regen: nothing listens on port $1" >&2
	return 1
}

# capture NAME IFACE LINKTYPE PORT OPENSSL-VERSION-FLAG
capture() {
	local name=$1 iface=$2 lt=$3 port=$4 ver=$5 tpid spid
	tcpdump -Z root -i "$iface" -y "$lt" -s 0 -U -w "$tmp/$name" \
		"tcp port $port and host 127.0.0.1" 2>"$tmp/tcpdump.log" &
	tpid=$!
	pids+=("$tpid")
	for _ in $(seq 50); do
		grep -q listening "$tmp/tcpdump.log" && break
		sleep 0.1
	done
	# -rev: the server sends every line back reversed, so both sides talk
	openssl s_server -accept "127.0.0.1:$port" -cert "$tmp/cert.pem" \
		-key "$tmp/key.pem" "$ver" -rev -naccept 1 \
		>"$tmp/server.log" 2>&1 &
	spid=$!
	pids+=("$spid")
	wait_port "$port"
	(printf 'hello through the tls helper\n'; sleep 0.5;
	 printf 'second line\n'; sleep 0.5) |
		openssl s_client -connect "127.0.0.1:$port" -servername localhost \
			"$ver" -brief >"$tmp/client.log" 2>&1 || true
	wait "$spid" 2>/dev/null || true
	sleep 0.3
	kill -INT "$tpid"
	wait "$tpid" 2>/dev/null || true
	mv "$tmp/$name" "$DIR/$name"
	echo "regen: $name: $(stat -c %s "$DIR/$name") bytes"
}

capture tls13-openssl-lo.pcap lo EN10MB 44331 -tls1_3
capture tls12-openssl-any.pcap any LINUX_SLL2 44332 -tls1_2
