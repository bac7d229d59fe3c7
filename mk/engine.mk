# SPDX-License-Identifier: GPL-2.0
#
# Userspace builds of the record engine: unit tests (plain and ASan/UBSan),
# the libFuzzer target and the benchmark.  Included by the top Makefile
# from the repository root; also works standalone:
#
#	make -f mk/engine.mk unit
#	make -f mk/engine.mk fuzz FUZZ_TIME=300
#	make -f mk/engine.mk bench
#	make -f mk/engine.mk bench-callgrind
#
# All outputs go to build/engine/.

ENGINE_SRCS = tls_parse.c heartbeat.c tls_seq.c
ENGINE_HDRS = tls_types.h tls_parse.h tls_seq.h tls_engine.h tls_lowrun.h
# The engine self-check: tests and fuzzers only, never the module.
ENGINE_CHECK_SRCS = tests/tls_check.c tests/tls_check.h
ENGINE_VEC_SRCS = tests/vectors/tls_vectors.c tests/vectors/vec_run.c \
		  tests/vectors/seq_cases.c
ENGINE_VEC_HDRS = tests/vectors/tls_vectors.h tests/vectors/seq_cases.h $(wildcard tests/vectors/real_*.h) \
		  tests/vectors/real_vectors.inc
ENGINE_UNIT_SRCS = tests/unit/test_main.c tests/unit/test_engine.c \
		   tests/unit/test_seq.c
ENGINE_OUT = build/engine

ENGINE_CC ?= gcc
ENGINE_CLANG ?= clang
ENGINE_WARN = -Wall -Wextra -Werror -Wmissing-prototypes -Wvla \
	      -Wdeclaration-after-statement -Wshadow -Wstrict-prototypes
ENGINE_CFLAGS ?= -std=gnu11 -g
ENGINE_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	     -fno-omit-frame-pointer

FUZZ_TIME ?= 60

# Remember the including Makefile's default goal: nothing here may become it.
_engine_goal := $(.DEFAULT_GOAL)

.PHONY: unit fuzz fuzz-corpus bench bench-callgrind engine-clean

$(ENGINE_OUT):
	mkdir -p $@

# The engine itself with the strictest flags, as the kernel sees it.
$(ENGINE_OUT)/engine-check.stamp: $(ENGINE_SRCS) $(ENGINE_HDRS) $(ENGINE_CHECK_SRCS) | $(ENGINE_OUT)
	for f in $(ENGINE_SRCS) tests/tls_check.c; do \
		$(ENGINE_CC) $(ENGINE_CFLAGS) -O2 $(ENGINE_WARN) -c $$f \
			-o $(ENGINE_OUT)/$$(basename $$f .c).o || exit 1; \
		$(ENGINE_CLANG) $(ENGINE_CFLAGS) -O2 $(ENGINE_WARN) -c $$f -o /dev/null || exit 1; \
	done
	touch $@

$(ENGINE_OUT)/unit: $(ENGINE_SRCS) $(ENGINE_HDRS) $(ENGINE_VEC_SRCS) \
		$(ENGINE_VEC_HDRS) $(ENGINE_UNIT_SRCS) tests/unit/unit.h \
		$(ENGINE_CHECK_SRCS) | $(ENGINE_OUT)
	$(ENGINE_CC) $(ENGINE_CFLAGS) -O2 -Wall -Wextra -Werror -o $@ \
		$(ENGINE_UNIT_SRCS) $(ENGINE_VEC_SRCS) $(ENGINE_SRCS) tests/tls_check.c

$(ENGINE_OUT)/unit-asan: $(ENGINE_SRCS) $(ENGINE_HDRS) $(ENGINE_VEC_SRCS) \
		$(ENGINE_VEC_HDRS) $(ENGINE_UNIT_SRCS) tests/unit/unit.h \
		$(ENGINE_CHECK_SRCS) | $(ENGINE_OUT)
	$(ENGINE_CC) $(ENGINE_CFLAGS) -O1 $(ENGINE_SAN) -Wall -Wextra -Werror \
		-o $@ $(ENGINE_UNIT_SRCS) $(ENGINE_VEC_SRCS) $(ENGINE_SRCS) \
		tests/tls_check.c

