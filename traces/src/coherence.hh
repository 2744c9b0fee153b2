// The coherence checker: what the ARM926EJ-S's VIVT caches and its TLB would return,
// compared with what QEMU (which has neither) really accesses.
//
// Memory is tracked per physical word with two version numbers: `latest`, the version of
// the newest write to the word (through any alias, or to memory), and `mem`, the version
// main memory holds. Each cache line remembers the physical line it was filled for and,
// per word, the version it holds (memory's at the fill, then its own writes). Then:
// - a read (or fetch) that hits a line filled for another physical line than the access
//   goes to is stale (a homonym: the same virtual address, another mapping);
// - a read of a word whose line holds an older version than `latest` is stale: another
//   alias wrote the word since the fill (a synonym), or the fill read memory while a dirty
//   line elsewhere held newer data (write-back semantics: a write through this very line
//   keeps it current);
// - a TLB entry remembers the physical address it was filled for; a hit translating to
//   another one is stale.
// A dirty line written back (cleaned or evicted) sets memory's versions to those of its
// dirty halves ([T926]: two dirty bits a line, one per half; a clean half is not written);
// a dirty line dropped without a clean makes memory the newest again (its writes are lost).
// Stores and loads narrower than a word count as the whole word.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace xatrace {

enum class StaleKind : uint8_t { icache, dcache, tlb };

constexpr uint64_t kUnknownPa = ~0ull;  // a line or entry filled without a known address

struct Stale {
    StaleKind kind;
    bool homonym;  // the line or entry was filled for another physical address
    bool at_fill;  // a fill that read memory older than a dirty line elsewhere
    uint32_t va;
    uint64_t pa;      // where the access really goes
    uint64_t filled;  // the physical address (of the line or page) the line or entry holds
};

// Per physical word: the newest version and memory's, in pages allocated on first write.
class PhysVersions {
  public:
    PhysVersions() : pages_(kPages) {}
    uint32_t latest(uint64_t pa) const {
        const Page* p = page(pa);
        return p == nullptr ? 0 : p->latest[word(pa)];
    }
    uint32_t mem(uint64_t pa) const {
        const Page* p = page(pa);
        return p == nullptr ? 0 : p->mem[word(pa)];
    }
    void set(uint64_t pa, uint32_t latest, uint32_t mem) {
        Page& p = touch(pa);
        p.latest[word(pa)] = latest;
        p.mem[word(pa)] = mem;
    }
    void set_latest(uint64_t pa, uint32_t v) { touch(pa).latest[word(pa)] = v; }
    void set_mem(uint64_t pa, uint32_t v) { touch(pa).mem[word(pa)] = v; }

  private:
    static constexpr size_t kPages = size_t{1} << 20;  // 4 GiB of 4 KiB pages
    struct Page {
        uint32_t latest[1024] = {};
        uint32_t mem[1024] = {};
    };
    static uint32_t word(uint64_t pa) { return static_cast<uint32_t>(pa >> 2) & 1023u; }
    const Page* page(uint64_t pa) const {
        const size_t n = static_cast<size_t>(pa >> 12);
        return n < kPages ? pages_[n].get() : nullptr;
    }
    Page& touch(uint64_t pa) {
        auto& p = pages_[static_cast<size_t>(pa >> 12) & (kPages - 1)];
        if (!p) p = std::make_unique<Page>();
        return *p;
    }
    std::vector<std::unique_ptr<Page>> pages_;
};

// The shadow of one cache (I or D): per slot, the physical line and its words' versions.
class CacheShadow {
  public:
    CacheShadow(size_t slots, uint32_t line_bytes)
        : words_(line_bytes / 4), line_bytes_(line_bytes), pa_(slots, 0), ver_(slots * words_, 0), dirty_(slots, 0) {}

    // A fill of slot for the physical line of pa: memory's versions.
    void fill(const PhysVersions& m, size_t slot, uint64_t pa) {
        const uint64_t base = pa & ~static_cast<uint64_t>(line_bytes_ - 1);
        pa_[slot] = base;
        dirty_[slot] = 0;
        for (uint32_t w = 0; w < words_; ++w) ver_[slot * words_ + w] = m.mem(base + 4 * w);
    }
    uint64_t line_pa(size_t slot) const { return pa_[slot]; }
    // Filled from an unknown physical address: its next use is taken as a fill.
    void forget(size_t slot) { pa_[slot] = kUnknownPa; }
    uint32_t& ver(size_t slot, uint64_t pa) { return ver_[slot * words_ + ((pa & (line_bytes_ - 1)) >> 2)]; }
    // A write through the line: the half of pa is dirty.
    void dirty(size_t slot, uint64_t pa) { dirty_[slot] |= half(pa & (line_bytes_ - 1)); }
    // A dirty line written back: memory holds the words of its dirty halves now.
    void write_back(PhysVersions& m, size_t slot) {
        for (uint32_t w = 0; w < words_; ++w)
            if ((dirty_[slot] & half(4 * w)) != 0) m.set_mem(pa_[slot] + 4 * w, ver_[slot * words_ + w]);
        dirty_[slot] = 0;
    }
    // A dirty line dropped: the words it held newest are lost; memory's are the newest again.
    void discard(PhysVersions& m, size_t slot) const {
        for (uint32_t w = 0; w < words_; ++w) {
            const uint64_t a = pa_[slot] + 4 * w;
            if (ver_[slot * words_ + w] == m.latest(a) && m.mem(a) != m.latest(a)) m.set_latest(a, m.mem(a));
        }
    }

