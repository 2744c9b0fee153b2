// GrantTables against a fake GrantEnv: every GNTST_* status of map and unmap, the
// GTF_reading/GTF_writing bookkeeping, read-only maps, release_all_of, revoke_all_from, and
// granters that rewrite their entries between and during calls. The fake gives each mapper
// a real PageTable (in fake RAM) and applies the VMM's own host_addr rule
// (grant_host_addr_ok), so the per-MiB read-only rule is tested as the VMM applies it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "grant_table.hh"

namespace xa {
namespace {

constexpr DomId kD0(0);
constexpr DomId kD1(1);
constexpr DomId kD2(2);
constexpr u16 kInUse = GTF_reading | GTF_writing;
constexpr u32 kReadOnlyMap = GNTMAP_host_map | GNTMAP_readonly;

// Domain d (0..3 exist) owns the ordinary frames [frame_base(d), frame_base(d) + 1 MiB);
// its kernel region for grant maps is [0xC0000000, 0xFBF00000).
u32 frame_base(u32 d) { return 0x01000000u * (d + 1); }
u32 frame_of(u32 d, u32 i) { return frame_base(d) + i * kPageSize; }

struct Mapping {
    u16 mapper;
    u32 va;
    u32 frame;
    bool readonly = false;
    bool operator==(const Mapping&) const = default;
};

// Fake RAM for the mappers' page tables: 8 L1 tables and their coarse tables.
constexpr u32 kPtPhysBase = 0x80000000;
constexpr u32 kPtMemSize = 512 * KiB;
constexpr u32 kPtFrames = kPtMemSize / kPageSize;

class FakeEnv final : public GrantEnv {
  public:
    FakeEnv()
        : ram_(static_cast<u8*>(std::aligned_alloc(16 * KiB, kPtMemSize))),
          window_(PhysAddr(kPtPhysBase), kPtMemSize, reinterpret_cast<uintptr_t>(ram_)),
          frames_(PhysAddr(kPtPhysBase), kPtFrames, bits_, FrameAllocator::bitmap_words(kPtFrames)) {
        std::memset(ram_, 0xA5, kPtMemSize);
        std::memset(entries_, 0, sizeof entries_);
        for (u32 d = 0; d < 4; ++d) exists_[d] = true;
        has_table_[0] = has_table_[1] = has_table_[2] = true;  // dom3 exists but has no table
        for (auto& t : tables_) {
            t = std::make_unique<PageTable>(frames_.alloc(4, mmu::kL1Align).value(), window_, frames_);
            EXPECT_EQ(t->clear(), Err::ok);
        }
    }
    ~FakeEnv() {
        for (auto& t : tables_) t.reset();
        std::free(ram_);
    }
    FakeEnv(const FakeEnv&) = delete;
    FakeEnv& operator=(const FakeEnv&) = delete;

    PageTable& table(DomId d) { return *tables_[d.value()]; }
    // The mapper's own kernel page (not a grant map), as a guest's mmu_update makes it.
    Err own_page(DomId d, u32 va) {
        return table(d).map_page(VirtAddr(va), PhysAddr(frame_of(d.value(), 200)), mmu::Domain::guest_kernel,
                                 mmu::Ap::priv_rw, mmu::Mem::write_back);
    }

    bool domain_exists(DomId d) override { return d.value() < 8 && exists_[d.value()]; }
    grant_entry_v1* grant_entries(DomId d) override {
        return d.value() < 8 && has_table_[d.value()] ? entries_[d.value()] : nullptr;
    }
    bool frame_is_ordinary_memory_of(PhysAddr frame, DomId d) override {
        if (during_check) during_check();  // a granter acting while the VMM checks
        return frame.value() >= frame_base(d.value()) && frame.value() - frame_base(d.value()) < 1 * MiB;
    }
    bool host_addr_ok(DomId mapper, VirtAddr va, bool readonly) override {
        EXPECT_LT(mapper.value(), 8);
        return grant_host_addr_ok(table(mapper), va, readonly, 0);
    }
    Err map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) override {
        if (fail_map) return fail_map_with;
        const Err e =
            table(mapper).map_page(va, frame, grant_map_domain(readonly), grant_map_ap(readonly), mmu::Mem::write_back);
        EXPECT_EQ(e, Err::ok) << "map_foreign where host_addr_ok said yes";
        if (e != Err::ok) return e;
        mappings.push_back(Mapping{mapper.value(), va.value(), frame.value(), readonly});
        return Err::ok;
    }
    Err unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) override {
        ++unmap_calls;
        if (fail_unmap) return Err::inval;
        for (auto it = mappings.begin(); it != mappings.end(); ++it) {
            if (it->mapper == mapper.value() && it->va == va.value() && it->frame == frame.value()) {
                mappings.erase(it);
                EXPECT_EQ(table(mapper).unmap_page(va), Err::ok);
                return Err::ok;
            }
        }
        ADD_FAILURE() << "unmap_foreign of a mapping that was never made";
        return Err::noent;
    }

