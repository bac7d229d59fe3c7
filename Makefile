# SPDX-License-Identifier: GPL-2.0
#
# nf_conntrack_tls.  `make help` lists the targets: the "## target: text"
# lines of this file and of mk/*.mk (fragments only this file includes).
# Every output goes to build/.

REPO	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KVER	?= $(shell $(REPO)/scripts/kver.sh 2>/dev/null)
KDIR	?= $(firstword $(wildcard /lib/modules/$(KVER)/build /usr/src/linux-headers-$(KVER)))
KBUILD	:= $(REPO)/build/kmod/$(KVER)
WERROR	?= 1
include $(REPO)/mk/sources.mk
MODSRC	:= Kbuild mk/sources.mk $(GLUE_C) $(GLUE_H) $(ENGINE_C) $(ENGINE_H)

# Userspace programs (engine tests, fuzzers, benchmarks, tls-replay): one
# compiler, one set of flags, one of sanitizers.  Paths relative to REPO.
CC	:= $(if $(filter default,$(origin CC)),gcc,$(CC))
CLANG	?= clang
UFLAGS	?= -std=gnu11 -g -Wall -Wextra -Werror
SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ	:= -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TIME ?= 60
ENGINE_DEPS := $(ENGINE_C) $(ENGINE_H)

.PHONY: all module deps check check-quick demo clean help
all: module

## module: build/kmod/KVER/nf_conntrack_tls.ko (W=1, -Werror; `make`)
# KVER defaults to scripts/kver.sh, KDIR to its headers; WERROR=0 keeps
# warnings warnings.  Sources are linked into build/kmod/KVER so that
# several kernels build side by side.
module:
	@if [ -z "$(KVER)" ] || [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree for '$(KVER)'. Install the headers:" >&2; \
		echo "  apt-get install linux-headers-$(or $(KVER),amd64)   (or run scripts/deps.sh)" >&2; \
		exit 1; fi
	@mkdir -p $(KBUILD)/mk
	@for f in $(MODSRC); do ln -sf $(REPO)/$$f $(KBUILD)/$$f; done
	$(MAKE) -C $(KDIR) M=$(KBUILD) W=1 $(if $(filter 1,$(WERROR)),KCFLAGS=-Werror) modules

## demo: the main job: a TLS session through the helper in a VM
demo: deps module
	@$(REPO)/scripts/demo.sh

## check: every test, VM and KUnit too; ends "N passed, N failed..."
check: deps
	@$(REPO)/scripts/check.sh

## check-quick: the module and the unit tests (no VM), for the edit loop
check-quick: module unit

## deps: install what builds and tests need (scripts/deps.sh)
deps:
	@$(REPO)/scripts/deps.sh

## clean: remove build/
clean:
	rm -rf $(REPO)/build

## help: this list
help:
	@sed -n 's/^## \([^:]*\): /\1\t/p' $(MAKEFILE_LIST) | awk -F'\t' '{ printf "  %-19s %s\n", $$1, $$2 }'

# For scripts: `make -s print-ENGINE_C` prints a variable (mk/sources.mk).
print-%:
	@echo $($*)

build/engine build/tools build/bench:
	mkdir -p $@

# The fragments (absent from the DKMS copy, which only builds the module).
include $(wildcard $(addprefix $(REPO)/mk/,engine.mk tools.mk bench.mk install.mk \
	matrix.mk style.mk))
