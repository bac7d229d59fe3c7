#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential check of tls_cipher_class() (tls_ciphers.c) against the two
# TLS libraries on the machine: every suite OpenSSL (`openssl ciphers -V`,
# all suites, security level 0) and GnuTLS (`gnutls-cli --list`) know gets
# from the engine exactly the weak classes its name and its library's
# description imply (NULL: no encryption; EXPORT; ANON: no server
# authentication; RC4 / ARCFOUR; DES, 3DES).  One PASS:/FAIL: line per
# library; "SKIP:" when a library is missing.
#   check_ciphers.sh PATH_TO_cipher_class
set -uo pipefail
prog=${1:?usage: check_ciphers.sh PATH_TO_cipher_class}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expected classes from a suite's name (and OpenSSL's Enc=/Au= fields)
classes() {
	awk '{
		code = $1; d = $0; c = ""
		if (d ~ /Enc=None|_NULL_|-NULL-|NULL-(MD5|SHA)|_NULL$/ ||
		    d ~ /^0x0000 /) c = c " NULL"
		if (d ~ /EXP/) c = c " EXPORT"
		if (d ~ /Au=None|_ANON_|_anon_|ADH-|AECDH-/) c = c " ANON"
		if (d ~ /RC4|ARCFOUR/) c = c " RC4"
		if (d ~ /DES/) c = c " DES"
		print code c
	}'
}

check() {
	local lib=$1 list=$2 n bad
	n=$(wc -l <"$list")
	if [ "$n" -lt 20 ]; then
		echo "FAIL: ciphers vs $lib: only $n suites listed"
		return
	fi
	cut -d' ' -f1 "$list" | "$prog" >"$tmp/$lib.got" || {
		echo "FAIL: ciphers vs $lib: cipher_class failed"; return; }
	classes <"$list" | sort >"$tmp/$lib.want"
	sort "$tmp/$lib.got" -o "$tmp/$lib.got"
	bad=$(diff "$tmp/$lib.want" "$tmp/$lib.got" | grep -c '^[<>]')
	if [ "$bad" = 0 ]; then
		echo "PASS: ciphers vs $lib: $n suites, the same weak classes" \
			"($(grep -c ' ' "$tmp/$lib.got") in one or more)"
	else
		echo "FAIL: ciphers vs $lib: $bad lines differ (< $lib, > engine):"
		diff "$tmp/$lib.want" "$tmp/$lib.got" | grep '^[<>]' | head -20
	fi
}

if command -v openssl >/dev/null; then
	# "0x00,0x2F - AES128-SHA SSLv3 Kx=RSA Au=RSA Enc=AES(128) Mac=SHA1"
	openssl ciphers -V 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null |
		awk '{ split($1, b, ","); sub(/^0x/, "", b[2]);
		       $1 = sprintf("0x%s%s", substr(b[1], 3), b[2]); $2 = "";
		       print tolower($1) " " $0 }' |
		awk '{ $2 = ""; print }' | sed 's/  */ /g' | sort -u -k1,1 >"$tmp/openssl"
	check openssl "$tmp/openssl"
else
	echo "SKIP: ciphers vs openssl: no openssl"
fi
if command -v gnutls-cli >/dev/null; then
	# "TLS_RSA_NULL_MD5   0x00, 0x01   TLS1.0"
	gnutls-cli --list 2>/dev/null |
		awk '$1 ~ /^TLS_/ && $2 ~ /^0x..,$/ && $3 ~ /^0x..$/ {
			sub(/,/, "", $2); sub(/^0x/, "", $3)
			print tolower($2 $3) " " $1 }' | sort -u -k1,1 >"$tmp/gnutls"
	check gnutls "$tmp/gnutls"
else
	echo "SKIP: ciphers vs gnutls: no gnutls-cli"
fi
