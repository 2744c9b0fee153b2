/*
 * mini-OS pv arch layer: a paravirtual guest kernel of xen-arm (the headers in hypercalls/xen-arm).
 * Runs in ARM USR mode in the VMM's virtual kernel mode; every privileged operation is a
 * hypercall (guestlib/hypercall.h).
 */
#include "guestlib/cmdline.h"
#include "guestlib/pv.h"

#include "minios/arch.h"
#include "minios/console.h"
#include "minios/gnttab.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/xencons.h"
#include "pv.h"

#define BOOT_STACK_BYTES (16U * 1024U) /* the idle thread's, from sp at entry down */

extern char __image_end[];
extern char pv_trap_undef[], pv_trap_swi[], pv_trap_pabt[], pv_trap_dabt[], pv_trap_irq[];

static start_info_t *start_info;
static struct gl_start_strings strings; /* the domain's name and command line */
static uint32_t trap_table[XA_TRAP_COUNT];
static pv_trap_hook_t trap_hook;
static struct pv_fault_record *expected_fault;

const start_info_t *pv_start_info(void) { return start_info; }
const uint32_t *pv_trap_table(void) { return trap_table; }
void pv_set_trap_hook(pv_trap_hook_t hook) { trap_hook = hook; }
void pv_expect_fault(struct pv_fault_record *record)
{
    record->hit = false;
    expected_fault = record;
}

/* ---- console, exit, tracing ---- */

static pv_console_sink_t console_sink;

void pv_set_console_sink(pv_console_sink_t sink) { console_sink = sink; }

void arch_console_write(const char *buf, size_t len)
{
    if (console_sink != NULL) {
        console_sink(buf, len);
        return;
    }
    gl_console_io_write(buf, len);
}

