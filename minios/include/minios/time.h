/* mini-OS time: NOW() in nanoseconds of system time, and the timer event. */
#ifndef MINIOS_TIME_H
#define MINIOS_TIME_H

#include "minios/arch.h"

typedef uint64_t s_time_t; /* ns */

static inline s_time_t NOW(void) { return arch_now(); }
#define MILLISECS(ms) ((s_time_t)(ms)*NSEC_PER_MSEC)
#define MICROSECS(us) ((s_time_t)(us)*NSEC_PER_USEC)

/* Binds VIRQ_TIMER (its handler only ends a block: the scheduler looks at sleepers). */
void init_time(void);

/* The port VIRQ_TIMER is bound to. */
evtchn_port_t time_timer_port(void);

#endif /* MINIOS_TIME_H */
