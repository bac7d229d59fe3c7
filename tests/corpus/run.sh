#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Corpus test of the offline replay tool (make check-corpus):
#
#   - every capture listed in $TLS_CORPUS/INDEX.tsv and present on disk
#     (default corpus: ../shared/corpus beside the repository), and
#   - every fixture of tests/data/
#
# runs through build/tools/tls-replay with the arguments of its rows in
# tests/corpus/expectations.tsv and the verdicts are compared with the
# expected ones.  One line per row: PASS:, FAIL:, or XFAIL: (a known engine
# false positive, see the note column: reported, not hidden; it turns into
# a FAIL "XPASS" once the engine no longer flags it, so that the row is
# updated).  "SKIP: corpus: DIR not present" when the corpus is absent (the
# fixtures still run).  A capture of the INDEX without a row, or a row
# naming no known capture, is a FAIL.  The last line is a '#' summary;
# exit status 1 if anything failed.
#
# expectations.tsv: PATH <TAB> ARGS <TAB> EXPECT <TAB> NOTE <TAB> COMMENT
#   PATH    corpus path (SOURCE/REL_PATH of the INDEX) or tests/data/FILE
#   ARGS    tls-replay options, "-" for none
#   EXPECT  ';'-separated items:
#             V                 verdict of every flow not named otherwise
#             CLIENT->SERVER=V  verdict of that flow (as printed by the tool;
#                               named n times: the n flows of a reused
#                               5-tuple, in capture order)
#             none              the capture has no TCP flow at all
#             truncated         the capture is cut/corrupt (tool exits 2 and
#                               says so); the flows read before must match
#           V is ok or a reason name, optionally /client or /server (the
#           side that sent the deciding byte), @FRAME (the frame the kernel
#           drops) and +STATE (inspected, pickup, gap-stop, gap-stalled,
#           snaplen, killed), e.g. hb_length/client@11 or ok+pickup.
#   NOTE    "-" or known-fp (an engine false positive: expected XFAIL)
#   COMMENT why the expectation is what it is
# Flows the tool marks "reentry" (the conntrack entry made again by the
# first packet after a kill, see tools/README.md) are not matched against
# EXPECT: they are counted apart.  (With gap=drop their data segments stay
# pickups and are dropped; a side whose SYN/SYN-ACK is retransmitted after
# the kill is inspected again, so such a flow may carry a verdict of its own.)
#
# Environment: TLS_CORPUS (corpus directory), TLS_REPLAY (the binary),
# VERBOSE=1 (print the tool's output on failures).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CORPUS=${TLS_CORPUS:-$REPO/../shared/corpus}
EXP=$REPO/tests/corpus/expectations.tsv
TOOL=${TLS_REPLAY:-$REPO/build/tools/tls-replay}

if [ -z "${TLS_REPLAY:-}" ]; then
	make -C "$REPO" --no-print-directory -s tools >/dev/null ||
		{ echo "FAIL: corpus: cannot build build/tools/tls-replay"; exit 1; }
fi
[ -x "$TOOL" ] || { echo "FAIL: corpus: no tool $TOOL"; exit 1; }
[ -f "$EXP" ] || { echo "FAIL: corpus: no $EXP"; exit 1; }

pass=0 fail=0 xfail=0 skip=0 ncapt=0
declare -A seen_row

