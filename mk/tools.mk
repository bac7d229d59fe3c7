# SPDX-License-Identifier: GPL-2.0
#
# The offline replay tool and its tests, in build/tools/.

REPLAY_DEPS := tools/replay_decode.c tools/replay_flow.c tools/replay_out.c \
	       tools/replay.h $(ENGINE_DEPS)
PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(or $(shell pkg-config --libs libpcap 2>/dev/null),-lpcap)
ROBUST_MUTANTS ?= 6

.PHONY: tools tools-asan check-corpus check-tools-robust tools-fuzz tools-clean

## tools: build/tools/tls-replay (gcc -O2; needs libpcap-dev)
tools: build/tools/tls-replay
## tools-asan: build/tools/tls-replay-asan (ASan + UBSan)
tools-asan: build/tools/tls-replay-asan

build/tools/tls-replay build/tools/tls-replay-asan: tools/tls-replay.c $(REPLAY_DEPS) | build/tools
	$(CC) $(UFLAGS) $(if $(filter %-asan,$@),-O1 $(SAN),-O2) $(PCAP_CFLAGS) -o $@ \
		$(filter %.c,$^) $(PCAP_LIBS)

## check-corpus: tls-replay over TLS_CORPUS and tests/data vs expectations
# TLS_CORPUS defaults to ../shared/corpus (tests/corpus/run.sh).
check-corpus: tools
	@tests/corpus/run.sh

## check-tools-robust: tls-replay-asan over the corpus and mutated copies
# ROBUST_MUTANTS (default 6) mutants per capture (tests/corpus/robust.sh).
check-tools-robust: tools-asan
	@ROBUST_MUTANTS=$(ROBUST_MUTANTS) tests/corpus/robust.sh $(REPO)/build/tools/tls-replay-asan

## tools-fuzz: libFuzzer on the replay front end for FUZZ_TIME seconds
# Seeds: the pcap fixtures of tests/data, converted (tools/fuzz_seeds.py).
tools-fuzz: build/tools/fuzz_replay
	@mkdir -p build/tools/fuzz-corpus build/tools/fuzz-artifacts
	@python3 tools/fuzz_seeds.py build/tools/fuzz-seeds $(wildcard tests/data/*.pcap)
	build/tools/fuzz_replay -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		-print_final_stats=1 -artifact_prefix=build/tools/fuzz-artifacts/ \
		build/tools/fuzz-corpus build/tools/fuzz-seeds

build/tools/fuzz_replay: tools/fuzz_replay.c $(REPLAY_DEPS) | build/tools
	$(CLANG) $(UFLAGS) -O1 $(FUZZ) -o $@ $(filter %.c,$^)

## tools-clean: remove build/tools
tools-clean:
	rm -rf build/tools
