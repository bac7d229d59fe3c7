#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the large capture of real TLS traffic for `make bench-peer`:
# two network namespaces joined by a veth pair (nfpeer-c 10.99.0.1,
# nfpeer-s 10.99.0.2), nginx-light serving HTTPS on 443 in the server one,
# curl as client, tcpdump on the client's veth.  Traffic: bulk downloads
# (TLS 1.3 and 1.2, at PEER_RATE) and many short connections (one request
# each, 1-64 KiB bodies, TLS 1.3 and 1.2).  Server and client run on CPU 0
# (taskset) so that the segments of a flow are captured in order; tcpdump
# runs elsewhere, so that it keeps up (it fails when it drops a packet).
# Offloads are off on the veths: frames of at most 1500 bytes, as on a wire.  Output: $OUT (default
# build/peer/real.pcap); cached: nothing is done when it exists (FORCE=1
# makes it again).  Needs root, nginx-light, curl, openssl, tcpdump.
#
# Knobs: PEER_BULK_MB (sizes of the bulk downloads, "160 160 40 40 20"),
# PEER_SHORT (short connections, 1500), PEER_RATE (curl --limit-rate of
# the bulk downloads, 40M).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
W=$REPO/build/peer
OUT=${OUT:-$W/real.pcap}
BULK=${PEER_BULK_MB:-160 160 40 40 20}
SHORT=${PEER_SHORT:-1500}
RATE=${PEER_RATE:-40M}
NC=nfpeer-c NS=nfpeer-s
NICE="nice -n 19"

if [ -s "$OUT" ] && [ -z "${FORCE:-}" ]; then
	exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "mkcapture: needs root (namespaces, tcpdump)" >&2; exit 1; }
mkdir -p "$W/www"

cleanup() {
	[ -n "${TCPDUMP_PID:-}" ] && kill "$TCPDUMP_PID" 2>/dev/null || true
	[ -s "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
	ip netns del $NC 2>/dev/null || true
	ip netns del $NS 2>/dev/null || true
}
trap cleanup EXIT
cleanup

# content: bulk files of random bytes, short ones of text-like bytes
for mb in $BULK; do
	[ -s "$W/www/bulk$mb" ] || head -c "$((mb * 1048576))" /dev/urandom >"$W/www/bulk$mb"
done
for kb in 1 4 16 64; do
	[ -s "$W/www/s$kb" ] || head -c "$((kb * 1024))" /dev/urandom | base64 -w 76 | head -c "$((kb * 1024))" >"$W/www/s$kb"
done
[ -s "$W/key.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
	-subj /CN=peer.test -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null

cat >"$W/nginx.conf" <<NGX
daemon on;
worker_processes 1;
worker_cpu_affinity 01;
pid $W/nginx.pid;
error_log $W/nginx-error.log;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	keepalive_timeout 0;
	client_body_temp_path $W/tmp;
	proxy_temp_path $W/tmp;
	fastcgi_temp_path $W/tmp;
	uwsgi_temp_path $W/tmp;
	scgi_temp_path $W/tmp;
	server {
		listen 10.99.0.2:443 ssl;
		ssl_certificate $W/cert.pem;
		ssl_certificate_key $W/key.pem;
		ssl_protocols TLSv1.2 TLSv1.3;
		root $W/www;
	}
}
NGX
mkdir -p "$W/tmp"

ip netns add $NC
ip netns add $NS
ip link add vc netns $NC type veth peer name vs netns $NS
ip -n $NC addr add 10.99.0.1/24 dev vc
ip -n $NS addr add 10.99.0.2/24 dev vs
ip -n $NC link set vc up
ip -n $NS link set vs up
ip -n $NC link set lo up
# segments as on a wire (MTU-sized frames), not 64 KiB GSO/GRO skbs
ip netns exec $NC ethtool -K vc tso off gso off gro off >/dev/null
ip netns exec $NS ethtool -K vs tso off gso off gro off >/dev/null
ip -n $NS link set lo up

ip netns exec $NS taskset -c 0 nginx -c "$W/nginx.conf" -e "$W/nginx-error.log" 2>/dev/null ||
	ip netns exec $NS taskset -c 0 nginx -c "$W/nginx.conf"
sleep 0.5

rm -f "$OUT.tmp"
ip netns exec $NC tcpdump -q -i vc -s 0 -B 131072 -w "$OUT.tmp" 'tcp port 443' 2>"$W/tcpdump.log" &
TCPDUMP_PID=$!
sleep 1

CURL="ip netns exec $NC taskset -c 0 $NICE curl -sk"
i=0
for mb in $BULK; do
	# alternate TLS 1.3 and TLS 1.2
	if [ $((i % 2)) -eq 0 ]; then v=--tlsv1.3; else v="--tlsv1.2 --tls-max 1.2"; fi
	$CURL --limit-rate "$RATE" $v "https://10.99.0.2/bulk$mb" >/dev/null
	i=$((i + 1))
done
# short connections: one request per connection (keepalive_timeout 0)
urls=()
for ((n = 0; n < SHORT / 2; n++)); do
	urls+=("https://10.99.0.2/s$((4 ** (n % 4)))")
done
$CURL --tlsv1.3 "${urls[@]}" >/dev/null
$CURL --tlsv1.2 --tls-max 1.2 "${urls[@]}" >/dev/null
sleep 1
kill -INT $TCPDUMP_PID
wait $TCPDUMP_PID 2>/dev/null || true
TCPDUMP_PID=
cat "$W/tcpdump.log" >&2
if grep -q '[1-9][0-9]* packets dropped by kernel' "$W/tcpdump.log"; then
	echo "mkcapture: tcpdump dropped packets; the capture has holes" >&2
	exit 1
fi
mv "$OUT.tmp" "$OUT"
ls -l "$OUT"
