# SPDX-License-Identifier: GPL-2.0
#
# Shared by the selftests (kselftest conventions): PASS:/FAIL:/SKIP: lines,
# exit 4 = skip, namespaces with a random suffix, cleanup on exit.
#
# Topology used by most tests (addresses per namespace):
#
#   client (10.0.1.1, fd00:1::1) --veth-- router --veth-- server (10.0.2.2, fd00:2::2)
#                                (10.0.1.254 | 10.0.2.254)
#                                the helper is attached in router
ksft_skip=4
RET=0
NS_LIST=()
SUFFIX=$(printf '%04x' $((RANDOM)))
TLSDIR=${TLSDIR:-/tmp/tls-selftest}
# TIME_SCALE (a whole number, default 1): multiplies the time bounds of the
# tests that wait for slow peers; the debug kernel's guest (KASAN, kmemleak,
# lockdep under TCG) runs Python 3-4x slower
# shellcheck source=time_scale.sh
source "$(dirname "${BASH_SOURCE[0]}")/time_scale.sh"

# scaled SECONDS: SECONDS times TIME_SCALE
scaled() { echo $(($1 * TIME_SCALE)); }

# the Python peers (hb_peer.py, tls_pipe.py, tlsattack.py, ...)
PEERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/peers

# the module file run.sh and the tests that reload it insmod: the one built
# for the running kernel (vm-init.sh exports KMOD_DIR=build/kmod/KVER)
KO=${KMOD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/kmod/$(uname -r)}
KO=$KO/nf_conntrack_tls.ko

log_pass() { echo "PASS: $*"; }
log_fail() { echo "FAIL: $*"; RET=1; }
log_skip() { echo "SKIP: $*"; }

checktool() {
	# checktool "command" "what it is needed for"
	if ! eval "$1" >/dev/null 2>&1; then
		echo "SKIP: could not $2 ($1 failed)"
		exit $ksft_skip
	fi
}

# module_loaded: nf_conntrack_tls is in /proc/modules
module_loaded() { grep -q '^nf_conntrack_tls ' /proc/modules; }

# require_module [loaded] [file]: skip the test unless nf_conntrack_tls is
# loaded ("loaded", the default) and/or $KO exists ("file", for the tests
# that reload it)
require_module() {
	local need
	for need in "${@:-loaded}"; do
		case $need in
		loaded) checktool module_loaded "find nf_conntrack_tls loaded" ;;
		file) checktool "test -f $KO" "find $KO" ;;
		esac
	done
}

cleanup_ns() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

setup_ns() {
	# setup_ns VAR...: create a namespace per variable, named VAR-SUFFIX
	local var ns
	for var in "$@"; do
		ns="$var-$SUFFIX"
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
		printf -v "$var" %s "$ns"
		NS_LIST+=("$ns")
	done
}

# setup_topology: client, router, server as drawn above; sets $client,
# $router and $server.  The router forwards; nothing is attached yet.
setup_topology() {
	setup_ns client router server || return 1
	ip link add c0 netns "$client" type veth peer name r0 netns "$router"
	ip link add s0 netns "$server" type veth peer name r1 netns "$router"
	ip -n "$client" addr add 10.0.1.1/24 dev c0
	ip -n "$client" addr add fd00:1::1/64 dev c0 nodad
	ip -n "$router" addr add 10.0.1.254/24 dev r0
	ip -n "$router" addr add fd00:1::254/64 dev r0 nodad
	ip -n "$router" addr add 10.0.2.254/24 dev r1
	ip -n "$router" addr add fd00:2::254/64 dev r1 nodad
	ip -n "$server" addr add 10.0.2.2/24 dev s0
	ip -n "$server" addr add fd00:2::2/64 dev s0 nodad
	local ns dev
	for ns in "$client" "$router" "$server"; do
		for dev in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
			ip -n "$ns" link set "$dev" up
		done
	done
	ip -n "$client" route add default via 10.0.1.254
	ip -n "$client" -6 route add default via fd00:1::254
	ip -n "$server" route add default via 10.0.2.254
	ip -n "$server" -6 route add default via fd00:2::254
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$router" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# setup_topology_hop: one more router, "hop", between the router and the
# server, for attacks that need a packet to pass the router and die before
# the server (a TTL that expires at the hop); sets $client, $router, $hop and
# $server.  Nothing is attached yet.
#
#   client (10.0.1.1, fd00:1::1) -- router -- hop -- server (10.0.3.2, fd00:3::2)
#     router: 10.0.1.254, fd00:1::254 | 10.0.2.254, fd00:2::254
#     hop:    10.0.2.1, fd00:2::1     | 10.0.3.254, fd00:3::254
setup_topology_hop() {
	setup_ns client router hop server || return 1
	ip link add c0 netns "$client" type veth peer name r0 netns "$router" &&
	ip link add r1 netns "$router" type veth peer name h0 netns "$hop" &&
	ip link add h1 netns "$hop" type veth peer name s0 netns "$server" || return 1
	# (one ip per namespace: each command costs a fork under TCG)
	ip -n "$client" -b - <<-EOF || return 1
	addr add 10.0.1.1/24 dev c0
	addr add fd00:1::1/64 dev c0 nodad
	link set c0 up
	route add default via 10.0.1.254
	route add ::/0 via fd00:1::254
	EOF
	ip -n "$router" -b - <<-EOF || return 1
	addr add 10.0.1.254/24 dev r0
	addr add fd00:1::254/64 dev r0 nodad
	addr add 10.0.2.254/24 dev r1
	addr add fd00:2::254/64 dev r1 nodad
	link set r0 up
	link set r1 up
	route add 10.0.3.0/24 via 10.0.2.1
	route add fd00:3::/64 via fd00:2::1
	EOF
	ip -n "$hop" -b - <<-EOF || return 1
	addr add 10.0.2.1/24 dev h0
	addr add fd00:2::1/64 dev h0 nodad
	addr add 10.0.3.254/24 dev h1
	addr add fd00:3::254/64 dev h1 nodad
	link set h0 up
	link set h1 up
	route add default via 10.0.2.254
	route add ::/0 via fd00:2::254
	EOF
	ip -n "$server" -b - <<-EOF || return 1
	addr add 10.0.3.2/24 dev s0
	addr add fd00:3::2/64 dev s0 nodad
	link set s0 up
	route add default via 10.0.3.254
	route add ::/0 via fd00:3::254
	EOF
	local ns
	for ns in "$router" "$hop"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
	done
}

# attach_iptables NS PORT / attach_nft NS PORT: the helper for TCP to or
# from PORT.  Both ports: after the helper kills a flow, the server's next
# retransmission can open a new conntrack entry mid-stream (loose pickup) in
# the server -> client direction; it must get the helper too, which then
# drops every segment of that picked-up flow.
attach_iptables() {
	ip netns exec "$1" iptables -t raw -A PREROUTING -p tcp -m multiport --ports "$2" -j CT --helper tls &&
	ip netns exec "$1" ip6tables -t raw -A PREROUTING -p tcp -m multiport --ports "$2" -j CT --helper tls
}

attach_nft() {
	ip netns exec "$1" nft -f - <<NFT
table inet tlstest {
	ct helper tls-h {
		type "tls" protocol tcp;
		l3proto inet;
	}
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		tcp dport $2 ct helper set "tls-h"
		tcp sport $2 ct helper set "tls-h"
	}
}
NFT
}