noreturn void arch_exit(int status)
{
    struct sched_shutdown shutdown = {status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash};
    for (;;) {
        (void)HYPERVISOR_sched_op(SCHEDOP_shutdown, &shutdown);
        /* Not stopped (it cannot fail by the ABI): at least stop running. */
        (void)local_irq_save();
        (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
}

void arch_trace_marker(uint32_t tag) { (void)HYPERVISOR_trace_marker(tag); }

/* ---- events ---- */

shared_info_t *arch_shared_info(void) { return (shared_info_t *)gl_shared_info(); }

int arch_bind_virq(uint32_t virq, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = 0, .port = 0};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
    if (rc == 0)
        *port = op.port;
    return rc;
}

int arch_evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

void arch_force_evtchn_callback(void) { (void)HYPERVISOR_xen_version(XENVER_version, NULL); }

/* ---- time ---- */

uint64_t arch_now(void) { return gl_pv_time_ns(); }

void arch_set_timer(uint64_t deadline) { (void)HYPERVISOR_set_timer_op(deadline); }

void arch_block(void)
{
    (void)HYPERVISOR_sched_op(SCHEDOP_block, NULL); /* unmasks; upcall runs on return */
    local_irq_enable();                             /* in case it came back masked with an upcall pending */
}

/* ---- memory ---- */

uint32_t arch_virt_to_mach(const void *va) { return (uint32_t)((uintptr_t)va - gl_window()) + start_info->mem_base; }

void *arch_mach_to_virt(uint32_t ma) { return (void *)(gl_window() + (ma - start_info->mem_base)); }

/* ---- traps ---- */

static const char *const trap_names[XA_TRAP_COUNT] = {
    "reset", "undefined instruction", "system call", "prefetch abort", "data abort", "reserved", "upcall", "fiq",
};

static noreturn void fatal_trap(const xa_trap_frame_t *f, unsigned int kind, uint32_t vfar, uint32_t vfsr)
{
    printk("minios: fatal %s at pc 0x%08x (vpsr 0x%08x, vfar 0x%08x, vfsr 0x%03x)\n", trap_names[kind & 7],
           (unsigned int)f->pc, (unsigned int)f->vpsr, (unsigned int)vfar, (unsigned int)vfsr);
    for (unsigned int i = 0; i < 12; i += 4)
        printk("minios:   r%-2u 0x%08x 0x%08x 0x%08x 0x%08x\n", i, (unsigned int)f->r[i], (unsigned int)f->r[i + 1],
               (unsigned int)f->r[i + 2], (unsigned int)f->r[i + 3]);
    printk("minios:   r12 0x%08x sp 0x%08x lr 0x%08x\n", (unsigned int)f->r[12], (unsigned int)f->sp,
           (unsigned int)f->lr);
    arch_exit(1);
}

/* From head.S's trap entries, upcalls masked, on the trap stack. */
void pv_trap(xa_trap_frame_t *frame, unsigned int kind);
void pv_trap(xa_trap_frame_t *frame, unsigned int kind)
{
    if (kind == XA_TRAP_IRQ) {
        do_hypervisor_callback();
        return;
    }
    volatile vcpu_info_t *v = pv_vcpu();
    const uint32_t vfar = v->vfar, vfsr = v->vfsr;
    if (kind == XA_TRAP_DABT && expected_fault != NULL) {
        struct pv_fault_record *r = expected_fault;
        expected_fault = NULL;
        r->hit = true;
        r->pc = frame->pc;
        r->vfar = vfar;
        r->vfsr = vfsr;
        if (frame->pc == (uint32_t)(uintptr_t)pv_probe_read)
            frame->r[0] = PV_PROBE_FAULTED;
        frame->pc += 4;
        return;
    }
    if (trap_hook != NULL && trap_hook(frame, kind, vfar, vfsr))
        return;
    fatal_trap(frame, kind, vfar, vfsr);
}

/* ---- boot ---- */

noreturn void pv_start(start_info_t *si);
noreturn void pv_start(start_info_t *si)
{
    start_info = si;
    if (!gl_start_info_read(si, &strings)) {
        static const char msg[] = "minios: bad start_info magic\n";
        arch_console_write(msg, sizeof msg - 1);
        arch_exit(1);
    }
    /* console=ring: from the first line on, the console goes through dom0 (the console
     * ring page) instead of the VMM's console_io. */
    if (gl_cmdline_has_word(strings.cmdline, "console=ring"))
        (void)xencons_ring_start();

    trap_table[XA_TRAP_UNDEF] = (uint32_t)(uintptr_t)pv_trap_undef;
    trap_table[XA_TRAP_SWI] = (uint32_t)(uintptr_t)pv_trap_swi;
    trap_table[XA_TRAP_PABT] = (uint32_t)(uintptr_t)pv_trap_pabt;
    trap_table[XA_TRAP_DABT] = (uint32_t)(uintptr_t)pv_trap_dabt;
    trap_table[XA_TRAP_IRQ] = (uint32_t)(uintptr_t)pv_trap_irq;
    int rc = HYPERVISOR_set_trap_table(trap_table);
    if (rc != 0)
        minios_panic("set_trap_table: %d", rc);

    init_gnttab(si->grant_table_va, si->nr_grant_frames);

    /* The VMM's console and store pages are the last ones; the boot stack (sp at entry)
     * starts just below them. */
    const uintptr_t stack_top = gl_window() + (uintptr_t)(si->nr_pages - XA_START_RESERVED_PAGES) * PAGE_SIZE;
    struct boot_info bi = {
        .kind = "pv",
        .name = strings.name,
        .cmdline = strings.cmdline,
        .domid = si->domid,
        .privileged = (si->flags & SIF_PRIVILEGED) != 0,
        .heap_start = PAGE_ALIGN((uintptr_t)__image_end),
        .heap_end = stack_top - BOOT_STACK_BYTES,
        .mem_bytes = si->nr_pages * PAGE_SIZE,
    };
    /* Pages of our memory the VMM gave a purpose: never for the allocator, nor under the
     * boot stack (both hold for the layout start_info.h describes; checked anyway). */
    if (si->store_mfn != 0)
        bi.reserved[0] = (uintptr_t)arch_mach_to_virt(si->store_mfn);
    if (si->console_mfn != 0)
        bi.reserved[1] = (uintptr_t)arch_mach_to_virt(si->console_mfn);
    for (unsigned int i = 0; i < 2; i++) {
        if (bi.reserved[i] >= bi.heap_end && bi.reserved[i] < stack_top)
            minios_panic("VMM page %p is in the boot stack", (void *)bi.reserved[i]);
    }
    start_kernel(&bi);
}
