#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the engine's KUnit suite (tests/kunit) on UML with the kernel's own
# tools/testing/kunit/kunit.py, in a tree unpacked from Debian's
# linux-source-6.1 into build/kunit (ignored by git).
#
#   scripts/kunit.sh [extra kunit.py run arguments, e.g. a filter glob
#                     'nf_conntrack_tls.tls_seq*' or --raw_output=all (which
#                     disables the per-case lines below)]
#
# Steps, each idempotent:
#   1. unpack /usr/src/linux-source-6.1.tar.xz once (stamp file; unpacked
#      again only when the tarball changes);
#   2. add lib/nf_conntrack_tls_kunit/ to the tree: Kconfig and Kbuild are
#      symlinks to tests/kunit/, src/ mirrors the repository's layout with
#      symlinks, so every run compiles the repository's current sources; hook
#      it into lib/Kconfig and lib/Makefile once;
#   3. kunit.py run with tests/kunit/.kunitconfig, out-of-tree build in
#      build/kunit/out (the source tree itself stays unconfigured);
#   4. print one "PASS|FAIL|SKIP: kunit: <suite>.<case>[.<param>]" line per
#      test case (from kunit.py's JSON results) for make check to count.
#
# Exit status: kunit.py's, made non-zero also when any case failed, when no
# results could be read (build failure, crash) or on any setup error.
#
# Environment: KUNIT_JOBS (default: number of CPUs), KUNIT_TIMEOUT (seconds
# for the UML run, default 300), LINUX_SOURCE_TARBALL (default below),
# KUNIT_SRC_ROOT (where the engine and tests/ are taken from; default: this
# repository), KUNIT_PREBUILD=1 (see step 3), KUNIT_WERROR=0 (W=1
# warnings in the suite's directory do not fail the build; see
# tests/kunit/Kbuild).
set -euo pipefail
unset CDPATH

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC_ROOT=$(cd "${KUNIT_SRC_ROOT:-$REPO}" && pwd)
TARBALL=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
TREE_NAME=linux-source-6.1
BASE=$REPO/build/kunit
TREE=$BASE/$TREE_NAME
OUT=$BASE/out
JSON=$BASE/results.json
LOG=$BASE/kunit.log
STAMP=$BASE/.$TREE_NAME.unpacked
GLUE_REL=lib/nf_conntrack_tls_kunit
GLUE=$TREE/$GLUE_REL
JOBS=${KUNIT_JOBS:-$(nproc)}
TIMEOUT=${KUNIT_TIMEOUT:-300}

die() {
	echo "kunit.sh: $*" >&2
	echo "FAIL: kunit: setup"
	exit 1
}

# Engine sources compiled into the suite: mk/sources.mk, which
# tests/kunit/Kbuild reads too; every top-level header is linked.
read -r -a ENGINE_C <<<"$(make -s --no-print-directory -C "$SRC_ROOT" print-ENGINE_C)"
read -r -a ENGINE_H <<<"$(make -s --no-print-directory -C "$SRC_ROOT" print-ENGINE_H)"
[ "${#ENGINE_C[@]}" -gt 0 ] || die "no ENGINE_C from $SRC_ROOT/mk/sources.mk"

[ -r "$TARBALL" ] || die "$TARBALL not found (apt-get install linux-source-6.1)"
for t in tar xz python3 make gcc flex bison bc flock; do
	command -v "$t" >/dev/null || die "missing tool: $t (see scripts/deps.sh)"
done

mkdir -p "$BASE"
# Keep everything under build/kunit out of git without touching the
# repository's own ignore files.
[ -f "$BASE/.gitignore" ] || printf '*\n' >"$BASE/.gitignore"

# One run at a time: the tree and the build directory are shared.
exec 9>"$BASE/.lock"
flock 9

# --- 1. unpack -------------------------------------------------------------
want_stamp="$TARBALL $(stat -c '%s %Y' "$TARBALL")"
if [ ! -d "$TREE" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want_stamp" ]; then
	echo "kunit.sh: unpacking $TARBALL into $TREE"
	rm -rf "$TREE" "$OUT" "$STAMP" "$BASE"/unpack.*
	tmp=$(mktemp -d "$BASE/unpack.XXXXXX")
	tar -xf "$TARBALL" -C "$tmp"
	[ -f "$tmp/$TREE_NAME/tools/testing/kunit/kunit.py" ] ||
		die "$TARBALL has no $TREE_NAME/tools/testing/kunit/kunit.py"
	mv "$tmp/$TREE_NAME" "$TREE"
	rmdir "$tmp"
	printf '%s\n' "$want_stamp" >"$STAMP"
fi

# kunit.py builds out of tree (O=); kbuild refuses if the source tree was
# ever configured in place.
if [ -e "$TREE/.config" ] || [ -d "$TREE/include/config" ]; then
	die "$TREE is configured in place; remove $STAMP to unpack it again"
fi

# --- 2. glue directory -----------------------------------------------------
for f in "${ENGINE_C[@]}" "${ENGINE_H[@]}" mk/sources.mk \
	 tests/vectors/tls_vectors.h tests/kunit/Kconfig tests/kunit/Kbuild \
	 tests/kunit/.kunitconfig tests/kunit/tls_kunit_test.c; do
	[ -f "$SRC_ROOT/$f" ] || die "missing $SRC_ROOT/$f"
done

mkdir -p "$GLUE"
ln -sfn "$SRC_ROOT/tests/kunit/Kconfig" "$GLUE/Kconfig"
ln -sfn "$SRC_ROOT/tests/kunit/Kbuild" "$GLUE/Kbuild"
# src/ is rebuilt on every run so that it follows the repository (files
# added or removed); make follows the symlinks, so unchanged sources are
# not recompiled.
rm -rf "$GLUE/src"
mkdir -p "$GLUE/src/tests" "$GLUE/src/mk"
ln -s "$SRC_ROOT/mk/sources.mk" "$GLUE/src/mk/sources.mk"
for f in "${ENGINE_C[@]}"; do
	ln -s "$SRC_ROOT/$f" "$GLUE/src/$f"
done
for h in "$SRC_ROOT"/*.h; do
	ln -s "$h" "$GLUE/src/${h##*/}"
