/*
 * µC/OS-II port for the ARM926EJ-S (ARMv5TEJ, ARM state, GNU toolchain), in two flavours
 * selected at build time:
 *
 *   UCOS_PORT_XEN_ARM  a paravirtual guest of xen-arm. The kernel runs in ARM USR mode in the
 *                      VMM's virtual kernel mode. "Interrupts" are event upcalls; the
 *                      interrupt mask is vcpu_info.evtchn_upcall_mask in the shared_info page
 *                      (hypercalls/xen-arm/shared_info.h), not the CPSR I bit, and unmasking
 *                      re-checks evtchn_upcall_pending so an event that arrived while masked
 *                      is delivered at once. The tick is VIRQ_TIMER (set_timer_op); the
 *                      upcall entry wraps its handler in the OSIntEnter/OSIntExit protocol, so
 *                      a tick can preempt a task. No device is touched.
 *   UCOS_PORT_NATIVE   the same port on the bare board (SVC mode, CPSR I/F bits, the board's
 *                      timer interrupt): the baseline the paravirtual port is measured against.
 *
 * This is an independent port written for this project; it follows the port contract of
 * µC/OS-II v2.9x (names, types, critical method 3) so that it builds unchanged with the real
 * kernel sources and with the compatible kernel in ucos-port/kernel.
 *
 * Task context (the word OSTCBStkPtr points at), identical in both flavours and identical to
 * xen-arm's struct xa_trap_frame, so an upcall frame written by the VMM *is* a task context:
 *
 *     +0  r0 .. r12     +52 sp     +56 lr     +60 pc     +64 psr
 *
 * psr is the virtual PSR (pv: mode 0x13 virtual kernel / 0x10 virtual user, bit 7 = upcalls
 * masked, N Z C V) or the real CPSR (native: SVC mode). Frames are 8-byte aligned; sp is the
 * task's stack pointer to resume with (above the frame).
 */
#ifndef OS_CPU_H
#define OS_CPU_H

#if defined(UCOS_PORT_XEN_ARM) == defined(UCOS_PORT_NATIVE)
#error "os_cpu.h: define exactly one of UCOS_PORT_XEN_ARM and UCOS_PORT_NATIVE"
#endif

/* ---- constants, also for os_cpu_a.S ---- */
#define OS_CRITICAL_METHOD 3u /* critical sections keep the state in a local cpu_sr */
#define OS_STK_GROWTH 1u      /* stacks grow from high to low addresses */

/* The context frame (byte offsets). */
#define OS_CPU_FRAME_SP 52
#define OS_CPU_FRAME_LR 56
#define OS_CPU_FRAME_PC 60
#define OS_CPU_FRAME_PSR 64
#define OS_CPU_FRAME_SIZE 68
#define OS_CPU_FRAME_WORDS 17

#define OS_CPU_PSR_MODE_MASK 0x1F
#define OS_CPU_PSR_MODE_KERNEL 0x13 /* pv: virtual kernel mode; native: SVC */
#define OS_CPU_PSR_MODE_USER 0x10   /* pv only: virtual user mode */
#define OS_CPU_PSR_I 0x80           /* pv: upcalls masked; native: IRQ masked */
#define OS_CPU_PSR_F 0x40           /* native: FIQ masked */
#define OS_CPU_PSR_FLAGS 0xF0000000 /* N Z C V */

/* Exception kinds handed to OS_CPU_ExceptHndlr(): the ARM vector numbers, which are also
 * xen-arm's trap-table indices (hypercalls/xen-arm/trap.h). */
#define OS_CPU_ARM_EXCEPT_UNDEF 1
#define OS_CPU_ARM_EXCEPT_SWI 2
#define OS_CPU_ARM_EXCEPT_PABT 3
#define OS_CPU_ARM_EXCEPT_DABT 4
#define OS_CPU_ARM_EXCEPT_IRQ 6
#define OS_CPU_ARM_EXCEPT_FIQ 7

/* Handlers run on a stack of their own (OS_STK entries). */
#define OS_CPU_EXCEPT_STK_SIZE 1024

