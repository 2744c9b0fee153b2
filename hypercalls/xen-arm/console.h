/*
 * xen-arm console_io and xen_version (Xen numbering).
 *
 * console_io(r0 = CONSOLEIO_write, r1 = count, r2 = guest address of the bytes):
 *   writes to the VMM console, line-buffered per domain and printed with the domain's name
 *   as prefix ("[name] text"); count 0..XA_CONSOLEIO_MAX. Returns the bytes taken, which
 *   may be fewer than count: a call stops once it has put XA_CONSOLEIO_WRITE_BUDGET bytes
 *   on the console (the VMM keeps interrupts masked while it prints), so write the rest
 *   with further calls. At least one byte is taken when count > 0.
 * console_io(r0 = CONSOLEIO_read, r1 = count, r2 = buffer): console input for the domain
 *   that owns it (dom0); returns the bytes read (0 if none), -EPERM for other domains.
 *   Input raises VIRQ_CONSOLE in dom0 (bind it with EVTCHNOP_bind_virq): on the event,
 *   read until the call returns less than count; the next byte raises it again.
 * console_io(r0 = XA_CONSOLEIO_write_raw, r1 = count, r2 = bytes): xen-arm specific, for
 *   the privileged domain (dom0) only (-EPERM otherwise): the bytes go to the console as
 *   they are, with no prefix and no line buffering ('\n' is sent as "\r\n", as in the
 *   VMM's own lines); returns the bytes taken, at most XA_CONSOLEIO_WRITE_BUDGET per call,
 *   so write the rest with further calls. dom0's console
 *   multiplexer uses it to print every domain's lines with that domain's own prefix.
 *
 * xen_version(r0 = XENVER_*, r1 = guest address of the result or 0):
 *   XENVER_version       returns major << 16 | minor
 *   XENVER_extraversion  fills xen_extraversion_t (e.g. ".1-xen-arm")
 *   XENVER_capabilities  fills xen_capabilities_info_t ("xen-arm-armv5-pv")
 *   XENVER_pagesize      returns 4096
 *   XENVER_get_features  fills struct xen_feature_info (no feature bits on xen-arm yet)
 */
#ifndef XEN_ARM_CONSOLE_H
#define XEN_ARM_CONSOLE_H

#include "abi.h"

#define CONSOLEIO_write 0
#define CONSOLEIO_read 1
#define XA_CONSOLEIO_write_raw 0x100 /* not Xen's: outside its numbering */
#define XA_CONSOLEIO_MAX 4096U
/* Console bytes one console_io write may print before it returns a partial count. */
#define XA_CONSOLEIO_WRITE_BUDGET 128U

#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_capabilities 3
#define XENVER_get_features 6
#define XENVER_pagesize 7

typedef char xen_extraversion_t[16];
typedef char xen_capabilities_info_t[1024];

struct xen_feature_info {
    uint32_t submap_idx; /* IN */
    uint32_t submap;     /* OUT */
};
XA_ABI_SIZE(struct xen_feature_info, 8);

#endif /* XEN_ARM_CONSOLE_H */
