/*
 * The register frame that the exception entry code in arch/arm saves on the stack of the
 * mode that took the exception, and that the C++ handlers read and may change.
 *
 * Included from assembly (offsets only) and from C++ (the struct, with static_asserts
 * tying it to the offsets), so the layout is written down exactly once.
 */
#ifndef XEN_ARM_TRAP_FRAME_H
#define XEN_ARM_TRAP_FRAME_H

#define TF_R0 0    /* r0-r12: 13 words */
#define TF_SP 52   /* sp of the interrupted mode */
#define TF_LR 56   /* lr of the interrupted mode */
#define TF_PC 60   /* where the exception returns to (already adjusted) */
#define TF_CPSR 64 /* the interrupted mode's CPSR (the exception mode's SPSR) */
#define TF_PAD 68  /* keeps frames 8-byte aligned (AAPCS stack alignment) */
#define TF_SIZE 72

/* Exception kinds, as passed to xa_exception() and xa_guest_trap(); they equal the guest
 * trap-table indices XA_TRAP_* (hypercalls/xen-arm/trap.h), which traps.cc asserts. */
#define XA_EXC_UNDEF 1
#define XA_EXC_SWI 2
#define XA_EXC_PABT 3
#define XA_EXC_DABT 4
#define XA_EXC_RESERVED 5
#define XA_EXC_IRQ 6 /* an IRQ taken while the VMM itself ran (a bug) */
#define XA_EXC_FIQ 7

/* ARM processor modes and PSR bits (ARM_MODE_*, ARM_PSR_*), shared with the guests. */
#include <arm926/cpu.h>

#ifndef __ASSEMBLER__
#include <stddef.h>

namespace xa {

struct TrapFrame {
    unsigned int r[13];
    unsigned int sp;
    unsigned int lr;
    unsigned int pc;
    unsigned int cpsr;
    unsigned int pad;  // not part of the guest-visible frame
};

static_assert(offsetof(TrapFrame, r) == TF_R0);
static_assert(offsetof(TrapFrame, sp) == TF_SP);
static_assert(offsetof(TrapFrame, lr) == TF_LR);
static_assert(offsetof(TrapFrame, pc) == TF_PC);
static_assert(offsetof(TrapFrame, cpsr) == TF_CPSR);
static_assert(sizeof(TrapFrame) == TF_SIZE);
static_assert(TF_SIZE % 8 == 0, "exception entry keeps the stack 8-byte aligned for C++");

}  // namespace xa
#endif

#endif
