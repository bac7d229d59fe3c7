/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run-time knobs of nf_conntrack_tls, each declared once:
 *
 *   NF_CT_TLS_KNOB(name, min, max, default, description)
 *
 * name is the field of struct nf_ct_tls_conf, the module parameter and,
 * prefixed with nf_conntrack_tls_, the sysctl under net.netfilter; every
 * knob is an int from min to max.  The struct, the defaults, the module
 * parameters, the sysctl template and nf_ct_tls_conf_read() are generated
 * from this list: define NF_CT_TLS_KNOB, then include this file (it undefines
 * the macro again).  It includes nothing, as it is expanded inside struct and
 * function bodies: nf_conntrack_tls.h brings the constants.  Adding a knob is
 * one line here.
 */

#ifndef NF_CT_TLS_KNOB
#error "define NF_CT_TLS_KNOB(name, min, max, def, desc) before including this file"
#endif

NF_CT_TLS_KNOB(lowrun_limit, 0, TLS_LOWRUN_MAX, TLS_LOWRUN_DEFAULT, "Kill a flow when this many bytes < 0x80 follow each other in encrypted records (0 = off, default 128, max 65535)")
NF_CT_TLS_KNOB(heartbeat, 0, TLS_HB_ALLOW, TLS_HB_VALIDATE, "Heartbeat policy: 0 = validate against RFC 6520 (default), 1 = drop every heartbeat, 2 = allow all")
NF_CT_TLS_KNOB(gap, 0, TLS_GAP_STOP, TLS_GAP_DROP, "Segment beyond a hole or flow joined mid-stream: 0 = drop it so the sender retransmits in order (default), 1 = stop inspecting the flow")
NF_CT_TLS_KNOB(audit, 0, 1, 0, "1 = audit mode: log and count violations but never drop (default 0)")
NF_CT_TLS_KNOB(handshake, 0, 1, TLS_HANDSHAKE_DEFAULT, "1 = validate the plaintext handshake messages: direction, framing, order, versions (default; data on a client's first SYN, TCP Fast Open, is dropped so the client resends it after the handshake); 0 = record layer only")
NF_CT_TLS_KNOB(min_version, 0, 4, 0, "Lowest protocol version a ServerHello may select, as the minor byte of its wire version: 0 = off (default), 1 = TLS 1.0, 2 = TLS 1.1, 3 = TLS 1.2 (RFC 8996), 4 = TLS 1.3; needs handshake=1")
NF_CT_TLS_KNOB(min_offer, 0, 1, 0, "1 = also kill at the ClientHello a client that offers no version at or above min_version (default 0)")
NF_CT_TLS_KNOB(ech, 0, 2, 0, "ClientHellos with encrypted_client_hello: 0 = allow (default), 1 = deny, 2 = require (browsers send GREASE ECH: present is no proof of real ECH)")
NF_CT_TLS_KNOB(no_sni, 0, 1, 0, "1 = kill a ClientHello without server_name (SSLv2-format hellos have none; default 0)")
NF_CT_TLS_KNOB(sni_ip, 0, 1, 0, "1 = kill a ClientHello whose server name is an IPv4/IPv6 literal (default 0)")
NF_CT_TLS_KNOB(sni_multi, 0, 1, 0, "1 = kill a ClientHello with more than one host_name in server_name (RFC 6066 allows one; default 0)")
NF_CT_TLS_KNOB(sni_odd, 0, 1, 0, "1 = kill a ClientHello whose server name has a byte outside [A-Za-z0-9.-_], or a name type other than host_name (default 0)")
NF_CT_TLS_KNOB(cipher_deny, 0, TLS_CC_ALL, 0, "Cipher-suite classes a ServerHello may not select, a sum of: 1 = NULL, 2 = EXPORT, 4 = anonymous, 8 = RC4, 16 = DES/3DES (default 0; 31 = all, BCP 195)")
NF_CT_TLS_KNOB(sslv2, 0, 1, 0, "1 = allow SSLv2 sessions (default 0; SSLv2-format ClientHellos offering TLS are always allowed)")
NF_CT_TLS_KNOB(log, 0, 1, 1, "1 = log each violation, rate-limited (default 1)")
NF_CT_TLS_KNOB(reset, 0, 1, 0, "1 = on a violation also send a TCP RST to both ends, so neither waits for a timeout (default 0: drop and kill only; needs nf_reject_ipv4/6)")
NF_CT_TLS_KNOB(ttl_floor, 0, 255, TLS_TTL_FLOOR_DEFAULT, "Drop stream bytes of inspected flows that leave with a TTL / hop limit below this: they could die before their receiver, unread by it (0 = off, default 8; set it to at least the hop count to the farthest inspected host)")
NF_CT_TLS_KNOB(dead_timeout, 1, 86400, 120, "Seconds a killed flow's conntrack entry stays after its last packet, every packet of it dropped (default 120)")

#undef NF_CT_TLS_KNOB
