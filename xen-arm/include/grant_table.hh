// The VMM side of grant mapping: GNTTABOP_map_grant_ref and GNTTABOP_unmap_grant_ref
// (ABI and status codes: hypercalls/xen-arm/grant_table.h).
//
// A granter publishes {frame, domid, flags} in its grant table, a page it shares with the
// VMM and can rewrite at any moment. So map() reads the entry once into a local copy,
// checks the copy, and maps exactly the frame it checked; the live entry is only written
// to set GTF_reading (every map) and GTF_writing (writable maps only), and to clear them
// again when the last mapping (GTF_reading) or the last writable mapping (GTF_writing) of
// that ref goes, which is how the granter learns its page is in use.
//
// Read-only maps (GNTMAP_readonly) are how a granter's GTF_readonly entries can be mapped
// at all (a writable map of one is GNTST_permission_denied); any entry may be mapped
// read-only. Where a read-only map may go is the env's business (host_addr_ok: the VMM
// gives read-only maps MiBs of their own, see hypercalls/xen-arm/grant_table.h).
//
// Each mapper has a maptrack: kMaptrackPerDomain slots recording (granter, ref, host
// address, frame, read-only) of every grant it has mapped. A handle is the slot's index. Unmapping
// uses the recorded frame, never the entry's current one. Whether a ref is still mapped
// by someone is counted from the maptracks themselves, so two maps of one ref (by the
// same or different mappers) keep the flags set until the last one goes, and the count
// cannot drift from the mappings it describes.
//
// Everything that touches page tables, frame ownership or domain lookup goes through
// GrantEnv, so this logic is host-tested against a fake. Concurrency: the VMM is
// uniprocessor and runs these with the guests stopped; "hostile granter" means a granter
// that changes its entry between (or, through a shared page on a future SMP VMM, during)
// hypercalls, which the read-once copy covers.
#pragma once

#include <xen-arm/grant_table.h>

#include "mmu.hh"
#include "page_table.hh"
#include "types.hh"

namespace xa {

// ---- Where the VMM puts grant maps (VmmGrantEnv; pure, so host-tested) --------------------
// A read-only map is a small page of ARM domain guest_kernel_ro with AP privileged RW /
// user read-only: a client domain in virtual kernel mode, so the USR-mode guest kernel can
// read it and not write it, and no-access in virtual user mode (mmu.hh). A read-write map
// is an ordinary guest kernel page (domain guest_kernel, privileged-only AP, reached
// through the manager domain in virtual kernel mode).
// Tag 0's domains (mmu.hh): the mapper's own are mmu::tagged(grant_map_domain(r), tag).
constexpr mmu::Domain grant_map_domain(bool readonly) {
    return readonly ? mmu::Domain::guest_kernel_ro : mmu::Domain::guest_kernel;
}
constexpr mmu::Ap grant_map_ap(bool readonly) { return readonly ? mmu::kApGuestKernelRo : mmu::Ap::priv_rw; }

// The host_addr rule of GNTTABOP_map_grant_ref against the mapper's own table (whose
// ARM-domain tag is `tag`): page aligned, in the guest kernel region outside every
// window's VMM-provided MiB, not mapped, and in a MiB
// whose ARM domain fits the map (the domain is per MiB, in the L1 coarse descriptor): a
// read-only map needs a MiB with no read-write page in it, a read-write map one with no
// read-only page; an empty MiB takes the kind of the first map (or page) put into it.
bool grant_host_addr_ok(const PageTable& mapper_table, VirtAddr va, bool readonly, u32 tag);

// Implemented by the VMM (and by a fake in the tests).
class GrantEnv {
  public:
    virtual bool domain_exists(DomId d) = 0;
    // The domain's XA_GRANT_ENTRIES entries, or nullptr if it has no grant table.
    virtual grant_entry_v1* grant_entries(DomId d) = 0;
    // Owned by d with type guest (not a page table, not a VMM page).
    virtual bool frame_is_ordinary_memory_of(PhysAddr frame, DomId d) = 0;
    // Page-aligned, in the mapper's kernel region, outside the VMM-provided MiB, currently
    // unmapped, and where a map of this kind may go (the VMM: a read-only map in a MiB
    // with no read-write page, a read-write map in a MiB with no read-only page).
    virtual bool host_addr_ok(DomId mapper, VirtAddr va, bool readonly) = 0;
    // Writes the page-table entry (read-only or read-write) and takes the frame reference
    // (and undoes both).
    virtual Err map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) = 0;
    virtual Err unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) = 0;

  protected:
    ~GrantEnv() = default;  // never deleted through this interface
};

class GrantTables {
  public:
    static constexpr u32 kMaxDomains = 8;
    static constexpr u32 kMaptrackPerDomain = 64;

    explicit constexpr GrantTables(GrantEnv& env) : env_(&env) {}
    GrantTables(const GrantTables&) = delete;  // two records of the same mappings
    GrantTables& operator=(const GrantTables&) = delete;

    // GNTTABOP_map_grant_ref for `mapper` (flags GNTMAP_host_map, optionally
    // | GNTMAP_readonly). Always writes op.status (GNTST_*); on
    // GNTST_okay also op.handle (the maptrack slot) and op.dev_bus_addr (the frame's
    // machine address); on failure those two are left as they were.
    void map(DomId mapper, gnttab_map_grant_ref& op);
    // GNTTABOP_unmap_grant_ref: writes op.status only. On failure the mapping stays.
    void unmap(DomId mapper, gnttab_unmap_grant_ref& op);

    // The mapper is being destroyed: unmap every grant it holds, clearing the granters'
    // GTF_reading/GTF_writing where it held the last (writable) mapping. Returns how many were undone.
    // A mapping whose unmap_foreign fails is forgotten all the same (the domain is going
    // away; keeping the record would only pin the granter's entry forever).
    u32 release_all_of(DomId mapper);
    // Grants of `granter` currently mapped by anyone.
    u32 mapped_from(DomId granter) const;
    // Unmap every mapping of granter's pages in other domains (the granter is being
    // destroyed and must have none left). Same rules as release_all_of.
    u32 revoke_all_from(DomId granter);
    // Grants `mapper` currently has mapped.
    u32 mapped_by(DomId mapper) const;
    // Whether `mapper` has a grant mapped at va (a page its ordinary page-table updates must
    // leave alone: only unmap() may take it down, keeping maptrack and flags true).
    bool maps_at(DomId mapper, VirtAddr va) const;

  private:
    struct Maptrack {
        bool used = false;
        u16 granter = 0;
        u32 ref = 0;
        VirtAddr host_addr{};
        PhysAddr frame{};
        bool readonly = false;
    };

    // The in-use flags (granter, ref) needs for the mappings the maptracks hold:
    // GTF_reading if any, GTF_writing if any of them is writable.
    u16 in_use_flags(u16 granter, u32 ref) const;
    // Frees slot `slot` of `mapper`, after unmap_foreign succeeded or is being ignored,
    // and clears whichever of the granter's in-use flags no remaining mapping needs.
    void forget(u32 mapper, u32 slot);

    GrantEnv* env_;
    Maptrack maptrack_[kMaxDomains][kMaptrackPerDomain] = {};
};

}  // namespace xa
