#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per byte of tls_feed() and of a plain read-and-sum, counted
# by callgrind inside engine_pass()/plain_pass() only.  Usage:
# callgrind.sh path/to/bench_engine
set -euo pipefail
bin=${1:-build/engine/bench}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bytes=$((4 << 20))
for chunk in 1448 65536; do
	for mode in engine plain; do
		valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
			--toggle-collect=${mode}_pass "$bin" once $mode $chunk \
			2> "$out/log"
		ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log")
		printf "callgrind: %-6s chunk %-5s %12s Ir  %.3f Ir/byte\n" \
			$mode $chunk "$ir" "$(echo "scale=3; $ir / $bytes" | bc)"
	done
done
