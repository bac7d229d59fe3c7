#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# longest_low_run.py < FILE: the length of the longest run of consecutive
# bytes < 0x80 in FILE, the quantity the helper's lowrun rule limits in
# protected records.  tls_benign.sh uses it to prove that its long-ASCII
# certificate would trip the rule if the helper scanned handshake records.
import sys

best = run = 0
for b in sys.stdin.buffer.read():
    run = run + 1 if b < 0x80 else 0
    best = max(best, run)
print(best)
