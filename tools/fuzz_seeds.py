#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Seed inputs for tools/fuzz_replay.c from the pcap fixtures of tests/data.

Usage: tools/fuzz_seeds.py OUTDIR PCAP...   (pcap files only, not pcapng)
"""
import os
import struct
import sys

DLTS = [0, 1, 12, 108, 113, 228, 229, 276]
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for path in sys.argv[2:]:
    data = open(path, 'rb').read()
    if data[:4] == b'\xd4\xc3\xb2\xa1':
        e = '<'
    elif data[:4] == b'\xa1\xb2\xc3\xd4':
        e = '>'
    else:
        continue
    lt = struct.unpack(e + 'I', data[20:24])[0]
    if lt == 101:
        lt = 12
    if lt not in DLTS:
        continue
    # byte 0: link type, and the default reorder window (tools/fuzz_replay.c)
    seed = bytearray([DLTS.index(lt) | 2 << 3, 0x02])
    off = 24
    while off + 16 <= len(data):
        cap, wire = struct.unpack(e + 'II', data[off + 8:off + 16])
        frame = data[off + 16:off + 16 + cap]
        if len(frame) < cap or cap > 0xffff:
            break
        seed += struct.pack('>HH', cap, min(wire - cap, 0xffff)) + frame
        off += 16 + cap
    name = os.path.basename(path).rsplit('.', 1)[0]
    open(os.path.join(out, name), 'wb').write(bytes(seed))
