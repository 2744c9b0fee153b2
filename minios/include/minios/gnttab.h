/* mini-OS grant tables (v1), client side: granting own pages to another domain. pv only. */
#ifndef MINIOS_GNTTAB_H
#define MINIOS_GNTTAB_H

#include <xen-arm/grant_table.h>

#include "minios/os.h"

/* Finds the table (start_info.grant_table_va); refs 0 and 1 stay reserved for the VMM's
 * console and store grants. */
void init_gnttab(uintptr_t table_va, uint32_t nr_frames);
/* Lets domid map the page at machine address frame (read-only if readonly). Returns the
 * grant ref, or -XEN_ENOSPC when the table is full. */
int grant_access(domid_t domid, uint32_t frame, bool readonly);
/* Ends the grant if the other domain does not have it mapped: true and the ref is free
 * again; false (grant kept) while it is mapped. */
bool end_access(grant_ref_t ref);
/* Mapping another domain's grant (GNTTABOP_map_grant_ref / unmap_grant_ref) at a
 * page-aligned va of ours: GNTST_* status; *handle is set on success. */
int gnttab_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle);
/* The same, read-only (GNTMAP_readonly; the only way to map a GTF_readonly grant). va must
 * lie in a MiB of ours with no read-write page: the VMM keeps read-only maps in MiBs of
 * their own (hypercalls/xen-arm/grant_table.h). */
int gnttab_map_readonly(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle);
int gnttab_unmap(grant_handle_t handle, uintptr_t va);
/* The current flags of one of our entries (GTF_*: whether the other domain has it mapped,
 * GTF_reading, and writably, GTF_writing). */
uint16_t gnttab_entry_flags(grant_ref_t ref);
/* Grant entries in use by this domain (excluding the reserved ones). */
unsigned int gnttab_in_use(void);

#endif /* MINIOS_GNTTAB_H */
