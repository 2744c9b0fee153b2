/*
 * xen-arm vcpu_op (Xen numbering): vcpu_op(r0 = VCPUOP_*, r1 = vcpu id (0), r2 = guest
 * address of the argument).
 *   VCPUOP_is_up              returns 1 (the one vCPU always runs)
 *   VCPUOP_get_runstate_info  fills struct vcpu_runstate_info: nanoseconds of system time
 *                             spent in each RUNSTATE_* since the domain was built
 * Any vcpu id other than 0: -ENOENT.
 */
#ifndef XEN_ARM_VCPU_H
#define XEN_ARM_VCPU_H

#include "abi.h"

#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4

#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

struct vcpu_runstate_info {
    int32_t state; /* RUNSTATE_* now */
    uint32_t pad0;
    uint64_t state_entry_time; /* system time of the last state change */
    uint64_t time[4];          /* ns in each state */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
XA_ABI_SIZE(struct vcpu_runstate_info, 48);
XA_ABI_OFFSET(struct vcpu_runstate_info, time, 16);

#endif /* XEN_ARM_VCPU_H */
