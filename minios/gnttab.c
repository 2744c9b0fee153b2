/*
 * mini-OS grant tables (v1), pv only: granting pages of ours to other domains, and
 * mapping other domains' grants (hypercalls/xen-arm/grant_table.h).
 *
 * An entry is published in Xen's order: frame and domid first, then (after a barrier) the
 * flags that make it valid. While the other domain has it mapped, the VMM keeps
 * GTF_reading set (and GTF_writing, if a mapping is writable), and the entry must stay.
 */
#include "minios/gnttab.h"

#include "guestlib/hypercall.h"
#include "minios/arch.h"
#include "minios/console.h"

#define FIRST_FREE_REF 2U /* 0, 1: GNTTAB_RESERVED_CONSOLE, GNTTAB_RESERVED_XENSTORE */

static volatile grant_entry_v1_t *table;
static uint32_t nr_entries;
static bool ref_used[XA_GRANT_ENTRIES];

void init_gnttab(uintptr_t table_va, uint32_t nr_frames)
{
    table = (volatile grant_entry_v1_t *)table_va;
    nr_entries = nr_frames * (PAGE_SIZE / sizeof(grant_entry_v1_t));
    if (nr_entries > XA_GRANT_ENTRIES)
        nr_entries = XA_GRANT_ENTRIES;
}

int grant_access(domid_t domid, uint32_t frame, bool readonly)
{
    unsigned long flags = local_irq_save();
    grant_ref_t ref;
    for (ref = FIRST_FREE_REF; ref < nr_entries; ref++) {
        if (!ref_used[ref] && table[ref].flags == GTF_invalid)
            break;
    }
    if (ref >= nr_entries) {
        local_irq_restore(flags);
        return -XEN_ENOSPC;
    }
    ref_used[ref] = true;
    local_irq_restore(flags);

    table[ref].frame = frame & XA_PTE_FRAME_MASK;
    table[ref].domid = domid;
    barrier();
    table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    return (int)ref;
}

bool end_access(grant_ref_t ref)
{
    if (ref < FIRST_FREE_REF || ref >= nr_entries || !ref_used[ref])
        return false;
    const uint32_t in_use = GTF_reading | GTF_writing;
    if ((table[ref].flags & in_use) != 0)
        return false;
    /* flags (bits 15:0) and domid (31:16) are one word: clear both in one swap, so a map
     * that lands between our check and the clear is seen. */
    volatile uint32_t *word = (volatile uint32_t *)(uintptr_t)&table[ref];
    uint32_t old = arch_xchg(word, 0);
    if ((old & in_use) != 0) {
        (void)arch_xchg(word, old); /* mapped meanwhile: put the grant back */
        return false;
    }
    unsigned long flags = local_irq_save();
    ref_used[ref] = false;
    local_irq_restore(flags);
    return true;
}

uint16_t gnttab_entry_flags(grant_ref_t ref) { return ref < nr_entries ? table[ref].flags : 0; }

static int map_grant(domid_t dom, grant_ref_t ref, uintptr_t va, uint32_t flags, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = va,
        .flags = flags,
        .ref = ref,
        .dom = dom,
    };
    int rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (rc != 0) {
        printk("gnttab: map_grant_ref hypercall failed: %d\n", rc);
        return GNTST_general_error;
    }
    if (op.status == GNTST_okay)
        *handle = op.handle;
    return op.status;
}

int gnttab_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle)
{
    return map_grant(dom, ref, va, GNTMAP_host_map, handle);
}

int gnttab_map_readonly(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle)
{
    return map_grant(dom, ref, va, GNTMAP_host_map | GNTMAP_readonly, handle);
}

int gnttab_unmap(grant_handle_t handle, uintptr_t va)
{
    struct gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle};
    int rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    if (rc != 0) {
        printk("gnttab: unmap_grant_ref hypercall failed: %d\n", rc);
        return GNTST_general_error;
    }
    return op.status;
}

unsigned int gnttab_in_use(void)
{
    unsigned int n = 0;
    for (uint32_t ref = FIRST_FREE_REF; ref < nr_entries; ref++)
        n += ref_used[ref] ? 1U : 0U;
    return n;
}
