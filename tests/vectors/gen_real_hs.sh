#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real handshakes for the handshake layer, added to the vectors of
# gen_real.sh (same relay, same emitter; run after it, or alone: it
# appends to real_vectors.inc and real_all.h):
#  - ossl_hrr: a TLS 1.3 HelloRetryRequest (the server accepts P-256
#    only, the client's key share is X25519), compat CCS, second hello
#  - ossl_bighello: a 2.1 KB ClientHello (post-quantum size: OpenSSL 3.0
#    has no ML-KEM, a long ALPN list pads it) sent in 512-byte records
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py="python3 $here/gen_real.py"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 20000))

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 3650 \
	-subj /CN=t -sha256 2>/dev/null

capture() {
	local name=$1 srv=$2 cli=$3
	# made already (delete real_NAME.h and its rows to make it again)
	[ -s "$here/real_$name.h" ] && return 0
	port=$((port + 2))
	sp=$port
	rp=$((port + 1))
	(sleep 1.5; echo "hello from the server, $name"; sleep 2.5) |
		eval "timeout 12 ${srv//@SP@/$sp}" > "$tmp/$name.srv" 2>&1 &
	local spid=$!
	sleep 0.7
	$py relay "$rp" "$sp" "$tmp/$name.log" &
	local rpid=$!
	sleep 0.3
	(echo "hello from the client, $name"; sleep 3) |
		eval "timeout 10 ${cli//@RP@/$rp}" > "$tmp/$name.cli" 2>&1 || true
	wait $rpid || true
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
	grep -q '^0 ' "$tmp/$name.log" && grep -q '^1 ' "$tmp/$name.log" ||
		{ echo "$name: capture incomplete" >&2; exit 1; }
	$py emit "$name" "$tmp/$name.log" > "$here/real_$name.h"
	echo "#include \"real_$name.h\"" >> "$here/real_all.h"
	echo "real_$name.h: $(wc -c < "$tmp/$name.log") bytes of log"
}

OS="openssl s_server -accept @SP@ -naccept 1 -cert $tmp/cert.pem -key $tmp/key.pem"
OC="openssl s_client -connect 127.0.0.1:@RP@ -servername t -no_ign_eof"
capture ossl_hrr "$OS -tls1_3 -groups P-256" "$OC -tls1_3 -groups X25519:P-256"
alpn=$(python3 -c 'print(",".join("proto-%02d-" % i + "x" * 40 for i in range(40)))')
capture ossl_bighello "$OS -tls1_3" "$OC -tls1_3 -max_send_frag 512 -alpn $alpn"
