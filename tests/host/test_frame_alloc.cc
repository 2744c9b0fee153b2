// FrameAllocator: first fit, alignment by physical address, exhaustion, rejected frees,
// reservations. Expected addresses are written out, not recomputed.
#include <gtest/gtest.h>

#include "frame_alloc.hh"

namespace xa {
namespace {

// A base that is 4 KiB but not 8/16 KiB aligned, so alignment must be computed on the
// physical address and not on the frame index.
constexpr u32 kBase = 0x80003000;
constexpr u32 kFrames = 64;

class FrameAllocTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (u32& w : bits_) w = 0xFFFFFFFF;  // init() must clear what it uses
        ASSERT_EQ(frames_.init(PhysAddr(kBase), kFrames, bits_, FrameAllocator::bitmap_words(kFrames)), Err::ok);
    }

    u32 alloc_ok(u32 count = 1, u32 align = kPageSize) {
        const Result<PhysAddr> r = frames_.alloc(count, align);
        EXPECT_TRUE(r.ok()) << "error " << to_int(r.error());
        return r.value().value();
    }

    u32 bits_[FrameAllocator::bitmap_words(kFrames)];
    FrameAllocator frames_;
};

TEST(FrameAllocStatic, BitmapWords) {
    EXPECT_EQ(FrameAllocator::bitmap_words(0), 0u);
    EXPECT_EQ(FrameAllocator::bitmap_words(1), 1u);
    EXPECT_EQ(FrameAllocator::bitmap_words(32), 1u);
    EXPECT_EQ(FrameAllocator::bitmap_words(33), 2u);
    EXPECT_EQ(FrameAllocator::bitmap_words(16384), 512u);  // 64 MB of RAM
    EXPECT_EQ(FrameAllocator::bitmap_words(0xFFFFFFFFu), 0x08000000u);
    static_assert(FrameAllocator::bitmap_words(64) == 2);
}

TEST(FrameAllocStatic, InitRejectsBadConfiguration) {
    u32 bits[4] = {};
    FrameAllocator a;
    EXPECT_EQ(a.init(PhysAddr(0x80000800), 8, bits, 4), Err::inval);  // base not 4K aligned
    EXPECT_EQ(a.total(), 0u);
    EXPECT_EQ(a.init(PhysAddr(0x80000000), 65, bits, 2), Err::inval);  // bitmap too small
    EXPECT_EQ(a.init(PhysAddr(0x80000000), 8, nullptr, 4), Err::inval);
    EXPECT_EQ(a.init(PhysAddr(0xFFFF0000), 17, bits, 4), Err::inval);  // past 4 GiB
    EXPECT_EQ(a.total(), 0u);
    EXPECT_EQ(a.free_count(), 0u);
    EXPECT_EQ(a.alloc().error(), Err::nomem);

    // A range that ends exactly at 4 GiB is fine.
    EXPECT_EQ(a.init(PhysAddr(0xFFFF0000), 16, bits, 4), Err::ok);
    EXPECT_EQ(a.total(), 16u);

    // The constructor form with a bad configuration leaves an empty allocator.
    FrameAllocator bad(PhysAddr(0x1001000 + 1), 8, bits, 4);
    EXPECT_EQ(bad.total(), 0u);
    EXPECT_EQ(bad.alloc().error(), Err::nomem);
    EXPECT_EQ(bad.free(PhysAddr(0x1001000)), Err::inval);
}

TEST(FrameAllocStatic, DefaultConstructedIsEmpty) {
    FrameAllocator a;
    EXPECT_EQ(a.total(), 0u);
    EXPECT_EQ(a.free_count(), 0u);
    EXPECT_EQ(a.alloc().error(), Err::nomem);
    EXPECT_EQ(a.free(PhysAddr(0)), Err::inval);
    EXPECT_EQ(a.reserve(PhysAddr(0), 4096), Err::inval);
    EXPECT_FALSE(a.is_allocated(PhysAddr(0)));
}

TEST(FrameAllocStatic, ConstructorForm) {
    u32 bits[1];
    FrameAllocator a(PhysAddr(0x00200000), 3, bits, 1);
    EXPECT_EQ(a.total(), 3u);
    EXPECT_EQ(a.alloc().value(), PhysAddr(0x00200000));
}

TEST_F(FrameAllocTest, FreshState) {
    EXPECT_EQ(frames_.total(), 64u);
    EXPECT_EQ(frames_.free_count(), 64u);
    EXPECT_EQ(frames_.base(), PhysAddr(0x80003000));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80003000)));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80042000)));  // last frame
}

