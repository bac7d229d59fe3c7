#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Benign matrix: real TLS software through the helper must never be cut.
# The helper is attached on the router with iptables (port 443) and with an
# nftables ct helper object (port 8443); every case runs over IPv4 or IPv6
# and both attach methods see both families:
#
#  * openssl s_client/s_server at TLS 1.0, 1.1, 1.2 and 1.3 (1.0 and 1.1
#    need SECLEVEL=0 with OpenSSL 3), the negotiated version checked;
#  * session resumption, TLS 1.2 renegotiation, TLS 1.3 KeyUpdate, client
#    certificates;
#  * gnutls-cli against openssl s_server, openssl s_client against
#    gnutls-serv;
#  * curl against nginx, HTTP/1.1 and HTTP/2, a $BIG_MB MB download each;
#  * a server certificate carrying a run of several hundred bytes < 0x80
#    (long subject, SAN list and comment), plaintext on the wire in TLS 1.2:
#    the lowrun rule must not look at handshake records.
#
# Each case moves data both ways and compares SHA-256 (the openssl servers
# run -rev: they send every line back reversed, gnutls-serv echoes), and
# passes only if the router's counters show the case's flows inspected,
# bytes counted, and no drop or violation during it.
#
# Needs nf_conntrack_tls loaded (vm-run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
# a directory of our own: the 100 MB file and the nginx tree must not mix
# with the other tests' files
TLSDIR=${TLSDIR:-/tmp/tls-selftest}/benign
source "$SELFTESTS/lib.sh"
BENIGN=$SELFTESTS/benign

P_IPT=443	# attached with iptables/ip6tables
P_NFT=8443	# attached with nftables
BIG_MB=${BIG_MB:-100}
DATA_LINES=512

require_module
checktool "openssl version" "run openssl"
checktool "gnutls-cli --version" "run gnutls-cli (gnutls-bin)"
checktool "gnutls-serv --version" "run gnutls-serv (gnutls-bin)"
checktool "nginx -v" "run nginx"
checktool "curl --version | grep -q HTTP2" "run curl with HTTP/2"
checktool "python3 -V" "run python3"
checktool "iptables -V" "run iptables"
checktool "nft --version" "run nft"

cleanup() {
	cleanup_ns
	rm -rf "$TLSDIR"
}
trap cleanup EXIT

rm -rf "$TLSDIR"
mkdir -p "$TLSDIR/www" "$TLSDIR/nginx" || exit 1
make_cert || { log_fail "cannot create a certificate"; exit 1; }

# A CA and a client certificate it signed, for -Verify.
(cd "$TLSDIR" &&
 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=benign-ca" -days 2 -keyout ca.key -out ca.pem &&
 openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "/CN=benign-client" -keyout client.key -out client.csr &&
 openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key \
	-CAcreateserial -days 2 -out client.pem) >/dev/null 2>&1 ||
	{ log_fail "cannot create the client certificate"; exit 1; }

# The long-ASCII certificate: every RDN of the subject (and the issuer, the
# same) is SET/SEQUENCE/OID/string with short lengths, all bytes < 0x80, so
# the twelve OUs form one run of about 900 such bytes; the SAN list and the
# comment add more printable text.
subj="/CN=benign-long-ascii.test"
for i in $(seq 12); do
	subj="$subj/OU=Benign organisational unit number $i with a long printable name"
done
san="subjectAltName=DNS:benign-long-ascii.test"
for i in $(seq 30); do
	san="$san,DNS:host-$i.a-rather-long-subdomain-name.benign-long-ascii.test"
done
comment="nsComment=$(printf 'A long printable comment, %.0s' $(seq 8))"
(cd "$TLSDIR" &&
 openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-subj "$subj" -addext "$san" -addext "$comment" -days 2 \
	-keyout long.key -out long.pem) >/dev/null 2>&1 ||
	{ log_fail "cannot create the long-ASCII certificate"; exit 1; }

