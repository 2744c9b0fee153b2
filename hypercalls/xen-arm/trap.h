/*
 * xen-arm virtual CPU: the trap table, the virtual PSR and the trap frame that the VMM
 * pushes when it bounces a trap (syscall, abort, undefined instruction, event upcall) to
 * the guest kernel. xen-arm specific (Xen-ARM's ARMv5 ABI in spirit; see README.md).
 *
 * Virtual privilege modes. Guest kernel and guest user both run in the CPU's USR mode; the
 * VMM keeps a virtual mode per vCPU and switches the DACR with it (kernel: guest-kernel
 * pages reachable; user: not). The guest sees its virtual mode in the virtual PSR:
 *   bits [4:0] XA_VPSR_MODE_KERNEL or XA_VPSR_MODE_USER
 *   bit  7     XA_VPSR_I: upcalls masked (mirrors vcpu_info.evtchn_upcall_mask)
 *   bits [31:28] the condition flags N Z C V of the interrupted code
 * Every other bit reads as zero and is ignored on restore.
 *
 * A bounce, for trap kind K with handler trap_table[K] != 0:
 *   1. stack = the interrupted sp if the guest was in virtual kernel mode, else vcpu_info.vksp
 *      (the interrupted user sp is saved in the frame and in vcpu_info.vusp);
 *   2. the VMM writes a struct xa_trap_frame at stack - sizeof(frame), 8-byte aligned down;
 *   3. vcpu_info.vspsr = the frame's vpsr; for aborts vfar/vfsr are set (below);
 *   4. the guest enters trap_table[K] in virtual kernel mode with upcalls masked,
 *      r0 = sp = the frame's address, r1 = K, lr = 0.
 * The handler returns with restore_trap_frame(frame): the VMM reloads every register from
 * the frame, the virtual mode and upcall mask from its vpsr, and continues there. If the
 * restored state has upcalls unmasked and one pending, the IRQ entry is taken at once.
 *
 * Fault registers (the guest cannot read CP15):
 *   data abort:     vfar = faulting data address, vfsr = DFSR (status in [3:0], domain [7:4])
 *   prefetch abort: vfar = faulting instruction address, vfsr = IFSR
 * A trap kind whose handler is 0, a fault while the VMM writes the frame (bad kernel
 * stack), or a trap taken in virtual kernel mode with upcalls masked for an abort or
 * undefined instruction (the handler itself faulted) crashes the domain, with a report.
 */
#ifndef XEN_ARM_TRAP_H
#define XEN_ARM_TRAP_H

#include "abi.h"

/* Trap kinds: indices into the trap table (the ARM vector order). */
#define XA_TRAP_RESET 0    /* unused */
#define XA_TRAP_UNDEF 1    /* undefined instruction */
#define XA_TRAP_SWI 2      /* SWI from virtual user mode: a system call */
#define XA_TRAP_PABT 3     /* prefetch abort */
#define XA_TRAP_DABT 4     /* data abort */
#define XA_TRAP_RESERVED 5 /* unused */
#define XA_TRAP_IRQ 6      /* event upcall (evtchn_upcall_pending and not masked) */
#define XA_TRAP_FIQ 7      /* unused */
#define XA_TRAP_COUNT 8

/* set_trap_table(r0 = guest address of uint32_t table[XA_TRAP_COUNT]): each entry is a
 * handler address (4-byte aligned, inside the guest kernel region) or 0 for none. */

/* The virtual PSR. */
#define XA_VPSR_MODE_MASK 0x1FU
#define XA_VPSR_MODE_USER 0x10U /* the same values as ARM's USR and SVC modes */
#define XA_VPSR_MODE_KERNEL 0x13U
#define XA_VPSR_I 0x80U
#define XA_VPSR_FLAGS 0xF0000000U /* N Z C V */

/* struct xa_trap_frame for assembly (tied to the struct by the asserts below). */
#define XA_TRAP_FRAME_SP 52
#define XA_TRAP_FRAME_LR 56
#define XA_TRAP_FRAME_PC 60
#define XA_TRAP_FRAME_VPSR 64
#define XA_TRAP_FRAME_SIZE 68

#ifndef __ASSEMBLER__
/* What the VMM saves of an interrupted guest context. Same layout as the VMM's own
 * exception frame, so a bounce is a copy. */
struct xa_trap_frame {
    uint32_t r[13]; /* r0-r12 */
    uint32_t sp;    /* sp of the interrupted virtual mode */
    uint32_t lr;    /* lr of the interrupted code */
    uint32_t pc;    /* where to continue: the instruction after a SWI, the faulting
                       instruction for aborts and undef, the interrupted one for an upcall */
    uint32_t vpsr;  /* the interrupted virtual PSR */
};
typedef struct xa_trap_frame xa_trap_frame_t;
XA_ABI_SIZE(struct xa_trap_frame, XA_TRAP_FRAME_SIZE);
XA_ABI_OFFSET(struct xa_trap_frame, sp, XA_TRAP_FRAME_SP);
XA_ABI_OFFSET(struct xa_trap_frame, lr, XA_TRAP_FRAME_LR);
XA_ABI_OFFSET(struct xa_trap_frame, pc, XA_TRAP_FRAME_PC);
XA_ABI_OFFSET(struct xa_trap_frame, vpsr, XA_TRAP_FRAME_VPSR);

#endif /* !__ASSEMBLER__ */

/*
 * Trace markers: `swi #XA_TRACE_SWI(a, b)` (= swi #0xffffab, a = domain id, b = thread id,
 * one hex digit each) is accepted from either virtual mode and from native builds alike and
 * changes nothing in the guest's state: it exists to be seen in instruction traces. Every
 * SWI immediate >= XA_TRACE_SWI_BASE is such a marker.
 */
#define XA_TRACE_SWI_BASE 0xFFFF00U
#define XA_TRACE_SWI(dom, thread) (XA_TRACE_SWI_BASE | (((dom)&0xFU) << 4) | ((thread)&0xFU))

#endif /* XEN_ARM_TRAP_H */