# Compare the tool's text output (stdin) with EXPECT; prints "ok ..." or
# "bad ...", then the flow and violation counts.
compare() {
	awk -v expect="$1" '
	function vmatch(w, v, d, f, s,   a, b, c) {
		# w = VERDICT[/DIR][@FRAME][+STATE]
		if (split(w, c, "+") > 1 && c[2] != s)
			return 0
		if (split(c[1], a, "@") > 1 && a[2] != f)
			return 0
		if (split(a[1], b, "/") > 1 && b[2] != d)
			return 0
		return b[1] == v
	}
	BEGIN {
		n = split(expect, it, ";")
		for (i = 1; i <= n; i++) {
			x = it[i]
			gsub(/^ +| +$/, "", x)
			if (x == "")
				continue
			if (x == "none")
				none = 1
			else if (x == "truncated")
				trunc = 1
			else if ((p = index(x, "=")) > 0) {
				# a flow named twice (port reuse): in capture order
				k = substr(x, 1, p - 1)
				want[k, ++nwant[k]] = substr(x, p + 1)
				got[k] = 0
			} else
				def = x
		}
	}
	/^#/ {
		if ($0 ~ / truncated=yes/)
			gottrunc = 1
		next
	}
	{
		flow = $1 "->" $3
		v = d = f = s = ""
		for (i = 4; i <= NF; i++) {
			if ($i ~ /^state=/) s = substr($i, 7)
			else if ($i ~ /^verdict=/) v = substr($i, 9)
			else if ($i ~ /^dir=/) d = substr($i, 5)
			else if ($i ~ /^frame=/) f = substr($i, 7)
		}
		# a new conntrack entry after a kill (tool output "reentry"):
		# a consequence of the kill, always a pickup; not matched
		# against the expectations, counted apart
		if ($0 ~ / reentry( |$)/) {
			nre++
			next
		}
		nflows++
		cnt[v]++
		if (v != "ok")
			nviol++
		if (flow in nwant) {
			if (++got[flow] > nwant[flow])
				bad = bad sprintf(" %s: more flows than expected;", flow)
			w = want[flow, got[flow] > nwant[flow] ? nwant[flow] : got[flow]]
		} else
			w = def
		full = v (d != "" ? "/" d "@" f : "") "+" s
		if (w == "")
			bad = bad sprintf(" %s is %s (no expectation);", flow, full)
		else if (!vmatch(w, v, d, f, s))
			bad = bad sprintf(" %s is %s, expected %s;", flow, full, w)
	}
	END {
		if (none && nflows)
			bad = bad sprintf(" %d TCP flows, expected none;", nflows)
		if (!none && !nflows)
			bad = bad " no TCP flow;"
		for (k in got)
			if (got[k] < nwant[k])
				bad = bad sprintf(" flow %s not found;", k)
		if (trunc && !gottrunc)
			bad = bad " expected a truncated capture;"
		if (!trunc && gottrunc)
			bad = bad " capture reported truncated;"
		s = ""
		for (k in cnt)
			s = s sprintf("%s%s %d", s == "" ? "" : ", ", k, cnt[k])
		if (nre)
			s = s sprintf(", %d reentry after kill", nre)
		printf "%s %d %d%s\n", bad == "" ? "ok" : "bad", nflows, nviol,
			bad == "" ? " " s : bad
	}'
}

# check LABEL FILE ARGS EXPECT NOTE
check() {
	local label=$1 file=$2 args=$3 expect=$4 note=$5
	local out err rc res nflows nviol detail want_rc argv=()

	[ "$args" = "-" ] || read -ra argv <<<"$args"
	out=$(mktemp) err=$(mktemp)
	case $file in
	*.gz) gzip -dc "$file" | "$TOOL" "${argv[@]}" - >"$out" 2>"$err" ;;
	*) "$TOOL" "${argv[@]}" "$file" >"$out" 2>"$err" ;;
	esac
	rc=$?
	res=$(compare "$expect" <"$out")
	read -r res nflows nviol detail <<<"$res"
	want_rc=0
	[ "$nviol" -gt 0 ] && want_rc=1
	[ "$want_rc" = 0 ] && [ "$expect" != "${expect/truncated/}" ] && want_rc=2
	if [ "$rc" != "$want_rc" ]; then
		res=bad
		detail="exit status $rc, expected $want_rc: $(head -c 300 "$err") $detail"
	fi
	[ "$args" = "-" ] || label="$label [$args]"
	if [ "$note" = known-fp ]; then
		if [ "$res" = ok ]; then
			echo "FAIL: $label: XPASS: no longer flagged, update the row: $nflows flows ($detail)"
			fail=$((fail + 1))
		else
			echo "XFAIL: $label: known engine false positive:$detail"
			xfail=$((xfail + 1))
		fi
	elif [ "$res" = ok ]; then
		echo "PASS: $label: $nflows flows ($detail)"
		pass=$((pass + 1))
	else
		echo "FAIL: $label:$detail"
		[ "${VERBOSE:-0}" = 1 ] && sed 's/^/    /' "$out" "$err"
		fail=$((fail + 1))
	fi
	rm -f "$out" "$err"
}