# Line data for the interactive sessions: lowercase hex between two z, so
# no chunk that s_client reads from stdin starts with one of its command
# letters (Q, R, K, k), and no line the tools print about the session (hex
# key IDs, hashes) looks like a data line, reversed or not.
DATA=$TLSDIR/data.hex
head -c $((DATA_LINES * 32)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' |
	fold -w 64 | sed 's/.*/z&z/' >"$DATA"
echo >>"$DATA"	# fold leaves the last line unterminated
want_echo=$(sha256sum <"$DATA")
want_rev=$(rev "$DATA" | sha256sum)
want_big=$(random_file "$TLSDIR/www/big.bin" "$BIG_MB")

setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
attach_iptables "$router" $P_IPT || { log_fail "cannot attach with iptables"; exit 1; }
attach_nft "$router" $P_NFT || { log_fail "cannot attach with nft"; exit 1; }
lowrun_limit=$(ip netns exec "$router" sysctl -n net.netfilter.nf_conntrack_tls_lowrun_limit)

how() {	# how FAM PORT: the case's label suffix
	local m=iptables
	[ "$2" = $P_NFT ] && m=nft
	echo "ipv$1 $m"
}

dst() {	# dst FAM PORT: host:port of the server for s_client
	if [ "$1" = 6 ]; then echo "[fd00:2::2]:$2"; else echo "10.0.2.2:$2"; fi
}

# Router counters before and after each case.
snap() {
	local c
	c=$(ip netns exec "$router" cat /proc/net/nf_conntrack_tls)
	S_FLOWS=$(awk '$1 == "flows" { print $2 }' <<<"$c")
	S_BYTES=$(awk '$1 == "bytes" { print $2 }' <<<"$c")
	S_DROPS=$(awk '$1 == "drops" { print $2 }' <<<"$c")
	S_AUDIT=$(awk '$1 == "audited" { print $2 }' <<<"$c")
	S_VIOL=$(awk '$1 ~ /^violation_/ { s += $2 } END { print s + 0 }' <<<"$c")
}

case_begin() {
	snap
	B_FLOWS=$S_FLOWS B_BYTES=$S_BYTES B_DROPS=$S_DROPS
	B_AUDIT=$S_AUDIT B_VIOL=$S_VIOL
	DMESG_MARK=$(dmesg | wc -l)
	T_CASE=$SECONDS
}

# helper_clean NFLOWS MINBYTES: the case's flows were inspected (at least
# NFLOWS new flows, at least MINBYTES more bytes) and nothing was dropped,
# audited or counted as a violation.  Sets WHY otherwise and shows the
# counters and the helper's kernel log lines of the case.
helper_clean() {
	local df db
	snap
	df=$((S_FLOWS - B_FLOWS))
	db=$((S_BYTES - B_BYTES))
	if [ "$S_DROPS" != "$B_DROPS" ] || [ "$S_VIOL" != "$B_VIOL" ] ||
	   [ "$S_AUDIT" != "$B_AUDIT" ]; then
		WHY="helper: drops +$((S_DROPS - B_DROPS)), violations +$((S_VIOL - B_VIOL)), audited +$((S_AUDIT - B_AUDIT))"
		ip netns exec "$router" grep -v ' 0$' /proc/net/nf_conntrack_tls
		dmesg_since "$DMESG_MARK" | grep nf_conntrack_tls
		return 1
	fi
	if [ "$df" -lt "$1" ] || [ "$db" -lt "$2" ]; then
		WHY="helper saw $df flows (want $1), $db bytes (want >= $2)"
		return 1
	fi
	HELPER="$df flows, $db bytes inspected, 0 drops ($((SECONDS - T_CASE)) s)"
	return 0
}

# wait_text FILE REGEX: until FILE has a line matching REGEX (max 60 s;
# a deadline, not a count: each grep costs a good part of a second under
# TCG)
wait_text() {
	local end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# ossl_server OUT FAM PORT NACCEPT [s_server options...]: openssl s_server
# -rev (each line sent back reversed) in $server; its PID in $SPID once it
# listens
ossl_server() {
	local out=$1 fam=$2 port=$3 n=$4
	shift 4
	(cd "$TLSDIR" && exec ip netns exec "$server" timeout 300 \
		openssl s_server -"$fam" -accept "$port" -naccept "$n" -rev \
		"$@") >"$out" 2>&1 </dev/null &
	SPID=$!
	wait_port "$server" "$port"
}

# reap PID: wait for a server that should be exiting now; kill it after
# 30 s (a flow cut by the helper leaves it waiting for its peer)
reap() {
	local end=$((SECONDS + 30))
	while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt $end ]; do
		sleep 0.2
	done
	kill "$1" 2>/dev/null
	wait "$1"
}

# chat OUT CMD CLIENT...: CLIENT runs in $client with a fifo as stdin and
# its output in OUT (stderr in OUT.err).  With CMD (an s_client command
# letter; s_client must run with -brief, whose "CONNECTION ESTABLISHED"
# goes to unbuffered stderr once the handshake is done, while the full
# session print sits in stdout's buffer): after the handshake, CMD alone
# (s_client acts on a command only when it starts a read, and discards the
# rest of that read), then wait until s_client took it.  Then $DATA; once
# all its lines came back (or after 60 s), stdin is closed and CLIENT is
# waited for.
chat() {
	local out=$1 cmd=$2 fifo=$TLSDIR/fifo pid fd end
	shift 2
	rm -f "$fifo" "$out" "$out.err"
	mkfifo "$fifo" || return 1
	(cd "$TLSDIR" && exec ip netns exec "$client" timeout 120 "$@") \
		<"$fifo" >"$out" 2>"$out.err" &
	pid=$!
	exec {fd}>"$fifo"
	if [ -n "$cmd" ]; then
		wait_text "$out.err" '^CONNECTION ESTABLISHED$'
		(printf '%s\n' "$cmd" >&$fd) 2>/dev/null
		wait_text "$out.err" '^(RENEGOTIATING|KEYUPDATE)$'
	fi
	(cat "$DATA" >&$fd) 2>/dev/null
	end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ] && kill -0 $pid 2>/dev/null; do
		[ "$(grep -cE 'z[0-9a-f]{64}z$' "$out")" -ge "$DATA_LINES" ] && break
		sleep 0.2
	done
	exec {fd}>&-
	wait $pid
}

