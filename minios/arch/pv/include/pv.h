/*
 * pv arch services beyond arch.h, for the pv-only apps (attack, share, domctl): the
 * start_info page, trap hooks, fault probes and entering virtual user mode.
 */
#ifndef MINIOS_PV_H
#define MINIOS_PV_H

#include <stdnoreturn.h>

#include "guestlib/hypercall.h"
#include "guestlib/pv.h"

const start_info_t *pv_start_info(void);

/* Console output: by default arch_console_write() is console_io(CONSOLEIO_write) (the
 * VMM prefixes and prints it). A sink replaces that for every later write (the console
 * ring of a split-driver guest, dom0's console multiplexer); NULL restores it.
 * gl_console_io_write() (guestlib/pv.h) is the console_io path itself, for sinks that fall
 * back to it. */
typedef void (*pv_console_sink_t)(const char *buf, size_t len);
void pv_set_console_sink(pv_console_sink_t sink);

/* The trap table mini-OS installed (XA_TRAP_COUNT entries), e.g. to install a copy
 * without some handler. */
const uint32_t *pv_trap_table(void);

/* A trap the kernel did not expect: syscall (XA_TRAP_SWI from virtual user mode), abort
 * or undefined instruction. A hook returns true if it dealt with the trap (it may edit
 * the frame, which is then restored); false means fatal. vfar/vfsr are vcpu_info's. */
typedef bool (*pv_trap_hook_t)(xa_trap_frame_t *frame, unsigned int kind, uint32_t vfar, uint32_t vfsr);
void pv_set_trap_hook(pv_trap_hook_t hook);

/* Expected faults: while armed, the next data abort is recorded and the faulting
 * instruction skipped (its destination register, if a load, reads PV_PROBE_FAULTED). */
#define PV_PROBE_FAULTED 0xFA017EDU
struct pv_fault_record {
    bool hit;
    uint32_t pc, vfar, vfsr;
};
void pv_expect_fault(struct pv_fault_record *record);
/* A single ldr/str each (head.S), so a fault skips exactly that instruction. */
uint32_t pv_probe_read(uint32_t addr);
void pv_probe_write(uint32_t addr, uint32_t value);

/* Enters virtual user mode at pc with sp and r1 = arg (restore_trap_frame with a user
 * vpsr, upcalls unmasked); traps from there land on this thread's stack (vcpu_info.vksp).
 * Returns when a trap hook calls pv_user_return(value), with upcalls masked. */
int pv_enter_user(uint32_t pc, uint32_t sp, uint32_t arg);
/* From a trap hook: abandons the user context and resumes pv_enter_user's caller. */
noreturn void pv_user_return(int value);
/* Position-independent user code: `swi #0` (a syscall), then a load from r1, then a loop. */
extern const char pv_user_blob[], pv_user_blob_end[];

#endif /* MINIOS_PV_H */
