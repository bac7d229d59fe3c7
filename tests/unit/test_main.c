// SPDX-License-Identifier: GPL-2.0
#include "unit.h"

int unit_passed, unit_failed;

void run_handshake_tests(void);	/* test_handshake.c */
void run_names_tests(void);	/* test_names.c */
void run_sni_tests(void);	/* test_sni.c */
void run_fast_tests(void);	/* test_fast.c */

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_engine_tests();
	run_seq_tests();
	run_fast_tests();
	run_rules_tests();
	run_handshake_tests();
	run_names_tests();
	run_sni_tests();
	printf("unit: %d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
