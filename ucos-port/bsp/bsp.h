/*
 * The board support package of the µC/OS-II guests: what sits under the kernel and the port
 * and is not part of µC/OS-II's API. Two implementations:
 *
 *   bsp/xen-arm  a paravirtual guest of xen-arm: start_info, the trap table, event channels
 *                (VIRQ_TIMER for the tick), console_io, sched_op; no device access at all.
 *   bsp/native   the bare board: guestlib's board drivers (guestlib/board/<board>.c:
 *                interrupt controller, one-shot timer, UART), boot map and semihosting.
 *
 * bsp/lib.c (both): the console's printf, the command line's options, .bss. Formatting
 * (snprintf), strings and the command-line parser are guestlib's (guestlib/README.md).
 */
#ifndef UCOS_BSP_H
#define UCOS_BSP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "guestlib/format.h"
#include "guestlib/string.h"
#include "os_cpu.h"

/* ---- start ---- */
/* The application: called once by the BSP with interrupts masked; creates tasks and calls
 * OSStart(). (apps/main.c.) */
void app_main(void);

/* "pv" or "native <board>"; the domain's (board's) name; the domain id (0 natively); the
 * command line ("app=NAME key=value ..."). */
const char *BSP_Kind(void);
const char *BSP_Name(void);
unsigned int BSP_DomId(void);
const char *BSP_CmdLine(void);
int BSP_IsPv(void);

/* ---- console: each call is one write, so lines of concurrent tasks do not mix ---- */
void BSP_Printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void BSP_Write(const char *buf, size_t len);

/* ---- time ---- */
/* Starts the µC/OS-II tick: OSTimeTick() every 1/OS_TICKS_PER_SEC s of virtual time, from
 * the upcall (pv: VIRQ_TIMER of set_timer_op) or the timer interrupt (native). Ticks missed
 * while the domain was not running are made up when it runs again. */
void BSP_TickStart(void);
/* Nanoseconds of system time. pv: vcpu_info.system_time_ns (updated by the VMM on each of
 * its ticks, on each switch to the domain and with each VIRQ_TIMER); native: the board
 * clock. */
uint64_t BSP_TimeNs(void);
/* The time at which the most recent OSTimeTick() was due. */
uint64_t BSP_LastTickNs(void);
/* System time now, exactly (BSP_TimeNs()'s clock, which on pv is only as new as the VMM's
 * last publication). pv: the domain's runstate times (vcpu_op get_runstate_info, which the
 * VMM computes from its clock at the call) plus the system time at which the domain was
 * built, worked out at start from its first running stretch (never below the truth, so a
 * measured finish is never early); native: the board clock. */
uint64_t BSP_NowNs(void);
/* A one-shot alarm beside the tick, for applications whose events are finer than it: at
 * system time deadline_ns (or at once, if that has passed) hook() runs in interrupt
 * context, masked, where it may post to tasks and set the next alarm. A call replaces the
 * alarm set before; deadline_ns 0 cancels it. pv: the same VIRQ_TIMER and set_timer_op as
 * the tick, armed at whichever is earlier; native: the same one-shot board timer. */
void BSP_AlarmSet(uint64_t deadline_ns, void (*hook)(void));
/* The tick and the alarm (timebase.c) over each flavour's one timer: bsp_timer_program
 * arms it for deadline_ns (0: nothing due) and returns 0 if that has already passed;
 * bsp_timer_enable lets its interrupt in; the flavour's interrupt path calls
 * bsp_timer_event. All masked. */
int bsp_timer_program(uint64_t deadline_ns);
void bsp_timer_enable(void);
void bsp_timer_event(void);
/* Busy for `ns` of this CPU's time, without blocking (a known load for the statistics
 * tests). pv: the domain's RUNSTATE_running time (vcpu_op get_runstate_info), as
 * system_time_ns only moves when the VMM publishes it; native: the board clock. */
void BSP_SpinNs(uint32_t ns);
/* A timestamped marker for measurements. pv: the trace_marker hypercall (the VMM prints
 * "xen-arm: trace domD marker 0xTAG at T ns" with its own clock); native: kept in a table
 * that BSP_MarksPrint() prints as "mark 0xTAG at T ns". */
void BSP_Mark(uint32_t tag);
/* The trace protocol (hypercalls/xen-arm/trace.h): task `id` goes on the CPU. pv: a store
 * to its slot of the domain's trace page; native: nothing (no trace page is mapped). */
void BSP_TraceTask(uint32_t id);
void BSP_MarksPrint(void);

/* ---- end ---- */
/* 0: clean (pv SHUTDOWN_poweroff, native exit 0); else pv SHUTDOWN_crash / native exit. */
__attribute__((noreturn)) void BSP_Exit(int status);

/* ---- for the port (os_cpu_c.c) ---- */
/* The idle task's wait: block until an event (pv: sched_op block, which unmasks upcalls
 * atomically; native: wait for interrupt). Returns with interrupts enabled. The time waited
 * goes to OS_CPU_IdleCredit() before the interrupt or upcall that ends the wait runs (pv:
 * the domain's blocked time from the VMM's runstate accounting; native: the board clock). */
