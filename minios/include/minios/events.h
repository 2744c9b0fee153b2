/* mini-OS event channels: handlers per port and the 2-level upcall dispatch. */
#ifndef MINIOS_EVENTS_H
#define MINIOS_EVENTS_H

#include "minios/arch.h"

/* Runs with upcalls masked, from the upcall (pv: the IRQ trap entry; native: the board
 * interrupt). Must not block or schedule. */
typedef void (*evtchn_handler_t)(evtchn_port_t port, void *data);

/* Masks every port; no handlers. */
void init_events(void);
/* Installs handler for an already bound port (e.g. start_info.store_evtchn) and unmasks
 * it; a notification that arrived before is delivered then. 0 or -XEN_EINVAL. */
int bind_evtchn(evtchn_port_t port, evtchn_handler_t handler, void *data);
/* EVTCHNOP_bind_virq, then bind_evtchn. Returns the port (> 0) or -XEN_Exxx. */
int bind_virq(uint32_t virq, evtchn_handler_t handler, void *data);
/* Removes the handler and masks the port (the port stays bound). */
void unbind_evtchn(evtchn_port_t port);
void mask_evtchn(evtchn_port_t port);
void unmask_evtchn(evtchn_port_t port);
void clear_evtchn(evtchn_port_t port);
/* EVTCHNOP_send. */
int notify_remote_via_evtchn(evtchn_port_t port);
/* Events dispatched so far (all ports), for diagnostics. */
uint32_t events_dispatched(void);

#endif /* MINIOS_EVENTS_H */
