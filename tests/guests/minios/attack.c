/*
 * app=attack what=KIND (pv only): one class of attack on the VMM's isolation. Each check
 * prints "attack KIND: <check>: ok" or "... FAIL (got X)"; at the end "attack KIND:
 * contained" if every check held, else "attack KIND: FAILED"; then a clean shutdown.
 * what=no-handler and what=handler-fault are different: the VMM must crash the domain,
 * so they never print "contained" (the test reads the VMM's report); so is
 * what=upcall-crash, which must never run again after its crash (not even to shut down).
 */
#include "minios/app.h"
#include "minios/arch.h"
#include "minios/console.h"
#include "minios/gnttab.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"
#include "pv.h"

#define VMM_VA 0xFF000000U     /* DIRECTMAP: the VMM's image */
#define VECTORS_VA 0xFFFF0000U /* the VMM's vector page */
#define USER_VA XA_GUEST_USER_BASE
#define SPARE_VA 0xE0000000U /* a guest kernel address with nothing mapped */

static const char *kind;
static unsigned int failures;

static void report(const char *check, bool ok, const char *got)
{
    if (ok) {
        printk("attack %s: %s: ok\n", kind, check);
    } else {
        printk("attack %s: %s: FAIL (got %s)\n", kind, check, got);
        failures++;
    }
}

/* An int result against the expected one. */
static void expect(const char *check, int got, int want)
{
    char text[16];
    snprintf(text, sizeof text, "%d", got);
    report(check, got == want, text);
}

static void expect_hex(const char *check, uint32_t got, uint32_t want)
{
    char text[16];
    snprintf(text, sizeof text, "0x%08x", (unsigned int)got);
    report(check, got == want, text);
}

/* ---- user-reads-kernel ---- */

static volatile uint32_t kernel_secret = 0x5EC2E7U;
static volatile unsigned int user_syscalls;
static struct pv_fault_record user_fault;
static volatile uint32_t user_fault_vpsr;

static bool user_trap(xa_trap_frame_t *frame, unsigned int trap, uint32_t vfar, uint32_t vfsr)
{
    const bool from_user = (frame->vpsr & XA_VPSR_MODE_MASK) == XA_VPSR_MODE_USER;
    if (trap == XA_TRAP_SWI && from_user) {
        user_syscalls++;
        report("syscall from user", true, "");
        return true; /* back to user mode, after the swi */
    }
    if (trap == XA_TRAP_DABT && from_user) {
        user_fault.hit = true;
        user_fault.pc = frame->pc;
        user_fault.vfar = vfar;
        user_fault.vfsr = vfsr;
        user_fault_vpsr = frame->vpsr;
        pv_user_return(1); /* abandon the user context */
    }
    return false;
}

static void attack_user_reads_kernel(void)
{
    void *page = alloc_page();
    if (page == NULL)
        minios_panic("attack: out of memory");
    const xa_pte_t pte = arch_virt_to_mach(page) | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER;
    int rc = HYPERVISOR_update_va_mapping(USER_VA, pte, UVMF_INVLPG);
    expect("map a user page", rc, 0);
    if (rc != 0)
        return;
    memcpy((void *)USER_VA, pv_user_blob, (size_t)(pv_user_blob_end - pv_user_blob));
    /* The caches are virtually indexed and split: written code must reach the I-side. */
    expect("make the user code executable",
           HYPERVISOR_sync_icache(USER_VA, (uint32_t)(pv_user_blob_end - pv_user_blob)), 0);

    pv_set_trap_hook(user_trap);
    unsigned long flags = local_irq_save();
    int back = pv_enter_user(USER_VA, USER_VA + PAGE_SIZE, (uint32_t)(uintptr_t)&kernel_secret);
    local_irq_restore(flags);
    pv_set_trap_hook(NULL);

    char text[40];
    if (user_syscalls != 1) {
        snprintf(text, sizeof text, "%u syscalls", user_syscalls);
        report("syscall from user", false, text);
    }
    expect("user load of a kernel address trapped", back, 1);
    expect_hex("fault address", user_fault.vfar, (uint32_t)(uintptr_t)&kernel_secret);
    expect_hex("fault pc", user_fault.pc, USER_VA + 4);
    expect_hex("fault mode", user_fault_vpsr & XA_VPSR_MODE_MASK, XA_VPSR_MODE_USER);
    const uint32_t status = user_fault.vfsr & 0xFU;
    snprintf(text, sizeof text, "fsr 0x%03x", (unsigned int)user_fault.vfsr);
    /* Virtual user mode makes the kernel's ARM domain a client, so its privileged-only
     * pages give a permission fault (page 0xF, section 0xD), with the kernel's domain in
     * FSR[7:4]: 1 + 3t for the domain's tag t (xen-arm/include/mmu.hh), never 0 (the VMM's). */
    const uint32_t arm_domain = (user_fault.vfsr >> 4) & 0xFU;
    report("permission fault in the kernel's domain", (status == 0xFU || status == 0xDU) && arm_domain % 3U == 1U,
           text);
    expect("unmap the user page", HYPERVISOR_update_va_mapping(USER_VA, 0, UVMF_INVLPG), 0);
    free_page(page);
}

