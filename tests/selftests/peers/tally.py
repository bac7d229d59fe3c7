#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn tools/tls-replay --json output (stdin) into the counters of
/proc/net/nf_conntrack_tls, one "name value" line each, so that
tls_offline.sh compares the tool with the kernel name by name.

What each kernel counter is in the tool's terms (nf_ct_tls_help() and
tools/replay_flow.c replay() take the same branch per segment):

  flows        flows opened by the client's SYN (kernel: a SYN from the
               original side while that side's sequence is not yet valid;
               tool: "syn": true)
  bytes        payload bytes inspected and accepted (TLS_SEQ_NEW, TLS_OK)
  records      record headers parsed, including those of the segment
               that breaks a rule
  violation_R  flows killed for reason R (one violating segment each)
  drops        packets dropped on a violation (the kernel counts only
               these: segments dropped beyond a hole or as pickups are
               counted in gaps and pickups, not here)
  gaps         segments beyond a hole (gap=drop: gap_drops)
  pickups      data segments of flows joined mid-stream
  retransmits  data segments carrying only bytes already inspected
  drop_W       packets dropped before inspection by rule W (drop_dead:
               every packet of a killed flow after the kill)
  syn_data_rejected
               SYN data the SYN-ACK refused (forgotten)
  ack_raised   segments of new bytes whose old ACK the kernel raised

Then, with -v, one line per killed flow: "kill REASON SIDE CLIENT SERVER",
the form the kernel logs a violation in ("dropped: REASON from SIDE:
CLIENT -> SERVER"), and a line "summary KEY VALUE" per field of the
tool's summary line.
"""
import json
import sys


def main(argv):
    c = {"flows": 0, "bytes": 0, "records": 0, "drops": 0, "gaps": 0,
         "pickups": 0, "retransmits": 0}
    kills = []
    summary = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        o = json.loads(line)
        if o.get("type") == "summary":
            summary = o
            continue
        if o.get("type") != "flow":
            continue
        if o["syn"]:
            c["flows"] += 1
        c["bytes"] += o["bytes"]
        c["records"] += o["records"]
        c["gaps"] += o["gap_drops"]
        c["pickups"] += o["pickup_drops"]
        c["retransmits"] += o["retrans"]
        # the drops before inspection, by rule, and the SYN/TTL decisions
        for k in o:
            if k.startswith("drop_") or k in ("syn_data_rejected",
                                              "ack_raised"):
                c[k] = c.get(k, 0) + o[k]
        if o["verdict"] != "ok":
            k = "violation_" + o["verdict"]
            c[k] = c.get(k, 0) + 1
            c["drops"] += 1
            kills.append("kill %s %s %s %s" % (o["verdict"], o["dir"],
                                              o["client"], o["server"]))
    for k, v in c.items():
        print("%s %d" % (k, v))
    if "-v" in argv:
        for k in sorted(kills):
            print(k)
        for k, v in summary.items():
            if k != "type":
                print("summary %s %s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
