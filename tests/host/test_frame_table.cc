// FrameTable: every ownership transition and reference count, and every error with the
// check that it changed nothing.
#include <gtest/gtest.h>

#include <cstring>

#include "frame_table.hh"

namespace xa {
namespace {

constexpr u32 kBase = 0xC0000000;
constexpr u32 kFrames = 32;
constexpr DomId kD0(0);
constexpr DomId kD1(1);

PhysAddr frame(u32 index) { return PhysAddr(kBase + index * kPageSize); }

class FrameTableTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::memset(storage_, 0xA5, sizeof storage_);
        ASSERT_EQ(ft_.init(PhysAddr(kBase), kFrames, storage_, kFrames + 1), Err::ok);
        storage_[kFrames] = FrameInfo{0x5A5A, FrameType::guest, FrameType::vmm, 7, 7};  // guard
    }

    // The whole table (and the guard entry past it), byte for byte.
    struct Snapshot {
        FrameInfo entries[kFrames + 1];
    };
    Snapshot snap() const {
        Snapshot s;
        std::memcpy(s.entries, storage_, sizeof storage_);
        return s;
    }
    bool unchanged(const Snapshot& s) const { return std::memcmp(s.entries, storage_, sizeof storage_) == 0; }

    const FrameInfo& at(u32 index) const { return *ft_.info(frame(index)); }

    FrameInfo storage_[kFrames + 1];
    FrameTable ft_;
};

TEST(FrameTableInit, Arguments) {
    FrameInfo s[4];
    FrameTable ft;
    EXPECT_EQ(ft.frames(), 0u);
    EXPECT_EQ(ft.info(PhysAddr(0)), nullptr);
    EXPECT_EQ(ft.init(PhysAddr(0x1000), 4, s, 4), Err::ok);
    EXPECT_EQ(ft.frames(), 4u);
    EXPECT_EQ(ft.base(), PhysAddr(0x1000));
    EXPECT_EQ(ft.init(PhysAddr(0x1800), 4, s, 4), Err::inval);  // misaligned
    EXPECT_EQ(ft.frames(), 0u) << "a failed init leaves the table empty";
    EXPECT_FALSE(ft.contains(PhysAddr(0x1000)));
    EXPECT_EQ(ft.init(PhysAddr(0x1000), 0, s, 4), Err::inval);
    EXPECT_EQ(ft.init(PhysAddr(0x1000), 4, s, 3), Err::inval);
    EXPECT_EQ(ft.init(PhysAddr(0x1000), 4, nullptr, 4), Err::inval);
    EXPECT_EQ(ft.init(PhysAddr(0xFFFFD000), 4, s, 4), Err::inval);  // past 4 GiB
    EXPECT_EQ(ft.init(PhysAddr(0xFFFFC000), 4, s, 4), Err::ok);     // ends exactly at 4 GiB
    EXPECT_TRUE(ft.contains(PhysAddr(0xFFFFFFFF)));
}

TEST_F(FrameTableTest, InitialStateIsAllFree) {
    for (u32 i = 0; i < kFrames; ++i) {
        EXPECT_EQ(at(i).type, FrameType::free);
        EXPECT_EQ(at(i).owner, FrameTable::kNoOwner);
        EXPECT_EQ(at(i).map_count, 0);
        EXPECT_EQ(at(i).pin_count, 0);
    }
    EXPECT_EQ(ft_.count(kD0, FrameType::free), kFrames);
    EXPECT_EQ(ft_.count(kD0, FrameType::guest), 0u);
    EXPECT_EQ(ft_.frames(), kFrames);
    EXPECT_EQ(ft_.base(), PhysAddr(kBase));
}