/*
 * Port extension, paravirtual flavour only: a task that runs in virtual user mode, where the
 * guest kernel's pages are out of reach (the VMM loads DACR 0x55 with it). Create it with
 * OSTaskCreateExt(entry, &start, ptos, prio, id, pbos, size, pext, OS_TASK_OPT_USER_MODE):
 * entry is the address of its code in the guest user region (XA_GUEST_USER_BASE..), start
 * (an OS_CPU_USER_START) says what it gets in r0 and which user-accessible stack it runs on.
 * The task's own OS_STK stack becomes its kernel stack: system calls (`swi`), aborts and
 * upcalls taken in user mode land there (vcpu_info.vksp follows the running task).
 */
#define OS_TASK_OPT_USER_MODE 0x0100

/*
 * Port extension, paravirtual flavour only: task checkpoints (after the fault-tolerance
 * paper's per-task active and backup copies). A virtual-user-mode task created with
 * OS_TASK_OPT_USER_MODE | OS_TASK_OPT_CHECKPOINT and pext = an OS_CPU_TASK_CKPT declares its
 * region: the memory it changes (its user stack, its data), at most OS_CPU_CKPT_REGIONS
 * ranges given at the task's own (user) addresses, and a backup as large as they are
 * together, out of the task's reach (kernel memory). The port copies through the region's
 * user addresses (virtual kernel mode reaches them): the ARM926's caches are virtually
 * indexed, and a copy through a kernel alias of the same frames could meet stale lines.
 * The port copies the region into the backup, with the task's user-mode registers,
 * when the task is created (its initial state: the region must be mapped by then) and each time a system call returns to it
 * (except BSP_SYS_ROLLBACKS, which changes nothing). Why there: the task's only effects
 * outside its region are its system calls, so a rollback never repeats one (no line printed
 * twice, no delay taken twice, e.g. a checkpoint at each OSTimeDly of a periodic task); and
 * the task knows where its checkpoints are, so it can test for a replay after the last one
 * (a checkpoint when it is preempted would keep registers that already hold an answer).
 * The work a rollback loses is the user-mode computation since the last system call.
 *
 * A data abort, prefetch abort or undefined instruction in the task's user mode puts the
 * backup back into the region and the registers into its context, and the task goes on from
 * there (the port prints "ucos: task N 'name' rolled back after ..."). After
 * OS_CPU_TASK_FAULT_LIMIT rollbacks within OS_CPU_TASK_FAULT_WINDOW ticks, the next fault is
 * left to what handles faults of a task without a region (the BSP's fault hook, else the
 * fatal report), and the task's checkpoints end. The rollback count lives in the
 * descriptor, outside the region: the task asks for it (BSP_SYS_ROLLBACKS) to tell a replay.
 */
#define OS_TASK_OPT_CHECKPOINT 0x0200
#define OS_CPU_CKPT_REGIONS 2
#define OS_CPU_TASK_FAULT_LIMIT 3u
#define OS_CPU_TASK_FAULT_WINDOW 100u /* ticks */

#ifndef __ASSEMBLER__

#ifdef OS_CPU_GLOBALS
#define OS_CPU_EXT
#else
#define OS_CPU_EXT extern
#endif

/* ---- data types ---- */
typedef unsigned char BOOLEAN;
typedef unsigned char INT8U;
typedef signed char INT8S;
typedef unsigned short INT16U;
typedef signed short INT16S;
typedef unsigned int INT32U;
typedef signed int INT32S;
typedef unsigned long long INT64U;
typedef signed long long INT64S;
typedef float FP32;
typedef double FP64;

typedef unsigned int OS_STK;    /* stack entry: 32 bits */
typedef unsigned int OS_CPU_SR; /* saved interrupt state (method 3) */

/* ---- critical sections (method 3) and the task-level switch ---- */
#define OS_ENTER_CRITICAL()                                                                                            \
    do {                                                                                                               \
        cpu_sr = OS_CPU_SR_Save();                                                                                     \
    } while (0)
#define OS_EXIT_CRITICAL()                                                                                             \
    do {                                                                                                               \
        OS_CPU_SR_Restore(cpu_sr);                                                                                     \
    } while (0)
#define OS_TASK_SW() OSCtxSw()

/* A task context, as OSTCBStkPtr points at it. */
typedef struct os_cpu_frame {
    INT32U r[13];
    INT32U sp;
    INT32U lr;
    INT32U pc;
    INT32U psr;
} OS_CPU_FRAME;

/* What a virtual-user-mode task starts with (see OS_TASK_OPT_USER_MODE). */
typedef struct os_cpu_user_start {
    void *arg; /* r0 */
    INT32U sp; /* user stack pointer (8-byte aligned, in a user-accessible page) */
} OS_CPU_USER_START;

