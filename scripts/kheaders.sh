#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian kernel packages of other suites (bookworm-backports, sid, ...)
# without touching the host's apt sources or installed packages: every suite
# gets its own apt configuration, lists and download cache in
# build/apt/SUITE, and packages are unpacked with dpkg -x into build/.
#
#   kheaders.sh apt SUITE apt-get|apt-cache ARGS...
#       run apt with SUITE's separate configuration (lists updated first when
#       missing or older than KHEADERS_MAX_AGE minutes, default 1440)
#   kheaders.sh latest SUITE [PREFIX]
#       print the newest kernel release of the stock amd64 flavour that
#       SUITE carries headers for, optionally starting with PREFIX
#       (e.g. "6.12", "7."); exit 1 when there is none
#   kheaders.sh suite KVER [SUITE...]
#       print the first suite (default: $KHEADERS_SUITES) that carries
#       linux-headers-KVER; exit 1 when none does
#   kheaders.sh fetch KVER [SUITE]
#       unpack linux-headers-KVER, its -common package and its linux-kbuild
#       into build/kheaders/KVER (once; stamp file), turn absolute symlinks
#       inside into relative ones, print the KDIR to build against
#   kheaders.sh kdir KVER
#       print that KDIR when it has been fetched; exit 1 otherwise
#
# Suites known by name: bookworm, bookworm-backports, trixie,
# trixie-backports, sid (any other name is taken as a suite of the Debian
# mirror).  Environment: KHEADERS_MIRROR (default http://deb.debian.org/debian),
# KHEADERS_SUITES (default "bookworm-backports sid").
#
# The host can run the kbuild tools of bookworm and bookworm-backports; the
# tools of newer suites need that suite's libc: build those in a chroot
# (scripts/sid-chroot.sh; scripts/matrix.sh does it).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${KHEADERS_MIRROR:-http://deb.debian.org/debian}
SUITES=${KHEADERS_SUITES:-bookworm-backports sid}
MAX_AGE=${KHEADERS_MAX_AGE:-1440}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() { echo "kheaders.sh: $*" >&2; exit 1; }

# apt_suite SUITE apt-get|apt-cache ARGS...
apt_suite() {
	local suite=$1 tool=$2 dir
	shift 2
	case "$suite" in
	""|*[!a-z0-9.-]*) die "bad suite name '$suite'" ;;
	esac
	dir=$REPO/build/apt/$suite
	local opts=(
		-o "Dir::Etc::SourceList=$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::status=$dir/status"
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Cache::Archives=$dir/archives"
		-o APT::Get::List-Cleanup=0
		-o Acquire::Languages=none
		-o APT::Architecture=amd64
		-o APT::Architectures=amd64
		-o Debug::NoLocking=1
		-o APT::Sandbox::User=root
	)
	if [ ! -f "$dir/sources.list" ]; then
		mkdir -p "$dir/lists/partial" "$dir/cache" "$dir/archives/partial"
		: >"$dir/status"
		echo "deb [signed-by=$KEYRING] $MIRROR $suite main" >"$dir/sources.list"
	fi
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' \
		-mmin "-$MAX_AGE" 2>/dev/null | head -n 1)" ]; then
		echo "kheaders.sh: apt-get update ($suite)" >&2
		apt-get "${opts[@]}" -qq update >&2 ||
			die "apt-get update of $suite failed"
	fi
	"$tool" "${opts[@]}" "$@"
}

# Newest KVER of the plain amd64 flavour in SUITE, optionally with a prefix.
latest() {
	local suite=$1 prefix=${2:-}
	apt_suite "$suite" apt-cache pkgnames linux-headers- |
		sed -n 's/^linux-headers-\([0-9][^ ]*-amd64\)$/\1/p' |
		grep -v -e '-cloud-amd64$' -e '-rt-amd64$' |
		awk -v p="$prefix" 'index($0, p) == 1' |
		sort -V | tail -n 1 | grep .
}

carries() {
	apt_suite "$1" apt-cache show "linux-headers-$2" >/dev/null 2>&1
}

suite_of() {
	local kver=$1 s list
	shift
	list=${*:-$SUITES}
	for s in $list; do
		if carries "$s" "$kver"; then echo "$s"; return 0; fi
	done
	return 1
}

kdir_of() {
	local d=$REPO/build/kheaders/$1
	[ -f "$d/.stamp" ] || return 1
	echo "$d/usr/src/linux-headers-$1"
}

fetch() {
	local kver=$1 suite=${2:-} dest=$REPO/build/kheaders/$1 deps pkgs tmp
	if kdir_of "$kver"; then
		return 0
	fi
	[ -n "$suite" ] || suite=$(suite_of "$kver") ||
		die "no suite of '$SUITES' carries linux-headers-$kver"
	deps=$(apt_suite "$suite" apt-cache show "linux-headers-$kver" |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',|' '\n\n' |
		sed 's/(.*//; s/ //g')
	pkgs=("linux-headers-$kver")
	mapfile -t -O 1 pkgs < <(echo "$deps" | grep -E '^linux-(headers-.*-common|kbuild-)' || true)
	echo "kheaders.sh: fetching ${pkgs[*]} from $suite" >&2
	rm -rf "$dest"
	tmp=$dest.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	(cd "$tmp/debs" && apt_suite "$suite" apt-get download -qq "${pkgs[@]}") >&2 ||
		die "cannot download ${pkgs[*]} from $suite"
	for deb in "$tmp"/debs/*.deb; do
		dpkg -x "$deb" "$tmp"
	done
	rm -rf "$tmp/debs"
	# Debian's trees point at each other with absolute links
	# (/usr/src/linux-headers-X/scripts -> /usr/lib/linux-kbuild-Y/scripts,
	# /lib/modules/X/build, ...): make them relative to the unpacked root.
	find "$tmp" -type l | while read -r l; do
		t=$(readlink "$l")
		case "$t" in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$tmp$t")" "$l" ;;
		esac
	done
	# The flavour's Makefile includes the -common one by absolute path.
	mk=$tmp/usr/src/linux-headers-$kver/Makefile
	[ -f "$mk" ] || die "linux-headers-$kver has no Makefile after unpacking"
	sed -i 's|^include /usr/src/|include $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/../|' "$mk"
	echo "$suite" >"$tmp/.suite"
	touch "$tmp/.stamp"
	mv "$tmp" "$dest"
	kdir_of "$kver"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
apt) [ $# -ge 2 ] || die "usage: kheaders.sh apt SUITE apt-get|apt-cache ARGS..."
     case "$2" in apt-get|apt-cache) ;; *) die "apt: apt-get or apt-cache" ;; esac
     apt_suite "$@" ;;
latest) [ $# -ge 1 ] || die "usage: kheaders.sh latest SUITE [PREFIX]"
	latest "$@" || die "$1 carries no amd64 kernel headers${2:+ starting with $2}" ;;
suite) [ $# -ge 1 ] || die "usage: kheaders.sh suite KVER [SUITE...]"
       suite_of "$@" || die "no suite carries linux-headers-$1" ;;
fetch) [ $# -ge 1 ] || die "usage: kheaders.sh fetch KVER [SUITE]"; fetch "$@" ;;
kdir) [ $# -eq 1 ] || die "usage: kheaders.sh kdir KVER"; kdir_of "$1" ;;
*) sed -n '4,33p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
