/*
 * app=work: the fault-injection campaign's workload (traces/faults.py; a domain with
 * fault_tolerance = vm and periodic checkpoints; app=faultrun injects). It computes over
 * work_data in rounds: round r turns every word from h(i, r-1) into h(i, r) by XOR, then
 * checks the sum of the words against the sum of h(i, r) computed afresh. A corrupted word
 * stays wrong in every later round, so silent data corruption shows as
 *     work: round N checksum BAD (...) t=T
 * after which the data is rebuilt, so that the next fault is judged on its own.
 *
 * It leaves aborts and undefined instructions to the VMM (its trap table has no handler
 * for them), so such a fault rolls it back to its last checkpoint. Lines (T: system time
 * in ns):
 *     work: stack 0xLO-0xHI     its thread's stack, as offsets into its memory
 *     work: round N ok t=T      with report=MS, a verified round at most every MS ms
 * and a trace marker WORK_MARK | N after every verified round N (the VMM prints it with
 * the exact time, which mini-OS's clock is not: it moves only when the VMM publishes it).
 */
#include "work.h"
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"
#include "minios/time.h"
#include "pv.h"

uint32_t work_data[WORK_WORDS];

static uint32_t h(uint32_t i, uint32_t r)
{
    uint32_t x = i * 0x9E3779B9U ^ (r + 1U) * 0x85EBCA6BU;
    x ^= x >> 16;
    x *= 0x7FEB352DU;
    x ^= x >> 15;
    return x;
}

static void rebuild(uint32_t round)
{
    for (uint32_t i = 0; i < WORK_WORDS; i++)
        work_data[i] = h(i, round);
}

static void work_main(void)
{
    const uint64_t report_ns = (uint64_t)cmdline_get_u32("report", 0) * 1000000ULL;

    /* No handler for aborts and undefined instructions: the VMM's rollback takes them. */
    uint32_t table[XA_TRAP_COUNT];
    const uint32_t *installed = pv_trap_table();
    for (unsigned int k = 0; k < XA_TRAP_COUNT; k++)
        table[k] = installed[k];
    table[XA_TRAP_UNDEF] = table[XA_TRAP_PABT] = table[XA_TRAP_DABT] = 0;
    int rc = HYPERVISOR_set_trap_table(table);
    if (rc != 0) {
        printk("work: set_trap_table failed: %d\n", rc);
        return;
    }
    const uintptr_t stack = (uintptr_t)current_thread() - gl_window();
    printk("work: stack 0x%x-0x%x\n", (unsigned int)stack, (unsigned int)(stack + THREAD_STACK_PAGES * PAGE_SIZE));

    /* In memory, as everything: a rollback brings back the checkpoint's values. */
    static volatile uint32_t round;
    static volatile uint64_t last_report;
    round = 0;
    rebuild(0);
    for (;;) {
        const uint32_t r = ++round;
        for (uint32_t i = 0; i < WORK_WORDS; i++)
            work_data[i] ^= h(i, r - 1) ^ h(i, r);
        uint32_t sum = 0, expected = 0;
        for (uint32_t i = 0; i < WORK_WORDS; i++) {
            sum += work_data[i];
            expected += h(i, r);
        }
        const uint64_t now = NOW();
        if (sum != expected) {
            printk("work: round %u checksum BAD (0x%08x, expected 0x%08x) t=%llu\n", (unsigned int)r, (unsigned int)sum,
                   (unsigned int)expected, (unsigned long long)now);
            rebuild(r);
            continue;
        }
        arch_trace_marker(WORK_MARK | (r & 0xFFFFFFU));
        if (report_ns != 0 && (r == 1 || now - last_report >= report_ns)) {
            printk("work: round %u ok t=%llu\n", (unsigned int)r, (unsigned long long)now);
            last_report = now;
        }
    }
}
MINIOS_APP("work", work_main);
