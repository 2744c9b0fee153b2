/*
 * µC/OS-II port for the ARM926EJ-S: the C half (see os_cpu.h). OSTaskStkInit() and the
 * hooks of the µC/OS-II v2.9x port contract. Written for this project.
 *
 * The hooks that differ between the flavours call into the BSP (ucos-port/bsp/bsp.h):
 * the idle hook blocks the virtual CPU (pv: sched_op(block), which unmasks atomically) or
 * waits for an interrupt (native), the BSP crediting the time it waited to OSIdleCtr
 * (OS_CPU_IdleCredit), and the switch hook keeps vcpu_info.vksp pointing at the
 * kernel stack of a virtual-user-mode task (pv).
 */
#define OS_CPU_GLOBALS
#include <ucos_ii.h>

#include "bsp.h"

/* The kernel stack top of each virtual-user-mode task, by TCB index (0: a kernel task). */
static INT32U os_cpu_task_ksp[OS_MAX_TASKS + OS_N_SYS_TASKS];
static INT32U os_cpu_user_tasks;

static unsigned int os_cpu_tcb_index(const OS_TCB *ptcb) { return (unsigned int)(ptcb - OSTCBTbl); }

#ifdef UCOS_PORT_XEN_ARM
/* ---- task checkpoints (os_cpu.h, OS_TASK_OPT_CHECKPOINT) ---- */

/* The checkpoint of each task that has one, by TCB index. */
static OS_CPU_TASK_CKPT *os_cpu_task_ckpt[OS_MAX_TASKS + OS_N_SYS_TASKS];

static int os_cpu_user_frame(const OS_CPU_FRAME *f) { return (f->psr & OS_CPU_PSR_MODE_MASK) == OS_CPU_PSR_MODE_USER; }

/* Regions that fit the backup, which overlaps none of them. */
static int os_cpu_ckpt_valid(const OS_CPU_TASK_CKPT *c)
{
    const INT32U b = (INT32U)c->backup;
    INT32U total = 0u;
    if (c->backup == (void *)0)
        return 0;
    for (unsigned int i = 0; i < OS_CPU_CKPT_REGIONS; i++) {
        const INT32U base = (INT32U)c->region[i].base, size = c->region[i].size;
        if (size == 0u)
            continue;
        if (base + size < base || size > c->backup_size - total || (base < b + c->backup_size && b < base + size))
            return 0;
        total += size;
    }
    return 1;
}

/* Region -> backup, and the registers the task resumes user mode with. */
static void os_cpu_ckpt_take(OS_CPU_TASK_CKPT *c, const OS_CPU_FRAME *f)
{
    INT8U *to = (INT8U *)c->backup;
    for (unsigned int i = 0; i < OS_CPU_CKPT_REGIONS; i++) {
        memcpy(to, c->region[i].base, c->region[i].size);
        to += c->region[i].size;
    }
    c->frame = *f;
    c->checkpoints++;
}

static void os_cpu_ckpt_restore(const OS_CPU_TASK_CKPT *c, OS_CPU_FRAME *f)
{
    const INT8U *from = (const INT8U *)c->backup;
    for (unsigned int i = 0; i < OS_CPU_CKPT_REGIONS; i++) {
        memcpy(c->region[i].base, from, c->region[i].size);
        from += c->region[i].size;
    }
    *f = c->frame;
}

/* A virtual-user-mode task with OS_TASK_OPT_CHECKPOINT is being created (its initial frame
 * is f): its first checkpoint, before it can run. */
static void os_cpu_ckpt_init(OS_TCB *ptcb, const OS_CPU_FRAME *f)
{
    OS_CPU_TASK_CKPT **slot = &os_cpu_task_ckpt[os_cpu_tcb_index(ptcb)];
    *slot = (OS_CPU_TASK_CKPT *)0;
#if OS_TASK_CREATE_EXT_EN > 0u
    OS_CPU_TASK_CKPT *c = (OS_CPU_TASK_CKPT *)ptcb->OSTCBExtPtr;
    if ((ptcb->OSTCBOpt & OS_TASK_OPT_CHECKPOINT) == 0u || !os_cpu_user_frame(f))
        return;
    if (c == (OS_CPU_TASK_CKPT *)0 || !os_cpu_ckpt_valid(c)) {
        BSP_Printf("ucos: task %u: its checkpoint region does not fit its backup; no checkpoints\n",
                   (unsigned int)ptcb->OSTCBPrio);
        return;
    }
    c->checkpoints = c->rollbacks = c->window_rollbacks = 0u;
    os_cpu_ckpt_take(c, f);
    *slot = c;
#else
    (void)f;
#endif
}

