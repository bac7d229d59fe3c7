#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Large skbs: the router forwards GSO/GRO skbs without segmenting them
# before POSTROUTING, where the helper runs, so it walks skbs of up to
# 64 KiB of payload and, with BIG TCP (IPv6, gso_max_size above 64 KiB),
# larger ones.  The helper must walk them in place (skb_seq_read) and the
# data must arrive intact; largest_skb_payload shows what it saw.
#
# Small skbs: a forwarded segment carries its payload in one page fragment
# (TCP senders build skbs so, veth keeps them), not in the linear part;
# the helper must read it there, in place, on its fused path (fast_path),
# and the data must arrive intact.
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"
PORT=4433
BIG=185000

require_module
trap cleanup_ns EXIT
make_cert
want=$(random_file "$TLSDIR/big.bin" 8)

setup_topology
attach_nft "$router" $PORT
big=1
for spec in "$server s0" "$router r0" "$router r1" "$client c0"; do
	set -- $spec
	ip -n "$1" link set dev "$2" gso_max_size $BIG gro_max_size $BIG 2>/dev/null || big=0
done
[ $big = 1 ] || log_skip "BIG TCP sizes not settable on veth; testing 64 KiB GSO only"
ip netns exec "$router" ethtool -K r1 gro on >/dev/null 2>&1

serve_www 6 1 120
got=$(ip netns exec "$client" curl -sk --max-time 100 "https://[fd00:2::2]:$PORT/big.bin" |
	sha256sum)
largest=$(counter "$router" largest_skb_payload)
echo "# largest skb payload walked: $largest bytes"
if [ "$got" = "$want" ] && [ "$(counter "$router" drops)" = 0 ]; then
	log_pass "8 MB over IPv6 with GSO/GRO skbs intact, no drop"
else
	log_fail "8 MB over IPv6 with GSO/GRO skbs: damaged or dropped"
fi
if [ "${largest:-0}" -gt 1500 ]; then
	log_pass "helper walked multi-segment skbs ($largest bytes of payload)"
else
	log_fail "helper never saw a skb larger than one MTU ($largest)"
fi
if [ $big = 1 ]; then
	if [ "${largest:-0}" -gt 65535 ]; then
		log_pass "helper walked a BIG TCP skb above 64 KiB ($largest bytes)"
	else
		log_skip "no skb above 64 KiB reached the helper (largest $largest); BIG TCP not effective on this kernel's veth forwarding"
	fi
fi

# One 100-byte TLS 1.3 record per segment, client to server, over IPv4;
# the router counts the flow's data skbs itself (pure ACKs are 52 bytes).
wait "$SERVER_PID" 2>/dev/null
head -c 65536 /dev/urandom >"$TLSDIR/small.bin"
want_up=$(sha256sum <"$TLSDIR/small.bin")
ip netns exec "$router" nft -f - <<NFT
table inet tlscount {
	chain count {
		type filter hook forward priority filter; policy accept;
		tcp dport $PORT meta length > 120 counter
		tcp sport $PORT meta length > 120 counter
	}
}
NFT
fast0=$(counter "$router" fast_path)
drops0=$(counter "$router" drops)
ip netns exec "$server" timeout 150 python3 "$PEERS/tls_pipe.py" \
	serve $PORT "$TLSDIR/cert.pem" "$TLSDIR/key.pem" 1.3 \
	>"$TLSDIR/small.out" 2>/dev/null &
spid=$!
wait_port "$server" $PORT || log_fail "small records: server did not start"
ip netns exec "$client" timeout 150 python3 "$PEERS/tls_pipe.py" \
	send 10.0.2.2 $PORT "$TLSDIR/small.bin" 1.3 100 2>/dev/null
wait $spid 2>/dev/null
got_up="$(cat "$TLSDIR/small.out")  -"
fast=$(($(counter "$router" fast_path) - fast0))
skbs=$(ip netns exec "$router" nft list table inet tlscount |
	sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n }')
echo "# small records: $skbs data skbs (both ways), fast_path +$fast"
if [ "$got_up" = "$want_up" ] && [ "$(counter "$router" drops)" = "$drops0" ]; then
	log_pass "64 KiB in 100-byte records intact, no drop"
else
	log_fail "64 KiB in 100-byte records: damaged or dropped"
fi
# the handshake's segments take the general path; nearly all others not
if [ "${skbs:-0}" -ge 300 ] && [ "$fast" -ge $((skbs * 8 / 10)) ]; then
	log_pass "paged small segments read in place on the fused path ($fast of $skbs)"
else
	log_fail "paged small segments not on the fused path: fast_path +$fast for ${skbs:-0} data skbs"
fi
exit $RET