TEST_F(FrameTableTest, InfoAndContainsCoverExactlyRam) {
    EXPECT_EQ(ft_.info(PhysAddr(kBase)), &storage_[0]);
    EXPECT_EQ(ft_.info(PhysAddr(kBase + 0x1FFF)), &storage_[1]) << "any address inside the frame";
    EXPECT_EQ(ft_.info(PhysAddr(kBase + kFrames * kPageSize - 1)), &storage_[kFrames - 1]);
    EXPECT_EQ(ft_.info(PhysAddr(kBase + kFrames * kPageSize)), nullptr);
    EXPECT_EQ(ft_.info(PhysAddr(kBase - 1)), nullptr);
    EXPECT_EQ(ft_.info(PhysAddr(0)), nullptr);
    EXPECT_TRUE(ft_.contains(PhysAddr(kBase + 5)));
    EXPECT_FALSE(ft_.contains(PhysAddr(kBase + kFrames * kPageSize)));
}

TEST_F(FrameTableTest, SetVmm) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 4), Err::ok);
    for (u32 i = 0; i < 4; ++i) EXPECT_EQ(at(i).type, FrameType::vmm);
    EXPECT_EQ(at(4).type, FrameType::free);
    EXPECT_EQ(ft_.count(kD1, FrameType::vmm), 4u) << "owner is ignored for vmm";
    EXPECT_EQ(ft_.count(kD1, FrameType::free), kFrames - 4);

    const Snapshot s = snap();
    EXPECT_EQ(ft_.set_vmm(frame(2), 4), Err::busy) << "frames 2 and 3 are vmm already";
    EXPECT_TRUE(unchanged(s)) << "frames 4 and 5 were not taken";
    EXPECT_EQ(ft_.set_vmm(frame(4), 1), Err::ok);
    ASSERT_EQ(ft_.assign(frame(8), 1, kD1, FrameType::guest), Err::ok);
    const Snapshot s2 = snap();
    EXPECT_EQ(ft_.set_vmm(frame(6), 4), Err::busy) << "frame 8 is owned";
    EXPECT_TRUE(unchanged(s2));
}

TEST_F(FrameTableTest, RangeArgumentErrors) {
    const Snapshot s = snap();
    EXPECT_EQ(ft_.set_vmm(frame(0), 0), Err::inval);
    EXPECT_EQ(ft_.set_vmm(PhysAddr(kBase + 0x800), 1), Err::inval);
    EXPECT_EQ(ft_.set_vmm(PhysAddr(kBase - kPageSize), 2), Err::inval);
    EXPECT_EQ(ft_.set_vmm(frame(kFrames - 1), 2), Err::inval);
    EXPECT_EQ(ft_.set_vmm(frame(kFrames), 1), Err::inval);
    EXPECT_EQ(ft_.set_vmm(frame(1), 0xFFFFFFFF), Err::inval);
    EXPECT_EQ(ft_.assign(frame(0), 0, kD0, FrameType::guest), Err::inval);
    EXPECT_EQ(ft_.assign(frame(kFrames - 1), 2, kD0, FrameType::guest), Err::inval);
    EXPECT_EQ(ft_.assign(PhysAddr(kBase + 4), 1, kD0, FrameType::guest), Err::inval);
    EXPECT_EQ(ft_.release(frame(kFrames), 1, kD0), Err::inval);
    EXPECT_EQ(ft_.release(frame(0), 0, kD0), Err::inval);
    EXPECT_TRUE(unchanged(s));
    EXPECT_EQ(ft_.set_vmm(frame(kFrames - 1), 1), Err::ok) << "the last frame is fine";
}

TEST_F(FrameTableTest, AssignFromFreeAndReleaseBackToFree) {
    ASSERT_EQ(ft_.assign(frame(10), 3, kD1, FrameType::guest), Err::ok);
    for (u32 i = 10; i < 13; ++i) {
        EXPECT_EQ(at(i).type, FrameType::guest);
        EXPECT_EQ(at(i).owner, 1);
    }
    EXPECT_EQ(ft_.count(kD1, FrameType::guest), 3u);
    EXPECT_EQ(ft_.count(kD0, FrameType::guest), 0u);
    ASSERT_EQ(ft_.release(frame(10), 3, kD1), Err::ok);
    for (u32 i = 10; i < 13; ++i) {
        EXPECT_EQ(at(i).type, FrameType::free);
        EXPECT_EQ(at(i).owner, FrameTable::kNoOwner);
    }
    EXPECT_EQ(ft_.count(kD1, FrameType::guest), 0u);
    EXPECT_EQ(ft_.count(kD1, FrameType::free), kFrames);
}

