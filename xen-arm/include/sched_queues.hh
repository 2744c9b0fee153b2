// The run queues of the scheduling policies, as plain data over domain slot numbers so the
// host tests drive them without a VMM (tests/host/test_sched_queues.cc). Every operation
// is O(1) or bounded by the domains of one priority level, never a scan of all slots: the
// pick runs on every switch and every yield.
#pragma once

#include "types.hh"

namespace xa::sched {

inline constexpr u32 kQueueSlots = 8;  // Domain::kMaxDomains (checked in sched_rr.cc / sched_fp.cc)
inline constexpr u8 kNoSlot = 0xff;

// Round-robin in slot order: a bitmap of the runnable slots and the slot chosen last. The
// next choice is the first runnable slot after the last one, wrapping around; the last one
// itself again only when nobody else can run. O(1): one rotate and a count of trailing zeros.
class RoundRobinQueue {
  public:
    void insert(u32 slot) { runnable_ |= bit(slot); }
    void remove(u32 slot) { runnable_ &= ~bit(slot); }
    bool contains(u32 slot) const { return (runnable_ & bit(slot)) != 0; }
    bool empty() const { return runnable_ == 0; }

    // The next slot to run (kNoSlot if none), remembered as the last choice.
    u32 pick() {
        if (runnable_ == 0) return kNoSlot;
        // Bits of slots last+1, last+2, ... (wrapping) at positions 0, 1, ...
        const u32 start = last_ + 1;  // 0..kQueueSlots
        const u32 doubled = runnable_ | (runnable_ << kQueueSlots);
        const u32 ahead = doubled >> start;
        last_ = (start + static_cast<u32>(__builtin_ctz(ahead))) % kQueueSlots;
        return last_;
    }

  private:
    static constexpr u32 bit(u32 slot) { return 1u << slot; }
    u32 runnable_ = 0;
    u32 last_ = kQueueSlots - 1;  // so that slot 0 comes first
};

// Fixed priority: one FIFO per priority level (0 = highest .. 255) and a two-level bitmap
// of the non-empty levels, as µC/OS-II's ready table: the pick is two counts of trailing
// zeros. The domain at the head of the highest non-empty level runs; it stays the head
// while it runs, so a domain preempted by a higher one resumes first when that one is done
// (equals rotate only when a slice is used up or given away: rotate()).
class PriorityQueues {
  public:
    static constexpr u32 kLevels = 256;

    bool contains(u32 slot) const { return queued_[slot]; }
    bool empty() const { return groups_ == 0; }

    // Appends slot at the tail of its level (no-op when already queued).
    void insert(u32 slot, u32 level) {
        if (queued_[slot]) return;
        queued_[slot] = true;
        level_[slot] = static_cast<u8>(level);
        next_[slot] = kEnd;
        if (head_[level] == kEnd) {
            head_[level] = link(slot);
            words_[level / 32] |= 1u << (level % 32);
            groups_ |= 1u << (level / 32);
        } else {
            next_[tail_[level] - 1] = link(slot);
        }
        tail_[level] = link(slot);
    }

    // Takes slot out of its level (no-op when not queued). The head, the common case (the
    // running domain blocks), is O(1); otherwise a walk over that level only.
    void remove(u32 slot) {
        if (!queued_[slot]) return;
        queued_[slot] = false;
        const u32 level = level_[slot];
        u8 prev = kEnd;
        for (u8 i = head_[level]; i != link(slot); i = next_[i - 1]) prev = i;
        if (prev == kEnd) {
            head_[level] = next_[slot];
        } else {
            next_[prev - 1] = next_[slot];
        }
        if (tail_[level] == link(slot)) tail_[level] = prev;
        if (head_[level] == kEnd) {
            words_[level / 32] &= ~(1u << (level % 32));
            if (words_[level / 32] == 0) groups_ &= ~(1u << (level / 32));
        }
    }

    // slot goes behind the others of its level (it used up or gave away its turn).
    void rotate(u32 slot) {
        if (!queued_[slot]) return;
        const u32 level = level_[slot];
        if (tail_[level] == link(slot)) return;  // alone, or already last
        remove(slot);
        insert(slot, level);
    }

    // The head of the highest non-empty level, kNoSlot if every level is empty.
    u32 pick() const {
        if (groups_ == 0) return kNoSlot;
        const u32 g = static_cast<u32>(__builtin_ctz(groups_));
        const u32 level = g * 32 + static_cast<u32>(__builtin_ctz(words_[g]));
        return head_[level] - 1u;
    }

  private:
    // Links hold slot + 1 so that 0 means "none" and an empty queue is all zeros (in .bss,
    // not 512 bytes of the VMM's image).
    static constexpr u8 kEnd = 0;
    static constexpr u8 link(u32 slot) { return static_cast<u8>(slot + 1); }

    u32 groups_ = 0;                // bit g: some level in 32g..32g+31 is non-empty
    u32 words_[kLevels / 32] = {};  // bit l % 32 of word l / 32: level l is non-empty
    u8 head_[kLevels] = {};
    u8 tail_[kLevels] = {};
    u8 next_[kQueueSlots] = {};
    u8 level_[kQueueSlots] = {};
    bool queued_[kQueueSlots] = {};
};

// A domain's turn at its timeslice, for the policies that send a domain to the back of its
// queue when it has used up its slice (or given it away): what is left of the turn, so a
// preempted domain resumes with the rest of it.
struct Turn {
    u32 slice_ns = 0;
    u32 left_ns = 0;

    void renew() { left_ns = slice_ns; }
    // ran_ns of the turn used; true when the turn is over (and renewed for the next one).
    bool use(u64 ran_ns) {
        if (ran_ns < left_ns) {
            left_ns -= static_cast<u32>(ran_ns);
            return false;
        }
        renew();
        return true;
    }
};

}  // namespace xa::sched
