# SPDX-License-Identifier: GPL-2.0
#
# The offline replay tool and its tests.  Included by the top Makefile; also
# works standalone from the repository root (make -f mk/tools.mk TARGET).
#
#	make tools            tools/tls-replay (gcc -O2, warnings are errors)
#	make tools-asan       build/tools/tls-replay-asan (ASan + UBSan)
#	make check-corpus     tests/corpus/run.sh: the public captures of
#	                      $(TLS_CORPUS) (default ../shared/corpus) and the
#	                      fixtures of tests/data against the expectations
#	make check-tools-robust  the ASan build over every corpus capture and
#	                      mutated copies (ROBUST_MUTANTS per capture)
#	make tools-fuzz       libFuzzer target for the front end (FUZZ_TIME)
#	make tools-clean

TOOLS_REPO := $(patsubst %/mk/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
TOOLS_OUT = $(TOOLS_REPO)/build/tools
TOOLS_SRCS = $(addprefix $(TOOLS_REPO)/tools/,tls-replay.c replay_decode.c \
	     replay_flow.c replay_out.c)
TOOLS_HDRS = $(TOOLS_REPO)/tools/replay.h
TOOLS_ENGINE = $(addprefix $(TOOLS_REPO)/,tls_parse.c heartbeat.c tls_seq.c)
TOOLS_ENGINE_HDRS = $(addprefix $(TOOLS_REPO)/,tls_types.h tls_parse.h \
		    tls_seq.h tls_engine.h tls_lowrun.h)
TOOLS_CC ?= gcc
TOOLS_CLANG ?= clang
TOOLS_CFLAGS ?= -std=gnu11 -g
TOOLS_WARN = -Wall -Wextra -Werror
PCAP_CFLAGS := $(shell pkg-config --cflags libpcap 2>/dev/null)
PCAP_LIBS := $(or $(shell pkg-config --libs libpcap 2>/dev/null),-lpcap)
TOOLS_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
ROBUST_MUTANTS ?= 6
FUZZ_TIME ?= 60

_tools_goal := $(.DEFAULT_GOAL)

.PHONY: tools tools-asan check-corpus check-tools-robust tools-fuzz tools-clean

tools: $(TOOLS_REPO)/tools/tls-replay

$(TOOLS_REPO)/tools/tls-replay: $(TOOLS_SRCS) $(TOOLS_HDRS) $(TOOLS_ENGINE) \
		$(TOOLS_ENGINE_HDRS)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -O2 $(TOOLS_WARN) $(PCAP_CFLAGS) -o $@ \
		$(TOOLS_SRCS) $(TOOLS_ENGINE) $(PCAP_LIBS)

tools-asan: $(TOOLS_OUT)/tls-replay-asan

$(TOOLS_OUT)/tls-replay-asan: $(TOOLS_SRCS) $(TOOLS_HDRS) $(TOOLS_ENGINE) \
		$(TOOLS_ENGINE_HDRS)
	@mkdir -p $(TOOLS_OUT)
	$(TOOLS_CC) $(TOOLS_CFLAGS) -O1 $(TOOLS_SAN) $(TOOLS_WARN) \
		$(PCAP_CFLAGS) -o $@ $(TOOLS_SRCS) $(TOOLS_ENGINE) $(PCAP_LIBS)

check-corpus: tools
	@$(TOOLS_REPO)/tests/corpus/run.sh

check-tools-robust: tools-asan
	@ROBUST_MUTANTS=$(ROBUST_MUTANTS) \
		$(TOOLS_REPO)/tests/corpus/robust.sh $(TOOLS_OUT)/tls-replay-asan

$(TOOLS_OUT)/fuzz_replay: $(TOOLS_REPO)/tools/fuzz_replay.c \
		$(filter-out %/tls-replay.c,$(TOOLS_SRCS)) $(TOOLS_HDRS) \
		$(TOOLS_ENGINE) $(TOOLS_ENGINE_HDRS)
	@mkdir -p $(TOOLS_OUT)
	$(TOOLS_CLANG) -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $(TOOLS_WARN) -o $@ \
		$(TOOLS_REPO)/tools/fuzz_replay.c \
		$(filter-out %/tls-replay.c,$(TOOLS_SRCS)) $(TOOLS_ENGINE)

# Seeds: the pcap fixtures of tests/data, converted (tools/fuzz_seeds.py).
tools-fuzz: $(TOOLS_OUT)/fuzz_replay
	@mkdir -p $(TOOLS_OUT)/fuzz-corpus $(TOOLS_OUT)/fuzz-artifacts
	@python3 $(TOOLS_REPO)/tools/fuzz_seeds.py $(TOOLS_OUT)/fuzz-seeds \
		$(wildcard $(TOOLS_REPO)/tests/data/*.pcap)
	$(TOOLS_OUT)/fuzz_replay -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		-print_final_stats=1 -artifact_prefix=$(TOOLS_OUT)/fuzz-artifacts/ \
		$(TOOLS_OUT)/fuzz-corpus $(TOOLS_OUT)/fuzz-seeds

tools-clean:
	rm -rf $(TOOLS_OUT) $(TOOLS_REPO)/tools/tls-replay

ifeq ($(firstword $(MAKEFILE_LIST)),mk/tools.mk)
.DEFAULT_GOAL := tools
else
.DEFAULT_GOAL := $(_tools_goal)
endif