TEST_F(FrameTableTest, VmmFramesAssignedReturnToVmm) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 8), Err::ok);
    ASSERT_EQ(ft_.assign(frame(0), 4, kD0, FrameType::page_table), Err::ok);
    ASSERT_EQ(ft_.assign(frame(4), 1, kD0, FrameType::vmm_shared), Err::ok);
    ASSERT_EQ(ft_.assign(frame(5), 1, kD1, FrameType::guest), Err::ok);       // e.g. a VMM page given as memory
    ASSERT_EQ(ft_.assign(frame(9), 1, kD1, FrameType::page_table), Err::ok);  // from free RAM
    EXPECT_EQ(ft_.count(kD0, FrameType::page_table), 4u);
    EXPECT_EQ(ft_.count(kD0, FrameType::vmm_shared), 1u);
    EXPECT_EQ(ft_.count(kD1, FrameType::page_table), 1u);
    EXPECT_EQ(ft_.count(kD0, FrameType::vmm), 2u);

    ASSERT_EQ(ft_.release(frame(0), 5, kD0), Err::ok);
    ASSERT_EQ(ft_.release(frame(5), 1, kD1), Err::ok);
    ASSERT_EQ(ft_.release(frame(9), 1, kD1), Err::ok);
    for (u32 i = 0; i < 8; ++i) EXPECT_EQ(at(i).type, FrameType::vmm) << i;
    EXPECT_EQ(at(9).type, FrameType::free) << "it came from free RAM";
    EXPECT_EQ(ft_.count(kD0, FrameType::vmm), 8u);
}

TEST_F(FrameTableTest, MixedRunRestoresEachFrameToItsOrigin) {
    ASSERT_EQ(ft_.set_vmm(frame(1), 1), Err::ok);
    ASSERT_EQ(ft_.assign(frame(0), 3, kD1, FrameType::vmm_shared), Err::ok);
    ASSERT_EQ(ft_.release(frame(0), 3, kD1), Err::ok);
    EXPECT_EQ(at(0).type, FrameType::free);
    EXPECT_EQ(at(1).type, FrameType::vmm);
    EXPECT_EQ(at(2).type, FrameType::free);
}

TEST_F(FrameTableTest, AssignErrors) {
    ASSERT_EQ(ft_.assign(frame(4), 1, kD0, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(5), 1, kD1, FrameType::page_table), Err::ok);
    ASSERT_EQ(ft_.assign(frame(6), 1, kD1, FrameType::vmm_shared), Err::ok);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.assign(frame(0), 5, kD1, FrameType::guest), Err::busy) << "frame 4 is dom0's";
    EXPECT_EQ(ft_.assign(frame(4), 1, kD0, FrameType::guest), Err::busy) << "even for the same owner";
    EXPECT_EQ(ft_.assign(frame(5), 1, kD0, FrameType::guest), Err::busy);
    EXPECT_EQ(ft_.assign(frame(6), 4, kD0, FrameType::guest), Err::busy);
    EXPECT_EQ(ft_.assign(frame(10), 1, kD0, FrameType::free), Err::inval);
    EXPECT_EQ(ft_.assign(frame(10), 1, kD0, FrameType::vmm), Err::inval);
    EXPECT_EQ(ft_.assign(frame(10), 1, kD0, static_cast<FrameType>(9)), Err::inval);
    EXPECT_EQ(ft_.assign(frame(10), 1, DomId(0xFFFF), FrameType::guest), Err::inval);
    EXPECT_TRUE(unchanged(s));
}