  private:
    uint32_t words_, line_bytes_;
    std::vector<uint64_t> pa_;
    std::vector<uint32_t> ver_;
    std::vector<uint8_t> dirty_;  // per slot: bit 0 the first half-line, bit 1 the second
    uint8_t half(uint32_t offset) const { return offset < line_bytes_ / 2 ? 1 : 2; }
};

// Version bookkeeping of reads and writes against the shadows; returns what was stale.
class Coherence {
  public:
    Coherence(size_t islots, size_t dslots, size_t tlb_slots, uint32_t line_bytes)
        : ishadow(islots, line_bytes), dshadow(dslots, line_bytes), tlb_pa_(tlb_slots, 0), line_bytes_(line_bytes) {}

    PhysVersions mem;
    CacheShadow ishadow, dshadow;

    // A read of the word at pa through slot; filled: the read missed and filled the slot.
    // Returns whether it was stale; *out says how.
    bool read(CacheShadow& sh, StaleKind kind, size_t slot, bool filled, uint32_t va, uint64_t pa, Stale* out) {
        const uint64_t line_mask = ~static_cast<uint64_t>(line_bytes() - 1);
        bool homonym = false;
        uint64_t was = sh.line_pa(slot);
        if (filled || was == kUnknownPa) {
            sh.fill(mem, slot, pa);
        } else if (was != (pa & line_mask)) {
            homonym = true;
            sh.fill(mem, slot, pa);  // report once: the shadow follows what QEMU reads
        }
        uint32_t& v = sh.ver(slot, pa);
        const uint32_t newest = mem.latest(pa);
        if (!homonym && v == newest) return false;
        *out = Stale{kind, homonym, filled, va, pa, homonym ? was : (pa & line_mask)};
        v = newest;
        return true;
    }

    // A data write of the word at pa: through slot (a write hit), or slot < 0 (a miss: the
    // write buffer takes it to memory). full: the whole word is written.
    bool write(long slot, uint32_t va, uint64_t pa, bool full, Stale* out) {
        const uint32_t v = ++seq_;
        bool stale = false;
        if (slot < 0) {
            const bool was_current = mem.mem(pa) == mem.latest(pa);
            mem.set(pa, v, (full || was_current) ? v : mem.mem(pa));
            return false;
        }
        const size_t s = static_cast<size_t>(slot);
        const uint64_t line_mask = ~static_cast<uint64_t>(line_bytes() - 1);
        if (dshadow.line_pa(s) == kUnknownPa) {
            dshadow.fill(mem, s, pa);
        } else if (dshadow.line_pa(s) != (pa & line_mask)) {
            // Written into a line of another physical address: the data would land there.
            *out = Stale{StaleKind::dcache, true, false, va, pa, dshadow.line_pa(s)};
            stale = true;
            dshadow.fill(mem, s, pa);
        }
        uint32_t& lv = dshadow.ver(s, pa);
        const bool was_current = lv == mem.latest(pa);
        dshadow.dirty(s, pa);
        mem.set_latest(pa, v);
        if (full || was_current) lv = v;
        return stale;
    }

    // The TLB: an entry filled (slot) for the page or section starting at va_base,
    // translated to pa_base; a hit checks that the access still goes there.
    void tlb_fill(size_t slot, uint64_t pa_base) { tlb_pa_[slot] = pa_base; }
    bool tlb_hit(size_t slot, uint32_t va, uint64_t pa, uint64_t pa_base, Stale* out) {
        if (tlb_pa_[slot] == pa_base) return false;
        if (tlb_pa_[slot] == kUnknownPa) {
            tlb_pa_[slot] = pa_base;
            return false;
        }
        *out = Stale{StaleKind::tlb, true, false, va, pa, tlb_pa_[slot] + (pa - pa_base)};
        tlb_pa_[slot] = pa_base;
        return true;
    }

    uint32_t line_bytes() const { return line_bytes_; }

  private:
    std::vector<uint64_t> tlb_pa_;
    uint32_t seq_ = 0;
    uint32_t line_bytes_ = 32;
};

}  // namespace xatrace
