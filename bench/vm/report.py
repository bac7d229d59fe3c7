#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One table from the raw outputs of the benchmarks (host side).

  report.py [--vm RAW] [--seq SEQ_OUT] [--engine ENGINE_OUT]
            [--callgrind CG_OUT] [--perf-dir DIR] [--header TEXT]

RAW is bench/vm/run.sh's "R key=value" file, SEQ_OUT the output of
build/bench/seq_bench, ENGINE_OUT that of build/engine/bench, CG_OUT the
"#cg ..." lines of bench/vm/bench.sh.  Prints the table on stdout.
"""
import argparse
import os
import re
import statistics
import sys

TARGET_RATIO = 0.95      # helper/none, bulk throughput and connection rate
TARGET_ENGINE = 0.80     # engine vs plain read


def parse_kv(line):
    out = {}
    for m in re.finditer(r'(\w[\w.-]*)=("[^"]*"|\S*)', line):
        out[m.group(1)] = m.group(2).strip('"')
    return out


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def fmt(v, digits=None):
    if v is None:
        return "NA"
    if digits is None:
        digits = 0 if abs(v) >= 1000 else 1 if abs(v) >= 100 else 2 if abs(v) >= 1 else 3
    return f"{v:.{digits}f}"


def spread(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None, None, None
    return statistics.median(vals), min(vals), max(vals)


def pairs(rows, test):
    """{rep: {mode: row}} of one test."""
    out = {}
    for r in rows:
        if r.get("test") == test and "rep" in r:
            out.setdefault(r["rep"], {})[r.get("mode")] = r
    return out


VM_TESTS = [
    # test, label, field, unit, target
    ("stream-65536", "bulk: 1 flow, 64 KiB send()s", "value", "MB/s", TARGET_RATIO),
    ("stream-16384", "  16 KiB send()s", "value", "MB/s", None),
    ("stream-1448", "  1448-byte send()s", "value", "MB/s", None),
    ("stream-256", "  256-byte send()s", "value", "MB/s", None),
    ("tls", "TLS 1.3 bulk: s_server -> curl", "value", "MB/s", TARGET_RATIO),
    ("gro-off", "bulk, TSO off, GRO off", "value", "MB/s", None),
    ("gro-on", "bulk, TSO off, GRO on", "value", "MB/s", None),
    ("small", "small: 32 flows, 100-B records", "recs_per_s", "rec/s", None),
    ("conn", "new TCP connections (connect+close)", "value", "conn/s", TARGET_RATIO),
    ("tlsconn", "new TLS 1.3 handshakes, named", "value", "conn/s", TARGET_RATIO),
]


def rps_passes(rows):
    """The RPS passes of a run, main pass first ("1,0" -> ["1", "0"])."""
    info = next((r for r in rows if r.get("test") == "info"), {})
    passes = [p for p in info.get("rps", "").split(",") if p]
    seen = {r.get("rps") for r in rows if r.get("rps") is not None and "mode" in r
            and not r.get("test", "").startswith(("perf-", "mem-"))}
    for p in sorted(seen, reverse=True):
        if p not in passes:
            passes.append(p)
    return passes or [None]


def vm_table(rows, lines, plot, rps, main):
    """One table of helper/none pairs; rows of one RPS pass (None: all)."""
    sel = [r for r in rows if rps is None or r.get("rps", rps) == rps]
    findings = []
    if not any(pairs(sel, t[0]) for t in VM_TESTS):
        return findings
    what = {"1": "RPS on the router's ingress veths (one CPU per flow, like a NIC's RSS)",
            "0": "no RPS (veth default: a flow's segments are forwarded on two CPUs and get reordered)"}
    if rps is not None and not main:
        lines.append("")
    if rps is not None:
        lines.append(f"   {'main figures' if main else 'second pass'}: {what.get(rps, 'RPS ' + rps)}")
    hdr = f"   {'test':<38} {'unit':<7} {'none':>9} {'helper':>9} {'ratio':>6} {'[min..max]':>13} {'target':>7}  notes"
    lines.append(hdr)
    lines.append("   " + "-" * (len(hdr) - 3))
    for test, label, field, unit, target in VM_TESTS:
        p = pairs(sel, test)
        if not p:
            continue
        none_v, help_v, ratios, notes = [], [], [], []
        for rep, d in sorted(p.items()):
            a = num(d.get("none", {}).get(field))
            b = num(d.get("helper", {}).get(field))
            none_v.append(a)
            help_v.append(b)
            if a and b is not None:
                ratios.append(b / a)
        n_med = spread(none_v)[0]
        h_med = spread(help_v)[0]
        r_med, r_min, r_max = spread(ratios)
        hrows = [d["helper"] for d in p.values() if "helper" in d]
        nrows = [d["none"] for d in p.values() if "none" in d]
        avg = spread([num(r.get("fwd_avg")) for r in hrows + nrows])[0]
        wire = spread([num(r.get("wire_avg")) for r in hrows + nrows])[0]
        if avg:
            notes.append(f"skb at router {fmt(avg, 0)} B (wire {fmt(wire, 0)} B)")
        drops = sum(int(r.get("drops", 0) or 0) for r in hrows if r.get("drops", "0").lstrip("-").isdigit())
        insp = [num(r.get("inspected")) / num(r.get("bytes")) for r in hrows
                if num(r.get("inspected")) and num(r.get("bytes"))]
        if insp:
            notes.append(f"helper inspected {fmt(min(insp) * 100, 0)}% of bytes")
        if hrows and "drops" in hrows[0]:
            notes.append(f"drops {drops}")
        gaps = sum(int(r.get("gaps", 0) or 0) for r in hrows if str(r.get("gaps", "0")).isdigit())
        if hrows and "gaps" in hrows[0]:
            notes.append(f"gap drops {gaps}")

        def tmo(rs):
            return sum(int(r.get("tcp_timeouts", 0) or 0) for r in rs
                       if str(r.get("tcp_timeouts", "0")).isdigit())
        if hrows and "tcp_timeouts" in hrows[0]:
            notes.append(f"TCP timeouts helper {tmo(hrows)} / none {tmo(nrows)}")
        if test == "stream-65536" or test.startswith("gro"):
            ls = spread([num(r.get("largest_skb")) for r in hrows])[2]
            if ls:
                notes.append(f"largest skb {fmt(ls, 0)}")
        verdict = ""
        if main and target is not None and r_med is not None:
            verdict = f"{'ok' if r_med >= target else 'MISS'} {target}"
            if r_med < target:
                findings.append(f"{label.strip()}: ratio {fmt(r_med, 3)} < {target}")
        lines.append(f"   {label:<38} {unit:<7} {fmt(n_med):>9} {fmt(h_med):>9} {fmt(r_med, 3):>6} "
                     f"{('[' + fmt(r_min, 2) + '..' + fmt(r_max, 2) + ']') if r_min is not None else '':>13} "
                     f"{verdict:>7}  {'; '.join(notes)}")
        if main and test.startswith("stream-") and r_med is not None:
            plot.append((int(test.split("-")[1]), r_med, r_min, r_max))
    gap_rows = [r for r in sel if r.get("mode") == "helper" and str(r.get("gaps", "0")).isdigit()
                and int(r.get("gaps", "0")) > 0 and not r.get("test", "").startswith("perf-")]
    if gap_rows:
        tot = sum(int(r["gaps"]) for r in gap_rows)
        tests = sorted({r["test"] for r in gap_rows})
        lines.append(f"   NOTE: the helper dropped {tot} out-of-order segments (gap=0 policy) in: {', '.join(tests)};")
        lines.append("         each such drop stalls the flow until the sender retransmits (RTO), see the gaps counter")
        if main:
            findings.append(f"helper gap drops in helper runs: {tot} ({', '.join(tests)})")
    return findings


def vm_section(rows, lines, plot):
    info = next((r for r in rows if r.get("test") == "info"), {})
    done = next((r for r in rows if r.get("test") == "done"), {})
    lines.append(f"A. VM end to end: guest {info.get('kernel', '?')}, {info.get('nproc', '?')} vCPUs, "
                 f"QEMU TCG; {info.get('reps', '?')} ABBA pairs of {info.get('time', '?')} s runs "
                 f"({info.get('reps2', '?')} for the secondary rows); guest time {done.get('elapsed', '?')} s")
    lines.append("   ratio = helper/none of each pair (same minute); median [min..max] over the pairs;")
    lines.append("   'none' = -j CT (conntrack + template, no helper), "
                 f"'helper' = -j CT --helper {info.get('helper', 'tls')};")
    lines.append("   gap drops = the helper's gaps counter (segments beyond a hole, dropped under gap=0);")
    lines.append("   TCP timeouts = the client's TCPTimeouts (RTOs) during the runs of each mode")
    findings = []
    for i, rps in enumerate(rps_passes(rows)):
        findings += vm_table(rows, lines, plot, rps, i == 0)
    findings += peer_section(rows, lines)
    ip = {r.get("mode"): r for r in rows if r.get("test") == "iperf3"}
    if ip:
        n = ip.get("none", {}).get("value", "NA")
        h = ip.get("helper", {})
        lines.append(f"   {'iperf3 -p 443 (not TLS: sanity row)':<38} {'MB/s':<7} {n:>9} {h.get('value', 'NA'):>9} "
                     f"{'-':>6} {'':>13} {'':>7}  helper: drops {h.get('drops')}, "
                     f"record_type {h.get('violation_record_type')}, pickups {h.get('pickups')} "
                     "(iperf3's cookie is not a TLS record: the helper kills the flow by design)")
    return findings


PEER_MODES = ("helper", "suricata", "both")


def peer_section(rows, lines):
    """Issue 18: each mode of BENCH_MODES against none, same repetition."""
    modes = [m for m in PEER_MODES
             if any(r.get("mode") == m for r in rows
                    if "rep" in r or r.get("test") == "heartbleed")]
    if not [m for m in modes if m != "helper"]:
        return []
    lines.append("")
    lines.append("   Peer modes: suricata = Suricata inline on NFQUEUE 0 (heartbeat exploit rules drop),")
    lines.append("   both = helper and Suricata; each ratio = mode/none of one repetition, median [min..max]")
    hdr = f"   {'test':<38} {'unit':<7} {'none':>9}" + "".join(f" {m + ' ratio':>22}" for m in modes)
    lines.append(hdr)
    lines.append("   " + "-" * (len(hdr) - 3))
    for test, label, field, unit, _ in VM_TESTS:
        p = pairs(rows, test)
        if not p:
            continue
        none_v = [num(d.get("none", {}).get(field)) for d in p.values()]
        cells = []
        for m in modes:
            rat = [num(d[m].get(field)) / num(d["none"].get(field)) for d in p.values()
                   if m in d and "none" in d and num(d["none"].get(field))
                   and num(d[m].get(field)) is not None]
            med, lo, hi = spread(rat)
            cells.append(f"{fmt(med, 3)} [{fmt(lo, 2)}..{fmt(hi, 2)}]" if med is not None else "NA")
        lines.append(f"   {label:<38} {unit:<7} {fmt(spread(none_v)[0]):>9}" +
                     "".join(f" {c:>22}" for c in cells))
    hb = [r for r in rows if r.get("test") == "heartbleed"]
    for r in hb:
        lines.append(f"   heartbleed, mode {r.get('mode'):<9}: request reached the server: "
                     f"{r.get('reached_server')}; helper drops {r.get('helper_drops')}, "
                     f"suricata alerts (drop rules) {r.get('suricata_alerts')}")
    for r in rows:
        if r.get("test") == "suricata":
            lines.append(f"   suricata, whole run: {r.get('alerts')} alerts (each a drop), by sid "
                         f"{r.get('by_sid') or '-'}; drop events by reason {r.get('drops_by_reason') or '-'}")
            lines.append(f"     of them on the Heartbleed flows: {r.get('hb_drops_by_reason') or '-'}; "
                         f"NFQUEUE verdicts: {r.get('verdicts', '')}")
    return []


def mem_section(rows, lines):
    mem = [r for r in rows if r.get("test", "").startswith("mem-")]
    if not mem:
        return []
    findings = []
    lines.append("")
    lines.append("B. Memory of tracked flows (guest slabs; flows created by raw SYNs through the router:")
    lines.append("   syn = SYN_SENT, the server drops the SYNs; synack = SYN_RECV, past the server's SYN-ACK)")
    hdr = (f"   {'events':<7} {'kind':<7} {'mode':<7} {'flows':>7} {'helper saw':>10} {'nf_conn B/flow':>14} "
           f"{'kmalloc-128 B/flow':>18} {'tls obj B/flow':>14} {'all slabs B/flow':>16} {'pages B/flow':>12}")
    lines.append(hdr)
    lines.append("   " + "-" * (len(hdr) - 3))
    per = {}
    known = ("cache_nf_conntrack", "cache_kmalloc-128", "cache_nf_ct_tls_obj")
    for r in mem:
        flows = num(r.get("flows")) or 0
        if flows <= 0:
            continue
        ev = r["test"][len("mem-ev"):]
        kind = r.get("kind", "syn")

        def cache(name):
            v = r.get("cache_" + name)
            if not v:
                return 0.0
            objs, size = v.split(":")
            return float(objs) * float(size) / flows
        ct = cache("nf_conntrack")
        k128 = cache("kmalloc-128")
        # the state object's cache, or, when SLUB merged it into another
        # cache of its size (it has no flags), what else of 64-128 B grew
        obj = cache("nf_ct_tls_obj")
        if not obj:
            obj = sum(cache(k[6:]) for k in r if k.startswith("cache_") and k not in known
                      and 64 <= int(r[k].split(":")[1]) <= 128 and int(r[k].split(":")[0]) > 0)
        tot = num(r.get("slab_obj_bytes")) / flows
        pages = num(r.get("slab_page_bytes")) / flows
        per[(ev, kind, r.get("mode"))] = (ct, k128, tot, pages, obj)
        lines.append(f"   {ev:<7} {kind:<7} {r.get('mode'):<7} {int(flows):>7} {r.get('helper_flows', '?'):>10} "
                     f"{fmt(ct, 1):>14} {fmt(k128, 1):>18} {fmt(obj, 1):>14} {fmt(tot, 1):>16} {fmt(pages, 1):>12}")
        others = [k for k in r if k.startswith("cache_") and k not in known]
        if others:
            lines.append(f"   {'':<23} other caches that moved: " + ", ".join(f"{k[6:]}={r[k]}" for k in others))
    for ev, kind in sorted({k[:2] for k in per}):
        if (ev, kind, "none") in per and (ev, kind, "helper") in per:
            n, h = per[(ev, kind, "none")], per[(ev, kind, "helper")]
            ext = h[1] - n[1]
            obj = h[4] - n[4]
            ctc = (h[0] + h[1] + h[4]) - (n[0] + n[1] + n[4])
            extra = h[2] - n[2]
            lines.append(f"   events={ev} {kind}: helper - none per flow: {fmt(ctc, 1)} B in the conntrack and "
                         f"helper caches, of which kmalloc-128 (the extension block that holds nf_conn_help) "
                         f"{fmt(ext, 1)} B and the state object {fmt(obj, 1)} B; all slabs {fmt(extra, 1)} B "
                         f"(slab pages {fmt(h[3] - n[3], 1)} B; other caches are noise)")
            if abs(ctc - ext - obj) > 4:
                findings.append(f"memory events={ev} {kind}: {fmt(ctc - ext - obj, 1)} B/flow beyond the "
                                f"helper extension and state object")
            if kind == "synack" and obj < 1:
                findings.append(f"memory events={ev} synack: no state object counted (did the SYN-ACKs pass?)")
    lines.append("   (nf_conn_help with the helper's 32-byte state lives in the extension block, min 128 B"
                 " (NF_CT_EXT_PREALLOC); events=1 allocates that block for every flow anyway; a flow past")
    lines.append("   the SYN-ACK adds one object of slab nf_ct_tls_obj, or of the cache SLUB merged it into: 'other caches')")
    return findings


def perf_section(rows, lines, perf_dir):
    pr = [r for r in rows if r.get("test", "").startswith("perf-") and "module_pct" in r]
    if not pr:
        return
    lines.append("")
    lines.append("C. perf in the guest (perf record -a, cpu-clock, all CPUs; % of all samples incl. idle)")
    lines.append(f"   {'run':<22} {'mode':<7} {'[nf_conntrack_tls]':>18} {'skb_seq_read*':>13} "
                 f"{'[nf_conntrack]':>14} {'idle':>6}")
    for r in pr:
        lines.append(f"   {r['test'][5:]:<22} {r.get('mode'):<7} {r.get('module_pct'):>17}% "
                     f"{r.get('skb_seq_pct'):>12}% {r.get('conntrack_pct'):>13}% {r.get('idle_pct'):>5}%")
    if perf_dir:
        for name in ("small", "stream-65536", "conn"):
            for mode in ("helper", "none"):
                f = os.path.join(perf_dir, f"perf-{name}-{mode}.txt")
                if not os.path.exists(f):
                    continue
                with open(f) as fh:
                    body = fh.read().splitlines()
                lines.append(f"   top symbols, {name}, {mode}: {body[0][3:] if body else ''}")
                for ln in body[1:13]:
                    lines.append("     " + ln.rstrip())


def seq_section(seq_path, engine_path, cg_path, lines):
    findings = []
    if seq_path and os.path.exists(seq_path):
        lines.append("")
        lines.append("D. Userspace, native: per segment tls_seq_segment + tls_feed + tls_seq_advance (bench/seq_bench.c)")
        lines.append("   vs a plain read of the same bytes; ratio = plain time / engine time (target >= 0.8)")
        cg = {}
        if cg_path and os.path.exists(cg_path):
            for ln in open(cg_path):
                if ln.startswith("#cg "):
                    d = parse_kv(ln)
                    cg[(d["mode"], d["shape"])] = num(d["ir_per_seg"])
        hdr = (f"   {'data':<7} {'segment':<18} {'seq ns':>8} {'feed ns':>8} {'plain ns':>8} {'ratio':>6} "
               f"{'[min..max]':>12} {'seq Ir':>8} {'plain Ir':>8}  target")
        lines.append(hdr)
        lines.append("   " + "-" * (len(hdr) - 3))
        names = {"1448": "1448 B (1 MSS)", "65536": "64 KiB (GSO skb)", "rec100": "100-B rec/segment",
                 "rec100m": "100-B recs, 1448 B"}
        for ln in open(seq_path):
            if not ln.startswith("#seq "):
                continue
            d = parse_kv(ln)
            r = num(d["ratio"])
            ok = "ok" if r >= TARGET_ENGINE else "MISS"
            if r < TARGET_ENGINE:
                findings.append(f"engine {d['shape']} ({d['data']}): {fmt(r, 2)} of plain read < {TARGET_ENGINE}")
            sir = cg.get(("seq", d["shape"]))
            pir = cg.get(("plain", d["shape"]))
            lines.append(f"   {d['data']:<7} {names.get(d['shape'], d['shape']):<18} {fmt(num(d['seq_ns']), 1):>8} "
                         f"{fmt(num(d['feed_ns']), 1):>8} {fmt(num(d['plain_ns']), 1):>8} {fmt(r, 2):>6} "
                         f"{'[' + fmt(num(d['ratio_min']), 2) + '..' + fmt(num(d['ratio_max']), 2) + ']':>12} "
                         f"{fmt(sir, 0) if sir else '-':>8} {fmt(pir, 0) if pir else '-':>8}  {ok}")
        if cg:
            lines.append("   Ir = instructions per segment (callgrind, one pass over 4 MiB, cache-resident shape)")
    if engine_path and os.path.exists(engine_path):
        lines.append("")
        lines.append("   make bench (bench/bench_engine.c, tls_feed only), same run:")
        for ln in open(engine_path):
            if ln.strip() and not ln.startswith(("gcc", "build/", "make")):
                lines.append("     " + ln.rstrip())
    return findings


def ascii_plot(plot, lines):
    if not plot:
        return
    lines.append("")
    lines.append("E. Throughput ratio helper/none vs send() size (one flow, TCP_NODELAY; | = 0.95 target)")
    width = 50
    lo = 0.5
    # up to the largest max, so that noisy pairs above 1 stay on the scale
    hi = max(1.1, min(2.5, -(-max(p[3] for p in plot) * 10 // 1) / 10))
    for size, med, mn, mx in sorted(plot):
        def col(v):
            return max(0, min(width, int(round((v - lo) / (hi - lo) * width))))
        bar = [" "] * (width + 1)
        for i in range(col(mn), col(mx) + 1):
            bar[i] = "-"
        bar[col(0.95)] = "|" if bar[col(0.95)] == " " else bar[col(0.95)]
        bar[col(med)] = "*"
        lines.append(f"   {size:>6} B  {''.join(bar)}  {fmt(med, 3)}")
    lines.append(f"   {'':>9}{lo:<{width // 2}}{(lo + hi) / 2:<{width // 2}.2f}{hi:.1f}")


def hs_section(path, lines):
    """bench/hs_bench.c: whole handshakes, handshake=0 vs 1, and callgrind."""
    if not path or not os.path.exists(path):
        return
    lines.append("")
    lines.append("E. Userspace, native: whole handshake transcripts (real captures, bench/hs_bench.c),")
    lines.append("   the record layer alone (handshake=0) vs with the handshake layer (handshake=1)")
    ir = {}
    for ln in open(path):
        if ln.startswith("#cg "):
            kv = parse_kv(ln[4:])
            ir[(kv.get("transcript"), kv.get("handshake"))] = kv.get("ir")
        elif not ln.startswith("hs_bench:"):
            lines.append("   " + ln.rstrip("\n"))
    if ir:
        lines.append("   callgrind, instructions per transcript:")
        for t in sorted({k[0] for k in ir}):
            a, b, c = ir.get((t, "0")), ir.get((t, "1")), ir.get((t, "2"))
            try:
                ratio = "%.2f" % (int(b) / int(a))
            except (TypeError, ValueError, ZeroDivisionError):
                ratio = "-"
            lines.append("   %-20s handshake=0 %8s  handshake=1 %8s  1/0 %s  +100,000 names %s"
                         % (t, a, b, ratio, c))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vm")
    ap.add_argument("--seq")
    ap.add_argument("--engine")
    ap.add_argument("--callgrind")
    ap.add_argument("--perf-dir")
    ap.add_argument("--hs")
    ap.add_argument("--header", default="")
    a = ap.parse_args()
    lines = []
    if a.header:
        lines.extend(a.header.rstrip("\n").split("\n"))
        lines.append("")
    findings = []
    plot = []
    if a.vm and os.path.exists(a.vm):
        rows = [parse_kv(ln[2:]) for ln in open(a.vm) if ln.startswith("R ")]
        findings += vm_section(rows, lines, plot)
        findings += mem_section(rows, lines)
        perf_section(rows, lines, a.perf_dir)
    findings += seq_section(a.seq, a.engine, a.callgrind, lines)
    hs_section(a.hs, lines)
    ascii_plot(plot, lines)
    lines.append("")
    if findings:
        lines.append("Targets missed: " + "; ".join(findings))
    else:
        lines.append("Targets missed: none")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