TEST_F(FrameAllocTest, SingleFramesComeInAddressOrder) {
    EXPECT_EQ(alloc_ok(), 0x80003000u);
    EXPECT_EQ(alloc_ok(), 0x80004000u);
    EXPECT_EQ(alloc_ok(), 0x80005000u);
    EXPECT_EQ(frames_.free_count(), 61u);
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80004000)));
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80004FFF)));  // any byte of the frame
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80006000)));
}

TEST_F(FrameAllocTest, FreedFrameIsReusedFirst) {
    alloc_ok();
    const u32 second = alloc_ok();
    alloc_ok();
    EXPECT_EQ(frames_.free(PhysAddr(second)), Err::ok);
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(second)));
    EXPECT_EQ(frames_.free_count(), 62u);
    EXPECT_EQ(alloc_ok(), 0x80004000u);
    EXPECT_EQ(alloc_ok(), 0x80006000u);
}

TEST_F(FrameAllocTest, AlignmentIsOfThePhysicalAddress) {
    // An L1 table: 4 frames, 16 KiB aligned. The first 16K boundary above 0x80003000.
    EXPECT_EQ(alloc_ok(4, 16 * KiB), 0x80004000u);
    // First fit fills the hole below it afterwards.
    EXPECT_EQ(alloc_ok(), 0x80003000u);
    EXPECT_EQ(alloc_ok(), 0x80008000u);
    // 8K aligned pair: 0x80009000 is odd, so 0x8000A000.
    EXPECT_EQ(alloc_ok(2, 8 * KiB), 0x8000A000u);
    EXPECT_EQ(alloc_ok(), 0x80009000u);
    // 64K aligned single frame: 0x80010000.
    EXPECT_EQ(alloc_ok(1, 64 * KiB), 0x80010000u);
    // Two more L1 tables: 0x8000C000-0x8000FFFF is a free 16K-aligned run; the next one
    // starts at the 16K boundary above the 64K-aligned frame, 0x80014000.
    EXPECT_EQ(alloc_ok(4, 16 * KiB), 0x8000C000u);
    EXPECT_EQ(alloc_ok(4, 16 * KiB), 0x80014000u);
    EXPECT_EQ(frames_.free_count(), 64u - 4 - 1 - 1 - 2 - 1 - 1 - 4 - 4);
}

TEST_F(FrameAllocTest, HugeAlignmentBeyondTheRangeFails) {
    // No 1 MiB boundary lies in [0x80003000, 0x80043000).
    EXPECT_EQ(frames_.alloc(1, 1 * MiB).error(), Err::nomem);
    EXPECT_EQ(frames_.alloc(1, 0x80000000u).error(), Err::nomem);
    EXPECT_EQ(frames_.free_count(), 64u);
}

TEST_F(FrameAllocTest, BadAllocArguments) {
    EXPECT_EQ(frames_.alloc(0).error(), Err::inval);
    EXPECT_EQ(frames_.alloc(1, 0).error(), Err::inval);
    EXPECT_EQ(frames_.alloc(1, 2048).error(), Err::inval);    // below a page
    EXPECT_EQ(frames_.alloc(1, 0x3000).error(), Err::inval);  // not a power of two
    EXPECT_EQ(frames_.alloc(65).error(), Err::nomem);
    EXPECT_EQ(frames_.free_count(), 64u);
}

TEST_F(FrameAllocTest, Exhaustion) {
    for (u32 i = 0; i < kFrames; ++i) EXPECT_EQ(alloc_ok(), kBase + i * kPageSize);
    EXPECT_EQ(frames_.free_count(), 0u);
    EXPECT_EQ(frames_.alloc().error(), Err::nomem);
    // Free one in the middle: it is the only one left, so it comes back.
    EXPECT_EQ(frames_.free(PhysAddr(0x80020000)), Err::ok);
    EXPECT_EQ(frames_.alloc(2).error(), Err::nomem);
    EXPECT_EQ(alloc_ok(), 0x80020000u);
    EXPECT_EQ(frames_.alloc().error(), Err::nomem);
}

TEST_F(FrameAllocTest, ContiguousRunSkipsFragments) {
    for (u32 i = 0; i < kFrames; ++i) alloc_ok();
    // Holes: 3 frames at index 10..12, 4 frames at index 20..23.
    EXPECT_EQ(frames_.free(PhysAddr(kBase + 10 * kPageSize), 3), Err::ok);
    EXPECT_EQ(frames_.free(PhysAddr(kBase + 20 * kPageSize), 4), Err::ok);
    EXPECT_EQ(frames_.free_count(), 7u);
    EXPECT_EQ(frames_.alloc(5).error(), Err::nomem);  // 7 free, but no run of 5
    EXPECT_EQ(alloc_ok(4), 0x80017000u);              // index 20
    EXPECT_EQ(alloc_ok(3), 0x8000D000u);              // index 10
    EXPECT_EQ(frames_.free_count(), 0u);
}

