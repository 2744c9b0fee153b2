/*
 * xen-arm physdev_op (Xen numbering): physdev_op(r0 = PHYSDEVOP_*, r1 = guest address of
 * the command's struct).
 *
 *   PHYSDEVOP_eoi  end of interrupt for a device passed through to the caller
 *                  (domctl.h, assign_device): unmasks its line, which the VMM masked when
 *                  it raised XA_VIRQ_PASSTHROUGH. -EPERM if the line is not the caller's.
 * Other commands: -ENOSYS.
 */
#ifndef XEN_ARM_PHYSDEV_H
#define XEN_ARM_PHYSDEV_H

#include "abi.h"

#define PHYSDEVOP_eoi 12

struct physdev_eoi {
    uint32_t irq; /* IN: the line assign_device reported */
};
typedef struct physdev_eoi physdev_eoi_t;
XA_ABI_SIZE(struct physdev_eoi, 4);

#endif /* XEN_ARM_PHYSDEV_H */
