// Guest traps: the C++ side of the abort/undef entries, bouncing a trap to the guest
// kernel's trap table, restore_trap_frame, upcall delivery and crashing a domain.
#include "traps.hh"

#include "arch/arm/cpu.hh"
#include "console.hh"
#include "exit_status.hh"
#include "fault_tolerance.hh"
#include "guest_copy.hh"
#include "hypercall_checks.hh"
#include "libc.hh"
#include "mmu.hh"
#include "sched.hh"
#include "timer.hh"
#include "trap_logic.hh"
#include "vmm.hh"

namespace xa::traps {
namespace {

static_assert(XA_EXC_UNDEF == XA_TRAP_UNDEF && XA_EXC_SWI == XA_TRAP_SWI && XA_EXC_PABT == XA_TRAP_PABT &&
                  XA_EXC_DABT == XA_TRAP_DABT && XA_EXC_IRQ == XA_TRAP_IRQ,
              "exception kinds are trap-table indices");
static_assert(sizeof(xa_trap_frame) == TF_CPSR + 4 && offsetof(xa_trap_frame, vpsr) == TF_CPSR &&
                  offsetof(xa_trap_frame, sp) == TF_SP && offsetof(xa_trap_frame, pc) == TF_PC,
              "the guest's frame is the VMM's frame without its padding: a bounce is a copy");

}  // namespace

u32 dacr_for(const Domain& d, VirtMode mode) { return mode == VirtMode::kernel ? d.dacr_kernel : d.dacr_user; }

u32 virtual_psr(Domain& d, const TrapFrame& f) {
    const bool masked = domains::shared(d)->vcpu[0].evtchn_upcall_mask != 0;
    return (f.cpsr & kArmPsrFlags) | (d.mode == VirtMode::kernel ? XA_VPSR_MODE_KERNEL : XA_VPSR_MODE_USER) |
           (masked ? XA_VPSR_I : 0u);
}

bool bounce(Domain& d, TrapFrame& f, u32 kind, const char*& why) {
    const u32 handler = kind < XA_TRAP_COUNT ? d.trap_table[kind] : 0;
    if (handler == 0) {
        why = "no handler in its trap table";
        return false;
    }
    vcpu_info& v = domains::shared(d)->vcpu[0];
    const bool from_kernel = d.mode == VirtMode::kernel;
    if (nested_fault(from_kernel, v, kind)) {
        why = "fault in virtual kernel mode with upcalls masked (inside a trap handler?)";
        return false;
    }
    const u32 vpsr = virtual_psr(d, f);
    const u32 stack = from_kernel ? f.sp : v.vksp;
    const u32 frame_va = bounce_frame_va(stack);
    // The frame goes where the guest kernel could write it itself: probe with the kernel
    // DACR (already in force from kernel mode).
    if (!from_kernel) cpu::write_dacr(d.dacr_kernel);
    if (!frame_fits(stack) || probe_guest(frame_va, sizeof(xa_trap_frame), true) != Err::ok) {
        if (!from_kernel) cpu::write_dacr(d.dacr_user);
        why = from_kernel ? "its kernel stack is not writable" : "vcpu_info.vksp is not a writable kernel stack";
        return false;
    }
    // The domain is current (it trapped), so its memory is reachable at frame_va.
    auto* gf = reinterpret_cast<xa_trap_frame*>(frame_va);
    cpu::copy_frame_registers(*gf, f);
    gf->vpsr = vpsr;

    v.vspsr = vpsr;
    if (!from_kernel) v.vusp = f.sp;
    v.evtchn_upcall_mask = 1;

    enter_handler(f, frame_va, kind, handler);
    d.mode = VirtMode::kernel;  // (DACR already switched above)
    return true;
}

Err restore(Domain& d, TrapFrame& f, u32 va) {
    xa_trap_frame gf;
    // One copy: the guest cannot change it under us once checked.
    if (copy_from_current_guest(&gf, va, sizeof gf) != Err::ok) return Err::fault;
    RestoredState restored;
    const Err e = apply_guest_frame(f, gf, restored);  // never a privileged mode, never I/F/T
    if (e != Err::ok) return e;
    d.mode = restored.mode;
    domains::shared(d)->vcpu[0].evtchn_upcall_mask = restored.upcalls_masked ? 1 : 0;
    cpu::write_dacr(dacr_for(d, d.mode));
    return Err::ok;
}

void deliver_pending_upcall(Domain& d, TrapFrame& f) {
    if (d.trap_table[XA_TRAP_IRQ] == 0) return;  // not ready for events yet: they stay pending
    const char* why = nullptr;
    if (!bounce(d, f, XA_TRAP_IRQ, why)) {
        crash(d, f, "event upcall", why);
        // We are on the way out to this domain (sched::leave), and f is still its frame:
        // returning would run the crashed domain on. Leave again instead: d is no longer
        // runnable, so that switches to another domain (or idles, or stops the VMM) and
        // rewrites f. Each pass crashes one more domain at most, so this ends.
        sched::leave(f);
    }
}

void crash(Domain& d, const TrapFrame& f, const char* what, const char* why) {
    // Shutdown and crash are final: a domain that has stopped is never crashed again (nor,
    // in sched_op shutdown, shut down), so the first way it stopped is the one reported.
    if (d.state != DomState::alive) return;
    printk("xen-arm: dom%u '%s' crashed: %s: %s\n", d.id.value(), d.name, what, why);
    printk("    pc 0x%08x sp 0x%08x lr 0x%08x, virtual %s mode\n", f.pc, f.sp, f.lr,
           d.mode == VirtMode::kernel ? "kernel" : "user");
    for (u32 i = 0; i < 13; i += 4) {
        printk("    r%u-r%u:", i, i + 3 < 13 ? i + 3 : 12);
        for (u32 j = i; j < i + 4 && j < 13; ++j) printk(" 0x%08x", f.r[j]);
        printk("\n");
    }
    d.state = DomState::crashed;
    d.shutdown_reason = SHUTDOWN_crash;
    sched::domain_stopped(d);
}

}  // namespace xa::traps

