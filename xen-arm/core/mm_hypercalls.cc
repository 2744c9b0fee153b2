// The page-table hypercalls: mmu_update, mmuext_op and update_va_mapping. A domain maps
// only frames it owns as ordinary memory, only where the address rules of
// hypercall_checks.hh allow, and never takes down a grant map by hand.
#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "batch.hh"
#include "fault_tolerance.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "hypercall_checks.hh"
#include "vmm.hh"

namespace xa::hypercalls {
namespace {

Err update_mapping(Domain& d, u32 va, xa_pte_t pte) {
    if (d.fault_tolerance != boot_image::kFtNone) ft::table_changing(d);  // write tracking stops
    FrameTable& ft = vmm::frame_table();
    PageTable& t = *d.table;
    if (pte == 0) {
        const Err e = checks::check_guest_page_va(va);
        if (e != Err::ok) return e;
        const auto tr = t.translate(VirtAddr(va));
        if (!tr || tr->kind != Translation::Kind::page) return Err::noent;
        // A grant map is taken down by GNTTABOP_unmap_grant_ref only. Unmapping it here
        // would leave its maptrack record (the later grant unmap fails) and the granter's
        // GTF_reading/GTF_writing set for good. Xen crashes a domain that implicitly unmaps
        // a granted PTE; refusing is enough here, since nothing changes: the map, its
        // handle and the granter's flags stay as they were, and the caller can still undo
        // it properly.
        if (vmm::grants().maps_at(d.id, VirtAddr(va))) return Err::perm;
        forget_page(VirtAddr(va), &d == domains::current());
        const Err u = t.unmap_page(VirtAddr(va));
        if (u != Err::ok) return u;
        if (ft.contains(tr->pa)) (void)ft.put_mapping(tr->pa.align_down(kPageSize));
        return Err::ok;
    }
    const auto m = checks::check_pte(va, pte);
    if (!m) return m.error();
    if (!ft.contains(m->frame)) return Err::inval;
    if (t.translate(VirtAddr(va))) return Err::exist;
    const Err owned = ft.get_guest_mapping(m->frame, d.id);
    if (owned != Err::ok) return owned;
    const u32 tables = t.coarse_tables();
    const Err e = t.map_page(VirtAddr(va), m->frame, mmu::tagged(m->domain, d.tag), m->ap, m->mem);
    if (e != Err::ok) {
        (void)ft.put_mapping(m->frame);
        return e;
    }
    if (t.coarse_tables() != tables) space::mapped_mib(d, VirtAddr(va));  // a MiB it did not map
    cpu::invalidate_tlb_entry(va);
    return Err::ok;
}

// r0 = the requests, r1 = count, r2 = where to store how many were done (or 0),
// r3 = DOMID_SELF.
BatchArgs batch_args(const TrapFrame& f) { return {f.r[0], f.r[1], f.r[2], static_cast<domid_t>(f.r[3])}; }

Err mmuext_one(const ::mmuext_op& op) {
    switch (op.cmd) {
        case MMUEXT_TLB_FLUSH_LOCAL: cpu::flush_tlb(); return Err::ok;
        case MMUEXT_INVLPG_LOCAL: cpu::invalidate_tlb_entry(op.arg1); return Err::ok;
        case MMUEXT_FLUSH_CACHE:
            cpu::flush_caches();
            space::flushed();
            return Err::ok;
        case XA_MMUEXT_SYNC_ICACHE:
            if (op.arg2 > XA_MMUEXT_SYNC_MAX) return Err::inval;
            // An empty range is empty wherever it starts: nothing to check, no cache line to
            // touch (not even one of the VMM's at arg1).
            if (op.arg2 == 0) return Err::ok;
            // Only the caller's own readable memory: the MMU checks it (a cache operation by
            // address on an unmapped address would be a VMM data abort). The probe refuses a
            // range running past 4 GiB, so the cache loops below never see one.
            if (probe_guest(op.arg1, op.arg2, false) != Err::ok) return Err::fault;
            cpu::sync_icache_range(op.arg1, op.arg2);
            return Err::ok;
        default: return Err::nosys;
    }
}

}  // namespace

void forget_page(VirtAddr va, bool current) {
    if (current) cpu::clean_invalidate_dcache_range(va.value(), kPageSize);
    cpu::invalidate_tlb_entry(va.value());
}

HcResult mmu_update(Domain& d, TrapFrame& f) {
    CurrentGuestMemory mem;
    return run_batch<::mmu_update>(mem, d.id, batch_args(f), {XA_MMU_MAX_BATCH, true}, [&d](const ::mmu_update& req) {
        if ((req.ptr & 3u) != MMU_NORMAL_PT_UPDATE) return Err::nosys;
        return update_mapping(d, req.ptr & ~3u, req.val);
    });
}

HcResult mmuext_op(Domain& d, TrapFrame& f) {
    CurrentGuestMemory mem;
    return run_batch<::mmuext_op>(mem, d.id, batch_args(f), {XA_MMUEXT_MAX_BATCH, false}, mmuext_one);
}

HcResult update_va_mapping(Domain& d, TrapFrame& f) {
    if (checks::check_uvmf_flags(f.r[2]) != Err::ok) return Err::inval;
    return update_mapping(d, f.r[0], f.r[1]);
}

}  // namespace xa::hypercalls
