# SPDX-License-Identifier: GPL-2.0
#
# The module's source files, listed here and nowhere else.  Read by Kbuild
# (so this file travels with the sources into build/kmod/KVER and the DKMS
# copy), by the top Makefile and mk/*.mk (userspace builds of the engine),
# by tests/kunit/Kbuild (through the src/ mirror of scripts/kunit.sh) and,
# as `make -s print-VAR`, by scripts/kunit.sh and scripts/style.sh.
#
# ENGINE_*: the record engine, pure C without kernel headers (module, unit
# tests, fuzzers, benchmarks, tls-replay, KUnit).  GLUE_*: the kernel side.

ENGINE_C := tls_parse.c tls_handshake.c heartbeat.c tls_seq.c tls_ciphers.c \
	    tls_rules.c tls_names.c
ENGINE_H := tls_types.h tls_parse.h tls_handshake.h tls_seq.h tls_engine.h \
	    tls_lowrun.h tls_seg_fast.h tls_ciphers.h tls_rules.h \
	    tls_names.h tls_tcp_rules.h
GLUE_C   := nf_conntrack_tls_main.c nf_conntrack_tls_net.c \
	    nf_conntrack_tls_reset.c nf_conntrack_tls_attach.c \
	    nf_conntrack_tls_state.c nf_conntrack_tls_names.c \
	    nf_conntrack_tls_suites.c
GLUE_H   := nf_conntrack_tls.h nf_conntrack_tls_knobs.h \
	    nf_conntrack_tls_compat.h version.h