// Data/prefetch aborts and undefined instructions from a guest (arch/arm/vectors.S).
extern "C" void xa_guest_trap(xa::u32 kind, xa::TrapFrame* f) {
    using namespace xa;
    Domain* d = domains::current();
    if (d == nullptr) xa_panic("guest trap with no current domain");
    // A fault-tolerant domain's first write to a page since its checkpoint: tracked, and
    // the store is retried (fault_tolerance.hh).
    if (kind == XA_TRAP_DABT && d->fault_tolerance != boot_image::kFtNone &&
        ft::write_fault(*d, cpu::read_far(), cpu::read_dfsr())) {
        sched::leave(*f);
        return;
    }
    vcpu_info& v = domains::shared(*d)->vcpu[0];
    char what[96];
    if (kind == XA_TRAP_DABT) {
        const u32 far = cpu::read_far(), fsr = cpu::read_dfsr();
        v.vfar = far;
        v.vfsr = fsr;
        snprintk(what, sizeof what, "data abort at 0x%08x (%s)", far, mmu::fault_status_name(fsr));
    } else if (kind == XA_TRAP_PABT) {
        const u32 fsr = cpu::read_ifsr();
        v.vfar = f->pc;
        v.vfsr = fsr;
        snprintk(what, sizeof what, "prefetch abort at 0x%08x (%s)", f->pc, mmu::fault_status_name(fsr));
    } else {
        snprintk(what, sizeof what, "undefined instruction at 0x%08x", f->pc);
    }
    const char* why = nullptr;
    if (!traps::bounce(*d, *f, kind, why)) {
        // A fault-tolerant domain goes back to its last checkpoint instead, while the failure
        // window allows (docs/fault-tolerance.md); f then holds the checkpoint's registers.
        const u64 now = timer::now_ns();
        const u64 taken = ft::last_checkpoint_ns(*d);
        if (d->fault_tolerance == boot_image::kFtVm && ft::rollback(*d, *f, now, true) == Err::ok) {
            // How old the checkpoint was is the work the domain lost.
            printk("xen-arm: dom%u '%s' rolled back to its checkpoint of %u us ago after %s: %s\n", d->id.value(),
                   d->name, static_cast<u32>((now - taken) / 1000), what, why);
        } else {
            traps::crash(*d, *f, what, why);
        }
    }
    sched::leave(*f);
}
