/*
 * BSP of the µC/OS-II guest of xen-arm (see bsp.h). Everything the board would do is a
 * hypercall or a word in the shared_info page; the guest touches no device.
 *
 *   console   console_io(CONSOLEIO_write): the VMM prints each line with "[name] " in front
 *   tick      VIRQ_TIMER bound to an event channel, armed with set_timer_op at the next
 *             multiple of the tick period; the upcall (port: OS_CPU_PV_IrqEntry) calls
 *             OS_CPU_ExceptHndlr(IRQ), which runs OSTimeTick() once per period elapsed
 *   alarm     the application's one-shot alarm shares that timer: set_timer_op is armed at
 *             the earlier of the next tick and the alarm
 *   clock     the exact time: runstate times (get_runstate_info) + the domain's build time
 *   idle      sched_op(SCHEDOP_block): the domain sleeps until its next event; the time it
 *             spent blocked (the VMM's runstate accounting, vcpu_op get_runstate_info) is
 *             credited to OSIdleCtr by the first upcall after the block
 *   faults    the trap table sends aborts and undefined instructions to the port, which
 *             hands them to OS_CPU_ExceptHndlr(kind) with vcpu_info.vfar/vfsr
 *   end       sched_op(SCHEDOP_shutdown)
 */
#include <ucos_ii.h>

#include "bsp.h"

#include <xen-arm/trace.h>

#include "guestlib/pv.h" /* hypercall wrappers, start_info, console_io, time */

/* The port's trap-table entries (os_cpu_a.S). */
extern char OS_CPU_PV_UndefEntry[], OS_CPU_PV_SwiEntry[], OS_CPU_PV_PabtEntry[], OS_CPU_PV_DabtEntry[],
    OS_CPU_PV_IrqEntry[];

uint32_t bsp_swap(volatile uint32_t *p, uint32_t v);
__attribute__((noreturn)) void bsp_pv_start(start_info_t *si);

/* The port's frame is the VMM's trap frame, and its mask byte is vcpu_info's. */
XA_ABI_ASSERT(sizeof(OS_CPU_FRAME) == sizeof(xa_trap_frame_t), "frame size");
XA_ABI_OFFSET(OS_CPU_FRAME, sp, OS_CPU_FRAME_SP);
XA_ABI_OFFSET(OS_CPU_FRAME, pc, OS_CPU_FRAME_PC);
XA_ABI_OFFSET(xa_trap_frame_t, vpsr, OS_CPU_FRAME_PSR);
XA_ABI_ASSERT(OS_CPU_PSR_MODE_KERNEL == XA_VPSR_MODE_KERNEL && OS_CPU_PSR_MODE_USER == XA_VPSR_MODE_USER &&
                  OS_CPU_PSR_I == XA_VPSR_I,
              "virtual PSR bits");
/* The user blob's data (entry.S) at the offsets it uses. */
XA_ABI_OFFSET(struct bsp_user_data, target, 0);
XA_ABI_OFFSET(struct bsp_user_data, kind, 4);
XA_ABI_OFFSET(struct bsp_user_data, every, 8);
XA_ABI_OFFSET(struct bsp_user_data, fault_at, 12);
XA_ABI_OFFSET(struct bsp_user_data, steps, 16);
XA_ABI_OFFSET(struct bsp_user_data, step, 20);
XA_ABI_OFFSET(struct bsp_user_data, acc, 24);
XA_ABI_OFFSET(struct bsp_user_data, says, 28);
XA_ABI_ASSERT(OS_CPU_ARM_EXCEPT_DABT == XA_TRAP_DABT && OS_CPU_ARM_EXCEPT_IRQ == XA_TRAP_IRQ &&
                  OS_CPU_ARM_EXCEPT_PABT == XA_TRAP_PABT && OS_CPU_ARM_EXCEPT_UNDEF == XA_TRAP_UNDEF,
              "exception kinds are trap kinds");

