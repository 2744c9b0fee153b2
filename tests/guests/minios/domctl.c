/*
 * app=domctl (dom0): lists the domains with getdomaininfo, pauses and unpauses domain 1
 * (or dom=N), printing each step's result. With recreate=NAME it then destroys that
 * domain and builds it again from the boot image's entry NAME, `rounds=N` times (default
 * 1), and checks the error answers of bad requests. With reuse=1 it closes dom0's end of
 * the domain's console channel, reuses the port number for a channel of its own, destroys
 * the domain and checks that its own channel survived the destroy.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "pv.h"

static int domctl(uint32_t cmd, domid_t dom, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = {.cmd = cmd, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = dom};
    int rc = HYPERVISOR_domctl(&op);
    if (rc == 0 && info != NULL)
        *info = op.u.getdomaininfo;
    return rc;
}

static int createdomain(const char *name, domid_t *out)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_createdomain, .interface_version = XA_DOMCTL_INTERFACE_VERSION};
    for (unsigned int i = 0; i + 1 < sizeof op.u.createdomain.name && name[i] != '\0' && name[i] != ' '; i++)
        op.u.createdomain.name[i] = name[i];
    int rc = HYPERVISOR_domctl(&op);
    if (rc == 0 && out != NULL)
        *out = op.domain;
    return rc;
}

static void print_info(const struct xen_domctl_getdomaininfo *d)
{
    char name[sizeof d->name + 1];
    for (unsigned int i = 0; i < sizeof d->name; i++)
        name[i] = d->name[i];
    name[sizeof d->name] = '\0';
    printk("domctl: dom %u '%s' flags 0x%02x%s%s%s pages %u cpu %llu ns store port %u\n", (unsigned int)d->domain, name,
           (unsigned int)d->flags, (d->flags & XEN_DOMINF_paused) != 0 ? " paused" : "",
           (d->flags & XEN_DOMINF_shutdown) != 0 ? " shutdown" : "",
           (d->flags & XEN_DOMINF_running) != 0 ? " running" : "", (unsigned int)d->nr_pages,
           (unsigned long long)d->cpu_time, (unsigned int)d->store_port);
}

/* dom0's lowest port connected to dom `target` (its console channel), or 0. */
static evtchn_port_t port_to(domid_t target)
{
    for (evtchn_port_t p = 1; p < 64; p++) {
        struct evtchn_status st = {.dom = DOMID_SELF, .port = p};
        if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
            st.u.interdomain.dom == target)
            return p;
    }
    return 0;
}

static void reuse_port_across_destroy(domid_t target)
{
    const evtchn_port_t port = port_to(target);
    struct evtchn_close close = {.port = port};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
    struct evtchn_alloc_unbound mine = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    int alloc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &mine);
    printk("domctl: close the console port to dom %u: %d, its number reused: %d (%s)\n", (unsigned int)target, rc,
           alloc, port != 0 && mine.port == port ? "same port" : "another port");
    rc = domctl(XEN_DOMCTL_destroydomain, target, NULL);
    struct evtchn_status st = {.dom = DOMID_SELF, .port = mine.port};
    int status = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
    printk("domctl: destroy dom %u: %d; the reused port afterwards: %d, status %u, offered to dom %u\n",
           (unsigned int)target, rc, status, (unsigned int)st.status, (unsigned int)st.u.unbound.dom);
    close.port = mine.port;
    (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
}

static void domctl_main(void)
{
    const domid_t target = (domid_t)cmdline_get_u32("dom", 1);
    struct xen_domctl_getdomaininfo info;
    unsigned int listed = 0;
    int rc = 0;
    for (uint32_t id = 0; id < 0x7FF0U; id = info.domain + 1U) {
        rc = domctl(XEN_DOMCTL_getdomaininfo, (domid_t)id, &info);
        if (rc != 0)
            break;
        print_info(&info);
        listed++;
    }
    printk("domctl: %u domains listed (last getdomaininfo: %d)\n", listed, rc);

    rc = domctl(XEN_DOMCTL_pausedomain, target, NULL);
    printk("domctl: pause dom %u: %d\n", (unsigned int)target, rc);
    if (domctl(XEN_DOMCTL_getdomaininfo, target, &info) == 0 && info.domain == target)
        print_info(&info);
    rc = domctl(XEN_DOMCTL_unpausedomain, target, NULL);
    printk("domctl: unpause dom %u: %d\n", (unsigned int)target, rc);
    if (domctl(XEN_DOMCTL_getdomaininfo, target, &info) == 0 && info.domain == target)
        print_info(&info);

    if (cmdline_get_u32("reuse", 0) != 0)
        reuse_port_across_destroy(target);

    const char *recreate = cmdline_get("recreate");
    if (recreate != NULL) {
        const uint32_t rounds = cmdline_get_u32("rounds", 1);
        for (uint32_t r = 0; r < rounds; r++) {
            rc = domctl(XEN_DOMCTL_destroydomain, target, NULL);
            int gone = domctl(XEN_DOMCTL_getdomaininfo, target, &info);
            const int absent = gone != 0 || info.domain != target;
            domid_t id = 0;
            int created = createdomain(recreate, &id);
            if (r == 0 || r + 1 == rounds)
                printk("domctl: round %u: destroy dom %u: %d (%s), create: %d (dom %u)\n", (unsigned int)r + 1,
                       (unsigned int)target, rc, absent ? "gone" : "still listed", created, (unsigned int)id);
        }
        printk("domctl: create again while it runs: %d\n", createdomain(recreate, NULL));
        printk("domctl: create unknown: %d\n", createdomain("nosuchdomain", NULL));
        printk("domctl: destroy self: %d\n", domctl(XEN_DOMCTL_destroydomain, 0, NULL));
        printk("domctl: pause self: %d\n", domctl(XEN_DOMCTL_pausedomain, 0, NULL));
        printk("domctl: pause dom 7: %d\n", domctl(XEN_DOMCTL_pausedomain, 7, NULL));
        printk("domctl: unpause a running dom %u: %d\n", (unsigned int)target,
               domctl(XEN_DOMCTL_unpausedomain, target, NULL));
        struct xen_domctl bad = {.cmd = XEN_DOMCTL_getdomaininfo, .interface_version = 99};
        printk("domctl: wrong interface version: %d\n", HYPERVISOR_domctl(&bad));
    }
    printk("domctl: done\n");
}
MINIOS_APP("domctl", domctl_main);
