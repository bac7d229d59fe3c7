#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the VM, load nf_conntrack_tls, attach it on a router
# between a client and a server namespace, run a real TLS download through
# it, then an attack, and print what the helper saw.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
echo "== booting Debian's $(scripts/kver.sh) kernel under QEMU (TCG); takes about a minute"
exec scripts/vm/vm-run.sh -- scripts/demo-guest.sh
