#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh [checkpatch|sparse|all]   (make style = all)
#
# checkpatch  the kernel's scripts/checkpatch.pl (from Debian's
#             linux-source-6.1, unpacked once into build/style, or the tree
#             scripts/kunit.sh unpacked) on every .c/.h of the module and the
#             engine: --file --no-tree --strict --show-types.  ERRORs and
#             WARNINGs fail unless waived below with a reason; --strict's
#             CHECKs are listed and fail only with STYLE_STRICT=1.
# sparse      make C=2 against the default kernel's headers (KVER, default
#             scripts/kver.sh; KDIR as for make) in build/style/sparse-KVER,
#             so the module's own objects are not touched.  Any sparse
#             warning in our files fails; -Wsparse-all is run too and its
#             extra findings are listed (fatal only with STYLE_STRICT=1).
#             Warnings from the kernel's own headers are not ours: dropped.
#
# Prints PASS:/FAIL: per step and finding, ends "N passed, N failed,
# N skipped"; exit 1 when anything failed.  Environment: STYLE_FILES (files
# to check), CHECKPATCH (path of checkpatch.pl), STYLE_STRICT=1.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
OUT=$REPO/build/style
mkdir -p "$OUT"
LOG=$OUT/style.log
: >"$LOG"
STRICT=${STYLE_STRICT:-0}
what=${1:-all}

# The file lists of mk/sources.mk.
srcs() { make -s --no-print-directory -C "$REPO" "${@/#/print-}" | tr '\n' ' '; }
read -r -a MODULE_FILES <<<"$(srcs GLUE_C GLUE_H)"
read -r -a ENGINE_FILES <<<"$(srcs ENGINE_H ENGINE_C)"
[ "${#ENGINE_FILES[@]}" -gt 0 ] || { echo "style.sh: no sources from mk/sources.mk" >&2; exit 1; }
if [ -n "${STYLE_FILES:-}" ]; then
	read -r -a FILES <<<"$STYLE_FILES"
else
	FILES=("${MODULE_FILES[@]}" "${ENGINE_FILES[@]}")
fi

# Accepted checkpatch findings, FILE:TYPE, each with its reason.
WAIVERS=(
	# Fencing the supported kernel range is what the compat header is for.
	nf_conntrack_tls_compat.h:LINUX_VERSION_CODE
	# "LINUX_VERSION_CODE < KERNEL_VERSION(...)": both sides are constants.
	nf_conntrack_tls_compat.h:CONSTANT_COMPARISON
	# The userspace half of the types shim defines u8... from <stdint.h>.
	tls_types.h:PREFER_KERNEL_TYPES
	# C11 _Static_assert is not CamelCase of ours.
	tls_types.h:CAMELCASE
	# The userspace fallbacks of noinline and __always_inline (#ifndef:
	# the kernel's own are used in the module) spell the attribute out.
	tls_engine.h:PREFER_DEFINED_ATTRIBUTE_MACRO
	# "inline __attribute__((...))": the kernel's own __always_inline.
	tls_engine.h:COMPLEX_MACRO
	# NF_CT_HELPER_BUILD_BUG_ON is a compile-time check, not a BUG().
	nf_conntrack_tls_state.c:AVOID_BUG
	# NF_CT_TLS_KNOB() pastes name into identifiers: no side effects.
	nf_conntrack_tls_main.c:MACRO_ARG_REUSE
	# NF_CT_TLS_KNOB() expanding to declarations (static_assert, parameters).
	nf_conntrack_tls_main.c:TRAILING_SEMICOLON
	# One knob, one line: the descriptions are modinfo's parm text.
	nf_conntrack_tls_knobs.h:LONG_LINE
	# The NF_CT_TLS_KNOB() expanding to a struct field ("int name;").
	nf_conntrack_tls.h:TRAILING_SEMICOLON
	# Knob names are field names (".name = READ_ONCE(tn->conf.name)").
	nf_conntrack_tls.h:MACRO_ARG_REUSE
)

say() { echo "$*" | tee -a "$LOG"; }

find_checkpatch() {
	local cp
	for cp in "${CHECKPATCH:-}" "$OUT/linux-source-6.1/scripts/checkpatch.pl" \
		"$REPO/build/kunit/linux-source-6.1/scripts/checkpatch.pl"; do
		[ -n "$cp" ] && [ -f "$cp" ] && { echo "$cp"; return 0; }
	done
	[ -r /usr/src/linux-source-6.1.tar.xz ] || return 1
	tar -xf /usr/src/linux-source-6.1.tar.xz -C "$OUT" \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch || return 1
	echo "$OUT/linux-source-6.1/scripts/checkpatch.pl"
}

