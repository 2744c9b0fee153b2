// check_guest_range: the ARMv5 domain/AP rules for a USR-mode access, walked over a real
// PageTable built in fake RAM (as in test_page_table.cc).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "guest_access.hh"
#include "layout.hh"

namespace xa {
namespace {

using mmu::Ap;
using mmu::Domain;
using mmu::Mem;

constexpr u32 kPhysBase = 0x80000000;
constexpr u32 kMemSize = 128 * KiB;
constexpr u32 kMemFrames = kMemSize / kPageSize;

constexpr u32 kKernel = mmu::kDacrGuestKernel;  // 0x17D
constexpr u32 kUser = mmu::kDacrGuestUser;      // 0x55

// Guest layout used by every test:
//   0xC0000000, 0xC0001000  kernel pages   (domain 1, AP priv_rw)
//   0xC0002000              unmapped
//   0xC0100000-0xC01FFFFF   kernel section (domain 1, AP priv_rw)
//   0x40000000              user page, AP 2 (user read-only)
//   0x40001000              user page, AP 3 (user read/write)
//   0x40002000              unmapped
//   0x40100000-0x402FFFFF   two user sections, AP 3
//   0xFBF00000              kernel page at the top of the guest region (domain 1)
//   0xFF000000              a VMM section with AP 3 in the VMM domain (as if mis-mapped)
class GuestAccessTest : public ::testing::Test {
protected:
    GuestAccessTest()
        : ram_(static_cast<u8*>(std::aligned_alloc(16 * KiB, kMemSize))),
          window_(PhysAddr(kPhysBase), kMemSize, reinterpret_cast<uintptr_t>(ram_)),
          frames_(PhysAddr(kPhysBase), kMemFrames, bits_, FrameAllocator::bitmap_words(kMemFrames)),
          pt_(frames_.alloc(4, mmu::kL1Align).value(), window_, frames_) {
        std::memset(ram_, 0xA5, kMemSize);
    }
    ~GuestAccessTest() override { std::free(ram_); }

    void SetUp() override {
        ASSERT_EQ(pt_.clear(), Err::ok);
        page(0xC0000000, 0x10000000, Domain::guest_kernel, Ap::priv_rw);
        page(0xC0001000, 0x10001000, Domain::guest_kernel, Ap::priv_rw);
        ASSERT_EQ(pt_.map_section(VirtAddr(0xC0100000), PhysAddr(0x10100000), Domain::guest_kernel, Ap::priv_rw,
                                  Mem::write_back),
                  Err::ok);
        page(0x40000000, 0x20000000, Domain::guest_user, Ap::priv_rw_user_ro);
        page(0x40001000, 0x20001000, Domain::guest_user, Ap::all_rw);
        ASSERT_EQ(pt_.map_sections(VirtAddr(0x40100000), PhysAddr(0x20100000), 2 * MiB, Domain::guest_user,
                                   Ap::all_rw, Mem::write_back),
                  Err::ok);
        page(0xFBFFF000, 0x10002000, Domain::guest_kernel, Ap::priv_rw);
        ASSERT_EQ(pt_.map_section(VirtAddr(0xFF000000), PhysAddr(0x00000000), Domain::vmm, Ap::all_rw,
                                  Mem::write_back),
                  Err::ok);
    }

    void page(u32 va, u32 pa, Domain d, Ap ap) {
        ASSERT_EQ(pt_.map_page(VirtAddr(va), PhysAddr(pa), d, ap, Mem::write_back), Err::ok);
    }

    Err check(u32 dacr, u32 va, u32 len, Access a) { return check_guest_range(pt_, dacr, VirtAddr(va), len, a); }

    u8* ram_;
    PhysWindow window_;
    u32 bits_[FrameAllocator::bitmap_words(kMemFrames)];
    FrameAllocator frames_;
    PageTable pt_;
};

TEST_F(GuestAccessTest, EmptyRangeTouchesNothing) {
    EXPECT_EQ(check(kUser, 0xC0002000, 0, Access::write), Err::ok);  // unmapped
    EXPECT_EQ(check(kUser, 0xFF000000, 0, Access::write), Err::ok);  // VMM
    EXPECT_EQ(check(0, 0xFFFFFFFF, 0, Access::read), Err::ok);
}

TEST_F(GuestAccessTest, KernelPagesNeedTheKernelModeDacr) {
    // Virtual kernel mode: domain 1 is manager, so the privileged-only AP is bypassed.
    EXPECT_EQ(check(kKernel, 0xC0000000, 8 * KiB, Access::read), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC0000000, 8 * KiB, Access::write), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC0000FFC, 8, Access::write), Err::ok);  // across the page boundary
    // Virtual user mode: domain 1 is client and AP 1 refuses user access.
    EXPECT_EQ(check(kUser, 0xC0000000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kUser, 0xC0001FFF, 1, Access::write), Err::fault);
    EXPECT_EQ(check(kUser, 0xC0100000, 4, Access::read), Err::fault);  // kernel section too
}