    grant_entry_v1 entries_[8][XA_GRANT_ENTRIES];
    bool exists_[8] = {};
    bool has_table_[8] = {};
    std::vector<Mapping> mappings;
    std::function<void()> during_check;
    bool fail_map = false;
    Err fail_map_with = Err::fault;
    bool fail_unmap = false;
    u32 unmap_calls = 0;

  private:
    u8* ram_;
    PhysWindow window_;
    u32 bits_[FrameAllocator::bitmap_words(kPtFrames)];
    FrameAllocator frames_;
    std::unique_ptr<PageTable> tables_[8];
};

class GrantTest : public ::testing::Test {
  protected:
    // granter grants `ref` (its frame index `i`) to `to`.
    void grant(DomId granter, u32 ref, DomId to, u32 i, u16 extra_flags = 0) {
        grant_entry_v1& e = env_.entries_[granter.value()][ref];
        e.frame = frame_of(granter.value(), i);
        e.domid = to.value();
        e.flags = static_cast<u16>(GTF_permit_access | extra_flags);
    }
    u16 flags(DomId granter, u32 ref) const { return env_.entries_[granter.value()][ref].flags; }

    gnttab_map_grant_ref map_op(DomId granter, u32 ref, u32 va, u32 map_flags = GNTMAP_host_map) {
        gnttab_map_grant_ref op{};
        op.host_addr = va;
        op.flags = map_flags;
        op.ref = ref;
        op.dom = granter.value();
        op.status = 0x5555;
        op.handle = 0xDEAD;
        op.dev_bus_addr = 0xBEEF;
        return op;
    }
    int map(DomId mapper, gnttab_map_grant_ref& op) {
        gt_.map(mapper, op);
        return op.status;
    }
    // Maps and expects success; returns the handle.
    u32 map_ok(DomId mapper, DomId granter, u32 ref, u32 va, u32 map_flags = GNTMAP_host_map) {
        gnttab_map_grant_ref op = map_op(granter, ref, va, map_flags);
        gt_.map(mapper, op);
        EXPECT_EQ(op.status, GNTST_okay);
        return op.handle;
    }
    u32 map_ro_ok(DomId mapper, DomId granter, u32 ref, u32 va) {
        return map_ok(mapper, granter, ref, va, kReadOnlyMap);
    }
    int unmap(DomId mapper, u32 handle, u64 va) {
        gnttab_unmap_grant_ref op{};
        op.host_addr = va;
        op.handle = handle;
        op.status = 0x5555;
        gt_.unmap(mapper, op);
        return op.status;
    }
    // A failed map: the given status, OUT fields untouched, nothing mapped or flagged.
    void expect_map_fails(DomId mapper, gnttab_map_grant_ref op, int status) {
        const std::vector<Mapping> before = env_.mappings;
        grant_entry_v1 entries_before[8][XA_GRANT_ENTRIES];
        std::memcpy(entries_before, env_.entries_, sizeof entries_before);
        const u32 by = gt_.mapped_by(mapper);
        gt_.map(mapper, op);
        EXPECT_EQ(op.status, status);
        EXPECT_EQ(op.handle, 0xDEADu);
        EXPECT_EQ(op.dev_bus_addr, 0xBEEFu);
        EXPECT_EQ(env_.mappings, before);
        EXPECT_EQ(std::memcmp(entries_before, env_.entries_, sizeof entries_before), 0);
        EXPECT_EQ(gt_.mapped_by(mapper), by);
    }

    FakeEnv env_;
    GrantTables gt_{env_};
};

// ---- map ----------------------------------------------------------------------------------

TEST_F(GrantTest, MapSucceeds) {
    grant(kD0, 5, kD1, 3);
    gnttab_map_grant_ref op = map_op(kD0, 5, 0xC0100000);
    EXPECT_EQ(map(kD1, op), GNTST_okay);
    EXPECT_EQ(op.handle, 0u);
    EXPECT_EQ(op.dev_bus_addr, frame_of(0, 3));
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse);
    ASSERT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(env_.mappings[0], (Mapping{1, 0xC0100000, frame_of(0, 3)}));
    EXPECT_EQ(gt_.mapped_by(kD1), 1u);
    EXPECT_EQ(gt_.mapped_from(kD0), 1u);
    EXPECT_EQ(gt_.mapped_by(kD0), 0u);
    EXPECT_EQ(gt_.mapped_from(kD1), 0u);
}

