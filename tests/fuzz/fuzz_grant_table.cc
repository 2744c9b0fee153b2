// GrantTables driven by a sequence of operations from several fake domains (the input,
// decoded op by op): maps and unmaps, granters rewriting their entries (between calls
// and during the VMM's checks), mappers' own pages, failing page-table calls,
// release_all_of and revoke_all_from. The env is a fake like the unit tests' one: real
// PageTables in fake RAM with the VMM's own host-address rule (grant_host_addr_ok).
// A shadow of the mappings that succeeded is kept, and after every operation:
//   - the fake's page-table mappings are exactly the shadow (no mapping lost or made
//     twice), mapped_by/mapped_from count them;
//   - a map used exactly the frame the entry held when the map began;
//   - GTF_reading/GTF_writing of every entry whose flags the granter left alone say
//     whether it is mapped, and mapped writable;
//   - release_all_of/revoke_all_from undo exactly the shadow's mappings of that domain.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <xen-arm/start_info.h>

#include "frame_alloc.hh"
#include "grant_table.hh"
#include "phys_window.hh"

namespace {

using namespace xa;
constexpr u32 kDoms = 4;   // domains 0..3 exist; 3 has no grant table
constexpr u32 kRefs = 16;  // refs the fuzzer uses mostly (any ref below XA_GRANT_ENTRIES is possible)
constexpr u32 kPtPhys = 0x80000000;
constexpr u32 kPtBytes = 512 * KiB;
constexpr u32 kPtFrames = kPtBytes / kPageSize;

[[noreturn]] void fail(const char* what, u32 a = 0, u32 b = 0) {
    std::fprintf(stderr, "grant_table: %s (%u, 0x%x)\n", what, a, b);
    std::abort();
}

u32 frame_base(u32 d) { return 0x01000000u * (d + 1); }

struct Mapping {
    u16 mapper;
    u32 va;
    u32 frame;
    bool readonly;
};

class Env final : public GrantEnv {
  public:
    Env()
        : ram_(static_cast<u8*>(std::aligned_alloc(16 * KiB, kPtBytes))),
          window_(PhysAddr(kPtPhys), kPtBytes, reinterpret_cast<uintptr_t>(ram_)),
          frames_(PhysAddr(kPtPhys), kPtFrames, bits_, FrameAllocator::bitmap_words(kPtFrames)) {
        std::memset(entries, 0, sizeof entries);
        for (u32 d = 0; d < kDoms; ++d) {
            tables_[d] = new PageTable(frames_.alloc(4, mmu::kL1Align).value(), window_, frames_);
            if (tables_[d]->clear() != Err::ok) fail("page table");
        }
    }
    ~Env() {
        for (auto* t : tables_) delete t;
        std::free(ram_);
    }
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;

    PageTable& table(u32 d) { return *tables_[d]; }

    bool domain_exists(DomId d) override { return d.value() < kDoms; }
    grant_entry_v1* grant_entries(DomId d) override { return d.value() < 3 ? entries[d.value()] : nullptr; }
    bool frame_is_ordinary_memory_of(PhysAddr frame, DomId d) override {
        if (hostile_during_check) {  // the granter rewrites the entry while the VMM checks
            hostile_during_check = false;
            grant_entry_v1& e = entries[hostile_granter][hostile_ref];
            e.frame = frame_base((hostile_granter + 1) % kDoms);
            e.flags = static_cast<u16>(e.flags & ~GTF_permit_access);
        }
        return frame.value() >= frame_base(d.value()) && frame.value() - frame_base(d.value()) < 1 * MiB;
    }
    bool host_addr_ok(DomId mapper, VirtAddr va, bool readonly) override {
        if (mapper.value() >= kDoms) fail("host_addr_ok for a mapper that does not exist", mapper.value());
        return grant_host_addr_ok(table(mapper.value()), va, readonly, 0);
    }
    Err map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) override {
        if (frame.value() != expected_frame)
            fail("mapped a frame other than the one checked", frame.value(), expected_frame);
        if (fail_map) return Err::nomem;
        const Err e =
            table(mapper.value())
                .map_page(va, frame, grant_map_domain(readonly), grant_map_ap(readonly), mmu::Mem::write_back);
        if (e != Err::ok) fail("map_foreign where host_addr_ok said yes", va.value());
        mappings.push_back(Mapping{mapper.value(), va.value(), frame.value(), readonly});
        return Err::ok;
    }
    Err unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) override {
        if (fail_unmap) return Err::inval;
        for (auto it = mappings.begin(); it != mappings.end(); ++it) {
            if (it->mapper == mapper.value() && it->va == va.value() && it->frame == frame.value()) {
                mappings.erase(it);
                if (table(mapper.value()).unmap_page(va) != Err::ok) fail("unmap_page");
                return Err::ok;
            }
        }
        fail("unmap_foreign of a mapping never made", mapper.value(), va.value());
    }

    grant_entry_v1 entries[3][XA_GRANT_ENTRIES];
    std::vector<Mapping> mappings;
    bool fail_map = false, fail_unmap = false;
    bool hostile_during_check = false;
    u32 hostile_granter = 0, hostile_ref = 0;
    u32 expected_frame = 0;

  private:
    u8* ram_;
    PhysWindow window_;
    u32 bits_[FrameAllocator::bitmap_words(kPtFrames)];
    FrameAllocator frames_;
    PageTable* tables_[kDoms];
};

