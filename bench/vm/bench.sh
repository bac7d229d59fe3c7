#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the benchmarks (make bench-vm / bench-user / bench-all):
#
#   bench/vm/bench.sh vm     boot the VM, run bench/vm/run.sh in it
#   bench/vm/bench.sh user   seq_bench, the engine bench and callgrind
#   bench/vm/bench.sh all    both, then one table
#
# Prints the table and saves it to bench/results/<date>-<kernel>-<host>.txt
# (raw outputs stay in build/bench/).  Needs build/bench/tlsgen (vm) and
# build/bench/seq_bench + build/engine/bench (user): mk/bench.mk builds them.
# Environment: BENCH_* knobs of bench/vm/run.sh, KVER, BENCH_VM_TIMEOUT
# (VM wall-clock limit, 3000 s), SEQ_ROUNDS (5).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO" || exit 1
what=${1:-all}
case ${BENCH_HELPER:-tls} in
tls | ftp) ;;
*) echo "bench.sh: BENCH_HELPER=$BENCH_HELPER: expected tls or ftp" >&2; exit 2 ;;
esac
case ${BENCH_SNI_NAMES:-0} in
'' | *[!0-9]*)
	echo "bench.sh: BENCH_SNI_NAMES=$BENCH_SNI_NAMES: expected a number of names" >&2
	exit 2 ;;
esac
OUT=$REPO/build/bench
KVER=${KVER:-$("$REPO/scripts/kver.sh")}
mkdir -p "$OUT" "$REPO/bench/results"
rc=0
args=()
vm_load=
load_start=$(uptime)

run_user() {
	echo "== userspace: seq_bench (median of ${SEQ_ROUNDS:-5} rounds)"
	build/bench/seq_bench "${SEQ_ROUNDS:-5}" | tee "$OUT/seq.txt" | grep -v '^#' || rc=1
	echo "== userspace: make bench (engine only)"
	build/engine/bench | tee "$OUT/engine.txt" || rc=1
	if command -v valgrind >/dev/null; then
		echo "== userspace: callgrind, instructions per segment"
		: >"$OUT/callgrind.txt"
		for shape in 1448 65536 rec100 rec100m; do
			for mode in seq feed plain; do
				valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" \
					--toggle-collect=${mode}_pass build/bench/seq_bench \
					once $mode $shape >"$OUT/cg.stdout" 2>"$OUT/cg.log" || rc=1
				ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$OUT/cg.log")
				read -r _ segs _ bytes <"$OUT/cg.stdout"
				echo "#cg mode=$mode shape=$shape ir=$ir segs=$segs bytes=$bytes" \
					"ir_per_seg=$(awk -v i="$ir" -v s="$segs" 'BEGIN { printf "%.1f", i / s }')" \
					"ir_per_byte=$(awk -v i="$ir" -v b="$bytes" 'BEGIN { printf "%.3f", i / b }')" |
					tee -a "$OUT/callgrind.txt"
			done
		done
		rm -f "$OUT/cg.out" "$OUT/cg.stdout" "$OUT/cg.log"
	fi
	echo "== userspace: handshake transcripts, handshake=0 vs 1"
	build/bench/hs_bench | tee "$OUT/hs.txt" || rc=1
	if command -v valgrind >/dev/null; then
		for v in real_ossl_tls12 real_ossl_tls13 real_gnutls_tls12 real_gnutls_tls13; do
			for hs in 0 1 2; do
				valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" \
					--toggle-collect=hs_pass build/bench/hs_bench once $v $hs \
					>"$OUT/cg.stdout" 2>"$OUT/cg.log" || rc=1
				ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$OUT/cg.log")
				echo "#cg transcript=$v handshake=$hs ir=$ir" | tee -a "$OUT/hs.txt"
			done
		done
		rm -f "$OUT/cg.out" "$OUT/cg.stdout" "$OUT/cg.log"
	fi
	args+=(--seq "$OUT/seq.txt" --engine "$OUT/engine.txt" --callgrind "$OUT/callgrind.txt" --hs "$OUT/hs.txt")
}

run_vm() {
	local vrc=0 t0=$SECONDS
	echo "== VM: scripts/vm/vm-run.sh -- bench/vm/run.sh (guest output in $OUT/vm-console.txt)"
	rm -f "$OUT"/perf-*.txt
	local v envs=()
	# the BENCH_* knobs that are set go into the guest's environment
	for v in BENCH_REPS BENCH_REPS2 BENCH_TIME BENCH_FLOWS BENCH_TESTS \
		 BENCH_SIZES BENCH_TLS_MB BENCH_RPS BENCH_HELPER BENCH_SNI_NAMES \
		 BENCH_MODES BENCH_SURICATA_ARGS; do
		[ -n "${!v:-}" ] && envs+=("$v=${!v}")
	done
	# the host's load while the VM runs: other VMs on the same cores
	# slow the guest down unevenly, which is what spreads the pairs
	(while :; do cut -d' ' -f1 /proc/loadavg; sleep 20; done) >"$OUT/vm-load.txt" &
	local lpid=$!
	VM_QUIET=1 "$REPO/scripts/vm/vm-run.sh" -k "$KVER" -t "${BENCH_VM_TIMEOUT:-3000}" -- \
		env "${envs[@]}" bash -c "bench/vm/run.sh $OUT/vm-raw.txt > $OUT/vm-console.txt 2>&1" ||
		vrc=$?
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	vm_load=$(sort -n "$OUT/vm-load.txt" | awk '{ v[NR] = $1 } END {
		if (NR) printf "min %s, median %s, max %s (%d samples, 20 s apart)", v[1], v[int((NR + 1) / 2)], v[NR], NR }')
	echo "== VM finished in $((SECONDS - t0)) s (exit $vrc)"
	grep -E '^# ' "$OUT/vm-console.txt" || true
	[ $vrc = 0 ] || rc=$vrc
	args+=(--vm "$OUT/vm-raw.txt" --perf-dir "$OUT")
}

case "$what" in
user) run_user ;;
vm) run_vm ;;
all) run_user; run_vm ;;
*) echo "usage: bench/vm/bench.sh vm|user|all" >&2; exit 2 ;;
esac

stamp=$(date +%Y-%m-%dT%H%M)
host=$(hostname -s 2>/dev/null || hostname)
res=$REPO/bench/results/$stamp-$KVER-$host.txt
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
header="nf_conntrack_tls benchmark ($what), $(date '+%Y-%m-%d %H:%M %Z')
host: $host, $(nproc) CPUs, $cpu, kernel $(uname -r)
uptime at start: ${load_start# }
uptime at end:   $(uptime | sed 's/^ //')
module/guest kernel: $KVER; repository $(git -C "$REPO" describe --always --dirty 2>/dev/null)"
[ -n "$vm_load" ] && header+="
host 1-min load average during the VM run: $vm_load"
[ "$what" = user ] || header+="
VM figures come from QEMU TCG (software emulation, no KVM, guest has $(nproc) vCPUs) on a shared,
noisy host: absolute numbers are meaningless, only helper/none ratios of back-to-back runs are."
python3 "$REPO/bench/vm/report.py" "${args[@]}" --header "$header" >"$res" || rc=1
echo
cat "$res"
echo
echo "saved: ${res#"$REPO"/}"
exit $rc
