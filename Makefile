# SPDX-License-Identifier: GPL-2.0
#
# make                build/kmod/KVER/nf_conntrack_tls.ko against KDIR (W=1, -Werror)
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
include $(REPO)/mk/sources.mk
MODSRC	:= Kbuild mk/sources.mk $(GLUE_C) $(GLUE_H) $(ENGINE_C) $(ENGINE_H)
WERROR	?= 1

.PHONY: all module deps check check-quick demo clean help

all: module

help:
	@sed -n '3,9p' $(REPO)/Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(REPO)/scripts/deps.sh

# The module is built in build/kmod/KVER (sources linked there) so that
# several kernels can be built side by side: build/kmod/KVER/nf_conntrack_tls.ko.
module:
	@if [ -z "$(KVER)" ] || [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "error: no kernel build tree for '$(KVER)'. Install the headers:" >&2; \
		echo "  apt-get install linux-headers-$(or $(KVER),amd64)   (or run scripts/deps.sh)" >&2; \
		exit 1; fi
	@mkdir -p $(KBUILD)/mk
	@for f in $(MODSRC); do ln -sf $(REPO)/$$f $(KBUILD)/$$f; done
	$(MAKE) -C $(KDIR) M=$(KBUILD) W=1 $(if $(filter 1,$(WERROR)),KCFLAGS=-Werror) modules

# Fragments of mk/ add their own targets (engine tests, tools, matrix, ...).
-include $(filter-out %/sources.mk,$(wildcard $(REPO)/mk/*.mk))

# For scripts: `make -s print-ENGINE_C` prints a variable (mk/sources.mk).
print-%:
	@echo $($*)

check-quick: module unit

check: deps
	@$(REPO)/scripts/check.sh

demo: deps module
	@$(REPO)/scripts/demo.sh

clean:
	rm -rf $(REPO)/build