TEST_F(GrantTest, MapsAtIsTheMappersOwnGrantMapsOnly) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_TRUE(gt_.maps_at(kD1, VirtAddr(0xC0100000)));
    EXPECT_TRUE(gt_.maps_at(kD1, VirtAddr(0xC0100FFF)));  // any address in the page
    EXPECT_FALSE(gt_.maps_at(kD1, VirtAddr(0xC0101000)));
    EXPECT_FALSE(gt_.maps_at(kD0, VirtAddr(0xC0100000)));  // the granter maps nothing there
    EXPECT_FALSE(gt_.maps_at(DomId(9), VirtAddr(0xC0100000)));
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);
    EXPECT_FALSE(gt_.maps_at(kD1, VirtAddr(0xC0100000)));
}

TEST_F(GrantTest, HandlesAreMaptrackSlots) {
    grant(kD0, 2, kD1, 0);
    grant(kD0, 3, kD1, 1);
    grant(kD2, 2, kD1, 0);
    EXPECT_EQ(map_ok(kD1, kD0, 2, 0xC0000000), 0u);
    EXPECT_EQ(map_ok(kD1, kD0, 3, 0xC0001000), 1u);
    EXPECT_EQ(map_ok(kD1, kD2, 2, 0xC0002000), 2u);
    EXPECT_EQ(unmap(kD1, 0, 0xC0000000), GNTST_okay);
    EXPECT_EQ(map_ok(kD1, kD0, 2, 0xC0003000), 0u) << "the lowest free slot is reused";
    // Handles are per mapper.
    grant(kD0, 7, kD2, 4);
    EXPECT_EQ(map_ok(kD2, kD0, 7, 0xC0000000), 0u);
}

TEST_F(GrantTest, FlagsMustBeHostMapOptionallyReadOnly) {
    grant(kD0, 5, kD1, 3);
    for (u32 f : {0u, GNTMAP_device_map, GNTMAP_readonly, GNTMAP_host_map | GNTMAP_device_map,
                  GNTMAP_host_map | GNTMAP_application_map, GNTMAP_host_map | GNTMAP_contains_pte,
                  GNTMAP_host_map | 0x100u, kReadOnlyMap | GNTMAP_device_map, kReadOnlyMap | GNTMAP_application_map,
                  kReadOnlyMap | GNTMAP_contains_pte, kReadOnlyMap | 0x80000000u}) {
        SCOPED_TRACE(f);
        expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000, f), GNTST_general_error);
    }
    EXPECT_EQ(map_ok(kD1, kD0, 5, 0xC0100000, GNTMAP_host_map), 0u);
    EXPECT_EQ(map_ok(kD1, kD0, 5, 0xC0200000, kReadOnlyMap), 1u);
}

TEST_F(GrantTest, BadDomain) {
    grant(kD1, 5, kD1, 3);
    expect_map_fails(kD1, map_op(kD1, 5, 0xC0100000), GNTST_bad_domain);  // own grant
    expect_map_fails(kD1, map_op(DomId(DOMID_SELF), 5, 0xC0100000), GNTST_bad_domain);
    expect_map_fails(kD1, map_op(DomId(4), 5, 0xC0100000), GNTST_bad_domain);  // does not exist
    expect_map_fails(kD1, map_op(DomId(8), 5, 0xC0100000), GNTST_bad_domain);  // beyond the table
    expect_map_fails(kD1, map_op(DomId(0xFFFF), 5, 0xC0100000), GNTST_bad_domain);
    expect_map_fails(kD1, map_op(DomId(3), 5, 0xC0100000), GNTST_bad_domain);  // exists, no grant table
}

TEST_F(GrantTest, BadGntref) {
    grant(kD0, XA_GRANT_ENTRIES - 1, kD1, 0);
    expect_map_fails(kD1, map_op(kD0, XA_GRANT_ENTRIES, 0xC0100000), GNTST_bad_gntref);
    expect_map_fails(kD1, map_op(kD0, 0xFFFFFFFF, 0xC0100000), GNTST_bad_gntref);
    EXPECT_EQ(map_ok(kD1, kD0, XA_GRANT_ENTRIES - 1, 0xC0100000), 0u);
}

