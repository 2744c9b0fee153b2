/*
 * xen-arm console ring: the page start_info.console_mfn names (granted to dom0 as
 * GNTTAB_RESERVED_CONSOLE, notified through start_info.console_evtchn). Layout and
 * semantics of Xen's public io/console.h (struct xencons_interface), so the same page
 * would work with a Xen console backend:
 *
 *   out[2048]  guest -> dom0 bytes: the guest writes at out_prod, dom0 reads at out_cons
 *   in[1024]   dom0 -> guest bytes (console input): dom0 writes at in_prod
 *
 * Indices are free-running; the byte of index i is at i & (size - 1). The producer writes
 * the bytes, then (write barrier) the index, then notifies; the consumer reads the index,
 * (read barrier) the bytes, then (barrier) stores its consumer index. dom0 treats every
 * index as hostile: it never reads more than the ring holds (prod - cons > size is a
 * broken guest).
 */
#ifndef XEN_ARM_IO_CONSOLE_H
#define XEN_ARM_IO_CONSOLE_H

#include "../abi.h"

typedef uint32_t XENCONS_RING_IDX;

#define XENCONS_IN_SIZE 1024U
#define XENCONS_OUT_SIZE 2048U
#define MASK_XENCONS_IDX(idx, size) ((idx) & ((size)-1U))

struct xencons_interface {
    char in[XENCONS_IN_SIZE];
    char out[XENCONS_OUT_SIZE];
    XENCONS_RING_IDX in_cons, in_prod;
    XENCONS_RING_IDX out_cons, out_prod;
};
typedef struct xencons_interface xencons_interface_t;
XA_ABI_SIZE(struct xencons_interface, 3088);
XA_ABI_OFFSET(struct xencons_interface, out, 1024);
XA_ABI_OFFSET(struct xencons_interface, in_cons, 3072);
XA_ABI_OFFSET(struct xencons_interface, out_prod, 3084);

#endif /* XEN_ARM_IO_CONSOLE_H */
