# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# One HTTPS fetch through the router, judged (tls_rules.sh, tls_sni.sh).
# Needs lib.sh, $PORT, $TLSDIR/f.bin (served by s_server -WWW) and $want,
# its sha256sum line.

# proc_write NS FILE TEXT: TEXT to FILE in namespace NS in one write()
# (the list files apply each write() whole or not at all)
proc_write() {
	ip netns exec "$1" /usr/bin/python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
d = sys.argv[2].encode()
assert os.write(fd, d) == len(d)' "$2" "$3"
}

# violations: the sum of the router's violation_* counters
violations() {
	ip netns exec "$router" awk '$1 ~ /^violation_/ { s += $2 } END { print s + 0 }' \
		/proc/net/nf_conntrack_tls
}

# The s_server of the last fetch() serves the next one too when its
# options are the same: it serves one connection after the other (a
# reset one too), and each start costs seconds under TCG.
FETCH_SOPTS=
FETCH_PID=

# fetch_server_stop: no fetch() server listens on $PORT any more
fetch_server_stop() {
	[ -n "$FETCH_PID" ] || return 0
	kill "$FETCH_PID" 2>/dev/null
	wait "$FETCH_PID" 2>/dev/null
	FETCH_PID=
	# gone, or the next serve_www's wait_port would see it
	for _ in $(seq "$(scaled 50)"); do
		ip netns exec "$server" ss -Hltn "sport = :$PORT" | grep -q . || break
		sleep 0.1
	done
}

# fetch_server SERVER_OPTS...: s_server -WWW with these options, running
fetch_server() {
	if [ -n "$FETCH_PID" ] && [ "$*" = "$FETCH_SOPTS" ] &&
	   kill -0 "$FETCH_PID" 2>/dev/null; then
		return 0
	fi
	fetch_server_stop
	serve_www 4 100000 "$(scaled 900)" "$@" || return 1
	FETCH_PID=$SERVER_PID
	FETCH_SOPTS="$*"
}

# fetch WANT RULE LABEL SERVER_OPTS -- CLIENT...: one connection of CLIENT
# (curl, or "sclient ARGS" / "gnutls ARGS": s_client / gnutls-cli with
# ARGS fetching f.bin) to an s_server -WWW with SERVER_OPTS (fetch_server);
# the client's stdout is compared with what the server sends.  WANT ok:
# the file arrives intact, no violation; WANT deny: no file, RULE's counter
# +1 and no other violation
fetch() {
	local want_=$1 rule=$2 label=$3 sopts=() got b0 v0 b1 v1
	shift 3
	while [ "$1" != -- ]; do sopts+=("$1"); shift; done
	shift
	fetch_server "${sopts[@]}" ||
		{ log_fail "$label: server did not start"; return; }
	b0=$(counter "$router" "violation_$rule"); v0=$(violations)
	# s_client and gnutls-cli are fed the request through a shell
	[ "$1" = sclient ] && set -- bash -c \
		'printf "GET /f.bin HTTP/1.0\r\n\r\n" | openssl s_client -quiet -connect 10.0.2.2:'$PORT' "$@"' \
		sclient "${@:2}"
	[ "$1" = gnutls ] && set -- bash -c \
		'printf "GET /f.bin HTTP/1.0\r\n\r\n" | gnutls-cli --insecure --logfile=/dev/null -p '$PORT' "$@" 10.0.2.2' \
		gnutls "${@:2}"
	got=$(ip netns exec "$client" timeout "$(scaled 40)" "$@" 2>"$TLSDIR/client.err" |
		sed '1,/^\r\{0,1\}$/{/^HTTP\/1.0 200/,/^\r\{0,1\}$/d}' | sha256sum)
	b1=$(counter "$router" "violation_$rule"); v1=$(violations)
	if [ "$want_" = ok ]; then
		if [ "$got" = "$want" ] && [ "$v1" = "$v0" ]; then
			log_pass "$label: allowed, the file intact"
		else
			log_fail "$label: expected the file intact and no violation (violations +$((v1 - v0)))"
		fi
	elif [ "$got" != "$want" ] && [ "$((b1 - b0))" = 1 ] && [ "$((v1 - v0))" = 1 ]; then
		log_pass "$label: denied, violation_$rule +1, no data"
	else
		log_fail "$label: expected denied by $rule: violation_$rule +$((b1 - b0)), violations +$((v1 - v0)), data $([ "$got" = "$want" ] && echo arrived || echo missing); client: $(tail -c 200 "$TLSDIR/client.err" | tr '\n' ' ')"
	fi
}

