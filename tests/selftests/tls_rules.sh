#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The handshake rules (sysctls min_version, min_offer, ech, no_sni, sni_ip,
# sni_odd, cipher_deny) with real clients and servers through the router (iptables,
# reset=1 so a denied client fails at once): for each rule one connection
# it denies and the nearest one it lets through, and the same denied
# connection with the rule off.  A denied flow: the client gets no
# response, the rule's counter violation_<rule> rises by exactly one and
# nothing else is counted as a violation; an allowed one: the file arrives
# intact.  Rules decide at the hello, before any application data, so a
# denied client never sends its request.  About 4 minutes under TCG.
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
TLSDIR=${TLSDIR:-/tmp/tls-selftest}/rules
source "$SELFTESTS/lib.sh"

PORT=4443
URL=https://10.0.2.2:$PORT/f.bin

require_module
checktool "openssl version" "run openssl"
checktool "curl --version" "run curl"
checktool "iptables -V" "run iptables"
checktool "/usr/bin/python3 -c 'import os'" "run python3"
trap cleanup_ns EXIT
setup_topology || { log_fail "topology"; exit 1; }
attach_iptables "$router" $PORT || { log_fail "attach"; exit 1; }
drop_invalid "$router"
make_cert
head -c 131072 /dev/urandom >"$TLSDIR/f.bin"
want=$(sha256sum <"$TLSDIR/f.bin")
ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_reset=1

# suites TEXT: write TEXT to the router's cipher-suite deny list, one write()
SUITES=/proc/net/nf_conntrack_tls_cipher_deny
SUITES_SET=1	# the list may hold entries
suites() { SUITES_SET=1; proc_write "$router" $SUITES "$1"; }

# rules NAME=VALUE...: set the router's rule sysctls (all others back to 0,
# the suite list flushed), in one sysctl call
rules() {
	local k zero=()
	for k in min_version min_offer ech no_sni sni_ip sni_multi sni_odd cipher_deny; do
		zero+=("net.netfilter.nf_conntrack_tls_$k=0")
	done
	[ "$SUITES_SET" = 1 ] && suites / && SUITES_SET=0
	ip netns exec "$router" sysctl -qw "${zero[@]}" "${@/#/net.netfilter.nf_conntrack_tls_}" ||
		log_fail "sysctl $*"
}

# shellcheck source=fetch_lib.sh
source "$SELFTESTS/fetch_lib.sh"

CURL=(curl -sk --max-time "$(scaled 30)" "$URL")
# "sclient ARGS" as CLIENT: s_client fetching f.bin (fetch() runs it)

# version floor on the ServerHello; the offer
rules min_version=4
fetch deny min_version "min_version=4 (TLS 1.3), a TLS 1.2 client" -- \
	"${CURL[@]}" --tls-max 1.2
fetch ok min_version "min_version=4, a TLS 1.3 client" -- "${CURL[@]}"
rules
fetch ok min_version "no floor, a TLS 1.2 client" -- "${CURL[@]}" --tls-max 1.2
rules min_version=3 min_offer=1
fetch deny min_offer "min_version=3 min_offer=1, a client offering TLS 1.1 only" \
	-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -- sclient -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
rules min_version=3
fetch deny min_version "min_version=3 without min_offer: the TLS 1.1 ServerHello" \
	-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' -- sclient -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
rules min_version=3 min_offer=1
fetch ok min_offer "min_version=3 min_offer=1, a default client (1.2, 1.3)" \
	-- sclient

# server names: curl to an IP address sends none
rules no_sni=1
fetch deny no_sni "no_sni=1, curl to an IP address (no server_name)" -- "${CURL[@]}"
fetch ok no_sni "no_sni=1, a host name (--resolve)" -- \
	curl -sk --max-time "$(scaled 30)" --resolve "www.example.test:$PORT:10.0.2.2" \
	"https://www.example.test:$PORT/f.bin"
rules sni_ip=1
fetch deny sni_ip "sni_ip=1, an IP literal as server name" -- \
	sclient -servername 10.0.2.2
