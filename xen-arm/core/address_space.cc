// Switches that keep the caches and the TLB (see address_space.hh).
#include "address_space.hh"

#include "arch/arm/cpu.hh"
#include "layout.hh"
#include "mmu.hh"

namespace xa::space {
namespace {

static_assert(Domain::kMaxDomains <= 8, "one byte per clash set");

u8 clashes[Domain::kMaxDomains] = {};  // per domain id: the ids it clashes with
u8 resident = 0;                       // ids that have run since the last full clean
u8 forced = 0;                         // 0xFF: every switch cleans (switch=clean)
u32 cleans = 0;

constexpr u8 bit(const Domain& d) { return static_cast<u8>(1u << d.id.value()); }

void set_clash(Domain& a, Domain& b) {
    if (&a == &b) return;
    clashes[a.id.value()] |= bit(b);
    clashes[b.id.value()] |= bit(a);
}

bool maps_mib(const Domain& d, u32 mib) {
    return d.table != nullptr && mmu::l1_type(d.table->l1_entry(mib)) != mmu::L1Type::fault;
}

}  // namespace

void enter(Domain& next) {
    if (((clashes[next.id.value()] | forced) & resident) != 0) {
        cpu::flush_caches();
        cpu::set_ttbr(next.table->l1().value());
        cpu::flush_tlb();
        resident = 0;
        ++cleans;
    } else {
        cpu::set_ttbr(next.table->l1().value());
    }
    resident |= bit(next);
}

void added(Domain& d) {
    clashes[d.id.value()] = 0;
    constexpr u32 kGuestMibs = layout::kVmmBase >> kSectionShift;
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        Domain& other = domains::slot(i);
        if (&other == &d || other.state == DomState::free || other.table == nullptr) continue;
        bool overlap = other.tag == d.tag;  // its TLB entries would not fault under d's DACR
        for (u32 mib = 0; mib < kGuestMibs && !overlap; ++mib) overlap = maps_mib(d, mib) && maps_mib(other, mib);
        if (overlap) set_clash(d, other);
    }
}

void mapped_mib(Domain& d, VirtAddr va) {
    const u32 mib = mmu::l1_index(va);
    for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
        Domain& other = domains::slot(i);
        if (&other != &d && other.state != DomState::free && maps_mib(other, mib)) set_clash(d, other);
    }
}

void shares_frame(Domain& mapper, Domain& owner) { set_clash(mapper, owner); }

void removed(Domain& d) {
    const u8 b = bit(d);
    if ((resident & b) != 0) {
        cpu::flush_caches();
        cpu::flush_tlb();
        resident = 0;
        if (Domain* cur = domains::current(); cur != nullptr) resident = bit(*cur);
    }
    clashes[d.id.value()] = 0;
    for (u8& c : clashes) c &= static_cast<u8>(~b);
}

void flushed() {
    resident = 0;
    if (Domain* cur = domains::current(); cur != nullptr) resident = bit(*cur);
}

void clean_every_switch(bool yes) { forced = yes ? 0xFF : 0; }

void reset() {
    for (u8& c : clashes) c = 0;
    resident = 0;
    forced = 0;
    cleans = 0;
}

u32 clean_switches() { return cleans; }

bool clash(const Domain& a, const Domain& b) { return (clashes[a.id.value()] & bit(b)) != 0; }

}  // namespace xa::space
