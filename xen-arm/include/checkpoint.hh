// Fault tolerance bookkeeping for one domain (docs/fault-tolerance.md): which of its frames
// changed since the last checkpoint, the runs of frames a checkpoint or a rollback copies,
// whether a checkpoint exists, when the next one is due, and when faults come too often
// for rollback to help.
//
// Pure logic: no copying, no page tables, no clock. The VMM does the copies and the write
// protection and tells this class what happened; the host tests drive it alone.
//
// The dirty unit is the 4 KiB frame: guest memory is mapped with small pages only, so a
// write fault names one frame. Frame i is the i-th frame of the domain's contiguous block
// (Domain::mem_base + i * 4 KiB), in the active copy and in the backup alike.
//
// Invariant while a checkpoint exists: every frame not in the dirty set (and not pinned)
// holds the same bytes in the active copy and in the backup. So a checkpoint copies the
// dirty frames active -> backup and a rollback copies the same frames backup -> active;
// either way the set is empty afterwards. Before the first checkpoint every frame counts
// as dirty: the backup holds nothing yet.
#pragma once

#include "boot_image.hh"
#include "layout.hh"
#include "types.hh"

namespace xa::ft {

// Where the VMM sees a fault-tolerant domain's backup: in the domain's own table, ARM domain
// vmm with a privileged-only AP (the guest runs in USR mode and cannot reach it), from
// PERDOMAIN's second MiB (the first holds the trace page, shared by every table) to
// MAPCACHE. The domain's memory is at XA_GUEST_KERNEL_BASE in the same table, so a copy
// between the two is a memcpy with that table loaded, and no frame has a second address
// in the VIVT caches.
inline constexpr u32 kBackupWindowVa = layout::kPerDomain.start + kSectionSize;
inline constexpr u32 kBackupWindowBytes = layout::kMapCache.start - kBackupWindowVa;
static_assert(kBackupWindowBytes == boot_image::kFtMemoryMaxKb * KiB, "a vm domain's memory fits the window");

// BootDomain.fault_tolerance.
enum class Mode : u8 { none = 0, vm = 1 };
static_assert(static_cast<u32>(Mode::none) == boot_image::kFtNone && static_cast<u32>(Mode::vm) == boot_image::kFtVm);

// A run of consecutive frames to copy: [first, first + count).
struct CopyRun {
    u32 first;
    u32 count;
    constexpr bool operator==(const CopyRun&) const = default;
};

// A bitmap over a domain's frames, in storage the caller supplies (no heap), one bit per
// frame, plus a second bitmap of pinned frames: frames the VMM cannot write-protect (a
// writable user mapping of them, a grant pin) and so counts as dirty at every checkpoint.
class DirtySet {
  public:
    static constexpr u32 words_for(u32 frames) { return (frames + 31) / 32; }

    constexpr DirtySet() = default;
    DirtySet(const DirtySet&) = delete;  // two owners of one storage array
    DirtySet& operator=(const DirtySet&) = delete;

    // Track `frames` frames, none dirty or pinned. dirty and pinned each need
    // words_for(frames) words. Err::inval (nothing tracked) for 0 frames, null or short
    // storage, or one array given twice.
    Err init(u32 frames, u32* dirty, u32* pinned, u32 word_count);

    u32 frames() const { return frames_; }

    // The first write to frame i since the last checkpoint: true if it was clean (the
    // VMM then lifts the page's write protection), false if already dirty or out of range.
    bool mark(u32 i);
    // Every frame dirty (the first checkpoint, the full-copy baseline).
    void mark_all();
    bool dirty(u32 i) const { return i < frames_ && test(dirty_, i); }
    // Dirty frames, pinned ones not counted twice.
    u32 count() const;
    // Forget what was dirty (after a checkpoint or rollback copied it); pins stay.
    void clear();

    void pin(u32 i);
    void unpin(u32 i);
    bool pinned(u32 i) const { return i < frames_ && test(pinned_, i); }

    // fn(CopyRun) for every maximal run of frames that are dirty or pinned, in frame
    // order, each split so that no run is longer than max_run (the VMM's copy window; 0
    // is taken as 1).
    // A word at a time: a checkpoint of a domain that wrote little walks mostly zeros.
    template <typename Fn>
    void for_each_run(u32 max_run, Fn&& fn) const {
        if (max_run == 0) max_run = 1;
        u32 i = 0;
        while (i < frames_) {
            const u32 word = needed_word(i / 32) >> (i % 32);
            if (word == 0) {
                i = (i / 32 + 1) * 32;  // nothing from here to the word's end
                continue;
            }
            i += static_cast<u32>(__builtin_ctz(word));
            if (i >= frames_) break;
            const u32 first = i;
            while (i < frames_ && copy_needed(i) && i - first < max_run) ++i;
            fn(CopyRun{first, i - first});
        }
    }

