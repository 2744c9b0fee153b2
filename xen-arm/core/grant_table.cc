// Grant map/unmap (see grant_table.hh).
#include "grant_table.hh"

#include <xen-arm/start_info.h>

namespace xa {

bool grant_host_addr_ok(const PageTable& mapper_table, VirtAddr va, bool readonly, u32 tag) {
    if (!va.aligned(kPageSize) || va.value() < XA_GUEST_KERNEL_BASE || va.value() >= XA_GUEST_KERNEL_END) return false;
    if ((va.value() - XA_GUEST_KERNEL_BASE) % XA_WINDOW_SIZE >= XA_VMM_PAGES_OFFSET) return false;
    if (mapper_table.translate(va)) return false;
    return mapper_table.domain_fits(va, mmu::tagged(grant_map_domain(readonly), tag));
}

namespace {

constexpr u16 kInUse = GTF_reading | GTF_writing;  // what a writable map sets
constexpr u16 kReadOnlyUse = GTF_reading;          // what a read-only map sets

// Writes a status; GNTST_* are small negative ints that fit the ABI's int16_t.
void set_status(int16_t& status, int value) { status = static_cast<int16_t>(value); }

}  // namespace

u16 GrantTables::in_use_flags(u16 granter, u32 ref) const {
    u16 needed = 0;
    for (const auto& domain : maptrack_) {
        for (const Maptrack& m : domain) {
            if (m.used && m.granter == granter && m.ref == ref) needed |= m.readonly ? kReadOnlyUse : kInUse;
        }
    }
    return needed;
}

void GrantTables::forget(u32 mapper, u32 slot) {
    Maptrack& m = maptrack_[mapper][slot];
    m.used = false;
    const u16 stale = kInUse & ~in_use_flags(m.granter, m.ref);
    if (stale == 0) return;  // the remaining mappings still need both flags
    grant_entry_v1* entries = env_->grant_entries(DomId(m.granter));
    if (entries == nullptr) return;  // the granter's table is already gone
    // Through volatile: the entry is guest memory, and this store must not be merged
    // with, or moved across, other accesses to it.
    volatile uint16_t& flags = entries[m.ref].flags;
    flags = static_cast<uint16_t>(flags & ~stale);
}

void GrantTables::map(DomId mapper, gnttab_map_grant_ref& op) {
    if (mapper.value() >= kMaxDomains) return set_status(op.status, GNTST_general_error);
    // Only host mappings, read-write or read-only, are implemented (see grant_table.h).
    if ((op.flags & ~GNTMAP_readonly) != GNTMAP_host_map) return set_status(op.status, GNTST_general_error);
    const bool readonly = (op.flags & GNTMAP_readonly) != 0;

    // Mapping one's own grant would make the granter and the mapper the same domain in
    // every count below; Xen allows it, xen-arm has no use for it.
    const DomId granter(op.dom);
    if (op.dom == DOMID_SELF || granter == mapper || granter.value() >= kMaxDomains || !env_->domain_exists(granter))
        return set_status(op.status, GNTST_bad_domain);
    if (op.ref >= XA_GRANT_ENTRIES) return set_status(op.status, GNTST_bad_gntref);
    if ((op.host_addr >> 32) != 0 || (op.host_addr & (kPageSize - 1)) != 0)
        return set_status(op.status, GNTST_bad_virt_addr);
    const VirtAddr va(static_cast<u32>(op.host_addr));
    if (!env_->host_addr_ok(mapper, va, readonly)) return set_status(op.status, GNTST_bad_virt_addr);

    grant_entry_v1* entries = env_->grant_entries(granter);
    if (entries == nullptr) return set_status(op.status, GNTST_bad_domain);

    // Read once. Every check and the mapping itself use this copy, so a granter that
    // rewrites the entry meanwhile can only affect what the next map sees.
    const volatile grant_entry_v1& live = entries[op.ref];
    const u16 flags = live.flags;
    const domid_t allowed = live.domid;
    const PhysAddr frame(live.frame);

    if ((flags & GTF_type_mask) != GTF_permit_access || allowed != mapper.value())
        return set_status(op.status, GNTST_permission_denied);
    if ((flags & GTF_readonly) != 0 && !readonly)  // a read-only grant, mapped writable
        return set_status(op.status, GNTST_permission_denied);
    if (!frame.aligned(kPageSize) || !env_->frame_is_ordinary_memory_of(frame, granter))
        return set_status(op.status, GNTST_bad_page);

    Maptrack* track = maptrack_[mapper.value()];
    u32 slot = 0;
    while (slot < kMaptrackPerDomain && track[slot].used) ++slot;
    if (slot == kMaptrackPerDomain) return set_status(op.status, GNTST_no_device_space);

    if (const Err e = env_->map_foreign(mapper, va, frame, readonly); e != Err::ok)  // nomem: the mapper's quota
        return set_status(op.status, e == Err::nomem ? GNTST_no_device_space : GNTST_general_error);

    track[slot] = Maptrack{true, granter.value(), op.ref, va, frame, readonly};
    // GTF_writing only for a writable map (Xen): a granter may then rely on a page that
    // only has GTF_reading set not changing under it.
    volatile uint16_t& live_flags = entries[op.ref].flags;
    live_flags = static_cast<uint16_t>(live_flags | (readonly ? kReadOnlyUse : kInUse));

    op.handle = slot;
    op.dev_bus_addr = frame.value();
    set_status(op.status, GNTST_okay);
}

void GrantTables::unmap(DomId mapper, gnttab_unmap_grant_ref& op) {
    if (mapper.value() >= kMaxDomains || op.handle >= kMaptrackPerDomain)
        return set_status(op.status, GNTST_bad_handle);
    const Maptrack& m = maptrack_[mapper.value()][op.handle];
    if (!m.used) return set_status(op.status, GNTST_bad_handle);
    if (op.host_addr != m.host_addr.value()) return set_status(op.status, GNTST_bad_virt_addr);
    if (env_->unmap_foreign(mapper, m.host_addr, m.frame) != Err::ok) return set_status(op.status, GNTST_general_error);
    forget(mapper.value(), op.handle);
    set_status(op.status, GNTST_okay);
}

u32 GrantTables::release_all_of(DomId mapper) {
    if (mapper.value() >= kMaxDomains) return 0;
    u32 undone = 0;
    for (u32 slot = 0; slot < kMaptrackPerDomain; ++slot) {
        const Maptrack& m = maptrack_[mapper.value()][slot];
        if (!m.used) continue;
        (void)env_->unmap_foreign(mapper, m.host_addr, m.frame);
        forget(mapper.value(), slot);
        ++undone;
    }
    return undone;
}

u32 GrantTables::revoke_all_from(DomId granter) {
    u32 undone = 0;
    for (u32 mapper = 0; mapper < kMaxDomains; ++mapper) {
        for (u32 slot = 0; slot < kMaptrackPerDomain; ++slot) {
            const Maptrack& m = maptrack_[mapper][slot];
            if (!m.used || m.granter != granter.value()) continue;
            (void)env_->unmap_foreign(DomId(static_cast<u16>(mapper)), m.host_addr, m.frame);
            forget(mapper, slot);
            ++undone;
        }
    }
    return undone;
}

u32 GrantTables::mapped_from(DomId granter) const {
    u32 n = 0;
    for (const auto& domain : maptrack_) {
        for (const Maptrack& m : domain) {
            if (m.used && m.granter == granter.value()) ++n;
        }
    }
    return n;
}

u32 GrantTables::mapped_by(DomId mapper) const {
    if (mapper.value() >= kMaxDomains) return 0;
    u32 n = 0;
    for (const Maptrack& m : maptrack_[mapper.value()]) {
        if (m.used) ++n;
    }
    return n;
}

bool GrantTables::maps_at(DomId mapper, VirtAddr va) const {
    if (mapper.value() >= kMaxDomains) return false;
    for (const Maptrack& m : maptrack_[mapper.value()]) {
        if (m.used && m.host_addr == va.align_down(kPageSize)) return true;
    }
    return false;
}

}  // namespace xa