done
ln -s "$SRC_ROOT/tests/vectors" "$GLUE/src/tests/vectors"
ln -s "$SRC_ROOT/tests/kunit" "$GLUE/src/tests/kunit"

# Objects built from another source root (KUNIT_SRC_ROOT) may be newer than
# this root's sources: start the glue directory's objects afresh then.
if [ "$(cat "$BASE/.src_root" 2>/dev/null)" != "$SRC_ROOT" ]; then
	rm -rf "$OUT/$GLUE_REL"
	printf '%s\n' "$SRC_ROOT" >"$BASE/.src_root"
fi

hook() {	# file line
	grep -qxF "$2" "$1" || printf '\n%s\n' "$2" >>"$1"
}
hook "$TREE/lib/Kconfig" "source \"$GLUE_REL/Kconfig\""
hook "$TREE/lib/Makefile" "obj-\$(CONFIG_NF_CONNTRACK_TLS_KUNIT_TEST) += nf_conntrack_tls_kunit/"

# --- 3. run ----------------------------------------------------------------
# When called from make (make check), do not hand the kernel build the
# caller's make flags or variables (W=1, V=1, -j, jobserver, KCFLAGS...).
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS \
	KBUILD_OUTPUT KBUILD_EXTRA_WARN KBUILD_EXTMOD KCFLAGS KCPPFLAGS \
	KAFLAGS CROSS_COMPILE ARCH SUBARCH O M W V C
# KUNIT_PREBUILD=1: configure and build only (make check runs this in the
# background at low priority while the VM tests leave CPU time idle);
# the run that follows finds the kernel built.
if [ "${KUNIT_PREBUILD:-0}" = 1 ]; then
	echo "kunit.sh: kunit.py build only (build dir $OUT, $JOBS jobs)"
	cd "$TREE"
	exec python3 tools/testing/kunit/kunit.py build \
		--kunitconfig="$SRC_ROOT/tests/kunit/.kunitconfig" \
		--build_dir="$OUT" --jobs="$JOBS"
fi
rm -f "$JSON"
echo "kunit.sh: kunit.py run (build dir $OUT, $JOBS jobs)"
set +e
(
	cd "$TREE"
	python3 tools/testing/kunit/kunit.py run \
		--kunitconfig="$SRC_ROOT/tests/kunit/.kunitconfig" \
		--build_dir="$OUT" \
		--jobs="$JOBS" \
		--timeout="$TIMEOUT" \
		--json="$JSON" \
		"$@"
) 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

# --- 4. per-case lines -----------------------------------------------------
# kunit.py writes no JSON with --raw_output: only its status then.
for a in "$@"; do
	case "$a" in --raw_output*) exit "$rc" ;; esac
done
summary_rc=0
python3 - "$JSON" <<'EOF' || summary_rc=$?
import json, sys

path = sys.argv[1]
try:
    with open(path) as f:
        top = json.load(f)
except (OSError, ValueError) as e:
    print("kunit.sh: no KUnit results (%s); see build/kunit/kunit.log" % e,
          file=sys.stderr)
    print("FAIL: kunit: nf_conntrack_tls.no_results")
    sys.exit(1)

counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}

unnamed = 0

def name_of(t):
    # A case whose result line never came (the kernel crashed) has no name.
    global unnamed
    name = (t.get("name") or "").strip()
    if not name:
        unnamed += 1
        name = "(crashed-or-missing-%d)" % unnamed
    return name

def walk(group, prefix):
    for case in group.get("test_cases", []):
        status = case.get("status", "FAIL")
        if status not in ("PASS", "SKIP"):
            status = "FAIL"		# FAIL, ERROR (crash, missing)
        counts[status] += 1
        print("%s: kunit: %s%s" % (status, prefix, name_of(case)))
    for sub in group.get("sub_groups", []):
        walk(sub, prefix + name_of(sub) + ".")

walk(top, "")
total = sum(counts.values())
if total == 0:
    print("FAIL: kunit: nf_conntrack_tls.no_results")
    print("kunit.sh: KUnit reported no test cases", file=sys.stderr)
    sys.exit(1)
print("kunit.sh: %d passed, %d failed, %d skipped"
      % (counts["PASS"], counts["FAIL"], counts["SKIP"]), file=sys.stderr)
sys.exit(1 if counts["FAIL"] else 0)
EOF

if [ "$rc" -eq 0 ] && [ "$summary_rc" -ne 0 ]; then
	rc=1
fi
exit "$rc"