TEST_F(GrantTest, BadVirtAddr) {
    grant(kD0, 5, kD1, 3);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100800), GNTST_bad_virt_addr);  // not page aligned
    expect_map_fails(kD1, map_op(kD0, 5, 0x40000000), GNTST_bad_virt_addr);  // user region
    expect_map_fails(kD1, map_op(kD0, 5, 0xFBF00000), GNTST_bad_virt_addr);  // VMM-provided MiB
    expect_map_fails(kD1, map_op(kD0, 5, 0xFF000000), GNTST_bad_virt_addr);  // the VMM
    gnttab_map_grant_ref high = map_op(kD0, 5, 0xC0100000);
    high.host_addr |= u64(1) << 32;  // must not be truncated into a valid address
    expect_map_fails(kD1, high, GNTST_bad_virt_addr);
    // Already mapped in the mapper.
    grant(kD0, 6, kD1, 4);
    map_ok(kD1, kD0, 6, 0xC0100000);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_bad_virt_addr);
}

TEST_F(GrantTest, PermissionDenied) {
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_permission_denied);  // GTF_invalid
    grant(kD0, 5, kD2, 3);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_permission_denied);  // granted to dom2
    grant(kD0, 6, kD1, 3, GTF_readonly);
    expect_map_fails(kD1, map_op(kD0, 6, 0xC0100000), GNTST_permission_denied);  // RW map of RO grant
    grant(kD0, 7, kD1, 3);
    env_.entries_[0][7].flags = GTF_accept_transfer;
    expect_map_fails(kD1, map_op(kD0, 7, 0xC0100000), GNTST_permission_denied);
    env_.entries_[0][7].flags = GTF_type_mask;
    expect_map_fails(kD1, map_op(kD0, 7, 0xC0100000), GNTST_permission_denied);
    // The in-use bits a granter might set itself do not grant anything either.
    env_.entries_[0][7].flags = kInUse;
    expect_map_fails(kD1, map_op(kD0, 7, 0xC0100000), GNTST_permission_denied);
}

TEST_F(GrantTest, BadPage) {
    grant(kD0, 5, kD1, 3);
    env_.entries_[0][5].frame = frame_of(0, 3) + 0x10;  // not page aligned
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_bad_page);
    env_.entries_[0][5].frame = frame_of(2, 0);  // dom2's memory, granted by dom0
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_bad_page);
    env_.entries_[0][5].frame = frame_of(1, 0);  // the mapper's own memory
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_bad_page);
    env_.entries_[0][5].frame = 0xF0000000;  // not RAM at all
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_bad_page);
}

TEST_F(GrantTest, MaptrackFull) {
    for (u32 i = 0; i < GrantTables::kMaptrackPerDomain; ++i) {
        grant(kD0, 10 + i, kD1, i);
        ASSERT_EQ(map_ok(kD1, kD0, 10 + i, 0xC0000000 + i * kPageSize), i);
    }
    grant(kD0, 200, kD1, 100);
    expect_map_fails(kD1, map_op(kD0, 200, 0xC0800000), GNTST_no_device_space);
    // Another mapper still has room.
    grant(kD0, 201, kD2, 101);
    EXPECT_EQ(map_ok(kD2, kD0, 201, 0xC0800000), 0u);
    // And freeing one slot makes room again.
    EXPECT_EQ(unmap(kD1, 17, 0xC0000000 + 17 * kPageSize), GNTST_okay);
    EXPECT_EQ(map_ok(kD1, kD0, 200, 0xC0800000), 17u);
}

TEST_F(GrantTest, MapForeignFailureIsGeneralError) {
    grant(kD0, 5, kD1, 3);
    env_.fail_map = true;
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_general_error);
    env_.fail_map = false;
    EXPECT_EQ(map_ok(kD1, kD0, 5, 0xC0100000), 0u) << "the failed attempt used no slot";
}

TEST_F(GrantTest, MapperOverItsTableQuotaIsNoDeviceSpace) {
    // The mapper's page table refuses a new second-level table (its quota): the map is
    // refused the way a full maptrack is, and uses no slot.
    grant(kD0, 5, kD1, 3);
    env_.fail_map = true;
    env_.fail_map_with = Err::nomem;
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_no_device_space);
    env_.fail_map = false;
    EXPECT_EQ(map_ok(kD1, kD0, 5, 0xC0100000), 0u);
}

