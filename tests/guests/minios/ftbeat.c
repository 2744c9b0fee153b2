/*
 * app=ftbeat count=N period=MS (pv; a domU with fault_tolerance = vm, checkpointed and rolled
 * back by dom0's shell): a heartbeat whose beat number lives in its memory and whose
 * fault-tolerance counts come from the VMM (XA_DOMCTL_ftinfo about itself, the one domctl
 * an unprivileged domain may use). Prints "ftbeat: dom D beat i: checkpoints C, rollbacks
 * R" for i = 1..N, MS milliseconds apart: after a rollback the beat number goes back to
 * the checkpoint's while the counts go on. First it asks about dom 0 ("ftbeat: ftinfo of
 * dom 0: RC", -EPERM for an unprivileged domain) and its own mode; last "ftbeat: dom D done".
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"
#include "pv.h"

static int ftinfo(domid_t dom, struct xa_domctl_ftinfo *out)
{
    struct xen_domctl op = {.cmd = XA_DOMCTL_ftinfo, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = dom};
    const int rc = HYPERVISOR_domctl(&op);
    if (rc == 0)
        *out = op.u.ftinfo;
    return rc;
}

static void ftbeat_main(void)
{
    const unsigned int d = domain_id();
    const uint32_t count = cmdline_get_u32("count", 5);
    const uint32_t period = cmdline_get_u32("period", 100);
    struct xa_domctl_ftinfo ft;
    printk("ftbeat: ftinfo of dom 0: %d\n", ftinfo(0, &ft));
    int rc = ftinfo((domid_t)d, &ft);
    if (rc != 0) {
        printk("ftbeat: ftinfo of itself failed: %d\n", rc);
        return;
    }
    if (ft.checkpoint_us == XA_FT_CHECKPOINT_MANUAL)
        printk("ftbeat: dom %u mode %u, checkpoints manual\n", d, (unsigned int)ft.mode);
    else
        printk("ftbeat: dom %u mode %u, checkpoint period %u us\n", d, (unsigned int)ft.mode,
               (unsigned int)ft.checkpoint_us);
    for (uint32_t i = 1; i <= count; i++) {
        rc = ftinfo((domid_t)d, &ft);
        if (rc != 0)
            printk("ftbeat: dom %u beat %u: ftinfo failed: %d\n", d, (unsigned int)i, rc);
        else
            printk("ftbeat: dom %u beat %u: checkpoints %u, rollbacks %u\n", d, (unsigned int)i,
                   (unsigned int)ft.checkpoints, (unsigned int)ft.rollbacks);
        if (i < count)
            msleep(period);
    }
    printk("ftbeat: dom %u done\n", d);
}
MINIOS_APP("ftbeat", ftbeat_main);
