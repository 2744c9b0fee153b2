/*
 * The BSP's one timer, shared by µC/OS-II's tick and the one-shot alarm (BSP_AlarmSet).
 * Both flavours keep the same bookkeeping; they differ only in how a deadline reaches the
 * timer (bsp_timer_program: the board's one-shot timer, or the VMM's set_timer_op) and in
 * enabling its interrupt (bsp_timer_enable). Everything here runs with interrupts masked.
 */
#include <os_cpu.h>
#include <ucos_ii.h>

#include "bsp.h"

#define TICK_NS (1000000000ull / OS_TICKS_PER_SEC)

static uint64_t next_tick_ns, last_tick_ns;
static int ticking;
static uint64_t alarm_ns; /* 0: none */
static void (*alarm_hook)(void);
static int in_timer_event; /* the timer is re-armed on the way out */

uint64_t BSP_LastTickNs(void) { return last_tick_ns; }

/* Arms the timer for the earlier of the next tick and the alarm (nothing: 0); false if
 * that deadline has already passed (only the native timer can tell). */
static int arm_timer(void)
{
    uint64_t t = ticking ? next_tick_ns : 0;
    if (alarm_ns != 0 && (t == 0 || alarm_ns < t))
        t = alarm_ns;
    return bsp_timer_program(t);
}

/* The timer fired: one OSTimeTick() per period that has passed (a pv domain may have been
 * off the CPU for several), the alarm if it is due, then the next deadline, again if that
 * one has passed meanwhile. */
void bsp_timer_event(void)
{
    if (!ticking && alarm_ns == 0)
        return;
    do {
        const uint64_t now = BSP_TimeNs();
        if (ticking) {
            while (now >= next_tick_ns) {
                last_tick_ns = next_tick_ns;
                next_tick_ns += TICK_NS;
                OSTimeTick();
            }
        }
        if (alarm_ns != 0 && now >= alarm_ns) {
            void (*hook)(void) = alarm_hook;
            alarm_ns = 0;
            in_timer_event = 1;
            if (hook != NULL)
                hook();
            in_timer_event = 0;
        }
    } while (!arm_timer());
}

void BSP_TickStart(void)
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    next_tick_ns = (BSP_TimeNs() / TICK_NS + 1u) * TICK_NS; /* on the period's grid */
    ticking = 1;
    bsp_timer_enable();
    if (!arm_timer())
        bsp_timer_event();
    OS_CPU_SR_Restore(cpu_sr);
}

void BSP_AlarmSet(uint64_t deadline_ns, void (*hook)(void))
{
    const OS_CPU_SR cpu_sr = OS_CPU_SR_Save();
    alarm_ns = deadline_ns;
    alarm_hook = hook;
    if (!in_timer_event) {
        bsp_timer_enable();
        if (!arm_timer())
            bsp_timer_event(); /* already due */
    }
    OS_CPU_SR_Restore(cpu_sr);
}
