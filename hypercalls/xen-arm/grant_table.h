/*
 * xen-arm grant tables, version 1 (Xen's public/grant_table.h numbering, entry layout and
 * op structs; guest handles are 32-bit guest addresses).
 *
 * Each domain has XA_GRANT_FRAMES page(s) of grant entries, mapped read-write (uncached) at
 * its window + XA_GRANT_TABLE_OFFSET (start_info.grant_table_va says where). To let domain D
 * map one of its pages, a guest fills entry `ref` with {frame = machine address of the page, domid = D}, then write
 * barrier, then flags = GTF_permit_access (| GTF_readonly: D may only map it read-only).
 * While D has the page mapped the VMM keeps GTF_reading set in the entry, and GTF_writing
 * while at least one of the mappings is writable (as Xen: a read-only map never sets
 * GTF_writing): the granter must not reuse the entry or the page until they clear (end of
 * foreign access = clear flags when neither is set). Refs 0 and 1 are reserved for the
 * console and store pages the VMM grants to dom0.
 *
 * grant_table_op(r0 = GNTTABOP_*, r1 = guest address of the op structs, r2 = count):
 *   returns 0 once the ops were attempted (each op's status says how it went: GNTST_*),
 *   -EFAULT if the array is not the caller's memory, -EINVAL for count 0 or > 16,
 *   -ENOSYS for unknown or unimplemented ops (transfer, copy, dump_table).
 *
 * map_grant_ref: flags must be GNTMAP_host_map, or GNTMAP_host_map | GNTMAP_readonly for
 *   a read-only map (anything else: GNTST_general_error); host_addr a free, page-aligned
 *   address in the caller's guest kernel region outside the VMM-provided MiB
 *   (GNTST_bad_virt_addr), in a MiB that suits the map (below); the entry must permit
 *   access to the caller, and a GTF_readonly entry may only be mapped with GNTMAP_readonly
 *   (GNTST_permission_denied); ref < entries (GNTST_bad_gntref), dom an existing other
 *   domain (GNTST_bad_domain), and the frame the granter's own ordinary memory
 *   (GNTST_bad_page); the caller's maptrack must have a free slot and, for the first page
 *   of a MiB, its quota of second-level tables room for one (GNTST_no_device_space). OUT:
 *   handle, dev_bus_addr = the frame's machine address. Any entry may be mapped read-only.
 * Read-only maps and MiBs: the guest kernel reaches its own pages (and read-write maps)
 *   through ARM domain 1, which is "manager" in virtual kernel mode and so ignores the
 *   page's access bits; a read-only map is therefore a page of ARM domain 4, which is a
 *   client in virtual kernel mode (the page's AP, privileged RW / user read-only, lets the
 *   USR-mode guest kernel read and not write) and no-access in virtual user mode. The ARM
 *   domain belongs to a whole MiB (one first-level descriptor), so:
 *   - a read-only map's host_addr must lie in a MiB that holds no read-write page (none of
 *     the guest's own kernel pages, no read-write map); the first read-only map in a MiB
 *     claims it for read-only maps;
 *   - a read-write map's host_addr (and a page of the guest's own, through mmu_update /
 *     update_va_mapping: -EINVAL) must lie in a MiB that holds no read-only map;
 *   - a MiB whose last page is unmapped is free again for either kind.
 *   Otherwise GNTST_bad_virt_addr. A guest keeps a MiB (or more) of its kernel region
 *   for read-only maps, e.g. mini-OS dom0's window at 0xE0100000.
 *   A write to a read-only map in virtual kernel mode is a data abort bounced to the
 *   guest's handler: FSR 0x4F (permission fault, page, domain 4), FAR the address; in
 *   virtual user mode any access is a domain fault (FSR 0x4B). A hypercall that would
 *   write through a pointer into a read-only map fails with -EFAULT; reads work.
 * unmap_grant_ref: handle from map (GNTST_bad_handle), host_addr the same address.
 * When a domain dies its mappings of others' grants are undone.
 */
#ifndef XEN_ARM_GRANT_TABLE_H
#define XEN_ARM_GRANT_TABLE_H

#include "abi.h"

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

#define XA_GRANT_FRAMES 1U
#define XA_GRANT_ENTRIES (XA_GRANT_FRAMES * 4096U / 8U) /* 512 */
#define GNTTAB_RESERVED_CONSOLE 0U
#define GNTTAB_RESERVED_XENSTORE 1U
#define XA_GNTTAB_MAX_OPS 16U

struct grant_entry_v1 {
    uint16_t flags; /* GTF_* */
    domid_t domid;  /* the domain allowed to map */
    uint32_t frame; /* machine address of the granted page (xen-arm: an address, not a pfn) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
XA_ABI_SIZE(struct grant_entry_v1, 8);

#define GTF_invalid 0U
#define GTF_permit_access 1U
#define GTF_accept_transfer 2U
#define GTF_type_mask 3U
#define GTF_readonly (1U << 2)
#define GTF_reading (1U << 3) /* set by the VMM while mapped */
#define GTF_writing (1U << 4) /* set by the VMM while mapped writable */

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6

#define GNTMAP_device_map (1U << 0)
#define GNTMAP_host_map (1U << 1)
#define GNTMAP_readonly (1U << 2)
#define GNTMAP_application_map (1U << 3)
#define GNTMAP_contains_pte (1U << 4)

#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)

struct gnttab_map_grant_ref {
    uint64_t host_addr;    /* IN: where to map in the caller */
    uint32_t flags;        /* IN: GNTMAP_* */
    grant_ref_t ref;       /* IN */
    domid_t dom;           /* IN: the granting domain */
    int16_t status;        /* OUT: GNTST_* */
    grant_handle_t handle; /* OUT */
    uint64_t dev_bus_addr; /* OUT */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
XA_ABI_SIZE(struct gnttab_map_grant_ref, 32);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
XA_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;    /* IN */
    uint64_t dev_bus_addr; /* IN: ignored */
    grant_handle_t handle; /* IN */
    int16_t status;        /* OUT */
    uint16_t pad0;
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
XA_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
XA_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
XA_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

struct gnttab_setup_table {
    domid_t dom; /* IN: DOMID_SELF (others need privilege) */
    uint16_t pad0;
    uint32_t nr_frames; /* IN: <= XA_GRANT_FRAMES */
    int16_t status;     /* OUT */
    uint16_t pad1;
    uint32_t frame_list; /* IN: guest address of uint32_t[nr_frames]; OUT: machine
                                addresses of the table's pages (already mapped at
                                window + XA_GRANT_TABLE_OFFSET) */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
XA_ABI_SIZE(struct gnttab_setup_table, 16);
XA_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
XA_ABI_OFFSET(struct gnttab_setup_table, status, 8);
XA_ABI_OFFSET(struct gnttab_setup_table, frame_list, 12);

struct gnttab_query_size {
    domid_t dom; /* IN */
    uint16_t pad0;
    uint32_t nr_frames;     /* OUT */
    uint32_t max_nr_frames; /* OUT */
    int16_t status;         /* OUT */
    uint16_t pad1;
};
typedef struct gnttab_query_size gnttab_query_size_t;
XA_ABI_SIZE(struct gnttab_query_size, 16);
XA_ABI_OFFSET(struct gnttab_query_size, status, 12);

#endif /* XEN_ARM_GRANT_TABLE_H */
