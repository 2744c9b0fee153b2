// An ARM926EJ-S cache: virtually indexed and tagged (by the modified virtual address,
// which is the virtual address with FCSE PID 0), set-associative, 32-byte lines.
// [T926] ARM926EJ-S TRM DDI 0198: 4-128 KB, 4-way, 8-word lines, two dirty bits a line
// (one per half-line; modelled as one), read-allocate only (a write miss goes to the write
// buffer, the line is not fetched), write-back for write-back pages, random or round-robin
// replacement (CP15 c1 RR bit). The model uses round-robin: deterministic, as QEMU runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xatrace {

enum class Access : uint8_t { hit, miss, miss_writeback };

// Told about lines leaving dirty (the coherence checker, coherence.hh): a write-back (a
// clean, or a dirty victim) and a dirty line dropped by an invalidate without a clean.
class CacheObserver {
  public:
    virtual void written_back(size_t slot) = 0;
    virtual void discarded(size_t slot) = 0;

  protected:
    ~CacheObserver() = default;
};

class Cache {
  public:
    // size and line in bytes, powers of two; ways divides size / line.
    Cache(uint32_t size, uint32_t ways, uint32_t line)
        : ways_(ways),
          line_shift_(log2(line)),
          sets_(size / line / ways),
          tags_(static_cast<size_t>(sets_) * ways, 0),
          dirty_(tags_.size(), 0),
          victim_(sets_, 0) {}

    // A read (or instruction fetch): allocates on a miss, evicting round-robin.
    Access read(uint32_t addr) {
        const uint32_t key = (addr >> line_shift_) | kValid;
        if (key == last_key_) return Access::hit;
        const uint32_t set = (addr >> line_shift_) & (sets_ - 1);
        const size_t base = static_cast<size_t>(set) * ways_;
        for (uint32_t w = 0; w < ways_; ++w) {
            if (tags_[base + w] == key) {
                remember(key, base + w);
                return Access::hit;
            }
        }
        ++generation_;
        const size_t slot = base + victim_[set];
        victim_[set] = static_cast<uint8_t>((victim_[set] + 1) % ways_);
        const bool writeback = tags_[slot] != 0 && dirty_[slot] != 0;
        if (writeback && observer_ != nullptr) observer_->written_back(slot);
        tags_[slot] = key;
        dirty_[slot] = 0;
        remember(key, slot);
        if (writeback) ++writebacks_;
        return writeback ? Access::miss_writeback : Access::miss;
    }

    // A write: a hit dirties the line; a miss does not allocate. Returns whether it hit.
    bool write(uint32_t addr) {
        const uint32_t key = (addr >> line_shift_) | kValid;
        if (key == last_key_) {
            dirty_[last_slot_] = 1;
            return true;
        }
        const size_t base = static_cast<size_t>((addr >> line_shift_) & (sets_ - 1)) * ways_;
        for (uint32_t w = 0; w < ways_; ++w) {
            if (tags_[base + w] == key) {
                dirty_[base + w] = 1;
                remember(key, base + w);
                return true;
            }
        }
        return false;
    }

    uint32_t dirty_lines() const {
        uint32_t n = 0;
        for (size_t i = 0; i < tags_.size(); ++i) n += (tags_[i] != 0 && dirty_[i] != 0) ? 1 : 0;
        return n;
    }
    // Writes every dirty line back (they stay valid); returns how many.
    uint32_t clean_all() {
        const uint32_t n = dirty_lines();
        if (observer_ != nullptr)
            for (size_t i = 0; i < tags_.size(); ++i)
                if (tags_[i] != 0 && dirty_[i] != 0) observer_->written_back(i);
        for (auto& d : dirty_) d = 0;
        writebacks_ += n;
        return n;
    }
    // Drops every line without writing anything back.
    void invalidate_all() {
        ++generation_;
        if (observer_ != nullptr)
            for (size_t i = 0; i < tags_.size(); ++i)
                if (tags_[i] != 0 && dirty_[i] != 0) observer_->discarded(i);
        for (auto& t : tags_) t = 0;
        for (auto& d : dirty_) d = 0;
        last_key_ = 0;
    }
    bool contains(uint32_t addr) const {
        const uint32_t key = (addr >> line_shift_) | kValid;
        const size_t base = static_cast<size_t>((addr >> line_shift_) & (sets_ - 1)) * ways_;
        for (uint32_t w = 0; w < ways_; ++w)
            if (tags_[base + w] == key) return true;
        return false;
    }
    uint64_t writebacks() const { return writebacks_; }
    // The slot of the last hit or fill (read) or write hit.
    size_t last_slot() const { return last_slot_; }
    size_t slots() const { return tags_.size(); }
    void set_observer(CacheObserver* o) { observer_ = o; }
    // Changes whenever a line may have left the cache (a fill's eviction, an invalidation):
    // a set of lines found present stays present while it is unchanged.
    uint64_t generation() const { return generation_; }
    uint32_t sets() const { return sets_; }
    uint32_t line_bytes() const { return 1u << line_shift_; }

  private:
    static constexpr uint32_t kValid = 0x80000000u;  // addr >> 5 needs 27 bits
    static uint32_t log2(uint32_t v) {
        uint32_t n = 0;
        while ((1u << n) < v) ++n;
        return n;
    }
    void remember(uint32_t key, size_t slot) {
        last_key_ = key;
        last_slot_ = slot;
    }

    uint32_t ways_;
    uint32_t line_shift_;
    uint32_t sets_;
    std::vector<uint32_t> tags_;  // line number | kValid, or 0 for an invalid way
    std::vector<uint8_t> dirty_;
    std::vector<uint8_t> victim_;  // round-robin pointer per set
    uint32_t last_key_ = 0;        // the line of the last hit or fill (a one-entry memo)
    size_t last_slot_ = 0;
    uint64_t writebacks_ = 0;
    uint64_t generation_ = 0;
    CacheObserver* observer_ = nullptr;
};

}  // namespace xatrace
