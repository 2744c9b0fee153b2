// The ARM926EJ-S main write buffer: [T926] ARM DDI 0198D, 4.2: "a 16-word data buffer and
// a four-address buffer", used for writes to noncachable bufferable and write-through
// regions and for write misses to a write-back region (the model's only case: all RAM is
// write-back, read-allocate); the MCR drain write buffer (c7, c10, 4) waits until it is
// empty; reads are not forwarded from it: a read of an address with a pending write
// drains it first. A write that finds it full stalls until an entry has gone out.
//
// Timing (UNVERIFIED, on the basis of the line-fill figure, README): an entry reaches memory
// `latency` cycles after it starts, plus `per_word` cycles a word; entries go out one after
// another. One entry per store instruction (the words of an STM in one line extend it).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>

namespace xatrace {

class WriteBuffer {
  public:
    WriteBuffer(uint32_t addresses, uint32_t words, uint32_t latency, uint32_t per_word)
        : addresses_(addresses), words_(words), latency_(latency), per_word_(per_word) {}

    bool enabled() const { return addresses_ != 0; }

    // A buffered write of one word to line (an address >> 5) at cycle now: the stall.
    uint64_t write(uint64_t now, uint32_t line) {
        uint64_t t = now;
        retire(t);
        while (!q_.empty() && (q_.size() >= addresses_ || in_ + 1 > words_)) {
            t = std::max(t, q_.front().done);
            retire(t);
        }
        const uint64_t start = std::max(t, q_.empty() ? t : q_.back().done);
        q_.push_back(Entry{start + latency_ + per_word_, line, 1});
        ++in_;
        return t - now;
    }
    // The next word of the same store (an STM within one line): the last entry grows.
    void extend() {
        if (q_.empty() || in_ >= words_) return;
        q_.back().done += per_word_;
        ++q_.back().words;
        ++in_;
    }
    // A read of line at cycle now (a line fill): waits for a pending write to it.
    uint64_t read(uint64_t now, uint32_t line) {
        retire(now);
        uint64_t t = now;
        for (const Entry& e : q_)
            if (e.line == line) t = std::max(t, e.done);
        if (t > now) retire(t);
        return t - now;
    }
    // Drain (c7, c10, 4): the cycles until it is empty.
    uint64_t drain(uint64_t now) {
        const uint64_t t = q_.empty() ? now : std::max(now, q_.back().done);
        q_.clear();
        in_ = 0;
        return t - now;
    }
    uint32_t pending_words() const { return in_; }

  private:
    struct Entry {
        uint64_t done;  // the cycle it has reached memory
        uint32_t line;
        uint32_t words;
    };
    void retire(uint64_t now) {
        while (!q_.empty() && q_.front().done <= now) {
            in_ -= q_.front().words;
            q_.pop_front();
        }
    }
    uint32_t addresses_, words_, latency_, per_word_;
    std::deque<Entry> q_;
    uint32_t in_ = 0;
};

}  // namespace xatrace