void OS_CPU_TaskCheckpoint(const OS_CPU_FRAME *frame)
{
    OS_CPU_TASK_CKPT *c = os_cpu_task_ckpt[os_cpu_tcb_index(OSTCBCur)];
    if (c != (OS_CPU_TASK_CKPT *)0 && os_cpu_user_frame(frame))
        os_cpu_ckpt_take(c, frame);
}

INT32U OS_CPU_TaskRollbacks(void)
{
    const OS_CPU_TASK_CKPT *c = os_cpu_task_ckpt[os_cpu_tcb_index(OSTCBCur)];
    return c != (OS_CPU_TASK_CKPT *)0 ? c->rollbacks : 0u;
}

/* Interrupt context: OSTCBCur took `kind` in virtual user mode (its context is `frame`). */
int OS_CPU_TaskFault(INT32U kind, OS_CPU_FRAME *frame, INT32U far, INT32U fsr)
{
    OS_CPU_TASK_CKPT **slot = &os_cpu_task_ckpt[os_cpu_tcb_index(OSTCBCur)];
    OS_CPU_TASK_CKPT *c = *slot;
    (void)fsr;
    if (c == (OS_CPU_TASK_CKPT *)0 || !os_cpu_user_frame(frame))
        return 0;
    const unsigned int prio = OSTCBCur->OSTCBPrio;
#if OS_TASK_NAME_EN > 0u
    const char *name = (const char *)OSTCBCur->OSTCBTaskName;
#else
    const char *name = "?";
#endif
    const INT32U now = OSTimeGet();
    if (c->window_rollbacks == 0u || now - c->window_tick >= OS_CPU_TASK_FAULT_WINDOW) {
        c->window_tick = now;
        c->window_rollbacks = 0u;
    }
    if (c->window_rollbacks >= OS_CPU_TASK_FAULT_LIMIT) {
        /* It faults again whatever we restore: no loop. From here on it is a task without
         * a region (whose faults the BSP's hook or fatal report take). */
        *slot = (OS_CPU_TASK_CKPT *)0;
        BSP_Printf("ucos: task %u '%s': %s at 0x%08x (pc 0x%08x), %u rollbacks within %u ticks: no more\n", prio, name,
                   BSP_ExceptName(kind), (unsigned int)far, (unsigned int)frame->pc, (unsigned int)c->window_rollbacks,
                   (unsigned int)(now - c->window_tick));
        return 0;
    }
    c->window_rollbacks++;
    c->rollbacks++;
    BSP_Printf("ucos: task %u '%s' rolled back after %s at 0x%08x (pc 0x%08x)\n", prio, name, BSP_ExceptName(kind),
               (unsigned int)far, (unsigned int)frame->pc);
    os_cpu_ckpt_restore(c, frame);
    return 1;
}
#endif /* UCOS_PORT_XEN_ARM */

/*
 * The initial context of a task: a frame (os_cpu.h) 8-byte aligned just below ptos, that
 * resumes at task(p_arg) with interrupts enabled; a task that returns ends in
 * OS_TaskReturn(), which deletes it. With OS_TASK_OPT_USER_MODE (pv), task is user code,
 * p_arg an OS_CPU_USER_START, and the frame starts it in virtual user mode.
 */
OS_STK *OSTaskStkInit(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT16U opt)
{
    const INT32U top = (INT32U)(ptos + 1) & ~7u; /* ptos is the highest usable entry */
    OS_CPU_FRAME *f = (OS_CPU_FRAME *)(top - ((OS_CPU_FRAME_SIZE + 7u) & ~7u));
    for (unsigned int i = 0; i < 13u; i++)
        f->r[i] = 0u;
    f->r[0] = (INT32U)p_arg;
    f->sp = top;
    f->lr = (INT32U)OS_TaskReturn;
    f->pc = (INT32U)task;
#ifdef UCOS_PORT_XEN_ARM
    f->psr = OS_CPU_PSR_MODE_KERNEL; /* upcalls unmasked, flags clear */
    if ((opt & OS_TASK_OPT_USER_MODE) != 0u) {
        const OS_CPU_USER_START *start = (const OS_CPU_USER_START *)p_arg;
        f->r[0] = (INT32U)start->arg;
        f->sp = start->sp;
        f->lr = 0u;
        f->psr = OS_CPU_PSR_MODE_USER;
    }
#else
    (void)opt;
    f->psr = OS_CPU_PSR_MODE_KERNEL | OS_CPU_PSR_F; /* SVC, IRQ enabled, no FIQ */
#endif
    return (OS_STK *)f;
}