TEST_F(GrantTest, InvalidMapperIsRefused) {
    grant(kD0, 5, DomId(9), 3);
    expect_map_fails(DomId(9), map_op(kD0, 5, 0xC0100000), GNTST_general_error);
    EXPECT_EQ(unmap(DomId(9), 0, 0xC0100000), GNTST_bad_handle);
    EXPECT_EQ(gt_.release_all_of(DomId(9)), 0u);
    EXPECT_EQ(gt_.mapped_by(DomId(9)), 0u);
}

// ---- read-only maps -------------------------------------------------------------------------

TEST_F(GrantTest, ReadOnlyMapOfAReadOnlyGrant) {
    grant(kD0, 5, kD1, 3, GTF_readonly);
    gnttab_map_grant_ref op = map_op(kD0, 5, 0xC0100000, kReadOnlyMap);
    EXPECT_EQ(map(kD1, op), GNTST_okay);
    EXPECT_EQ(op.handle, 0u);
    EXPECT_EQ(op.dev_bus_addr, frame_of(0, 3));
    // GTF_reading only: nobody can write the page.
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly | GTF_reading);
    ASSERT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(env_.mappings[0], (Mapping{1, 0xC0100000, frame_of(0, 3), true}));
    // In the mapper's table: ARM domain 4, AP privileged RW / user read-only.
    const auto t = env_.table(kD1).translate(VirtAddr(0xC0100000));
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->domain, mmu::Domain::guest_kernel_ro);
    EXPECT_EQ(t->ap, mmu::Ap::priv_rw_user_ro);
    EXPECT_EQ(t->pa, PhysAddr(frame_of(0, 3)));
    EXPECT_EQ(unmap(kD1, 0, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly);
    EXPECT_FALSE(env_.table(kD1).translate(VirtAddr(0xC0100000)).ok());
}

TEST_F(GrantTest, ReadOnlyMapOfAWritableGrant) {
    grant(kD0, 5, kD1, 3);
    map_ro_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_reading);
    EXPECT_EQ(env_.table(kD1).translate(VirtAddr(0xC0100000))->domain, mmu::Domain::guest_kernel_ro);
}

TEST_F(GrantTest, WritableMapOfAReadOnlyGrantIsDenied) {
    grant(kD0, 5, kD1, 3, GTF_readonly);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0100000), GNTST_permission_denied);
    // Also where a read-only map would be fine, and after a read-only map of it.
    map_ro_ok(kD1, kD0, 5, 0xC0200000);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0300000), GNTST_permission_denied);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly | GTF_reading);
}

TEST_F(GrantTest, WritingIsSetOnlyWhileAWritableMapExists) {
    grant(kD0, 5, kD1, 3);
    const u32 ro = map_ro_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_reading);
    const u32 rw = map_ok(kD1, kD0, 5, 0xC0200000);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse);
    EXPECT_EQ(unmap(kD1, rw, 0xC0200000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_reading) << "the read-only map remains";
    EXPECT_EQ(unmap(kD1, ro, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
    // The other order: the read-only map goes first, the writable one keeps both flags.
    const u32 rw2 = map_ok(kD1, kD0, 5, 0xC0200000);
    const u32 ro2 = map_ro_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(unmap(kD1, ro2, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse);
    EXPECT_EQ(unmap(kD1, rw2, 0xC0200000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
}

TEST_F(GrantTest, WritingAcrossMappersOfOneRef) {
    // dom1 maps read-only, dom2 (the entry re-pointed) writable: GTF_writing goes with dom2's.
    grant(kD0, 5, kD1, 3);
    const u32 a = map_ro_ok(kD1, kD0, 5, 0xC0100000);
    env_.entries_[0][5].domid = kD2.value();
    const u32 b = map_ok(kD2, kD0, 5, 0xC0100000);
    EXPECT_EQ(flags(kD0, 5) & kInUse, kInUse);
    EXPECT_EQ(unmap(kD2, b, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5) & kInUse, GTF_reading);
    EXPECT_EQ(unmap(kD1, a, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5) & kInUse, 0);
}

TEST_F(GrantTest, ReadOnlyMapsNeedAMibWithoutWritablePages) {
    grant(kD0, 5, kD1, 3, GTF_readonly);
    grant(kD0, 6, kD1, 4);
    // A MiB holding a read-write grant map.
    map_ok(kD1, kD0, 6, 0xC0100000);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0101000, kReadOnlyMap), GNTST_bad_virt_addr);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC01FF000, kReadOnlyMap), GNTST_bad_virt_addr);
    // A MiB holding the mapper's own kernel pages (its memory at 0xC0000000, say).
    ASSERT_EQ(env_.own_page(kD1, 0xC0000000), Err::ok);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0001000, kReadOnlyMap), GNTST_bad_virt_addr);
    // The rest of the address rules hold for read-only maps too.
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0200800, kReadOnlyMap), GNTST_bad_virt_addr);  // misaligned
    expect_map_fails(kD1, map_op(kD0, 5, 0x40000000, kReadOnlyMap), GNTST_bad_virt_addr);  // user region
    expect_map_fails(kD1, map_op(kD0, 5, 0xFBF00000, kReadOnlyMap), GNTST_bad_virt_addr);  // VMM-provided MiB
    expect_map_fails(kD1, map_op(kD0, 5, 0xFF000000, kReadOnlyMap), GNTST_bad_virt_addr);  // the VMM
    // An untouched MiB: the first read-only map claims it; more read-only maps may join.
    const u32 h = map_ro_ok(kD1, kD0, 5, 0xC0200000);
    map_ro_ok(kD1, kD0, 5, 0xC02FF000);
    map_ro_ok(kD1, kD0, 6, 0xC0201000);  // a writable grant, mapped read-only
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0200000, kReadOnlyMap), GNTST_bad_virt_addr);  // taken
    EXPECT_EQ(unmap(kD1, h, 0xC0200000), GNTST_okay);
    EXPECT_EQ(map_ro_ok(kD1, kD0, 5, 0xC0200000), h);
}