TEST_F(FrameAllocTest, DoubleFreeIsRejectedWithoutChange) {
    const u32 a = alloc_ok();
    EXPECT_EQ(frames_.free(PhysAddr(a)), Err::ok);
    EXPECT_EQ(frames_.free(PhysAddr(a)), Err::inval);
    EXPECT_EQ(frames_.free_count(), 64u);

    // A run of which one frame is already free: the whole free is refused.
    const u32 run = alloc_ok(4);
    EXPECT_EQ(run, 0x80003000u);
    EXPECT_EQ(frames_.free(PhysAddr(0x80004000)), Err::ok);
    EXPECT_EQ(frames_.free(PhysAddr(run), 4), Err::inval);
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80003000)));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80004000)));
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80005000)));
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80006000)));
    EXPECT_EQ(frames_.free_count(), 61u);
    // Part of a run can be freed on its own.
    EXPECT_EQ(frames_.free(PhysAddr(0x80005000), 2), Err::ok);
    EXPECT_EQ(frames_.free_count(), 63u);
}

TEST_F(FrameAllocTest, BadFreesAreRejected) {
    for (u32 i = 0; i < kFrames; ++i) alloc_ok();
    EXPECT_EQ(frames_.free(PhysAddr(0x80003800)), Err::inval);     // misaligned
    EXPECT_EQ(frames_.free(PhysAddr(0x80002000)), Err::inval);     // below the range
    EXPECT_EQ(frames_.free(PhysAddr(0x80043000)), Err::inval);     // one past the end
    EXPECT_EQ(frames_.free(PhysAddr(0x80042000), 2), Err::inval);  // runs off the end
    EXPECT_EQ(frames_.free(PhysAddr(0x80003000), 0), Err::inval);  // nothing
    EXPECT_EQ(frames_.free(PhysAddr(0x80003000), 0xFFFFFFFFu), Err::inval);
    EXPECT_EQ(frames_.free_count(), 0u);
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80042000)));
}

TEST_F(FrameAllocTest, ReserveRoundsOutToFrames) {
    // [0x80003800, 0x80004800) touches the frames at 0x80003000 and 0x80004000.
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80003800), 0x1000), Err::ok);
    EXPECT_EQ(frames_.free_count(), 62u);
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80003000)));
    EXPECT_TRUE(frames_.is_allocated(PhysAddr(0x80004000)));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80005000)));
    // Overlapping reservation: only the new frame counts.
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80004000), 0x2000), Err::ok);
    EXPECT_EQ(frames_.free_count(), 61u);
    EXPECT_EQ(alloc_ok(), 0x80006000u);
}

TEST_F(FrameAllocTest, ReserveInTheMiddleIsSkippedByAlloc) {
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80005000), 3 * kPageSize), Err::ok);
    EXPECT_EQ(alloc_ok(), 0x80003000u);
    EXPECT_EQ(alloc_ok(), 0x80004000u);
    EXPECT_EQ(alloc_ok(), 0x80008000u);
    EXPECT_EQ(alloc_ok(4, 16 * KiB), 0x8000C000u);
}

TEST_F(FrameAllocTest, ReserveOutOfRangeChangesNothing) {
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80002000), 0x2000), Err::inval);  // starts below
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80042000), 0x1001), Err::inval);  // ends past
    EXPECT_EQ(frames_.reserve(PhysAddr(0xFFFFF000), 0xFFFFFFFFu), Err::inval);
    EXPECT_EQ(frames_.free_count(), 64u);
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80042000)));
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80042000), 0x1000), Err::ok);  // the last frame
    EXPECT_EQ(frames_.reserve(PhysAddr(0x80010000), 0), Err::ok);       // empty
    EXPECT_EQ(frames_.free_count(), 63u);
}

TEST_F(FrameAllocTest, ReserveEverything) {
    EXPECT_EQ(frames_.reserve(PhysAddr(kBase), kFrames * kPageSize), Err::ok);
    EXPECT_EQ(frames_.free_count(), 0u);
    EXPECT_EQ(frames_.alloc().error(), Err::nomem);
}

TEST_F(FrameAllocTest, OutsideRangeIsNotAllocated) {
    frames_.reserve(PhysAddr(kBase), kFrames * kPageSize);
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80002FFF)));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x80043000)));
    EXPECT_FALSE(frames_.is_allocated(PhysAddr(0x00000000)));
}