run_checkpatch() {
	local cp out line file type sev nfatal=0 nwaived=0 nchecks=0
	if ! cp=$(find_checkpatch); then
		say "SKIP: style: checkpatch: no checkpatch.pl (apt-get install linux-source-6.1)"
		return
	fi
	out=$OUT/checkpatch.txt
	perl "$cp" --no-tree --strict --file --show-types --terse --no-summary \
		--color=never "${FILES[@]}" >"$out" 2>&1
	while IFS= read -r line; do
		# FILE:LINE: SEVERITY:TYPE: message
		file=${line%%:*}
		sev=$(sed -n 's/^[^:]*:[0-9]*: \([A-Z]*\):.*/\1/p' <<<"$line")
		type=$(sed -n 's/^[^:]*:[0-9]*: [A-Z]*:\([A-Z0-9_]*\):.*/\1/p' <<<"$line")
		[ -n "$sev" ] || { say "FAIL: style: checkpatch: $line"; nfatal=$((nfatal + 1)); continue; }
		if printf '%s\n' "${WAIVERS[@]}" | grep -qx "$file:$type"; then
			echo "waived: $line" >>"$LOG"
			nwaived=$((nwaived + 1))
		elif [ "$sev" = CHECK ] && [ "$STRICT" != 1 ]; then
			say "note: checkpatch: $line"
			nchecks=$((nchecks + 1))
		else
			say "FAIL: style: checkpatch: $line"
			nfatal=$((nfatal + 1))
		fi
	done <"$out"
	if [ $nfatal = 0 ]; then
		say "PASS: style: checkpatch --strict on ${#FILES[@]} files" \
			"($nchecks CHECKs listed, $nwaived waived)"
	else
		say "checkpatch: $nfatal findings, $nchecks CHECKs listed, $nwaived waived" \
			"(full output: $out)"
	fi
}

run_sparse() {
	local kver kdir dir f out ours extra
	kver=${KVER:-$(scripts/kver.sh 2>/dev/null)}
	kdir=${KDIR:-$(ls -d "/lib/modules/$kver/build" "/usr/src/linux-headers-$kver" 2>/dev/null | head -n 1)}
	if ! command -v sparse >/dev/null; then
		say "SKIP: style: sparse: not installed (apt-get install sparse)"
		return
	fi
	if [ -z "$kver" ] || [ ! -f "$kdir/Makefile" ]; then
		say "SKIP: style: sparse: no kernel headers for '$kver'"
		return
	fi
	dir=$OUT/sparse-$kver
	mkdir -p "$dir/mk"
	for f in Kbuild mk/sources.mk "${MODULE_FILES[@]}" "${ENGINE_FILES[@]}"; do
		ln -sfn "$REPO/$f" "$dir/$f"
	done
	for pass in default all; do
		out=$OUT/sparse-$pass.txt
		if [ $pass = default ]; then
			make -C "$kdir" M="$dir" C=2 W=1 modules >"$out" 2>&1
		else
			make -C "$kdir" M="$dir" C=2 W=1 CF=-Wsparse-all modules >"$out" 2>&1
		fi || { cat "$out"; say "FAIL: style: sparse ($pass): build failed"; return; }
		ours=$(grep -E ': (warning|error):' "$out" | grep -F "$dir/" |
			sed "s|$dir/||" | sort -u)
		if [ $pass = default ]; then
			if [ -z "$ours" ]; then
				say "PASS: style: sparse (make C=2) against $kver"
			else
				while IFS= read -r l; do say "FAIL: style: sparse: $l"; done <<<"$ours"
			fi
		else
			extra=$(comm -13 <(grep -E ': (warning|error):' "$OUT/sparse-default.txt" |
				grep -F "$dir/" | sed "s|$dir/||" | sort -u) <(echo "$ours"))
			if [ -z "$extra" ]; then
				say "PASS: style: sparse -Wsparse-all against $kver"
			elif [ "$STRICT" = 1 ]; then
				while IFS= read -r l; do say "FAIL: style: sparse -Wsparse-all: $l"; done <<<"$extra"
			else
				while IFS= read -r l; do say "note: sparse -Wsparse-all: $l"; done <<<"$extra"
				say "PASS: style: sparse -Wsparse-all against $kver (findings listed above)"
			fi
		fi
	done
}

case "$what" in
checkpatch) run_checkpatch ;;
sparse) run_sparse ;;
all) run_checkpatch; run_sparse ;;
*) sed -n '4,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

pass=$(grep -c '^PASS:' "$LOG")
fail=$(grep -c '^FAIL:' "$LOG")
skip=$(grep -c '^SKIP:' "$LOG")
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
