// Whole-VM checkpoints and rollback, the full-copy baseline (fault_tolerance.hh).
#include "fault_tolerance.hh"

#include <new>

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "libc.hh"
#include "mmu.hh"
#include "vmm_memory.hh"

namespace xa::ft {
namespace {

constexpr u32 kMaxFrames = boot_image::kFtMemoryMaxKb * KiB / kPageSize;
constexpr u32 kGrantEntries = XA_GRANT_FRAMES * kPageSize / sizeof(grant_entry_v1);

struct VcpuState {
    TrapFrame ctx;
    VirtMode mode;
    u32 trap_table[XA_TRAP_COUNT];
    u64 timer_deadline_ns;
};

struct Slot {
    u32 dirty_words[DirtySet::words_for(kMaxFrames)];
    u32 pinned_words[DirtySet::words_for(kMaxFrames)];
    DirtySet dirty;
    Tracker* tracker = nullptr;  // in tracker_storage once the slot's domain has one
    alignas(Tracker) u8 tracker_storage[sizeof(Tracker)];
    VcpuState vcpu;
    shared_info shared;
};

Slot slots[Domain::kMaxDomains];

bool usable(const Domain& d) {
    return d.fault_tolerance == boot_image::kFtVm && d.alive() && d.nr_pages <= kMaxFrames &&
           !(d.backup_grants_pa == PhysAddr{});
}

Tracker& tracker_of(const Domain& d) {
    Slot& s = slots[d.id.value()];
    if (s.tracker == nullptr) {
        (void)s.dirty.init(d.nr_pages, s.dirty_words, s.pinned_words, DirtySet::words_for(kMaxFrames));
        // The full-copy baseline: no write tracking yet.
        s.tracker = new (s.tracker_storage) Tracker(s.dirty, Policy(d.checkpoint_us), true);
    }
    return *s.tracker;
}

// Runs fn with d's table loaded and its memory and backup window reachable.
template <typename Fn>
void with_table(Domain& d, Fn&& fn) {
    if (&d == domains::current()) {
        fn();
        return;
    }
    const u32 prev_ttbr = cpu::read_ttbr();
    const u32 prev_dacr = cpu::read_dacr();
    cpu::switch_ttbr(d.table->l1().value());
    cpu::write_dacr(d.dacr_kernel);
    fn();
    cpu::write_dacr(prev_dacr);
    cpu::switch_ttbr(prev_ttbr);
    space::flushed();  // both table switches cleaned the caches and the TLB
}

// The runs the tracker plans, page by page, one way or the other.
u32 copy_memory(Domain& d, Tracker& t, bool to_backup) {
    u32 copied = 0;
    with_table(d, [&] {
        copied = t.plan(d.nr_pages, [&](CopyRun r) {
            for (u32 i = r.first; i < r.first + r.count; ++i) {
                u8* mem = vmm_memory::current_va(d.window.value() + i * kPageSize);
                u8* bak = vmm_memory::current_va(kBackupWindowVa + i * kPageSize);
                memcpy(to_backup ? bak : mem, to_backup ? mem : bak, kPageSize);
            }
        });
        // Every vm domain's backup window is at the same address (kBackupWindowVa), so
        // no line or TLB entry of it may outlive the copy: another domain's copy would hit
        // them (switches keep the caches, address_space.hh). The guest may also run
        // restored code. (A copy for another domain ran under with_table's cleans.)
        if (&d == domains::current()) {
            cpu::flush_caches();
            cpu::flush_tlb();
            space::flushed();
        }
    });
    return copied;
}

// The domain's shared_info and grant entries, through the VMM's uncached alias (domain.hh).
shared_info* live_shared(Domain& d) { return domains::shared(d); }
grant_entry_v1* live_grants(Domain& d) { return domains::grant_entries(d); }
grant_entry_v1* saved_grants(const Domain& d) {
    return vmm_memory::direct_map().ptr<grant_entry_v1>(d.backup_grants_pa);
}

}  // namespace

void reset(const Domain& d) {
    Slot& s = slots[d.id.value()];
    if (s.tracker != nullptr) s.tracker->~Tracker();
    s.tracker = nullptr;
}

bool has_checkpoint(const Domain& d) {
    const Slot& s = slots[d.id.value()];
    return d.fault_tolerance == boot_image::kFtVm && s.tracker != nullptr && s.tracker->has_checkpoint();
}

const Stats* stats(const Domain& d) {
    if (d.fault_tolerance != boot_image::kFtVm) return nullptr;
    static constexpr Stats kNone{};
    const Slot& s = slots[d.id.value()];
    return s.tracker != nullptr ? &s.tracker->stats() : &kNone;
}

Err checkpoint(Domain& d, const TrapFrame& regs, u64 now) {
    if (!usable(d)) return Err::inval;
    Slot& s = slots[d.id.value()];
    Tracker& t = tracker_of(d);
    (void)copy_memory(d, t, true);
    memcpy(&s.shared, live_shared(d), sizeof s.shared);
    memcpy(saved_grants(d), live_grants(d), kGrantEntries * sizeof(grant_entry_v1));
    s.vcpu.ctx = regs;
    s.vcpu.mode = d.mode;
    memcpy(s.vcpu.trap_table, d.trap_table, sizeof d.trap_table);
    s.vcpu.timer_deadline_ns = d.timer_deadline_ns;
    t.commit_checkpoint(now);
    return Err::ok;
}

Err rollback(Domain& d, TrapFrame& regs, u64 now, bool fault) {
    if (!usable(d)) return Err::inval;
    Slot& s = slots[d.id.value()];
    if (s.tracker == nullptr || !s.tracker->has_checkpoint()) return Err::noent;
    Tracker& t = *s.tracker;
    if (fault && !t.may_roll_back(now)) return Err::busy;
    (void)copy_memory(d, t, false);

    // Events pending now stay pending: a lost event could hang a peer, a spurious one is
    // what every guest handles.
    shared_info* sh = live_shared(d);
    u32 pending[XA_EVTCHN_WORDS];
    memcpy(pending, sh->evtchn_pending, sizeof pending);
    const u32 sel = sh->vcpu[0].evtchn_pending_sel;
    const u8 upcall = sh->vcpu[0].evtchn_upcall_pending;
    memcpy(sh, &s.shared, sizeof *sh);
    for (u32 w = 0; w < XA_EVTCHN_WORDS; ++w) sh->evtchn_pending[w] |= pending[w];
    sh->vcpu[0].evtchn_pending_sel |= sel;
    sh->vcpu[0].evtchn_upcall_pending |= upcall;

    // The VMM's own bits of each grant entry say which maps are in use now.
    grant_entry_v1* live = live_grants(d);
    const grant_entry_v1* saved = saved_grants(d);
    constexpr u16 kVmmBits = GTF_reading | GTF_writing;
    for (u32 i = 0; i < kGrantEntries; ++i) {
        const u16 in_use = live[i].flags & kVmmBits;
        live[i] = saved[i];
        live[i].flags = static_cast<u16>((live[i].flags & ~kVmmBits) | in_use);
    }

    regs = s.vcpu.ctx;
    d.mode = s.vcpu.mode;
    memcpy(d.trap_table, s.vcpu.trap_table, sizeof d.trap_table);
    d.timer_deadline_ns = s.vcpu.timer_deadline_ns;
    if (&d == domains::current())
        cpu::write_dacr(d.mode == VirtMode::kernel ? mmu::kDacrGuestKernel : mmu::kDacrGuestUser);
    t.commit_rollback();
    return Err::ok;
}

u64 last_checkpoint_ns(const Domain& d) {
    return has_checkpoint(d) ? slots[d.id.value()].tracker->last_checkpoint_ns() : 0;
}

}  // namespace xa::ft