TEST_F(FrameAllocTest, DeterministicSequence) {
    // The same calls on a fresh allocator give the same frames, here written out.
    // A script of calls, with each answer worked out by hand.
    EXPECT_EQ(alloc_ok(), 0x80003000u);
    EXPECT_EQ(alloc_ok(), 0x80004000u);
    EXPECT_EQ(alloc_ok(4, 16 * KiB), 0x80008000u);  // 0x80004000 is taken
    EXPECT_EQ(frames_.free(PhysAddr(0x80004000)), Err::ok);
    EXPECT_EQ(alloc_ok(2), 0x80004000u);  // 0x80004000..0x80005FFF free again
    EXPECT_EQ(alloc_ok(), 0x80006000u);
    EXPECT_EQ(alloc_ok(1, 64 * KiB), 0x80010000u);

    // A second allocator given the same script answers the same.
    u32 other_bits[FrameAllocator::bitmap_words(kFrames)];
    FrameAllocator other(PhysAddr(kBase), kFrames, other_bits, FrameAllocator::bitmap_words(kFrames));
    EXPECT_EQ(other.alloc().value(), PhysAddr(0x80003000));
    EXPECT_EQ(other.alloc().value(), PhysAddr(0x80004000));
    EXPECT_EQ(other.alloc(4, 16 * KiB).value(), PhysAddr(0x80008000));
    EXPECT_EQ(other.free(PhysAddr(0x80004000)), Err::ok);
    EXPECT_EQ(other.alloc(2).value(), PhysAddr(0x80004000));
    EXPECT_EQ(other.alloc().value(), PhysAddr(0x80006000));
    EXPECT_EQ(other.alloc(1, 64 * KiB).value(), PhysAddr(0x80010000));
    EXPECT_EQ(other.free_count(), frames_.free_count());
}

TEST(FrameAllocStatic, RangeEndingAtFourGiB) {
    u32 bits[1];
    FrameAllocator a(PhysAddr(0xFFFF0000), 16, bits, 1);
    EXPECT_EQ(a.alloc(1, 0x80000000u).error(), Err::nomem);  // next boundary is 4 GiB itself
    EXPECT_EQ(a.alloc(16, 64 * KiB).value(), PhysAddr(0xFFFF0000));
    EXPECT_EQ(a.free(PhysAddr(0xFFFF0000), 16), Err::ok);
    EXPECT_EQ(a.alloc(1, 32 * KiB).value(), PhysAddr(0xFFFF0000));
    EXPECT_EQ(a.alloc(1, 32 * KiB).value(), PhysAddr(0xFFFF8000));
    EXPECT_EQ(a.alloc(1, 32 * KiB).error(), Err::nomem);
    EXPECT_EQ(a.free_count(), 14u);
    EXPECT_EQ(a.alloc(14).error(), Err::nomem);  // the two frames split the rest
    EXPECT_EQ(a.alloc(7).value(), PhysAddr(0xFFFF1000));
    EXPECT_EQ(a.alloc(7).value(), PhysAddr(0xFFFF9000));
    EXPECT_TRUE(a.is_allocated(PhysAddr(0xFFFFFFFF)));
    EXPECT_EQ(a.reserve(PhysAddr(0xFFFFF000), 0x1000), Err::ok);
    EXPECT_EQ(a.free(PhysAddr(0xFFFFF000)), Err::ok);
}

TEST(FrameAllocStatic, AddressZeroAndHugeAlignment) {
    u32 bits[2];
    FrameAllocator a(PhysAddr(0), 64, bits, 2);
    EXPECT_EQ(a.alloc(1, 0x80000000u).value(), PhysAddr(0));  // 0 is aligned to anything
    EXPECT_EQ(a.alloc(1, 0x80000000u).error(), Err::nomem);
    EXPECT_EQ(a.alloc(1, 128 * KiB).value(), PhysAddr(0x20000));
}

TEST(FrameAllocStatic, StaysInsideItsBitmapWords) {
    // 40 frames need 2 words; words 2 and 3 are someone else's.
    u32 storage[4] = {0xFFFFFFFF, 0xFFFFFFFF, 0xDEADBEEF, 0xCAFEF00D};
    FrameAllocator a(PhysAddr(0x100000), 40, storage, 2);
    EXPECT_EQ(storage[0], 0u);
    EXPECT_EQ(storage[1], 0u);
    for (u32 i = 0; i < 40; ++i) EXPECT_EQ(a.alloc().value(), PhysAddr(0x100000 + i * kPageSize));
    // Bits 40..63 of the bitmap are not frames: nothing more may be handed out.
    EXPECT_EQ(a.alloc().error(), Err::nomem);
    EXPECT_EQ(a.free_count(), 0u);
    EXPECT_EQ(storage[0], 0xFFFFFFFFu);
    EXPECT_EQ(storage[1], 0x000000FFu);
    EXPECT_EQ(storage[2], 0xDEADBEEFu);
    EXPECT_EQ(storage[3], 0xCAFEF00Du);
    EXPECT_EQ(a.free(PhysAddr(0x100000 + 40 * kPageSize)), Err::inval);
}

}  // namespace
}  // namespace xa
