#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# seq_bench of a git revision and of the working tree in one run:
# ROUNDS (5) interleaved runs of each (`seq_bench SEQ_ROUNDS`, 5 rounds
# per run), then callgrind instructions per segment of both for every
# mode either has (before: seq feed plain; after: seq gen feed plain).
#
#   bench/before_after.sh REV [ROUNDS]
#
# The revision's seq_bench is built from `git archive REV` in
# build/before-REV (its own sources: its seq mode is whatever the module
# ran per segment in that revision).  Prints everything; the caller saves
# it.  Run it on a quiet host, under nice on a shared one.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse --short "${1:?usage: before_after.sh REV [ROUNDS]}")
rounds=${2:-5}
old=build/before-$rev
if [ ! -x "$old/build/bench/seq_bench" ]; then
	rm -rf "$old" && mkdir -p "$old"
	git archive "$rev" | tar -x -C "$old"
	make -s -C "$old" build/bench/seq_bench >/dev/null
fi
make -s build/bench/seq_bench >/dev/null
new=build/bench/seq_bench
echo "== before_after: before $rev, after $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo +dirty)"
echo "== host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	for side in before after; do
		bin=$new
		[ $side = before ] && bin=$old/build/bench/seq_bench
		"$bin" "${SEQ_ROUNDS:-5}" | sed -n "s/^#seq /#seq side=$side round=$r /p"
	done
done
echo "== load after the timed runs: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v valgrind >/dev/null; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
	for shape in 1448 65536 rec100 rec100m; do
		for side in before after; do
			bin=$new modes="seq gen feed plain"
			if [ $side = before ]; then
				bin=$old/build/bench/seq_bench modes="seq feed plain"
			fi
			for mode in $modes; do
				valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
					--toggle-collect=${mode}_pass "$bin" once $mode \
					$shape >"$out/stdout" 2>"$out/log"
				ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log")
				read -r _ segs _ bytes <"$out/stdout"
				echo "#cg side=$side mode=$mode shape=$shape ir=$ir segs=$segs" \
					"ir_per_seg=$(awk -v i="$ir" -v s="$segs" 'BEGIN { printf "%.1f", i / s }')"
			done
		done
	done
fi
