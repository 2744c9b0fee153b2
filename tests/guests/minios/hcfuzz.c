/*
 * app=hcfuzz seed=S calls=N (pv only): an in-guest hypercall fuzzer. N hypercalls with
 * random arguments biased to the edges the VMM must get right (0, -1, page edges, the
 * VMM-provided MiB of window 14 at 0xFBF00000, the VMM's 0xFC000000.., its own and others' frames,
 * ports and grant refs around the valid ones, counts around the batch limits), from a
 * xorshift generator seeded with S: the same seed makes the same calls.
 *
 * Structured arguments point into a scratch area of its own memory, refilled with random
 * bytes, or at addresses that must be refused. The fuzzer is the VMM's adversary, not its
 * own: it leaves out what only harms itself and would end the run early (the VMM keeps
 * every other domain safe from these anyway; the attack suite shows it):
 *   - set_trap_table with a readable table, restore_trap_frame (jumps anywhere);
 *   - sched_op block, poll and shutdown (they stop it), trace_marker (one console line
 *     each), console writes of real text (a flood of garbage on the console);
 *   - mappings (mmu_update, update_va_mapping, grant map/unmap) over its own memory and
 *     outputs written over shared_info: such a VA or pointer is moved to an unused one.
 *
 * Prints "hcfuzz: seed S, N calls: K accepted, E refused" with a count per hypercall, and
 * exits cleanly; any VMM crash or hang shows as the run not getting there.
 */
#include "minios/app.h"
#include "minios/arch.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/os.h"
#include "pv.h"

#define SCRATCH_PAGES 2U
#define SPARE_VA 0xE0000000U /* a guest kernel address with nothing mapped */

static uint32_t state;
static uint8_t *scratch;
static uint32_t own_end;   /* the end of its memory in the guest kernel region */
static uint32_t own_frame; /* the machine address of a frame of its own */