# got OUT: SHA-256 of the data lines that came back.  s_client writes
# received data with write(2) but its session prints (a TLS 1.3 ticket
# arriving) through stdio, flushed at any point: a data line can follow a
# piece of such text on the same output line, never the other way round.
got() {
	grep -oE 'z[0-9a-f]{64}z$' "$1" | sha256sum
}

# proto OUT: the version s_client reports, "Protocol  : TLSv1.2" in its
# session print or "Protocol version: TLSv1.2" on stderr with -brief
proto() {
	awk '$1 == "Protocol" && ($2 == ":" || $2 == "version:") { print $NF; exit }' \
		"$1" "$1.err" 2>/dev/null
}

ossl_flag() {	# ossl_flag 1.0: -tls1
	case $1 in
	1.0) echo -tls1 ;;
	1.1) echo -tls1_1 ;;
	1.2) echo -tls1_2 ;;
	1.3) echo -tls1_3 ;;
	esac
}

ossl_name() {	# ossl_name 1.0: TLSv1, the name openssl prints
	[ "$1" = 1.0 ] && echo TLSv1 || echo "TLSv$1"
}

# 1. Every protocol version openssl still speaks.  1.0 and 1.1 are refused
#    at OpenSSL 3's default security level 1; SECLEVEL=0 on both sides.
case_version() {
	local ver=$1 fam=$2 port=$3 name="openssl TLS$1 $(how $2 $3)"
	local flag out=$TLSDIR/c.out sec=DEFAULT@SECLEVEL=0

	flag=$(ossl_flag "$ver")
	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert cert.pem -key key.pem \
		"$flag" -cipher $sec || { log_fail "$name: server did not start"; return; }
	chat "$out" "" openssl s_client -connect "$(dst "$fam" "$port")" \
		"$flag" -cipher $sec
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif [ "$(proto "$out")" != "$(ossl_name "$ver")" ]; then
		log_fail "$name: negotiated '$(proto "$out")'"
	elif ! grep -q "^Protocol version: $(ossl_name "$ver")\$" "$TLSDIR/s.out"; then
		log_fail "$name: the server did not report $(ossl_name "$ver")"
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: $(proto "$out") negotiated, data intact both ways; $HELPER"
	fi
}

