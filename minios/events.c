/*
 * mini-OS event channels: a handler per port and the 2-level upcall dispatch of
 * shared_info.h (Xen's event_2l protocol), the same in pv and native builds.
 *
 * Concurrency. The VMM (or, natively, the board interrupt) sets bits in evtchn_pending and
 * evtchn_pending_sel at any instruction boundary; this code takes them with single-
 * instruction swaps (arch_xchg), never with a load/modify/store that could drop a bit
 * set in between. The mask words are ours alone; they are changed with upcalls masked.
 */
#include "minios/events.h"

#include "minios/console.h"
#include "minios/kernel.h"

struct port_handler {
    evtchn_handler_t fn;
    void *data;
};

static struct port_handler handlers[XA_EVTCHN_2L_NR_PORTS];
static uint32_t dispatched;

/* Sets bits in a word the other side may also set bits in: swap our value in, and if the
 * swap shows bits we did not write (set meanwhile), swap again with those added. */
static void set_bits(volatile uint32_t *word, uint32_t bits)
{
    uint32_t want = *word | bits;
    for (;;) {
        uint32_t old = arch_xchg(word, want);
        if ((old & ~want) == 0)
            return;
        want |= old;
    }
}

static bool port_valid(evtchn_port_t port) { return port != 0 && port < XA_EVTCHN_2L_NR_PORTS; }

void init_events(void)
{
    shared_info_t *s = arch_shared_info();
    unsigned long flags = local_irq_save();
    for (unsigned int w = 0; w < XA_EVTCHN_WORDS; w++)
        s->evtchn_mask[w] = ~0U;
    for (unsigned int p = 0; p < XA_EVTCHN_2L_NR_PORTS; p++)
        handlers[p] = (struct port_handler){NULL, NULL};
    local_irq_restore(flags);
}

void mask_evtchn(evtchn_port_t port)
{
    if (!port_valid(port))
        return;
    shared_info_t *s = arch_shared_info();
    unsigned long flags = local_irq_save();
    s->evtchn_mask[port / 32] |= 1U << (port % 32);
    local_irq_restore(flags);
}

void unmask_evtchn(evtchn_port_t port)
{
    if (!port_valid(port))
        return;
    shared_info_t *s = arch_shared_info();
    vcpu_info_t *v = &s->vcpu[0];
    const unsigned int w = port / 32;
    const uint32_t bit = 1U << (port % 32);
    unsigned long flags = local_irq_save();
    s->evtchn_mask[w] &= ~bit;
    barrier();
    /* A notification that came while masked is still pending: raise it now, as the VMM
     * would have had the port been unmasked (Xen's unmask, done locally). */
    if ((s->evtchn_pending[w] & bit) != 0) {
        set_bits(&v->evtchn_pending_sel, 1U << w);
        v->evtchn_upcall_pending = 1;
    }
    local_irq_restore(flags); /* delivers it if we were unmasked */
}

void clear_evtchn(evtchn_port_t port)
{
    if (!port_valid(port))
        return;
    shared_info_t *s = arch_shared_info();
    const uint32_t bit = 1U << (port % 32);
    unsigned long flags = local_irq_save();
    uint32_t taken = arch_xchg(&s->evtchn_pending[port / 32], 0);
    if ((taken & ~bit) != 0)
        set_bits(&s->evtchn_pending[port / 32], taken & ~bit);
    local_irq_restore(flags);
}

int bind_evtchn(evtchn_port_t port, evtchn_handler_t handler, void *data)
{
    if (!port_valid(port) || handler == NULL)
        return -XEN_EINVAL;
    unsigned long flags = local_irq_save();
    if (handlers[port].fn != NULL)
        printk("events: port %u rebound\n", (unsigned int)port);
    handlers[port] = (struct port_handler){handler, data};
    local_irq_restore(flags);
    unmask_evtchn(port);
    return 0;
}

int bind_virq(uint32_t virq, evtchn_handler_t handler, void *data)
{
    evtchn_port_t port = 0;
    int rc = arch_bind_virq(virq, &port);
    if (rc < 0)
        return rc;
    rc = bind_evtchn(port, handler, data);
    return rc < 0 ? rc : (int)port;
}

void unbind_evtchn(evtchn_port_t port)
{
    if (!port_valid(port))
        return;
    mask_evtchn(port);
    unsigned long flags = local_irq_save();
    handlers[port] = (struct port_handler){NULL, NULL};
    local_irq_restore(flags);
}

int notify_remote_via_evtchn(evtchn_port_t port) { return arch_evtchn_send(port); }

uint32_t events_dispatched(void) { return dispatched; }

void do_hypervisor_callback(void)
{
    shared_info_t *s = arch_shared_info();
    vcpu_info_t *v = &s->vcpu[0];
    do {
        v->evtchn_upcall_pending = 0;
        barrier();
        uint32_t sel = arch_xchg(&v->evtchn_pending_sel, 0);
        while (sel != 0) {
            const unsigned int w = (unsigned int)__builtin_ctz(sel);
            sel &= sel - 1;
            /* Take the whole word; ports that are masked stay pending. */
            const uint32_t taken = arch_xchg(&s->evtchn_pending[w], 0);
            const uint32_t masked = taken & s->evtchn_mask[w];
            if (masked != 0)
                set_bits(&s->evtchn_pending[w], masked);
            uint32_t todo = taken & ~masked;
            while (todo != 0) {
                const unsigned int b = (unsigned int)__builtin_ctz(todo);
                todo &= todo - 1;
                const evtchn_port_t port = w * 32 + b;
                dispatched++;
                if (handlers[port].fn != NULL)
                    handlers[port].fn(port, handlers[port].data);
                else
                    printk("events: port %u has no handler\n", (unsigned int)port);
            }
        }
        barrier();
    } while (v->evtchn_upcall_pending != 0);
}