# Rows of the expectation file for one path: "ARGS<TAB>EXPECT<TAB>NOTE" lines.
rows_for() {
	awk -F'\t' -v p="$1" '!/^#/ && $1 == p { print $2 "\t" $3 "\t" $4 }' "$EXP"
}

run_path() {
	local path=$1 file=$2 args expect note found=0
	while IFS=$'\t' read -r args expect note; do
		found=1
		check "$path" "$file" "${args:--}" "$expect" "${note:--}"
	done < <(rows_for "$path")
	seen_row[$path]=1
	if [ "$found" = 0 ]; then
		echo "FAIL: $path: no row in tests/corpus/expectations.tsv"
		fail=$((fail + 1))
	fi
}

# 1. the public corpus
if [ -f "$CORPUS/INDEX.tsv" ]; then
	while IFS=$'\t' read -r source rel _; do
		[ "$source" = source ] && continue
		f=$CORPUS/$source/$rel
		if [ ! -f "$f" ]; then
			skip=$((skip + 1))
			continue
		fi
		ncapt=$((ncapt + 1))
		run_path "$source/$rel" "$f"
	done <"$CORPUS/INDEX.tsv"
	# rows naming no capture of the INDEX (fixtures are checked below)
	while IFS=$'\t' read -r path _; do
		case $path in '#'*|''|tests/data/*) continue ;; esac
		if [ -z "${seen_row[$path]:-}" ] &&
		   ! awk -F'\t' -v p="$path" '$1 "/" $2 == p { f = 1 } END { exit !f }' \
			"$CORPUS/INDEX.tsv"; then
			echo "FAIL: $path: row names no capture of $CORPUS/INDEX.tsv"
			seen_row[$path]=1
			fail=$((fail + 1))
		fi
	done <"$EXP"
else
	echo "SKIP: corpus: $CORPUS not present"
fi

# 2. the fixtures of tests/data
nfix=0
for f in "$REPO"/tests/data/*.pcap "$REPO"/tests/data/*.pcapng; do
	[ -f "$f" ] || continue
	nfix=$((nfix + 1))
	run_path "tests/data/$(basename "$f")" "$f"
done
while IFS=$'\t' read -r path _; do
	case $path in tests/data/*) ;; *) continue ;; esac
	if [ ! -f "$REPO/$path" ]; then
		echo "FAIL: $path: fixture missing (tests/data/regen.sh makes it)"
		fail=$((fail + 1))
	fi
done <"$EXP"

# 3. the server name the tool prints: localhost in the s_client capture
f=$REPO/tests/data/tls13-openssl-lo.pcap
if "$TOOL" "$f" | grep -q ' sni=localhost ' &&
   "$TOOL" --json "$f" | grep -q '"sni":"localhost"'; then
	echo "PASS: tests/data/tls13-openssl-lo.pcap: sni=localhost (text and JSON)"
	pass=$((pass + 1))
else
	echo "FAIL: tests/data/tls13-openssl-lo.pcap: the tool does not print sni=localhost"
	fail=$((fail + 1))
fi

echo "# corpus: $ncapt captures ($skip listed but absent), $nfix fixtures:" \
	"$pass passed, $fail failed, $xfail known engine false positives (XFAIL)"
[ "$fail" = 0 ]
