/*
 * app=bench (the default): the Secure Xen on ARM benchmark (Kim and Shin). Four threads; each prints a start line,
 * runs a 100,000-iteration loop, prints an end line, runs the loop again, executes the
 * trace SWI `swi #0xffffab` (a = domain id, b = thread id) and yields. When all four have
 * finished: "bench: dom D done" and a clean exit. In pv, trace_marker hypercalls bracket
 * the run (native: no-ops).
 *
 * yield=N makes the run harsher on the VMM (a variant that switches often): each thread
 * yields to the next every N iterations of its loops (mini-OS thread switches), and with a
 * short timeslice in the configuration the domains switch often too; iterations=N sets that
 * variant's loop length (default 100,000).
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"

#define BENCH_THREADS 4U
#define BENCH_ITERATIONS 100000U
/* trace_marker tags: 0xBE00DDPP, DD = domain, PP = 0 start / 1 end */
#define BENCH_MARKER(dom, phase) (0xBE000000U | (((dom)&0xFFU) << 8) | (phase))

static unsigned int finished;
static uint32_t iterations = BENCH_ITERATIONS;
static uint32_t yield_every; /* 0: never */
static struct wait_queue_head done_wq = WAIT_QUEUE_HEAD_INIT;

/* The loop counter lives in memory (volatile): every iteration loads, increments,
 * stores and compares it, so the compiler can neither drop nor shorten the loop, and
 * each run executes the same instructions. */
static __attribute__((noinline)) void bench_loop(void)
{
    volatile uint32_t i;
    for (i = 0; i < BENCH_ITERATIONS; i++) {
    }
}

/* The harsh variant's loop (yield=N): a thread switch every N iterations. */
static __attribute__((noinline)) void bench_loop_yielding(void)
{
    volatile uint32_t i;
    for (i = 0; i < iterations; i++) {
        if (i % yield_every == yield_every - 1)
            schedule();
    }
}

static void bench_thread(void *arg)
{
    const unsigned int t = (unsigned int)(uintptr_t)arg;
    void (*const loop)(void) = yield_every != 0 ? bench_loop_yielding : bench_loop;
    const unsigned int d = domain_id();
    printk("bench: dom %u thread %u start\n", d, t);
    loop();
    printk("bench: dom %u thread %u end\n", d, t);
    loop();
    arch_trace_swi(((d & 0xFU) << 4) | (t & 0xFU));
    schedule();

    unsigned long flags = local_irq_save();
    finished++;
    local_irq_restore(flags);
    wake_up(&done_wq);
}

static bool all_finished(void *arg)
{
    UNUSED(arg);
    return finished == BENCH_THREADS;
}

static void bench_main(void)
{
    const unsigned int d = domain_id();
    iterations = cmdline_get_u32("iterations", BENCH_ITERATIONS);
    yield_every = cmdline_get_u32("yield", 0);
    arch_trace_marker(BENCH_MARKER(d, 0));
    const s_time_t start = NOW();
    for (unsigned int t = 0; t < BENCH_THREADS; t++) {
        char name[THREAD_NAME_MAX];
        snprintf(name, sizeof name, "bench%u", t);
        if (create_thread(name, bench_thread, (void *)(uintptr_t)t) == NULL)
            minios_panic("bench: out of memory for thread %u", t);
    }
    wait_event(&done_wq, all_finished, NULL);
    const s_time_t end = NOW();
    arch_trace_marker(BENCH_MARKER(d, 1));
    printk("bench: dom %u elapsed %llu ns\n", d, (unsigned long long)(end - start));
    printk("bench: dom %u done\n", d);
}
MINIOS_APP("bench", bench_main);
