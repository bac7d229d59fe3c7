# SPDX-License-Identifier: GPL-2.0
#
# Userspace builds of the record engine, in build/engine/.

# The engine self-check: tests and fuzzers only, never the module.
CHECK_DEPS := tests/tls_check.c tests/tls_check.h
VEC_SRCS := tests/vectors/tls_vectors.c tests/vectors/vec_run.c tests/vectors/seq_cases.c
VEC_DEPS := $(VEC_SRCS) tests/vectors/tls_vectors.h tests/vectors/seq_cases.h $(wildcard tests/vectors/real_*.h) tests/vectors/hs_vectors.h \
	    tests/vectors/real_vectors.inc
UNIT_DEPS := tests/unit/test_main.c tests/unit/test_engine.c tests/unit/test_seq.c \
	     tests/unit/test_fast.c \
	     tests/unit/test_rules.c tests/unit/test_handshake.c \
	     tests/unit/test_names.c tests/unit/test_sni.c tests/names_ref.h \
	     tests/unit/unit.h $(VEC_DEPS) $(ENGINE_DEPS) $(CHECK_DEPS)
# The engine alone is held to more warnings, with gcc and clang.
WSTRICT := -Wmissing-prototypes -Wvla -Wdeclaration-after-statement -Wshadow \
	   -Wstrict-prototypes

.PHONY: unit fuzz fuzz-corpus bench bench-callgrind engine-clean

## unit: engine unit tests, gcc -O2 and ASan/UBSan builds
unit: build/engine/engine-check.stamp build/engine/unit build/engine/unit-asan \
      build/engine/cipher_class
	@echo "== unit (gcc -O2)"
	@build/engine/unit
	@echo "== unit (ASan/UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 build/engine/unit-asan
	@echo "== cipher classes vs OpenSSL and GnuTLS"
	@tests/ciphers/check_ciphers.sh build/engine/cipher_class

build/engine/cipher_class: tests/ciphers/cipher_class.c tls_ciphers.c tls_ciphers.h tls_types.h | build/engine
	$(CC) $(UFLAGS) -O2 -o $@ tests/ciphers/cipher_class.c tls_ciphers.c

build/engine/engine-check.stamp: $(ENGINE_DEPS) $(CHECK_DEPS) | build/engine
	for f in $(ENGINE_C) tests/tls_check.c; do \
		$(CC) $(UFLAGS) -O2 $(WSTRICT) -c $$f -o build/engine/$$(basename $${f%.c}).o && \
		$(CLANG) $(UFLAGS) -O2 $(WSTRICT) -c $$f -o /dev/null || exit 1; \
	done
	touch $@

build/engine/unit build/engine/unit-asan: $(UNIT_DEPS) | build/engine
	$(CC) $(UFLAGS) $(if $(filter %-asan,$@),-O1 $(SAN),-O2) -o $@ $(filter %.c,$^)

## fuzz: libFuzzer on the engine for FUZZ_TIME seconds (default 60)
# New inputs go to build/engine/fuzz-corpus; tests/fuzz/corpus is only read.
fuzz: build/engine/fuzz_engine
	mkdir -p build/engine/fuzz-corpus build/engine/fuzz-artifacts
	@echo "== fuzz for $(FUZZ_TIME) s, log in build/engine/fuzz.log"
	@build/engine/fuzz_engine -max_total_time=$(FUZZ_TIME) -max_len=40000 \
		-print_final_stats=1 -artifact_prefix=build/engine/fuzz-artifacts/ \
		build/engine/fuzz-corpus tests/fuzz/corpus \
		> build/engine/fuzz.log 2>&1; rc=$$?; \
		grep -E 'INITED|DONE|ERROR|SUMMARY|stat::' build/engine/fuzz.log; \
		awk '/stat::number_of_executed_units/ { print "fuzz: " $$2 " executions" }' \
		build/engine/fuzz.log; exit $$rc

build/engine/fuzz_engine: tests/fuzz/fuzz_engine.c $(ENGINE_DEPS) $(CHECK_DEPS) | build/engine
	$(CLANG) $(UFLAGS) -O1 $(FUZZ) -o $@ $(filter %.c,$^)

## fuzz-corpus: regenerate the seeds of tests/fuzz/corpus from the vectors
fuzz-corpus: build/engine/mkcorpus
	rm -f tests/fuzz/corpus/[0-9]*_*
	mkdir -p tests/fuzz/corpus
	build/engine/mkcorpus tests/fuzz/corpus