fetch ok sni_ip "sni_ip=1, a host name" -- sclient -servername www.example.test
rules
fetch ok sni_ip "sni_ip=0, an IP literal as server name" -- sclient -servername 10.0.2.2
rules sni_odd=1
fetch deny sni_odd "sni_odd=1, a '*' in the server name" -- sclient -servername 'www*.example.test'
fetch ok sni_odd "sni_odd=1, '_' and upper case in the server name" -- \
	sclient -servername WWW_1.Example.test

# ECH: OpenSSL 3.0 and curl here send none
rules ech=2
fetch deny ech_require "ech=2 (require), a client without ECH" -- "${CURL[@]}"
rules ech=1
fetch ok ech_deny "ech=1 (deny), a client without ECH" -- "${CURL[@]}"

# cipher classes on the ServerHello's selection: a NULL suite at level 0
# (its plaintext records would also trip the low-byte rule: lowrun off)
ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_lowrun_limit=0
NULLS=(-tls1_2 -cipher 'ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0')
rules cipher_deny=1
fetch deny cipher_class "cipher_deny=1 (NULL), ECDHE-ECDSA-NULL-SHA selected" "${NULLS[@]}" -- \
	sclient "${NULLS[@]}"
rules cipher_deny=30
fetch ok cipher_class "cipher_deny=30 (all but NULL), ECDHE-ECDSA-NULL-SHA selected" "${NULLS[@]}" -- \
	sclient "${NULLS[@]}"
rules cipher_deny=31
fetch ok cipher_class "cipher_deny=31, an AES-GCM suite" -- "${CURL[@]}" --tls-max 1.2
ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_lowrun_limit=128
rules

# the explicit suite list (/proc/net/nf_conntrack_tls_cipher_deny)
rules
suites $'+0xc02b\n+10\n'
fetch deny cipher_list "cipher list 0xc02b, ECDHE-ECDSA-AES128-GCM-SHA256 (0xc02b) selected" \
	-- sclient -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
fetch ok cipher_list "cipher list 0xc02b, ECDHE-ECDSA-AES256-GCM-SHA384 (0xc02c) selected" \
	-- sclient -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
if [ "$(ip netns exec "$router" cat $SUITES | tr '\n' ' ')" = "0x000a 0xc02b " ]; then
	log_pass "reading $SUITES: 0x000a 0xc02b"
else
	log_fail "reading $SUITES: $(ip netns exec "$router" cat $SUITES | tr '\n' ' ')"
fi
if suites $'+0xc02c\n+0x1g\n' 2>/dev/null ||
   [ "$(ip netns exec "$router" cat $SUITES | tr '\n' ' ')" != "0x000a 0xc02b " ]; then
	log_fail "a bad line in $SUITES was accepted or changed the list"
else
	log_pass "a bad line in $SUITES fails and changes nothing"
fi
suites /
fetch ok cipher_list "cipher list flushed, 0xc02b selected" \
	-- sclient -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256

# bad values change nothing
for kv in min_version=5 ech=3 cipher_deny=32 no_sni=-1 min_offer=x; do
	before=$(ip netns exec "$router" sysctl -n "net.netfilter.nf_conntrack_tls_${kv%%=*}")
	if ip netns exec "$router" sysctl -qw "net.netfilter.nf_conntrack_tls_$kv" 2>/dev/null; then
		log_fail "sysctl $kv accepted"
	elif [ "$(ip netns exec "$router" sysctl -n "net.netfilter.nf_conntrack_tls_${kv%%=*}")" != "$before" ]; then
		log_fail "sysctl $kv refused but changed the value"
	else
		log_pass "sysctl $kv refused, value kept ($before)"
	fi
done
# the README's example policy file loads as it is
EX=$SELFTESTS/../../examples/nf_conntrack_tls-rules.sysctl.conf
if ip netns exec "$router" sysctl -q -p "$EX" &&
   [ "$(ip netns exec "$router" sysctl -n net.netfilter.nf_conntrack_tls_min_version \
	net.netfilter.nf_conntrack_tls_cipher_deny | tr '\n' ' ')" = "3 31 " ]; then
	log_pass "examples/$(basename "$EX") loads (min_version 3, cipher_deny 31)"
else
	log_fail "examples/$(basename "$EX") does not load"
fi
rules
exit "${RET:-0}"
