/*
 * xen-arm page-table updates: mmu_update and update_va_mapping.
 *
 * Domain page tables belong to the VMM; a guest changes its own mappings only through these
 * hypercalls, one 4 KiB page at a time, with a portable page-table entry (not a raw ARM
 * descriptor): the VMM builds the descriptor, picking the ARM domain from the region.
 *
 *   xa_pte_t = machine address of the frame (bits 31:12) | XA_PTE_* flags (bits 11:0);
 *   0 = unmap.
 *
 * Rules, each with its error:
 *   - the virtual address must be 4 KiB aligned (-EINVAL), inside the guest kernel region
 *     or the guest user region (-EINVAL), and not in the VMM-provided MiB (-EPERM);
 *   - the frame must belong to the calling domain (-EPERM), be ordinary memory, not one of
 *     its page tables or a VMM page (-EPERM), and lie in RAM (-EINVAL);
 *   - kernel-region pages are kernel-only and writable; XA_PTE_USER is for the user region,
 *     where XA_PTE_RW chooses read-write or read-only (-EINVAL for other combinations);
 *   - the address must not be mapped already (-EEXIST): unmap (val 0) first;
 *   - unknown flag bits: -EINVAL.
 * The VMM invalidates the changed TLB entry itself (UVMF_* flags are accepted for Xen
 * compatibility and validated, not needed).
 */
#ifndef XEN_ARM_MEMORY_H
#define XEN_ARM_MEMORY_H

#include "abi.h"

typedef uint32_t xa_pte_t;

#define XA_PTE_PRESENT 0x001U  /* must be set in a mapping */
#define XA_PTE_RW 0x002U       /* writable */
#define XA_PTE_USER 0x004U     /* reachable from virtual user mode (user region only) */
#define XA_PTE_UNCACHED 0x008U /* not cached, not buffered (shared with a device) */
#define XA_PTE_FLAGS_MASK 0x00FU
#define XA_PTE_FRAME_MASK 0xFFFFF000U

/* update_va_mapping(r0 = va, r1 = pte, r2 = UVMF_* flags) */
#define UVMF_NONE 0U
#define UVMF_TLB_FLUSH 1U
#define UVMF_INVLPG 2U
#define UVMF_FLUSHTYPE_MASK 3U

/* mmu_update(r0 = guest address of struct mmu_update[count], r1 = count,
 *            r2 = guest address of a uint32_t that receives the number done, or 0,
 *            r3 = DOMID_SELF). Requests are applied in order; the first failing one stops
 * the batch and its error is returned; *done counts the ones applied. */
#define MMU_NORMAL_PT_UPDATE 0U /* ptr = virtual address to (re)map | 0, val = xa_pte_t */
#define XA_MMU_MAX_BATCH 256U   /* larger counts: -EINVAL */

struct mmu_update {
    uint32_t ptr; /* virtual address | MMU_* command in bits 1:0 */
    uint32_t val; /* xa_pte_t */
};
typedef struct mmu_update mmu_update_t;
XA_ABI_SIZE(struct mmu_update, 8);

#endif /* XEN_ARM_MEMORY_H */