unit: $(ENGINE_OUT)/engine-check.stamp $(ENGINE_OUT)/unit $(ENGINE_OUT)/unit-asan
	@echo "== unit (gcc -O2)"
	@$(ENGINE_OUT)/unit
	@echo "== unit (ASan/UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(ENGINE_OUT)/unit-asan

$(ENGINE_OUT)/mkcorpus: tests/fuzz/mkcorpus.c $(ENGINE_VEC_SRCS) \
		$(ENGINE_VEC_HDRS) $(ENGINE_SRCS) | $(ENGINE_OUT)
	$(ENGINE_CC) $(ENGINE_CFLAGS) -O1 -Wall -Wextra -Werror -o $@ \
		tests/fuzz/mkcorpus.c $(ENGINE_VEC_SRCS) $(ENGINE_SRCS)

# Regenerate the committed seed corpus from the vectors.
fuzz-corpus: $(ENGINE_OUT)/mkcorpus
	rm -f tests/fuzz/corpus/[0-9]*_*
	mkdir -p tests/fuzz/corpus
	$(ENGINE_OUT)/mkcorpus tests/fuzz/corpus

$(ENGINE_OUT)/fuzz_engine: tests/fuzz/fuzz_engine.c $(ENGINE_SRCS) \
		$(ENGINE_HDRS) $(ENGINE_CHECK_SRCS) | $(ENGINE_OUT)
	$(ENGINE_CLANG) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Wall -Wextra -Werror -o $@ \
		tests/fuzz/fuzz_engine.c $(ENGINE_SRCS) tests/tls_check.c

# New inputs go to build/engine/fuzz-corpus; tests/fuzz/corpus is only read.
fuzz: $(ENGINE_OUT)/fuzz_engine
	mkdir -p $(ENGINE_OUT)/fuzz-corpus $(ENGINE_OUT)/fuzz-artifacts
	@echo "== fuzz for $(FUZZ_TIME) s, log in $(ENGINE_OUT)/fuzz.log"
	@$(ENGINE_OUT)/fuzz_engine -max_total_time=$(FUZZ_TIME) -max_len=40000 \
		-print_final_stats=1 -artifact_prefix=$(ENGINE_OUT)/fuzz-artifacts/ \
		$(ENGINE_OUT)/fuzz-corpus tests/fuzz/corpus \
		> $(ENGINE_OUT)/fuzz.log 2>&1; rc=$$?; \
		grep -E 'INITED|DONE|ERROR|SUMMARY|stat::' $(ENGINE_OUT)/fuzz.log; \
		awk '/stat::number_of_executed_units/ { print "fuzz: " $$2 " executions" }' \
		$(ENGINE_OUT)/fuzz.log; exit $$rc

$(ENGINE_OUT)/bench: bench/bench_engine.c bench/plain_read.h $(ENGINE_SRCS) $(ENGINE_HDRS) | $(ENGINE_OUT)
	$(ENGINE_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -o $@ \
		bench/bench_engine.c $(ENGINE_SRCS)

bench: $(ENGINE_OUT)/bench
	$(ENGINE_OUT)/bench

bench-callgrind: $(ENGINE_OUT)/bench
	bench/callgrind.sh $(ENGINE_OUT)/bench

engine-clean:
	rm -rf $(ENGINE_OUT)

# Standalone use: "make -f mk/engine.mk" runs the unit tests.
ifeq ($(firstword $(MAKEFILE_LIST)),mk/engine.mk)
.DEFAULT_GOAL := unit
else
.DEFAULT_GOAL := $(_engine_goal)
endif
