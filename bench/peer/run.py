#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-peer: tls-replay vs `suricata -r` vs tshark, same captures.

Speed: the large capture of real TLS traffic (bench/peer/mkcapture.sh) and
the attack captures spliced from it (bench/peer/splice.py) are run by the
three tools in interleaved rounds (the order rotates every round); wall
time, CPU time (user+sys) and peak RSS of each run come from wait4().  The
table gives each tool's ratio to tls-replay in the same round, min /
median / max over the rounds, and throughput (MB of capture per second of
wall time).  The capture corpus (../shared/corpus, INDEX.tsv) and
tests/data/*.pcap are run once per tool (totals).

Detection: who flags which capture.  A flag is:
  tls-replay  a flow whose verdict is a reason (not "ok"), --json; args:
              "--port 443" for the made captures, the capture's row of
              tests/corpus/expectations.tsv for the corpus and tests/data
              (the row with no options when there is one);
  suricata    any alert: the loaded rules are only Suricata's own
              tls-events.rules and app-layer-events.rules (installed
              package) and bench/peer/suricata/peer.rules (data on port 443
              that protocol detection does not take for TLS);
  tshark      a frame matching  tls.record.content_type == 24 ||
              (tls && (_ws.malformed || _ws.expert.severity >= error))
              with -d tcp.port==443,tls: any heartbeat record, or a TLS
              frame the dissector finds malformed or marks with an
              error-level expert item (warnings, e.g. TCP retransmissions,
              are not flags).
An attack capture is one of the spliced ones or a corpus capture whose
INDEX row says ATTACK; benign corpus captures are split by their
expectations.tsv row (every flow ok; a kill expected because the flow is
not TLS from its first byte; the engine's known false positive), and a
flag on them is listed with its reasons.  tests/data fixtures (crafted)
get a table of their own and are not counted.

Standard library only.  Environment: PEER_REPS (rounds, 5), PEER_CORPUS
(0 skips the corpus), TLS_CORPUS, PEER_OUT (result file), PEER_TIMEOUT
(s per run, 300), PEER_CORPUS_TIMEOUT (s per corpus run, 20).
"""
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
W = os.path.join(REPO, 'build', 'peer')
CAP = os.path.join(W, 'cap')
REPLAY = os.path.join(REPO, 'build', 'tools', 'tls-replay')
CORPUS = os.environ.get('TLS_CORPUS', os.path.join(REPO, '..', 'shared', 'corpus'))
REPS = int(os.environ.get('PEER_REPS', '5'))
TSHARK_FILTER = ('tls.record.content_type == 24 || '
                 '(tls && (_ws.malformed || _ws.expert.severity >= 0x800000))')
# flow rank in real.pcap (by server bytes): 0 = the TLS 1.2 160 MiB download,
# 1 = the TLS 1.3 one (mkcapture.sh alternates 1.3 and 1.2; 1.2 sends more)
# (heartbleed-enc only on TLS 1.2: TLS 1.3 has no heartbeat, and a protected
# TLS 1.3 record shows no inner type)
ATTACKS = [(f, a, at) for f, kinds in ((0, ('heartbleed', 'heartbleed-enc', 'ascii')),
                                       (1, ('heartbleed', 'ascii')))
           for a in kinds for at in (1, 100)]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# per run; corpus captures are small: PEER_CORPUS_TIMEOUT (Suricata 7.0
# waits 61 s for a reader thread that failed on a link type it lacks)
TIMEOUT = [int(os.environ.get('PEER_TIMEOUT', '300'))]
LAST_RC = [0]


def run(argv):
    """Run argv; return (stdout, wall s, cpu s, peak RSS KiB); exit code in
    LAST_RC[0] (-9 when killed after PEER_TIMEOUT seconds)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    timer = threading.Timer(TIMEOUT[0], p.kill)
    timer.start()
    data = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    wall = time.monotonic() - t0
    LAST_RC[0] = os.waitstatus_to_exitcode(status)
    p.returncode = LAST_RC[0]
    p.stdout.close()
    return data.decode('utf-8', 'replace'), wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def suricata_yaml():
    src = os.path.join(REPO, 'bench', 'peer', 'suricata', 'suricata.yaml')
    rules = os.path.join(REPO, 'bench', 'peer', 'suricata', 'peer.rules')
    out = os.path.join(W, 'suricata.yaml')
    with open(src) as f:
        s = f.read()
    s = s.replace('  - app-layer-events.rules\n',
                  '  - app-layer-events.rules\n  - %s\n' % rules)
    with open(out, 'w') as f:
        f.write(s)
    return out


# ---- the three tools: (flagged?, reasons), timing ----------------------

def t_ours(pcap, args):
    out, wall, cpu, rss = run([REPLAY, '--json'] + args + [pcap])
    if LAST_RC[0] not in (0, 1) and 'summary' not in out:
        return None, (wall, cpu, rss)
    reasons = {}
    for line in out.splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get('type') == 'summary':
            continue
        v = j.get('verdict', 'ok')
        if v != 'ok':
            reasons[v] = reasons.get(v, 0) + 1
    return reasons, (wall, cpu, rss)


SUR_LOG = os.path.join(W, 'sur-log')


def t_suricata(pcap, yaml):
    os.makedirs(SUR_LOG, exist_ok=True)
    eve = os.path.join(SUR_LOG, 'eve.json')
    if os.path.exists(eve):
        os.unlink(eve)
    # Suricata 7.0 cannot read some link types (e.g. Linux cooked v2): it
    # says so and waits ~60 s for its reader thread before exiting non-zero
    _, wall, cpu, rss = run(['suricata', '--runmode', 'single', '-c', yaml,
                             '-k', 'none', '-l', SUR_LOG, '-r', pcap])
    if LAST_RC[0] != 0:
        return None, (wall, cpu, rss)
    reasons = {}
    if os.path.exists(eve):
        with open(eve) as f:
            for line in f:
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get('event_type') == 'alert':
                    m = j['alert'].get('signature', '?').replace('SURICATA ', '')
                    reasons[m] = reasons.get(m, 0) + 1
    return reasons, (wall, cpu, rss)


def t_tshark(pcap):
    out, wall, cpu, rss = run(['tshark', '-n', '-r', pcap, '-d', 'tcp.port==443,tls',
                               '-Y', TSHARK_FILTER, '-T', 'fields',
                               '-E', 'separator=|', '-e', 'tls.record.content_type',
                               '-e', '_ws.expert.message'])
    if LAST_RC[0] not in (0, 2) and not out:
        return None, (wall, cpu, rss)
    reasons = {}
    for line in out.splitlines():
        ct, _, msg = line.partition('|')
        if '24' in ct.split(','):
            k = 'heartbeat record'
        elif msg:
            k = msg.split(',')[0]
            k = re.sub(r'\d+', 'N', k)[:60]
        else:
            k = 'malformed'
        reasons[k] = reasons.get(k, 0) + 1
    return reasons, (wall, cpu, rss)


TOOLS = ('tls-replay', 'suricata', 'tshark')


def run_tool(tool, pcap, args, yaml):
    if tool == 'tls-replay':
        return t_ours(pcap, args)
    if tool == 'suricata':
        return t_suricata(pcap, yaml)
    return t_tshark(pcap)


# ---- inputs ------------------------------------------------------------

def prepare():
    subprocess.check_call(['bash', os.path.join(REPO, 'bench', 'peer', 'mkcapture.sh')])
    os.makedirs(CAP, exist_ok=True)
    real = os.path.join(W, 'real.pcap')
    made = []
    for f, a, at in [(0, 'none', 0)] + ATTACKS:
        p = os.path.join(CAP, 'dl%d-%s-%gmb.pcap' % (f, a, at) if a != 'none'
                         else 'dl%d-benign.pcap' % f)
        if not os.path.exists(p) or os.path.getmtime(p) < os.path.getmtime(real):
            subprocess.check_call([sys.executable, os.path.join(REPO, 'bench', 'peer', 'splice.py'),
                                   real, p + '.tmp', '--flow', str(f), '--attack', a,
                                   '--at', str(at)])
            os.replace(p + '.tmp', p)
        made.append(p)
    return real, made


def expectations():
    rows = {}
    with open(os.path.join(REPO, 'tests', 'corpus', 'expectations.tsv')) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            c = line.rstrip('\n').split('\t')
            if len(c) < 3:
                continue
            args = [] if c[1] == '-' else c[1].split()
            if c[0] not in rows or not args:
                rows[c[0]] = (args, c[2], c[3] if len(c) > 3 else '-')
    return rows


def expects_violation(expect):
    return any(not e.split('=')[-1].startswith(('ok', 'none', 'truncated'))
               for e in expect.split(';'))


GZ = os.path.join(W, 'gunzip')


def plain(path):
    """A .gz capture is given to every tool decompressed (build/peer/gunzip)."""
    if not path.endswith('.gz'):
        return path
    import gzip
    os.makedirs(GZ, exist_ok=True)
    out = os.path.join(GZ, os.path.basename(path)[:-3])
    if not os.path.exists(out):
        with gzip.open(path) as f, open(out, 'wb') as g:
            g.write(f.read())
    return out


def corpus_list():
    """[(label, path, args, kind)] of the corpus and tests/data; kind: attack,
    benign (expectations: every flow ok), benign-violation (benign, but its
    expectations row expects a violation: not TLS from the first byte, e.g.
    STARTTLS or another protocol on the port), benign-known-fp (a known
    false positive of the engine), fixture (tests/data: crafted)."""
    exp = expectations()
    out = []
    idx = os.path.join(CORPUS, 'INDEX.tsv')
    if os.environ.get('PEER_CORPUS', '1') != '0' and os.path.exists(idx):
        with open(idx) as f:
            next(f)
            for line in f:
                c = line.rstrip('\n').split('\t')
                key = '%s/%s' % (c[0], c[1])
                path = os.path.join(CORPUS, key)
                if not os.path.exists(path):
                    continue
                args, expect, note = exp.get(key, ([], 'ok', '-'))
                if c[9].startswith('ATTACK'):
                    kind = 'attack'
                elif note == 'known-fp':
                    kind = 'benign-known-fp'
                elif expects_violation(expect):
                    kind = 'benign-violation'
                else:
                    kind = 'benign'
                out.append((key, plain(path), args, kind))
    data = os.path.join(REPO, 'tests', 'data')
    for n in sorted(os.listdir(data)):
        if not n.endswith(('.pcap', '.pcapng')):
            continue
        key = 'tests/data/' + n
        args = exp.get(key, ([], 'ok', '-'))[0]
        out.append((key, os.path.join(data, n), args, 'fixture'))
    return out


# ---- report ------------------------------------------------------------

def mmm(xs):
    return '%.3g / %.3g / %.3g' % (min(xs), statistics.median(xs), max(xs))


def versions():
    def first(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return '?'
    def dpkg(p):
        return first(['dpkg-query', '-W', '-f=${Version}', p]) or '?'
    rev = first(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'])
    return [
        'tls-replay: build/tools/tls-replay of git %s (gcc -O2)' % rev,
        'suricata: %s (Debian package %s, bookworm-backports)'
        % (first(['suricata', '-V']), dpkg('suricata')),
        'tshark: %s (Debian package %s)' % (first(['tshark', '-v']), dpkg('tshark')),
        'host: %s, %d CPUs, kernel %s' % (
            next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo')
                  if l.startswith('model name')), '?'),
            os.cpu_count(), os.uname().release),
    ]


def short(reasons):
    if reasons is None:
        return 'could not read the capture'
    if not reasons:
        return '-'
    return ', '.join('%s x%d' % (k, v) for k, v in sorted(reasons.items(), key=lambda kv: -kv[1]))[:160]


def main():
    real, made = prepare()
    yaml = suricata_yaml()
    lines = []

    def out(s=''):
        print(s, flush=True)
        lines.append(s)

    start = datetime.datetime.now(datetime.timezone.utc)
    load0 = open('/proc/loadavg').read().split()[:3]
    for p in [real] + made:     # page cache
        with open(p, 'rb') as f:
            while f.read(1 << 24):
                pass

    # ---- speed: interleaved rounds on the large capture -----------------
    size_mb = os.path.getsize(real) / 1e6
    res = {t: [] for t in TOOLS}
    flags_real = {}
    for r in range(REPS):
        order = TOOLS[r % 3:] + TOOLS[:r % 3]
        for t in order:
            reasons, m = run_tool(t, real, ['--port', '443'], yaml)
            res[t].append(m)
            flags_real[t] = reasons
            log('bench-peer: round %d %s: %.2f s wall %.2f s cpu %d KiB' % (r + 1, t, *m))
    load1 = open('/proc/loadavg').read().split()[:3]

    out('# bench-peer: tls-replay vs suricata -r vs tshark (offline)')
    out()
    out('Date: %s UTC. Revision and versions:' % start.strftime('%Y-%m-%d %H:%M'))
    out()
    for v in versions():
        out('- ' + v)
    out()
    out('**The machine was shared** with other jobs (2 CPUs; load average %s at the start'
        ' of the speed rounds, %s at their end); every tool ran under `nice -n 19`. Ratios'
        ' are taken within one round (the three tools back to back, the order rotating'
        ' every round), which cancels slow drifts of the load but not bursts: read the'
        ' min/max.' % ('/'.join(load0), '/'.join(load1)))
    out()
    out('## Speed: the large capture')
    out()
    out('`build/peer/real.pcap` (bench/peer/mkcapture.sh): %.0f MB, real TLS traffic made in'
        ' two network namespaces (nginx-light, curl; 1500-byte frames, offloads off):'
        ' bulk downloads of %s MiB (TLS 1.3 and 1.2 alternating) and %s short connections'
        ' (one 1-64 KiB request each, half TLS 1.3, half TLS 1.2). %d rounds.'
        % (size_mb, os.environ.get('PEER_BULK_MB', '160 160 40 40 20'),
           os.environ.get('PEER_SHORT', '1500'), REPS))
    out()
    out('| tool | wall s (median) | MB/s (median) | CPU s (median) | peak RSS MiB (median) |'
        ' wall / tls-replay | CPU / tls-replay | RSS / tls-replay |')
    out('|---|---|---|---|---|---|---|---|')
    for t in TOOLS:
        w = [m[0] for m in res[t]]
        c = [m[1] for m in res[t]]
        s = [m[2] for m in res[t]]
        rw = [a[0] / b[0] for a, b in zip(res[t], res['tls-replay'])]
        rc = [a[1] / max(b[1], 1e-3) for a, b in zip(res[t], res['tls-replay'])]
        rs = [a[2] / b[2] for a, b in zip(res[t], res['tls-replay'])]
        out('| %s | %.2f | %.0f | %.2f | %.0f | %s | %s | %s |' % (
            t, statistics.median(w), size_mb / statistics.median(w), statistics.median(c),
            statistics.median(s) / 1024, mmm(rw), mmm(rc), mmm(rs)))
    out()
    out('Ratios: min / median / max over the rounds of (tool / tls-replay in the same round);'
        ' above 1 means slower or larger than tls-replay. CPU is user+sys of the process'
        ' (all of its threads); suricata ran with `--runmode single` (one packet thread, plus'
        ' its flow-manager threads), tshark as for the detection below.')
    out()
    out('Flags on the large capture (benign: every flow is a real download or request):'
        ' tls-replay %s; suricata %s; tshark %s.' % (
            short(flags_real['tls-replay']), short(flags_real['suricata']),
            short(flags_real['tshark'])))
    out()

    # ---- detection: made captures ---------------------------------------
    out('## Detection: attacks spliced into a real download')
    out()
    out('Each capture is one 160 MiB download cut out of the large capture (dl0: TLS 1.2,'
        ' dl1: TLS 1.3) with one attack spliced in where the server\'s stream passes 1 MiB'
        ' or 100 MiB (bench/peer/splice.py): `heartbleed`, a client heartbeat record with'
        ' payload_length 16384 in 3 bytes (the classic request, unencrypted, inserted as a'
        ' new client segment); `heartbleed-enc`, the attack on a protected session (TLS 1.2'
        ' only): a 40-byte protected heartbeat request from the client answered by a'
        ' 16416-byte heartbeat record of random bytes from the server (the encrypted leak,'
        ' shaped as in zeek\'s heartbleed-encrypted-success.pcap), inserted at a record'
        ' boundary; `ascii`, 256 bytes of HTTP-like text written over the body of'
        ' a server application-data record. One run per tool; wall seconds in brackets.')
    out()
    out('| capture | tls-replay | suricata | tshark |')
    out('|---|---|---|---|')
    det = {t: [0, 0] for t in TOOLS}
    for p in made:
        row = []
        attack = 'benign' not in p
        for t in TOOLS:
            reasons, m = run_tool(t, p, ['--port', '443'], yaml)
            if attack:
                det[t][1] += 1
                det[t][0] += bool(reasons)
            mark = 'ERROR' if reasons is None else '**FLAG**' if reasons else 'no flag'
            row.append('%s %s (%.1f s)' % (mark, short(reasons) if reasons != {} else '', m[0]))
        out('| %s%s | %s |' % (os.path.basename(p), '' if attack else ' (benign)', ' | '.join(row)))
    out()
    out('Attacks flagged: ' + ', '.join('%s %d of %d' % (t, *det[t]) for t in TOOLS) + '.')
    out()

    # ---- corpus ---------------------------------------------------------
    caps = corpus_list()
    if caps:
        TIMEOUT[0] = int(os.environ.get('PEER_CORPUS_TIMEOUT', '20'))
        tot = {t: [0.0, 0.0, 0] for t in TOOLS}
        got = {t: {} for t in TOOLS}      # key -> reasons (None: unreadable)
        for key, path, args, kind in caps:
            for t in TOOLS:
                reasons, m = run_tool(t, path, args, yaml)
                got[t][key] = reasons
                if reasons is not None and kind != 'fixture':
                    tot[t][0] += m[0]
                    tot[t][1] += m[1]
                    tot[t][2] = max(tot[t][2], m[2])
        pub = [c for c in caps if c[3] != 'fixture']
        kinds = ('attack', 'benign', 'benign-violation', 'benign-known-fp')
        n = {k: sum(1 for c in pub if c[3] == k) for k in kinds}
        out('## The public capture corpus')
        out()
        out('%d captures (%.1f MB) of `$TLS_CORPUS/INDEX.tsv` (.gz ones decompressed first),'
            ' one run per tool each; tls-replay with the options of the capture\'s row in'
            ' tests/corpus/expectations.tsv. Classes: **attack** (INDEX says ATTACK: the three'
            ' zeek Heartbleed captures); **benign TLS** (benign, and expectations.tsv expects'
            ' every flow ok); **benign, not TLS-framed** (benign, but expectations.tsv expects'
            ' the helper to kill a flow: STARTTLS, a plaintext preamble, another protocol on'
            ' the port; the README says never to attach the helper there, and a kill is the'
            ' kernel\'s behaviour); **known FP** (the engine\'s known false positive).'
            % (len(pub), sum(os.path.getsize(c[1]) for c in pub) / 1e6))
        out()
        out('| tool | attacks flagged (%d) | benign TLS flagged (%d) | benign, not TLS-framed,'
            ' flagged (%d) | known FP flagged (%d) | could not read | total wall s |'
            ' total CPU s | max RSS MiB |' % tuple(n[k] for k in kinds))
        out('|---|---|---|---|---|---|---|---|---|')
        for t in TOOLS:
            cnt = {k: sum(1 for c in pub if c[3] == k and got[t][c[0]]) for k in kinds}
            err = sum(1 for c in pub if got[t][c[0]] is None)
            out('| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.0f |' % (
                t, cnt['attack'], cnt['benign'], cnt['benign-violation'],
                cnt['benign-known-fp'], err, tot[t][0], tot[t][1], tot[t][2] / 1024))
        out()
        out('Time ratios to tls-replay over the corpus (one run): ' + ', '.join(
            '%s wall %.1f, CPU %.1f' % (t, tot[t][0] / tot['tls-replay'][0],
                                        tot[t][1] / max(tot['tls-replay'][1], 1e-3))
            for t in TOOLS[1:]) + '. Most corpus files are small: start-up time dominates.'
            ' Totals leave out the runs that could not read their capture (each corpus run'
            ' is stopped after %d s).' % TIMEOUT[0])
        out()
        for t in TOOLS:
            out('### %s' % t)
            out()
            miss = [c[0] for c in pub if c[3] == 'attack' and got[t][c[0]] == {}]
            if miss:
                out('Attacks not flagged: ' + '; '.join(miss) + '.')
                out()
            err = [c[0] for c in pub if got[t][c[0]] is None]
            if err:
                out('Could not read: ' + '; '.join(err) + '.')
                out()
            for k in kinds[1:]:
                fl = [(c[0], got[t][c[0]]) for c in pub if c[3] == k and got[t][c[0]]]
                out('Flags on %s captures (%d):' % (k, len(fl)))
                out()
                why = {}
                for key, r in fl:
                    for reason in r:
                        why.setdefault(reason, []).append(key)
                for reason, ks in sorted(why.items(), key=lambda kv: -len(kv[1])):
                    out('- %s: %d (%s%s)' % (reason, len(ks), ', '.join(ks[:5]),
                                             ', ...' if len(ks) > 5 else ''))
                out()
        fx = [c for c in caps if c[3] == 'fixture']
        if fx:
            out('## tests/data fixtures')
            out()
            out('Crafted by tests/data/mkpcaps.py (handshake bodies are random bytes, so a'
                ' dissector that parses handshakes finds them malformed; several carry a'
                ' Heartbleed request) or captured on lo/any/in the VM; their expected'
                ' tls-replay verdicts are in tests/corpus/expectations.tsv. Not counted'
                ' above.')
            out()
            out('| fixture | tls-replay | suricata | tshark |')
            out('|---|---|---|---|')
            for key, _, _, _ in fx:
                out('| %s | %s |' % (key[len('tests/data/'):], ' | '.join(
                    'ERROR' if got[t][key] is None else short(got[t][key])[:70]
                    for t in TOOLS)))
            out()
    path = os.environ.get('PEER_OUT') or os.path.join(
        REPO, 'bench', 'results', '%s-peer-offline.md' % start.strftime('%Y-%m-%d'))
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    log('bench-peer: saved %s' % path)


if __name__ == '__main__':
    main()
