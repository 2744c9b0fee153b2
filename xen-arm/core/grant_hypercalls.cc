// grant_table_op and the grant tables' view of the VMM (VmmGrantEnv): the table logic is
// grant_table.cc, host-tested; this is the glue to domains, frames and page tables.
#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "fault_tolerance.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "vmm.hh"
#include "vmm_grant_env.hh"

namespace xa {

bool VmmGrantEnv::domain_exists(DomId id) {
    Domain* d = domains::get(id);
    return d != nullptr && d->alive();
}

grant_entry_v1* VmmGrantEnv::grant_entries(DomId id) {
    Domain* d = domains::get(id);
    return d != nullptr ? domains::grant_entries(*d) : nullptr;
}

bool VmmGrantEnv::frame_is_ordinary_memory_of(PhysAddr frame, DomId id) {
    const FrameInfo* fi = vmm::frame_table().info(frame);
    return fi != nullptr && fi->type == FrameType::guest && fi->owner == id.value();
}

bool VmmGrantEnv::host_addr_ok(DomId mapper, VirtAddr va, bool readonly) {
    Domain* d = domains::get(mapper);
    return d != nullptr && grant_host_addr_ok(*d->table, va, readonly, d->tag);
}

Err VmmGrantEnv::map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) {
    Domain* d = domains::get(mapper);
    if (d == nullptr) return kErrSrch;
    if (d->fault_tolerance != boot_image::kFtNone) ft::table_changing(*d);  // write tracking stops
    const u32 tables = d->table->coarse_tables();
    Err e = d->table->map_page(va, frame, mmu::tagged(grant_map_domain(readonly), d->tag), grant_map_ap(readonly),
                               mmu::Mem::write_back);
    if (e != Err::ok) return e;
    if (d->table->coarse_tables() != tables) space::mapped_mib(*d, va);
    // The frame now has two virtual addresses, the granter's and this one: the two domains
    // clash from now on (address_space.hh).
    if (const FrameInfo* fi = vmm::frame_table().info(frame); fi != nullptr) {
        if (Domain* owner = domains::get(DomId(fi->owner)); owner != nullptr) {
            space::shares_frame(*d, *owner);
            // Written through this map without a fault from now on.
            if (owner->fault_tolerance != boot_image::kFtNone) ft::frame_shared(*owner, frame);
        }
    }
    e = vmm::frame_table().get_mapping(frame);
    if (e != Err::ok) {
        (void)d->table->unmap_page(va);
        return e;
    }
    cpu::invalidate_tlb_entry(va.value());
    return Err::ok;
}

Err VmmGrantEnv::unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) {
    Domain* d = domains::get(mapper);
    if (d == nullptr) return kErrSrch;
    if (d->fault_tolerance != boot_image::kFtNone) ft::table_changing(*d);
    const auto tr = d->table->translate(va);
    if (!tr || tr->kind != Translation::Kind::page || tr->pa.align_down(kPageSize) != frame) return Err::inval;
    hypercalls::forget_page(va, d == domains::current());
    const Err e = d->table->unmap_page(va);
    if (e != Err::ok) return e;
    return vmm::frame_table().put_mapping(frame);
}

namespace hypercalls {
namespace {

// Grant ops: each struct is copied in, handled, and copied back (its status says how it
// went); only an unreachable array fails the hypercall itself. The whole array must be
// writable before any op runs: a map whose handle cannot be written back would be a map
// nobody can undo.
template <typename Op, typename Fn>
HcResult for_each_grant_op(u32 uop, u32 count, Fn handle) {
    if (probe_guest(uop, count * sizeof(Op), true) != Err::ok) return Err::fault;
    for (u32 i = 0; i < count; ++i) {
        Op op;
        const u32 va = uop + i * sizeof op;
        if (copy_from_current_guest(&op, va, sizeof op) != Err::ok) return Err::fault;
        handle(op);
        if (copy_to_current_guest(va, &op, sizeof op) != Err::ok) return Err::fault;
    }
    return 0;
}

void setup_table(Domain& d, gnttab_setup_table& op) {
    if (resolve(d, op.dom) != d.id.value()) {
        op.status = GNTST_permission_denied;
    } else if (op.nr_frames > XA_GRANT_FRAMES) {
        op.status = GNTST_general_error;
    } else {
        op.status = GNTST_okay;
        for (u32 k = 0; k < op.nr_frames && op.status == GNTST_okay; ++k) {
            const u32 frame = d.grants_pa.value() + k * kPageSize;
            if (copy_to_current_guest(op.frame_list + k * 4, &frame, 4) != Err::ok) op.status = GNTST_bad_virt_addr;
        }
    }
}

void query_size(Domain& d, gnttab_query_size& op) {
    const domid_t target = resolve(d, op.dom);
    if (target != d.id.value() && !d.privileged) {
        op.status = GNTST_permission_denied;
    } else if (domains::get(DomId(target)) == nullptr) {
        op.status = GNTST_bad_domain;
    } else {
        op.nr_frames = XA_GRANT_FRAMES;
        op.max_nr_frames = XA_GRANT_FRAMES;
        op.status = GNTST_okay;
    }
}

}  // namespace

HcResult grant_table_op(Domain& d, TrapFrame& f) {
    const u32 cmd = f.r[0], uop = f.r[1], count = f.r[2];
    if (count == 0 || count > XA_GNTTAB_MAX_OPS) return Err::inval;
    switch (cmd) {
        case GNTTABOP_map_grant_ref:
            return for_each_grant_op<gnttab_map_grant_ref>(uop, count, [&d](auto& op) { vmm::grants().map(d.id, op); });
        case GNTTABOP_unmap_grant_ref:
            return for_each_grant_op<gnttab_unmap_grant_ref>(uop, count,
                                                             [&d](auto& op) { vmm::grants().unmap(d.id, op); });
        case GNTTABOP_setup_table:
            return for_each_grant_op<gnttab_setup_table>(uop, count, [&d](auto& op) { setup_table(d, op); });
        case GNTTABOP_query_size:
            return for_each_grant_op<gnttab_query_size>(uop, count, [&d](auto& op) { query_size(d, op); });
        default: return Err::nosys;
    }
}

}  // namespace hypercalls
}  // namespace xa
