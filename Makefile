# SPDX-License-Identifier: GPL-2.0
#
# make                build nf_conntrack_tls.ko against KDIR (W=1, warnings are errors)
# make demo           the main job: a real TLS session through the helper in a VM
# make check          every test: unit, VM selftests, KUnit; ends "N passed, N failed"
# make check-quick    unit tests and the module build only (no VM), for the edit loop
# make unit|fuzz|bench  engine tests, fuzzing (FUZZ_TIME=seconds), benchmark
#
# KVER selects the kernel (default: scripts/kver.sh); KDIR its build tree.

REPO	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KVER	?= $(shell $(REPO)/scripts/kver.sh 2>/dev/null)
KDIR	?= $(firstword $(wildcard /lib/modules/$(KVER)/build /usr/src/linux-headers-$(KVER)))
KBUILD	:= $(REPO)/build/kmod/$(KVER)
MODSRC	:= Kbuild nf_conntrack_tls_main.c nf_conntrack_tls_net.c nf_conntrack_tls_reset.c \
	   nf_conntrack_tls_attach.c nf_conntrack_tls.h \
	   nf_conntrack_tls_compat.h tls_types.h tls_parse.h tls_parse.c tls_engine.h \
	   tls_lowrun.h heartbeat.c tls_seq.h tls_seq.c
WERROR	?= 1

.PHONY: all module deps check check-quick demo clean help

all: module

help:
	@sed -n '3,9p' $(REPO)/Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(REPO)/scripts/deps.sh

# The module is built in build/kmod/KVER (sources linked there) so that
# several kernels can be built side by side; the .ko for the default kernel
# is also copied to the top directory.
module:
	@if [ -z "$(KVER)" ] || [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree for '$(KVER)'. Install the headers:" >&2; \
		echo "  apt-get install linux-headers-$(or $(KVER),amd64)   (or run scripts/deps.sh)" >&2; \
		exit 1; fi
	@mkdir -p $(KBUILD)
	@for f in $(MODSRC); do ln -sf $(REPO)/$$f $(KBUILD)/$$f; done
	$(MAKE) -C $(KDIR) M=$(KBUILD) W=1 $(if $(filter 1,$(WERROR)),KCFLAGS=-Werror) modules
	@cp $(KBUILD)/nf_conntrack_tls.ko $(REPO)/nf_conntrack_tls.ko

# Fragments of mk/ add their own targets (engine tests, tools, matrix, ...).
-include $(wildcard $(REPO)/mk/*.mk)

check-quick: module unit

check: deps
	@$(REPO)/scripts/check.sh

demo: deps module
	@$(REPO)/scripts/demo.sh

clean:
	rm -rf $(REPO)/build $(REPO)/nf_conntrack_tls.ko