TEST_F(GuestAccessTest, NoAccessAndReservedDomainFieldsFault) {
    const u32 kernel_none = kKernel & ~mmu::dacr_field(Domain::guest_kernel, mmu::DomainAccess::manager);
    const u32 kernel_reserved = kernel_none | (2u << (2 * static_cast<u32>(Domain::guest_kernel)));
    EXPECT_EQ(kernel_none, 0x171u);
    EXPECT_EQ(kernel_reserved, 0x179u);
    EXPECT_EQ(check(kernel_none, 0xC0000000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kernel_reserved, 0xC0000000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kernel_none, 0xC0100000, 4, Access::read), Err::fault);
    // User pages (domain 3) are unaffected by the kernel's field.
    EXPECT_EQ(check(kernel_none, 0x40001000, 4, Access::write), Err::ok);
    // A user page whose domain field is "no access".
    EXPECT_EQ(check(kKernel & ~mmu::dacr_field(Domain::guest_user, mmu::DomainAccess::client), 0x40001000, 4,
                    Access::read),
              Err::fault);
}

TEST_F(GuestAccessTest, UserReadOnlyPageIsReadableNotWritable) {
    for (u32 dacr : {kKernel, kUser}) {
        SCOPED_TRACE(dacr);
        EXPECT_EQ(check(dacr, 0x40000000, 4 * KiB, Access::read), Err::ok);
        EXPECT_EQ(check(dacr, 0x40000000, 4 * KiB, Access::write), Err::fault);
        EXPECT_EQ(check(dacr, 0x40000FFF, 1, Access::write), Err::fault);
        EXPECT_EQ(check(dacr, 0x40001000, 4 * KiB, Access::write), Err::ok);
        // A write spanning the read-only page and the writable one fails as a whole...
        EXPECT_EQ(check(dacr, 0x40000FF0, 0x20, Access::write), Err::fault);
        // ...a read of the same bytes is fine.
        EXPECT_EQ(check(dacr, 0x40000FF0, 0x20, Access::read), Err::ok);
    }
}

TEST_F(GuestAccessTest, ReadOnlyGrantMapsAreReadableInKernelModeOnly) {
    // Read-only grant maps: ARM domain 4 with AP privileged RW / user read-only, in a MiB
    // of their own; a read-write kernel page right after, in the next MiB.
    page(0xC02FE000, 0x30000000, Domain::guest_kernel_ro, mmu::kApGuestKernelRo);
    page(0xC02FF000, 0x30001000, Domain::guest_kernel_ro, mmu::kApGuestKernelRo);
    page(0xC0300000, 0x10004000, Domain::guest_kernel, Ap::priv_rw);
    // Virtual kernel mode: domain 4 is a client, so the AP holds: read yes, write no.
    EXPECT_EQ(check(kKernel, 0xC02FE000, 8 * KiB, Access::read), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC02FE000, 4, Access::write), Err::fault);
    EXPECT_EQ(check(kKernel, 0xC02FFFFF, 1, Access::write), Err::fault);
    // A hypercall buffer that straddles the read-only map and the read-write page.
    EXPECT_EQ(check(kKernel, 0xC02FFFF0, 0x20, Access::read), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC02FFFF0, 0x20, Access::write), Err::fault);
    EXPECT_EQ(check(kKernel, 0xC0300000, 0x20, Access::write), Err::ok);
    // Virtual user mode: domain 4 is no-access, so not even a read.
    EXPECT_EQ(check(kUser, 0xC02FE000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kUser, 0xC02FF000, 4, Access::write), Err::fault);
    // Were domain 4 a manager (as domain 1 is), the map would be writable: the DACR is
    // what makes it read-only.
    EXPECT_EQ(check(kKernel | mmu::dacr_field(Domain::guest_kernel_ro, mmu::DomainAccess::manager), 0xC02FE000, 4,
                    Access::write),
              Err::ok);
}

TEST_F(GuestAccessTest, ManagerDomainIgnoresApEvenNoAccess) {
    page(0xC0003000, 0x10003000, Domain::guest_kernel, Ap::no_access);
    EXPECT_EQ(check(kKernel, 0xC0003000, 4, Access::write), Err::ok);
    EXPECT_EQ(check(kUser, 0xC0003000, 4, Access::read), Err::fault);
}