/* ---- read-vmm / write-vmm ---- */

static void attack_touch_vmm(bool write)
{
    struct pv_fault_record rec;
    pv_expect_fault(&rec);
    if (write)
        pv_probe_write(VMM_VA, 0xBADC0DEU);
    else
        (void)pv_probe_read(VMM_VA);
    char text[40];
    snprintf(text, sizeof text, "no fault");
    report(write ? "write 0xff000000 trapped" : "read 0xff000000 trapped", rec.hit, text);
    if (rec.hit) {
        expect_hex("fault address", rec.vfar, VMM_VA);
        printk("attack %s: fault status 0x%03x\n", kind, (unsigned int)rec.vfsr);
    }
}

/* ---- peek-windows: every other domain's kernel window, right after those domains ran (their
 * TLB entries and cache lines are still there: switches keep them), must fault, never read
 * their memory; its own window reads. ---- */

static void attack_peek_windows(void)
{
    const uint32_t own = (uint32_t)gl_window();
    char check[48];
    for (uint32_t w = 0; w < 8; ++w) {
        const uint32_t base = XA_GUEST_KERNEL_BASE + w * XA_WINDOW_SIZE;
        const uint32_t targets[] = {base, base + XA_SHARED_INFO_OFFSET, base + XA_START_INFO_OFFSET};
        for (unsigned int t = 0; t < sizeof targets / sizeof targets[0]; ++t) {
            msleep(1); /* let the others run (dom0 beats every 10 ms) and leave their entries */
            struct pv_fault_record rec;
            pv_expect_fault(&rec);
            (void)pv_probe_read(targets[t]);
            if (base == own) {
                snprintf(check, sizeof check, "read own window 0x%08x", (unsigned int)targets[t]);
                report(check, !rec.hit, "trapped");
            } else {
                snprintf(check, sizeof check, "read window %u at 0x%08x trapped", (unsigned int)w,
                         (unsigned int)targets[t]);
                report(check, rec.hit && rec.vfar == targets[t], "no fault");
            }
        }
    }
}

/* ---- map-foreign / map-pt / map-vmm ---- */

static void attack_map(const char *what)
{
    const start_info_t *si = pv_start_info();
    void *own = alloc_page();
    if (own == NULL)
        minios_panic("attack: out of memory");
    const xa_pte_t own_pte = arch_virt_to_mach(own) | XA_PTE_PRESENT | XA_PTE_RW;
    if (strcmp(what, "map-foreign") == 0) {
        const uint32_t frame = si->mem_base + si->nr_pages * PAGE_SIZE;
        int rc = HYPERVISOR_update_va_mapping(SPARE_VA, frame | XA_PTE_PRESENT | XA_PTE_RW, 0);
        expect("map the frame after our memory", rc, -XEN_EPERM);
        if (rc == 0)
            (void)HYPERVISOR_update_va_mapping(SPARE_VA, 0, 0);
    } else if (strcmp(what, "map-pt") == 0) {
        int rc = HYPERVISOR_update_va_mapping(SPARE_VA, si->pt_base | XA_PTE_PRESENT | XA_PTE_RW, 0);
        expect("map our first-level table", rc, -XEN_EPERM);
        if (rc == 0)
            (void)HYPERVISOR_update_va_mapping(SPARE_VA, 0, 0);
    } else {
        expect("map at 0xff000000", HYPERVISOR_update_va_mapping(VMM_VA, own_pte, 0), -XEN_EINVAL);
        expect("map over shared_info", HYPERVISOR_update_va_mapping(gl_window() + XA_SHARED_INFO_OFFSET, own_pte, 0),
               -XEN_EPERM);
    }
    free_page(own);
}

