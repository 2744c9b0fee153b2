/*
 * xen-arm start of day: the guest's virtual layout and the start_info page.
 *
 * The VMM builds each domain's address space before starting it:
 *   - the domain's memory (nr_pages machine pages from mem_base, physically contiguous) is
 *     mapped from the start of its kernel window (below) onwards, kernel-only (virtual
 *     kernel mode);
 *   - the guest ELF's PT_LOAD segments are copied there (virtual address = kernel VA);
 *   - the window's top MiB (XA_VMM_PAGES_OFFSET) holds pages the VMM provides:
 *     shared_info and the grant table (both mapped uncached: the VMM shares them with the
 *     guest through an uncached alias), start_info and the trace page. No guest may change
 *     mappings in the top MiB of any window (mmu_update/update_va_mapping return
 *     -XEN_EPERM).
 *   - the last XA_START_RESERVED_PAGES pages of its memory are the console and store pages
 *     (console_mfn, store_mfn; mapped like the rest); the ELF may not load there;
 *   - a RAM disk from the boot image, if the domain has one, is more memory of its own,
 *     left unmapped (ramdisk_base, ramdisk_size).
 * The guest starts at the ELF entry in virtual kernel mode, upcalls masked, with
 *   r0 = its start_info (window + XA_START_INFO_OFFSET), sp = the kernel VA just below
 *   those pages, other registers 0.
 */
#ifndef XEN_ARM_START_INFO_H
#define XEN_ARM_START_INFO_H

#include "abi.h"

#define XA_GUEST_USER_BASE 0x40000000U /* guest user region: 0x40000000-0xBEFFFFFF */
#define XA_GUEST_USER_END 0xBF000000U
#define XA_GUEST_KERNEL_BASE 0xC0000000U /* guest kernel region: 0xC0000000-0xFBFFFFFF */
#define XA_GUEST_KERNEL_END 0xFC000000U  /* the VMM's 64 MB start here */
/* Each domain's kernel lives in a window of its own in the guest kernel region, so that no
 * two domains map the same virtual address and a switch between them needs no cache flush
 * (the ARM926's caches are virtually indexed and tagged). Window i covers
 * XA_GUEST_KERNEL_BASE + i * XA_WINDOW_SIZE onwards; the image builder relocates domain i's
 * kernel into window i. Inside a window: the domain's memory from its start, a passed-through
 * device's registers at XA_PASSTHROUGH_OFFSET and the VMM-provided MiB at
 * XA_VMM_PAGES_OFFSET. start_info.kernel_va is the window's start. */
#define XA_WINDOW_SIZE 0x04000000U /* 64 MiB */
#define XA_WINDOW_COUNT 15U        /* (XA_GUEST_KERNEL_END - XA_GUEST_KERNEL_BASE) / XA_WINDOW_SIZE */
#define XA_PASSTHROUGH_OFFSET 0x03E00000U
#define XA_VMM_PAGES_OFFSET 0x03F00000U
#define XA_SHARED_INFO_OFFSET (XA_VMM_PAGES_OFFSET + 0x0000U)
#define XA_START_INFO_OFFSET (XA_VMM_PAGES_OFFSET + 0x1000U)
#define XA_GRANT_TABLE_OFFSET (XA_VMM_PAGES_OFFSET + 0x2000U)
#define XA_TRACE_PAGE_OFFSET (XA_VMM_PAGES_OFFSET + 0x3000U)
#define XA_START_RESERVED_PAGES 2U /* console page, then store page, at the top */
#define XA_START_INFO_MAGIC "xen-arm-0.1"
#define SIF_PRIVILEGED 0x1U /* may use domctl and act on other domains */
#define SIF_INITDOMAIN 0x2U /* is the driver domain (dom0) */

#ifdef __ASSEMBLER__
/* reg = the start of the running kernel's window: pc rounded down to XA_WINDOW_SIZE
 * (2^26), for assembly that reaches the VMM-provided pages without a literal to relocate. */
/* clang-format off */
.macro xa_window_of_pc reg
    mov     \reg, pc, lsr #26
    mov     \reg, \reg, lsl #26
.endm
/* clang-format on */
#else
XA_ABI_ASSERT(XA_WINDOW_SIZE == 1U << 26 && XA_GUEST_KERNEL_BASE % XA_WINDOW_SIZE == 0 &&
                  XA_GUEST_KERNEL_BASE + XA_WINDOW_COUNT * XA_WINDOW_SIZE == XA_GUEST_KERNEL_END,
              "kernel windows: 64 MiB, aligned, tiling the guest kernel region");

struct start_info {
    char magic[16];           /* XA_START_INFO_MAGIC, NUL-padded */
    uint32_t nr_pages;        /* pages of domain memory */
    uint32_t mem_base;        /* machine address of the first page */
    uint32_t kernel_va;       /* its virtual address: the start of its kernel window */
    uint32_t pt_base;         /* machine address of the domain's first-level table
                                (VMM-owned: never mappable by the guest) */
    uint32_t shared_info_va;  /* kernel_va + XA_SHARED_INFO_OFFSET */
    uint32_t grant_table_va;  /* kernel_va + XA_GRANT_TABLE_OFFSET */
    uint32_t nr_grant_frames; /* pages of grant table there */
    uint32_t flags;           /* SIF_* */
    domid_t domid;            /* this domain's id */
    uint16_t pad0;            /* zero */
    /* A page of the domain's own memory and a port pre-bound to dom0, for the store
     * (xenstore-like) ring; granted to dom0 as GNTTAB_RESERVED_XENSTORE. 0 if none
     * (dom0 itself). */
    uint32_t store_mfn; /* machine address of the page */
    uint32_t store_evtchn;
    /* The same for the console ring, granted as GNTTAB_RESERVED_CONSOLE. */
    uint32_t console_mfn;
    uint32_t console_evtchn;
    uint32_t timeslice_us; /* the scheduler's timeslice for this domain */
    char name[16];         /* the domain's name from the configuration, NUL-terminated */
    char cmd_line[128];    /* its command line, NUL-terminated */
    /* The domain's RAM disk (its configuration's `ramdisk` file, loaded with the boot
     * image): ramdisk_size bytes from machine address ramdisk_base, 4 KiB aligned, in
     * whole frames (zeros after the file up to the next 4 KiB). The frames are the
     * domain's ordinary memory but are not mapped: map them with update_va_mapping /
     * mmu_update. They keep their contents across destroy and create. Both 0 if none. */
    uint32_t ramdisk_base;
    uint32_t ramdisk_size;
};
typedef struct start_info start_info_t;
XA_ABI_SIZE(struct start_info, 224);
XA_ABI_OFFSET(struct start_info, nr_pages, 16);
XA_ABI_OFFSET(struct start_info, pt_base, 28);
XA_ABI_OFFSET(struct start_info, domid, 48);
XA_ABI_OFFSET(struct start_info, store_mfn, 52);
XA_ABI_OFFSET(struct start_info, timeslice_us, 68);
XA_ABI_OFFSET(struct start_info, name, 72);
XA_ABI_OFFSET(struct start_info, cmd_line, 88);
XA_ABI_OFFSET(struct start_info, ramdisk_base, 216);
XA_ABI_OFFSET(struct start_info, ramdisk_size, 220);

#endif /* !__ASSEMBLER__ */

#endif /* XEN_ARM_START_INFO_H */
