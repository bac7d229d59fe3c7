#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Large skbs: the router forwards GSO/GRO skbs without segmenting them
# before POSTROUTING, where the helper runs, so it walks skbs of up to
# 64 KiB of payload and, with BIG TCP (IPv6, gso_max_size above 64 KiB),
# larger ones.  The helper must walk them in place (skb_seq_read) and the
# data must arrive intact; largest_skb_payload shows what it saw.
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
exit $RET
