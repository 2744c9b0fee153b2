// The SWI entry's C++ side: trace markers, system calls bounced to the guest kernel, and
// the hypercall table. Every hypercall validates its number, every guest pointer (against
// the caller's own page table, with the caller's virtual-mode permissions) and every
// field before acting, and returns a Xen errno (negative) in r0. The handlers of the
// larger subsystems live beside them (hypercall.hh); the small ones are here.
#include <xen-arm/xen-arm.h>

#include "arch/arm/cpu.hh"
#include "console.hh"
#include "domain.hh"
#include "exit_status.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "hypercall_checks.hh"
#include "libc.hh"
#include "passthrough.hh"
#include "sched.hh"
#include "timer.hh"
#include "traps.hh"
#include "version.hh"
#include "vmm.hh"

namespace xa {
namespace {

// Here rather than among the other handlers: tests/system/test_debug.py breaks on
// xa::(anonymous namespace)::hc_trace_marker.
hypercalls::HcResult hc_trace_marker(Domain& d, TrapFrame& f) {
    printk("xen-arm: trace dom%u marker 0x%08x at %llu ns\n", d.id.value(), f.r[0], timer::now_ns());
    return 0;
}

}  // namespace

namespace hypercalls {
namespace {

HcResult hc_set_trap_table(Domain& d, TrapFrame& f) {
    u32 table[XA_TRAP_COUNT];
    if (copy_from_current_guest(table, f.r[0], sizeof table) != Err::ok) return Err::fault;
    if (checks::check_trap_table(table) != Err::ok) return Err::inval;
    memcpy(d.trap_table, table, sizeof table);
    return 0;
}

HcResult hc_set_timer_op(Domain& d, TrapFrame& f) {
    d.timer_deadline_ns = (static_cast<u64>(f.r[1]) << 32) | f.r[0];
    sched::timer_set(d);
    return 0;
}

// Whether d has a passed-through device (its interrupt is XA_VIRQ_PASSTHROUGH).
bool owns_device(const Domain& d) {
    const char* name;
    u32 phys, irq;
    u16 owner;
    for (u32 i = 0; passthrough::describe(i, name, phys, irq, owner); ++i) {
        if (owner == d.id.value()) return true;
    }
    return false;
}

// The EVTCHNOP structs with an output (copied back on success): alloc_unbound, bind_*,
// status. close, send and unmask only read theirs.
template <typename T>
constexpr bool kEvtchnHasOutput = true;
template <>
constexpr bool kEvtchnHasOutput<evtchn_close> = false;
template <>
constexpr bool kEvtchnHasOutput<evtchn_send> = false;
template <>
constexpr bool kEvtchnHasOutput<evtchn_unmask> = false;

template <typename T>
Err evtchn_call(Domain& d, u32 va, Err (*op)(Domain&, T&, Kick&)) {
    T arg;
    // An output is checked writable before the op acts, so a port is never made that the
    // caller cannot learn of.
    if constexpr (kEvtchnHasOutput<T>) {
        if (probe_guest(va, sizeof arg, true) != Err::ok) return Err::fault;
    }
    if (copy_from_current_guest(&arg, va, sizeof arg) != Err::ok) return Err::fault;
    Kick k;
    const Err e = op(d, arg, k);
    if constexpr (kEvtchnHasOutput<T>) {
        if (e == Err::ok && copy_to_current_guest(va, &arg, sizeof arg) != Err::ok) return Err::fault;
    }
    sched::event_raised(k);
    return e;
}

Err event_channel_op(Domain& d, const TrapFrame& f) {
    switch (f.r[0]) {
        case EVTCHNOP_alloc_unbound:
            return evtchn_call<evtchn_alloc_unbound>(d, f.r[1], [](Domain& d, evtchn_alloc_unbound& a, Kick&) {
                return vmm::evtchn().alloc_unbound(d.id, a);
            });
        case EVTCHNOP_bind_interdomain:
            return evtchn_call<evtchn_bind_interdomain>(d, f.r[1], [](Domain& d, evtchn_bind_interdomain& a, Kick& k) {
                return vmm::evtchn().bind_interdomain(d.id, a, k);
            });
        case EVTCHNOP_bind_virq:
            return evtchn_call<evtchn_bind_virq>(d, f.r[1], [](Domain& d, evtchn_bind_virq& a, Kick&) {
                return vmm::evtchn().bind_virq(d.id, a, owns_device(d));
            });
        case EVTCHNOP_close:
            return evtchn_call<evtchn_close>(
                d, f.r[1], [](Domain& d, evtchn_close& a, Kick&) { return vmm::evtchn().close(d.id, a); });
        case EVTCHNOP_send:
            return evtchn_call<evtchn_send>(
                d, f.r[1], [](Domain& d, evtchn_send& a, Kick& k) { return vmm::evtchn().send(d.id, a, k); });
        case EVTCHNOP_status:
            return evtchn_call<evtchn_status>(
                d, f.r[1], [](Domain& d, evtchn_status& a, Kick&) { return vmm::evtchn().status(d.id, a); });
        case EVTCHNOP_unmask:
            return evtchn_call<evtchn_unmask>(
                d, f.r[1], [](Domain& d, evtchn_unmask& a, Kick& k) { return vmm::evtchn().unmask(d.id, a, k); });
        default: return Err::nosys;
    }
}

HcResult hc_event_channel_op(Domain& d, TrapFrame& f) { return event_channel_op(d, f); }

HcResult hc_xen_version(Domain&, TrapFrame& f) {
    const u32 out = f.r[1];
    switch (f.r[0]) {
        case XENVER_version: return static_cast<i32>((kVersionMajor << 16) | kVersionMinor);
        case XENVER_extraversion: {
            xen_extraversion_t v = {};
            snprintk(v, sizeof v, ".%u-xen-arm", kVersionPatch);
            return copy_to_current_guest(out, v, sizeof v) == Err::ok ? HcResult(0) : HcResult(Err::fault);
        }
        case XENVER_capabilities: {
            static const char caps[] = "xen-arm-armv5-pv";
            // Only the string and its NUL: the rest of the guest's 1 KiB buffer is left alone.
            return copy_to_current_guest(out, caps, sizeof caps) == Err::ok ? HcResult(0) : HcResult(Err::fault);
        }
        case XENVER_pagesize: return static_cast<i32>(kPageSize);
        case XENVER_get_features: {
            xen_feature_info fi;
            if (copy_from_current_guest(&fi, out, sizeof fi) != Err::ok) return Err::fault;
            fi.submap = 0;
            return copy_to_current_guest(out, &fi, sizeof fi) == Err::ok ? HcResult(0) : HcResult(Err::fault);
        }
        default: return Err::nosys;
    }
}

HcResult hc_restore_trap_frame(Domain& d, TrapFrame& f) {
    const Err e = traps::restore(d, f, f.r[0]);
    return e == Err::ok ? HcResult::keep_frame(f) : HcResult(e);
}

HcResult hc_vcpu_op(Domain& d, TrapFrame& f) {
    if (f.r[1] != 0) return Err::noent;
    switch (f.r[0]) {
        case VCPUOP_is_up: return 1;
        case VCPUOP_get_runstate_info: {
            vcpu_runstate_info info{};
            const u64 now = timer::now_ns();
            info.state = static_cast<int32_t>(d.runstate);
            info.state_entry_time = d.runstate_entry_ns;
            for (u32 i = 0; i < 4; ++i) info.time[i] = d.runstate_time(i, now);
            return copy_to_current_guest(f.r[2], &info, sizeof info) == Err::ok ? HcResult(0) : HcResult(Err::fault);
        }
        default: return Err::nosys;
    }
}

HcResult hc_physdev_op(Domain& d, TrapFrame& f) {
    if (f.r[0] != PHYSDEVOP_eoi) return Err::nosys;
    physdev_eoi eoi;
    if (copy_from_current_guest(&eoi, f.r[1], sizeof eoi) != Err::ok) return Err::fault;
    return passthrough::eoi(d, eoi.irq);
}

HcResult hc_nosys(Domain&, TrapFrame&) { return Err::nosys; }

// The dispatch table: every number below XA_HYPERCALL_COUNT has a handler, the unused
// ones hc_nosys, so dispatch is one bounds check and one indirect call.
struct HypercallTable {
    Handler h[XA_HYPERCALL_COUNT];
};
constexpr HypercallTable kHypercalls = [] {
    HypercallTable t;
    for (Handler& h : t.h) h = hc_nosys;
    t.h[XA_HYPERCALL_set_trap_table] = hc_set_trap_table;
    t.h[XA_HYPERCALL_mmu_update] = mmu_update;
    t.h[XA_HYPERCALL_update_va_mapping] = update_va_mapping;
    t.h[XA_HYPERCALL_mmuext_op] = mmuext_op;
    t.h[XA_HYPERCALL_set_timer_op] = hc_set_timer_op;
    t.h[XA_HYPERCALL_event_channel_op] = hc_event_channel_op;
    t.h[XA_HYPERCALL_xen_version] = hc_xen_version;
    t.h[XA_HYPERCALL_console_io] = console_io;
    t.h[XA_HYPERCALL_grant_table_op] = grant_table_op;
    t.h[XA_HYPERCALL_restore_trap_frame] = hc_restore_trap_frame;
    t.h[XA_HYPERCALL_vcpu_op] = hc_vcpu_op;
    t.h[XA_HYPERCALL_sched_op] = sched_op;
    t.h[XA_HYPERCALL_physdev_op] = hc_physdev_op;
    t.h[XA_HYPERCALL_domctl] = domctl;
    t.h[XA_HYPERCALL_trace_marker] = hc_trace_marker;
    return t;
}();

}  // namespace
}  // namespace hypercalls
}  // namespace xa

