// Whole-VM checkpoints and rollback, the full-copy baseline (fault_tolerance.hh).
#include "fault_tolerance.hh"

#include <new>

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "boot_options.hh"
#include "libc.hh"
#include "mmu.hh"
#include "sched.hh"
#include "timer.hh"
#include "traps.hh"
#include "vmm.hh"
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
    // Console lines printed since the checkpoint (fault_tolerance.hh): their hashes, how
    // many, and during a replay after a rollback how many of them it has printed again and
    // up to where it replays; the partial line at the checkpoint.
    u32 line_hashes[kConsoleLines];
    u8 lines_logged = 0;
    u8 lines_replayed = 0;
    u8 replay_end = 0;
    u8 saved_con_len = 0;
    char saved_con_line[sizeof Domain{}.con_line];
    // Write tracking is on: the domain's memory MiBs are in its tag's client domain
    // (guest_kernel_ro), clean frames read-only, so its first write to each faults.
    bool tracking = false;
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
        // Write tracking: after the first checkpoint (everything is dirty at the start)
        // only what the domain wrote is copied. The failure window: boot option ft_faults=.
        s.tracker = new (s.tracker_storage)
            Tracker(s.dirty, Policy(d.checkpoint_us), false,
                    FailureWindow(booted_options.ft_fault_limit, booted_options.ft_fault_window_ns));
    }
    return *s.tracker;
}

