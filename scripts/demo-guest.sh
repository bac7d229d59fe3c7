#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make demo` (run by vm-run.sh with the module loaded).
REPO=$(cd "$(dirname "$0")/.." && pwd)
source "$REPO/tests/selftests/lib.sh"
trap cleanup_ns EXIT
PORT=443

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "nf_conntrack_tls loaded: $(modinfo -F version "$KMOD_DIR/nf_conntrack_tls.ko")"
setup_topology
make_cert
random_file "$TLSDIR/big.bin" 4 >/dev/null

say "router namespace: attach the helper to TCP port $PORT"
run ip netns exec "$router" iptables -t raw -A PREROUTING -p tcp -m multiport --ports $PORT -j CT --helper tls
ip netns exec "$router" ip6tables -t raw -A PREROUTING -p tcp -m multiport --ports $PORT -j CT --helper tls
say "router namespace: drop what conntrack finds INVALID (README, Deploying)"
run ip netns exec "$router" iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP
ip netns exec "$router" ip6tables -A FORWARD -m conntrack --ctstate INVALID -j DROP

say "a real TLS 1.3 download (openssl s_server -> curl) through the router"
serve_www 4 1 60
ip netns exec "$client" curl -sk --max-time 60 -o "$TLSDIR/got.bin" \
	-w 'curl: HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
	"https://10.0.2.2:$PORT/big.bin"
if cmp -s "$TLSDIR/big.bin" "$TLSDIR/got.bin"; then
	echo "download intact (sha256 $(sha256sum <"$TLSDIR/got.bin" | cut -c1-16)...)"
else
	echo "download DAMAGED"
fi
wait

say "conntrack in the router: the flow carries helper=tls"
ip netns exec "$router" conntrack -L -p tcp --dport $PORT 2>/dev/null

ATTACK=$PEERS/tlsattack.py
say "Heartbleed: a vulnerable server (a Python stand-in for OpenSSL 1.0.1) on 8443 and 443"
ip netns exec "$server" python3 "$ATTACK" server 8443 $PORT \
	>/dev/null 2>&1 &
wait_port "$server" 8443
say "port 8443 has no helper: the client's over-long heartbeat request leaks the secret"
run ip netns exec "$client" timeout 30 python3 "$ATTACK" client 10.0.2.2 8443 ch hbx |
	grep -E 'heartbeat response|RESULT' | tail -3
say "port 443 goes through the helper: the request is dropped and the flow killed"
run ip netns exec "$client" timeout 30 python3 "$ATTACK" client 10.0.2.2 $PORT ch hbx |
	grep -E 'heartbeat response|RESULT' | tail -3

say "the helper's counters in the router namespace (/proc/net/nf_conntrack_tls)"
ip netns exec "$router" cat /proc/net/nf_conntrack_tls | awk '$2 != 0'

say "kernel log"
dmesg | grep nf_conntrack_tls || true