namespace xa {
namespace {

// Every SWI but a valid hypercall number from virtual kernel mode in ARM state: Thumb
// (a crash), trace markers, system calls bounced to the guest kernel, unknown numbers.
[[gnu::noinline]] void swi_other(Domain& d, TrapFrame& f) {
    if ((f.cpsr & 0x20u) != 0) {  // Thumb: guests run ARM code only
        traps::crash(d, f, "SWI", "issued in Thumb state");
        sched::leave(f);
        return;
    }
    const u32 imm = *reinterpret_cast<const u32*>(f.pc - 4) & 0x00FFFFFFu;
    if (imm >= XA_TRACE_SWI_BASE) return;  // trace marker: nothing changes
    if (d.mode == VirtMode::user) {
        const char* why = nullptr;
        if (!traps::bounce(d, f, XA_TRAP_SWI, why)) traps::crash(d, f, "system call", why);
        sched::leave(f);
        return;
    }
    f.r[0] = hypercalls::hc_nosys(d, f).r0();
    sched::leave(f);
}

}  // namespace
}  // namespace xa

// SWI from a guest (arch/arm/vectors.S). f->pc is the instruction after the SWI. The
// hypercall path is the straight line here; everything else is swi_other's.
extern "C" void xa_swi(xa::TrapFrame* f) {
    using namespace xa;
    Domain* d = domains::current();
    if (d == nullptr) [[unlikely]]
        xa_panic("SWI with no current domain");
    if ((f->cpsr & 0x20u) == 0 && d->mode == VirtMode::kernel) [[likely]] {
        // ARM state: the SWI was just fetched from this address by the guest, so it is
        // mapped and the VMM (privileged) can read it.
        const u32 imm = *reinterpret_cast<const u32*>(f->pc - 4) & 0x00FFFFFFu;
        if (imm < XA_HYPERCALL_COUNT) [[likely]] {
            f->r[0] = hypercalls::kHypercalls.h[imm](*d, *f).r0();
            sched::leave_inline(*f);
            return;
        }
    }
    swi_other(*d, *f);
}
