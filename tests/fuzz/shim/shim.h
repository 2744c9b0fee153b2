/*
 * The host shim under mini-OS's dom0 code (tests/fuzz): what the fuzz harnesses see of it.
 *
 * Guests 1..7 each have SHIM_GUEST_PAGES pages of "their memory" here, and grant refs
 * 0..SHIM_REFS-1: ref r grants page r % SHIM_GUEST_PAGES, read-only from
 * SHIM_FIRST_RO_REF on (GTF_readonly); refs 0 and 1 are the reserved console and store
 * pages. A map copies the guest's page into dom0's mapping window (DOM0_MAP_BASE, moved
 * to a host address by the build) and opens that window page with the map's rights (read
 * only for a read-only map); an unmap copies a writable mapping back and closes the page
 * again (PROT_NONE), so dom0 touching a page it has unmapped, or writing through a
 * read-only map, faults at once. The window is refused the way the VMM refuses it: a
 * page already mapped, a read-write map in the read-only MiB or the other way round.
 */
#ifndef FUZZ_SHIM_H
#define FUZZ_SHIM_H

#include "dom0.h"

#define SHIM_GUEST_PAGES 16U
#define SHIM_REFS 32U
#define SHIM_FIRST_RO_REF 24U
/* The rings' refs frontend_u32 reports (each its own page); data refs are best above. */
#define SHIM_REF_VBD_RING 2U
#define SHIM_REF_VTEST_RING 3U
#define SHIM_REF_VIF_TX 4U
#define SHIM_REF_VIF_RX 5U

struct shim_stats {
    unsigned int maps, unmaps;     /* successful ones */
    unsigned int refused_maps;     /* refused for the address: already mapped, wrong MiB */
    unsigned int bad_unmaps;       /* unmaps with a wrong handle or address */
    unsigned int notifies;         /* notify_remote_via_evtchn */
    unsigned int backend_failures; /* backend_fail */
};
extern struct shim_stats shim_stats;

/* Forgets everything: unmaps (closes) the window, frees what alloc_pages gave, clears
 * the guests and the counters. */
void shim_reset(void);
/* Makes guest domid (1..7) known to guest_get, with its pages zeroed. */
struct guest* shim_add_guest(unsigned int domid);
/* The guest's page `page` (its memory, not dom0's mapping of it). */
uint8_t* shim_guest_page(unsigned int domid, unsigned int page);
/* Mappings dom0 holds right now. */
unsigned int shim_live_maps(void);
/* Whether dom0 holds a mapping at va. */
bool shim_is_mapped(uintptr_t va);

#endif /* FUZZ_SHIM_H */
