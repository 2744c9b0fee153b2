/*
 * app=dom0: the driver domain of a split-driver system.
 *
 * Command line: shell=0|1 (default 1: the console shell), exit=auto (stop dom0 once no
 * guest is left, after reaping the last one), disk_sectors=N (each guest's RAM-disk slice,
 * 512-byte sectors; default: the boot image's RAM disk in 7 equal slices), verbose=1 (log
 * every device state change), assign=ID:DEV (pass the board's device DEV through to guest
 * ID once the guests are introduced, as the shell's 'assign ID DEV'), irqrelay=ID:DEV and
 * irqrelay_us=P (keep DEV and relay its interrupts, every P us, to guest ID: irqrelay.c).
 *
 * Start of day: the console multiplexer takes over dom0's own output, the store starts,
 * the RAM disk from the boot image is mapped (blkback.c; none is an error), every guest
 * already running is introduced (store and console pages mapped, device nodes offered),
 * then this thread becomes the io thread.
 *
 * A guest rolled back to its checkpoint by the VMM (XA_VIRQ_DOM_ROLLBACK; which one: its
 * rollback count in XA_DOMCTL_ftinfo rose) has its backends reset (devices.c), its store
 * and console rings read from their restored indices; its frontends reconnect.
 *
 * A guest that shuts down (VIRQ_DOM_EXC) is reaped: its backends disconnect, its store
 * nodes go, its pages are unmapped, then it is destroyed (Xen's on_poweroff=destroy), so
 * its memory and dom0's ports come back.
 */
#include "dom0.h"

#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/gnttab.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"

#define PORTS_MAX 64U

struct guest *guests;
bool dom0_auto_exit;
bool dom0_verbose;

static struct wait_queue_head io_wq = WAIT_QUEUE_HEAD_INIT;
static volatile bool dom_exc;
static volatile bool dom_rollback;
static unsigned int maps_in_use;
static struct {
    struct guest *g;
    uint32_t bits;
} port_owner[PORTS_MAX];

struct guest *guest_get(unsigned int domid)
{
    if (domid == 0 || domid >= DOM0_MAX_DOMS || !guests[domid].used)
        return NULL;
    return &guests[domid];
}

void dom0_kick(struct guest *g, uint32_t bits)
{
    unsigned long flags = local_irq_save();
    g->work |= bits;
    local_irq_restore(flags);
    wake_up(&io_wq);
}

void dom0_guest_event(evtchn_port_t port, void *data)
{
    UNUSED(data);
    if (port < PORTS_MAX && port_owner[port].g != NULL)
        dom0_kick(port_owner[port].g, port_owner[port].bits);
}

static void dom_exc_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    dom_exc = true;
    wake_up(&io_wq);
}

static void dom_rollback_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    dom_rollback = true;
    wake_up(&io_wq);
}

bool dom0_rollback_pending(void) { return dom_rollback; }

static uint32_t ft_rollbacks(domid_t domid)
{
    struct xen_domctl op;
    return dom0_domctl(XA_DOMCTL_ftinfo, domid, &op) == 0 ? op.u.ftinfo.rollbacks : 0;
}

int dom0_domctl(uint32_t cmd, domid_t dom, struct xen_domctl *out)
{
    struct xen_domctl op = {.cmd = cmd, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = dom};
    if (out != NULL)
        op.u = out->u; /* the command's IN fields */
    int rc = HYPERVISOR_domctl(&op);
    if (rc == 0 && out != NULL)
        *out = op;
    return rc;
}

int dom0_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle)
{
    int st = gnttab_map(dom, ref, va, handle);
    if (st == GNTST_okay)
        maps_in_use++;
    return st;
}

void dom0_unmap(grant_handle_t *handle, uintptr_t va)
{
    int st = gnttab_unmap(*handle, va);
    if (st != GNTST_okay)
        printk("dom0: unmap of 0x%08x failed: %d\n", (unsigned int)va, st);
    else
        maps_in_use--;
}

unsigned int dom0_maps_in_use(void) { return maps_in_use; }

static void own_port(evtchn_port_t port, struct guest *g, uint32_t bits)
{
    if (port < PORTS_MAX) {
        port_owner[port].g = g;
        port_owner[port].bits = bits;
    }
    (void)bind_evtchn(port, dom0_guest_event, NULL);
}

static void forget_port(evtchn_port_t port)
{
    if (port == 0)
        return;
    unbind_evtchn(port);
    clear_evtchn(port);
    if (port < PORTS_MAX)
        port_owner[port].g = NULL;
}