# check WHAT PREDICATE [ARGS...]: PASS when the command PREDICATE ARGS...
# (a small named function of the test, no code string) succeeds, else FAIL
# with the state the test describes in its own check_detail function.
check() {
	local what=$1
	shift
	if "$@"; then
		log_pass "$what"
	else
		log_fail "$what ($(check_detail))"
	fi
}

# drop_invalid NS: the router drops what conntrack finds INVALID, as the
# README's deployment prescribes.  When the helper drops the packet that made
# a conntrack entry (the first data segment of a pickup), that entry is never
# confirmed; a following segment with FIN or RST then makes no entry at all
# and never reaches the helper.  Only this rule stops it.
drop_invalid() {
	ip netns exec "$1" iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP &&
	ip netns exec "$1" ip6tables -A FORWARD -m conntrack --ctstate INVALID -j DROP
}

# snap_counters FILE: /proc/net/nf_conntrack_tls of $router into FILE
snap_counters() { ip netns exec "$router" cat /proc/net/nf_conntrack_tls >"$1"; }

# counter NS NAME: a value from /proc/net/nf_conntrack_tls in NS
counter() {
	ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/nf_conntrack_tls
}

# dmesg_since N: the kernel log after its first N lines (N: an earlier
# `dmesg | wc -l`)
dmesg_since() { dmesg | tail -n +"$(($1 + 1))"; }

# wait_paused FILE TENTHS [PID]: until a peer's output FILE says "client:
# paused" (its p:GOFILE step), at most TENTHS tenths of a second, or until
# PID has exited
wait_paused() {
	local i
	for i in $(seq "$2"); do
		grep -q 'client: paused' "$1" && return 0
		[ -z "${3:-}" ] || kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# make_cert: a small EC certificate for the test servers
make_cert() {
	mkdir -p "$TLSDIR"
	[ -f "$TLSDIR/cert.pem" ] && return 0
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=tls-selftest" -days 2 -keyout "$TLSDIR/key.pem" \
		-out "$TLSDIR/cert.pem" 2>/dev/null
}

# random_file FILE MiB: FILE filled with random bytes; prints its SHA-256
# the way `sha256sum <FILE` does, to compare with what arrives
random_file() {
	head -c $(($2 << 20)) /dev/urandom >"$1"
	sha256sum <"$1"
}

# serve_www FAMILY NACCEPT SECONDS [s_server options...]: openssl s_server
# -WWW in $server on $PORT, serving $TLSDIR, for NACCEPT connections or at
# most SECONDS; returns once it listens (status of wait_port), its PID in
# $SERVER_PID
serve_www() {
	local fam=$1 naccept=$2 secs=$3

	shift 3
	(cd "$TLSDIR" && exec ip netns exec "$server" timeout "$secs" \
		openssl s_server -quiet -"$fam" -accept "$PORT" -cert cert.pem \
		-key key.pem -WWW -naccept "$naccept" "$@") >/dev/null 2>&1 &
	SERVER_PID=$!
	wait_port "$server" "$PORT"
}

# wait_port NS PORT: until something listens on TCP PORT in NS (max ~10 s
# times TIME_SCALE)
wait_port() {
	local i
	for i in $(seq "$(scaled 100)"); do
		ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
