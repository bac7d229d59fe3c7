#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the real_*.h vectors: real handshakes and data transfer
# between OpenSSL and GnuTLS peers on loopback, each byte stream captured
# by a logging TCP relay (gen_real.py) in the order it was read.  Run from
# anywhere; needs openssl, gnutls-bin and python3.  Output is deterministic
# in structure, not in bytes (fresh keys and randoms every run).
#
# What the libraries cannot produce:
#  - OpenSSL 3 and GnuTLS cannot send an SSLv2-format ClientHello, so
#    real_v2compat's client record is crafted by gen_real.py from the
#    RFC 5246 E.2 format; the server's answer is a real OpenSSL reply.
#  - GnuTLS sends heartbeats only in the encrypted phase (TLS 1.2 here,
#    TLS 1.3 has no heartbeat), so plaintext heartbeats only exist as
#    hand-built vectors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py="python3 $here/gen_real.py"
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 20000))

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 3650 \
	-subj /CN=t -sha256 2>/dev/null

: > "$here/real_vectors.inc"
: > "$tmp/headers"

# capture NAME SERVER_CMD CLIENT_CMD: server listens on $sp, client
# connects to the relay on $rp.
capture() {
	local name=$1 srv=$2 cli=$3
	retry=(capture "$@")
	port=$((port + 2))
	sp=$port
	rp=$((port + 1))
	# server: answer after the client spoke, then stay up for the close
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
}

emit() {
	local name=$1
	shift
	# loopback captures are occasionally cut short (timing): retry
	local try
	for try in 1 2 3; do
		if [ -s "$tmp/$name.log" ] && grep -q '^0 ' "$tmp/$name.log" &&
		   grep -q '^1 ' "$tmp/$name.log"; then
			break
		fi
		echo "$name: capture incomplete, retrying" >&2
		sleep 1
		"${retry[@]}"
	done
	$py emit "$name" "$tmp/$name.log" "$@" > "$here/real_$name.h"
	echo "#include \"real_$name.h\"" >> "$tmp/headers"
	echo "real_$name.h: $(wc -c < "$tmp/$name.log") bytes of log"
}

OS="openssl s_server -accept @SP@ -naccept 1 -cert $tmp/cert.pem -key $tmp/key.pem"
OC="openssl s_client -connect 127.0.0.1:@RP@ -servername t -no_ign_eof"
LEGACY="-cipher DEFAULT:@SECLEVEL=0"

capture ossl_tls10 "$OS -tls1 $LEGACY" "$OC -tls1 $LEGACY"
emit ossl_tls10 version:1
capture ossl_tls11 "$OS -tls1_1 $LEGACY" "$OC -tls1_1 $LEGACY"
emit ossl_tls11
capture ossl_tls12 "$OS -tls1_2" "$OC -tls1_2"
emit ossl_tls12 lowrun:1
capture ossl_tls13 "$OS -tls1_3" "$OC -tls1_3"
emit ossl_tls13 lowrun:1 version:0

GS="gnutls-serv -p @SP@ --x509certfile $tmp/cert.pem --x509keyfile $tmp/key.pem --echo"
GC="gnutls-cli -p @RP@ 127.0.0.1 --insecure"
capture gnutls_tls12 "$GS --priority NORMAL:-VERS-ALL:+VERS-TLS1.2" \
	"$GC --priority NORMAL:-VERS-ALL:+VERS-TLS1.2"
emit gnutls_tls12
capture gnutls_tls13 "$GS --priority NORMAL:-VERS-ALL:+VERS-TLS1.3" \
	"$GC --priority NORMAL:-VERS-ALL:+VERS-TLS1.3"
emit gnutls_tls13 lowrun:1

# GnuTLS heartbeat (TLS 1.2, encrypted): gnutls-cli sends a ping when it
# reads the line **HEARTBEAT** on stdin; the server answers with a pong.
capture_hb() {
	retry=(capture_hb)
	port=$((port + 2))
	sp=$port
	rp=$((port + 1))
	timeout 12 $GS --heartbeat --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 \
		-p $sp > "$tmp/hb.srv" 2>&1 &
	local spid=$!
	sleep 1
	$py relay "$rp" "$sp" "$tmp/gnutls_hb.log" &
	local rpid=$!
	sleep 0.3
	(sleep 0.7; echo "**HEARTBEAT**"; sleep 1; echo "after heartbeat";
	 sleep 1.5) | $GC --heartbeat -p $rp \
		--priority NORMAL:-VERS-ALL:+VERS-TLS1.2 > "$tmp/hb.cli" 2>&1 || true
	wait $rpid || true
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
}
GS="gnutls-serv --x509certfile $tmp/cert.pem --x509keyfile $tmp/key.pem --echo"
GC="gnutls-cli 127.0.0.1 --insecure"
capture_hb
if grep -q '^0 18' "$tmp/gnutls_hb.log" && grep -q '^1 .*18' "$tmp/gnutls_hb.log"; then
	emit gnutls_hb leak hbdrop
else
	echo "gnutls heartbeat: no heartbeat record captured" >&2
	emit gnutls_hb
fi

# Crafted SSLv2-format compatible ClientHello, answered by real OpenSSL.
# Without extensions OpenSSL picks no ECDSA suite: use an RSA certificate.
openssl req -x509 -newkey rsa:1024 -nodes -keyout "$tmp/rkey.pem" \
	-out "$tmp/rcert.pem" -days 3650 -subj /CN=t 2>/dev/null
retry=(true)
port=$((port + 2))
(sleep 4) | timeout 8 openssl s_server -accept $port -naccept 1 -tls1_2 $LEGACY \
	-cert "$tmp/rcert.pem" -key "$tmp/rkey.pem" > "$tmp/v2.srv" 2>&1 &
sleep 0.7
spid=$!
$py v2hello $port "$tmp/v2compat.log"
kill $spid 2>/dev/null || true
wait $spid 2>/dev/null || true
emit v2compat version:1

{
	echo "/* SPDX-License-Identifier: GPL-2.0 */"
	echo "/* Generated by gen_real.sh: every captured conversation. */"
	cat "$tmp/headers"
} > "$here/real_all.h"
echo "done: $(grep -c VEC "$here/real_vectors.inc") real vectors"