/* Interrupts masked (the BSP's idle wait, or the first upcall after it). */
void OS_CPU_IdleCredit(INT64U idle_ns)
{
    static INT32U carry_ns; /* below one count, kept for the next wait */
    const INT64U ns = carry_ns + idle_ns;
    OSIdleCtr += (INT32U)(ns / OS_CPU_IDLE_CTR_NS);
    carry_ns = (INT32U)(ns % OS_CPU_IDLE_CTR_NS);
    OS_CPU_IdleWakeups++;
    OS_CPU_IdleNs += idle_ns;
}

#if OS_CPU_HOOKS_EN > 0u

void OSInitHookBegin(void) {}

void OSInitHookEnd(void) {}

void OSTaskCreateHook(OS_TCB *ptcb)
{
#if OS_APP_HOOKS_EN > 0u
    App_TaskCreateHook(ptcb);
#else
    (void)ptcb;
#endif
}

void OSTaskDelHook(OS_TCB *ptcb)
{
    INT32U *ksp = &os_cpu_task_ksp[os_cpu_tcb_index(ptcb)];
#ifdef UCOS_PORT_XEN_ARM
    os_cpu_task_ckpt[os_cpu_tcb_index(ptcb)] = (OS_CPU_TASK_CKPT *)0;
#endif
    if (*ksp != 0u) {
        *ksp = 0u;
        os_cpu_user_tasks--;
    }
#if OS_APP_HOOKS_EN > 0u
    App_TaskDelHook(ptcb);
#endif
}

void OSTaskIdleHook(void)
{
    BSP_Idle();
#if OS_APP_HOOKS_EN > 0u
    App_TaskIdleHook();
#endif
}

void OSTaskReturnHook(OS_TCB *ptcb)
{
#if OS_APP_HOOKS_EN > 0u
    App_TaskReturnHook(ptcb);
#else
    (void)ptcb;
#endif
}

void OSTaskStatHook(void)
{
#if OS_APP_HOOKS_EN > 0u
    App_TaskStatHook();
#endif
}

#if OS_TASK_SW_HOOK_EN > 0u
/* Called with interrupts masked just before OSTCBHighRdy becomes OSTCBCur. */
void OSTaskSwHook(void)
{
    BSP_TraceTask(OSTCBHighRdy->OSTCBPrio); /* task ids for tracers: the priority */
    if (os_cpu_user_tasks != 0u) {
        const INT32U ksp = os_cpu_task_ksp[os_cpu_tcb_index(OSTCBHighRdy)];
        if (ksp != 0u)
            BSP_SetKernelStack(ksp);
    }
#if OS_APP_HOOKS_EN > 0u
    App_TaskSwHook();
#endif
}
#endif

/* A task is being created: a virtual-user-mode one (its initial frame says so) keeps the
 * stack it was given as its kernel stack, whose top is just above that frame. */
void OSTCBInitHook(OS_TCB *ptcb)
{
    const OS_CPU_FRAME *f = (const OS_CPU_FRAME *)ptcb->OSTCBStkPtr;
    INT32U *ksp = &os_cpu_task_ksp[os_cpu_tcb_index(ptcb)];
    if ((f->psr & OS_CPU_PSR_MODE_MASK) == OS_CPU_PSR_MODE_USER) {
        if (*ksp == 0u)
            os_cpu_user_tasks++;
        *ksp = (INT32U)f + ((OS_CPU_FRAME_SIZE + 7u) & ~7u);
    } else if (*ksp != 0u) {
        *ksp = 0u;
        os_cpu_user_tasks--;
    }
#ifdef UCOS_PORT_XEN_ARM
    os_cpu_ckpt_init(ptcb, f);
#endif
#if OS_APP_HOOKS_EN > 0u
    App_TCBInitHook(ptcb);
#endif
}

#if OS_TIME_TICK_HOOK_EN > 0u
void OSTimeTickHook(void)
{
#if OS_APP_HOOKS_EN > 0u
    App_TimeTickHook();
#endif
#if OS_TMR_EN > 0u
    /* Software timers advance at OS_TMR_CFG_TICKS_PER_SEC. */
    static INT16U tmr_ctr;
    if (++tmr_ctr >= (OS_TICKS_PER_SEC / OS_TMR_CFG_TICKS_PER_SEC)) {
        tmr_ctr = 0u;
        (void)OSTmrSignal();
    }
#endif
}
#endif

#endif /* OS_CPU_HOOKS_EN */
