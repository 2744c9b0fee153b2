/*
 * app=poll (pv): sched_op poll, checked end to end.
 *   - bad arguments: no ports, too many ports, a port out of range -> -EINVAL;
 *   - a pending port returns at once;
 *   - timeout: polling a masked, idle port with a timeout 5 ms ahead returns 0 after 5 ms;
 *   - event: polling the masked VIRQ_TIMER port with a one-shot timer 3 ms ahead returns
 *     when the timer fires (poll ignores masks, as in Xen), long before its 50 ms timeout.
 * Prints "poll: <check>: ok|FAIL ..." and "poll: done".
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/kernel.h"
#include "minios/time.h"
#include "pv.h"

static unsigned int failures;

static void check(const char *what, bool ok, long long got)
{
    printk("poll: %s: %s (%lld)\n", what, ok ? "ok" : "FAIL", got);
    if (!ok)
        failures++;
}

static int poll_ports(evtchn_port_t *ports, uint32_t n, s_time_t timeout)
{
    struct sched_poll p = {.ports = (uint32_t)(uintptr_t)ports, .nr_ports = n, .timeout = (uint64_t)timeout};
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static bool pending(evtchn_port_t port)
{
    return (arch_shared_info()->evtchn_pending[port / 32] & (1u << (port % 32))) != 0;
}

static void poll_main(void)
{
    evtchn_port_t port = time_timer_port();
    evtchn_port_t many[XA_SCHED_POLL_MAX_PORTS + 1] = {0};
    check("no ports", poll_ports(&port, 0, 0) == -XEN_EINVAL, poll_ports(&port, 0, 0));
    check("too many ports", poll_ports(many, XA_SCHED_POLL_MAX_PORTS + 1, 0) == -XEN_EINVAL,
          poll_ports(many, XA_SCHED_POLL_MAX_PORTS + 1, 0));
    evtchn_port_t bad = XA_EVTCHN_2L_NR_PORTS;
    check("port out of range", poll_ports(&bad, 1, 0) == -XEN_EINVAL, poll_ports(&bad, 1, 0));

    unsigned long flags = local_irq_save();
    mask_evtchn(port);
    clear_evtchn(port);
    (void)HYPERVISOR_set_timer_op(0);

    s_time_t t0 = NOW();
    int rc = poll_ports(&port, 1, t0 + MILLISECS(5));
    s_time_t waited = NOW() - t0;
    check("timeout returns 0", rc == 0, rc);
    check("timeout waited 5 ms", waited >= MILLISECS(5) && waited < MILLISECS(6), waited);

    t0 = NOW();
    (void)HYPERVISOR_set_timer_op((uint64_t)(t0 + MILLISECS(3)));
    rc = poll_ports(&port, 1, t0 + MILLISECS(50));
    waited = NOW() - t0;
    check("masked timer event wakes the poll", rc == 0 && pending(port), rc);
    check("woken at the timer, not the timeout", waited >= MILLISECS(3) && waited < MILLISECS(4), waited);

    t0 = NOW();
    rc = poll_ports(&port, 1, t0 + MILLISECS(50));
    check("already pending returns at once", rc == 0 && NOW() - t0 < MILLISECS(1), NOW() - t0);

    clear_evtchn(port);
    unmask_evtchn(port);
    local_irq_restore(flags);
    printk("poll: %s\n", failures == 0 ? "done" : "FAILED");
}
MINIOS_APP("poll", poll_main);
