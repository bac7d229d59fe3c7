# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks beyond `make bench` (mk/engine.mk), in build/bench/.  Each of
# bench-user/-vm/-all prints a table and saves it to
# bench/results/<date>-<kernel>-<host>.txt.  Knobs (see bench/vm/run.sh):
# BENCH_REPS, BENCH_REPS2, BENCH_TIME, BENCH_FLOWS, BENCH_TESTS, BENCH_SIZES,
# BENCH_TLS_MB, BENCH_RPS, BENCH_HELPER, BENCH_SNI_NAMES, BENCH_MODES.

BENCH_ENV = $(foreach v,BENCH_REPS BENCH_REPS2 BENCH_TIME BENCH_FLOWS BENCH_TESTS BENCH_SIZES BENCH_TLS_MB BENCH_RPS BENCH_HELPER BENCH_SNI_NAMES BENCH_MODES BENCH_SURICATA_ARGS KVER,\
	    $(if $($(v)),$(v)="$($(v))"))

.PHONY: bench-names bench-seq bench-user bench-vm bench-all bench-tools bench-module engine-diff bench-peer \
	bench-peer-vm

## bench-seq: per-segment cost of tls_seq_* + tls_feed vs a plain read
bench-seq: build/bench/seq_bench
	build/bench/seq_bench

## bench-names: server-name matcher: build time, bytes/entry, ns/name
# 100,000 name-like entries (60% exact, 40% suffix) vs none, one run;
# BENCH_NAMES="entries names" overrides (default 100000 1000000).
bench-names: build/bench/names_bench
	build/bench/names_bench $(BENCH_NAMES)

## bench-user: bench-seq, `make bench`, handshakes and callgrind counts, one table
bench-user: build/bench/seq_bench build/engine/bench build/bench/hs_bench
	@$(BENCH_ENV) bench/vm/bench.sh user

## bench-vm: end-to-end VM benchmark, helper vs none (5-19 min)
# bench/vm/run.sh: bulk, TLS, small records, connection rate, GRO, memory of
# 100k flows, perf; ~5 min on a quiet host, ~19 min when other VMs load it.
bench-vm: build/bench/tlsgen | bench-module
	@$(BENCH_ENV) bench/vm/bench.sh vm

## bench-all: bench-user + bench-vm, one table
bench-all: build/bench/tlsgen build/bench/seq_bench build/engine/bench build/bench/hs_bench | bench-module
	@$(BENCH_ENV) bench/vm/bench.sh all

## bench-peer: tls-replay vs suricata -r vs tshark, same captures (offline)
# scripts/deps-peer.sh installs suricata (bookworm-backports) and tshark;
# bench/peer/mkcapture.sh makes build/peer/real.pcap once (namespaces, root);
# bench/peer/run.py: speed rounds (PEER_REPS, 5), detection table, corpus
# (PEER_CORPUS=0 skips it); saves bench/results/<date>-peer-offline.md.
bench-peer: tools
	@scripts/deps-peer.sh
	@python3 bench/peer/run.py

## bench-peer-vm: the VM router with conntrack, the helper, Suricata inline, both
# bench-vm with BENCH_MODES="none helper suricata both": bulk (tlsgen 64 KiB
# writes, a curl download), TLS handshakes and TCP connections per second,
# and one Heartbleed request per mode; ratios to conntrack alone.
PEER_VM_ENV = BENCH_MODES="none helper suricata both" BENCH_RPS=1 \
	BENCH_TESTS="$(or $(BENCH_TESTS),stream tls tlsconn conn heartbleed)" \
	BENCH_SIZES="$(or $(BENCH_SIZES),65536)"
bench-peer-vm: build/bench/tlsgen | bench-module
	@scripts/deps-peer.sh
	@$(BENCH_ENV) $(PEER_VM_ENV) bench/vm/bench.sh vm

## bench-tools: build seq_bench and tlsgen (the guest's TLS generator)
bench-tools: build/bench/seq_bench build/bench/tlsgen

# The module the VM benchmarks load.
bench-module: deps module

build/bench/seq_bench: bench/seq_bench.c bench/plain_read.h $(ENGINE_DEPS) | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $(filter %.c,$^)

build/bench/hs_bench: bench/hs_bench.c $(VEC_DEPS) $(ENGINE_DEPS) | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $(filter %.c,$^)

build/bench/names_bench: bench/names_bench.c $(ENGINE_DEPS) | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $(filter %.c,$^)

# Runs inside the guest, which sees the host's /usr: a normal dynamic build.
build/bench/tlsgen: bench/vm/tlsgen.c | build/bench
	$(CC) $(UFLAGS) -O2 -o $@ $<

## engine-diff: the engine vs the one of git ENGINE_DIFF_REF (HEAD)
# Same verdicts, offsets and states for every chunking (bench/engine_diff.c);
# ENGINE_DIFF_N conversations per seed of ENGINE_DIFF_SEEDS.  The reference
# is every top-level non-glue .c/.h of ENGINE_DIFF_REF, whatever its files
# were called then, linked into one object (ld -r) whose defined globals are
# renamed ref_* (objcopy --redefine-syms), so both engines link into one
# program whatever their split.
ENGINE_DIFF_REF ?= HEAD
ENGINE_DIFF_N ?= 200000
ENGINE_DIFF_SEEDS ?= 1 2 3 4 5
EDREF := build/bench/engine-ref
engine-diff: bench/engine_diff.c $(ENGINE_DEPS)
	@rm -rf $(EDREF) && mkdir -p $(EDREF)/src
	@rev=$$(git -C $(REPO) rev-parse --verify -q '$(ENGINE_DIFF_REF)^{commit}') || \
		{ echo "engine-diff: no commit '$(ENGINE_DIFF_REF)'" >&2; exit 1; }; \
	files=$$(git -C $(REPO) ls-tree --name-only $$rev | \
		grep -E '\.[ch]$$' | grep -v '^nf_conntrack_tls' | grep -vx version.h); \
	[ -n "$$files" ] || { echo "engine-diff: no engine files in $$rev" >&2; exit 1; }; \
	objs=; for f in $$files; do \
		git -C $(REPO) show $$rev:$$f > $(EDREF)/src/$$f || exit 1; \
	done; for f in $$files; do \
		case $$f in *.c) o=$(EDREF)/$${f%.c}.o; \
			$(CC) -std=gnu11 -g -O2 -c -o $$o $(EDREF)/src/$$f || exit 1; \
			objs="$$objs $$o";; \
		esac; \
	done; \
	echo "== engine-diff: reference engine $$rev:" $$files; \
	ld -r -o $(EDREF)/ref-all.o $$objs && \
	nm --defined-only -g $(EDREF)/ref-all.o | \
		awk 'NF == 3 { print $$3, "ref_" $$3 }' > $(EDREF)/ref.syms && \
	grep -q '^tls_feed ref_tls_feed$$' $(EDREF)/ref.syms && \
	objcopy --redefine-syms=$(EDREF)/ref.syms $(EDREF)/ref-all.o $(EDREF)/ref.o
	$(CC) $(UFLAGS) -O2 -o build/bench/engine_diff \
		bench/engine_diff.c $(EDREF)/ref.o $(ENGINE_C)
	@echo "== engine-diff: engine vs $(ENGINE_DIFF_REF) ($$(git -C $(REPO) rev-parse --short $(ENGINE_DIFF_REF))), seeds $(ENGINE_DIFF_SEEDS)"
	@for s in $(ENGINE_DIFF_SEEDS); do \
		build/bench/engine_diff $(ENGINE_DIFF_N) $$s || exit 1; \
	done
