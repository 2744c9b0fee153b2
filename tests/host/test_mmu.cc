// Descriptor encodings against values computed by hand from the ARM926EJ-S TRM (DDI0198)
// section 3: section descriptor [31:20] base, [11:10] AP, [8:5] domain, [4] 1, [3] C,
// [2] B, [1:0] 0b10; coarse descriptor [31:10] base, [8:5] domain, [4] 1, [1:0] 0b01;
// small page [31:12] base, AP3..AP0 in [11:4], [3] C, [2] B, [1:0] 0b10.
#include <gtest/gtest.h>

#include <string>

#include "mmu.hh"

namespace xa::mmu {
namespace {

constexpr Domain kAllDomains[] = {Domain::vmm, Domain::guest_kernel, Domain::guest_user, Domain::guest_kernel_ro,
                                  static_cast<Domain>(15)};
constexpr Ap kAllAps[] = {Ap::no_access, Ap::priv_rw, Ap::priv_rw_user_ro, Ap::all_rw};
constexpr Mem kAllMems[] = {Mem::device, Mem::buffered, Mem::write_through, Mem::write_back};

TEST(Mmu, EnumValuesAreHardwareFields) {
    EXPECT_EQ(static_cast<u32>(Domain::vmm), 0u);
    EXPECT_EQ(static_cast<u32>(Domain::guest_kernel), 1u);
    EXPECT_EQ(static_cast<u32>(Domain::guest_user), 2u);
    EXPECT_EQ(static_cast<u32>(Domain::guest_kernel_ro), 3u);
    // Tag t's domains are 1 + 3t, 2 + 3t, 3 + 3t: five tags use 1..15.
    EXPECT_EQ(static_cast<u32>(tagged(Domain::guest_kernel, 1)), 4u);
    EXPECT_EQ(static_cast<u32>(tagged(Domain::guest_user, 2)), 8u);
    EXPECT_EQ(static_cast<u32>(tagged(Domain::guest_kernel_ro, 4)), 15u);
    EXPECT_EQ(tag_of(static_cast<Domain>(13)), 4u);
    EXPECT_EQ(tag_of(Domain::guest_kernel_ro), 0u);
    EXPECT_EQ(static_cast<u32>(Ap::no_access), 0b00u);
    EXPECT_EQ(static_cast<u32>(Ap::priv_rw), 0b01u);
    EXPECT_EQ(static_cast<u32>(Ap::priv_rw_user_ro), 0b10u);
    EXPECT_EQ(static_cast<u32>(Ap::all_rw), 0b11u);
    // Mem is C:B.
    EXPECT_EQ(static_cast<u32>(Mem::device), 0b00u);
    EXPECT_EQ(static_cast<u32>(Mem::buffered), 0b01u);
    EXPECT_EQ(static_cast<u32>(Mem::write_through), 0b10u);
    EXPECT_EQ(static_cast<u32>(Mem::write_back), 0b11u);
}

TEST(Mmu, SectionDescriptorBits) {
    // 0x12300000 | AP=01 <<10 (0x400) | D1 <<5 (0x20) | bit4 (0x10) | C=1 B=1 (0xC) | 0b10
    EXPECT_EQ(l1_section(PhysAddr(0x12300000), Domain::guest_kernel, Ap::priv_rw, Mem::write_back), 0x1230043Eu);
    // Low address bits are dropped: only [31:20] survive.
    EXPECT_EQ(l1_section(PhysAddr(0x123FFFFF), Domain::guest_kernel, Ap::priv_rw, Mem::write_back), 0x1230043Eu);
    // A device section (registers at 0x10000000), domain 2, priv RW, C=B=0:
    // 0x10000000 | 0x400 | 2<<5 (0x40) | 0x10 | 0 | 2 = 0x10000452
    EXPECT_EQ(l1_section(PhysAddr(0x10000000), Domain::guest_user, Ap::priv_rw, Mem::device), 0x10000452u);
    // All fields at their maximum: 0xFFF00000 | AP=11 (0xC00) | D15 (0x1E0) | 0x10 | 0xC | 2
    EXPECT_EQ(l1_section(PhysAddr(0xFFF00000), static_cast<Domain>(15), Ap::all_rw, Mem::write_back), 0xFFF00DFEu);
    // Minimum: base 0, everything zero except bit 4 and the type.
    EXPECT_EQ(l1_section(PhysAddr(0), Domain::vmm, Ap::no_access, Mem::device), 0x00000012u);
    // Write-through is C only (bit 3), buffered B only (bit 2).
    EXPECT_EQ(l1_section(PhysAddr(0), Domain::vmm, Ap::no_access, Mem::write_through), 0x0000001Au);
    EXPECT_EQ(l1_section(PhysAddr(0), Domain::vmm, Ap::no_access, Mem::buffered), 0x00000016u);
    // priv_rw_user_ro: AP=10 -> bit 11.
    EXPECT_EQ(l1_section(PhysAddr(0), Domain::vmm, Ap::priv_rw_user_ro, Mem::device), 0x00000812u);
}

TEST(Mmu, CoarseDescriptorBits) {
    // 0xC0004400 | D1<<5 (0x20) | bit4 (0x10) | 0b01
    EXPECT_EQ(l1_coarse(PhysAddr(0xC0004400), Domain::guest_kernel), 0xC0004431u);
    // Bits [9:0] of the table address are dropped (1 KiB aligned tables).
    EXPECT_EQ(l1_coarse(PhysAddr(0xC00047FF), Domain::guest_kernel), 0xC0004431u);
    EXPECT_EQ(l1_coarse(PhysAddr(0x00000C00), Domain::vmm), 0x00000C11u);
    EXPECT_EQ(l1_coarse(PhysAddr(0xFFFFFC00), Domain::guest_user), 0xFFFFFC51u);
    // Domain 3 (tag 0's read-only grant maps): 3<<5 = 0x60; tag 4's (15): 0x1E0.
    EXPECT_EQ(l1_coarse(PhysAddr(0xC0004400), Domain::guest_kernel_ro), 0xC0004471u);
    EXPECT_EQ(l1_coarse(PhysAddr(0xC0004400), tagged(Domain::guest_kernel_ro, 4)), 0xC00045F1u);
}

TEST(Mmu, SmallPageDescriptorBits) {
    // 0x00123000 | AP=01 in all four subpages (0x400|0x100|0x40|0x10 = 0x550) | C B (0xC) | 0b10
    EXPECT_EQ(l2_small(PhysAddr(0x00123000), Ap::priv_rw, Mem::write_back), 0x0012355Eu);
    // AP=11 everywhere: 0xFF0; device: 0
    EXPECT_EQ(l2_small(PhysAddr(0xFFFFF000), Ap::all_rw, Mem::device), 0xFFFFFFF2u);
    // AP=10 everywhere: 0xAA0; buffered: B only
    EXPECT_EQ(l2_small(PhysAddr(0x80000FFF), Ap::priv_rw_user_ro, Mem::buffered), 0x80000AA6u);
    EXPECT_EQ(l2_small(PhysAddr(0x80000000), Ap::no_access, Mem::write_through), 0x8000000Au);
}

TEST(Mmu, TypesOfRawDescriptors) {
    EXPECT_EQ(l1_type(0x00000000u), L1Type::fault);
    EXPECT_EQ(l1_type(0xC0004431u), L1Type::coarse);
    EXPECT_EQ(l1_type(0x1230043Eu), L1Type::section);
    EXPECT_EQ(l1_type(0x00000013u), L1Type::fine);
    EXPECT_EQ(l2_type(0x00000000u), L2Type::fault);
    EXPECT_EQ(l2_type(0x00010001u), L2Type::large);
    EXPECT_EQ(l2_type(0x0012355Eu), L2Type::small);
    EXPECT_EQ(l2_type(0x00000003u), L2Type::tiny);
}

TEST(Mmu, SectionDecodersRoundTrip) {
    for (Domain d : kAllDomains) {
        for (Ap ap : kAllAps) {
            for (Mem mem : kAllMems) {
                const u32 desc = l1_section(PhysAddr(0xABC00000), d, ap, mem);
                EXPECT_EQ(l1_type(desc), L1Type::section);
                EXPECT_EQ(l1_domain(desc), d);
                EXPECT_EQ(l1_section_ap(desc), ap);
                EXPECT_EQ(l1_section_mem(desc), mem);
                EXPECT_EQ(l1_section_base(desc), PhysAddr(0xABC00000));
                EXPECT_EQ(desc & 0x210u, 0x010u) << "bit 4 set, bit 9 (ARM926 SBZ) clear";
            }
        }
    }
}

TEST(Mmu, CoarseAndSmallDecodersRoundTrip) {
    for (Domain d : kAllDomains) {
        const u32 desc = l1_coarse(PhysAddr(0x01234C00), d);
        EXPECT_EQ(l1_type(desc), L1Type::coarse);
        EXPECT_EQ(l1_domain(desc), d);
        EXPECT_EQ(l1_coarse_base(desc), PhysAddr(0x01234C00));
    }
    for (Ap ap : kAllAps) {
        for (Mem mem : kAllMems) {
            const u32 desc = l2_small(PhysAddr(0x7654F000), ap, mem);
            EXPECT_EQ(l2_type(desc), L2Type::small);
            EXPECT_EQ(l2_small_ap(desc), ap);
            EXPECT_EQ(l2_small_mem(desc), mem);
            EXPECT_EQ(l2_small_base(desc), PhysAddr(0x7654F000));
        }
    }
}

TEST(Mmu, Indices) {
    EXPECT_EQ(l1_index(VirtAddr(0x00000000)), 0u);
    EXPECT_EQ(l1_index(VirtAddr(0x000FFFFF)), 0u);
    EXPECT_EQ(l1_index(VirtAddr(0x00100000)), 1u);
    EXPECT_EQ(l1_index(VirtAddr(0xC0123456)), 0xC01u);
    EXPECT_EQ(l1_index(VirtAddr(0xFFFF0000)), 0xFFFu);
    EXPECT_EQ(l2_index(VirtAddr(0xC0123456)), 0x23u);
    EXPECT_EQ(l2_index(VirtAddr(0xFFFF0000)), 0xF0u);
    EXPECT_EQ(l2_index(VirtAddr(0x000FF000)), 0xFFu);
    EXPECT_EQ(l2_index(VirtAddr(0x00100FFF)), 0x00u);
}

TEST(Mmu, TableGeometry) {
    EXPECT_EQ(kL1Entries, 4096u);
    EXPECT_EQ(kL1Size, 16384u);
    EXPECT_EQ(kL1Align, 16384u);
    EXPECT_EQ(kL2CoarseEntries, 256u);
    EXPECT_EQ(kL2CoarseSize, 1024u);
}

TEST(Mmu, DacrValues) {
    // Two bits per domain, D0 in [1:0]: client = 01, manager = 11.
    EXPECT_EQ(dacr_field(Domain::vmm, DomainAccess::client), 0x1u);
    EXPECT_EQ(dacr_field(Domain::guest_kernel, DomainAccess::manager), 0xCu);
    EXPECT_EQ(dacr_field(Domain::guest_user, DomainAccess::client), 0x10u);
    EXPECT_EQ(dacr_field(Domain::guest_user, DomainAccess::none), 0x0u);
    EXPECT_EQ(dacr_field(Domain::guest_kernel_ro, DomainAccess::client), 0x40u);
    EXPECT_EQ(dacr_field(Domain::guest_kernel_ro, DomainAccess::manager), 0xC0u);
    EXPECT_EQ(kDacrVmm, 0x01u);
    EXPECT_EQ(kDacrGuestKernel, 0x5Du);  // 01 | 11<<2 | 01<<4 | 01<<6
    EXPECT_EQ(kDacrGuestUser, 0x15u);    // 01 | 01<<2 | 01<<4 | 00<<6
    EXPECT_EQ(dacr_access(0x5D, Domain::vmm), DomainAccess::client);
    EXPECT_EQ(dacr_access(0x5D, Domain::guest_kernel), DomainAccess::manager);
    EXPECT_EQ(dacr_access(0x5D, Domain::guest_user), DomainAccess::client);
    EXPECT_EQ(dacr_access(0x5D, Domain::guest_kernel_ro), DomainAccess::client);
    EXPECT_EQ(dacr_access(0x15, Domain::guest_kernel_ro), DomainAccess::none);
    // Tag 2 (domains 7, 8, 9): the same shape, shifted by 2 * 3 * 2 bits; VMM client.
    EXPECT_EQ(dacr_guest_kernel(2), 0x1u | (0x5Cu << 12));
    EXPECT_EQ(dacr_guest_user(2), 0x1u | (0x14u << 12));
    EXPECT_EQ(dacr_access(0xFFFFFFFFu, static_cast<Domain>(15)), DomainAccess::manager);
}

// The ARMv5 access check (S=R=0), written out from the TRM, applied to the values xen-arm
// loads: what the USR-mode guest may do with each kind of page in each virtual mode.
enum class Can { nothing, read, read_write };
Can user_access(u32 dacr, Domain d, Ap ap) {
    switch (dacr_access(dacr, d)) {
        case DomainAccess::manager: return Can::read_write;
        case DomainAccess::client:
            return ap == Ap::all_rw ? Can::read_write : ap == Ap::priv_rw_user_ro ? Can::read : Can::nothing;
        default: return Can::nothing;
    }
}

TEST(Mmu, VirtualModesSeeEachKindOfPage) {
    struct Case {
        const char* what;
        Domain d;
        Ap ap;
        Can kernel, user;
    };
    const Case cases[] = {
        {"VMM page", Domain::vmm, Ap::priv_rw, Can::nothing, Can::nothing},
        {"guest kernel page / read-write grant map", Domain::guest_kernel, Ap::priv_rw, Can::read_write, Can::nothing},
        {"I/O page (a passed-through device: kernel domain, uncached)", Domain::guest_kernel, Ap::priv_rw,
         Can::read_write, Can::nothing},
        {"user page", Domain::guest_user, Ap::all_rw, Can::read_write, Can::read_write},
        {"read-only user page", Domain::guest_user, Ap::priv_rw_user_ro, Can::read, Can::read},
        {"read-only grant map", Domain::guest_kernel_ro, kApGuestKernelRo, Can::read, Can::nothing},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        EXPECT_EQ(user_access(kDacrGuestKernel, c.d, c.ap), c.kernel);
        EXPECT_EQ(user_access(kDacrGuestUser, c.d, c.ap), c.user);
    }
    EXPECT_EQ(kApGuestKernelRo, Ap::priv_rw_user_ro);
    // A read-only map's small-page descriptor: AP=10 in all four subpages (0xAA0).
    EXPECT_EQ(l2_small(PhysAddr(0x00123000), kApGuestKernelRo, Mem::write_back), 0x00123AAEu);
    // Domains 5..15 are no-access in both modes, whatever the AP.
    for (u32 d = 5; d < 16; ++d) {
        EXPECT_EQ(user_access(kDacrGuestKernel, static_cast<Domain>(d), Ap::all_rw), Can::nothing);
        EXPECT_EQ(user_access(kDacrGuestUser, static_cast<Domain>(d), Ap::all_rw), Can::nothing);
    }
}

TEST(Mmu, ControlBits) {
    EXPECT_EQ(ctrl::mmu, 0x1u);
    EXPECT_EQ(ctrl::align, 0x2u);
    EXPECT_EQ(ctrl::dcache, 0x4u);
    EXPECT_EQ(ctrl::sys, 0x100u);
    EXPECT_EQ(ctrl::rom, 0x200u);
    EXPECT_EQ(ctrl::icache, 0x1000u);
    EXPECT_EQ(ctrl::high_vectors, 0x2000u);
}

TEST(Mmu, FaultStatusNames) {
    EXPECT_EQ(std::string(fault_status_name(0x1)), "alignment");
    EXPECT_EQ(std::string(fault_status_name(0x3)), "alignment");
    EXPECT_EQ(std::string(fault_status_name(0x5)), "translation fault (section)");
    EXPECT_EQ(std::string(fault_status_name(0x7)), "translation fault (page)");
    EXPECT_EQ(std::string(fault_status_name(0x9)), "domain fault (section)");
    EXPECT_EQ(std::string(fault_status_name(0xB)), "domain fault (page)");
    EXPECT_EQ(std::string(fault_status_name(0xD)), "permission fault (section)");
    EXPECT_EQ(std::string(fault_status_name(0xF)), "permission fault (page)");
    EXPECT_EQ(std::string(fault_status_name(0xC)), "external abort on translation (first level)");
    EXPECT_EQ(std::string(fault_status_name(0xE)), "external abort on translation (second level)");
    EXPECT_EQ(std::string(fault_status_name(0x8)), "external abort on non-linefetch (section)");
    EXPECT_EQ(std::string(fault_status_name(0xA)), "external abort on non-linefetch (page)");
    EXPECT_EQ(std::string(fault_status_name(0x4)), "external abort on linefetch (section)");
    EXPECT_EQ(std::string(fault_status_name(0x6)), "external abort on linefetch (page)");
    EXPECT_EQ(std::string(fault_status_name(0x0)), "vector exception");
    EXPECT_EQ(std::string(fault_status_name(0x2)), "terminal exception");
    // Only FSR[3:0] is the status; the domain in [7:4] must not change the name.
    EXPECT_EQ(std::string(fault_status_name(0xF5)), "translation fault (section)");
    EXPECT_EQ(std::string(fault_status_name(0x1F)), "permission fault (page)");
}

}  // namespace
}  // namespace xa::mmu