/* A task's checkpoint (OS_TASK_OPT_CHECKPOINT): the creator fills in region and backup; the
 * port owns the rest (zero it). */
typedef struct os_cpu_region {
    void *base;
    INT32U size; /* 0: unused */
} OS_CPU_REGION;

typedef struct os_cpu_task_ckpt {
    OS_CPU_REGION region[OS_CPU_CKPT_REGIONS];
    void *backup;       /* at least the regions' total size; not in any region */
    INT32U backup_size; /* bytes */
    /* the port's */
    OS_CPU_FRAME frame; /* the user-mode registers at the checkpoint */
    INT32U checkpoints; /* taken */
    INT32U rollbacks;   /* done */
    INT32U window_tick; /* OSTime at the first rollback of the current failure window */
    INT32U window_rollbacks;
} OS_CPU_TASK_CKPT;

/* ---- os_cpu_a.S ---- */
OS_CPU_SR OS_CPU_SR_Save(void);           /* returns the old mask, masks */
void OS_CPU_SR_Restore(OS_CPU_SR cpu_sr); /* pv: delivers a pending upcall on unmask */

void OSStartHighRdy(void);
void OSCtxSw(void);
void OSIntCtxSw(void);

/* The ARM ports' interrupt-mask helpers; here they act on the (virtual) IRQ mask. */
void OS_CPU_SR_INT_Dis(void);
void OS_CPU_SR_INT_En(void);
void OS_CPU_SR_IRQ_Dis(void);
void OS_CPU_SR_IRQ_En(void);

/*
 * The board or VMM side (the BSP, ucos-port/bsp). Every upcall, interrupt, abort and
 * undefined instruction is handed to OS_CPU_ExceptHndlr(kind) with interrupts masked and,
 * once the kernel runs, OSIntNesting raised, so that OSIntExit() after it may switch tasks.
 * OS_CPU_ExceptFrame is the interrupted context meanwhile (a handler may edit it).
 * pv: a system call from a virtual-user-mode task runs OS_CPU_SyscallHndlr(frame) as that
 * task, on its kernel stack; it may block.
 */
void OS_CPU_ExceptHndlr(INT32U kind);

/*
 * Idle accounting. The idle hook does not spin: it blocks the domain (pv) or waits for an
 * interrupt (native), so the kernel's OSIdleCtr++ counts wake-ups, not idle time. The BSP
 * measures how long the idle task waited and credits it here (interrupts masked), before
 * the wake-up's interrupt handler runs: OSIdleCtr gains one count per
 * OS_CPU_IDLE_CTR_NS of idle time (the remainder is carried to the next call), so that
 * OSStatInit() calibrates about 100 000 counts per 100 ms of a fully idle CPU and
 * OS_TaskStat() reports the real usage, with either kernel.
 */
#define OS_CPU_IDLE_CTR_NS 1000u
void OS_CPU_IdleCredit(INT64U idle_ns);
/* The hook's statistics for the tests: wake-ups, and the idle time credited (ns). */
OS_CPU_EXT INT32U OS_CPU_IdleWakeups;
OS_CPU_EXT INT64U OS_CPU_IdleNs;
void OS_CPU_SyscallHndlr(OS_CPU_FRAME *frame);
/* Task checkpoints (pv; os_cpu_c.c). The BSP calls OS_CPU_TaskCheckpoint as a system call
 * returns to the current task with `frame` (masked), and OS_CPU_TaskFault for an abort or
 * undefined instruction (interrupt context), which returns nonzero if it rolled the current
 * task back (its context, `frame`, is then the checkpoint's). OS_CPU_TaskRollbacks: the
 * current task's rollbacks so far. */
void OS_CPU_TaskCheckpoint(const OS_CPU_FRAME *frame);
int OS_CPU_TaskFault(INT32U kind, OS_CPU_FRAME *frame, INT32U far, INT32U fsr);
INT32U OS_CPU_TaskRollbacks(void);
OS_CPU_EXT OS_CPU_FRAME *OS_CPU_ExceptFrame;
OS_CPU_EXT OS_STK OS_CPU_ExceptStk[OS_CPU_EXCEPT_STK_SIZE] __attribute__((aligned(8)));

#endif /* !__ASSEMBLER__ */

#endif /* OS_CPU_H */
