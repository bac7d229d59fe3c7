# SPDX-License-Identifier: GPL-2.0
#
# Coding style and static checks of the module and the engine
# (scripts/style.sh).  STYLE_STRICT=1 makes checkpatch CHECKs and
# -Wsparse-all findings fatal too.

.PHONY: style style-checkpatch style-sparse

## style: checkpatch.pl --strict and sparse; fails on findings
style:
	@KVER=$(KVER) KDIR=$(KDIR) $(REPO)/scripts/style.sh all

## style-checkpatch: checkpatch only
style-checkpatch:
	@$(REPO)/scripts/style.sh checkpatch

## style-sparse: sparse only (make C=2 against KVER's headers)
style-sparse:
	@KVER=$(KVER) KDIR=$(KDIR) $(REPO)/scripts/style.sh sparse
