/*
 * app=heartbeat count=N period=MS: prints "heartbeat: dom D beat i at T ns" for i = 1..N
 * (T = NOW()), sleeping MS milliseconds between beats, then "heartbeat: dom D done" and a
 * clean exit. A victim for isolation tests: it keeps beating while others misbehave.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"

static void heartbeat_main(void)
{
    const unsigned int d = domain_id();
    const uint32_t count = cmdline_get_u32("count", 5);
    const uint32_t period = cmdline_get_u32("period", 100);
    for (uint32_t i = 1; i <= count; i++) {
        printk("heartbeat: dom %u beat %u at %llu ns\n", d, (unsigned int)i, (unsigned long long)NOW());
        if (i < count)
            msleep(period);
    }
    printk("heartbeat: dom %u done\n", d);
}
MINIOS_APP("heartbeat", heartbeat_main);
