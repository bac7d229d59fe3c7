// SPDX-License-Identifier: GPL-2.0
#include "unit.h"

int unit_passed, unit_failed;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_engine_tests();
	run_seq_tests();
	run_rules_tests();
	printf("unit: %d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
