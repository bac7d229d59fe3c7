#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server-name lists (/proc/net/nf_conntrack_tls_sni_deny and _allow)
# with real clients (s_client, curl, gnutls-cli) through the router
# (iptables, reset=1): exact names, label-aware suffixes, the suffix
# itself and a label boundary (notexample.test) as near misses, upper
# case, a trailing dot, punycode, the allow list and hellos without a
# name; a post-quantum sized hello
# whose name is in its second TCP segment, and in its second record (the
# case a first-packet matcher fails open on), first without a list (the
# server answers it) then denied; a name behind a server_name entry of
# another type, which gnutls-serv reads without a list and never sees
# with one.  For each denied flow the client gets
# no data and violation_sni_deny/_allow rises by one; for each allowed
# one the file arrives intact.  Then the files themselves: reading with
# hit counts, a bad write that changes nothing and names its line, a
# remove, a flush, 100,000 names loaded in one write() while a download
# runs, 20,000 by `cat` (in pieces), and a second namespace that sees
# none of it.  About 4 minutes under TCG; SNI_CASES=all adds seven cases
# the unit tests cover (make check leaves them out).
SELFTESTS=$(cd "$(dirname "$0")" && pwd)
TLSDIR=${TLSDIR:-/tmp/tls-selftest}/sni
source "$SELFTESTS/lib.sh"

PORT=4443
PY=/usr/bin/python3
DENY=/proc/net/nf_conntrack_tls_sni_deny
ALLOW=/proc/net/nf_conntrack_tls_sni_allow

require_module
checktool "openssl version" "run openssl"
checktool "curl --version" "run curl"
checktool "gnutls-cli --version" "run gnutls-cli (gnutls-bin)"
checktool "iptables -V" "run iptables"
checktool "$PY -c 'import socket'" "run $PY"
trap cleanup_ns EXIT
setup_topology || { log_fail "topology"; exit 1; }
attach_iptables "$router" $PORT || { log_fail "attach"; exit 1; }
drop_invalid "$router"
make_cert
head -c 131072 /dev/urandom >"$TLSDIR/f.bin"
want=$(sha256sum <"$TLSDIR/f.bin")
ip netns exec "$router" sysctl -qw net.netfilter.nf_conntrack_tls_reset=1
# shellcheck source=fetch_lib.sh
source "$SELFTESTS/fetch_lib.sh"

# lists FILE TEXT: write TEXT to the router's list FILE in one write()
lists() { proc_write "$router" "$1" "$2"; }

name() { fetch "$1" "$2" "$3" -- sclient -servername "$4"; }

# othertype NAME: the 2 KB hello whose server_name list holds an entry of
# name type 1 (none is defined) before NAME, sent to gnutls-serv, which
# skips unknown types (as Go and NSS do) and logs the name it reads.
# Sets OT_R (what came back: sni_hello.py) and OT_NAME (the name read).
othertype() {
	local log=$TLSDIR/gnutls-serv.log pid

	(cd "$TLSDIR" && exec ip netns exec "$server" timeout "$(scaled 60)" \
		gnutls-serv -p $PORT --x509certfile cert.pem \
		--x509keyfile key.pem -d 4) >"$log" 2>&1 &
	pid=$!
	OT_R=noserver
	wait_port "$server" $PORT &&
		OT_R=$(ip netns exec "$client" "$PY" "$PEERS/sni_hello.py" \
			10.0.2.2 $PORT "$1" othertype)
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	OT_NAME=$(sed -n "s/.*Requested server name: '\(.*\)'.*/\1/p" "$log" |
		head -1)
}

if [ ! -e "$DENY" ] || ! ip netns exec "$router" test -w "$DENY"; then
	log_fail "no $DENY in the router's namespace"
	exit 1
fi

# no list: nothing is denied
name ok sni_deny "no list, www.example.test" www.example.test

# the attack: a name behind an entry of another type reaches the server
fetch_server_stop
othertype www.example.test
if [ "$OT_R" = server_hello ] && [ "$OT_NAME" = www.example.test ]; then
	log_pass "no list: a type-1 entry, then www.example.test: gnutls-serv answers, reads the name"
else
	log_fail "no list, a type-1 entry before the name: $OT_R, gnutls-serv read '$OT_NAME'"
fi

lists $DENY $'+.example.test\n+evil.test\n+xn--bcher-kva.test\n'
b0=$(counter "$router" violation_sni_deny)
othertype www.example.test
b1=$(counter "$router" violation_sni_deny)
if [ "$OT_R" != server_hello ] && [ -z "$OT_NAME" ] && [ $((b1 - b0)) = 1 ]; then
	log_pass "deny .example.test, the name behind a type-1 entry: denied ($OT_R), gnutls-serv read no name"
else
	log_fail "deny .example.test, a type-1 entry before the name: $OT_R, read '$OT_NAME', violation_sni_deny +$((b1 - b0))"