build/engine/mkcorpus: tests/fuzz/mkcorpus.c $(VEC_DEPS) $(ENGINE_DEPS) | build/engine
	$(CC) $(UFLAGS) -O1 -o $@ $(filter %.c,$^)

## bench: the engine alone, tls_feed vs a plain read
bench: build/engine/bench
	build/engine/bench

## bench-callgrind: instruction counts of the same (callgrind)
bench-callgrind: build/engine/bench
	bench/callgrind.sh build/engine/bench

build/engine/bench: bench/bench_engine.c bench/plain_read.h $(ENGINE_DEPS) | build/engine
	$(CC) $(UFLAGS) -O2 -o $@ $(filter %.c,$^)

## engine-clean: remove build/engine
engine-clean:
	rm -rf build/engine

# The differential oracle (tests/oracle): the buffered reference parser
# against the engine, on the vectors (oracle-unit, part of unit) and under
# libFuzzer (fuzz-oracle, part of fuzz).
ORACLE_SRCS := tests/oracle/ref_parse.c tests/oracle/ref_parse.h

.PHONY: oracle-unit fuzz-oracle
unit: oracle-unit
fuzz: fuzz-oracle

## oracle-unit: the reference parser against the engine on every vector
oracle-unit: build/engine/oracle_unit
	@echo "== oracle (reference parser vs engine on the vectors)"
	@build/engine/oracle_unit

build/engine/oracle_unit: tests/oracle/oracle_unit.c $(ORACLE_SRCS) $(VEC_DEPS) $(ENGINE_DEPS) | build/engine
	$(CC) $(UFLAGS) -O1 $(SAN) -o $@ $(filter %.c,$^)

## fuzz-oracle: libFuzzer, engine vs reference parser, FUZZ_TIME seconds
fuzz-oracle: build/engine/fuzz_oracle
	mkdir -p build/engine/fuzz-oracle-corpus build/engine/fuzz-artifacts
	@echo "== fuzz oracle for $(FUZZ_TIME) s, log in build/engine/fuzz-oracle.log"
	@build/engine/fuzz_oracle -max_total_time=$(FUZZ_TIME) -max_len=40000 \
		-dict=tests/oracle/oracle.dict \
		-print_final_stats=1 -artifact_prefix=build/engine/fuzz-artifacts/oracle- \
		build/engine/fuzz-oracle-corpus tests/fuzz/corpus \
		> build/engine/fuzz-oracle.log 2>&1; rc=$$?; \
		grep -E 'INITED|DONE|ERROR|SUMMARY|stat::' build/engine/fuzz-oracle.log; \
		awk '/stat::number_of_executed_units/ { print "fuzz-oracle: " $$2 " executions" }' \
		build/engine/fuzz-oracle.log; exit $$rc

build/engine/fuzz_oracle: tests/fuzz/fuzz_oracle.c $(ORACLE_SRCS) $(ENGINE_DEPS) | build/engine
	$(CLANG) $(UFLAGS) -O1 $(FUZZ) -o $@ $(filter %.c,$^)

# The server-name matcher (tls_names.c) against the plain reference of
# tests/names_ref.h, and its list parser, under libFuzzer (part of fuzz).
.PHONY: fuzz-names
fuzz: fuzz-names

## fuzz-names: libFuzzer, name automaton vs reference, FUZZ_TIME seconds
fuzz-names: build/engine/fuzz_names
	mkdir -p build/engine/fuzz-names-corpus build/engine/fuzz-artifacts
	@echo "== fuzz names for $(FUZZ_TIME) s, log in build/engine/fuzz-names.log"
	@build/engine/fuzz_names -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		-dict=tests/fuzz/names.dict \
		-print_final_stats=1 -artifact_prefix=build/engine/fuzz-artifacts/names- \
		build/engine/fuzz-names-corpus tests/fuzz/corpus-names \
		> build/engine/fuzz-names.log 2>&1; rc=$$?; \
		grep -E 'INITED|DONE|ERROR|SUMMARY|stat::' build/engine/fuzz-names.log; \
		awk '/stat::number_of_executed_units/ { print "fuzz-names: " $$2 " executions" }' \
		build/engine/fuzz-names.log; exit $$rc

build/engine/fuzz_names: tests/fuzz/fuzz_names.c tests/names_ref.h $(ENGINE_DEPS) | build/engine
	$(CLANG) $(UFLAGS) -O1 $(FUZZ) -o $@ $(filter %.c,$^)
