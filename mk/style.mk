# SPDX-License-Identifier: GPL-2.0
#
# Coding style and static checks of the module and the engine
# (scripts/style.sh):
#
#	make style             checkpatch.pl --strict and sparse; fails on findings
#	make style-checkpatch  checkpatch only
#	make style-sparse      sparse only (make C=2 against KVER's headers)
#
# STYLE_STRICT=1 makes checkpatch CHECKs and -Wsparse-all findings fatal too.

.PHONY: style style-checkpatch style-sparse

style:
	@KVER=$(KVER) KDIR=$(KDIR) $(REPO)/scripts/style.sh all

style-checkpatch:
	@$(REPO)/scripts/style.sh checkpatch

style-sparse:
	@KVER=$(KVER) KDIR=$(KDIR) $(REPO)/scripts/style.sh sparse