fi
name deny sni_deny "deny .example.test, www.example.test" www.example.test
# SNI_CASES=all runs the cases unit tests cover too (not in make check)
full() { [ "${SNI_CASES:-}" = all ]; }
full && name deny sni_deny "deny .example.test, a.b.example.test" a.b.example.test
full && name deny sni_deny "deny .example.test, upper case WWW.Example.TEST" WWW.Example.TEST
full && name deny sni_deny "deny .example.test, a trailing dot" www.example.test.
name deny sni_deny "deny .example.test, upper case and a trailing dot" WWW.Example.TEST.
name ok sni_deny "deny .example.test, the suffix itself example.test" example.test
name ok sni_deny "deny .example.test, label boundary notexample.test" notexample.test
name deny sni_deny "deny evil.test, exact" evil.test
full && name ok sni_deny "deny evil.test, www.evil.test is not below an exact entry" www.evil.test
name deny sni_deny "deny xn--bcher-kva.test (IDN, punycode)" xn--bcher-kva.test
fetch deny sni_deny "deny .example.test, curl --resolve www.example.test" -- \
	curl -sk --max-time "$(scaled 30)" --resolve "www.example.test:$PORT:10.0.2.2" \
	"https://www.example.test:$PORT/f.bin"
fetch deny sni_deny "deny .example.test, gnutls-cli www.example.test" -- \
	gnutls --sni-hostname www.example.test
fetch ok sni_deny "deny .example.test, gnutls-cli www.other.test" -- \
	gnutls --sni-hostname www.other.test
hits=$(full && echo 8 || echo 5)	# denies of .example.test so far
n=$(dmesg | grep -c 'dropped: sni_deny from client: .* (entry \.example\.test)')
if [ "$n" -ge "$hits" ]; then
	log_pass "the kernel log names the entry (.example.test) of each deny: $n lines"
else
	log_fail "the kernel log names .example.test in $n lines, want $hits or more"
fi

if dmesg | grep -q 'dropped: sni_deny from client: .* name "WWW\.Example\.TEST\." (entry \.example\.test)$'; then
	log_pass "the log line shows the name as sent: name \"WWW.Example.TEST.\" (entry .example.test)"
else
	log_fail "no log line with name \"WWW.Example.TEST.\": $(dmesg | grep sni_deny | tail -1)"
fi

# the list file: entries with hit counts
got=$(ip netns exec "$router" cat $DENY | tr '\n' ' ')
if [ "$got" = ".example.test hits=$hits evil.test hits=1 xn--bcher-kva.test hits=1 " ]; then
	log_pass "reading $DENY: entries sorted with hit counts ($got)"
else
	log_fail "reading $DENY: '$got'"
fi

# a post-quantum sized hello with the name in its second segment / record
fetch_server_stop	# its own servers on $PORT from here
for mode in segments records; do
	serve_www 4 1 "$(scaled 60)" || { log_fail "server did not start"; continue; }
	b0=$(counter "$router" violation_sni_deny)
	r=$(ip netns exec "$client" "$PY" "$PEERS/sni_hello.py" 10.0.2.2 $PORT \
		www.example.test $mode)
	kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
	b1=$(counter "$router" violation_sni_deny)
	if [ "$r" != server_hello ] && [ $((b1 - b0)) = 1 ]; then
		log_pass "2 KB hello, the name in its second $mode: denied ($r), violation_sni_deny +1"
	else
		log_fail "2 KB hello, the name in its second $mode: $r, violation_sni_deny +$((b1 - b0))"
	fi
	serve_www 4 1 "$(scaled 60)" || { log_fail "server did not start"; continue; }
	r=$(ip netns exec "$client" "$PY" "$PEERS/sni_hello.py" 10.0.2.2 $PORT \
		www.other.test $mode)
	kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
	if [ "$r" = server_hello ]; then
		log_pass "2 KB hello in two $mode, a name not on the list: the server answers"
	else
		log_fail "2 KB hello in two $mode, a name not on the list: $r"
	fi
done

# a bad write changes nothing and names its line
before=$(ip netns exec "$router" cat $DENY)
n0=$(dmesg | wc -l)
if lists $DENY $'+ok.test\n+bad..name\n' 2>/dev/null; then
	log_fail "a write with an invalid line was accepted"
elif [ "$(ip netns exec "$router" cat $DENY)" != "$before" ]; then
	log_fail "a write with an invalid line changed the list"
elif dmesg_since "$n0" | grep -q 'nf_conntrack_tls_sni_deny: line 2: '; then
	log_pass "a write with an invalid line 2 fails, changes nothing, the log names line 2"
else
	log_fail "no log line naming line 2: $(dmesg_since "$n0" | tail -2)"
fi
if lists $DENY $'-nothere.test\n' 2>/dev/null; then
	log_fail "removing an absent entry was accepted"
else
	log_pass "removing an absent entry fails"
fi

