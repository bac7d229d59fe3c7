/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's version: MODULE_VERSION, the load message, and the
 * PACKAGE_VERSION of dkms.conf and mk/install.mk (both read this line with
 * sed, so keep it one #define with a quoted string).
 */
#ifndef _NF_CONNTRACK_TLS_VERSION_H
#define _NF_CONNTRACK_TLS_VERSION_H

#define NF_CT_TLS_VERSION "0.1.0"

#endif /* _NF_CONNTRACK_TLS_VERSION_H */