TEST_F(FrameTableTest, ReleaseErrors) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 1), Err::ok);
    ASSERT_EQ(ft_.assign(frame(1), 4, kD1, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(5), 1, kD0, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.get_mapping(frame(3)), Err::ok);
    ASSERT_EQ(ft_.pin(frame(4)), Err::ok);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.release(frame(1), 2, kD0), Err::perm) << "wrong owner";
    EXPECT_EQ(ft_.release(frame(1), 5, kD1), Err::perm) << "frame 5 is dom0's";
    EXPECT_EQ(ft_.release(frame(0), 2, kD1), Err::perm) << "frame 0 is the VMM's";
    EXPECT_EQ(ft_.release(frame(6), 1, kD1), Err::perm) << "frame 6 is free";
    EXPECT_EQ(ft_.release(frame(6), 1, DomId(0xFFFF)), Err::perm) << "kNoOwner owns nothing";
    EXPECT_EQ(ft_.release(frame(1), 3, kD1), Err::busy) << "frame 3 is mapped";
    EXPECT_EQ(ft_.release(frame(4), 1, kD1), Err::busy) << "frame 4 is pinned";
    EXPECT_TRUE(unchanged(s));
    ASSERT_EQ(ft_.put_mapping(frame(3)), Err::ok);
    ASSERT_EQ(ft_.unpin(frame(4)), Err::ok);
    EXPECT_EQ(ft_.release(frame(1), 4, kD1), Err::ok);
    EXPECT_EQ(ft_.count(kD1, FrameType::free), kFrames - 2);
}

TEST_F(FrameTableTest, GuestMappingOnlyOfOwnOrdinaryMemory) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 1), Err::ok);
    ASSERT_EQ(ft_.assign(frame(1), 1, kD1, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(2), 1, kD1, FrameType::page_table), Err::ok);
    ASSERT_EQ(ft_.assign(frame(3), 1, kD1, FrameType::vmm_shared), Err::ok);
    ASSERT_EQ(ft_.assign(frame(4), 1, kD0, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(6), 1, kD1, FrameType::backup), Err::ok);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.get_guest_mapping(frame(0), kD1), Err::perm);  // vmm
    EXPECT_EQ(ft_.get_guest_mapping(frame(2), kD1), Err::perm);  // its page table
    EXPECT_EQ(ft_.get_guest_mapping(frame(3), kD1), Err::perm);  // VMM page shared with it
    EXPECT_EQ(ft_.get_guest_mapping(frame(4), kD1), Err::perm);  // dom0's memory
    EXPECT_EQ(ft_.get_guest_mapping(frame(5), kD1), Err::perm);  // free
    EXPECT_EQ(ft_.get_guest_mapping(frame(6), kD1), Err::perm);  // the backup of its memory
    EXPECT_EQ(ft_.get_guest_mapping(frame(kFrames), kD1), Err::inval);
    EXPECT_EQ(ft_.get_guest_mapping(PhysAddr(0), kD1), Err::inval);
    EXPECT_TRUE(unchanged(s));

    EXPECT_EQ(ft_.get_guest_mapping(frame(1), kD1), Err::ok);
    EXPECT_EQ(ft_.get_guest_mapping(PhysAddr(kBase + 0x1ABC), kD1), Err::ok) << "any address in the frame";
    EXPECT_EQ(at(1).map_count, 2);
    EXPECT_EQ(ft_.get_guest_mapping(frame(4), kD0), Err::ok);
    EXPECT_EQ(at(4).map_count, 1);
}

