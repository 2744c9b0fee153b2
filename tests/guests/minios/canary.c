/*
 * app=canary pages=P period=MS count=N (pv only): a victim that watches its own memory.
 * It fills P pages with a pattern made of each word's address and its domain id, then
 * every MS milliseconds checks every word and prints "canary: dom D check i at T ns: ok"
 * (or how many words changed), N times; then "canary: dom D: N checks, C words changed"
 * and a clean exit. Nothing another domain does may change a word of it.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/mm.h"
#include "minios/sched.h"

static uint32_t pattern(const uint32_t *word, unsigned int dom)
{
    return ((uint32_t)(uintptr_t)word * 2654435761U) ^ (0xC0DE0000U | dom);
}

static void canary_main(void)
{
    const unsigned int d = domain_id();
    const uint32_t pages = cmdline_get_u32("pages", 16);
    const uint32_t period = cmdline_get_u32("period", 10);
    const uint32_t count = cmdline_get_u32("count", 20);
    uint32_t *words = alloc_pages(pages);
    if (words == NULL)
        minios_panic("canary: out of memory");
    const uint32_t n = pages * PAGE_SIZE / 4;
    for (uint32_t i = 0; i < n; i++)
        words[i] = pattern(&words[i], d);
    uint32_t changed_total = 0;
    for (uint32_t c = 1; c <= count; c++) {
        msleep(period);
        uint32_t changed = 0;
        for (uint32_t i = 0; i < n; i++)
            changed += words[i] != pattern(&words[i], d);
        changed_total += changed;
        if (changed == 0)
            printk("canary: dom %u check %u at %llu ns: ok\n", d, (unsigned int)c, (unsigned long long)NOW());
        else
            printk("canary: dom %u check %u at %llu ns: FAIL: %u words changed\n", d, (unsigned int)c,
                   (unsigned long long)NOW(), (unsigned int)changed);
    }
    printk("canary: dom %u: %u checks, %u words changed\n", d, (unsigned int)count, (unsigned int)changed_total);
}
MINIOS_APP("canary", canary_main);