struct Shadow {
    u16 mapper, granter;
    u32 ref, va, frame, handle;
    bool readonly;
};

// Virtual addresses in a few MiBs of the kernel region (so read-only and read-write maps
// meet in one MiB), plus the edges and anything.
u64 pick_va(FuzzedDataProvider& in) {
    const u8 b = in.ConsumeIntegral<u8>();
    if (b < 220) return 0xC0000000u + (b % 4) * MiB + in.ConsumeIntegralInRange<u32>(0, 7) * kPageSize;
    if (b < 230) return XA_GUEST_KERNEL_BASE + XA_VMM_PAGES_OFFSET - kPageSize;
    if (b < 240) return XA_GUEST_KERNEL_BASE + XA_VMM_PAGES_OFFSET;
    return in.ConsumeIntegral<u64>();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    static Env* env = nullptr;
    static GrantTables* gt = nullptr;
    if (env != nullptr) {
        delete gt;
        delete env;
    }
    env = new Env();
    gt = new GrantTables(*env);
    std::vector<Shadow> shadow;
    bool tampered[3][XA_GRANT_ENTRIES] = {};

    for (u32 steps = 0; steps < 256 && in.remaining_bytes() > 0; ++steps) {
        env->fail_map = env->fail_unmap = false;
        const u8 op = in.ConsumeIntegralInRange<u8>(0, 8);
        // The acting domain: 0..3, or 8, an id the VMM's tables do not have.
        u16 who = static_cast<u16>(in.ConsumeIntegralInRange<u32>(0, kDoms));
        if (who == kDoms) who = GrantTables::kMaxDomains;
        switch (op) {
            case 0:
            case 1: {  // map
                gnttab_map_grant_ref m{};
                const u8 dom_sel = in.ConsumeIntegral<u8>();
                m.dom = dom_sel < 250 ? static_cast<domid_t>(dom_sel % (kDoms + 1))
                                      : (dom_sel < 253 ? DOMID_SELF : in.ConsumeIntegral<u16>());
                m.ref = in.ConsumeBool() ? in.ConsumeIntegralInRange<u32>(0, kRefs - 1)
                                         : in.ConsumeIntegral<u32>() % (XA_GRANT_ENTRIES + 2);
                m.host_addr = pick_va(in);
                m.flags = in.ConsumeBool()   ? (GNTMAP_host_map | GNTMAP_readonly)
                          : in.ConsumeBool() ? GNTMAP_host_map
                                             : in.ConsumeIntegral<u32>();
                env->fail_map = in.ConsumeIntegralInRange<u8>(0, 15) == 0;
                env->hostile_during_check =
                    in.ConsumeIntegralInRange<u8>(0, 7) == 0 && m.dom < 3 && m.ref < XA_GRANT_ENTRIES;
                env->hostile_granter = m.dom;
                env->hostile_ref = m.ref;
                env->expected_frame = m.dom < 3 && m.ref < XA_GRANT_ENTRIES ? env->entries[m.dom][m.ref].frame : 0;
                if (env->hostile_during_check) tampered[m.dom][m.ref] = true;
                m.handle = 0xDEAD;
                m.dev_bus_addr = 0xBEEF;
                gt->map(DomId(who), m);
                if (m.status == GNTST_okay) {
                    if (m.handle >= GrantTables::kMaptrackPerDomain || m.dev_bus_addr != env->expected_frame)
                        fail("map: handle or bus address", m.handle, static_cast<u32>(m.dev_bus_addr));
                    for (const Shadow& s : shadow) {
                        if (s.mapper == who && s.handle == m.handle) fail("map: a handle in use given again", m.handle);
                    }
                    if (m.dom == who) fail("map of one's own grant");
                    shadow.push_back(Shadow{who, m.dom, m.ref, static_cast<u32>(m.host_addr), env->expected_frame,
                                            m.handle, (m.flags & GNTMAP_readonly) != 0});
                } else if (m.handle != 0xDEAD || m.dev_bus_addr != 0xBEEF) {
                    fail("a failed map wrote handle or bus address", static_cast<u32>(-m.status));
                }
                break;
            }
            case 2: {  // unmap: a handle of ours, or anything
                gnttab_unmap_grant_ref u{};
                std::vector<const Shadow*> mine;
                for (const Shadow& s : shadow) {
                    if (s.mapper == who) mine.push_back(&s);
                }
                if (!mine.empty() && in.ConsumeBool()) {
                    const Shadow* s = mine[in.ConsumeIntegralInRange<size_t>(0, mine.size() - 1)];
                    u.handle = s->handle;
                    u.host_addr = in.ConsumeIntegralInRange<u8>(0, 7) == 0 ? s->va + kPageSize : s->va;
                } else {
                    u.handle = in.ConsumeIntegralInRange<u32>(0, 70);
                    u.host_addr = pick_va(in);
                }
                env->fail_unmap = in.ConsumeIntegralInRange<u8>(0, 15) == 0;
                gt->unmap(DomId(who), u);
                if (u.status == GNTST_okay) {
                    bool found = false;
                    for (auto it = shadow.begin(); it != shadow.end(); ++it) {
                        if (it->mapper == who && it->handle == u.handle && it->va == u.host_addr) {
                            shadow.erase(it);
                            found = true;
                            break;
                        }
                    }
                    if (!found) fail("unmap of something not mapped succeeded", u.handle);
                }
                break;
            }
            case 3: {  // the granter (who) grants a ref to someone: flags of use left as they are
                if (who >= 3) break;
                grant_entry_v1& e = env->entries[who][in.ConsumeIntegralInRange<u32>(0, kRefs - 1)];
                const u32 owner = in.ConsumeIntegralInRange<u32>(0, 7) == 0 ? (who + 1) % kDoms : who;
                e.frame = frame_base(owner) + in.ConsumeIntegralInRange<u32>(0, 300) * kPageSize +
                          (in.ConsumeIntegralInRange<u8>(0, 15) == 0 ? 4 : 0);
                e.domid = static_cast<domid_t>(in.ConsumeIntegralInRange<u32>(0, kDoms));
                u16 f = static_cast<u16>(in.ConsumeIntegralInRange<u32>(0, 3) | (in.ConsumeBool() ? GTF_readonly : 0));
                e.flags = static_cast<u16>((e.flags & (GTF_reading | GTF_writing)) | f);
                break;
            }
            case 4: {  // the granter writes anything, the flags of use too
                if (who >= 3) break;
                const u32 ref = in.ConsumeIntegralInRange<u32>(0, kRefs - 1);
                env->entries[who][ref].flags = in.ConsumeIntegral<u16>();
                tampered[who][ref] = true;
                break;
            }
            case 5: {  // the mapper's own page (not a grant), which decides the kind of its MiB
                if (who >= kDoms) break;
                const u64 va = pick_va(in);
                if (va < 0xC0000000u || va >= XA_GUEST_KERNEL_BASE + XA_VMM_PAGES_OFFSET || va % kPageSize != 0) break;
                if (env->table(who).translate(VirtAddr(static_cast<u32>(va)))) break;
                if (!env->table(who).domain_fits(VirtAddr(static_cast<u32>(va)), mmu::Domain::guest_kernel)) break;
                if (env->table(who).map_page(VirtAddr(static_cast<u32>(va)),
                                             PhysAddr(frame_base(who) + 200 * kPageSize), mmu::Domain::guest_kernel,
                                             mmu::Ap::priv_rw, mmu::Mem::write_back) != Err::ok)
                    fail("own page");
                break;
            }
            case 6: {  // release_all_of
                u32 expected = 0;
                for (const Shadow& s : shadow) expected += s.mapper == who ? 1 : 0;
                const u32 undone = gt->release_all_of(DomId(who));
                if (undone != expected) fail("release_all_of undid another number", undone, expected);
                std::erase_if(shadow, [&](const Shadow& s) { return s.mapper == who; });
                if (gt->mapped_by(DomId(who)) != 0) fail("mappings left after release_all_of", who);
                break;
            }
            case 7: {  // revoke_all_from
                u32 expected = 0;
                for (const Shadow& s : shadow) expected += s.granter == who ? 1 : 0;
                const u32 undone = gt->revoke_all_from(DomId(who));
                if (undone != expected) fail("revoke_all_from undid another number", undone, expected);
                std::erase_if(shadow, [&](const Shadow& s) { return s.granter == who; });
                if (gt->mapped_from(DomId(who)) != 0) fail("mappings left after revoke_all_from", who);
                break;
            }
            case 8: break;
        }

        // The fake's mappings are the shadow, one for one.
        if (env->mappings.size() != shadow.size())
            fail("mappings and successful maps differ", static_cast<u32>(env->mappings.size()),
                 static_cast<u32>(shadow.size()));
        for (const Shadow& s : shadow) {
            bool found = false;
            for (const Mapping& m : env->mappings) {
                found =
                    found || (m.mapper == s.mapper && m.va == s.va && m.frame == s.frame && m.readonly == s.readonly);
            }
            if (!found) fail("a successful map has no page-table mapping", s.mapper, s.va);
            if (s.frame < frame_base(s.granter) || s.frame - frame_base(s.granter) >= MiB)
                fail("mapped a frame the granter does not own", s.frame);
        }
        for (u32 d = 0; d <= GrantTables::kMaxDomains; ++d) {
            u32 by = 0, from = 0;
            for (const Shadow& s : shadow) {
                by += s.mapper == d ? 1 : 0;
                from += s.granter == d ? 1 : 0;
            }
            if (gt->mapped_by(DomId(static_cast<u16>(d))) != by || gt->mapped_from(DomId(static_cast<u16>(d))) != from)
                fail("mapped_by/mapped_from", d);
        }
        // Flags of use, where the granter left them alone (the granters only ever write
        // refs below kRefs: the others stay invalid, so nothing maps them).
        for (u32 g = 0; g < 3; ++g) {
            for (u32 r = 0; r < kRefs; ++r) {
                bool reading = false, writing = false;
                for (const Shadow& s : shadow) {
                    if (s.granter == g && s.ref == r) {
                        reading = true;
                        writing = writing || !s.readonly;
                    }
                }
                if (!reading) {
                    if (tampered[g][r]) {
                        // Untouched from here on: the VMM cleared what it could; start afresh.
                        tampered[g][r] = false;
                        env->entries[g][r].flags &= static_cast<u16>(~(GTF_reading | GTF_writing));
                    }
                }
                if (tampered[g][r]) continue;
                const u16 f = env->entries[g][r].flags;
                if (((f & GTF_reading) != 0) != reading || ((f & GTF_writing) != 0) != writing)
                    fail("GTF_reading/GTF_writing disagree with the mappings", g, r);
            }
        }
    }
    // Everything goes: every mapper releases, nothing is left (with page tables that work:
    // a failing unmap_foreign is forgotten by design, the fake would keep its mapping).
    env->fail_map = env->fail_unmap = false;
    for (u16 d = 0; d <= GrantTables::kMaxDomains; ++d) (void)gt->release_all_of(DomId(d));
    if (!env->mappings.empty()) fail("mappings left after every release_all_of");
    for (u32 g = 0; g < 3; ++g) {
        for (u32 r = 0; r < XA_GRANT_ENTRIES; ++r) {
            if (!tampered[g][r] && (env->entries[g][r].flags & (GTF_reading | GTF_writing)) != 0)
                fail("flags of use left set", g, r);
        }
    }
    return 0;
}
