# SPDX-License-Identifier: GPL-2.0
#
# Installing the module on a host (never done by the tests: they boot VMs).
# VERSION is the module's own (NF_CT_TLS_VERSION in version.h),
# also read by dkms.conf.

.PHONY: install uninstall dkms-install dkms-build dkms-remove dkms-src check-install check-dkms

NF_CT_TLS_PKG      := nf_conntrack_tls
NF_CT_TLS_VERSION  := $(shell sed -n 's/^\#define NF_CT_TLS_VERSION "\(.*\)"$$/\1/p' \
			$(REPO)/version.h)
INSTALL_MOD_DIR    ?= updates
DKMS_KVER          ?= $(KVER)
DKMS_SRC           := /usr/src/$(NF_CT_TLS_PKG)-$(NF_CT_TLS_VERSION)
DKMS_FILES         := Makefile dkms.conf $(MODSRC)
DKMS_KO             = /var/lib/dkms/$(NF_CT_TLS_PKG)/$(NF_CT_TLS_VERSION)/$(DKMS_KVER)/$(shell uname -m)/module/$(NF_CT_TLS_PKG).ko
DEPMOD             ?= /sbin/depmod
MOD_PATH            = $(if $(INSTALL_MOD_PATH),$(abspath $(INSTALL_MOD_PATH)))

# Debian's kernel configs sign modules at install (CONFIG_MODULE_SIG_ALL) with
# a key only Debian's build had: without that key, do not try (DKMS and
# mokutil sign for Secure Boot hosts).
NF_CT_TLS_NOSIGN = $(if $(wildcard $(KDIR)/certs/signing_key.pem \
		   $(KDIR)/output/signing_key.pem),,CONFIG_MODULE_SIG_ALL=)

## install: modules_install (INSTALL_MOD_PATH, _DIR), then depmod
# Into $(INSTALL_MOD_PATH)/lib/modules/KVER/$(INSTALL_MOD_DIR) (default
# updates/), then depmod (-b INSTALL_MOD_PATH).
install: module
	$(MAKE) -C $(KDIR) M=$(KBUILD) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) $(NF_CT_TLS_NOSIGN) \
		$(if $(MOD_PATH),INSTALL_MOD_PATH=$(MOD_PATH)) modules_install
	$(DEPMOD) $(if $(MOD_PATH),-b $(MOD_PATH)) $(KVER)

## uninstall: remove it again, depmod
uninstall:
	rm -f $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/$(NF_CT_TLS_PKG).ko*
	$(DEPMOD) $(if $(MOD_PATH),-b $(MOD_PATH)) $(KVER)

## dkms-src: copy the sources to /usr/src/nf_conntrack_tls-VERSION
dkms-src:
	@test -n "$(NF_CT_TLS_VERSION)" || { echo "no NF_CT_TLS_VERSION" >&2; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms is missing: apt-get install dkms" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cd $(REPO) && cp --parents $(DKMS_FILES) $(DKMS_SRC)/
	@dkms status -m $(NF_CT_TLS_PKG) -v $(NF_CT_TLS_VERSION) | grep -q . || \
		dkms add -m $(NF_CT_TLS_PKG) -v $(NF_CT_TLS_VERSION)

## dkms-build: dkms add + build for DKMS_KVER (default KVER)
# DKMS_KDIR: headers outside /lib/modules.
dkms-build: dkms-src
	dkms build --force -m $(NF_CT_TLS_PKG) -v $(NF_CT_TLS_VERSION) -k $(DKMS_KVER) \
		$(if $(DKMS_KDIR),--kernelsourcedir $(abspath $(DKMS_KDIR)))

## dkms-install: dkms add + build + install for DKMS_KVER
dkms-install: dkms-src
	dkms install --force -m $(NF_CT_TLS_PKG) -v $(NF_CT_TLS_VERSION) -k $(DKMS_KVER)

## dkms-remove: dkms remove --all and delete the /usr/src copy
dkms-remove:
	-dkms remove -m $(NF_CT_TLS_PKG) -v $(NF_CT_TLS_VERSION) --all
	rm -rf $(DKMS_SRC)

## check-dkms: dkms-build, check the module's vermagic, dkms-remove
# Any kernel with headers, running or not.  Changes the host's /usr/src and
# /var/lib/dkms while it runs.
check-dkms:
	@mkdir -p $(REPO)/build; rc=0; \
	$(MAKE) --no-print-directory dkms-build >$(REPO)/build/dkms.log 2>&1 || rc=$$?; \
	ko=$$(ls $(DKMS_KO)* 2>/dev/null | head -1); \
	vm=$$(modinfo -F vermagic $$ko 2>/dev/null | cut -d' ' -f1); \
	if [ $$rc = 0 ] && [ "$$vm" = "$(DKMS_KVER)" ]; then \
		echo "PASS: dkms: built for $(DKMS_KVER) (running: $$(uname -r)), vermagic $$vm"; \
	else \
		cat $(REPO)/build/dkms.log; \
		echo "FAIL: dkms: build for $(DKMS_KVER) (exit $$rc, vermagic '$$vm')"; rc=1; \
	fi; \
	$(MAKE) --no-print-directory dkms-remove >/dev/null 2>&1; exit $$rc

## check-install: install into the VM's tree, run examples/check.sh there
# examples/check.sh: modprobe from updates/ with the modprobe.d example, the
# nftables and iptables examples, autoload by alias.  The VM's module tree (build/vm/KVER/root, from scripts/vm/vm-kernel.sh) stands
# in for a host's /; it is always uninstalled again, so that other VM tests
# never modprobe an installed copy instead of the module they insmod.
check-install: module
	@$(REPO)/scripts/vm/vm-kernel.sh $(KVER)
	@$(MAKE) --no-print-directory install INSTALL_MOD_PATH=$(REPO)/build/vm/$(KVER)/root \
		>$(REPO)/build/install-test.log 2>&1 || { cat $(REPO)/build/install-test.log; exit 1; }
	@rc=0; $(REPO)/scripts/vm/vm-run.sh -n -k $(KVER) -- examples/check.sh || rc=$$?; \
		$(MAKE) --no-print-directory uninstall \
		INSTALL_MOD_PATH=$(REPO)/build/vm/$(KVER)/root >/dev/null 2>&1; exit $$rc
