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
 *   - the first page in a MiB costs the VMM a second-level table, counted against the
 *     domain's quota (one per MiB of its memory and of its RAM disk, plus 64, kept until
 *     the domain is destroyed): past it, -ENOMEM;
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

/*
 * mmuext_op(r0 = guest address of struct mmuext_op[count], r1 = count (1..XA_MMUEXT_MAX_BATCH),
 *           r2 = guest address of a uint32_t that receives the number done, or 0,
 *           r3 = DOMID_SELF): the maintenance an ARM926 guest cannot do itself from USR mode.
 * Its caches are virtually indexed and split: code a guest writes (a loader, a JIT, a user
 * program copied into a page) must be cleaned out of the D-cache and dropped from the
 * I-cache before it runs. Stops at the first failing op and returns its error.
 *   MMUEXT_TLB_FLUSH_LOCAL     flush the TLB
 *   MMUEXT_INVLPG_LOCAL        drop the TLB entry of page arg1
 *   MMUEXT_FLUSH_CACHE         clean and invalidate the whole D-cache, invalidate the I-cache
 *   XA_MMUEXT_SYNC_ICACHE      make [arg1, arg1 + arg2) executable as written: clean its D-cache
 *                              lines and invalidate its I-cache lines (xen-arm specific; the
 *                              range must be the caller's readable memory, else -EFAULT;
 *                              at most XA_MMUEXT_SYNC_MAX bytes, else -EINVAL)
 * Other commands: -ENOSYS (Xen's numbers; the x86 pinning commands have no meaning here).
 */
#define MMUEXT_TLB_FLUSH_LOCAL 6U
#define MMUEXT_INVLPG_LOCAL 7U
#define MMUEXT_FLUSH_CACHE 12U
#define XA_MMUEXT_SYNC_ICACHE 0x100U /* not Xen's: outside its numbering */
#define XA_MMUEXT_MAX_BATCH 16U
#define XA_MMUEXT_SYNC_MAX (64U * 1024U)

#ifndef __ASSEMBLER__
struct mmuext_op {
    uint32_t cmd;  /* MMUEXT_* */
    uint32_t arg1; /* linear (virtual) address */
    uint32_t arg2; /* bytes (XA_MMUEXT_SYNC_ICACHE) */
};
typedef struct mmuext_op mmuext_op_t;
XA_ABI_SIZE(struct mmuext_op, 12);
#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARM_MEMORY_H */
