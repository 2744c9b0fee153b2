/*
 * irqrelay=ID:DEV (irqrelay_us=P, default 1000): the split-driver path of a device's
 * interrupts, beside pass-through's direct one (the real-time guests of Park, Yoo and
 * Yoo, "An Analysis on Xen in View of Real-time Guarantee", and traces/irqlat.py, which
 * measures both). dom0 takes the board's device DEV itself (assign_device to dom0),
 * allocates an event channel for guest ID and publishes it in the guest's store
 * directory (irqrelay/port, irqrelay/name, irqrelay/irq). The guest's first notification
 * on it starts the device, every P us, its second stops it. Each device interrupt
 * (XA_VIRQ_PASSTHROUGH) is cleared, its line unmasked (PHYSDEVOP_eoi) and relayed to the
 * guest as a notification, as the guest itself would clear and unmask it if it owned the
 * device: the line is never held for the guest, so both paths start at the device's
 * expiry. Both handlers run in dom0's upcall, not through the io thread: the shortest
 * relay dom0 can make. app=rt relay=1 is the guest side.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"
#include "minios/ptdev.h"

static struct {
    struct ptdev dev;
    domid_t guest;
    evtchn_port_t port;
    uint32_t line, period_us;
    bool started, stopped;
    uint32_t relayed, errors;
} relay;

static void relay_device_irq(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    ptdev_ack(&relay.dev);
    struct physdev_eoi eoi = {.irq = relay.line};
    if (HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi) != 0)
        relay.errors++;
    if (relay.stopped)
        return;
    relay.relayed++;
    if (notify_remote_via_evtchn(relay.port) != 0)
        relay.errors++;
}

/* The guest's first notification starts the device, its second stops it. */
static void relay_guest_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    if (!relay.started) {
        relay.started = true;
        ptdev_start(&relay.dev, relay.period_us);
    } else if (!relay.stopped) {
        relay.stopped = true;
        ptdev_stop(&relay.dev);
    }
}

void irqrelay_start(const char *spec, uint32_t period_us)
{
    uint32_t id = 0;
    char id_text[8];
    const char *colon = spec;
    while (*colon != '\0' && *colon != ':')
        colon++;
    if (*colon != ':' || (size_t)(colon - spec) >= sizeof id_text) {
        printk("irqrelay: irqrelay=%s: expected irqrelay=ID:DEV\n", spec);
        return;
    }
    memcpy(id_text, spec, (size_t)(colon - spec));
    id_text[colon - spec] = '\0';
    const char *name = colon + 1;
    struct xen_domctl op = {0};
    if (!parse_u32(id_text, &id) || id == 0 || guest_get(id) == NULL || !ptdev_init(&relay.dev, name) ||
        strlen(name) >= sizeof op.u.assign_device.name) {
        printk("irqrelay: irqrelay=%s: no such guest or device\n", spec);
        return;
    }
    strlcpy(op.u.assign_device.name, name, sizeof op.u.assign_device.name);
    int rc = dom0_domctl(XEN_DOMCTL_assign_device, 0, &op);
    if (rc != 0) {
        printk("irqrelay: cannot take %s: %s\n", name, gl_xen_error(rc));
        return;
    }
    relay.line = op.u.assign_device.irq;
    relay.period_us = period_us;
    relay.guest = (domid_t)id;
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = (domid_t)id};
    if (bind_virq(XA_VIRQ_PASSTHROUGH, relay_device_irq, NULL) < 0 ||
        HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc) != 0 ||
        bind_evtchn(alloc.port, relay_guest_event, NULL) != 0) {
        printk("irqrelay: cannot set up the channels\n");
        return;
    }
    relay.port = alloc.port;
    char path[48];
    snprintf(path, sizeof path, "/local/domain/%u/irqrelay/name", (unsigned int)id);
    store_write(path, name);
    snprintf(path, sizeof path, "/local/domain/%u/irqrelay/irq", (unsigned int)id);
    store_printf(path, "%u", (unsigned int)relay.line);
    snprintf(path, sizeof path, "/local/domain/%u/irqrelay/port", (unsigned int)id);
    store_printf(path, "%u", (unsigned int)relay.port);
    printk("irqrelay: %s (line %u) relayed to dom %u on port %u, every %u us\n", name, (unsigned int)relay.line,
           (unsigned int)id, (unsigned int)relay.port, (unsigned int)period_us);
}

void irqrelay_release(domid_t guest)
{
    if (relay.port == 0 || guest != relay.guest)
        return;
    ptdev_stop(&relay.dev);
    unbind_evtchn(relay.port);
    struct evtchn_close c = {relay.port};
    (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    relay.port = 0;
    printk("irqrelay: %u interrupts relayed to dom %u, %u errors\n", (unsigned int)relay.relayed, (unsigned int)guest,
           (unsigned int)relay.errors);
}
