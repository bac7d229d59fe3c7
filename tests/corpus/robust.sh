#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Robustness of tls-replay (make check-tools-robust): the ASan/UBSan
# build runs over every capture of the corpus ($TLS_CORPUS, default
# ../shared/corpus) and of tests/data, and over mutated copies of each:
# cut at a random offset, random bytes flipped, both, and (pcap files) the
# link type rewritten to each other supported one so that every decoder
# reads every kind of frame.  Mutants are made from a fixed seed
# (ROBUST_SEED), ROBUST_MUTANTS random ones per capture (default 6).
#
# Pass: every run exits 0, 1 or 2 (never a signal, never the sanitizers'
# exit code 99) and prints no sanitizer report.  Prints PASS:/FAIL: and a
# '#' summary; exit 1 on any failure.  The failing inputs are kept in
# build/tools/robust-fail/.
#
# Usage: tests/corpus/robust.sh [BINARY]   (default build/tools/tls-replay-asan)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$REPO/build/tools/tls-replay-asan}
CORPUS=${TLS_CORPUS:-$REPO/../shared/corpus}
MUTANTS=${ROBUST_MUTANTS:-6}
SEED=${ROBUST_SEED:-1}
JOBS=${ROBUST_JOBS:-$(nproc)}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

[ -x "$BIN" ] || { echo "FAIL: robust: no binary $BIN (make tools-asan)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=$REPO/build/tools/robust-fail
rm -rf "$fails"

# 1. the inputs: originals (gunzipped where needed) and mutants
mkdir -p "$work/in"
{
	[ -d "$CORPUS" ] && find "$CORPUS" -type f \( -name '*.pcap' -o \
		-name '*.pcapng' -o -name '*.cap' -o -name '*.pcap.gz' \)
	find "$REPO/tests/data" -type f \( -name '*.pcap' -o -name '*.pcapng' \)
} | sort >"$work/list"
[ -d "$CORPUS" ] || echo "SKIP: robust: corpus $CORPUS not present (fixtures only)"

"$PY" - "$work/list" "$work/in" "$MUTANTS" "$SEED" <<'EOF'
import gzip, os, random, struct, sys
lst, out, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
# DLT_NULL, EN10MB, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2
DLTS = [0, 1, 12, 108, 113, 228, 229, 276]
for i, path in enumerate(open(lst).read().split()):
    data = open(path, 'rb').read()
    if path.endswith('.gz'):
        data = gzip.decompress(data)
    base = os.path.join(out, '%04d' % i)
    open(base + '.orig', 'wb').write(data)
    if not data:
        continue
    for m in range(n):
        d = bytearray(data)
        kind = m % 3
        if kind in (1, 2):          # flip bytes: few, anywhere
            for _ in range(rnd.randint(1, 16)):
                d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
        if kind in (0, 2):          # cut
            del d[rnd.randrange(len(d)):]
        open('%s.m%d' % (base, m), 'wb').write(bytes(d))
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        fmt = '<I'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        fmt = '>I'
    else:
        continue
    for dlt in DLTS:
        d = bytearray(data)
        d[20:24] = struct.pack(fmt, dlt)
        open('%s.dlt%d' % (base, dlt), 'wb').write(bytes(d))
EOF
total=$(find "$work/in" -type f | wc -l)

# 2. run them all; one line per input that went wrong
export ASAN_OPTIONS=detect_leaks=1:exitcode=99:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:exitcode=99:print_stacktrace=1
find "$work/in" -type f | sort | xargs -P "$JOBS" -I{} sh -c '
	f=$1 bin=$2
	timeout 60 "$bin" --json "$f" >/dev/null 2>"$f.err"
	rc=$?
	if [ $rc -gt 2 ] || grep -q -E "Sanitizer|runtime error" "$f.err"; then
		echo "$rc $f"
	fi
	rm -f "$f.err"' _ {} "$BIN" >"$work/bad"

# 3. report
nbad=$(wc -l <"$work/bad")
if [ "$nbad" = 0 ]; then
	echo "PASS: robust: $total inputs ($(wc -l <"$work/list") captures," \
		"$MUTANTS mutants each, link type rewrites), no crash, no sanitizer report"
else
	mkdir -p "$fails"
	while read -r rc f; do
		b=$(basename "$f")
		cp "$f" "$fails/"
		echo "FAIL: robust: exit $rc on $b, made from" \
			"$(sed -n "$((10#${b%%.*} + 1))p" "$work/list") (kept in build/tools/robust-fail)"
	done <"$work/bad"
fi
echo "# robust: $total inputs, $nbad failures"
[ "$nbad" = 0 ]
