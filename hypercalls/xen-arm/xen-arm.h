/* xen-arm guest ABI: everything a paravirtual guest kernel includes. */
#ifndef XEN_ARM_XEN_ARM_H
#define XEN_ARM_XEN_ARM_H

#include "abi.h"
#include "console.h"
#include "domctl.h"
#include "event_channel.h"
#include "grant_table.h"
#include "hypercall.h"
#include "memory.h"
#include "physdev.h"
#include "sched.h"
#include "shared_info.h"
#include "start_info.h"
#include "trace.h"
#include "trap.h"
#include "vcpu.h"

#endif /* XEN_ARM_XEN_ARM_H */
