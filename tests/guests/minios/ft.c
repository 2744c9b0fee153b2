/*
 * app=ft (a fault-tolerant dom0: fault_tolerance = vm): checkpoints itself with
 * XA_DOMCTL_checkpoint, corrupts its own state, then faults where the VMM cannot bounce the
 * fault (a data abort with upcalls masked). The VMM rolls it back: the checkpoint's domctl
 * returns again, with 1, and the state is as it was; it prints so and exits. With repeat=1
 * it faults again after every rollback, until the VMM's failure window gives up on it and
 * crashes it.
 */
#include "minios/app.h"
#include "minios/arch.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/time.h"
#include "pv.h"

static volatile uint32_t state = 42;
/* The guest vectors' MiB, never mapped (the compiler is not told it is a constant). */
static volatile uintptr_t unmapped = 0x4;

static void ft_main(void)
{
    const uint32_t repeat = cmdline_get_u32("repeat", 0);
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_checkpoint, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = domain_id()};
    const int rc = HYPERVISOR_domctl(&op);
    if (rc < 0) {
        printk("ft: checkpoint failed: %d\n", rc);
        return;
    }
    if (rc == 1) {
        /* Everything is the checkpoint's again, this variable too. */
        printk("ft: rolled back: state %u\n", (unsigned int)state);
        if (!repeat) {
            printk("ft: done\n");
            return;
        }
    } else {
        printk("ft: checkpoint taken: state %u\n", (unsigned int)state);
    }
    state = 0xDEAD;
    printk("ft: state corrupted: 0x%x; faulting\n", (unsigned int)state);
    local_irq_disable();
    *(volatile uint32_t *)unmapped = 1;
    printk("ft: the fault returned\n");
}
MINIOS_APP("ft", ft_main);

/*
 * app=ftauto (a domain with fault_tolerance = vm and automatic checkpoints, no domctl of its
 * own): counts, keeping `mirror` equal to `counter`, and at at=<ms> of system time corrupts
 * the mirror and faults where the VMM cannot bounce it (fault=data: a data abort, undef: an
 * undefined instruction, prefetch: a jump to unmapped code). The fault is transient: it
 * happens only while the VMM counts no rollback of the domain (XA_DOMCTL_ftinfo about
 * itself: the count is the VMM's, which a rollback does not restore), so the domain goes on
 * from its last checkpoint and does not fault again.
 * With yield=1 it gives the CPU away after every step (a switch-out with another domain
 * running). At until=<ms> it prints whether its state is consistent.
 */
static volatile uint32_t counter, mirror;
/* An ARM undefined instruction (the architecture's permanently undefined space). */
static const uint32_t undefined_instruction[] = {0xE7F000F0u};

static void fault_now(const char *kind)
{
    if (strcmp(kind, "undef") == 0) {
        ((void (*)(void))(uintptr_t)undefined_instruction)();
    } else if (strcmp(kind, "prefetch") == 0) {
        ((void (*)(void))unmapped)();
    } else {
        *(volatile uint32_t *)unmapped = 1;
    }
}

static uint32_t rollbacks(void)
{
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_ftinfo, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = domain_id()};
    return HYPERVISOR_domctl(&op) == 0 ? op.u.ftinfo.rollbacks : 0;
}

static void ftauto_main(void)
{
    const s_time_t at = (s_time_t)cmdline_get_u32("at", 20) * 1000000;
    const s_time_t until = (s_time_t)cmdline_get_u32("until", 40) * 1000000;
    const uint32_t yield = cmdline_get_u32("yield", 0);
    const char *kind = cmdline_get("fault") != NULL ? cmdline_get("fault") : "data";
    s_time_t now;
    while ((now = NOW()) < until) {
        ++counter;
        mirror = counter;
        if (now >= at && rollbacks() == 0) {
            printk("ftauto: counter %u; corrupting and faulting (%s)\n", (unsigned int)counter, kind);
            mirror = 0xDEAD;
            local_irq_disable();
            fault_now(kind);
            printk("ftauto: the fault returned\n");
            return;
        }
        if (yield)
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    printk("ftauto: counter %u mirror %u: %s\n", (unsigned int)counter, (unsigned int)mirror,
           counter == mirror ? "consistent" : "CORRUPT");
}
MINIOS_APP("ftauto", ftauto_main);
