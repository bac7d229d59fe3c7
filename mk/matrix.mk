# SPDX-License-Identifier: GPL-2.0
#
# Kernel matrix (scripts/matrix.sh) and debug lane (scripts/debug-kernel.sh).
# Lanes: MATRIX_LANES="bookworm bookworm-backports:6.12 sid:7." (the default;
# SUITE[:PREFIX], see scripts/matrix.sh).  MATRIX_TESTS limits the selftests.
# Last line "N passed, N failed, N skipped"; logs in build/matrix/.
# check-matrix and check-debug build build/tools/tls-replay first:
# tls_offline.sh runs it in the guest from the mounted repository.

.PHONY: matrix matrix-list check-matrix debug-kernel check-debug

MATRIX_ENV = $(if $(MATRIX_LANES),MATRIX_LANES="$(MATRIX_LANES)") \
	     $(if $(MATRIX_TESTS),MATRIX_TESTS="$(MATRIX_TESTS)") \
	     WERROR=$(WERROR)

## matrix-list: the kernel release of each lane
matrix-list:
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh list

## matrix: build against every lane's headers (W=1, -Werror)
matrix: deps
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh build

## check-matrix: build, then the VM selftests on each lane's stock kernel
check-matrix: deps tools
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh check

## debug-kernel: build the debug lane's kernel (cached)
# Linux 6.1 from linux-source-6.1 with KASAN, UBSAN, lockdep,
# DEBUG_ATOMIC_SLEEP and kmemleak (tests/debug/config) in build/debug-kernel.
debug-kernel:
	@$(REPO)/scripts/debug-kernel.sh build

## check-debug: module + VM selftests on it, panic_on_warn, kmemleak
check-debug: deps tools
	@$(if $(MATRIX_TESTS),MATRIX_TESTS="$(MATRIX_TESTS)") $(REPO)/scripts/debug-kernel.sh check