static start_info_t *start;
static struct gl_start_strings strings; /* the domain's name and command line */
static uint32_t trap_table[XA_TRAP_COUNT];
static evtchn_port_t timer_port;
static BSP_FaultHook fault_hook;
/* System time at which the VMM started the domain (clock_start), at most; in .data, as it
 * is set before .bss is cleared. */
static uint64_t built_ns = ~0ull;
static int idle_blocked;         /* the idle task blocked; its time is not yet credited */
static uint64_t idle_blocked_ns; /* RUNSTATE_blocked time credited so far */

static volatile shared_info_t *shared(void) { return gl_shared_info(); }
static volatile vcpu_info_t *vcpu(void) { return gl_pv_vcpu(); }

const char *BSP_Kind(void) { return "pv"; }
const char *BSP_Name(void) { return strings.name; }
unsigned int BSP_DomId(void) { return start->domid; }
const char *BSP_CmdLine(void) { return strings.cmdline; }
int BSP_IsPv(void) { return 1; }

void BSP_Write(const char *buf, size_t len) { gl_console_io_write(buf, len); }

__attribute__((noreturn)) void BSP_Exit(int status)
{
    struct sched_shutdown op = {status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash};
    for (;;) {
        (void)HYPERVISOR_sched_op(SCHEDOP_shutdown, &op);
        (void)OS_CPU_SR_Save();
        (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

/* ---- time ---- */

uint64_t BSP_TimeNs(void) { return gl_pv_time_ns(); }

/* The timebase's hooks (timebase.c): the domain's one virtual timer, set_timer_op (0
 * cancels; a deadline already past fires at once, so it is never reported as missed). */
int bsp_timer_program(uint64_t deadline_ns)
{
    (void)HYPERVISOR_set_timer_op(deadline_ns);
    return 1;
}
void bsp_timer_enable(void) {}

static uint64_t running_ns(void)
{
    vcpu_runstate_info_t info;
    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info) != 0)
        return BSP_TimeNs();
    return info.time[RUNSTATE_running];
}

/* The runstate times add up to the time since the domain was built; built_ns is that
 * build time. While the domain runs, everything before the current running stretch
 * (state_entry_time) that was not running is complete in the other three counters, so
 * state_entry_time minus them is the build time plus the running time before the stretch:
 * an upper bound, exact in the first stretch (clock_start, the BSP's first act, before even
 * clearing .bss, which takes long enough to be preempted), and never
 * below the truth, so BSP_NowNs() is never early. */
static uint64_t clock_bound(const vcpu_runstate_info_t *info)
{
    return info->state_entry_time - info->time[RUNSTATE_runnable] - info->time[RUNSTATE_blocked] -
           info->time[RUNSTATE_offline];
}

static void clock_start(void)
{
    vcpu_runstate_info_t info;
    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info) == 0)
        built_ns = clock_bound(&info);
}

uint64_t BSP_NowNs(void)
{
    vcpu_runstate_info_t info;
    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info) != 0)
        return BSP_TimeNs();
    const uint64_t bound = clock_bound(&info);
    if (bound < built_ns) /* a tighter bound: only from a first stretch, at most as early */
        built_ns = bound;
    return built_ns + info.time[RUNSTATE_running] + info.time[RUNSTATE_runnable] + info.time[RUNSTATE_blocked] +
           info.time[RUNSTATE_offline];
}

void BSP_SpinNs(uint32_t ns)
{
    const uint64_t until = running_ns() + ns;
    while (running_ns() < until) {
    }
}

void BSP_Mark(uint32_t tag) { (void)HYPERVISOR_trace_marker(tag); }

void BSP_TraceTask(uint32_t id) { gl_trace_thread(id); }
void BSP_MarksPrint(void) {}

/* ---- events: Xen's 2-level upcall protocol (shared_info.h) ---- */

