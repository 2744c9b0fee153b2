// The hypercall argument rules (hypercall_checks.hh), one by one.
#include "hypercall_checks.hh"

#include <gtest/gtest.h>
#include <xen-arm/start_info.h>

using namespace xa;

namespace {

constexpr u32 kFrame = 0x00C23000;
constexpr u32 kKernelVa = XA_GUEST_KERNEL_BASE + 0x10000;
constexpr u32 kUserVa = XA_GUEST_USER_BASE + 0x5000;
constexpr u32 kLastVmmPages = XA_GUEST_KERNEL_END - XA_WINDOW_SIZE + XA_VMM_PAGES_OFFSET;  // 0xFBF00000

TEST(CheckGuestPageVa, AcceptsAlignedKernelAndUserPages) {
    EXPECT_EQ(checks::check_guest_page_va(kKernelVa), Err::ok);
    EXPECT_EQ(checks::check_guest_page_va(kUserVa), Err::ok);
    EXPECT_EQ(checks::check_guest_page_va(XA_GUEST_USER_END - 0x1000), Err::ok);
    // Up to the VMM-provided MiB of the last window, and between windows' VMM MiBs.
    EXPECT_EQ(checks::check_guest_page_va(kLastVmmPages - 0x1000), Err::ok);
    EXPECT_EQ(checks::check_guest_page_va(XA_GUEST_KERNEL_BASE + XA_WINDOW_SIZE), Err::ok);
    EXPECT_EQ(checks::check_guest_page_va(XA_GUEST_KERNEL_BASE + XA_PASSTHROUGH_OFFSET), Err::ok);
}

TEST(CheckGuestPageVa, RejectsMisalignedAndOutsideTheGuestRegions) {
    EXPECT_EQ(checks::check_guest_page_va(kKernelVa + 4), Err::inval);
    EXPECT_EQ(checks::check_guest_page_va(0x00000000), Err::inval);  // vectors
    EXPECT_EQ(checks::check_guest_page_va(0x20000000), Err::inval);  // NOR flash window
    EXPECT_EQ(checks::check_guest_page_va(XA_GUEST_USER_BASE - 0x1000), Err::inval);
    EXPECT_EQ(checks::check_guest_page_va(0xBF000000), Err::inval);  // XIP modules
    EXPECT_EQ(checks::check_guest_page_va(0xFC000000), Err::inval);  // VMM
    EXPECT_EQ(checks::check_guest_page_va(0xFF000000), Err::inval);
    EXPECT_EQ(checks::check_guest_page_va(0xFFFF0000), Err::inval);  // VMM vectors
}

TEST(CheckGuestPageVa, EveryWindowsVmmProvidedMibIsForbidden) {
    for (u32 w = 0; w < XA_WINDOW_COUNT; ++w) {
        SCOPED_TRACE(w);
        const u32 base = XA_GUEST_KERNEL_BASE + w * XA_WINDOW_SIZE;
        EXPECT_EQ(checks::check_guest_page_va(base + XA_SHARED_INFO_OFFSET), Err::perm);
        EXPECT_EQ(checks::check_guest_page_va(base + XA_START_INFO_OFFSET), Err::perm);
        EXPECT_EQ(checks::check_guest_page_va(base + XA_GRANT_TABLE_OFFSET), Err::perm);
        EXPECT_EQ(checks::check_guest_page_va(base + XA_WINDOW_SIZE - 0x1000), Err::perm);
        EXPECT_EQ(checks::check_guest_page_va(base + XA_VMM_PAGES_OFFSET - 0x1000), Err::ok);
        EXPECT_TRUE(checks::in_vmm_pages(base + XA_TRACE_PAGE_OFFSET));
        EXPECT_FALSE(checks::in_vmm_pages(base));
    }
    EXPECT_EQ(checks::check_guest_page_va(XA_GUEST_KERNEL_END - 0x1000), Err::perm);
    EXPECT_FALSE(checks::in_vmm_pages(XA_GUEST_USER_END - 0x1000));
    EXPECT_FALSE(checks::in_vmm_pages(XA_GUEST_KERNEL_END));
}

TEST(CheckPte, KernelPageIsKernelOnlyReadWriteCached) {
    const auto m = checks::check_pte(kKernelVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->frame, PhysAddr(kFrame));
    EXPECT_EQ(m->domain, mmu::Domain::guest_kernel);
    EXPECT_EQ(m->ap, mmu::Ap::priv_rw);
    EXPECT_EQ(m->mem, mmu::Mem::write_back);
}

TEST(CheckPte, KernelPageMustBeWritableAndNotUser) {
    EXPECT_EQ(checks::check_pte(kKernelVa, kFrame | XA_PTE_PRESENT).error(), Err::inval);
    EXPECT_EQ(checks::check_pte(kKernelVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER).error(), Err::inval);
}

TEST(CheckPte, UserPagesReadWriteOrReadOnly) {
    const auto rw = checks::check_pte(kUserVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER);
    ASSERT_TRUE(rw);
    EXPECT_EQ(rw->domain, mmu::Domain::guest_user);
    EXPECT_EQ(rw->ap, mmu::Ap::all_rw);
    const auto ro = checks::check_pte(kUserVa, kFrame | XA_PTE_PRESENT | XA_PTE_USER);
    ASSERT_TRUE(ro);
    EXPECT_EQ(ro->ap, mmu::Ap::priv_rw_user_ro);
    EXPECT_EQ(checks::check_pte(kUserVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW).error(), Err::inval);
}

TEST(CheckPte, UncachedIsDeviceMemory) {
    const auto m = checks::check_pte(kUserVa, kFrame | XA_PTE_PRESENT | XA_PTE_USER | XA_PTE_UNCACHED);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->mem, mmu::Mem::device);
}

