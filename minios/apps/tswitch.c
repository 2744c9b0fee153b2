/*
 * app=tswitch count=N: two threads hand the CPU to each other N times each with
 * schedule(), then "tswitch: dom D done". A microbenchmark of a guest thread switch for
 * traces/bench.py (make bench): the call of schedule() and the instruction it returns to
 * carry the global labels tswitch_call and tswitch_back, which the xatrace plugin probes;
 * one switch runs from tswitch_call in one thread to tswitch_back in the other.
 * Not part of the regular mini-OS images: traces/build.mk links it into
 * build/traces/minios-tswitch.elf.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"

static uint32_t rounds;
static unsigned int finished;
static struct wait_queue_head done_wq = WAIT_QUEUE_HEAD_INIT;

/* One copy of the labelled call (noinline): schedule() hands the CPU to the other thread. */
static __attribute__((noinline)) void switch_once(void)
{
    __asm__ __volatile__(".global tswitch_call\n"
                         "tswitch_call:\n"
                         "    bl schedule\n"
                         ".global tswitch_back\n"
                         "tswitch_back:\n"
                         :
                         :
                         : "r0", "r1", "r2", "r3", "r12", "lr", "cc", "memory");
}

static void switcher(void *arg)
{
    UNUSED(arg);
    for (uint32_t i = 0; i < rounds; i++)
        switch_once();
    unsigned long flags = local_irq_save();
    finished++;
    local_irq_restore(flags);
    wake_up(&done_wq);
}

static bool both_finished(void *arg)
{
    UNUSED(arg);
    return finished == 2;
}

static void tswitch_main(void)
{
    const unsigned int d = domain_id();
    rounds = cmdline_get_u32("count", 100);
    if (create_thread("switch-a", switcher, NULL) == NULL || create_thread("switch-b", switcher, NULL) == NULL)
        minios_panic("tswitch: out of memory for the threads");
    wait_event(&done_wq, both_finished, NULL);
    printk("tswitch: dom %u done\n", d);
}
MINIOS_APP("tswitch", tswitch_main);