TEST_F(GuestAccessTest, VmmAddressesAlwaysFault) {
    // Mapped with user RW in the VMM domain; even an all-manager DACR must not let a guest
    // pointer reach it.
    EXPECT_EQ(check(0xFFFFFFFF, 0xFF000000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kKernel, 0xFF000000, 4, Access::read), Err::fault);
    EXPECT_EQ(check(kKernel, layout::kVmmBase, 1, Access::read), Err::fault);
    EXPECT_EQ(check(kKernel, 0xFFFFFFFF, 1, Access::read), Err::fault);
    // The last guest byte is fine; one more byte reaches the VMM.
    EXPECT_EQ(check(kKernel, 0xFBFFFFFF, 1, Access::write), Err::ok);
    EXPECT_EQ(check(kKernel, 0xFBFFF000, 4 * KiB, Access::write), Err::ok);
    EXPECT_EQ(check(kKernel, 0xFBFFF000, 4 * KiB + 1, Access::read), Err::fault);
}

TEST_F(GuestAccessTest, RangesWrappingPast4GiBFault) {
    EXPECT_EQ(check(0xFFFFFFFF, 0xFFFFFFF0, 0x20, Access::read), Err::fault);
    EXPECT_EQ(check(kKernel, 0x40001000, 0xFFFFFFFF, Access::read), Err::fault);
    // Ends exactly at 4 GiB (no wrap) but inside the VMM: still a fault.
    EXPECT_EQ(check(0xFFFFFFFF, 0xFFFFF000, 0x1000, Access::read), Err::fault);
    // A range that would wrap round to mapped low memory: 0xC0000000 + 0x40000010.
    page(0x00000000, 0x10004000, Domain::guest_kernel, Ap::priv_rw);
    EXPECT_EQ(check(kKernel, 0xC0000000, 0x40000010, Access::read), Err::fault);
}

TEST_F(GuestAccessTest, SpanIntoUnmappedPageFaults) {
    EXPECT_EQ(check(kKernel, 0xC0001FF0, 0x10, Access::write), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC0001FF0, 0x11, Access::write), Err::fault);
    EXPECT_EQ(check(kUser, 0x40001FFF, 2, Access::read), Err::fault);
    EXPECT_EQ(check(kKernel, 0xC0002000, 1, Access::read), Err::fault);
    // Unmapped MiB (no L1 entry at all) in the middle of a range.
    EXPECT_EQ(check(kKernel, 0xC0000000, 2 * MiB, Access::read), Err::fault);
    // The hole may be the first byte.
    EXPECT_EQ(check(kKernel, 0xC0002FFF, 0x2000, Access::read), Err::fault);
}

TEST_F(GuestAccessTest, Sections) {
    EXPECT_EQ(check(kKernel, 0xC0100000, 1 * MiB, Access::write), Err::ok);
    EXPECT_EQ(check(kKernel, 0xC0100000, 1 * MiB + 1, Access::read), Err::fault);  // 0xC0200000 unmapped
    EXPECT_EQ(check(kUser, 0x40100000, 2 * MiB, Access::write), Err::ok);          // two sections
    EXPECT_EQ(check(kUser, 0x400FFFFF, 2, Access::read), Err::fault);              // 0x400FFFFF unmapped
    EXPECT_EQ(check(kUser, 0x402FFFF0, 0x10, Access::write), Err::ok);
    EXPECT_EQ(check(kUser, 0x402FFFF0, 0x11, Access::write), Err::fault);
    // A range from a small page into the section that follows it (page walk, then
    // section walk).
    page(0xC00FF000, 0x100FF000, Domain::guest_kernel, Ap::priv_rw);
    EXPECT_EQ(check(kKernel, 0xC00FF800, 0x1000, Access::write), Err::ok);
    EXPECT_EQ(check(kUser, 0xC00FF800, 0x1000, Access::read), Err::fault);
}

TEST_F(GuestAccessTest, SubpageApIsHonoured) {
    // Give the user RW page a read-only third subpage (0x40001800-0x40001BFF) by editing
    // its descriptor: the walk must use the subpage's AP field, as the MMU does.
    const u32 l1 = pt_.l1_entry(0x400);
    ASSERT_EQ(mmu::l1_type(l1), mmu::L1Type::coarse);
    u32* l2 = window_.ptr<u32>(mmu::l1_coarse_base(l1));
    u32& desc = l2[1];
    ASSERT_EQ(mmu::l2_small_base(desc), PhysAddr(0x20001000));
    desc = (desc & ~(3u << 8)) | (2u << 8);  // AP2 (subpage 2) = user read-only
    EXPECT_EQ(check(kUser, 0x40001000, 0x800, Access::write), Err::ok);
    EXPECT_EQ(check(kUser, 0x40001000, 0x801, Access::write), Err::fault);
    EXPECT_EQ(check(kUser, 0x40001BFF, 1, Access::write), Err::fault);
    EXPECT_EQ(check(kUser, 0x40001C00, 0x400, Access::write), Err::ok);
    EXPECT_EQ(check(kUser, 0x40001000, 0x1000, Access::read), Err::ok);
}

}  // namespace
}  // namespace xa