TEST(CheckPte, UnknownFlagsAndMissingPresentAreRejected) {
    EXPECT_EQ(checks::check_pte(kKernelVa, kFrame | XA_PTE_RW).error(), Err::inval);
    EXPECT_EQ(checks::check_pte(kKernelVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW | 0x010).error(), Err::inval);
    EXPECT_EQ(checks::check_pte(kKernelVa, kFrame | XA_PTE_PRESENT | XA_PTE_RW | 0x800).error(), Err::inval);
}

TEST(CheckPte, AddressRulesComeFirst) {
    EXPECT_EQ(checks::check_pte(0xFF000000, kFrame | XA_PTE_PRESENT | XA_PTE_RW).error(), Err::inval);
    EXPECT_EQ(
        checks::check_pte(XA_GUEST_KERNEL_BASE + XA_SHARED_INFO_OFFSET, kFrame | XA_PTE_PRESENT | XA_PTE_RW).error(),
        Err::perm);
    EXPECT_EQ(checks::check_pte(kKernelVa + 0x800, kFrame | XA_PTE_PRESENT | XA_PTE_RW).error(), Err::inval);
}

TEST(CheckUvmfFlags, OnlyTheFlushTypeBits) {
    EXPECT_EQ(checks::check_uvmf_flags(UVMF_NONE), Err::ok);
    EXPECT_EQ(checks::check_uvmf_flags(UVMF_TLB_FLUSH), Err::ok);
    EXPECT_EQ(checks::check_uvmf_flags(UVMF_INVLPG), Err::ok);
    EXPECT_EQ(checks::check_uvmf_flags(4), Err::inval);
    EXPECT_EQ(checks::check_uvmf_flags(0x80000000u), Err::inval);
}

TEST(CheckTrapTable, ZeroOrAlignedKernelAddresses) {
    u32 t[XA_TRAP_COUNT] = {0, kKernelVa, kKernelVa + 4, 0, 0, 0, kLastVmmPages - 4, 0};
    EXPECT_EQ(checks::check_trap_table(t), Err::ok);
    const u32 bad[] = {kKernelVa + 2,
                       XA_GUEST_USER_BASE,
                       kLastVmmPages,
                       XA_GUEST_KERNEL_BASE + XA_VMM_PAGES_OFFSET,
                       0xFF000000u,
                       0xFFFF0000u,
                       4u};
    for (u32 b : bad) {
        u32 tt[XA_TRAP_COUNT] = {};
        tt[XA_TRAP_DABT] = b;
        EXPECT_EQ(checks::check_trap_table(tt), Err::inval) << std::hex << b;
    }
}

TEST(CheckVpsr, OnlyVirtualKernelOrUserMode) {
    EXPECT_EQ(checks::check_vpsr(XA_VPSR_MODE_KERNEL), Err::ok);
    EXPECT_EQ(checks::check_vpsr(XA_VPSR_MODE_USER | XA_VPSR_I | XA_VPSR_FLAGS), Err::ok);
    EXPECT_EQ(checks::check_vpsr(0x1F), Err::inval);  // SYS
    EXPECT_EQ(checks::check_vpsr(0x12), Err::inval);  // IRQ
    EXPECT_EQ(checks::check_vpsr(0), Err::inval);
}

}  // namespace
