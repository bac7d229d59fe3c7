# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks beyond `make bench` (mk/engine.mk), in build/bench/.  Each of
# bench-user/-vm/-all prints a table and saves it to
# bench/results/<date>-<kernel>-<host>.txt.  Knobs (see bench/vm/run.sh):
# BENCH_REPS, BENCH_REPS2, BENCH_TIME, BENCH_FLOWS, BENCH_TESTS, BENCH_SIZES,
# BENCH_TLS_MB, BENCH_RPS, BENCH_HELPER.

BENCH_ENV = $(foreach v,BENCH_REPS BENCH_REPS2 BENCH_TIME BENCH_FLOWS BENCH_TESTS BENCH_SIZES BENCH_TLS_MB BENCH_RPS BENCH_HELPER KVER,\
	    $(if $($(v)),$(v)="$($(v))"))

.PHONY: bench-seq bench-user bench-vm bench-all bench-tools bench-module engine-diff

## bench-seq: per-segment cost of tls_seq_* + tls_feed vs a plain read
bench-seq: build/bench/seq_bench
	build/bench/seq_bench

## bench-user: bench-seq, `make bench` and callgrind counts, one table
bench-user: build/bench/seq_bench build/engine/bench
	@$(BENCH_ENV) bench/vm/bench.sh user

## bench-vm: end-to-end VM benchmark, helper vs none (5-19 min)
# bench/vm/run.sh: bulk, TLS, small records, connection rate, GRO, memory of
# 100k flows, perf; ~5 min on a quiet host, ~19 min when other VMs load it.
bench-vm: build/bench/tlsgen | bench-module
	@$(BENCH_ENV) bench/vm/bench.sh vm

## bench-all: bench-user + bench-vm, one table
bench-all: build/bench/tlsgen build/bench/seq_bench build/engine/bench | bench-module
	@$(BENCH_ENV) bench/vm/bench.sh all

## bench-tools: build seq_bench and tlsgen (the guest's TLS generator)
bench-tools: build/bench/seq_bench build/bench/tlsgen

# The module the VM benchmarks load.
bench-module: deps module

build/bench/seq_bench: bench/seq_bench.c bench/plain_read.h $(ENGINE_DEPS) | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $(filter %.c,$^)

# Runs inside the guest, which sees the host's /usr: a normal dynamic build.
build/bench/tlsgen: bench/vm/tlsgen.c | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $<

## engine-diff: tls_parse.c vs the one of git ENGINE_DIFF_REF (HEAD)
# Same verdicts, offsets and states for every chunking (bench/engine_diff.c);
# ENGINE_DIFF_N conversations per seed of ENGINE_DIFF_SEEDS.
ENGINE_DIFF_REF ?= HEAD
ENGINE_DIFF_N ?= 200000
ENGINE_DIFF_SEEDS ?= 1 2 3 4 5
# The reference tls_parse.c and its headers come from git each time (the
# revision may change between runs); heartbeat.c is the current one.
engine-diff: bench/engine_diff.c bench/engine_diff_ref.c $(ENGINE_DEPS)
	@rm -rf build/bench/engine-ref && mkdir -p build/bench/engine-ref
	@for f in tls_parse.c tls_parse.h tls_types.h heartbeat.h; do \
		git -C $(REPO) show $(ENGINE_DIFF_REF):$$f > build/bench/engine-ref/$$f || exit 1; \
	done
	$(CC) $(UFLAGS) -O2 -Ibuild/bench/engine-ref \
		-c -o build/bench/engine-ref/ref.o bench/engine_diff_ref.c
	$(CC) $(UFLAGS) -O2 -o build/bench/engine_diff \
		bench/engine_diff.c build/bench/engine-ref/ref.o \
		tls_parse.c heartbeat.c
	@echo "== engine-diff: tls_parse.c vs $(ENGINE_DIFF_REF) ($$(git -C $(REPO) rev-parse --short $(ENGINE_DIFF_REF))), seeds $(ENGINE_DIFF_SEEDS)"
	@for s in $(ENGINE_DIFF_SEEDS); do \
		build/bench/engine_diff $(ENGINE_DIFF_N) $$s || exit 1; \
	done
