// The coherence checker's bookkeeping (src/coherence.hh) with the cache and TLB models, on
// hand-made sequences: homonyms, synonyms, write-back, dirty lines dropped, TLB entries.
#include <gtest/gtest.h>

#include "../src/cache.hh"
#include "../src/coherence.hh"
#include "../src/tlb.hh"

namespace xatrace {
namespace {

// A D-cache with its shadow, as the plugin wires them.
struct Rig : CacheObserver {
    Cache dc{16384, 4, 32};
    Coherence coh{512, 512, 64, 32};
    Rig() { dc.set_observer(this); }
    void written_back(size_t slot) override { coh.dshadow.write_back(coh.mem, slot); }
    void discarded(size_t slot) override { coh.dshadow.discard(coh.mem, slot); }

    bool load(uint32_t va, uint64_t pa, Stale* s) {
        const bool filled = dc.read(va) != Access::hit;
        return coh.read(coh.dshadow, StaleKind::dcache, dc.last_slot(), filled, va, pa, s);
    }
    bool store(uint32_t va, uint64_t pa, Stale* s) {
        const bool hit = dc.write(va);
        return coh.write(hit ? static_cast<long>(dc.last_slot()) : -1, va, pa, true, s);
    }
};

TEST(Coherence, OneMappingIsCoherent) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0x1000, 0x8000, &s));
    EXPECT_FALSE(r.store(0x1004, 0x8004, &s));   // a write hit dirties the line
    EXPECT_FALSE(r.load(0x1004, 0x8004, &s));    // write-back: the line is the newest
    EXPECT_FALSE(r.store(0x9000, 0x10000, &s));  // a write miss goes to memory
    EXPECT_FALSE(r.load(0x9000, 0x10000, &s));   // and the fill reads it
}

TEST(Coherence, HomonymHitIsStale) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0xC0000000, 0x100000, &s));
    // Another address space: the same VA now maps another frame, no flush between.
    ASSERT_TRUE(r.load(0xC0000008, 0x200008, &s));
    EXPECT_EQ(s.kind, StaleKind::dcache);
    EXPECT_TRUE(s.homonym);
    EXPECT_EQ(s.va, 0xC0000008u);
    EXPECT_EQ(s.pa, 0x200008u);
    EXPECT_EQ(s.filled, 0x100000u);
    EXPECT_FALSE(r.load(0xC0000008, 0x200008, &s));  // reported once
    // Cleaned and invalidated in between: coherent.
    r.dc.clean_all();
    r.dc.invalidate_all();
    EXPECT_FALSE(r.load(0xC0000000, 0x100000, &s));
}

TEST(Coherence, SynonymWriteMakesTheOtherAliasStale) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0x40000000, 0x5000, &s));   // alias A cached
    EXPECT_FALSE(r.load(0xFF005000, 0x5000, &s));   // alias B cached (another set)
    EXPECT_FALSE(r.store(0xFF005004, 0x5004, &s));  // written through B (dirty in B)
    EXPECT_FALSE(r.load(0x40000000, 0x5000, &s));   // another word: still current
    ASSERT_TRUE(r.load(0x40000004, 0x5004, &s));    // A holds the old word
    EXPECT_FALSE(s.homonym);
    EXPECT_FALSE(s.at_fill);
}

TEST(Coherence, FillWhileAnotherAliasIsDirtyIsStaleUntilCleaned) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0xFF005000, 0x5000, &s));
    EXPECT_FALSE(r.store(0xFF005000, 0x5000, &s));  // dirty in B
    ASSERT_TRUE(r.load(0x40000000, 0x5000, &s));    // A fills from memory: old
    EXPECT_TRUE(s.at_fill);
    EXPECT_FALSE(s.homonym);
    r.dc.clean_all();  // B written back
    r.dc.invalidate_all();
    EXPECT_FALSE(r.load(0x40000000, 0x5000, &s));
}

TEST(Coherence, DirtyLineDroppedMakesMemoryTheNewest) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0x1000, 0x8000, &s));
    EXPECT_FALSE(r.store(0x1000, 0x8000, &s));
    r.dc.invalidate_all();  // the write is lost, as on the hardware
    EXPECT_FALSE(r.load(0x2000, 0x8000, &s));
}

TEST(Coherence, EvictionWritesBack) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0x0, 0x8000, &s));
    EXPECT_FALSE(r.store(0x0, 0x8000, &s));
    // Four more lines of the same set (4 ways, 128 sets of 32 bytes: 4 KiB apart) evict it.
    for (uint32_t i = 1; i <= 4; ++i) EXPECT_FALSE(r.load(i * 4096, 0x100000 + i * 4096, &s));
    EXPECT_FALSE(r.load(0x7000, 0x8000, &s));  // another alias fills the written data
}

TEST(Coherence, OnlyDirtyHalvesAreWrittenBack) {
    Rig r;
    Stale s;
    EXPECT_FALSE(r.load(0x1000, 0x8000, &s));   // alias A caches the whole line
    EXPECT_FALSE(r.store(0x1010, 0x8010, &s));  // A's second half dirty
    EXPECT_FALSE(r.store(0x9000, 0x8000, &s));  // alias B: a write miss to the first half, to memory
    r.dc.clean_all();                           // A's second half goes out, not its stale first
    r.dc.invalidate_all();
    EXPECT_FALSE(r.load(0x5000, 0x8000, &s));  // memory holds B's word
    EXPECT_FALSE(r.load(0x5010, 0x8010, &s));  // and A's
}

TEST(Coherence, TlbEntryOfAnotherFrameIsStale) {
    Tlb t(64, 2);
    Coherence c{512, 512, 64, 32};
    Stale s;
    ASSERT_EQ(t.access(0xC0001234, MapSize::small_page), 2u);
    c.tlb_fill(t.last_slot(), 0x400000);
    ASSERT_EQ(t.access(0xC0001FFC, MapSize::small_page), 0u);
    EXPECT_FALSE(c.tlb_hit(t.last_slot(), 0xC0001FFC, 0x400FFC, 0x400000, &s));
    ASSERT_TRUE(c.tlb_hit(t.last_slot(), 0xC0001000, 0x900000, 0x900000, &s));
    EXPECT_EQ(s.kind, StaleKind::tlb);
    EXPECT_EQ(s.filled, 0x400000u);
    t.invalidate_all();
    ASSERT_EQ(t.access(0xC0001000, MapSize::small_page), 2u);
    c.tlb_fill(t.last_slot(), 0x900000);
    EXPECT_FALSE(c.tlb_hit(t.last_slot(), 0xC0001000, 0x900000, 0x900000, &s));
}

TEST(Coherence, UnknownAddressIsNeverReported) {
    Coherence c{512, 512, 64, 32};
    Stale s;
    c.ishadow.forget(3);
    EXPECT_FALSE(c.read(c.ishadow, StaleKind::icache, 3, false, 0xC0000000, 0x700000, &s));
    c.tlb_fill(5, kUnknownPa);
    EXPECT_FALSE(c.tlb_hit(5, 0xC0000000, 0x700000, 0x700000, &s));
}

}  // namespace
}  // namespace xatrace
