// Guest pointer validation by a software MMU walk (see guest_access.hh for the rules).
#include "guest_access.hh"

#include "layout.hh"
#include "mmu.hh"

namespace xa {

namespace {

// Whether the MMU would let a USR-mode access through one translation.
bool user_access_allowed(const Translation& t, u32 dacr, Access access) {
    const u32 field = (dacr >> (2 * static_cast<u32>(t.domain))) & 3u;
    switch (static_cast<mmu::DomainAccess>(field)) {
    case mmu::DomainAccess::manager:
        return true;
    case mmu::DomainAccess::client:
        switch (t.ap) {
        case mmu::Ap::all_rw: return true;
        case mmu::Ap::priv_rw_user_ro: return access == Access::read;
        default: return false;  // AP 0/1: privileged only (or nobody) with S=R=0
        }
    default:
        return false;  // 00 no access; 10 is reserved, so it can vouch for nothing
    }
}

}  // namespace

Err check_guest_range(const PageTable& table, u32 dacr, VirtAddr va, u32 len, Access access) {
    if (len == 0) return Err::ok;
    // The last byte is va + len - 1; if forming it wraps, the range runs past 4 GiB.
    if (len - 1 > 0xFFFFFFFFu - va.value()) return Err::fault;
    const u32 last = va.value() + (len - 1);
    // Ranges only grow upwards and the VMM owns the top of the address space, so checking
    // the last byte is enough. This also keeps every step below from wrapping.
    if (layout::is_vmm_address(VirtAddr(last))) return Err::fault;

    u32 cur = va.value();
    for (;;) {
        const Result<Translation> t = table.translate(VirtAddr(cur));
        if (!t) return Err::fault;
        if (!user_access_allowed(*t, dacr, access)) return Err::fault;
        // A section has one AP for the whole MiB. A small page has four 1 KiB subpages
        // with an AP field each, and the MMU uses the subpage's own: stepping by 1 KiB
        // inside pages gives the MMU's answer even for tables this VMM did not write.
        const u32 step = t.value().kind == Translation::Kind::section ? kSectionSize : kPageSize / 4;
        const u32 next = align_down(cur, step) + step;  // no wrap: cur <= last < kVmmBase
        if (next > last) return Err::ok;
        cur = next;
    }
}

}  // namespace xa