static void dispatch_events(void)
{
    volatile shared_info_t *s = shared();
    volatile vcpu_info_t *v = vcpu();
    v->evtchn_upcall_pending = 0;
    gl_barrier();
    uint32_t sel = bsp_swap(&v->evtchn_pending_sel, 0);
    while (sel != 0) {
        const unsigned int w = (unsigned int)__builtin_ctz(sel);
        sel &= sel - 1u;
        /* We mask no port, so every pending bit of the word is ours to take. */
        uint32_t bits = bsp_swap(&s->evtchn_pending[w], 0);
        while (bits != 0) {
            const evtchn_port_t port = w * 32u + (unsigned int)__builtin_ctz(bits);
            bits &= bits - 1u;
            if (port == timer_port)
                bsp_timer_event();
        }
    }
}

/* ---- the port's exception handler (interrupt context, upcalls masked) ---- */

void BSP_SetFaultHook(BSP_FaultHook hook) { fault_hook = hook; }

/* Masked. The VMM counts the domain's time in each runstate; what it spent blocked since
 * the last call is the idle task's wait (nothing else blocks the domain while it runs). */
static void idle_account(void)
{
    if (!idle_blocked)
        return;
    idle_blocked = 0;
    vcpu_runstate_info_t info;
    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info) != 0)
        return;
    const uint64_t blocked = info.time[RUNSTATE_blocked];
    OS_CPU_IdleCredit(blocked - idle_blocked_ns);
    idle_blocked_ns = blocked;
}

void OS_CPU_ExceptHndlr(INT32U kind)
{
    if (kind == OS_CPU_ARM_EXCEPT_IRQ) {
        idle_account(); /* before the tick: the wait belongs to the period it ended in */
        dispatch_events();
        return;
    }
    OS_CPU_FRAME *f = OS_CPU_ExceptFrame;
    /* (the VMM sets vfar and vfsr for aborts; an undefined instruction is at its pc) */
    const uint32_t far = kind == OS_CPU_ARM_EXCEPT_UNDEF ? f->pc : vcpu()->vfar;
    const uint32_t fsr = kind == OS_CPU_ARM_EXCEPT_UNDEF ? 0u : vcpu()->vfsr;
    const unsigned int task = OSTCBCur != NULL ? (unsigned int)OSTCBCur->OSTCBPrio : 255u;
    const int user = (f->psr & OS_CPU_PSR_MODE_MASK) == OS_CPU_PSR_MODE_USER;
    if (user && OSRunning && OS_CPU_TaskFault(kind, f, far, fsr))
        return; /* the task's checkpoint (os_cpu.h) */
    if (fault_hook != NULL && fault_hook(kind, f, far, fsr))
        return;
    if (!user) {
        /* The guest kernel's own fault: its state is suspect, and recovering it is the VMM's
         * business (a fault_tolerance = vm domain is rolled back to its checkpoint, another
         * crashed). Re-run the faulting instruction with upcalls masked: it faults again,
         * and a fault in virtual kernel mode with upcalls masked is never bounced. */
        BSP_Printf("ucos: %s at 0x%08x (pc 0x%08x) in virtual kernel mode, task %u: left to the VMM\n",
                   BSP_ExceptName(kind), (unsigned int)far, (unsigned int)f->pc, task);
        f->psr |= OS_CPU_PSR_I;
        return;
    }
    BSP_Printf("ucos: fatal %s at pc 0x%08x (psr 0x%02x, far 0x%08x, fsr 0x%03x) in task %u\n", BSP_ExceptName(kind),
               (unsigned int)f->pc, (unsigned int)f->psr, (unsigned int)far, (unsigned int)fsr, task);
    BSP_Exit(1);
}

int BSP_DomainRollbacks(void)
{
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_ftinfo, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = (domid_t)start->domid};
    return HYPERVISOR_domctl(&op) == 0 ? (int)op.u.ftinfo.rollbacks : 0;
}

int BSP_DomainCheckpoint(void)
{
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_checkpoint, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = (domid_t)start->domid};
    return HYPERVISOR_domctl(&op);
}

/* ---- idle and virtual user mode ---- */