// Runs fn with d's table loaded and its memory and backup window reachable.
template <typename Fn>
void with_table(Domain& d, Fn&& fn) {
    if (&d == domains::current()) {
        // Its kernel pages even if it is in virtual user mode (a checkpoint at the end of a
        // user task's slice, a rollback after a user-mode fault).
        const u32 prev_dacr = cpu::read_dacr();
        cpu::write_dacr(d.dacr_kernel);
        fn();
        cpu::write_dacr(prev_dacr);
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

// ---- write tracking (docs/fault-tolerance.md) -----------------------------------------------
// The guest kernel reaches its memory through its tag's guest_kernel domain, a manager in
// virtual kernel mode: the MMU checks no permission there, so a read-only page would not
// fault. While tracking, the MiBs of the domain's memory are moved to its tag's
// guest_kernel_ro domain, a client in virtual kernel mode (and no access in virtual user
// mode, as guest_kernel's privileged-only pages are): a clean frame is mapped
// priv_rw_user_ro (the guest, in USR mode, reads it; its first write is a permission
// fault), a dirty or pinned one all_rw. The VMM's own stores are privileged: they pass.

u32 first_mib(const Domain& d) { return d.window.value() >> kSectionShift; }
u32 end_mib(const Domain& d) { return (d.window.value() + d.nr_pages * kPageSize + kSectionSize - 1) >> kSectionShift; }
VirtAddr page_va(const Domain& d, u32 i) { return VirtAddr(d.window.value() + i * kPageSize); }
PhysAddr frame_pa(const Domain& d, u32 i) { return d.mem_base + i * kPageSize; }

// Whether the domain's memory MiBs hold only its memory where the builder mapped it
// (frame i at page i of its window): the only layout tracking retags. A guest that maps
// anything else there (mmu_update or a grant map) is untracked first (table_changing).
bool trackable(const Domain& d) {
    const mmu::Domain kernel = mmu::tagged(mmu::Domain::guest_kernel, d.tag);
    const mmu::Domain ro = mmu::tagged(mmu::Domain::guest_kernel_ro, d.tag);
    for (u32 mib = first_mib(d); mib < end_mib(d); ++mib) {
        const u32 l1 = d.table->l1_entry(mib);
        if (mmu::l1_type(l1) != mmu::L1Type::coarse) return false;
        if (mmu::l1_domain(l1) != kernel && mmu::l1_domain(l1) != ro) return false;
    }
    bool ok = true;
    d.table->for_each_page(first_mib(d), end_mib(d), [&](VirtAddr va, u32 desc) {
        const u32 i = (va.value() - d.window.value()) / kPageSize;
        if (va.value() < d.window.value() || i >= d.nr_pages || mmu::l2_small_base(desc) != frame_pa(d, i)) ok = false;
    });
    return ok;
}

// Also mapped elsewhere (the guest's user space, another domain's grant map) or granted
// for use: written without a fault through that other mapping, so copied every time.
bool shared_frame(const Domain& d, u32 i) {
    const FrameInfo* fi = vmm::frame_table().info(frame_pa(d, i));
    return fi == nullptr || fi->map_count > 1 || fi->pin_count > 0;
}

void set_ap(const Domain& d, u32 i, mmu::Ap ap) { (void)d.table->set_page_ap(page_va(d, i), ap); }

// Everything back to the builder's mapping; every frame dirty (the next checkpoint copies
// all of it, as nothing was tracked from here on).
void untrack(Domain& d, Slot& s) {
    if (!s.tracking) return;
    for (u32 mib = first_mib(d); mib < end_mib(d); ++mib)
        (void)d.table->set_mib_domain(mib, mmu::tagged(mmu::Domain::guest_kernel, d.tag));
    for (u32 i = 0; i < d.nr_pages; ++i) set_ap(d, i, mmu::Ap::priv_rw);
    cpu::flush_tlb();  // the domain's entries may be anywhere in the TLB (switches keep it)
    s.dirty.mark_all();
    s.tracking = false;
}

// After a checkpoint or rollback copied the dirty and pinned frames: the copied frames
// are clean again. Turns tracking on (a walk of every page) or re-protects what was dirty.
void protect(Domain& d, Slot& s) {
    if (!s.tracking) {
        if (!trackable(d)) {
            s.dirty.mark_all();  // untracked: the next checkpoint copies everything
            return;
        }
        for (u32 mib = first_mib(d); mib < end_mib(d); ++mib)
            (void)d.table->set_mib_domain(mib, mmu::tagged(mmu::Domain::guest_kernel_ro, d.tag));
        for (u32 i = 0; i < d.nr_pages; ++i) {
            const bool shared = shared_frame(d, i);
            if (shared) {
                s.dirty.pin(i);
            } else {
                s.dirty.unpin(i);
            }
            set_ap(d, i, shared ? mmu::Ap::all_rw : mmu::Ap::priv_rw_user_ro);
        }
        s.tracking = true;
    } else {
        s.dirty.for_each_run(d.nr_pages, [&](CopyRun r) {
            for (u32 i = r.first; i < r.first + r.count; ++i) {
                if (!s.dirty.pinned(i)) set_ap(d, i, mmu::Ap::priv_rw_user_ro);
            }
        });
    }
    cpu::flush_tlb();
}

// Page i of a tracked domain is written from now on: dirty and writable.
void unprotect(Domain& d, Slot& s, u32 i) {
    (void)s.dirty.mark(i);
    set_ap(d, i, mmu::Ap::all_rw);
    cpu::invalidate_tlb_entry(page_va(d, i).value());
}

// The tracked page of d holding va, if it is still clean: its index, else nr_pages.
u32 clean_page(const Domain& d, const Slot& s, u32 va) {
    if (!s.tracking || va < d.window.value()) return d.nr_pages;
    const u32 i = (va - d.window.value()) / kPageSize;
    if (i >= d.nr_pages || s.dirty.dirty(i) || s.dirty.pinned(i)) return d.nr_pages;
    return i;
}

// The runs the tracker plans, page by page, one way or the other.
//
// Every vm domain's backup window is at the same address (kBackupWindowVa), so no line
// or TLB entry of it may outlive the copy: another domain's copy would hit them (switches
// keep the caches, address_space.hh). A copy for another domain runs between
// with_table's two cleaning table switches. For the domain on the CPU, a checkpoint only
// writes its backup window, and the ARM926's D-cache allocates on reads only, so it leaves
// no line there: it drops the TLB entry of each backup page it wrote, and the caches stay
// warm for the next switch. Only a rollback reads the backup window: it cleans the whole
// caches and the TLB (it is rare, and the guest may run restored code). The coherence
// checker, which models the read-allocate D-cache, holds every fault-tolerance test to it.
u32 copy_memory(Domain& d, Tracker& t, bool to_backup) {
    u32 copied = 0;
    const bool current = &d == domains::current();
    with_table(d, [&] {
        copied = t.plan(d.nr_pages, [&](CopyRun r) {
            for (u32 i = r.first; i < r.first + r.count; ++i) {
                u8* mem = vmm_memory::current_va(d.window.value() + i * kPageSize);
                u8* bak = vmm_memory::current_va(kBackupWindowVa + i * kPageSize);
                memcpy(to_backup ? bak : mem, to_backup ? mem : bak, kPageSize);
                if (current && to_backup) cpu::invalidate_tlb_entry(kBackupWindowVa + i * kPageSize);
            }
        });
        if (current && !to_backup) {
            cpu::flush_caches();
            cpu::flush_tlb();
            space::flushed();
        }
    });
    return copied;
}

// Reads a VMM page the guest writes uncached (domain.hh) through the VMM's cached
// DIRECTMAP alias: line fills instead of an uncached access per word. No line of that
// alias may be in the cache before the read (it could be stale) nor stay after it (it
// would be stale at the next one): both are cleaned away.
void read_through_cache(void* dst, PhysAddr pa, u32 bytes) {
    u8* src = vmm_memory::direct_map().ptr<u8>(pa);
    const u32 va = static_cast<u32>(reinterpret_cast<uintptr_t>(src));
    cpu::clean_invalidate_dcache_range(va, bytes);
    memcpy(dst, src, bytes);
    cpu::clean_invalidate_dcache_range(va, bytes);
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
    s.tracking = false;
    s.lines_logged = s.lines_replayed = s.replay_end = 0;
}

bool console_line_shown(Domain& d) {
    Slot& s = slots[d.id.value()];
    u32 h = 2166136261u;  // FNV-1a
    for (u32 i = 0; i < d.con_len; ++i) h = (h ^ static_cast<u8>(d.con_line[i])) * 16777619u;
    if (s.lines_replayed < s.replay_end) {
        if (s.line_hashes[s.lines_replayed] == h) {
            ++s.lines_replayed;
            return false;  // printed before the rollback
        }
        // The replay went another way: what it did not print again is forgotten.
        s.lines_logged = s.lines_replayed;
        s.replay_end = 0;
    }
    if (s.lines_logged < kConsoleLines) s.line_hashes[s.lines_logged++] = h;
    return true;
}

namespace {

// At a checkpoint: lines shown before it are no longer to be replayed, except those of a
// replay still in progress (shown before the rollback, not yet printed again).
void console_checkpoint(Domain& d, Slot& s) {
    const u32 pending = s.lines_replayed < s.replay_end ? s.replay_end - s.lines_replayed : 0;
    for (u32 i = 0; i < pending; ++i) s.line_hashes[i] = s.line_hashes[s.lines_replayed + i];
    s.lines_logged = s.replay_end = static_cast<u8>(pending);
    s.lines_replayed = 0;
    s.saved_con_len = static_cast<u8>(d.con_len);
    memcpy(s.saved_con_line, d.con_line, d.con_len);
}

// At a rollback: everything logged since the checkpoint is replayed.
void console_rollback(Domain& d, Slot& s) {
    s.lines_replayed = 0;
    s.replay_end = s.lines_logged;
    d.con_len = s.saved_con_len;
    memcpy(d.con_line, s.saved_con_line, d.con_len);
}

}  // namespace

bool write_fault(Domain& d, u32 far, u32 fsr) {
    Slot& s = slots[d.id.value()];
    if ((fsr & 0xFu) != 0xFu ||
        ((fsr >> 4) & 0xFu) != static_cast<u32>(mmu::tagged(mmu::Domain::guest_kernel_ro, d.tag)))
        return false;  // only a permission fault on a page of the tracked domain's MiBs
    const u32 i = clean_page(d, s, far);
    if (i == d.nr_pages) return false;
    unprotect(d, s, i);
    return true;
}

bool unprotect_for_vmm(Domain& d, u32 va, u32 len) {
    Slot& s = slots[d.id.value()];
    if (!s.tracking || len == 0) return false;
    // The part of [va, va + len) inside the domain's memory (len may be anything a guest
    // passed, even past 4 GiB).
    const u32 start = d.window.value(), bytes = d.nr_pages * kPageSize;
    const u32 last = va + len - 1 < va ? 0xFFFFFFFFu : va + len - 1;
    if (last < start || (va >= start && va - start >= bytes)) return false;
    const u32 first_page = va < start ? 0 : (va - start) / kPageSize;
    const u32 last_page = last - start >= bytes ? d.nr_pages - 1 : (last - start) / kPageSize;
    bool changed = false;
    for (u32 i = first_page; i <= last_page; ++i) {
        if (clean_page(d, s, start + i * kPageSize) != d.nr_pages) {
            unprotect(d, s, i);
            changed = true;
        }
    }
    return changed;
}

void table_changing(Domain& d) { untrack(d, slots[d.id.value()]); }

void frame_shared(Domain& owner, PhysAddr frame) {
    Slot& s = slots[owner.id.value()];
    if (!s.tracking || frame < owner.mem_base) return;
    const u32 i = (frame - owner.mem_base) / kPageSize;
    if (i >= owner.nr_pages) return;
    s.dirty.pin(i);
    (void)s.dirty.mark(i);
    set_ap(owner, i, mmu::Ap::all_rw);
    cpu::invalidate_tlb_entry(page_va(owner, i).value());
}

bool has_checkpoint(const Domain& d) {
    const Slot& s = slots[d.id.value()];
    return d.fault_tolerance == boot_image::kFtVm && s.tracker != nullptr && s.tracker->has_checkpoint();
}

u64 last_checkpoint_ns(const Domain& d) {
    return has_checkpoint(d) ? slots[d.id.value()].tracker->last_checkpoint_ns() : 0;
}

void scheduled(Domain& d, const TrapFrame& regs, bool leaving) {
    if (d.checkpoint_us == boot_image::kCheckpointManual || !usable(d)) return;  // before reading the clock
    const u64 now = timer::now_ns();
    if (tracker_of(d).checkpoint_due(now, leaving)) (void)checkpoint(d, regs, now);
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
    read_through_cache(&s.shared, d.shared_pa, sizeof s.shared);
    read_through_cache(saved_grants(d), d.grants_pa, kGrantEntries * sizeof(grant_entry_v1));
    s.vcpu.ctx = regs;
    s.vcpu.mode = d.mode;
    memcpy(s.vcpu.trap_table, d.trap_table, sizeof d.trap_table);
    s.vcpu.timer_deadline_ns = d.timer_deadline_ns;
    console_checkpoint(d, s);
    protect(d, s);
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
    console_rollback(d, s);
    // The clock goes on (the restored vcpu_info's time is the checkpoint's), and a timer the
    // checkpoint had set must fire.
    sched::update_time(d);
    sched::timer_set(d);
    if (&d == domains::current()) cpu::write_dacr(traps::dacr_for(d, d.mode));
    protect(d, s);
    t.commit_rollback();
    // Its split-driver connections are as the checkpoint left them, the backends' are not:
    // dom0 resets them, the domain reconnects.
    sched::raise_virq(d, XA_VIRQ_ROLLED_BACK);
    if (Domain* dom0 = domains::get(DomId(0)); dom0 != nullptr && dom0 != &d && dom0->alive())
        sched::raise_virq(*dom0, XA_VIRQ_DOM_ROLLBACK);
    return Err::ok;
}

}  // namespace xa::ft