# 2a. Session resumption: the second connection resumes the first's
#     session (session ID or ticket, whatever openssl picks).
case_resume() {
	local ver=$1 fam=$2 port=$3 name="openssl TLS$1 resumption $(how $2 $3)"
	local flag n ok=1

	flag=$(ossl_flag "$ver")
	case_begin
	rm -f "$TLSDIR/sess.pem"
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 2 -cert cert.pem -key key.pem \
		"$flag" || { log_fail "$name: server did not start"; return; }
	for n in 1 2; do
		local io=-sess_out
		[ $n = 2 ] && io=-sess_in
		chat "$TLSDIR/c$n.out" "" openssl s_client \
			-connect "$(dst "$fam" "$port")" "$flag" $io sess.pem
		[ "$(got "$TLSDIR/c$n.out")" = "$want_rev" ] || ok=0
	done
	reap $SPID
	if ! helper_clean 2 $((DATA_LINES * 67 * 4)); then
		log_fail "$name: $WHY"
	elif ! grep -q "^New, $(ossl_name "$ver")," "$TLSDIR/c1.out" ||
	   ! grep -q "^Reused, $(ossl_name "$ver")," "$TLSDIR/c2.out"; then
		log_fail "$name: second session not resumed ($(grep -hE '^(New|Reused),' "$TLSDIR"/c[12].out | tr '\n' ' '))"
	elif [ $ok = 0 ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: New then Reused, data intact; $HELPER"
	fi
}

# 2b. TLS 1.2 secure renegotiation started by the client (s_client's R
#     command); OpenSSL 3 servers refuse it unless -client_renegotiation.
#     -msg shows a second ServerHello and Finished from the server (the
#     server's "renegotiates" statistic counts refused attempts too).
case_reneg() {
	local fam=$1 port=$2 name="openssl TLS1.2 renegotiation $(how $1 $2)"
	local out=$TLSDIR/c.out msg=$TLSDIR/msg.out

	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert cert.pem -key key.pem \
		-tls1_2 -client_renegotiation ||
		{ log_fail "$name: server did not start"; return; }
	chat "$out" R openssl s_client -brief -connect "$(dst "$fam" "$port")" \
		-tls1_2 -msg -msgfile "$msg"
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif [ "$(grep -c '^<<< .*ServerHello$' "$msg")" -lt 2 ] ||
	   [ "$(grep -c '^<<< .*Finished$' "$msg")" -lt 2 ]; then
		log_fail "$name: no second handshake completed"
		grep -E 'renegotiat|error' "$out.err" "$TLSDIR/s.out" | head -5
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: second handshake done, data after it intact; $HELPER"
	fi
}

# 2c. TLS 1.3 KeyUpdate: K updates the client's keys and requests the
#     server's; -msg shows both KeyUpdate messages.
case_keyupdate() {
	local fam=$1 port=$2 name="openssl TLS1.3 KeyUpdate $(how $1 $2)"
	local out=$TLSDIR/c.out msg=$TLSDIR/msg.out

	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert cert.pem -key key.pem \
		-tls1_3 || { log_fail "$name: server did not start"; return; }
	chat "$out" K openssl s_client -brief -connect "$(dst "$fam" "$port")" -tls1_3 \
		-msg -msgfile "$msg"
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif ! grep -q '^>>> .*KeyUpdate' "$msg" || ! grep -q '^<<< .*KeyUpdate' "$msg"; then
		log_fail "$name: KeyUpdate not sent and answered"
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: both sides updated keys, data after it intact; $HELPER"
	fi
}

# 2d. Client certificate required by the server (-Verify) and verified
#     against the CA.
case_clientcert() {
	local ver=$1 fam=$2 port=$3 name="openssl TLS$1 client certificate $(how $2 $3)"
	local flag out=$TLSDIR/c.out

	flag=$(ossl_flag "$ver")
	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert cert.pem -key key.pem \
		"$flag" -Verify 1 -verifyCAfile ca.pem -verify_return_error ||
		{ log_fail "$name: server did not start"; return; }
	chat "$out" "" openssl s_client -connect "$(dst "$fam" "$port")" "$flag" \
		-cert client.pem -key client.key
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif ! grep -A1 -x 'depth=0 CN = benign-client' "$TLSDIR/s.out" |
	     grep -qx 'verify return:1'; then
		log_fail "$name: the server did not verify the client certificate"
	elif [ "$(proto "$out")" != "$(ossl_name "$ver")" ]; then
		log_fail "$name: negotiated '$(proto "$out")'"
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: verified by the server, data intact; $HELPER"
	fi
}

# 3a. gnutls-cli against openssl s_server.
case_gnutls_cli() {
	local ver=$1 fam=$2 port=$3 name="gnutls-cli -> openssl s_server TLS$1 $(how $2 $3)"
	local out=$TLSDIR/c.out addr=10.0.2.2

	[ "$fam" = 6 ] && addr=fd00:2::2
	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert cert.pem -key key.pem ||
		{ log_fail "$name: server did not start"; return; }
	chat "$out" "" gnutls-cli --insecure \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS$ver" -p "$port" "$addr"
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif ! grep -q "^- Description: (TLS$ver-" "$out"; then
		log_fail "$name: negotiated '$(grep '^- Description' "$out")'"
	elif ! grep -qx "Protocol version: $(ossl_name "$ver")" "$TLSDIR/s.out"; then
		log_fail "$name: the server did not report $(ossl_name "$ver")"
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: data intact both ways; $HELPER"
	fi
}

# 3b. openssl s_client against gnutls-serv --echo.
case_gnutls_serv() {
	local ver=$1 fam=$2 port=$3 name="openssl s_client -> gnutls-serv TLS$1 $(how $2 $3)"
	local out=$TLSDIR/c.out

	case_begin
	(cd "$TLSDIR" && exec ip netns exec "$server" timeout 300 gnutls-serv \
		--echo -p "$port" --x509certfile cert.pem --x509keyfile key.pem \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS$ver") \
		>"$TLSDIR/s.out" 2>&1 </dev/null &
	SPID=$!
	wait_port "$server" "$port" || { log_fail "$name: server did not start"; return; }
	chat "$out" "" openssl s_client -connect "$(dst "$fam" "$port")"
	kill $SPID 2>/dev/null
	wait $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2)); then
		log_fail "$name: $WHY"
	elif [ "$(proto "$out")" != "$(ossl_name "$ver")" ]; then
		log_fail "$name: negotiated '$(proto "$out")'"
	elif [ "$(got "$out")" != "$want_echo" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: data intact both ways; $HELPER"
	fi
}

# 4. curl against nginx: a $BIG_MB MB random file.
case_nginx() {
	local http=$1 fam=$2 port=$3 name="curl --http$1 -> nginx $(how $2 $3)"
	local url="https://10.0.2.2:$port/big.bin" sum ver

	[ "$fam" = 6 ] && url="https://[fd00:2::2]:$port/big.bin"
	case_begin
	sum=$(ip netns exec "$client" curl -sk --http"$http" --max-time 900 -y 30 -Y 1 \
		-o - -w '%{stderr}%{http_version}' "$url" 2>"$TLSDIR/curl.ver" |
		sha256sum)
	ver=$(cat "$TLSDIR/curl.ver")
	if ! helper_clean 1 $((BIG_MB << 20)); then
		log_fail "$name: $WHY"
	elif [ "$ver" != "$http" ]; then
		log_fail "$name: HTTP version '$ver'"
	elif [ "$sum" != "$want_big" ]; then
		log_fail "$name: $BIG_MB MB download corrupted or cut"
	else
		log_pass "$name: HTTP/$ver, $BIG_MB MB intact; $HELPER"
	fi
}

# 5. The long-ASCII certificate, in plaintext handshake records (TLS 1.2)
#    and in encrypted ones (TLS 1.3).
case_longcert() {
	local ver=$1 fam=$2 port=$3 name="long-ASCII certificate TLS$1 $(how $2 $3)"
	local flag out=$TLSDIR/c.out

	flag=$(ossl_flag "$ver")
	case_begin
	ossl_server "$TLSDIR/s.out" "$fam" "$port" 1 -cert long.pem \
		-key long.key "$flag" ||
		{ log_fail "$name: server did not start"; return; }
	chat "$out" "" openssl s_client -connect "$(dst "$fam" "$port")" "$flag"
	reap $SPID
	if ! helper_clean 1 $((DATA_LINES * 67 * 2 + ${#subj})); then
		log_fail "$name: $WHY"
	elif ! grep -q 'OU = Benign organisational unit number 12' "$out"; then
		log_fail "$name: the client did not get the long certificate"
	elif [ "$(proto "$out")" != "$(ossl_name "$ver")" ]; then
		log_fail "$name: negotiated '$(proto "$out")'"
	elif [ "$(got "$out")" != "$want_rev" ]; then
		log_fail "$name: data corrupted or cut"
	else
		log_pass "$name: handshake and data passed; $HELPER"
	fi
}

T0=$SECONDS

for spec in "1.0 4 $P_IPT" "1.0 6 $P_NFT" "1.1 6 $P_IPT" "1.1 4 $P_NFT" \
	    "1.2 4 $P_IPT" "1.2 6 $P_NFT" "1.3 6 $P_IPT" "1.3 4 $P_NFT"; do
	case_version $spec
done

case_resume 1.2 4 $P_IPT
case_resume 1.3 6 $P_NFT
case_reneg 6 $P_IPT
case_reneg 4 $P_NFT
case_keyupdate 4 $P_IPT
case_keyupdate 6 $P_NFT
case_clientcert 1.2 6 $P_IPT
case_clientcert 1.3 4 $P_NFT

case_gnutls_cli 1.3 4 $P_IPT
case_gnutls_cli 1.2 6 $P_NFT
case_gnutls_serv 1.2 6 $P_IPT
case_gnutls_serv 1.3 4 $P_NFT

# The test is only meaningful if the certificate really carries a run the
# rule would flag: measure it on the DER the server sends.
run=$(openssl x509 -in "$TLSDIR/long.pem" -outform DER | python3 "$PEERS/longest_low_run.py")
if [ "${lowrun_limit:-0}" -gt 0 ] && [ "${run:-0}" -ge "$lowrun_limit" ]; then
	log_pass "long-ASCII certificate: a run of $run bytes < 0x80 (lowrun_limit $lowrun_limit)"
	case_longcert 1.2 4 $P_IPT
	case_longcert 1.3 6 $P_NFT
else
	log_fail "long-ASCII certificate: longest run $run, lowrun_limit '$lowrun_limit'"
fi

sed -e "s|@DIR@|$TLSDIR|g" -e "s|@PORT1@|$P_IPT|g" -e "s|@PORT2@|$P_NFT|g" \
	"$BENIGN/nginx.conf.in" >"$TLSDIR/nginx/nginx.conf"
if ! ip netns exec "$server" nginx -t -q -p "$TLSDIR/nginx" \
	-e "$TLSDIR/nginx/error.log" -c "$TLSDIR/nginx/nginx.conf"; then
	log_fail "nginx: configuration refused"
	cat "$TLSDIR/nginx/error.log"
else
	ip netns exec "$server" timeout 1800 nginx -p "$TLSDIR/nginx" \
		-e "$TLSDIR/nginx/error.log" -c "$TLSDIR/nginx/nginx.conf" \
		</dev/null >/dev/null 2>&1 &
	NGINX_PID=$!
	if wait_port "$server" $P_IPT && wait_port "$server" $P_NFT; then
		case_nginx 1.1 4 $P_IPT
		case_nginx 2 6 $P_NFT
	else
		log_fail "nginx did not start"
		cat "$TLSDIR/nginx/error.log"
	fi
	kill $NGINX_PID 2>/dev/null
	wait $NGINX_PID
fi

# The whole run: everything counted, nothing dropped.
c=$(ip netns exec "$router" cat /proc/net/nf_conntrack_tls)
flows=$(awk '$1 == "flows" { print $2 }' <<<"$c")
bytes=$(awk '$1 == "bytes" { print $2 }' <<<"$c")
drops=$(awk '$1 == "drops" { print $2 }' <<<"$c")
viol=$(awk '$1 ~ /^violation_/ { s += $2 } END { print s + 0 }' <<<"$c")
if [ "${drops:-1}" = 0 ] && [ "$viol" = 0 ] && [ "${flows:-0}" -ge 26 ] &&
   [ "${bytes:-0}" -ge $((2 * (BIG_MB << 20))) ]; then
	log_pass "router: $flows flows, $bytes bytes inspected, 0 drops, 0 violations in $((SECONDS - T0)) s"
else
	log_fail "router: flows=$flows bytes=$bytes drops=$drops violations=$viol"
	echo "$c"
fi
exit $RET
