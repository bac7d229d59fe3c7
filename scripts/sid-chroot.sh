#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sid-chroot.sh [-i PKG]... [-u] [-- COMMAND...]
#
# A Debian sid (unstable) chroot in build/chroot/sid for building the module
# against sid's kernels: sid's linux-kbuild tools are linked against sid's
# libc and its headers name sid's gcc, so they cannot run on the bookworm
# host.  Everything here is idempotent:
#
#   1. debootstrap --variant=minbase sid once (stamp build/chroot/sid/.stamp;
#      a half-made chroot is removed and made again);
#   2. -i PKG: apt-get install PKG inside when it is not installed yet (the
#      chroot's own apt, sid's sources; the host's apt is never touched);
#      -u: apt-get update inside first (otherwise lists are refreshed only
#      when they are older than a day or a package is not found);
#   3. COMMAND runs inside as root, in a private mount namespace (unshare -m:
#      nothing stays mounted when it ends) with /proc, /dev, /sys and this
#      repository bind-mounted at the same absolute path as on the host, in
#      the same working directory when that is inside the repository.
#
# Environment: SID_MIRROR (default http://deb.debian.org/debian),
# SID_CHROOT (default build/chroot/sid of this repository).
# Exit status: COMMAND's, or 1 on a setup error.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${SID_CHROOT:-$REPO/build/chroot/sid}
MIRROR=${SID_MIRROR:-http://deb.debian.org/debian}
BASE_PKGS=make,gcc,libc6-dev,bc,kmod,xz-utils,ca-certificates
PKGS=()
UPDATE=0

die() { echo "sid-chroot.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	-i) PKGS+=("${2:?-i needs a package}"); shift 2 ;;
	-u) UPDATE=1; shift ;;
	--) shift; break ;;
	-h|--help) sed -n '4,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

# Run a command inside the chroot, mounts private to this call.
in_chroot() {
	local cwd=/
	case "$PWD/" in "$REPO"/*) cwd=$PWD ;; esac
	unshare --mount --propagation private -- /bin/bash -euc '
		root=$1 repo=$2 cwd=$3; shift 3
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		mount --rbind /sys "$root/sys"
		mkdir -p "$root$repo"
		mount --bind "$repo" "$root$repo"
		cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			/bin/bash -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"
	' sid-chroot "$ROOT" "$REPO" "$cwd" "$@"
}

if [ ! -f "$ROOT/.stamp" ]; then
	command -v debootstrap >/dev/null ||
		die "debootstrap is missing (scripts/deps.sh installs it)"
	echo "sid-chroot.sh: creating $ROOT (debootstrap sid, a few minutes)" >&2
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	log=$REPO/build/chroot/debootstrap-sid.log
	if ! debootstrap --variant=minbase --include="$BASE_PKGS" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		sid "$ROOT" "$MIRROR" >"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "debootstrap failed; log: $log"
	fi
	echo "deb $MIRROR sid main" >"$ROOT/etc/apt/sources.list"
	# No daemons inside, ever; no docs or recommends to keep it small.
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	echo 'APT::Install-Recommends "0"; Acquire::Languages "none";' \
		>"$ROOT/etc/apt/apt.conf.d/90sid-chroot"
	touch "$ROOT/.stamp"
fi

lists_fresh() {
	[ -n "$(find "$ROOT/var/lib/apt/lists" -maxdepth 1 -name '*_Packages*' \
		-mmin -1440 2>/dev/null | head -n 1)" ]
}

if [ $UPDATE = 1 ] || { [ ${#PKGS[@]} -gt 0 ] && ! lists_fresh; }; then
	in_chroot apt-get update -qq
fi

if [ ${#PKGS[@]} -gt 0 ]; then
	missing=()
	for p in "${PKGS[@]}"; do
		in_chroot dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "sid-chroot.sh: installing ${missing[*]}" >&2
		if ! in_chroot apt-get install -y -qq "${missing[@]}" >&2; then
			in_chroot apt-get update -qq
			in_chroot apt-get install -y -qq "${missing[@]}" >&2 ||
				die "cannot install ${missing[*]} in the chroot"
		fi
	fi
fi

[ $# -gt 0 ] || exit 0
in_chroot "$@"