  private:
    static bool test(const u32* words, u32 i) { return (words[i / 32] >> (i % 32)) & 1u; }
    bool copy_needed(u32 i) const { return test(dirty_, i) || test(pinned_, i); }
    u32 needed_word(u32 w) const { return dirty_[w] | pinned_[w]; }

    u32 frames_ = 0;
    u32* dirty_ = nullptr;
    u32* pinned_ = nullptr;
};

// How many rollbacks a domain gets: at most `limit` within any `window_ns`. One more fault
// within the window and the VMM crashes the domain as it would without fault tolerance, so
// a fault that the checkpoint itself leads to cannot loop for ever.
inline constexpr u32 kFtFaultLimit = 3;
inline constexpr u64 kFtFaultWindowNs = 1000ull * 1000 * 1000;  // 1 s
inline constexpr u32 kFtFaultLimitMax = 8;

class FailureWindow {
  public:
    // limit 1..kFtFaultLimitMax (clamped); window_ns > 0.
    constexpr FailureWindow(u32 limit = kFtFaultLimit, u64 window_ns = kFtFaultWindowNs)
        : limit_(limit == 0                 ? 1
                 : limit > kFtFaultLimitMax ? kFtFaultLimitMax
                                            : limit),
          window_ns_(window_ns) {}

    // A fault at `now` (a monotonic clock): true if the domain may be rolled back (the fault
    // is counted), false if it has had `limit` rollbacks in the window ending now (not
    // counted: the domain is crashed).
    bool allow(u64 now);
    // Faults counted in the window ending at `now`.
    u32 recent(u64 now) const;

  private:
    u32 limit_;
    u64 window_ns_;
    u64 times_[kFtFaultLimitMax] = {};
    u32 next_ = 0;   // ring index of the oldest entry once full
    u32 count_ = 0;  // entries in the ring, <= limit_
};

// BootDomain.checkpoint_us: 0 checkpoints at every switch-out; kCheckpointManual only when
// dom0 asks; otherwise at the first scheduling decision about the domain (a switch away from
// it, or the end of its time slice) at least that long after the last checkpoint. The VMM
// checkpoints only there, where the domain's registers are all in its trap frame, so the
// period is a minimum.
class Policy {
  public:
    constexpr explicit Policy(u32 checkpoint_us = 0)
        : manual_(checkpoint_us == boot_image::kCheckpointManual),
          period_ns_(manual_ ? 0 : u64(checkpoint_us) * 1000) {}

    bool manual() const { return manual_; }
    bool on_every_switch() const { return !manual_ && period_ns_ == 0; }
    u64 period_ns() const { return period_ns_; }
    // Whether a scheduling decision at `now` takes a checkpoint (leaving: the domain leaves
    // the CPU), given the last one at `last_ns` (has_checkpoint false: none yet).
    bool due(u64 now, bool leaving, bool has_checkpoint, u64 last_ns) const {
        if (manual_) return false;
        if (period_ns_ == 0) return leaving;
        return !has_checkpoint || now - last_ns >= period_ns_;
    }

  private:
    bool manual_;
    u64 period_ns_;
};

// What list/stats show for a domain.
struct Stats {
    u32 checkpoints = 0;
    u32 rollbacks = 0;
    u32 last_copied = 0;  // frames the last checkpoint or rollback copied
    u64 frames_copied = 0;
};

// The per-domain protocol. The VMM asks for a plan (the runs), copies them, then commits:
//
//   checkpoint: runs = plan(...); copy active -> backup; commit_checkpoint(now)
//   rollback:   if (!may_roll_back(now)) crash; runs = plan(...); copy backup -> active;
//               commit_rollback()
//
// and after either, write-protects the frames it copied again (every frame the first time).
class Tracker {
  public:
    // The dirty set must be initialised. full_copy: the baseline without write tracking,
    // every frame copied every time.
    Tracker(DirtySet& dirty, Policy policy, bool full_copy, FailureWindow window = FailureWindow())
        : dirty_(&dirty), policy_(policy), window_(window), full_copy_(full_copy) {
        dirty_->mark_all();
    }

