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
#	make engine-diff  differential test of the engine against the one of
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
BENCH_OUT = $(BENCH_REPO)/build/bench
BENCH_ENGINE = $(addprefix $(BENCH_REPO)/,tls_parse.c heartbeat.c tls_seq.c)
BENCH_ENGINE_HDRS = $(addprefix $(BENCH_REPO)/,tls_types.h tls_parse.h tls_seq.h tls_engine.h \
		    tls_lowrun.h)
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

# The reference engine comes from git each time (the revision may change
# between runs): every top-level .c/.h of ENGINE_DIFF_REF that is not glue
# (nf_conntrack_tls*), whatever its files are called then, compiled on its
# own, linked into one object (ld -r) and every global symbol it defines
# renamed ref_* (objcopy --redefine-syms from nm), so that both engines link
# into one program whatever their internal split.
ENGINE_DIFF_REF ?= HEAD
ENGINE_DIFF_N ?= 200000
ENGINE_DIFF_SEEDS ?= 1 2 3 4 5
ENGINE_DIFF_DIR = $(BENCH_OUT)/engine-ref
.PHONY: engine-diff
engine-diff: $(BENCH_REPO)/bench/engine_diff.c $(BENCH_ENGINE) $(BENCH_ENGINE_HDRS)
	@rm -rf $(ENGINE_DIFF_DIR) && mkdir -p $(ENGINE_DIFF_DIR)/src
	@rev=$$(git -C $(BENCH_REPO) rev-parse --verify -q '$(ENGINE_DIFF_REF)^{commit}') || \
		{ echo "engine-diff: no commit '$(ENGINE_DIFF_REF)'" >&2; exit 1; }; \
	files=$$(git -C $(BENCH_REPO) ls-tree --name-only $$rev | \
		grep -E '\.[ch]$$' | grep -v '^nf_conntrack_tls'); \
	[ -n "$$files" ] || { echo "engine-diff: no engine files in $$rev" >&2; exit 1; }; \
	for f in $$files; do \
		git -C $(BENCH_REPO) show $$rev:$$f > $(ENGINE_DIFF_DIR)/src/$$f || exit 1; \
	done; \
	objs=; for f in $$files; do \
		case $$f in *.c) o=$(ENGINE_DIFF_DIR)/$${f%.c}.o; \
			$(BENCH_CC) -std=gnu11 -g -O2 -Wall -Wextra -c -o $$o \
				$(ENGINE_DIFF_DIR)/src/$$f || exit 1; \
			objs="$$objs $$o";; \
		esac; \
	done; \
	echo "== engine-diff: reference engine $$rev:" $$files; \
	ld -r -o $(ENGINE_DIFF_DIR)/ref-all.o $$objs && \
	nm --defined-only -g $(ENGINE_DIFF_DIR)/ref-all.o | \
		awk 'NF == 3 { print $$3, "ref_" $$3 }' > $(ENGINE_DIFF_DIR)/ref.syms && \
	grep -q '^tls_feed ref_tls_feed$$' $(ENGINE_DIFF_DIR)/ref.syms && \
	objcopy --redefine-syms=$(ENGINE_DIFF_DIR)/ref.syms \
		$(ENGINE_DIFF_DIR)/ref-all.o $(ENGINE_DIFF_DIR)/ref.o
	$(BENCH_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -o $(BENCH_OUT)/engine_diff \
		$(BENCH_REPO)/bench/engine_diff.c $(ENGINE_DIFF_DIR)/ref.o $(BENCH_ENGINE)
	@echo "== engine-diff: engine vs $(ENGINE_DIFF_REF) ($$(git -C $(BENCH_REPO) rev-parse --short $(ENGINE_DIFF_REF))), seeds $(ENGINE_DIFF_SEEDS)"
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