static uint32_t next(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static uint32_t below(uint32_t n) { return next() % n; }

static uint32_t pick(const uint32_t *values, uint32_t count) { return values[below(count)]; }
#define PICK(array) pick(array, sizeof(array) / sizeof(array[0]))

/* Any 32-bit value, mostly edges. */
static uint32_t any_value(void)
{
    static const uint32_t edges[] = {0,           1,           2,           3,           4,           7,
                                     8,           15,          16,          31,          32,          63,
                                     64,          255,         256,         257,         4095,        4096,
                                     4097,        0x7FFFFFFFU, 0x80000000U, 0xFFFFFFFFU, 0xFFFFFFFEU, 0xFFFFF000U,
                                     0xFBF00000U, 0xFBF01000U, 0xFBEFFFFFU, 0xFC000000U, 0xFF000000U, 0xFFFF0000U,
                                     0xC0000000U, 0x40000000U, 0xBEFFF000U};
    switch (below(4)) {
    case 0: return next();
    case 1: return below(64);
    default: return PICK(edges);
    }
}

static uint32_t scratch_at(uint32_t offset) { return (uint32_t)(uintptr_t)scratch + offset; }

/* A pointer argument: into the scratch area (aligned, unaligned, straddling its end), or
 * somewhere the VMM must refuse to read or write for this guest. */
static uint32_t any_pointer(void)
{
    static const uint32_t refused[] = {0,           1,           0xFFFFFFFFU, 0xFFFFFFF0U,  0xFF000000U, 0xFFFF0000U,
                                       0xFC000000U, 0xFBF01000U, SPARE_VA,    SPARE_VA - 4, 0x40000000U, 0xBF000000U};
    const uint32_t size = SCRATCH_PAGES * PAGE_SIZE;
    switch (below(5)) {
    case 0: return scratch_at(below(size / 4) * 4);
    case 1: return scratch_at(below(size));
    case 2: return scratch_at(size - 1 - below(8));
    case 3: return scratch_at(0);
    default: return PICK(refused);
    }
}

/* A virtual address to map at: never its own memory (that would only crash itself). */
static uint32_t any_map_va(void)
{
    static const uint32_t vas[] = {0x40000000U,        0x40001000U, 0xBEFFF000U, 0xBF000000U, SPARE_VA,
                                   SPARE_VA + 0x1000U, 0xFBF00000U, 0xFBF01000U, 0xFBEFF000U, 0xFC000000U,
                                   0xFF000000U,        0xFFFF0000U, 0x00000000U, 0x00001000U, 0xFFFFF000U};
    uint32_t va = below(3) == 0 ? next() : PICK(vas);
    if (va >= gl_window() && va < own_end)
        va = SPARE_VA + (va & 0xFFFFFU);
    return va;
}

static uint32_t any_pte(void)
{
    static const uint32_t flags[] = {0, XA_PTE_PRESENT, XA_PTE_PRESENT | XA_PTE_RW,
                                     XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER, XA_PTE_PRESENT | XA_PTE_USER};
    switch (below(4)) {
    case 0: return next();
    case 1: return 0;
    case 2: return (own_frame + below(4) * 0x100000U - 0x100000U) | PICK(flags); /* others' frames */
    default: return own_frame | PICK(flags);
    }
}

static uint32_t any_domid(void)
{
    static const uint32_t doms[] = {0, 1, 2, 3, 7, 8, 99, DOMID_SELF, 0x7FF1U, 0xFFFFU, 0x10000U};
    return PICK(doms);
}

static uint32_t any_count(void)
{
    static const uint32_t counts[] = {0, 1, 2, 3, 15, 16, 17, 255, 256, 257, 0x7FFFFFFFU, 0xFFFFFFFFU};
    return PICK(counts);
}

static void fill_scratch(void)
{
    uint32_t *words = (uint32_t *)scratch;
    for (uint32_t i = 0; i < SCRATCH_PAGES * PAGE_SIZE / 4; i++)
        words[i] = below(2) ? any_value() : next();
}

/* Between whole refills, fresh random words where the next call's structures start. */
static void stir_scratch(void)
{
    uint32_t *words = (uint32_t *)scratch;
    for (uint32_t i = 0; i < 16; i++)
        words[i] = below(2) ? any_value() : next();
    words[below(SCRATCH_PAGES * PAGE_SIZE / 4)] = any_value();
}

/* Mapping requests in the scratch area (mmu_update entries, grant map/unmap structs) get
 * VAs that are not its own memory. */
static void sanitise_mmu_updates(uint32_t count)
{
    struct mmu_update *req = (struct mmu_update *)scratch;
    const uint32_t max = SCRATCH_PAGES * PAGE_SIZE / sizeof *req;
    for (uint32_t i = 0; i < count && i < max; i++) {
        const uint32_t va = req[i].ptr & ~3U;
        if (va >= gl_window() && va < own_end)
            req[i].ptr = (SPARE_VA + (va & 0xFFFFFU)) | (req[i].ptr & 3U);
    }
}

static void sanitise_grant_ops(void)
{
    /* Both map and unmap structs start with the 64-bit host address. */
    const uint32_t stride_map = sizeof(struct gnttab_map_grant_ref);
    for (uint32_t off = 0; off + stride_map <= SCRATCH_PAGES * PAGE_SIZE; off += 8) {
        uint64_t *addr = (uint64_t *)(scratch + off);
        const uint32_t low = (uint32_t)*addr;
        if (low >= gl_window() && low < own_end)
            *addr = SPARE_VA + (low & 0xFFFFFU);
    }
}

/* Hypercall numbers, valid and not: the swi immediate is fixed at build time, so each
 * number the fuzzer uses is a case here. */
static int call(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4)
{
#define CASE(n)                                                                                                        \
    case n: return _hypercall(n, a0, a1, a2, a3, a4)
    switch (nr) {
        CASE(0);
        CASE(1);
        CASE(2);
        CASE(3);
        CASE(4);
        CASE(5);
        CASE(6);
        CASE(7);
        CASE(8);
        CASE(9);
        CASE(10);
        CASE(11);
        CASE(12);
        CASE(13);
        CASE(14);
        CASE(15);
        CASE(16);
        CASE(17);
        CASE(18);
        CASE(19);
        CASE(20);
        CASE(21);
        CASE(22);
        CASE(24);
        CASE(25);
        CASE(26);
        CASE(27);
        CASE(28);
        CASE(29);
        CASE(30);
        CASE(31);
        CASE(32);
        CASE(33);
        CASE(34);
        CASE(35);
        CASE(36);
        CASE(37);
        CASE(40);
        CASE(49);
        CASE(51);
        CASE(52);
        CASE(100);
        CASE(255);
        CASE(4096);
        CASE(0xFFFFFF);
    default: return -XEN_ENOSYS;
    }
#undef CASE
}

static const uint32_t numbers[] = {
    XA_HYPERCALL_set_trap_table,
    XA_HYPERCALL_mmu_update,
    XA_HYPERCALL_update_va_mapping,
    XA_HYPERCALL_set_timer_op,
    XA_HYPERCALL_event_channel_op,
    XA_HYPERCALL_xen_version,
    XA_HYPERCALL_console_io,
    XA_HYPERCALL_grant_table_op,
    XA_HYPERCALL_vcpu_op,
    XA_HYPERCALL_mmuext_op,
    XA_HYPERCALL_sched_op,
    XA_HYPERCALL_physdev_op,
    XA_HYPERCALL_domctl,
    XA_HYPERCALL_sched_op_compat,
    /* unknown numbers */
    2,
    3,
    4,
    5,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    19,
    21,
    22,
    25,
    27,
    28,
    30,
    31,
    32,
    34,
    35,
    37,
    40,
    49,
    51,
    52,
    100,
    255,
    4096,
    0xFFFFFF,
};

#define NUMBER_SLOTS 64U
static uint32_t accepted[NUMBER_SLOTS], refused[NUMBER_SLOTS];

static int one_call(uint32_t nr)
{
    uint32_t a0 = any_value(), a1 = any_value(), a2 = any_value(), a3 = any_value(), a4 = any_value();
    if (below(1024) == 0)
        fill_scratch();
    else
        stir_scratch();
    switch (nr) {
    case XA_HYPERCALL_set_trap_table:
        a0 = below(2) ? 0xFF000000U : 0xFFFFFFFCU; /* refused tables only */
        break;
    case XA_HYPERCALL_mmu_update:
        a0 = any_pointer();
        a1 = any_count();
        a2 = below(2) ? 0 : any_pointer();
        a3 = any_domid();
        if (a0 == scratch_at(0))
            sanitise_mmu_updates(a1);
        else if (a0 >= (uint32_t)(uintptr_t)scratch && a0 < scratch_at(SCRATCH_PAGES * PAGE_SIZE))
            a0 = 0xFF000000U; /* an unaligned request array inside the scratch area: refused */
        break;
    case XA_HYPERCALL_update_va_mapping:
        a0 = any_map_va();
        a1 = any_pte();
        break;
    case XA_HYPERCALL_event_channel_op:
    case XA_HYPERCALL_xen_version:
    case XA_HYPERCALL_physdev_op:
    case XA_HYPERCALL_domctl:
        a0 = below(16);
        a1 = any_pointer();
        break;
    case XA_HYPERCALL_grant_table_op:
        a0 = below(10);
        a1 = below(2) ? scratch_at(0) : any_pointer();
        a2 = any_count();
        sanitise_grant_ops();
        if (a1 != scratch_at(0) && a1 >= (uint32_t)(uintptr_t)scratch && a1 < scratch_at(SCRATCH_PAGES * PAGE_SIZE))
            a1 = scratch_at(0);
        break;
    case XA_HYPERCALL_console_io:
        a0 = below(4);
        if (a0 == CONSOLEIO_write) {
            a1 = below(2) ? 0 : any_count();
            a2 = below(2) ? 0xFF000000U : 0; /* nothing printed: refused text or none */
        } else {
            a2 = any_pointer();
        }
        break;
    case XA_HYPERCALL_vcpu_op:
        a0 = below(8);
        a1 = below(3);
        a2 = any_pointer();
        break;
    case XA_HYPERCALL_mmuext_op:
        a0 = below(2) ? scratch_at(0) : any_pointer();
        a1 = any_count();
        a2 = below(2) ? 0 : any_pointer();
        a3 = any_domid();
        break;
    case XA_HYPERCALL_sched_op: {
        static const uint32_t cmds[] = {SCHEDOP_yield, 5, 6, 7, 100, 0xFFFFFFFFU};
        a0 = PICK(cmds);
        a1 = any_pointer();
        break;
    }
    default: break;
    }
    return call(nr, a0, a1, a2, a3, a4);
}

static void hcfuzz_main(void)
{
    const uint32_t seed = cmdline_get_u32("seed", 1);
    const uint32_t calls = cmdline_get_u32("calls", 100000);
    state = seed != 0 ? seed : 1;
    scratch = alloc_pages(SCRATCH_PAGES);
    uint32_t *probe = alloc_page();
    if (scratch == NULL || probe == NULL)
        minios_panic("hcfuzz: out of memory");
    own_end = gl_window() + pv_start_info()->nr_pages * PAGE_SIZE;
    own_frame = arch_virt_to_mach(probe);
    fill_scratch();
    printk("hcfuzz: seed %u, %u calls\n", (unsigned int)seed, (unsigned int)calls);
    /* Events it binds, sends or sets pending stay pending: delivering them would only make
     * mini-OS print "no handler" for each. The VMM still raises them all. */
    local_irq_disable();

    uint32_t total_accepted = 0;
    for (uint32_t i = 0; i < calls; i++) {
        const uint32_t slot = below(sizeof numbers / sizeof numbers[0]);
        const int rc = one_call(numbers[slot]);
        if (rc >= 0) {
            accepted[slot]++;
            total_accepted++;
        } else {
            refused[slot]++;
        }
        if ((i + 1) % 250000 == 0)
            printk("hcfuzz: %u calls\n", (unsigned int)(i + 1));
    }
    for (uint32_t s = 0; s < sizeof numbers / sizeof numbers[0]; s++) {
        if (accepted[s] + refused[s] != 0)
            printk("hcfuzz: hypercall %u: %u accepted, %u refused\n", (unsigned int)numbers[s],
                   (unsigned int)accepted[s], (unsigned int)refused[s]);
    }
    printk("hcfuzz: seed %u, %u calls: %u accepted, %u refused\n", (unsigned int)seed, (unsigned int)calls,
           (unsigned int)total_accepted, (unsigned int)(calls - total_accepted));
}
MINIOS_APP("hcfuzz", hcfuzz_main);
