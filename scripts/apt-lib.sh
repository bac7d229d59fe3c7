# SPDX-License-Identifier: GPL-2.0
#
# Sourced by scripts/deps.sh and scripts/deps-peer.sh: the apt steps both
# take.

# pkg_installed PKG: whether dpkg has PKG installed
pkg_installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# apt_install_no_services ARGS...: apt-get install -y -qq
# --no-install-recommends ARGS, with a policy-rc.d that keeps the packages'
# services (nginx, suricata, ...) from starting on the host meanwhile; a
# policy-rc.d already there is left as it is.  Returns apt-get's status.
apt_install_no_services() {
	local policy=/usr/sbin/policy-rc.d own=0 rc=0

	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		own=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" || rc=$?
	[ $own = 0 ] || rm -f "$policy"
	return $rc
}
