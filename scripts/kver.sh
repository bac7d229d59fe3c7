#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release to build for and boot by default: the running
# kernel when its build directory exists, else the newest installed Debian
# linux-headers-*-amd64.  Exit 1 (with a hint) when there is none.
set -eu

if [ -d "/lib/modules/$(uname -r)/build" ]; then
	uname -r
	exit 0
fi
kver=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	sed 's|^/usr/src/linux-headers-||' | sort -V | tail -n 1)
if [ -z "$kver" ]; then
	echo "kver.sh: no kernel headers found; install linux-headers-amd64" \
		"(or linux-headers-\$(uname -r)), e.g. run scripts/deps.sh" >&2
	exit 1
fi
echo "$kver"