/* ---- bad-pointer ---- */

static void attack_bad_pointer(void)
{
    expect("console_io from 0xff000000", HYPERVISOR_console_io(CONSOLEIO_write, 16, (const void *)VMM_VA), -XEN_EFAULT);
    expect("event_channel_op at 0xff000000", HYPERVISOR_event_channel_op(EVTCHNOP_send, (void *)VMM_VA), -XEN_EFAULT);
    int rc = HYPERVISOR_set_trap_table((const void *)VMM_VA);
    expect("set_trap_table(0xff000000)", rc, -XEN_EFAULT);
    if (rc == 0)
        (void)HYPERVISOR_set_trap_table(pv_trap_table());
    expect("mmu_update with requests at 0xffff0000",
           HYPERVISOR_mmu_update((const void *)VECTORS_VA, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    expect("sync_icache over 0xff000000", HYPERVISOR_sync_icache(VMM_VA, 64), -XEN_EFAULT);
    expect("sync_icache over an unmapped page", HYPERVISOR_sync_icache(SPARE_VA, 64), -XEN_EFAULT);
}

/* ---- cache-range: address ranges at the top of the address space. A zero-length range is
 * empty wherever it starts; a range running past 4 GiB is refused, never wrapped. ---- */

static void attack_cache_range(void)
{
    expect("sync_icache of 0 bytes at 0xffffffe1", HYPERVISOR_sync_icache(0xFFFFFFE1U, 0), 0);
    expect("sync_icache of 0 bytes at 0xffffffff", HYPERVISOR_sync_icache(0xFFFFFFFFU, 0), 0);
    expect("sync_icache of 0 bytes at 0xff000000", HYPERVISOR_sync_icache(VMM_VA, 0), 0);
    expect("sync_icache of 32 bytes at 0xfffffff0", HYPERVISOR_sync_icache(0xFFFFFFF0U, 32), -XEN_EFAULT);
}

/* ---- bad-hypercall ---- */

static void attack_bad_hypercall(void)
{
    expect("swi #51", _hypercall(51, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("swi #200", _hypercall(200, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    expect("swi #2", _hypercall(2, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    const struct mmuext_op pin = {0 /* MMUEXT_PIN_L1_TABLE: x86 only */, 0, 0};
    expect("mmuext_op pin (x86 only)", HYPERVISOR_mmuext_op(&pin, 1, NULL, DOMID_SELF), -XEN_ENOSYS);
}

/* ---- evtchn ---- */

static void attack_evtchn(void)
{
    struct evtchn_send send = {.port = 7};
    expect("send on unallocated port 7", HYPERVISOR_event_channel_op(EVTCHNOP_send, &send), -XEN_EINVAL);
    struct evtchn_close close = {.port = 5000};
    expect("close port 5000", HYPERVISOR_event_channel_op(EVTCHNOP_close, &close), -XEN_EINVAL);
    struct evtchn_bind_interdomain bind = {.remote_dom = 0, .remote_port = 1};
    expect("bind_interdomain to dom0 port 1", HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind),
           -XEN_EINVAL);
    struct evtchn_alloc_unbound alloc = {.dom = 0, .remote_dom = DOMID_SELF};
    expect("alloc_unbound in dom0", HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), -XEN_EPERM);
    struct evtchn_status status = {.dom = 0, .port = 1};
    expect("status of dom0 port 1", HYPERVISOR_event_channel_op(EVTCHNOP_status, &status), -XEN_EPERM);
    /* VIRQs that are the privileged domain's (or a device owner's) alone. */
    static const struct {
        const char *check;
        uint32_t virq;
    } dom0_only[] = {
        {"bind VIRQ_CONSOLE", VIRQ_CONSOLE},
        {"bind VIRQ_DOM_EXC", VIRQ_DOM_EXC},
        {"bind VIRQ_DEBUG", VIRQ_DEBUG},
        {"bind XA_VIRQ_PASSTHROUGH without a device", XA_VIRQ_PASSTHROUGH},
    };
    for (unsigned int i = 0; i < sizeof dom0_only / sizeof dom0_only[0]; i++) {
        struct evtchn_bind_virq bind_virq = {.virq = dom0_only[i].virq, .vcpu = 0};
        expect(dom0_only[i].check, HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &bind_virq), -XEN_EPERM);
    }
}

/* ---- grant ---- */

static void grant_try(const char *check, domid_t dom, grant_ref_t ref, int want)
{
    grant_handle_t handle = 0;
    int st = gnttab_map(dom, ref, SPARE_VA, &handle);
    expect(check, st, want);
    if (st == GNTST_okay)
        (void)gnttab_unmap(handle, SPARE_VA);
}

static void attack_grant(void)
{
    grant_try("map dom0 ref 5 (not ours)", 0, 5, GNTST_permission_denied);
    grant_try("map dom0 ref 100000", 0, 100000, GNTST_bad_gntref);
    grant_try("map from dom 99", 99, 5, GNTST_bad_domain);
    expect("unmap handle 63", gnttab_unmap(63, SPARE_VA), GNTST_bad_handle);
}

/* ---- no-handler ---- */

static void attack_no_handler(void)
{
    uint32_t table[XA_TRAP_COUNT];
    memcpy(table, pv_trap_table(), sizeof table);
    table[XA_TRAP_DABT] = 0;
    expect("trap table without a DABT handler", HYPERVISOR_set_trap_table(table), 0);
    printk("attack %s: reading 0xff000000 with no DABT handler\n", kind);
    (void)pv_probe_read(VMM_VA);
    report("the VMM crashed this domain", false, "still running");
    (void)HYPERVISOR_set_trap_table(pv_trap_table());
}

/* ---- handler-fault: a fault where a trap handler runs (virtual kernel mode, upcalls
 * masked) cannot be bounced again: the VMM crashes the domain. ---- */

static void attack_handler_fault(void)
{
    printk("attack %s: reading 0xff000000 with upcalls masked, as a trap handler runs\n", kind);
    local_irq_disable();
    (void)pv_probe_read(VMM_VA);
    local_irq_enable();
    report("the VMM crashed this domain", false, "still running");
}

/* ---- exhaust: one of its frames mapped into every MiB it can reach, each MiB costing the
 * VMM a second-level table, until the VMM says no. The VMM must stop it at its quota
 * (-ENOMEM), not when the VMM's memory is gone. stay=1: keep the mappings (and the
 * VMM's tables) until destroyed. ---- */

static void attack_exhaust(void)
{
    void *page = alloc_page();
    if (page == NULL)
        minios_panic("attack: out of memory");
    const uint32_t mach = arch_virt_to_mach(page);
    const uint32_t own_end = gl_window() + pv_start_info()->nr_pages * PAGE_SIZE;
    unsigned int mapped = 0;
    int rc = 0;
    for (uint32_t va = XA_GUEST_USER_BASE; va < XA_GUEST_USER_END && rc == 0; va += 0x100000U) {
        rc = HYPERVISOR_update_va_mapping(va, mach | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER, 0);
        if (rc == 0)
            mapped++;
    }
    /* Then the guest kernel region above its memory, below the device and VMM MiBs. */
    for (uint32_t va = (own_end + 0xFFFFFU) & ~0xFFFFFU; va < gl_window() + XA_PASSTHROUGH_OFFSET && rc == 0;
         va += 0x100000U) {
        rc = HYPERVISOR_update_va_mapping(va, mach | XA_PTE_PRESENT | XA_PTE_RW, 0);
        if (rc == 0)
            mapped++;
    }
    printk("attack %s: %u MiBs mapped, then %d\n", kind, mapped, rc);
    expect("refused with ENOMEM", rc, -XEN_ENOMEM);
}

/* ---- upcall-crash: an event upcall onto an unwritable kernel stack crashes the domain;
 * the VMM must never return into it. The instructions after the hypercall that ends in
 * the crash try to shut down cleanly (which would hide the crash) and then report. ---- */

static void attack_upcall_crash(void)
{
    static const struct sched_shutdown poweroff = {.reason = SHUTDOWN_poweroff};
    volatile vcpu_info_t *v = pv_vcpu();
    printk("attack %s: an event upcall with the kernel stack at 0xff000000\n", kind);
    local_irq_disable();
    v->evtchn_upcall_pending = 1;
    __asm__ __volatile__(
        "mov r4, sp\n"
        "mov r5, #0\n"
        "mov sp, #0xff000000\n"
        "strb r5, [%[mask]]\n" /* unmask: the next return from the VMM delivers */
        "mov r0, #0\n"         /* XENVER_version */
        "mov r1, #0\n"
        "swi %[version]\n"
        "mov sp, r4\n"
        "mov r0, %[shutdown]\n"
        "mov r1, %[arg]\n"
        "swi %[sched]\n"
        :
        : [mask] "r"(&v->evtchn_upcall_mask), [arg] "r"(&poweroff), [version] "i"(XA_HYPERCALL_xen_version),
          [sched] "i"(XA_HYPERCALL_sched_op), [shutdown] "i"(SCHEDOP_shutdown)
        : "r0", "r1", "r2", "r3", "r4", "r5", "memory", "cc");
    report("the VMM crashed this domain", false, "still running");
}

/* ---- console-flood: the VMM prints with interrupts masked, so one console_io write may
 * print only a bounded amount and return how much it took; the rest needs more calls. ---- */

static void attack_console_flood(void)
{
    /* A page from the allocator, not a static buffer: every mini-OS would zero it at boot. */
    char *flood = alloc_page();
    if (flood == NULL)
        minios_panic("attack: out of memory");
    _Static_assert(PAGE_SIZE == XA_CONSOLEIO_MAX, "one page is one maximal console_io write");
    const unsigned int size = XA_CONSOLEIO_MAX;
    memset(flood, '\n', size);
    int taken = HYPERVISOR_console_io(CONSOLEIO_write, size, flood);
    printk("attack %s: a write of %u newlines took %d\n", kind, size, taken);
    report("a write of 4096 newlines stops early", taken > 0 && taken < (int)size, "all of them");

    memset(flood, 'x', size);
    int first = 0;
    unsigned int calls = 0, done = 0;
    while (done < size && calls < size) {
        int rc = HYPERVISOR_console_io(CONSOLEIO_write, size - done, flood + done);
        if (rc <= 0)
            break;
        if (calls++ == 0)
            first = rc;
        done += (unsigned int)rc;
    }
    (void)HYPERVISOR_console_io(CONSOLEIO_write, 1, "\n");
    printk("attack %s: %u bytes without a newline: the first call took %d, all %u in %u calls\n", kind, size, first,
           done, calls);
    report("a write of 4096 bytes without a newline stops early", first > 0 && first < (int)size, "all of them");
    report("the rest goes out in further calls", done == size, "bytes lost");
    free_page(flood);
}

/* ---- cpsr: a trap frame asking for privilege. restore_trap_frame takes only the two
 * virtual modes; whatever else the frame's vpsr says (SVC, FIQ and IRQ masked, Thumb),
 * the VMM resumes it in USR mode with only the condition flags kept. ---- */

/* Resumes right here through restore_trap_frame with the given vpsr; returns the real
 * CPSR read just after, or the hypercall's error if it refused the frame. */
static uint32_t resume_with_vpsr(uint32_t vpsr, int *rc)
{
    xa_trap_frame_t frame;
    uint32_t cpsr = 0;
    int result = 0;
    __asm__ __volatile__("stmia  %[f], {r0-r12}\n"
                         "str    sp, [%[f], #52]\n"
                         "str    lr, [%[f], #56]\n"
                         "adr    r0, 1f\n"
                         "str    r0, [%[f], #60]\n"
                         "str    %[v], [%[f], #64]\n"
                         "mov    r0, %[f]\n"
                         "swi    %[nr]\n"
                         "mov    %[rc], r0\n" /* only reached if the frame was refused */
                         "b      2f\n"
                         "1:\n"
                         "mrs    %[cpsr], cpsr\n"
                         "2:\n"
                         : [cpsr] "+&r"(cpsr), [rc] "+&r"(result)
                         : [f] "r"(&frame), [v] "r"(vpsr), [nr] "i"(XA_HYPERCALL_restore_trap_frame)
                         : "r0", "r1", "r2", "r3", "lr", "memory", "cc");
    *rc = result;
    return cpsr;
}

static void attack_cpsr(void)
{
    static const uint32_t modes[] = {
        0x11 /* FIQ */, 0x12 /* IRQ */, 0x17 /* abort */, 0x1B /* undef */, 0x1F /* system */, 0x00, 0x1A};
    int rc;
    for (unsigned int i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        char check[48];
        snprintf(check, sizeof check, "resume in mode 0x%02x", (unsigned int)modes[i]);
        (void)resume_with_vpsr(modes[i], &rc);
        expect(check, rc, -XEN_EINVAL);
    }
    const unsigned long flags = local_irq_save();
    /* Virtual kernel mode, plus every bit a guest must not get: F, T, and I (which is the
     * upcall mask, not the CPU's), with N Z C V set. */
    const uint32_t cpsr = resume_with_vpsr(XA_VPSR_MODE_KERNEL | XA_VPSR_I | 0x40U | 0x20U | 0xF0000000U, &rc);
    const int masked = pv_vcpu()->evtchn_upcall_mask;
    local_irq_restore(flags);
    expect("resume in virtual kernel mode with F, T and I set", rc, 0);
    expect_hex("the CPU runs in USR mode", cpsr & 0x1FU, 0x10U);
    expect_hex("with FIQs, IRQs and Thumb as they were", cpsr & 0xE0U, 0);
    expect_hex("and the flags the frame gave", cpsr & 0xF0000000U, 0xF0000000U);
    expect("the frame's I bit became the upcall mask", masked, 1);
}

/* ---- domctl: domain control and device interrupts belong to dom0 and to a device's
 * owner (a domain may only read its own fault-tolerance counts, not dom0's). ---- */

static void attack_domctl(void)
{
    static const uint32_t cmds[] = {XEN_DOMCTL_pausedomain,   XEN_DOMCTL_destroydomain, XEN_DOMCTL_createdomain,
                                    XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_assign_device, XA_DOMCTL_getconfig,
                                    XA_DOMCTL_checkpoint,     XA_DOMCTL_rollback,       XA_DOMCTL_ftinfo};
    for (unsigned int i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        struct xen_domctl op;
        memset(&op, 0, sizeof op);
        op.cmd = cmds[i];
        op.interface_version = XA_DOMCTL_INTERFACE_VERSION;
        op.domain = 0;
        char check[40];
        snprintf(check, sizeof check, "domctl %u on dom0", (unsigned int)cmds[i]);
        expect(check, HYPERVISOR_domctl(&op), -XEN_EPERM);
    }
    struct physdev_eoi eoi = {.irq = 4};
    expect("physdev eoi of a line not ours", HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi), -XEN_EPERM);
}

static void attack_main(void)
{
    kind = cmdline_get("what");
    if (kind == NULL)
        kind = "(none)";
    if (strcmp(kind, "user-reads-kernel") == 0)
        attack_user_reads_kernel();
    else if (strcmp(kind, "handler-fault") == 0)
        attack_handler_fault();
    else if (strcmp(kind, "read-vmm") == 0)
        attack_touch_vmm(false);
    else if (strcmp(kind, "write-vmm") == 0)
        attack_touch_vmm(true);
    else if (strcmp(kind, "map-foreign") == 0 || strcmp(kind, "map-pt") == 0 || strcmp(kind, "map-vmm") == 0)
        attack_map(kind);
    else if (strcmp(kind, "bad-pointer") == 0)
        attack_bad_pointer();
    else if (strcmp(kind, "cache-range") == 0)
        attack_cache_range();
    else if (strcmp(kind, "upcall-crash") == 0)
        attack_upcall_crash();
    else if (strcmp(kind, "console-flood") == 0)
        attack_console_flood();
    else if (strcmp(kind, "bad-hypercall") == 0)
        attack_bad_hypercall();
    else if (strcmp(kind, "evtchn") == 0)
        attack_evtchn();
    else if (strcmp(kind, "grant") == 0)
        attack_grant();
    else if (strcmp(kind, "no-handler") == 0)
        attack_no_handler();
    else if (strcmp(kind, "exhaust") == 0)
        attack_exhaust();
    else if (strcmp(kind, "cpsr") == 0)
        attack_cpsr();
    else if (strcmp(kind, "domctl") == 0)
        attack_domctl();
    else if (strcmp(kind, "peek-windows") == 0)
        attack_peek_windows();
    else
        report("known kind", false, kind);
    printk("attack %s: %s\n", kind, failures == 0 ? "contained" : "FAILED");
    if (cmdline_get_u32("stay", 0) != 0) {
        for (;;)
            msleep(1000);
    }
}
MINIOS_APP("attack", attack_main);
