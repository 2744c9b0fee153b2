/*
 * app=rt (pv): a guest that drives a device passed through to it (domctl assign_device,
 * the dom0 shell's 'assign'), as the real-time guests of Park, Yoo and Yoo, "An Analysis
 * on Xen in View of Real-time Guarantee", would: the device's registers are at
 * XA_PASSTHROUGH_OFFSET in its kernel window, its interrupt arrives as XA_VIRQ_PASSTHROUGH, and the guest re-enables
 * the line with PHYSDEVOP_eoi after clearing the device's interrupt.
 *
 *   count=N (100) period_us=P (1000) relay=0|1 (0)
 * Waits for dom0 to say which device it got (store: passthrough/name, passthrough/irq),
 * programs it to interrupt every P us, takes N interrupts, stops it, and prints
 * "rt: N interrupts from <dev> (line L), average period X ns (asked P000 ns)" and
 * "rt: ok" (or "rt: FAIL ..."). Devices: minios/ptdev.h.
 *
 * relay=1, the split-driver path instead: the device stays dom0's (dom0's irqrelay=ID:DEV,
 * minios/dom0/irqrelay.c), which publishes irqrelay/port, irqrelay/name and irqrelay/irq
 * in this domain's store directory. The guest binds that interdomain channel, notifies it
 * once (dom0 then starts the device, every irqrelay_us), takes N relayed interrupts,
 * notifies again (dom0 stops the device) and reports as above, P being the period it
 * expects. Relayed interrupts that reach a guest still busy with (or waiting for) an
 * earlier one merge into one event: then it counts fewer than dom0 relayed.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/ptdev.h"
#include "minios/sched.h"
#include "minios/xenbus.h"
#include "pv.h"

static struct ptdev dev;
static uint32_t line;
static evtchn_port_t relay_port;
static volatile uint32_t interrupts, eoi_errors;
static volatile s_time_t first, last;
static struct wait_queue_head rt_wq = WAIT_QUEUE_HEAD_INIT;

static void took_interrupt(void)
{
    const s_time_t now = NOW();
    if (interrupts == 0)
        first = now;
    last = now;
    interrupts++;
    wake_up(&rt_wq);
}

/* Pass-through: the device's own interrupt (XA_VIRQ_PASSTHROUGH). */
static void device_irq(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    ptdev_ack(&dev);
    struct physdev_eoi eoi = {.irq = line};
    if (HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi) != 0)
        eoi_errors++;
    took_interrupt();
}

static uint32_t wanted;

/* Split: dom0 relayed one of the device's interrupts (it has cleared the device and
 * unmasked the line already); after the last one wanted, the same channel tells dom0 to
 * stop the device. */
static void relay_irq(evtchn_port_t port, void *data)
{
    UNUSED(data);
    took_interrupt();
    if (interrupts == wanted && notify_remote_via_evtchn(port) != 0)
        eoi_errors++;
}

static bool enough(void *arg)
{
    UNUSED(arg);
    return interrupts >= wanted;
}

/* Pass-through: the device is ours; returns false (after saying why) if not. */
static bool own_device(char *name, size_t size, uint32_t period_us)
{
    char irq[16];
    if (xenbus_wait_exists("passthrough/irq", irq, sizeof irq, NOW() + MILLISECS(10000)) < 0 ||
        xenbus_read("passthrough/name", name, size) < 0 || !parse_u32(irq, &line)) {
        printk("rt: FAIL no device passed through\n");
        return false;
    }
    if (!ptdev_init(&dev, name)) {
        printk("rt: FAIL unknown device '%s'\n", name);
        return false;
    }
    printk("rt: driving %s (line %u) at 0x%08x, every %u us\n", name, (unsigned int)line,
           (unsigned int)(gl_window() + XA_PASSTHROUGH_OFFSET), (unsigned int)period_us);
    if (bind_virq(XA_VIRQ_PASSTHROUGH, device_irq, NULL) < 0) {
        printk("rt: FAIL cannot bind XA_VIRQ_PASSTHROUGH\n");
        return false;
    }
    ptdev_start(&dev, period_us);
    return true;
}

/* Split: dom0 owns the device and relays its interrupts (dom0's irqrelay=). */
static bool bind_relay(char *name, size_t size)
{
    char port[16];
    uint32_t remote;
    if (xenbus_wait_exists("irqrelay/port", port, sizeof port, NOW() + MILLISECS(10000)) < 0 ||
        xenbus_read("irqrelay/name", name, size) < 0 || xenbus_read_u32("irqrelay/irq", &line) < 0 ||
        !parse_u32(port, &remote)) {
        printk("rt: FAIL dom0 relays no device\n");
        return false;
    }
    struct evtchn_bind_interdomain op = {.remote_dom = 0, .remote_port = remote};
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op) != 0) {
        printk("rt: FAIL cannot bind dom0's relay port %u\n", (unsigned int)remote);
        return false;
    }
    clear_evtchn(op.local_port); /* binding leaves the new port pending: no interrupt yet */
    if (bind_evtchn(op.local_port, relay_irq, NULL) != 0) {
        printk("rt: FAIL cannot bind dom0's relay port %u\n", (unsigned int)remote);
        return false;
    }
    relay_port = op.local_port;
    printk("rt: %s (line %u) relayed by dom0 on port %u\n", name, (unsigned int)line, (unsigned int)relay_port);
    return notify_remote_via_evtchn(relay_port) == 0; /* dom0 starts the device */
}

static void rt_main(void)
{
    const uint32_t count = cmdline_get_u32("count", 100);
    const uint32_t period_us = cmdline_get_u32("period_us", 1000);
    const bool relay = cmdline_get_u32("relay", 0) != 0;
    char name[16];
    if (xenbus_init() != 0) {
        printk("rt: FAIL no store\n");
        return;
    }
    wanted = count;
    if (!(relay ? bind_relay(name, sizeof name) : own_device(name, sizeof name, period_us)))
        return;
    const bool done =
        wait_event_deadline(&rt_wq, enough, NULL, NOW() + MILLISECS(10000) + (s_time_t)count * period_us * 2000U);
    if (relay)
        unbind_evtchn(relay_port);
    else
        ptdev_stop(&dev);
    const uint32_t n = interrupts;
    const uint64_t avg = n > 1 ? (uint64_t)(last - first) / (n - 1) : 0;
    printk("rt: %u interrupts from %s (line %u%s), average period %llu ns (asked %u000 ns), %u eoi errors\n",
           (unsigned int)n, name, (unsigned int)line, relay ? ", relayed by dom0" : "", (unsigned long long)avg,
           (unsigned int)period_us, (unsigned int)eoi_errors);
    const uint64_t asked = (uint64_t)period_us * 1000U;
    if (!done || eoi_errors != 0 || avg < asked - asked / 20 || avg > asked + asked / 20)
        printk("rt: FAIL\n");
    else
        printk("rt: ok\n");
}
MINIOS_APP("rt", rt_main);