TEST_F(GrantTest, WritableMapsNeedAMibWithoutReadOnlyMaps) {
    grant(kD0, 5, kD1, 3, GTF_readonly);
    grant(kD0, 6, kD1, 4);
    const u32 ro = map_ro_ok(kD1, kD0, 5, 0xC0200000);
    expect_map_fails(kD1, map_op(kD0, 6, 0xC0201000), GNTST_bad_virt_addr);
    // The guest's own pages cannot go there either (the page table's rule).
    EXPECT_EQ(env_.own_page(kD1, 0xC0202000), Err::inval);
    // Another mapper's MiBs are its own business.
    grant(kD0, 7, kD2, 4);
    EXPECT_EQ(map_ok(kD2, kD0, 7, 0xC0201000), 0u);
    // Once its last read-only map is gone the MiB is free again, for either kind.
    EXPECT_EQ(unmap(kD1, ro, 0xC0200000), GNTST_okay);
    const u32 rw = map_ok(kD1, kD0, 6, 0xC0201000);
    EXPECT_EQ(env_.table(kD1).translate(VirtAddr(0xC0201000))->domain, mmu::Domain::guest_kernel);
    expect_map_fails(kD1, map_op(kD0, 5, 0xC0200000, kReadOnlyMap), GNTST_bad_virt_addr);
    EXPECT_EQ(unmap(kD1, rw, 0xC0201000), GNTST_okay);
    map_ro_ok(kD1, kD0, 5, 0xC0200000);
}

TEST_F(GrantTest, ReadOnlyFlagRewrittenDuringMapIsReadOnce) {
    // The granter makes its entry read-only while the VMM checks a writable map: the map
    // goes by the copy it checked (not read-only at the time), as for the frame.
    grant(kD0, 5, kD1, 3);
    env_.during_check = [&] { env_.entries_[0][5].flags = static_cast<u16>(GTF_permit_access | GTF_readonly); };
    EXPECT_EQ(map_ok(kD1, kD0, 5, 0xC0100000), 0u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly | kInUse);
    // And the other way: read-only when checked, made writable meanwhile: still refused.
    grant(kD0, 6, kD1, 3, GTF_readonly);
    env_.during_check = [&] { env_.entries_[0][6].flags = GTF_permit_access; };
    gnttab_map_grant_ref op = map_op(kD0, 6, 0xC0101000);
    EXPECT_EQ(map(kD1, op), GNTST_permission_denied) << "refused before the frame is even checked";
}