    bool has_checkpoint() const { return has_checkpoint_; }
    bool full_copy() const { return full_copy_; }
    const Stats& stats() const { return stats_; }
    const Policy& policy() const { return policy_; }
    // When the last checkpoint was committed (0 before the first).
    u64 last_checkpoint_ns() const { return last_checkpoint_ns_; }
    DirtySet& dirty() { return *dirty_; }

    bool checkpoint_due(u64 now, bool leaving) const {
        return policy_.due(now, leaving, has_checkpoint_, last_checkpoint_ns_);
    }

    // The runs to copy now (for a checkpoint or a rollback alike), at most max_run frames
    // each. In the full-copy baseline everything is marked first.
    template <typename Fn>
    u32 plan(u32 max_run, Fn&& fn) {
        if (full_copy_) dirty_->mark_all();
        u32 frames = 0;
        dirty_->for_each_run(max_run, [&](CopyRun r) {
            frames += r.count;
            fn(r);
        });
        planned_ = frames;
        return frames;
    }

    // The planned runs are in the backup.
    void commit_checkpoint(u64 now);
    // A fault at `now` the VMM would crash the domain for: whether to roll back instead (a
    // checkpoint exists and the failure window allows; the fault is then counted).
    bool may_roll_back(u64 now);
    // The planned runs are back in the active copy.
    void commit_rollback();

  private:
    DirtySet* dirty_;
    Policy policy_;
    FailureWindow window_;
    bool full_copy_;
    bool has_checkpoint_ = false;
    u64 last_checkpoint_ns_ = 0;
    u32 planned_ = 0;
    Stats stats_{};
};

// ---- definitions ---------------------------------------------------------------------------

inline Err DirtySet::init(u32 frames, u32* dirty, u32* pinned, u32 word_count) {
    if (frames == 0 || dirty == nullptr || pinned == nullptr || dirty == pinned || word_count < words_for(frames))
        return Err::inval;
    frames_ = frames;
    dirty_ = dirty;
    pinned_ = pinned;
    for (u32 w = 0; w < words_for(frames); ++w) dirty_[w] = pinned_[w] = 0;
    return Err::ok;
}

inline bool DirtySet::mark(u32 i) {
    if (i >= frames_ || test(dirty_, i)) return false;
    dirty_[i / 32] |= 1u << (i % 32);
    return true;
}

inline void DirtySet::mark_all() {
    const u32 words = words_for(frames_);
    for (u32 w = 0; w < words; ++w) dirty_[w] = ~0u;
    // Bits past the last frame stay clear, so count() needs no mask.
    if (frames_ % 32 != 0) dirty_[words - 1] = (1u << (frames_ % 32)) - 1;
}

inline u32 DirtySet::count() const {
    u32 n = 0;
    for (u32 w = 0; w < words_for(frames_); ++w) {
        // Counted by hand: the VMM links no libgcc for __builtin_popcount on ARMv5.
        for (u32 bits = dirty_[w] | pinned_[w]; bits != 0; bits &= bits - 1) ++n;
    }
    return n;
}

inline void DirtySet::clear() {
    for (u32 w = 0; w < words_for(frames_); ++w) dirty_[w] = 0;
}

inline void DirtySet::pin(u32 i) {
    if (i < frames_) pinned_[i / 32] |= 1u << (i % 32);
}

inline void DirtySet::unpin(u32 i) {
    if (i < frames_) pinned_[i / 32] &= ~(1u << (i % 32));
}

inline u32 FailureWindow::recent(u64 now) const {
    u32 n = 0;
    for (u32 k = 0; k < count_; ++k) {
        if (now - times_[k] < window_ns_) ++n;
    }
    return n;
}

inline bool FailureWindow::allow(u64 now) {
    if (recent(now) >= limit_) return false;
    // Room for one more: the ring holds the last `limit_` faults, and a full ring whose
    // oldest entry is still in the window was refused above, so that entry may go.
    if (count_ < limit_) {
        times_[count_++] = now;
    } else {
        times_[next_] = now;
        next_ = (next_ + 1) % limit_;
    }
    return true;
}

inline void Tracker::commit_checkpoint(u64 now) {
    dirty_->clear();
    has_checkpoint_ = true;
    last_checkpoint_ns_ = now;
    ++stats_.checkpoints;
    stats_.last_copied = planned_;
    stats_.frames_copied += planned_;
    planned_ = 0;
}

inline bool Tracker::may_roll_back(u64 now) { return has_checkpoint_ && window_.allow(now); }

inline void Tracker::commit_rollback() {
    dirty_->clear();
    ++stats_.rollbacks;
    stats_.last_copied = planned_;
    stats_.frames_copied += planned_;
    planned_ = 0;
}

}  // namespace xa::ft