int dom0_bind(domid_t dom, evtchn_port_t remote, evtchn_port_t *local, struct guest *g, uint32_t bits)
{
    struct evtchn_bind_interdomain op = {.remote_dom = dom, .remote_port = remote, .local_port = 0};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
    if (rc != 0)
        return rc;
    if (op.local_port >= PORTS_MAX) {
        struct evtchn_close c = {op.local_port};
        (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
        return -XEN_ENOSPC;
    }
    *local = op.local_port;
    own_port(op.local_port, g, bits);
    return 0;
}

void dom0_unbind(evtchn_port_t *port)
{
    if (*port == 0)
        return;
    forget_port(*port);
    struct evtchn_close c = {*port};
    (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    *port = 0;
}

unsigned int dom0_ports_in_use(void)
{
    unsigned int n = 0;
    for (evtchn_port_t p = 1; p < PORTS_MAX; p++) {
        struct evtchn_status st = {.dom = DOMID_SELF, .port = p};
        if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 && st.status != EVTCHNSTAT_closed)
            n++;
    }
    return n;
}

static int domain_info(domid_t domid, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op;
    int rc = dom0_domctl(XEN_DOMCTL_getdomaininfo, domid, &op);
    if (rc != 0)
        return rc;
    if (op.u.getdomaininfo.domain != domid)
        return -XEN_ESRCH;
    *info = op.u.getdomaininfo;
    return 0;
}

int dom0_introduce(domid_t domid, bool booted)
{
    struct xen_domctl_getdomaininfo info;
    int rc = domain_info(domid, &info);
    if (rc != 0)
        return rc;
    if (domid == 0 || domid >= DOM0_MAX_DOMS || guests[domid].used)
        return -XEN_EEXIST;
    if (info.store_port == 0 || info.console_port == 0)
        return -XEN_ENOENT;
    struct guest *g = &guests[domid];
    memset(g, 0, sizeof *g);
    g->used = true;
    g->domid = domid;
    memcpy(g->name, info.name, sizeof g->name - 1);
    g->booted = booted;
    g->store_port = info.store_port;
    g->console_port = info.console_port;
    g->ft_rollbacks = ft_rollbacks(domid);
    rc = store_connect(g);
    if (rc == 0)
        rc = cons_connect(g);
    if (rc != 0) {
        printk("dom0: dom %u: cannot map its store/console pages: %d\n", (unsigned int)domid, rc);
        store_disconnect(g);
        g->used = false;
        return -XEN_EINVAL;
    }
    own_port(g->store_port, g, W_STORE);
    own_port(g->console_port, g, W_CONSOLE);
    char path[48];
    snprintf(path, sizeof path, "/local/domain/%u/domid", (unsigned int)domid);
    store_printf(path, "%u", (unsigned int)domid);
    snprintf(path, sizeof path, "/local/domain/%u/name", (unsigned int)domid);
    store_write(path, g->name);
    devices_offer(g);
    printk("dom0: introduced dom %u '%s' (store port %u, console port %u)\n", (unsigned int)domid, g->name,
           (unsigned int)g->store_port, (unsigned int)g->console_port);
    dom0_kick(g, W_STORE | W_CONSOLE | W_FRONTEND);
    return 0;
}

int dom0_release(struct guest *g, const char *why)
{
    const domid_t domid = g->domid;
    cons_service(g); /* its last words */
    irqrelay_release(domid);
    devices_remove(g);
    char path[32];
    snprintf(path, sizeof path, "/local/domain/%u", (unsigned int)domid);
    (void)store_rm(path);
    store_disconnect(g);
    cons_disconnect(g);
    /* The VMM closes these two ports when it destroys the domain. */
    forget_port(g->store_port);
    forget_port(g->console_port);
    g->used = false;
    g->work = 0;
    if (input_focus == domid)
        input_focus = 0;
    int rc = dom0_domctl(XEN_DOMCTL_destroydomain, domid, NULL);
    if (rc == 0)
        printk("dom0: dom %u '%s' %s: destroyed; dom0 ports in use %u, grant maps %u\n", (unsigned int)domid, g->name,
               why, dom0_ports_in_use(), dom0_maps_in_use());
    else
        printk("dom0: dom %u '%s' %s: the VMM did not destroy it (%s); dom0 ports in use %u, grant maps %u\n",
               (unsigned int)domid, g->name, why, rc == -XEN_ESRCH ? "it no longer exists" : "refused",
               dom0_ports_in_use(), dom0_maps_in_use());
    return rc;
}

void dom0_stop(int status)
{
    printk("dom0: stopping (%s)\n", status == 0 ? "ok" : "failure");
    minios_exit(status);
}

static unsigned int guests_left(void)
{
    unsigned int n = 0;
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++)
        n += guests[i].used ? 1U : 0U;
    return n;
}

/* A domain stopped: destroy every guest that shut down or crashed. */
static void reap(void)
{
    static const char *const reasons[] = {"poweroff", "reboot", "suspend", "crash"};
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        struct guest *g = guest_get(i);
        if (g == NULL)
            continue;
        struct xen_domctl_getdomaininfo info;
        if (domain_info(g->domid, &info) != 0)
            continue;
        if ((info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_crashed)) == 0)
            continue;
        char why[32];
        snprintf(why, sizeof why, "shut down (%s)",
                 (info.flags & XEN_DOMINF_crashed) != 0 ? "crashed"
                 : info.shutdown_reason < 4             ? reasons[info.shutdown_reason]
                                                        : "?");
        (void)dom0_release(g, why);
    }
    if (dom0_auto_exit && guests_left() == 0)
        dom0_stop(0);
}