TEST_F(GrantTest, TeardownClearsReadOnlyMapsFlags) {
    grant(kD0, 5, kD1, 3, GTF_readonly);
    grant(kD0, 6, kD2, 4, GTF_readonly);
    grant(kD2, 7, kD1, 5);
    map_ro_ok(kD1, kD0, 5, 0xC0100000);
    map_ro_ok(kD1, kD2, 7, 0xC0101000);
    map_ok(kD1, kD2, 7, 0xC0200000);
    map_ro_ok(kD2, kD0, 6, 0xC0100000);
    EXPECT_EQ(gt_.release_all_of(kD1), 3u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly);
    EXPECT_EQ(flags(kD2, 7), GTF_permit_access);
    EXPECT_EQ(flags(kD0, 6), GTF_permit_access | GTF_readonly | GTF_reading);
    EXPECT_EQ(gt_.revoke_all_from(kD0), 1u);
    EXPECT_EQ(flags(kD0, 6), GTF_permit_access | GTF_readonly);
    EXPECT_TRUE(env_.mappings.empty());
}

// ---- unmap --------------------------------------------------------------------------------

TEST_F(GrantTest, UnmapClearsFlagsAndMapping) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
    EXPECT_TRUE(env_.mappings.empty());
    EXPECT_EQ(gt_.mapped_by(kD1), 0u);
    EXPECT_EQ(gt_.mapped_from(kD0), 0u);
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_bad_handle) << "a handle is good once";
}

TEST_F(GrantTest, UnmapBadHandle) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(unmap(kD1, h + 1, 0xC0100000), GNTST_bad_handle);  // unused slot
    EXPECT_EQ(unmap(kD1, GrantTables::kMaptrackPerDomain, 0xC0100000), GNTST_bad_handle);
    EXPECT_EQ(unmap(kD1, 0xFFFFFFFF, 0xC0100000), GNTST_bad_handle);
    EXPECT_EQ(unmap(kD2, h, 0xC0100000), GNTST_bad_handle) << "another mapper's handle";
    EXPECT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse);
}

TEST_F(GrantTest, UnmapWrongAddress) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    EXPECT_EQ(unmap(kD1, h, 0xC0101000), GNTST_bad_virt_addr);
    EXPECT_EQ(unmap(kD1, h, 0xC0100000 | (u64(1) << 32)), GNTST_bad_virt_addr);
    EXPECT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(gt_.mapped_by(kD1), 1u);
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);
}

TEST_F(GrantTest, UnmapForeignFailureKeepsTheMapping) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    env_.fail_unmap = true;
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_general_error);
    EXPECT_EQ(gt_.mapped_by(kD1), 1u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse);
    env_.fail_unmap = false;
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);
}

TEST_F(GrantTest, TwoMapsOfOneRefClearFlagsOnlyAtTheLast) {
    grant(kD0, 5, kD1, 3);
    const u32 a = map_ok(kD1, kD0, 5, 0xC0100000);
    const u32 b = map_ok(kD1, kD0, 5, 0xC0200000);
    EXPECT_EQ(gt_.mapped_from(kD0), 2u);
    EXPECT_EQ(unmap(kD1, a, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | kInUse) << "still mapped once";
    EXPECT_EQ(unmap(kD1, b, 0xC0200000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
}

TEST_F(GrantTest, OneRefMappedByTwoDomains) {
    // The granter re-points the entry at dom2 while dom1 still has it mapped.
    grant(kD0, 5, kD1, 3);
    const u32 a = map_ok(kD1, kD0, 5, 0xC0100000);
    env_.entries_[0][5].domid = kD2.value();
    const u32 b = map_ok(kD2, kD0, 5, 0xC0100000);
    EXPECT_EQ(unmap(kD2, b, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5) & kInUse, kInUse) << "dom1 still maps it";
    EXPECT_EQ(unmap(kD1, a, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5) & kInUse, 0);
}

TEST_F(GrantTest, DifferentRefsKeepSeparateFlags) {
    grant(kD0, 5, kD1, 3);
    grant(kD0, 6, kD1, 3);  // the same frame under two refs
    const u32 a = map_ok(kD1, kD0, 5, 0xC0100000);
    map_ok(kD1, kD0, 6, 0xC0200000);
    EXPECT_EQ(unmap(kD1, a, 0xC0100000), GNTST_okay);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
    EXPECT_EQ(flags(kD0, 6), GTF_permit_access | kInUse);
}

// ---- hostile granters ---------------------------------------------------------------------

TEST_F(GrantTest, EntryRewrittenDuringMapIsReadOnce) {
    grant(kD0, 5, kD1, 3);
    // While the VMM checks the frame, the granter swaps in another domain's frame and
    // revokes the grant. The map must go ahead with exactly the frame it checked.
    env_.during_check = [&] {
        env_.entries_[0][5].frame = frame_of(2, 7);
        env_.entries_[0][5].domid = kD2.value();
        env_.entries_[0][5].flags = GTF_invalid;
    };
    gnttab_map_grant_ref op = map_op(kD0, 5, 0xC0100000);
    EXPECT_EQ(map(kD1, op), GNTST_okay);
    EXPECT_EQ(op.dev_bus_addr, frame_of(0, 3));
    ASSERT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(env_.mappings[0].frame, frame_of(0, 3));
    EXPECT_EQ(flags(kD0, 5), kInUse) << "in-use bits set in the live entry, its other bits left alone";
}

TEST_F(GrantTest, EntryRewrittenAfterMapDoesNotChangeUnmap) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    // The granter reuses the entry for something else, and clears the in-use bits itself.
    env_.entries_[0][5] = grant_entry_v1{static_cast<uint16_t>(GTF_permit_access | GTF_readonly), 2, frame_of(0, 9)};
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);  // unmaps the recorded frame (fake checks)
    EXPECT_TRUE(env_.mappings.empty());
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access | GTF_readonly) << "only the in-use bits are touched";
}

