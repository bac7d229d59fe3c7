#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading the module while inspected flows carry traffic, and changing
# every knob under load:
#  - rmmod is refused while a CT rule still references the helper;
#  - with the rule gone, rmmod succeeds in the middle of a download, the
#    download finishes intact (the flow continues uninspected);
#  - reloaded, the helper is attached to new flows again;
#  - sysctl writes racing with traffic do not disturb a transfer.
# vm-run.sh fails the run on any kernel warning this provokes.
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
source "$SELFTESTS/lib.sh"
PORT=4433

require_module loaded file
trap cleanup_ns EXIT
make_cert
want=$(random_file "$TLSDIR/big.bin" 6)

setup_topology
attach_iptables "$router" $PORT

# download RATE: a slow download of big.bin in the background; sets $dl
download() {
	ip netns exec "$client" curl -sk --max-time 100 --limit-rate "$1" \
		-o "$TLSDIR/got.bin" "https://10.0.2.2:$PORT/big.bin" &
	dl=$!
}

serve_www 4 1 120
download 1M
sleep 2
if rmmod nf_conntrack_tls 2>/dev/null; then
	log_fail "rmmod succeeded while a CT rule references the helper"
	insmod "$KO"
else
	log_pass "rmmod refused while a CT rule references the helper"
fi
ip netns exec "$router" iptables -t raw -F PREROUTING
ip netns exec "$router" ip6tables -t raw -F PREROUTING
if rmmod nf_conntrack_tls; then
	log_pass "rmmod during a live inspected download"
else
	log_fail "rmmod failed with the rules gone"
fi
wait $dl
if [ "$(sha256sum <"$TLSDIR/got.bin")" = "$want" ]; then
	log_pass "download continued intact after the module was removed"
else
	log_fail "download damaged by the unload"
fi

insmod "$KO" || { log_fail "reload"; exit 1; }
attach_iptables "$router" $PORT
serve_www 4 1 120
download 4M
# knobs flipped back and forth under load, each to a value that keeps this
# benign flow legal
knobs="lowrun_limit heartbeat gap audit sslv2 log"
for i in $(seq 20); do
	for k in $knobs; do
		f=/proc/sys/net/netfilter/nf_conntrack_tls_$k
		v=$(ip netns exec "$router" cat "$f")
		case $k in
		lowrun_limit) nv=$((v == 128 ? 200 : 128)) ;;
		heartbeat) nv=$(((v + 1) % 3)) ;;
		*) nv=$((1 - v)) ;;
		esac
		ip netns exec "$router" sh -c "echo $nv > $f"
	done
	sleep 0.1
done
wait $dl
if [ "$(sha256sum <"$TLSDIR/got.bin")" = "$want" ] &&
   [ "$(counter "$router" flows)" -ge 1 ] && [ "$(counter "$router" drops)" = 0 ]; then
	log_pass "reloaded helper inspects new flows; knobs changed under load, transfer intact"
else
	log_fail "after reload: transfer or counters wrong"
	ip netns exec "$router" cat /proc/net/nf_conntrack_tls
fi
cleanup_ns
exit $RET
