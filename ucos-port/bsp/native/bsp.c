/*
 * BSP of µC/OS-II on the bare board (see bsp.h): the baseline the paravirtual guest is
 * measured against. The device code is guestlib's board drivers (guestlib/board.h): UART,
 * interrupt controller, a free-running clock and a one-shot timer, which gives the tick by
 * being re-armed at the next multiple of the period. Command line and exit go through ARM
 * semihosting, and the MMU map is guestlib's boot map (guestlib/native.h).
 */
#include <ucos_ii.h>

#include "bsp.h"
#include "guestlib/board.h"
#include "guestlib/cmdline.h"
#include "guestlib/native.h"

/* Natively the port's PSR bits are the processor's. */
_Static_assert(OS_CPU_PSR_MODE_KERNEL == ARM_MODE_SVC && OS_CPU_PSR_MODE_MASK == ARM_MODE_MASK &&
                   OS_CPU_PSR_I == ARM_PSR_I && OS_CPU_PSR_F == ARM_PSR_F && OS_CPU_PSR_FLAGS == ARM_PSR_FLAGS,
               "os_cpu.h's PSR bits are arm926/cpu.h's");

__attribute__((noreturn)) void bsp_native_start(void);
__attribute__((noreturn)) void bsp_native_fault(uint32_t kind, OS_CPU_FRAME *frame);

static uint32_t l1_table[4096] __attribute__((aligned(16384)));
static char cmdline[GL_CMDLINE_MAX];
static char kind[32];
static BSP_FaultHook fault_hook;

#define MARKS_MAX 64
static struct {
    uint32_t tag;
    uint64_t ns;
} marks[MARKS_MAX];
static unsigned int nmarks;

const char *BSP_Kind(void) { return kind; }
const char *BSP_Name(void) { return board_name; }
unsigned int BSP_DomId(void) { return 0; }
const char *BSP_CmdLine(void) { return cmdline; }
int BSP_IsPv(void) { return 0; }

void BSP_Write(const char *buf, size_t len)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save(); /* whole writes, even from interrupts */
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            board_putc('\r');
        board_putc(buf[i]);
    }
    OS_CPU_SR_Restore(cpu_sr);
}

__attribute__((noreturn)) void BSP_Exit(int status)
{
    (void)OS_CPU_SR_Save();
    gl_semihosting_exit(status);
}

/* ---- time ---- */

uint64_t BSP_TimeNs(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save(); /* the board clock wants interrupts masked */
    const uint64_t t = board_now_ns();
    OS_CPU_SR_Restore(cpu_sr);
    return t;
}

uint64_t BSP_NowNs(void) { return BSP_TimeNs(); }

/* The timebase's hooks (timebase.c): the board's one-shot timer. Masked. */
int bsp_timer_program(uint64_t deadline_ns) { return deadline_ns == 0 ? 1 : board_timer_set(deadline_ns); }
void bsp_timer_enable(void) { board_irq_enable(board_timer_irq); }

void BSP_SpinNs(uint32_t ns)
{
    const uint64_t until = BSP_TimeNs() + ns;
    while (BSP_TimeNs() < until) {
    }
}

void BSP_TraceTask(uint32_t id) { (void)id; }

void BSP_Mark(uint32_t tag)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    if (nmarks < MARKS_MAX) {
        marks[nmarks].ns = board_now_ns();
        marks[nmarks].tag = tag;
        nmarks++;
    }
    OS_CPU_SR_Restore(cpu_sr);
}

void BSP_MarksPrint(void)
{
    for (unsigned int i = 0; i < nmarks; i++)
        BSP_Printf("mark 0x%08x at %llu ns\n", (unsigned int)marks[i].tag, marks[i].ns);
    nmarks = 0;
}

/* ---- interrupts and faults ---- */

void BSP_SetFaultHook(BSP_FaultHook hook) { fault_hook = hook; }

int BSP_DomainCheckpoint(void) { return -1; }

/* No system calls natively. */
void BSP_SetRoundHook(BSP_RoundHook hook) { (void)hook; }

/* The port's exception handler: the IRQ (faults come to bsp_native_fault). */
void OS_CPU_ExceptHndlr(INT32U kind)
{
    if (kind != OS_CPU_ARM_EXCEPT_IRQ)
        return;
    for (int line; (line = board_irq_claim()) >= 0;) {
        if ((unsigned int)line == board_timer_irq) {
            board_timer_ack();
            bsp_timer_event();
        } else {
            board_irq_disable((unsigned int)line);
            BSP_Printf("native: spurious interrupt %d, disabled\n", line);
        }
    }
}

void bsp_native_fault(uint32_t kind, OS_CPU_FRAME *frame)
{
    const uint32_t far = gl_fault_address(), fsr = gl_fault_status();
    if (fault_hook != NULL)
        (void)fault_hook(kind, frame, far, fsr); /* to report; not recoverable natively */
    BSP_Printf("ucos: fatal %s at pc 0x%08x (cpsr 0x%08x, far 0x%08x, fsr 0x%03x)\n", BSP_ExceptName(kind),
               (unsigned int)frame->pc, (unsigned int)frame->psr, (unsigned int)far, (unsigned int)fsr);
    BSP_Exit(2);
}

/* ---- idle; user mode does not exist natively ---- */

/* Called with interrupts enabled. The wait, timed by the board clock while still masked,
 * is credited to OSIdleCtr before the interrupt that ended it is taken. */
void BSP_Idle(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    const uint64_t from = board_now_ns();
    gl_wfi(); /* wakes on a pending interrupt even while masked */
    OS_CPU_IdleCredit(board_now_ns() - from);
    OS_CPU_SR_Restore(cpu_sr); /* and takes it here */
}

void BSP_SetKernelStack(uint32_t ksp) { (void)ksp; }

int BSP_DomainRollbacks(void) { return 0; }

int BSP_MapUserPage(uint32_t user_va, void *page)
{
    (void)user_va;
    (void)page;
    return -1;
}

void OS_CPU_SyscallHndlr(OS_CPU_FRAME *frame) { (void)frame; }

/* ---- start ---- */

/* Identity sections for RAM (cached) over the board's list, which maps the device windows
 * and VA 0 -> the RAM base for the vector table (read-only, like ROM; on boards whose RAM
 * starts at 0, RAM's own identity section replaces it). */
static void mmu_init(void)
{
    const struct native_section ram[] = {
        {board_ram_base, board_ram_base, board_ram_size >> 20, SECTION_RAM},
        {0, 0, 0, 0},
    };
    gl_map_sections(l1_table, board_sections);
    gl_map_sections(l1_table, ram);
    gl_mmu_on(l1_table);
}

void bsp_native_start(void)
{
    bsp_clear_bss();
    mmu_init();
    board_init();
    gl_semihosting_cmdline(cmdline, sizeof cmdline);
    snprintf(kind, sizeof kind, "native %s", board_name);
    app_main();
    BSP_Exit(0);
}
