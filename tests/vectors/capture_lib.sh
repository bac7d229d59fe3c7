# SPDX-License-Identifier: GPL-2.0
#
# The capture pipeline of gen_real.sh and gen_real_hs.sh (sourced, not
# run): a real server, the logging relay of gen_real.py, a real client,
# all on loopback.  The caller sets $py (gen_real.py), $tmp (scratch
# directory) and $port (a free base port); the log lands in $tmp/NAME.log.
#
# capture NAME SERVER_CMD CLIENT_CMD [SERVER_IN [CLIENT_IN [CONNS]]]
#   SERVER_CMD and CLIENT_CMD are eval'ed with @SP@ (the server's port) and
#   @RP@ (the relay's) replaced.  SERVER_IN and CLIENT_IN are shell
#   commands whose output is that side's stdin: the defaults answer after
#   the client spoke and keep both up for the close.  CONNS (default 1) is
#   how many connections the relay takes one after the other; only the
#   last is the vector (the earlier ones, e.g. the session a resumption
#   needs, go to NAME.log.0, ...).
#
# capture_ok NAME: the log holds bytes of both directions.
# capture_retry NAME ...: capture, again up to twice when the log is
#   incomplete (loopback captures are occasionally cut short by timing).

CAP_SRV_IN='sleep 1.5; echo "hello from the server, $name"; sleep 2.5'
CAP_CLI_IN='echo "hello from the client, $name"; sleep 3'
# seconds the server and the client may run (resumption needs more)
CAP_SRV_TIME=${CAP_SRV_TIME:-12}
CAP_CLI_TIME=${CAP_CLI_TIME:-10}

capture() {
	local name=$1 srv=$2 cli=$3 srv_in=${4:-$CAP_SRV_IN}
	local cli_in=${5:-$CAP_CLI_IN} conns=${6:-1}
	local sp rp spid rpid

	port=$((port + 2))
	sp=$port
	rp=$((port + 1))
	rm -f "$tmp/$name.log" "$tmp/$name.log".*
	(eval "$srv_in") |
		eval "timeout $CAP_SRV_TIME ${srv//@SP@/$sp}" \
		> "$tmp/$name.srv" 2>&1 &
	spid=$!
	sleep 0.7
	$py relay "$rp" "$sp" "$tmp/$name.log" "$conns" &
	rpid=$!
	sleep 0.3
	(eval "$cli_in") |
		eval "timeout $CAP_CLI_TIME ${cli//@RP@/$rp}" \
		> "$tmp/$name.cli" 2>&1 || true
	wait $rpid || true
	kill $spid 2>/dev/null || true
	wait $spid 2>/dev/null || true
}

capture_ok() {
	[ -s "$tmp/$1.log" ] && grep -q '^0 ' "$tmp/$1.log" &&
		grep -q '^1 ' "$tmp/$1.log"
}

capture_retry() {
	local try

	for try in 1 2 3; do
		capture "$@"
		capture_ok "$1" && return 0
		echo "$1: capture incomplete (try $try)" >&2
		sleep 1
	done
	return 1
}