TEST_F(GrantTest, GranterLosingItsTableBeforeUnmap) {
    grant(kD0, 5, kD1, 3);
    const u32 h = map_ok(kD1, kD0, 5, 0xC0100000);
    env_.has_table_[0] = false;
    EXPECT_EQ(unmap(kD1, h, 0xC0100000), GNTST_okay);
    EXPECT_TRUE(env_.mappings.empty());
}

// ---- teardown -----------------------------------------------------------------------------

TEST_F(GrantTest, ReleaseAllOfAMapper) {
    grant(kD0, 5, kD1, 3);
    grant(kD2, 6, kD1, 4);
    grant(kD0, 7, kD2, 5);
    grant(kD0, 8, kD1, 6);
    grant(kD0, 8 + 1, kD2, 6);
    map_ok(kD1, kD0, 5, 0xC0100000);
    map_ok(kD1, kD2, 6, 0xC0101000);
    map_ok(kD1, kD0, 8, 0xC0102000);
    map_ok(kD2, kD0, 7, 0xC0100000);
    EXPECT_EQ(gt_.release_all_of(kD1), 3u);
    EXPECT_EQ(gt_.mapped_by(kD1), 0u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
    EXPECT_EQ(flags(kD2, 6), GTF_permit_access);
    EXPECT_EQ(flags(kD0, 8), GTF_permit_access);
    EXPECT_EQ(flags(kD0, 7), GTF_permit_access | kInUse) << "dom2's mapping is untouched";
    ASSERT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(env_.mappings[0].mapper, 2);
    EXPECT_EQ(gt_.mapped_from(kD0), 1u);
    EXPECT_EQ(gt_.release_all_of(kD1), 0u);
}

TEST_F(GrantTest, ReleaseAllForgetsEvenWhenUnmapFails) {
    grant(kD0, 5, kD1, 3);
    map_ok(kD1, kD0, 5, 0xC0100000);
    env_.fail_unmap = true;
    EXPECT_EQ(gt_.release_all_of(kD1), 1u);
    EXPECT_EQ(env_.unmap_calls, 1u);
    EXPECT_EQ(gt_.mapped_by(kD1), 0u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
}

TEST_F(GrantTest, RevokeAllFromAGranter) {
    grant(kD0, 5, kD1, 3);
    grant(kD0, 6, kD2, 4);
    grant(kD1, 7, kD2, 5);
    map_ok(kD1, kD0, 5, 0xC0100000);
    map_ok(kD1, kD0, 5, 0xC0101000);
    map_ok(kD2, kD0, 6, 0xC0100000);
    map_ok(kD2, kD1, 7, 0xC0101000);
    EXPECT_EQ(gt_.mapped_from(kD0), 3u);
    EXPECT_EQ(gt_.revoke_all_from(kD0), 3u);
    EXPECT_EQ(gt_.mapped_from(kD0), 0u);
    EXPECT_EQ(flags(kD0, 5), GTF_permit_access);
    EXPECT_EQ(flags(kD0, 6), GTF_permit_access);
    EXPECT_EQ(gt_.mapped_by(kD1), 0u);
    EXPECT_EQ(gt_.mapped_by(kD2), 1u);
    EXPECT_EQ(flags(kD1, 7), GTF_permit_access | kInUse);
    ASSERT_EQ(env_.mappings.size(), 1u);
    EXPECT_EQ(env_.mappings[0], (Mapping{2, 0xC0101000, frame_of(1, 5)}));
    EXPECT_EQ(gt_.revoke_all_from(kD0), 0u);
}

}  // namespace
}  // namespace xa
