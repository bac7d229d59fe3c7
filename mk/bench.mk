# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks beyond the engine's own `make bench` (mk/engine.mk).  Included
# by the top Makefile; also works standalone from the repository root
# (make -f mk/bench.mk TARGET, after `make module` for the VM targets).
#
#	make bench-seq    per-segment cost of tls_seq_segment + tls_feed +
#	                  tls_seq_advance vs a plain read (bench/seq_bench.c)
#	make bench-user   bench-seq, `make bench` and callgrind counts, one table
#	make bench-vm     the end-to-end VM benchmark (bench/vm/run.sh): bulk,
#	                  TLS, small records, connection rate, GRO, memory of
#	                  100k flows, perf; helper vs no helper (~5 min on a
#	                  quiet host, ~19 min when other VMs load the 2 cores)
#	make bench-all    bench-user + bench-vm, one table
#	make engine-diff  differential test of tls_parse.c against the one of
#	                  git revision ENGINE_DIFF_REF (default HEAD): same
#	                  verdicts, offsets and states for every chunking, for
#	                  optimisations (bench/engine_diff.c); ENGINE_DIFF_N
#	                  conversations per seed, seeds ENGINE_DIFF_SEEDS
#
# Each of bench-user/-vm/-all prints the table and saves it to
# bench/results/<date>-<kernel>-<host>.txt.  Knobs: BENCH_REPS, BENCH_REPS2, BENCH_TIME,
# BENCH_FLOWS, BENCH_TESTS, BENCH_SIZES, BENCH_TLS_MB, BENCH_RPS, BENCH_HELPER
# (see bench/vm/run.sh).

BENCH_REPO := $(patsubst %/mk/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
include $(BENCH_REPO)/mk/sources.mk
BENCH_OUT = $(BENCH_REPO)/build/bench
BENCH_ENGINE = $(addprefix $(BENCH_REPO)/,$(ENGINE_C))
BENCH_ENGINE_HDRS = $(addprefix $(BENCH_REPO)/,$(ENGINE_H))
BENCH_CC ?= gcc
BENCH_ENV = $(foreach v,BENCH_REPS BENCH_REPS2 BENCH_TIME BENCH_FLOWS BENCH_TESTS BENCH_SIZES BENCH_TLS_MB BENCH_RPS BENCH_HELPER KVER,\
	    $(if $($(v)),$(v)="$($(v))"))

_bench_goal := $(.DEFAULT_GOAL)

.PHONY: bench-seq bench-user bench-vm bench-all bench-tools

$(BENCH_OUT)/seq_bench: $(BENCH_REPO)/bench/seq_bench.c $(BENCH_REPO)/bench/plain_read.h $(BENCH_ENGINE) $(BENCH_ENGINE_HDRS)
	@mkdir -p $(BENCH_OUT)
	$(BENCH_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -o $@ \
		$(BENCH_REPO)/bench/seq_bench.c $(BENCH_ENGINE)

# Runs inside the guest, which sees the host's /usr: a normal dynamic build.
$(BENCH_OUT)/tlsgen: $(BENCH_REPO)/bench/vm/tlsgen.c
	@mkdir -p $(BENCH_OUT)
	$(BENCH_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<

$(BENCH_REPO)/build/engine/bench: $(BENCH_REPO)/bench/bench_engine.c $(BENCH_REPO)/bench/plain_read.h $(BENCH_ENGINE) $(BENCH_ENGINE_HDRS)
	$(MAKE) -C $(BENCH_REPO) -f mk/engine.mk build/engine/bench

bench-tools: $(BENCH_OUT)/seq_bench $(BENCH_OUT)/tlsgen

# The reference tls_parse.c and its headers come from git each time (the
# revision may change between runs); heartbeat.c is the current one.
ENGINE_DIFF_REF ?= HEAD
ENGINE_DIFF_N ?= 200000
ENGINE_DIFF_SEEDS ?= 1 2 3 4 5
.PHONY: engine-diff
engine-diff: $(BENCH_REPO)/bench/engine_diff.c $(BENCH_REPO)/bench/engine_diff_ref.c $(BENCH_ENGINE) $(BENCH_ENGINE_HDRS)
	@rm -rf $(BENCH_OUT)/engine-ref && mkdir -p $(BENCH_OUT)/engine-ref
	@for f in tls_parse.c tls_parse.h tls_types.h heartbeat.h; do \
		git -C $(BENCH_REPO) show $(ENGINE_DIFF_REF):$$f > $(BENCH_OUT)/engine-ref/$$f || exit 1; \
	done
	$(BENCH_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -I$(BENCH_OUT)/engine-ref \
		-c -o $(BENCH_OUT)/engine-ref/ref.o $(BENCH_REPO)/bench/engine_diff_ref.c
	$(BENCH_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -o $(BENCH_OUT)/engine_diff \
		$(BENCH_REPO)/bench/engine_diff.c $(BENCH_OUT)/engine-ref/ref.o \
		$(BENCH_REPO)/tls_parse.c $(BENCH_REPO)/heartbeat.c
	@echo "== engine-diff: tls_parse.c vs $(ENGINE_DIFF_REF) ($$(git -C $(BENCH_REPO) rev-parse --short $(ENGINE_DIFF_REF))), seeds $(ENGINE_DIFF_SEEDS)"
	@for s in $(ENGINE_DIFF_SEEDS); do \
		$(BENCH_OUT)/engine_diff $(ENGINE_DIFF_N) $$s || exit 1; \
	done

bench-seq: $(BENCH_OUT)/seq_bench
	$(BENCH_OUT)/seq_bench

bench-user: $(BENCH_OUT)/seq_bench $(BENCH_REPO)/build/engine/bench
	@$(BENCH_ENV) $(BENCH_REPO)/bench/vm/bench.sh user

bench-vm: $(BENCH_OUT)/tlsgen | bench-module
	@$(BENCH_ENV) $(BENCH_REPO)/bench/vm/bench.sh vm

bench-all: $(BENCH_OUT)/tlsgen $(BENCH_OUT)/seq_bench $(BENCH_REPO)/build/engine/bench | bench-module
	@$(BENCH_ENV) $(BENCH_REPO)/bench/vm/bench.sh all

# The module for the VM: the top Makefile's `module` target when included
# from it, else a recursive make of the top Makefile.
.PHONY: bench-module
bench-module:
	@$(BENCH_REPO)/scripts/deps.sh
	@$(MAKE) -C $(BENCH_REPO) -f Makefile module

ifeq ($(firstword $(MAKEFILE_LIST)),mk/bench.mk)
.DEFAULT_GOAL := bench-user
else
.DEFAULT_GOAL := $(_bench_goal)
endif
