/*
 * The interface between mini-OS's common code and an arch layer.
 *
 * Two arch layers implement it:
 *   arch/pv      a paravirtual guest of xen-arm: runs in ARM USR mode, privileged
 *                operations are hypercalls (swi #N), events come from the VMM through
 *                the shared_info page, time is vcpu_info.system_time_ns;
 *   arch/native  directly on a board in SVC mode with the MMU on: a board UART, the board
 *                timer and interrupt controller, semihosting for the command line and exit.
 *                It keeps a shared_info page of its own and raises the timer interrupt as
 *                VIRQ_TIMER on it, so the common event code is the same in both.
 * arch/arm holds the assembly both share (thread switch, trace SWIs, atomic exchange).
 *
 * Each arch also provides "arch_irq.h" (in arch/<name>/include): local_irq_save(),
 * local_irq_restore(), local_irq_disable(), local_irq_enable(), irqs_disabled(). "IRQs"
 * there means event upcalls: vcpu_info.evtchn_upcall_mask in pv, the CPSR I bit natively.
 */
#ifndef MINIOS_ARCH_H
#define MINIOS_ARCH_H

#include <stdnoreturn.h>

#include <xen-arm/event_channel.h>
#include <xen-arm/shared_info.h>

#include "minios/os.h"

/* What the arch layer found out at boot, handed to start_kernel(). */
struct boot_info {
    const char *kind;     /* "pv" or "native <board>" */
    const char *name;     /* the domain's name (native: the board's) */
    const char *cmdline;  /* "app=NAME key=value ..." (may be empty) */
    unsigned int domid;   /* start_info.domid; 0 natively */
    bool privileged;      /* may use domctl (pv dom0) */
    uintptr_t heap_start; /* page-aligned free memory for the page allocator */
    uintptr_t heap_end;
    uint32_t mem_bytes;    /* all memory of the domain / board */
    uintptr_t reserved[2]; /* heap pages not to hand out (pv: store, console), or 0 */
};

/* Common entry, called by the arch layer on the boot stack with upcalls masked. The boot
 * context becomes the idle thread. */
noreturn void start_kernel(const struct boot_info *bi);

/* ---- console ---- */
/* Writes bytes to the console ('\n' ends a line). Safe from any context. */
void arch_console_write(const char *buf, size_t len);

/* ---- events ---- */
/* The shared_info page: the VMM's (pv) or the arch's own (native). */
shared_info_t *arch_shared_info(void);
/* EVTCHNOP_bind_virq for vCPU 0; 0 or -XEN_Exxx. Natively only VIRQ_TIMER exists. */
int arch_bind_virq(uint32_t virq, evtchn_port_t *port);
/* EVTCHNOP_send; 0 or -XEN_Exxx (natively: -XEN_ENOSYS, there is no other end). */
int arch_evtchn_send(evtchn_port_t port);
/* Called with upcalls unmasked when evtchn_upcall_pending is set: delivers the upcall
 * (pv: any hypercall; native: runs the callback directly). */
void arch_force_evtchn_callback(void);
/* Implemented by events.c; the arch calls it for each upcall, with upcalls masked. */
void do_hypervisor_callback(void);

/* ---- time ---- */
/* Nanoseconds of system time (pv: since the VMM booted; native: the board clock). */
uint64_t arch_now(void);
/* Raise VIRQ_TIMER once arch_now() >= deadline; 0 cancels. One timer, replaced on each
 * call. A deadline already past fires as soon as upcalls are unmasked. */
void arch_set_timer(uint64_t deadline);
/* Called with upcalls masked: waits until an event is pending (at once if one is),
 * unmasks and lets the upcall run. Returns with upcalls unmasked. */
void arch_block(void);

/* ---- end ---- */
/* status 0: clean exit (pv: SHUTDOWN_poweroff; native: semihosting exit 0); anything
 * else: failure (pv: SHUTDOWN_crash; native: semihosting exit with that status). */
noreturn void arch_exit(int status);

/* ---- tracing ---- */
/* pv: the trace_marker hypercall (the VMM logs tag with a timestamp); native: nothing. */
void arch_trace_marker(uint32_t tag);
/* Executes `swi #(XA_TRACE_SWI_BASE | code)`, code 0..255 (arch/arm/trace.S): seen in
 * instruction traces, no effect on the guest (the VMM, or the native SWI vector, just
 * returns). */
void arch_trace_swi(uint32_t code);

/* ---- threads (arch/arm/switch.S) ---- */
struct arch_context {
    uint32_t r4_r11[8];
    uint32_t sp;
    uint32_t pc;
};
/* Prepares ctx so that switching to it calls entry(arg) on the given stack. */
void arch_init_context(struct arch_context *ctx, void *stack_top, void (*entry)(void *), void *arg);
/* Saves the callee-saved state into prev and continues in next. */
void arch_switch_context(struct arch_context *prev, struct arch_context *next);

/* ---- atomics (arch/arm/atomic.S) ---- */
/* Swaps *p and value in one instruction (SWP): atomic with respect to the VMM, which only
 * runs between guest instructions, and to upcalls. ARMv5 has no LDREX/STREX. */
uint32_t arch_xchg(volatile uint32_t *p, uint32_t value);

/* ---- memory ---- */
/* Machine (physical) address of a kernel virtual address, and back. */
uint32_t arch_virt_to_mach(const void *va);
void *arch_mach_to_virt(uint32_t ma);

#include "arch_irq.h"

#endif /* MINIOS_ARCH_H */
