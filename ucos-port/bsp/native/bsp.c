/*
 * BSP of µC/OS-II on the bare board (see bsp.h): the baseline the paravirtual guest is
 * measured against. The device code is mini-OS's board files (minios/arch/native/
 * board-<board>.c, through board.h): UART, interrupt controller, a free-running clock and a
 * one-shot timer, which gives the tick by being re-armed at the next multiple of the period.
 * Command line and exit go through ARM semihosting.
 */
#include <ucos_ii.h>

#include "board.h"
#include "bsp.h"

#define TICK_NS (1000000000ULL / OS_TICKS_PER_SEC)

#define SYS_GET_CMDLINE 0x15u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

uint32_t bsp_native_semihost(uint32_t op, void *arg);
void bsp_native_wfi(void);
void bsp_native_mmu_on(uint32_t *l1);
uint32_t bsp_native_far(void);
uint32_t bsp_native_fsr(void);
__attribute__((noreturn)) void bsp_native_start(void);
__attribute__((noreturn)) void bsp_native_fault(uint32_t kind, OS_CPU_FRAME *frame);

static uint32_t l1_table[4096] __attribute__((aligned(16384)));
static char cmdline[256];
static char kind[32];
static uint64_t next_tick_ns, last_tick_ns;
static int ticking;
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
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    (void)OS_CPU_SR_Save();
    for (;;) {
        (void)bsp_native_semihost(SYS_EXIT_EXTENDED, block);
        bsp_native_wfi();
    }
}

/* ---- time ---- */

uint64_t BSP_TimeNs(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save(); /* the board clock wants interrupts masked */
    const uint64_t t = board_now_ns();
    OS_CPU_SR_Restore(cpu_sr);
    return t;
}

uint64_t BSP_LastTickNs(void) { return last_tick_ns; }

/* Interrupts masked. Arms the timer for the next tick; false if that is already due. */
static int arm_tick(void) { return board_timer_set(next_tick_ns); }

void BSP_TickStart(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    next_tick_ns = (board_now_ns() / TICK_NS + 1u) * TICK_NS;
    ticking = 1;
    board_irq_enable(board_timer_irq);
    (void)arm_tick();
    OS_CPU_SR_Restore(cpu_sr);
}

static void timer_event(void)
{
    do {
        const uint64_t now = board_now_ns();
        while (now >= next_tick_ns) {
            last_tick_ns = next_tick_ns;
            next_tick_ns += TICK_NS;
            OSTimeTick();
        }
    } while (!arm_tick());
}

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

/* The port's exception handler: the IRQ (faults come to bsp_native_fault). */
void OS_CPU_ExceptHndlr(INT32U kind)
{
    if (kind != OS_CPU_ARM_EXCEPT_IRQ)
        return;
    for (int line; (line = board_irq_claim()) >= 0;) {
        if ((unsigned int)line == board_timer_irq) {
            board_timer_ack();
            if (ticking)
                timer_event();
        } else {
            board_irq_disable((unsigned int)line);
            BSP_Printf("native: spurious interrupt %d, disabled\n", line);
        }
    }
}

void bsp_native_fault(uint32_t kind, OS_CPU_FRAME *frame)
{
    const uint32_t far = bsp_native_far(), fsr = bsp_native_fsr();
    if (fault_hook != NULL)
        (void)fault_hook(kind, frame, far, fsr); /* to report; not recoverable natively */
    BSP_Printf("ucos: fatal %s at pc 0x%08x (cpsr 0x%08x, far 0x%08x, fsr 0x%03x)\n",
               BSP_ExceptName(kind), (unsigned int)frame->pc, (unsigned int)frame->psr,
               (unsigned int)far, (unsigned int)fsr);
    BSP_Exit(2);
}

/* ---- idle; user mode does not exist natively ---- */

/* Called with interrupts enabled. The wait, timed by the board clock while still masked,
 * is credited to OSIdleCtr before the interrupt that ended it is taken. */
void BSP_Idle(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    const uint64_t from = board_now_ns();
    bsp_native_wfi();          /* wakes on a pending interrupt even while masked */
    OS_CPU_IdleCredit(board_now_ns() - from);
    OS_CPU_SR_Restore(cpu_sr); /* and takes it here */
}

void BSP_SetKernelStack(uint32_t ksp) { (void)ksp; }

int BSP_MapUserPage(uint32_t user_va, void *page)
{
    (void)user_va;
    (void)page;
    return -1;
}

void OS_CPU_SyscallHndlr(OS_CPU_FRAME *frame) { (void)frame; }

/* ---- start ---- */

/* QEMU passes the image path, a space, then -append's text: keep what follows the path. */
static void read_cmdline(void)
{
    static char raw[sizeof cmdline + 256];
    struct {
        char *buf;
        uint32_t len;
    } arg = {raw, sizeof raw - 1};
    if (bsp_native_semihost(SYS_GET_CMDLINE, &arg) != 0)
        return;
    raw[arg.len < sizeof raw ? arg.len : sizeof raw - 1] = '\0';
    const char *p = raw;
    const char *sp = raw;
    while (*sp != '\0' && *sp != ' ' && *sp != '=')
        sp++;
    if (*sp != '=') { /* a first word without '=' is the path */
        p = sp;
        while (*p == ' ')
            p++;
    }
    size_t n = BSP_Strlen(p);
    if (n >= sizeof cmdline)
        n = sizeof cmdline - 1;
    memcpy(cmdline, p, n);
    cmdline[n] = '\0';
}

/* Identity sections for RAM (cached) and the board's device windows, and VA 0 -> the RAM
 * base for the vector table (read-only, like ROM). */
static void mmu_init(void)
{
    const uint32_t mib = 1u << 20;
    for (uint32_t a = board_ram_base; a - board_ram_base < board_ram_size; a += mib)
        l1_table[a >> 20] = a | SECTION_RAM;
    for (const struct native_section *s = board_sections; s->megabytes != 0; s++) {
        if (s->attr != SECTION_DEVICE || s->va != s->pa)
            continue;
        for (uint32_t i = 0; i < s->megabytes; i++)
            l1_table[(s->va >> 20) + i] = (s->pa + i * mib) | SECTION_DEVICE;
    }
    if (board_ram_base != 0)
        l1_table[0] = board_ram_base | SECTION_RAM;
    bsp_native_mmu_on(l1_table);
}

void bsp_native_start(void)
{
    bsp_clear_bss();
    mmu_init();
    board_init();
    read_cmdline();
    BSP_Snprintf(kind, sizeof kind, "native %s", board_name);
    app_main();
    BSP_Exit(0);
}
