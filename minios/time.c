/* mini-OS time: the timer event. NOW() itself is the arch's clock (time.h). */
#include "minios/time.h"

#include "minios/events.h"
#include "minios/kernel.h"

static uint32_t timer_events;
static evtchn_port_t timer_port;

evtchn_port_t time_timer_port(void) { return timer_port; }

/* The timer only has to end the idle thread's block: the scheduler then wakes every
 * sleeper whose time has come. */
static void timer_handler(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    timer_events++;
}

void init_time(void)
{
    int port = bind_virq(VIRQ_TIMER, timer_handler, NULL);
    if (port < 0)
        minios_panic("cannot bind VIRQ_TIMER: %d", port);
    timer_port = (evtchn_port_t)port;
}
