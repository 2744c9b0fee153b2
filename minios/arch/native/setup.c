/*
 * mini-OS native arch layer: the same kernel directly on a board, in SVC mode, as the
 * baseline that xen-arm's overhead is measured against.
 *
 * What a VMM would provide is done here as cheaply as the hardware allows: the console is
 * the board UART (guestlib's board drivers), the command line and exit go through ARM
 * semihosting (guestlib/native.h), and the board timer's interrupt is raised as VIRQ_TIMER
 * on a shared_info page of our own, so that the common event code dispatches it exactly as
 * it dispatches the VMM's upcalls.
 */
#include "guestlib/board.h"
#include "guestlib/cmdline.h"
#include "guestlib/native.h"

#include "minios/arch.h"
#include "minios/console.h"
#include "minios/lib.h"

#define TIMER_PORT 1U /* the one port natively: VIRQ_TIMER */

shared_info_t native_shared_info;
static bool timer_bound;
static uint32_t load_offset; /* physical - virtual, from head.S */
static char cmdline[GL_CMDLINE_MAX];
static char kind[32];

extern char __image_end[];

noreturn void arch_exit(int status)
{
    local_irq_disable();
    gl_semihosting_exit(status);
}

/* ---- console ---- */

void arch_console_write(const char *buf, size_t len)
{
    unsigned long flags = arch_cpsr_mask_irq(); /* whole lines, even from interrupts */
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n')
            board_putc('\r');
        board_putc(buf[i]);
    }
    if (flags == 0)
        arch_cpsr_unmask_irq();
}

/* ---- events: Xen's 2-level send, on our own shared_info ---- */

shared_info_t *arch_shared_info(void) { return &native_shared_info; }

/* With interrupts masked. */
static void raise_port(evtchn_port_t port)
{
    shared_info_t *s = &native_shared_info;
    const unsigned int w = port / 32;
    const uint32_t bit = 1U << (port % 32);
    if ((s->evtchn_pending[w] & bit) != 0)
        return; /* coalesced with the one still pending */
    s->evtchn_pending[w] |= bit;
    if ((s->evtchn_mask[w] & bit) != 0)
        return;
    if ((s->vcpu[0].evtchn_pending_sel & (1U << w)) == 0) {
        s->vcpu[0].evtchn_pending_sel |= 1U << w;
        s->vcpu[0].evtchn_upcall_pending = 1;
    }
}

int arch_bind_virq(uint32_t virq, evtchn_port_t *port)
{
    if (virq != VIRQ_TIMER)
        return -XEN_EINVAL;
    if (timer_bound)
        return -XEN_EEXIST;
    timer_bound = true;
    board_irq_enable(board_timer_irq);
    *port = TIMER_PORT;
    return 0;
}

int arch_evtchn_send(evtchn_port_t port)
{
    UNUSED(port);
    return -XEN_ENOSYS;
}

void arch_force_evtchn_callback(void)
{
    unsigned long flags = arch_cpsr_mask_irq();
    if (native_shared_info.vcpu[0].evtchn_upcall_pending != 0)
        do_hypervisor_callback();
    if (flags == 0)
        arch_cpsr_unmask_irq();
}

/* From head.S, in IRQ mode with interrupts masked. */
void native_irq(void);
void native_irq(void)
{
    int line;
    while ((line = board_irq_claim()) >= 0) {
        if ((unsigned int)line == board_timer_irq) {
            board_timer_ack();
            if (timer_bound)
                raise_port(TIMER_PORT);
        } else {
            board_irq_disable((unsigned int)line);
            printk("native: spurious interrupt %d, disabled\n", line);
        }
    }
    if (native_shared_info.vcpu[0].evtchn_upcall_pending != 0)
        do_hypervisor_callback();
}

/* ---- time ---- */

uint64_t arch_now(void) { return board_now_ns(); }

void arch_set_timer(uint64_t deadline)
{
    unsigned long flags = arch_cpsr_mask_irq();
    if (deadline == 0)
        board_timer_cancel();
    else if (!board_timer_set(deadline) && timer_bound)
        raise_port(TIMER_PORT); /* due already: delivered when interrupts are unmasked */
    if (flags == 0)
        arch_cpsr_unmask_irq();
}

void arch_block(void)
{
    if (native_shared_info.vcpu[0].evtchn_upcall_pending == 0)
        __asm__ __volatile__("mcr p15, 0, %0, c7, c0, 4" : : "r"(0) : "memory");
    local_irq_enable(); /* the interrupt that ended the wait is taken here */
}

/* ---- tracing: the trace SWIs are in arch/arm/trace.S; no VMM to log markers ---- */

void arch_trace_marker(uint32_t tag) { UNUSED(tag); }

/* ---- memory ---- */

uint32_t arch_virt_to_mach(const void *va) { return (uint32_t)(uintptr_t)va + load_offset; }
void *arch_mach_to_virt(uint32_t ma) { return (void *)(uintptr_t)(ma - load_offset); }

/* ---- faults (head.S): report and stop ---- */

static const char *const fault_names[8] = {
    "reset", "undefined instruction", "swi", "prefetch abort", "data abort", "reserved vector", "irq", "fiq",
};

void native_fault(uint32_t kind, uint32_t spsr, const uint32_t *regs);
void native_fault(uint32_t kind, uint32_t spsr, const uint32_t *regs)
{
    const uint32_t far = gl_fault_address(), fsr = gl_fault_status();
    printk("native: fatal %s at pc 0x%08x (spsr 0x%08x, far 0x%08x, fsr 0x%03x)\n", fault_names[kind & 7],
           (unsigned int)regs[13], (unsigned int)spsr, (unsigned int)far, (unsigned int)fsr);
    for (unsigned int i = 0; i < 12; i += 4)
        printk("native:   r%-2u 0x%08x 0x%08x 0x%08x 0x%08x\n", i, (unsigned int)regs[i], (unsigned int)regs[i + 1],
               (unsigned int)regs[i + 2], (unsigned int)regs[i + 3]);
    printk("native:   r12 0x%08x\n", (unsigned int)regs[12]);
    arch_exit(2);
}

/* ---- boot ---- */

noreturn void native_start(uint32_t phys_offset);
noreturn void native_start(uint32_t phys_offset)
{
    load_offset = phys_offset;
    board_init();
    gl_semihosting_cmdline(cmdline, sizeof cmdline);
    snprintf(kind, sizeof kind, "native %s", board_name);

    struct boot_info bi = {
        .kind = kind,
        .name = board_name,
        .cmdline = cmdline,
        .domid = 0,
        .privileged = false,
        .heap_start = PAGE_ALIGN((uintptr_t)__image_end),
        .heap_end = 0xC0000000U + board_ram_size,
        .mem_bytes = board_ram_size,
    };
    start_kernel(&bi);
}
