// Device pass-through (see passthrough.hh).
#include "passthrough.hh"

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "board.hh"
#include "console.hh"
#include "layout.hh"
#include "libc.hh"
#include "sched.hh"
#include "vmm.hh"

namespace xa::passthrough {
namespace {

constexpr u16 kNobody = 0xFFFF;
u16 owner[board::kMaxPassthrough] = {kNobody, kNobody, kNobody, kNobody};
u32 routed[board::kMaxPassthrough];  // interrupts routed to the current owner

const board::PassthroughDevice* device(u32 i) { return &board::kConfig.passthrough[i]; }

// Stops the device and clears its interrupt, through the VMM's io window.
void quiesce(const board::PassthroughDevice& dev) {
    for (u32 w = 0; w < board::kConfig.io_count; ++w) {
        if ((dev.phys & 0xFFF00000u) != board::kConfig.io[w].phys) continue;
        const u32 base = layout::io_slot_base(w) + (dev.phys & 0xFFFFFu);
        for (u32 k = 0; k < dev.quiesce_count; ++k)
            *reinterpret_cast<volatile u32*>(base + dev.quiesce[k].offset) = dev.quiesce[k].value;
    }
}

bool same_name(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) ++a, ++b;
    return *a == *b;
}

}  // namespace

Err assign(Domain& d, const char* name, u32& va, u32& irq) {
    u32 i = 0;
    while (i < board::kConfig.passthrough_count && !same_name(device(i)->name, name)) ++i;
    if (i == board::kConfig.passthrough_count) return Err::noent;
    if (owner[i] != kNobody) return Err::busy;
    for (u32 k = 0; k < board::kConfig.passthrough_count; ++k) {
        if (owner[k] == d.id.value()) return Err::exist;
    }
    const VirtAddr at = d.window + XA_PASSTHROUGH_OFFSET;
    if (d.table->map_page(at, PhysAddr(device(i)->phys), mmu::tagged(mmu::Domain::guest_kernel, d.tag),
                          mmu::Ap::priv_rw, mmu::Mem::device) != Err::ok)
        return Err::inval;
    space::mapped_mib(d, at);
    if (&d == domains::current()) cpu::invalidate_tlb_entry(at.value());
    quiesce(*device(i));  // whatever an earlier owner left running
    owner[i] = d.id.value();
    routed[i] = 0;
    va = at.value();
    irq = device(i)->irq;
    board::irq_enable(irq);
    printk("xen-arm: dom%u '%s': device %s (0x%08x, line %u) passed through at 0x%08x\n", d.id.value(), d.name,
           device(i)->name, device(i)->phys, irq, va);
    return Err::ok;
}

bool describe(u32 index, const char*& name, u32& phys, u32& irq, u16& who) {
    if (index >= board::kConfig.passthrough_count) return false;
    name = device(index)->name;
    phys = device(index)->phys;
    irq = device(index)->irq;
    who = owner[index] == kNobody ? DOMID_INVALID : owner[index];
    return true;
}

void release(Domain& d) {
    for (u32 i = 0; i < board::kConfig.passthrough_count; ++i) {
        if (owner[i] != d.id.value()) continue;
        board::irq_disable(device(i)->irq);
        quiesce(*device(i));
        owner[i] = kNobody;
        // The mapping goes with the domain's page table (it holds no frame reference).
        printk("xen-arm: dom%u: device %s released (%u interrupts routed)\n", d.id.value(), device(i)->name, routed[i]);
    }
}

bool route_irq(u32 line) {
    for (u32 i = 0; i < board::kConfig.passthrough_count; ++i) {
        if (device(i)->irq != line || owner[i] == kNobody) continue;
        board::irq_disable(line);  // until the owner's PHYSDEVOP_eoi
        ++routed[i];
        Domain* d = domains::get(DomId(owner[i]));
        if (d == nullptr || !d->alive()) return true;
        // An event like any other: the owner runs at its turn, unless the policy says a
        // woken owner preempts the running domain (fixed priority, a higher-priority
        // owner). A yield here would hand the CPU to the owner at every interrupt: with
        // its device re-armed every few microseconds, the owner would starve everyone.
        sched::raise_virq(*d, XA_VIRQ_PASSTHROUGH);
        return true;
    }
    return false;
}

Err eoi(Domain& d, u32 irq) {
    for (u32 i = 0; i < board::kConfig.passthrough_count; ++i) {
        if (device(i)->irq == irq && owner[i] == d.id.value()) {
            board::irq_enable(irq);
            return Err::ok;
        }
    }
    return Err::perm;
}

}  // namespace xa::passthrough