/* Guests the VMM rolled back since we last looked: what dom0 keeps of their rings is
 * newer than the rings now. */
static void rolled_back(void)
{
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        struct guest *g = guest_get(i);
        if (g == NULL)
            continue;
        const uint32_t n = ft_rollbacks(g->domid);
        if (n == g->ft_rollbacks)
            continue;
        g->ft_rollbacks = n;
        store_rolled_back(g);
        cons_rolled_back(g);
        devices_rolled_back(g);
    }
}

static bool io_pending(void *arg)
{
    UNUSED(arg);
    if (dom_exc || dom_rollback)
        return true;
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        if (guests[i].used && guests[i].work != 0)
            return true;
    }
    return false;
}

static noreturn void io_loop(void)
{
    for (;;) {
        wait_event(&io_wq, io_pending, NULL);
        /* First: a rolled-back guest's rings must not be served from the old state. */
        if (dom_rollback) {
            dom_rollback = false;
            rolled_back();
        }
        for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
            struct guest *g = &guests[i];
            if (!g->used)
                continue;
            if (dom_rollback) {
                dom_rollback = false;
                rolled_back();
            }
            unsigned long flags = local_irq_save();
            const uint32_t work = g->work;
            g->work = 0;
            local_irq_restore(flags);
            if (work & W_STORE)
                store_service(g);
            if (work & W_FRONTEND)
                devices_frontend_changed(g);
            if (work & W_CONSOLE)
                cons_service(g);
            if (work & W_VBD)
                blkback_service(g);
            if (work & W_VIF)
                netback_service(g);
            if (work & W_VTEST)
                ringback_service(g);
        }
        /* After the guests' work, so that what a guest did just before it stopped
         * (its last console lines, a last request) is handled first. */
        if (dom_exc) {
            dom_exc = false;
            reap();
        }
        schedule(); /* let the shell run between passes */
    }
}

static void dom0_main(void)
{
    const uint32_t shell = cmdline_get_u32("shell", 1);
    const char *exit_mode = cmdline_get("exit");
    dom0_auto_exit = exit_mode != NULL && strcmp(exit_mode, "auto") == 0;
    dom0_verbose = cmdline_get_u32("verbose", 0) != 0;
    mux_init();
    guests = alloc_pages((DOM0_MAX_DOMS * sizeof *guests + PAGE_SIZE - 1) / PAGE_SIZE);
    if (guests == NULL || store_init() != 0)
        minios_panic("no memory for dom0's tables");
    if (blkback_init(cmdline_get_u32("disk_sectors", 0)) != 0)
        minios_panic("no usable RAM disk (see above)");
    if (bind_virq(VIRQ_DOM_EXC, dom_exc_event, NULL) < 0)
        minios_panic("cannot bind VIRQ_DOM_EXC");
    if (bind_virq(XA_VIRQ_DOM_ROLLBACK, dom_rollback_event, NULL) < 0)
        minios_panic("cannot bind XA_VIRQ_DOM_ROLLBACK");
    store_write("/local/domain/0/name", boot_info()->name);
    store_write("/local/domain/0/domid", "0");

    unsigned int found = 0;
    for (domid_t id = 1; id < DOM0_MAX_DOMS; id++) {
        struct xen_domctl_getdomaininfo info;
        if (domain_info(id, &info) != 0 || (info.flags & (XEN_DOMINF_shutdown | XEN_DOMINF_crashed)) != 0)
            continue;
        if (dom0_introduce(id, true) == 0)
            found++;
    }
    printk("dom0: ready: %u guest(s), RAM disk %u sectors per guest, store %u nodes\n", found,
           (unsigned int)blkback_sectors(), store_nodes());
    const char *assign = cmdline_get("assign");
    uint32_t assign_id = 0;
    char id_text[8];
    const char *colon = assign;
    while (colon != NULL && *colon != '\0' && *colon != ':')
        colon++;
    if (colon != NULL && *colon == ':' && (size_t)(colon - assign) < sizeof id_text) {
        memcpy(id_text, assign, (size_t)(colon - assign));
        id_text[colon - assign] = '\0';
        if (parse_u32(id_text, &assign_id))
            shell_assign((int)assign_id, colon + 1);
    } else if (assign != NULL) {
        printk("dom0: assign=%s: expected assign=ID:DEV\n", assign);
    }
    const char *relay = cmdline_get("irqrelay");
    if (relay != NULL)
        irqrelay_start(relay, cmdline_get_u32("irqrelay_us", 1000));
    if (shell != 0)
        shell_start();
    io_loop();
}
MINIOS_APP("dom0", dom0_main);
