/*
 * app=codewrite [sync=0]: a guest that writes code and runs it, for the coherence checker
 * (traces/coherence.py, tests/traces/test_coherence.py). It writes a two-instruction
 * function ("mov r0, #1; bx lr") into a page of its own, makes it executable with
 * HYPERVISOR_sync_icache, calls it, rewrites it to return 2 at the same address, syncs and
 * calls it again, then prints "codewrite: dom D got 1 2". Before each write it reads the
 * words, so that the D-cache holds their line (read-allocate) and the write dirties it.
 * sync=0 leaves the hypercall out: QEMU, which has no caches, still prints "got 1 2"; an
 * ARM926 would fetch what memory held before the dirty line was cleaned.
 * Not part of the regular mini-OS images: traces/build.mk links it into
 * build/traces/kernels/minios-codewrite.elf.
 */
#include "guestlib/hypercall.h"
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/mm.h"

static volatile uint32_t sink;

static void write_code(volatile uint32_t *code, uint32_t value)
{
    sink = code[0] + code[1];      /* allocate the line in the D-cache */
    code[0] = 0xE3A00000u | value; /* mov r0, #value */
    code[1] = 0xE12FFF1Eu;         /* bx lr */
}

static void codewrite_main(void)
{
    const bool sync = cmdline_get_u32("sync", 1) != 0;
    volatile uint32_t *code = alloc_page();
    if (code == NULL)
        minios_panic("codewrite: out of memory");
    int got[2];
    for (uint32_t i = 0; i < 2; i++) {
        write_code(code, i + 1);
        if (sync && HYPERVISOR_sync_icache((uint32_t)(uintptr_t)code, 8) != 0)
            minios_panic("codewrite: sync_icache failed");
        got[i] = ((int (*)(void))(uintptr_t)code)();
    }
    printk("codewrite: dom %u got %d %d\n", domain_id(), got[0], got[1]);
}
MINIOS_APP("codewrite", codewrite_main);
