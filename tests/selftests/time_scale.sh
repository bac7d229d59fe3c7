# SPDX-License-Identifier: GPL-2.0
#
# Sourced by lib.sh (so by run.sh and every test), so that a test run on
# its own refuses a bad TIME_SCALE as clearly as the whole suite does: a
# whole number from 1 to 99 (default 1), exported for the Python peers
# (hb_peer.py reads it too).
case ${TIME_SCALE:-1} in
[1-9] | [1-9][0-9]) export TIME_SCALE=${TIME_SCALE:-1} ;;
*)	echo "FAIL: TIME_SCALE='$TIME_SCALE': a whole number from 1 to 99 expected"
	exit 1 ;;
esac
