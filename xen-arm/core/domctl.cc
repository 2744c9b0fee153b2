// domctl: dom0's domain control (create from the boot image, destroy, pause, query,
// device assignment, fault tolerance). Only a privileged caller gets past the first
// check, but for ftinfo about itself.
#include "console.hh"
#include "fault_inject.hh"
#include "fault_tolerance.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "hypercall_checks.hh"
#include "libc.hh"
#include "passthrough.hh"
#include "sched.hh"
#include "timer.hh"
#include "vmm.hh"

namespace xa::hypercalls {
namespace {

void fill_domaininfo(Domain& t, const Domain& caller, xen_domctl_getdomaininfo& gi) {
    gi = xen_domctl_getdomaininfo{};
    gi.domain = t.id.value();
    gi.flags = (t.state == DomState::shutdown ? XEN_DOMINF_shutdown : 0u) |
               (t.state == DomState::crashed ? XEN_DOMINF_crashed | XEN_DOMINF_shutdown : 0u) |
               (t.pause_count != 0 ? XEN_DOMINF_paused : 0u) | (t.blocked ? XEN_DOMINF_blocked : 0u) |
               (&t == &caller ? XEN_DOMINF_running : 0u) | (t.privileged ? XEN_DOMINF_privileged : 0u);
    gi.nr_pages = t.nr_pages;
    gi.shutdown_reason = t.shutdown_reason;
    gi.cpu_time = t.runstate_time(RUNSTATE_running, timer::now_ns());
    memcpy(gi.name, t.name, sizeof gi.name);
    gi.store_port = t.store_port_dom0;
    gi.console_port = t.console_port_dom0;
}

static_assert(XA_FT_none == boot_image::kFtNone && XA_FT_vm == boot_image::kFtVm &&
              XA_FT_CHECKPOINT_MANUAL == boot_image::kCheckpointManual);

void fill_ftinfo(const Domain& t, xa_domctl_ftinfo& fi) {
    fi = xa_domctl_ftinfo{};
    fi.mode = t.fault_tolerance;
    const ft::Stats* s = ft::stats(t);
    if (s == nullptr) return;
    fi.checkpoint_us = t.checkpoint_us;
    fi.checkpoints = s->checkpoints;
    fi.rollbacks = s->rollbacks;
    fi.last_copied = s->last_copied;
    fi.frames_copied = s->frames_copied;
    fi.has_checkpoint = ft::has_checkpoint(t) ? 1u : 0u;
    fi.last_checkpoint_ns = ft::last_checkpoint_ns(t);
}

}  // namespace

HcResult domctl(Domain& d, TrapFrame& f) {
    const Err caller = checks::check_domctl_caller(d.privileged);
    xen_domctl op;
    // Every command's result goes back into the struct (createdomain's new id,
    // assign_device's address and line): writable first, or nothing is done. An
    // unprivileged caller learns nothing but -EPERM from a struct it cannot pass.
    if (probe_guest(f.r[0], sizeof op, true) != Err::ok) return caller != Err::ok ? caller : Err::fault;
    if (copy_from_current_guest(&op, f.r[0], sizeof op) != Err::ok) return caller != Err::ok ? caller : Err::fault;
    if (caller != Err::ok) {
        if (const Err c = checks::check_domctl_unprivileged(op.cmd, op.domain == d.id.value()); c != Err::ok) return c;
    }
    if (op.interface_version != XA_DOMCTL_INTERFACE_VERSION) return Err::inval;
    Domain* target = domains::get(DomId(op.domain));
    Err e = Err::ok;
    switch (op.cmd) {
        case XEN_DOMCTL_createdomain: {
            const BootImageView* img = vmm::boot_image();
            // Compare as the boot image stores names: NUL-padded to 16 bytes.
            char* name = op.u.createdomain.name;
            name[sizeof op.u.createdomain.name - 1] = '\0';
            for (u32 i = strlen(name); i < sizeof op.u.createdomain.name; ++i) name[i] = '\0';
            u32 index = 0;
            while (img != nullptr && index < img->domain_count &&
                   memcmp(img->domains[index].name, op.u.createdomain.name, sizeof op.u.createdomain.name) != 0) {
                ++index;
            }
            if (img == nullptr || index == img->domain_count) return Err::noent;
            const char* problem = nullptr;
            e = domains::build(index, problem);
            if (e != Err::ok) {
                printk("xen-arm: dom%u: createdomain '%s' failed: %s\n", d.id.value(), op.u.createdomain.name, problem);
                return e;
            }
            op.domain = static_cast<domid_t>(index);
            break;
        }
        case XEN_DOMCTL_destroydomain:
            if (target == nullptr) return kErrSrch;
            if (const Err c = checks::check_domctl_self(op.cmd, target == &d); c != Err::ok) return c;
            e = domains::destroy(*target);
            break;
        case XEN_DOMCTL_pausedomain:
            if (target == nullptr || !target->alive()) return kErrSrch;
            if (const Err c = checks::check_domctl_self(op.cmd, target == &d); c != Err::ok) return c;
            ++target->pause_count;
            sched::pause_changed(*target);
            break;
        case XEN_DOMCTL_unpausedomain:
            if (target == nullptr || !target->alive()) return kErrSrch;
            if (target->pause_count == 0) return Err::inval;
            --target->pause_count;
            sched::pause_changed(*target);
            break;
        case XEN_DOMCTL_getdomaininfo: {
            Domain* found = nullptr;
            for (u32 i = op.domain; i < Domain::kMaxDomains && found == nullptr; ++i)
                found = domains::get(DomId(static_cast<u16>(i)));
            if (found == nullptr) return kErrSrch;
            fill_domaininfo(*found, d, op.u.getdomaininfo);
            op.domain = found->id.value();
            break;
        }
        case XEN_DOMCTL_assign_device: {
            if (target == nullptr || !target->alive()) return kErrSrch;
            xen_domctl_assign_device& a = op.u.assign_device;
            a.name[sizeof a.name - 1] = '\0';
            u32 va = 0, irq = 0;
            e = passthrough::assign(*target, a.name, va, irq);
            a.va = va;
            a.irq = irq;
            break;
        }
        case XA_DOMCTL_getconfig: {
            const BootImageView* img = vmm::boot_image();
            const u32 index = op.domain;
            if (img == nullptr || index >= img->domain_count) return Err::noent;
            const boot_image::BootDomain& bd = img->domains[index];
            xa_domctl_getconfig& c = op.u.getconfig;
            c = xa_domctl_getconfig{};
            memcpy(c.name, bd.name, sizeof c.name - 1);
            c.memory_kb = bd.memory_kb;
            c.flags = (domains::get(DomId(static_cast<u16>(index))) != nullptr ? XA_CONFIG_exists : 0u) |
                      ((bd.flags & boot_image::kDomPrivileged) != 0 ? XA_CONFIG_privileged : 0u) |
                      ((bd.flags & boot_image::kDomAutostart) != 0 ? XA_CONFIG_autostart : 0u);
            break;
        }
        case XA_DOMCTL_getdevice: {
            xa_domctl_getdevice& g = op.u.getdevice;
            const char* name = nullptr;
            u32 phys = 0, irq = 0;
            u16 owner = DOMID_INVALID;
            if (!passthrough::describe(g.index, name, phys, irq, owner)) return Err::noent;
            memset(g.name, 0, sizeof g.name);
            for (u32 i = 0; i + 1 < sizeof g.name && name[i] != '\0'; ++i) g.name[i] = name[i];
            g.phys = phys;
            g.irq = irq;
            g.owner = owner;
            g.pad0 = 0;
            break;
        }
        case XA_DOMCTL_checkpoint: {
            if (target == nullptr || !target->alive()) return kErrSrch;
            if (target != &d) {
                e = ft::checkpoint(*target, target->ctx, timer::now_ns());
                break;
            }
            // The caller's registers as the domctl leaves them, but returning 1: what a
            // rollback resumes.
            TrapFrame resume = f;
            resume.r[0] = 1;
            e = ft::checkpoint(d, resume, timer::now_ns());
            break;
        }
        case XA_DOMCTL_rollback: {
            if (target == nullptr || !target->alive()) return kErrSrch;
            e = ft::rollback(*target, target == &d ? f : target->ctx, timer::now_ns(), false);
            if (e != Err::ok) return e;
            if (target == &d) return HcResult(static_cast<i32>(f.r[0]));  // its memory is the checkpoint's now
            // A wake-up without an event, which the ABI allows, if it was waiting for one.
            sched::event_raised(Kick{true, target->id});
            printk("xen-arm: dom%u '%s' rolled back to its checkpoint by dom%u\n", target->id.value(), target->name,
                   d.id.value());
            break;
        }
        case XA_DOMCTL_ftinfo:
            if (target == nullptr) return kErrSrch;
            fill_ftinfo(*target, op.u.ftinfo);
            break;
        case XA_DOMCTL_inject_fault:
            if (target == nullptr || !target->alive()) return kErrSrch;
            if (target == &d) return Err::inval;  // its registers are in f, not ctx
            e = fault_inject::inject(*target, op.u.inject_fault);
            break;
        default: return Err::nosys;
    }
    if (e != Err::ok) return e;
    return copy_to_current_guest(f.r[0], &op, sizeof op) == Err::ok ? HcResult(0) : HcResult(Err::fault);
}

}  // namespace xa::hypercalls