TEST_F(FrameTableTest, BackupFramesAreOwnedAndGoBackToFree) {
    ASSERT_EQ(ft_.assign(frame(8), 4, kD1, FrameType::backup), Err::ok);
    EXPECT_EQ(ft_.count(kD1, FrameType::backup), 4u);
    EXPECT_EQ(ft_.count(kD0, FrameType::backup), 0u);
    EXPECT_EQ(ft_.assign(frame(10), 1, kD0, FrameType::guest), Err::busy) << "owned by dom1 as its backup";
    EXPECT_EQ(ft_.release(frame(8), 4, kD0), Err::perm);
    EXPECT_EQ(ft_.release(frame(8), 4, kD1), Err::ok);
    for (u32 i = 8; i < 12; ++i) EXPECT_EQ(at(i).type, FrameType::free) << i;
}

TEST_F(FrameTableTest, VmmMappingsNeedNoOwnership) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 1), Err::ok);
    ASSERT_EQ(ft_.assign(frame(1), 1, kD1, FrameType::vmm_shared), Err::ok);
    EXPECT_EQ(ft_.get_mapping(frame(0)), Err::ok);
    EXPECT_EQ(ft_.get_mapping(frame(1)), Err::ok);
    EXPECT_EQ(ft_.get_mapping(frame(1)), Err::ok);
    EXPECT_EQ(ft_.get_mapping(frame(2)), Err::ok);
    EXPECT_EQ(at(0).map_count, 1);
    EXPECT_EQ(at(1).map_count, 2);
    EXPECT_EQ(ft_.get_mapping(frame(kFrames)), Err::inval);
    EXPECT_EQ(ft_.put_mapping(frame(1)), Err::ok);
    EXPECT_EQ(ft_.put_mapping(frame(1)), Err::ok);
    EXPECT_EQ(at(1).map_count, 0);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.put_mapping(frame(1)), Err::inval) << "already 0";
    EXPECT_EQ(ft_.put_mapping(frame(kFrames)), Err::inval);
    EXPECT_EQ(ft_.put_mapping(PhysAddr(kBase - 1)), Err::inval);
    EXPECT_TRUE(unchanged(s));
}

TEST_F(FrameTableTest, AssignAndReleaseKeepCounts) {
    // A VMM frame the VMM already maps somewhere keeps its count through assign; release
    // then has to wait for the mapping to go.
    ASSERT_EQ(ft_.set_vmm(frame(0), 1), Err::ok);
    ASSERT_EQ(ft_.get_mapping(frame(0)), Err::ok);
    ASSERT_EQ(ft_.assign(frame(0), 1, kD0, FrameType::vmm_shared), Err::ok);
    EXPECT_EQ(at(0).map_count, 1);
    EXPECT_EQ(ft_.release(frame(0), 1, kD0), Err::busy);
    ASSERT_EQ(ft_.put_mapping(frame(0)), Err::ok);
    EXPECT_EQ(ft_.release(frame(0), 1, kD0), Err::ok);
    EXPECT_EQ(at(0).type, FrameType::vmm);
}

TEST_F(FrameTableTest, PinAndUnpin) {
    ASSERT_EQ(ft_.assign(frame(7), 1, kD1, FrameType::guest), Err::ok);
    EXPECT_EQ(ft_.pin(frame(7)), Err::ok);
    EXPECT_EQ(ft_.pin(PhysAddr(kBase + 7 * kPageSize + 8)), Err::ok);
    EXPECT_EQ(at(7).pin_count, 2);
    EXPECT_EQ(at(7).map_count, 0) << "pins are not mappings";
    EXPECT_EQ(ft_.unpin(frame(7)), Err::ok);
    EXPECT_EQ(ft_.unpin(frame(7)), Err::ok);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.unpin(frame(7)), Err::inval);
    EXPECT_EQ(ft_.pin(frame(kFrames)), Err::inval);
    EXPECT_EQ(ft_.unpin(frame(kFrames)), Err::inval);
    EXPECT_TRUE(unchanged(s));
}

