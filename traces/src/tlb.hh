// The ARM926EJ-S main TLB: [T926] ARM926EJ-S TRM DDI 0198: one
// TLB for instruction and data accesses, 64 entries (2-way set-associative, 32 entries a
// way), plus 8 fully associative lockdown entries (CP15 c10), which xen-arm and mini-OS
// never lock, so the model has none. Entries are not tagged with an address-space id: a
// new TTBR needs an explicit flush (CP15 c8), which the program issues.
//
// Modelled: the set-associative main TLB, one entry per section (1 MiB) or small page
// (4 KiB); the set is the entry's own number (MVA >> 20 or MVA >> 12) modulo the sets
// (UNVERIFIED: the TRM does not say how the set is chosen for mixed sizes). Replacement:
// round-robin per set (the TRM allows round-robin or pseudo-random; round-robin repeats,
// as QEMU runs do). A miss walks the translation table: one first-level descriptor fetch
// for a section, first + second level for a small page; the caller prices the walk.
#pragma once

#include <cstdint>
#include <vector>

namespace xatrace {

enum class MapSize : uint8_t { section, small_page };

class Tlb {
  public:
    // entries and ways: ways divides entries, entries / ways a power of two.
    Tlb(uint32_t entries, uint32_t ways) : ways_(ways), sets_(entries / ways), keys_(entries, 0), victim_(sets_, 0) {}

    // Looks va up (an instruction fetch or a data access); on a miss, fills an entry
    // (round-robin victim) and returns the descriptor fetches of the walk (1 or 2).
    // Returns 0 on a hit.
    uint32_t access(uint32_t va, MapSize size) {
        const uint32_t key = key_of(va, size);
        const size_t base = static_cast<size_t>(key & (sets_ - 1)) * ways_;
        for (uint32_t w = 0; w < ways_; ++w) {
            if (keys_[base + w] == key) {
                last_slot_ = base + w;
                return 0;
            }
        }
        const uint32_t set = key & (sets_ - 1);
        const size_t slot = base + victim_[set];
        last_slot_ = slot;
        victim_[set] = static_cast<uint8_t>((victim_[set] + 1) % ways_);
        if (keys_[slot] != 0) ++generation_;  // an entry leaves
        keys_[slot] = key;
        ++misses_;
        return walk_levels(size);
    }

    // CP15 c8, c7, 0 (and the I/D variants c5, 0 / c6, 0: one unified TLB): every entry.
    void invalidate_all() {
        ++generation_;
        for (auto& k : keys_) k = 0;
    }
    // CP15 c8, c7, 1 (and c5, 1 / c6, 1): the entry that translates va, whatever its size.
    void invalidate(uint32_t va) {
        for (MapSize s : {MapSize::section, MapSize::small_page}) {
            const uint32_t key = key_of(va, s);
            const size_t base = static_cast<size_t>(key & (sets_ - 1)) * ways_;
            for (uint32_t w = 0; w < ways_; ++w) {
                if (keys_[base + w] == key) {
                    keys_[base + w] = 0;
                    ++generation_;
                }
            }
        }
    }
    bool contains(uint32_t va, MapSize size) const {
        const uint32_t key = key_of(va, size);
        const size_t base = static_cast<size_t>(key & (sets_ - 1)) * ways_;
        for (uint32_t w = 0; w < ways_; ++w)
            if (keys_[base + w] == key) return true;
        return false;
    }

    static uint32_t walk_levels(MapSize size) { return size == MapSize::section ? 1 : 2; }
    uint64_t misses() const { return misses_; }
    // The entry of the last access (hit or fill).
    size_t last_slot() const { return last_slot_; }
    uint32_t sets() const { return sets_; }
    uint32_t entries() const { return static_cast<uint32_t>(keys_.size()); }
    // Changes whenever an entry may have left the TLB (an eviction, an invalidation): a
    // translation found present stays present while it is unchanged.
    uint64_t generation() const { return generation_; }
    // Makes callers look up again (their memos assumed a mapping size that changed).
    void forget_memos() { ++generation_; }

  private:
    // Section n: n | kSection (n < 4096); page n: n | kPage (n < 2^20); 0 = an empty entry.
    static constexpr uint32_t kSection = 0x40000000u, kPage = 0x80000000u;
    static uint32_t key_of(uint32_t va, MapSize size) {
        return size == MapSize::section ? (va >> 20) | kSection : (va >> 12) | kPage;
    }

    uint32_t ways_;
    uint32_t sets_;
    std::vector<uint32_t> keys_;   // per slot: the entry's key, or 0
    std::vector<uint8_t> victim_;  // round-robin pointer per set
    uint64_t misses_ = 0;
    uint64_t generation_ = 0;
    size_t last_slot_ = 0;
};

}  // namespace xatrace