void BSP_Idle(void)
{
    (void)OS_CPU_SR_Save();
    idle_blocked = 1;
    /* Unmasks atomically and returns at once if an event is pending; the upcall runs on
     * the way back (and may switch to the task it readied), crediting the wait first. */
    (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    OS_CPU_SR_Restore(0);
}

void BSP_SetKernelStack(uint32_t ksp) { vcpu()->vksp = ksp; }

int BSP_MapUserPage(uint32_t user_va, void *page)
{
    const uint32_t mach = (uint32_t)((uintptr_t)page - gl_window()) + start->mem_base;
    /* The page may hold code written through its kernel address: the caches are virtually
     * indexed, so write it back to memory before user mode fetches it at another address. */
    const int rc = HYPERVISOR_sync_icache((uint32_t)(uintptr_t)page, 4096u);
    if (rc != 0)
        return rc;
    return HYPERVISOR_update_va_mapping(user_va, mach | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER, UVMF_INVLPG);
}

static BSP_RoundHook round_hook;

void BSP_SetRoundHook(BSP_RoundHook hook) { round_hook = hook; }

/* A system call from a virtual-user-mode task, run as that task on its kernel stack. */
void OS_CPU_SyscallHndlr(OS_CPU_FRAME *frame)
{
    OS_CPU_SR_Restore(0); /* a system call is preemptible */
    const uint32_t arg = frame->r[1];
    switch (frame->r[0]) {
    case BSP_SYS_PUTS: {
        char text[128];
        size_t n = 0;
        const char *u = (const char *)(uintptr_t)arg;
        while (n + 1 < sizeof text && u[n] != '\0') {
            text[n] = u[n];
            n++;
        }
        text[n] = '\0';
        BSP_Printf("%s\n", text);
        frame->r[0] = 0;
        break;
    }
    case BSP_SYS_DELAY:
        OSTimeDly(arg);
        frame->r[0] = 0;
        break;
    case BSP_SYS_EXIT: (void)OSTaskDel(OS_PRIO_SELF); break;
    case BSP_SYS_ROUND_OK:
    case BSP_SYS_ROUND_BAD:
        if (round_hook != NULL)
            round_hook(arg, frame->r[0] == BSP_SYS_ROUND_OK);
        frame->r[0] = 0;
        break;
    case BSP_SYS_ROLLBACKS:
        /* Changes nothing, so no checkpoint: the task may ask between its last checkpoint
         * and a fault whether it is replaying. */
        frame->r[0] = OS_CPU_TaskRollbacks();
        (void)OS_CPU_SR_Save();
        return;
    default: frame->r[0] = (uint32_t)-1; break;
    }
    (void)OS_CPU_SR_Save();
    OS_CPU_TaskCheckpoint(frame); /* (a task with a region: os_cpu.h) */
}

/* ---- start ---- */

void bsp_pv_start(start_info_t *si)
{
    clock_start();   /* first: exact while the domain is in its first running stretch */
    bsp_clear_bss(); /* the boot stack is the VMM's, at the top of our memory */
    start = si;
    if (!gl_start_info_read(si, &strings)) {
        static const char msg[] = "ucos: bad start_info magic\n";
        BSP_Write(msg, sizeof msg - 1);
        BSP_Exit(1);
    }

    trap_table[XA_TRAP_UNDEF] = (uint32_t)(uintptr_t)OS_CPU_PV_UndefEntry;
    trap_table[XA_TRAP_SWI] = (uint32_t)(uintptr_t)OS_CPU_PV_SwiEntry;
    trap_table[XA_TRAP_PABT] = (uint32_t)(uintptr_t)OS_CPU_PV_PabtEntry;
    trap_table[XA_TRAP_DABT] = (uint32_t)(uintptr_t)OS_CPU_PV_DabtEntry;
    trap_table[XA_TRAP_IRQ] = (uint32_t)(uintptr_t)OS_CPU_PV_IrqEntry;
    int rc = HYPERVISOR_set_trap_table(trap_table);
    struct evtchn_bind_virq bind = {.virq = VIRQ_TIMER, .vcpu = 0, .port = 0};
    if (rc == 0)
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind);
    if (rc != 0) {
        BSP_Printf("ucos: pv set-up failed: %d\n", rc);
        BSP_Exit(1);
    }
    timer_port = bind.port;
    app_main();
    BSP_Exit(0);
}
