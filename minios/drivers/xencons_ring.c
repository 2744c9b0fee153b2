/*
 * The guest's console ring (io/console.h): output to dom0 (out[]), input from dom0
 * (in[]). Output is written from any context (printk may run in an event handler): when
 * the ring is full it notifies dom0 and yields the CPU so that dom0 can drain it, a
 * bounded number of times, then drops the rest rather than hang.
 */
#include "minios/xencons.h"

#include <xen-arm/io/console.h>

#include "minios/events.h"
#include "minios/lib.h"
#include "minios/sched.h"
#include "pv.h"

#define FULL_YIELDS 200U

static volatile struct xencons_interface *ring;
static evtchn_port_t port;
static struct wait_queue_head input_wq = WAIT_QUEUE_HEAD_INIT;
static uint32_t dropped;

static void ring_write(const char *buf, size_t len)
{
    unsigned int yields = 0;
    while (len > 0) {
        const XENCONS_RING_IDX prod = ring->out_prod;
        const XENCONS_RING_IDX cons = ring->out_cons;
        barrier();
        uint32_t used = prod - cons;
        uint32_t room = used >= XENCONS_OUT_SIZE ? 0 : XENCONS_OUT_SIZE - used;
        if (room == 0) {
            if (yields++ == FULL_YIELDS) {
                dropped += (uint32_t)len;
                return;
            }
            (void)notify_remote_via_evtchn(port);
            (void)HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
            continue;
        }
        uint32_t n = len < room ? (uint32_t)len : room;
        for (uint32_t i = 0; i < n; i++)
            ring->out[MASK_XENCONS_IDX(prod + i, XENCONS_OUT_SIZE)] = buf[i];
        barrier(); /* the bytes before the index */
        ring->out_prod = prod + n;
        buf += n;
        len -= n;
    }
    (void)notify_remote_via_evtchn(port);
}

bool xencons_ring_start(void)
{
    const start_info_t *si = pv_start_info();
    if (si->console_mfn == 0 || si->console_evtchn == 0)
        return false;
    ring = arch_mach_to_virt(si->console_mfn);
    port = si->console_evtchn;
    pv_set_console_sink(ring_write);
    return true;
}

bool xencons_active(void) { return ring != NULL; }

static void input_event(evtchn_port_t p, void *data)
{
    UNUSED(p);
    UNUSED(data);
    wake_up(&input_wq);
}

void xencons_bind_input(void)
{
    if (ring != NULL)
        (void)bind_evtchn(port, input_event, NULL);
}

static bool input_ready(void *arg)
{
    UNUSED(arg);
    return ring->in_prod != ring->in_cons;
}

size_t xencons_read(char *buf, size_t len, s_time_t deadline)
{
    if (ring == NULL || len == 0)
        return 0;
    if (!wait_event_deadline(&input_wq, input_ready, NULL, deadline))
        return 0;
    const XENCONS_RING_IDX prod = ring->in_prod;
    XENCONS_RING_IDX cons = ring->in_cons;
    barrier();
    if (prod - cons > XENCONS_IN_SIZE) /* dom0 wrote nonsense: skip it */
        cons = prod - XENCONS_IN_SIZE;
    size_t n = 0;
    while (cons != prod && n < len)
        buf[n++] = ring->in[MASK_XENCONS_IDX(cons++, XENCONS_IN_SIZE)];
    barrier();
    ring->in_cons = cons;
    (void)notify_remote_via_evtchn(port);
    return n;
}

bool xencons_read_line(char *line, size_t size, s_time_t deadline)
{
    size_t len = 0;
    for (;;) {
        char c;
        if (xencons_read(&c, 1, deadline) == 0) {
            line[len] = '\0';
            return false;
        }
        if (c == '\r' || c == '\n') {
            if (len == 0)
                continue; /* the other half of "\r\n", or an empty line */
            line[len] = '\0';
            return true;
        }
        if (len + 1 < size)
            line[len++] = c;
    }
}