void BSP_Idle(void);
/* pv: vcpu_info.vksp, the stack for traps from virtual user mode; native: nothing. */
void BSP_SetKernelStack(uint32_t ksp);

/* ---- faults ---- */
/* Called from OS_CPU_ExceptHndlr() for an abort or undefined instruction, in interrupt
 * context (OSIntNesting > 0 once the kernel runs). far/fsr: the virtual (pv) or real fault
 * address and status. Returns nonzero if it dealt with the fault (the interrupted context
 * is then resumed, or another task if the hook suspended or readied something); zero makes
 * the fault fatal: the BSP reports it and stops the guest. */
typedef int (*BSP_FaultHook)(uint32_t kind, OS_CPU_FRAME *frame, uint32_t far, uint32_t fsr);
void BSP_SetFaultHook(BSP_FaultHook hook);
const char *BSP_ExceptName(uint32_t kind);

/* ---- virtual user mode (pv only; natively these fail) ---- */
/* Maps the kernel page `page` (4 KiB aligned, ours) also at user_va, user read-write.
 * Returns 0 or a negative xen error. */
int BSP_MapUserPage(uint32_t user_va, void *page);
/* System calls from a user-mode task: `swi #0` with r0 = number, r1 = argument; result in
 * r0. */
#define BSP_SYS_PUTS 1u  /* r1 = NUL-terminated string (user memory, < 128 bytes) */
#define BSP_SYS_DELAY 2u /* r1 = ticks: OSTimeDly() */
#define BSP_SYS_EXIT 3u  /* the task deletes itself */
/* r0 = how many times the port rolled the task back (os_cpu.h, OS_TASK_OPT_CHECKPOINT); the
 * one system call after which the port takes no checkpoint. */
#define BSP_SYS_ROLLBACKS 4u
/* Position-independent user code (bsp/xen-arm/entry.S), started with r0 = the user address
 * of its struct bsp_user_data: says hello twice, 2 ticks apart, spins ~10M instructions
 * (ticks preempt it in user mode), then takes `steps` steps, each acc = acc * 33 ^ step in
 * its data and a one-tick delay. At step `fault_at` it prints `says` and faults: `kind` 0 a
 * store to `target` (a data abort, for a kernel address), 1 an undefined instruction, 2 a
 * jump to `target` (a prefetch abort); with `every` 0 only when BSP_SYS_ROLLBACKS says it is
 * no replay, else every time. Then it exits. */
struct bsp_user_data {
    uint32_t target;
    uint32_t kind;
    uint32_t every;
    uint32_t fault_at; /* 0: never */
    uint32_t steps;
    uint32_t step; /* the steps done */
    uint32_t acc;
    char says[48];
};
#define BSP_USER_FAULT_DATA 0u
#define BSP_USER_FAULT_UNDEF 1u
#define BSP_USER_FAULT_PREFETCH 2u
extern const char bsp_user_blob[], bsp_user_blob_end[];
/* The fault campaign's workload (apps/work.c, bsp/xen-arm/entry.S): position-independent
 * user code started with r0 = the user address of a struct bsp_work_data; rounds over its
 * words, each verified by a checksum and reported by BSP_SYS_ROUND_OK / BSP_SYS_ROUND_BAD
 * (r1 = the round), forever. */
#define BSP_SYS_ROUND_OK 5u
#define BSP_SYS_ROUND_BAD 6u
#define BSP_WORK_WORDS 1000u
struct bsp_work_data {
    uint32_t round;
    uint32_t words[BSP_WORK_WORDS];
};
extern const char bsp_work_blob[], bsp_work_blob_end[];
/* What the kernel does with a BSP_SYS_ROUND_* system call (apps/work.c sets it). */
typedef void (*BSP_RoundHook)(uint32_t round, int ok);
void BSP_SetRoundHook(BSP_RoundHook hook);

/* ---- fault tolerance ---- */
/* How many times the VMM has rolled this domain back to a checkpoint (pv: XA_DOMCTL_ftinfo
 * about itself; 0 without fault_tolerance = vm, and natively): a count kept outside the
 * domain's memory, so a rolled-back guest can tell that it replays. */
int BSP_DomainRollbacks(void);
/* Asks the VMM for a checkpoint of this domain now (pv: XA_DOMCTL_checkpoint about itself,
 * for `checkpoint = manual`): 0 taken, 1 resumed by a rollback to it, negative: none
 * (natively, or without fault_tolerance = vm). */
int BSP_DomainCheckpoint(void);

/* ---- lib.c ---- */
/* Zeroes .bss: the first thing the BSP's C entry does (its stack is not in .bss). */
void bsp_clear_bss(void);
/* The value of key=... on the command line (copied into buf), or NULL. */
const char *BSP_ArgStr(const char *key, char *buf, size_t size);
/* The numeric (decimal or 0x hex) value of key=..., or def (also when it is no number). */
INT32U BSP_ArgU32(const char *key, INT32U def);

#endif /* UCOS_BSP_H */
