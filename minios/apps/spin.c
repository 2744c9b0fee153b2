/*
 * app=spin (pv): a CPU-bound victim for scheduling tests. It computes without blocking
 * from its start: for delay=MS (default 50) of system time, then for window=MS (default
 * 200) of system time, and reports how much of that window it had the CPU:
 *
 *   "spin: dom D: ran R ns of W ns (P per mille), descheduled S times, N rounds"
 *
 * Time comes from VCPUOP_get_runstate_info, read after every round of work: the sum of
 * the four runstate times is the system time since the domain was built (so the window
 * is system time, not this domain's own), its running time is the CPU it had. A round
 * after which the runnable time grew means another domain ran in between (S counts
 * those: at least one domain switch away and one back each). Then a clean exit.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"
#include "pv.h"

#define SPIN_ROUND 200U /* iterations of busy work between two clock reads */

static uint64_t runstate_sum(const struct vcpu_runstate_info *r)
{
    return r->time[RUNSTATE_running] + r->time[RUNSTATE_runnable] + r->time[RUNSTATE_blocked] +
           r->time[RUNSTATE_offline];
}

static void read_runstate(struct vcpu_runstate_info *r)
{
    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, r) != 0)
        minios_panic("spin: VCPUOP_get_runstate_info failed");
}

static volatile uint32_t sink;

static void spin_round(void)
{
    for (uint32_t i = 0; i < SPIN_ROUND; i++)
        sink = sink * 1103515245U + 12345U;
}

static void spin_main(void)
{
    const uint32_t delay = cmdline_get_u32("delay", 50);
    const uint32_t window_ms = cmdline_get_u32("window", 200);
    const uint64_t window = (uint64_t)window_ms * 1000000U;
    struct vcpu_runstate_info start, now;
    read_runstate(&start);
    const uint64_t begin = runstate_sum(&start);
    do { /* computing, not sleeping: a blocked domain might wait for the CPU past it */
        spin_round();
        read_runstate(&start);
    } while (runstate_sum(&start) - begin < (uint64_t)delay * 1000000U);
    printk("spin: dom %u: computing for %u ms from %llu ns\n", domain_id(), (unsigned int)window_ms,
           (unsigned long long)NOW());
    uint64_t runnable = start.time[RUNSTATE_runnable];
    uint32_t rounds = 0, descheduled = 0;
    do {
        spin_round();
        rounds++;
        read_runstate(&now);
        if (now.time[RUNSTATE_runnable] != runnable) {
            descheduled++;
            runnable = now.time[RUNSTATE_runnable];
        }
    } while (runstate_sum(&now) - runstate_sum(&start) < window);
    const uint64_t elapsed = runstate_sum(&now) - runstate_sum(&start);
    const uint64_t ran = now.time[RUNSTATE_running] - start.time[RUNSTATE_running];
    printk("spin: dom %u: ran %llu ns of %llu ns (%u per mille), descheduled %u times, %u rounds\n", domain_id(),
           (unsigned long long)ran, (unsigned long long)elapsed, (unsigned int)(ran * 1000U / elapsed),
           (unsigned int)descheduled, (unsigned int)rounds);
}
MINIOS_APP("spin", spin_main);
