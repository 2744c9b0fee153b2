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
