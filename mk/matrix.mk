# SPDX-License-Identifier: GPL-2.0
#
# Kernel matrix (scripts/matrix.sh):
#
#	make matrix-list     the kernel release of each lane
#	make matrix          build against every lane's headers (W=1, -Werror)
#	make check-matrix    build, then the VM selftests on each lane's stock kernel
#
# Lanes: MATRIX_LANES="bookworm bookworm-backports:6.12 sid:7." (the default;
# SUITE[:PREFIX], see scripts/matrix.sh).  MATRIX_TESTS limits the selftests.
# The last line reads "N passed, N failed, N skipped"; logs in build/matrix/.

.PHONY: matrix matrix-list check-matrix

MATRIX_ENV = $(if $(MATRIX_LANES),MATRIX_LANES="$(MATRIX_LANES)") \
	     $(if $(MATRIX_TESTS),MATRIX_TESTS="$(MATRIX_TESTS)") \
	     WERROR=$(WERROR)

matrix-list:
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh list

matrix: deps
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh build

check-matrix: deps tools
	@$(MATRIX_ENV) $(REPO)/scripts/matrix.sh check

# The debug lane (scripts/debug-kernel.sh): Linux 6.1 from linux-source-6.1
# with KASAN, UBSAN, lockdep, DEBUG_ATOMIC_SLEEP and kmemleak (config
# fragment tests/debug/config), cached in build/debug-kernel.
#
#	make debug-kernel    build it (cached)
#	make check-debug     module against it + VM selftests with panic_on_warn=1
#	                     and a kmemleak scan at the end; any report fails
#
# check-matrix and check-debug build build/tools/tls-replay first: tls_offline.sh
# runs it in the guest from the mounted repository and skips without it.

.PHONY: debug-kernel check-debug

debug-kernel:
	@$(REPO)/scripts/debug-kernel.sh build

check-debug: deps tools
	@$(if $(MATRIX_TESTS),MATRIX_TESTS="$(MATRIX_TESTS)") $(REPO)/scripts/debug-kernel.sh check