# remove, then the allow list
lists $DENY $'-.example.test\n'
name ok sni_deny "after -.example.test, www.example.test" www.example.test
lists $ALLOW $'+www.example.test\n+.corp.test\n'
name ok sni_allow "allow www.example.test, www.example.test" www.example.test
full && name ok sni_allow "allow .corp.test, mail.corp.test" mail.corp.test
name deny sni_allow "allow list, other.example.test" other.example.test
if dmesg | grep -q 'dropped: sni_allow from client: .* name "other\.example\.test"$'; then
	log_pass "the log line of an allow-list deny shows the name: other.example.test"
else
	log_fail "no sni_allow log line with the name: $(dmesg | grep sni_allow | tail -1)"
fi
fetch deny sni_allow "allow list, curl to an IP address (no name)" -- \
	curl -sk --max-time "$(scaled 30)" "https://10.0.2.2:$PORT/f.bin"
full && name deny sni_deny "allow list and deny evil.test: deny wins" evil.test
lists $ALLOW /
lists $DENY /
name ok sni_allow "both lists flushed, other.example.test" other.example.test
if [ -z "$(ip netns exec "$router" cat $DENY $ALLOW)" ]; then
	log_pass "both files empty after /"
else
	log_fail "files not empty after /"
fi

# 100,000 names while a download runs; one write(), then cat in pieces
"$PY" -c 'import random
r = random.Random(1)
a = "abcdefghijklmnopqrstuvwxyz0123456789"
for i in range(100000):
    n = ".".join("".join(r.choice(a) for _ in range(r.randint(3, 12))) for _ in range(r.randint(1, 3)))
    print("+%s%s.test" % ("." if i % 3 == 0 else "", n))' >"$TLSDIR/names.txt"
echo "+.example.test" >>"$TLSDIR/names.txt"
# random labels repeat now and then: adding an entry twice keeps one
uniq=$(sort -u "$TLSDIR/names.txt" | wc -l)
head -c 16000000 /dev/urandom >"$TLSDIR/big.bin"
big=$(sha256sum <"$TLSDIR/big.bin")
fetch_server_stop
serve_www 4 1 "$(scaled 300)" || log_fail "server did not start"
spid=$SERVER_PID
(ip netns exec "$client" curl -sk --limit-rate 1M --max-time "$(scaled 200)" \
	"https://10.0.2.2:$PORT/big.bin" | sha256sum >"$TLSDIR/big.got") &
cpid=$!
sleep 2
t0=$(date +%s%N)
ip netns exec "$router" "$PY" -c 'import os, sys
d = open(sys.argv[2], "rb").read()
fd = os.open(sys.argv[1], os.O_WRONLY)
assert os.write(fd, d) == len(d)' $DENY "$TLSDIR/names.txt"
t1=$(date +%s%N)
n=$(ip netns exec "$router" cat $DENY | wc -l)
wait "$cpid"
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
echo "# 100,001 names ($(stat -c %s "$TLSDIR/names.txt") bytes) in one write(): $(((t1 - t0) / 1000000)) ms under TCG"
if [ "$n" = "$uniq" ] && [ "$(cat "$TLSDIR/big.got")" = "$big" ]; then
	log_pass "100,001 names ($uniq distinct) loaded in one write() during a 16 MB download, which arrived intact"
else
	log_fail "100,001 names during a download: $n entries (want $uniq), download $([ "$(cat "$TLSDIR/big.got")" = "$big" ] && echo intact || echo broken)"
fi
name deny sni_deny "100,001 names, www.example.test" www.example.test
name ok sni_deny "100,001 names, www.example.org" www.example.org
lists $DENY /
# cat writes in 128 KiB pieces: 20,000 names take 4, lines cut between
head -n 20000 "$TLSDIR/names.txt" >"$TLSDIR/names20k.txt"
uniq=$(sort -u "$TLSDIR/names20k.txt" | wc -l)
t0=$(date +%s%N)
ip netns exec "$router" sh -c "cat '$TLSDIR/names20k.txt' > $DENY"
t1=$(date +%s%N)
n=$(ip netns exec "$router" cat $DENY | wc -l)
echo "# 20,000 names by cat: $(((t1 - t0) / 1000000)) ms"
if [ "$n" = "$uniq" ]; then
	log_pass "cat of 20,000 names: every line ($uniq distinct), those cut between writes too"
else
	log_fail "cat of 20,000 names: $n entries, want $uniq"
fi

# another namespace has its own, empty lists
other=tls-sni-other-$$
ip netns add "$other"
if [ -z "$(ip netns exec "$other" cat $DENY $ALLOW)" ] &&
   proc_write "$other" $DENY $'+only.other.test\n' &&
   ! ip netns exec "$router" grep -q only.other.test $DENY; then
	log_pass "another namespace: empty lists of its own, its write not seen by the router"
else
	log_fail "another namespace sees or changes the router's lists"
fi
ip netns del "$other"
lists $DENY /
exit "${RET:-0}"