TEST_F(FrameTableTest, CountsSaturateInsteadOfWrapping) {
    ASSERT_EQ(ft_.assign(frame(3), 1, kD1, FrameType::guest), Err::ok);
    for (u32 i = 0; i < 0xFFFF; ++i) ASSERT_EQ(ft_.get_mapping(frame(3)), Err::ok);
    for (u32 i = 0; i < 0xFFFF; ++i) ASSERT_EQ(ft_.pin(frame(3)), Err::ok);
    const Snapshot s = snap();
    EXPECT_EQ(ft_.get_mapping(frame(3)), Err::busy);
    EXPECT_EQ(ft_.get_guest_mapping(frame(3), kD1), Err::busy);
    EXPECT_EQ(ft_.pin(frame(3)), Err::busy);
    EXPECT_TRUE(unchanged(s));
    EXPECT_EQ(at(3).map_count, 0xFFFF);
    EXPECT_EQ(at(3).pin_count, 0xFFFF);
}

TEST_F(FrameTableTest, CountByOwnerAndType) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 2), Err::ok);
    ASSERT_EQ(ft_.assign(frame(2), 5, kD0, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(7), 3, kD1, FrameType::guest), Err::ok);
    ASSERT_EQ(ft_.assign(frame(10), 4, kD1, FrameType::page_table), Err::ok);
    ASSERT_EQ(ft_.assign(frame(0), 1, kD1, FrameType::vmm_shared), Err::ok);
    EXPECT_EQ(ft_.count(kD0, FrameType::guest), 5u);
    EXPECT_EQ(ft_.count(kD1, FrameType::guest), 3u);
    EXPECT_EQ(ft_.count(kD1, FrameType::page_table), 4u);
    EXPECT_EQ(ft_.count(kD0, FrameType::page_table), 0u);
    EXPECT_EQ(ft_.count(kD1, FrameType::vmm_shared), 1u);
    EXPECT_EQ(ft_.count(kD0, FrameType::vmm), 1u);
    EXPECT_EQ(ft_.count(kD0, FrameType::free), kFrames - 14);
    EXPECT_EQ(ft_.count(DomId(5), FrameType::guest), 0u);
}

// A RAM disk from the boot image (domain.cc): VMM frames handed to a domain as ordinary
// memory, which only it may map, and which return to the VMM, for its next incarnation.
TEST_F(FrameTableTest, RamdiskFramesFromTheVmmAreOrdinaryMemoryUntilReleased) {
    ASSERT_EQ(ft_.set_vmm(frame(0), 12), Err::ok);
    ASSERT_EQ(ft_.assign(frame(4), 4, kD0, FrameType::guest), Err::ok);
    EXPECT_EQ(ft_.count(kD0, FrameType::guest), 4u);
    EXPECT_EQ(ft_.get_guest_mapping(frame(1), kD0), Err::perm) << "the VMM frames around it stay the VMM's";
    EXPECT_EQ(ft_.get_guest_mapping(frame(8), kD0), Err::perm);
    EXPECT_EQ(ft_.get_guest_mapping(frame(5), kD1), Err::perm) << "another domain's memory";
    ASSERT_EQ(ft_.get_guest_mapping(frame(5), kD0), Err::ok);
    EXPECT_EQ(ft_.release(frame(4), 4, kD0), Err::busy) << "still mapped";
    ASSERT_EQ(ft_.put_mapping(frame(5)), Err::ok);
    ASSERT_EQ(ft_.release(frame(4), 4, kD0), Err::ok);
    for (u32 i = 0; i < 12; ++i) EXPECT_EQ(at(i).type, FrameType::vmm) << i;
    EXPECT_EQ(ft_.get_guest_mapping(frame(5), kD0), Err::perm) << "gone with its domain";
    ASSERT_EQ(ft_.assign(frame(4), 4, kD0, FrameType::guest), Err::ok) << "built again";
    EXPECT_EQ(ft_.assign(frame(4), 1, kD1, FrameType::guest), Err::busy) << "one owner at a time";
}

}  // namespace
}  // namespace xa
