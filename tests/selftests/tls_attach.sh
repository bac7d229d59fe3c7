#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The helper attached by name, with iptables (-j CT --helper tls) and with an
# nftables ct helper object, on a router between a client and a server, over
# IPv4 and IPv6: real TLS 1.2 and 1.3 sessions (openssl s_server, curl and
# Python ssl) move a few MB each way intact (iptables: both families and
# versions; nft: IPv4 TLS 1.3 and IPv6 TLS 1.2, all four with
# ATTACH_FULL=1), conntrack -L shows helper=tls,
# the helper counts the flows and drops nothing, and the module unloads
# cleanly once the namespaces are gone.
#
# Needs nf_conntrack_tls loaded (vm-run.sh does it).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"

PORT=4433
SIZE_MB=${SIZE_MB:-2}

require_module
checktool "openssl version" "run openssl"
checktool "curl --version" "run curl"
checktool "conntrack --version" "run conntrack"
checktool "iptables -V" "run iptables"
checktool "nft --version" "run nft"

trap cleanup_ns EXIT
make_cert || { log_fail "cannot create a certificate"; exit 1; }
want_down=$(random_file "$TLSDIR/big.bin" "$SIZE_MB")
want_up=$(random_file "$TLSDIR/up.bin" "$SIZE_MB")

# one_session ATTACH FAMILY VERSION: a download and an upload through the router
one_session() {
	local attach=$1 fam=$2 ver=$3 name="$1 ipv$2 TLS$3"
	local addr=10.0.2.2 url flag got spid
	[ "$fam" = 6 ] && addr=fd00:2::2
	url="https://$addr:$PORT/big.bin"
	[ "$fam" = 6 ] && url="https://[$addr]:$PORT/big.bin"
	flag=-tls1_2
	[ "$ver" = 1.3 ] && flag=-tls1_3

	# Download: s_server -WWW serves files from its working directory.
	serve_www "$fam" 1 150 $flag ||
		{ log_fail "$name: server did not start"; return; }
	spid=$SERVER_PID
	got=$(ip netns exec "$client" curl -sk --max-time 120 "$url" | sha256sum)
	wait $spid 2>/dev/null
	if [ "$got" = "$want_down" ]; then
		log_pass "$name: ${SIZE_MB} MB download intact"
	else
		log_fail "$name: download corrupted or cut"
	fi

	# Upload: a Python (OpenSSL) client sends a file to a Python server.
	ip netns exec "$server" timeout 150 python3 "$PEERS/tls_pipe.py" \
		serve $PORT "$TLSDIR/cert.pem" "$TLSDIR/key.pem" "$ver" \
		>"$TLSDIR/up.out" 2>/dev/null &
	spid=$!
	wait_port "$server" $PORT || { log_fail "$name: server did not start"; return; }
	ip netns exec "$client" timeout 150 python3 "$PEERS/tls_pipe.py" \
		send "$addr" $PORT "$TLSDIR/up.bin" "$ver" 2>/dev/null
	wait $spid 2>/dev/null
	if [ "$(cat "$TLSDIR/up.out")  -" = "$want_up" ]; then
		log_pass "$name: ${SIZE_MB} MB upload intact"
	else
		log_fail "$name: upload corrupted or cut"
	fi
}

for attach in iptables nft; do
	setup_topology || { log_fail "cannot build the namespaces"; exit 1; }
	if ! attach_$attach "$router" $PORT; then
		log_fail "$attach: cannot attach the helper"
		cleanup_ns
		continue
	fi
	sessions=0
	for fam in 4 6; do
		for ver in 1.2 1.3; do
			# nft: one session per family (the attachment differs,
			# not the helper); ATTACH_FULL=1 runs all four
			if [ "$attach" = nft ] && [ "${ATTACH_FULL:-}" != 1 ]; then
				case $fam/$ver in 4/1.2 | 6/1.3) continue ;; esac
			fi
			one_session $attach $fam $ver
			sessions=$((sessions + 1))
		done
	done

	# TIME_WAIT entries expire after 120 s (on a slow guest, such as the
	# debug kernel's, the first sessions' entries are gone by now): require
	# every flow still listed to carry the helper; the counters below show
	# that the helper saw them all.
	list=$(ip netns exec "$router" conntrack -L -p tcp --dport $PORT 2>/dev/null)
	n=$(grep -c 'helper=tls' <<<"$list")
	total=$(grep -c 'dport=' <<<"$list")
	if [ "$n" -ge 1 ] && [ "$n" = "$total" ]; then
		log_pass "$attach: conntrack -L shows helper=tls on all $n flows listed"
	else
		log_fail "$attach: conntrack -L: helper=tls on $n of $total flows"
		head -5 <<<"$list"
	fi
	flows=$(counter "$router" flows)
	drops=$(counter "$router" drops)
	bytes=$(counter "$router" bytes)
	records=$(counter "$router" records)
	min_bytes=$((sessions * 2 * (SIZE_MB << 20) / 2))
	if [ "${flows:-0}" -ge $((sessions * 2)) ] && [ "${drops:-1}" = 0 ] &&
	   [ "${bytes:-0}" -ge "$min_bytes" ] && [ "${records:-0}" -gt 0 ]; then
		log_pass "$attach: helper saw $flows flows, $bytes bytes, $records records, 0 drops"
	else
		log_fail "$attach: counters flows=$flows bytes=$bytes records=$records drops=$drops"
		ip netns exec "$router" cat /proc/net/nf_conntrack_tls
	fi
	cleanup_ns
done

# Unload with the namespaces gone: must succeed and leave no warning
# (vm-run.sh fails the run on any WARNING/BUG in dmesg).
if rmmod nf_conntrack_tls; then
	log_pass "rmmod nf_conntrack_tls"
else
	log_fail "rmmod nf_conntrack_tls"
fi
exit $RET
