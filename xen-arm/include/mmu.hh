// ARMv5 (ARM926EJ-S) translation-table descriptors and access-control values, built by
// constexpr functions so that the encodings are checked at compile time and in host tests.
// Bit positions: ARM926EJ-S TRM DDI0198, section 3 ("Memory Management Unit").
#pragma once

#include "types.hh"

namespace xa::mmu {

// ---- ARM domains (DACR) ---------------------------------------------------------------
// xen-arm's use of the 16 ARM domains. Domain 0 is the VMM's. Each guest gets three, in
// the way of Secure Xen on ARM, so that a virtual privilege change is a single DACR write
// instead of a page-table change: guest_kernel (its kernel pages and passed-through device
// registers), guest_user (user space) and guest_kernel_ro (the kernel's read-only grant maps,
// GNTMAP_readonly: guest_kernel is "manager" in virtual kernel mode, which ignores AP and so
// cannot express read-only, while guest_kernel_ro is a client there, so its pages' AP
// (privileged RW, user read-only) lets the USR-mode guest kernel read and not write them;
// in virtual user mode it is no-access). The domain is per MiB (the L1 descriptor carries
// it): read-only grant maps live in MiBs of their own (grant_table.h).
//
// The three are a *tag*: tag t uses domains 1 + 3t, 2 + 3t and 3 + 3t, so five tags fit.
// A domain's descriptors carry its own tag's domains and its DACR opens no other tag, so a
// TLB entry another domain left behind faults (domain fault) instead of translating: with
// kernels in windows of their own (start_info.h), that is what lets a switch between
// domains keep the TLB and the VIVT caches (Wiggins, Tuch, Uhlig and Heiser, "Fast
// Address-Space Switching on the StrongARM SA-1100 Processor", use domains the same way).
// The enumerators below are tag 0's; tagged() gives another tag's.
enum class Domain : u32 { vmm = 0, guest_kernel = 1, guest_user = 2, guest_kernel_ro = 3 };
enum class DomainAccess : u32 { none = 0, client = 1, manager = 3 };

inline constexpr u32 kTagCount = 5;
inline constexpr u32 kDomainsPerTag = 3;
// role: a guest domain of tag 0 (not vmm).
constexpr Domain tagged(Domain role, u32 tag) {
    return static_cast<Domain>(static_cast<u32>(role) + kDomainsPerTag * tag);
}
// The tag a guest ARM domain belongs to.
constexpr u32 tag_of(Domain d) { return (static_cast<u32>(d) - 1) / kDomainsPerTag; }

constexpr u32 dacr_field(Domain d, DomainAccess a) { return static_cast<u32>(a) << (2 * static_cast<u32>(d)); }
// The access a DACR value gives one domain.
constexpr DomainAccess dacr_access(u32 dacr, Domain d) {
    return static_cast<DomainAccess>((dacr >> (2 * static_cast<u32>(d))) & 3u);
}

// VMM running on its own (boot, idle): only its own domain is reachable.
inline constexpr u32 kDacrVmm = dacr_field(Domain::vmm, DomainAccess::client);
// Virtual kernel mode of a guest with `tag`: its kernel pages are "manager" (their
// privileged-only AP is bypassed for the USR-mode guest kernel); the VMM's, its user and
// its read-only kernel pages are checked (clients); every other tag is no-access.
constexpr u32 dacr_guest_kernel(u32 tag) {
    return dacr_field(Domain::vmm, DomainAccess::client) |
           dacr_field(tagged(Domain::guest_kernel, tag), DomainAccess::manager) |
           dacr_field(tagged(Domain::guest_user, tag), DomainAccess::client) |
           dacr_field(tagged(Domain::guest_kernel_ro, tag), DomainAccess::client);
}
// Virtual user mode: everything is checked, so kernel pages (privileged-only AP) fault;
// read-only kernel pages (user-readable AP) are no-access, so they fault too.
constexpr u32 dacr_guest_user(u32 tag) {
    return dacr_field(Domain::vmm, DomainAccess::client) |
           dacr_field(tagged(Domain::guest_kernel, tag), DomainAccess::client) |
           dacr_field(tagged(Domain::guest_user, tag), DomainAccess::client);
}
inline constexpr u32 kDacrGuestKernel = dacr_guest_kernel(0);
inline constexpr u32 kDacrGuestUser = dacr_guest_user(0);
static_assert(tagged(Domain::guest_kernel_ro, kTagCount - 1) == static_cast<Domain>(15), "five tags use 1..15");
static_assert(kDacrGuestKernel == 0x5D && kDacrGuestUser == 0x15,
              "tag 0: Secure Xen on ARM's kernel-manager / user-client values over domains 1-3");
// What the values must mean, whatever their encoding, for every tag: the read-only kernel
// domain is checked in kernel mode (never manager, which would make it writable) and
// unreachable in user mode; the VMM is never manager; no other tag is reachable.
constexpr bool tag_dacrs_isolate() {
    for (u32 t = 0; t < kTagCount; ++t) {
        const u32 k = dacr_guest_kernel(t), u = dacr_guest_user(t);
        if (dacr_access(k, tagged(Domain::guest_kernel_ro, t)) != DomainAccess::client) return false;
        if (dacr_access(u, tagged(Domain::guest_kernel_ro, t)) != DomainAccess::none) return false;
        if (dacr_access(k, Domain::vmm) != DomainAccess::client || dacr_access(u, Domain::vmm) != DomainAccess::client)
            return false;
        if (dacr_access(u, tagged(Domain::guest_kernel, t)) != DomainAccess::client) return false;
        for (u32 other = 0; other < kTagCount; ++other) {
            if (other == t) continue;
            for (u32 role = 1; role <= kDomainsPerTag; ++role) {
                const Domain d = tagged(static_cast<Domain>(role), other);
                if (dacr_access(k, d) != DomainAccess::none || dacr_access(u, d) != DomainAccess::none) return false;
            }
        }
    }
    return true;
}
static_assert(tag_dacrs_isolate(), "a guest's DACR opens its own tag only, read-only kernel pages as described");

// ---- Access permissions (CP15 c1 S=0, R=0, which xen-arm always uses) -------------------
enum class Ap : u32 {
    no_access = 0,        // AP=00 with S=R=0: nobody
    priv_rw = 1,          // privileged RW, user none: VMM pages, guest kernel pages
    priv_rw_user_ro = 2,  // guest read-only user pages, read-only grant maps (kApGuestKernelRo)
    all_rw = 3,           // guest user pages
};

// The AP of a read-only guest kernel page (ARM domain guest_kernel_ro): with S=R=0, USR-mode
// reads only. The VMM (privileged) could still write it; it writes guest memory only after
// probing with the guest's rights (guest_copy.hh), which fails here.
inline constexpr Ap kApGuestKernelRo = Ap::priv_rw_user_ro;

// ---- Cacheability (C and B bits) ------------------------------------------------------
enum class Mem : u32 {
    device = 0,         // C=0 B=0: strongly ordered, for device registers
    buffered = 1,       // C=0 B=1
    write_through = 2,  // C=1 B=0
    write_back = 3,     // C=1 B=1: normal RAM
};

// ---- First-level descriptors (4096 entries, 16 KiB aligned) -----------------------------
inline constexpr u32 kL1Entries = 4096;
inline constexpr u32 kL1Size = kL1Entries * 4;
inline constexpr u32 kL1Align = 16 * KiB;

enum class L1Type : u32 { fault = 0, coarse = 1, section = 2, fine = 3 };

inline constexpr u32 kL1Bit4 = 1u << 4;  // "should be one" on ARMv5 for compatibility

constexpr u32 l1_section(PhysAddr pa, Domain d, Ap ap, Mem mem) {
    return (pa.value() & 0xFFF00000u) | (static_cast<u32>(ap) << 10) | (static_cast<u32>(d) << 5) | kL1Bit4 |
           (static_cast<u32>(mem) << 2) | static_cast<u32>(L1Type::section);
}

constexpr u32 l1_coarse(PhysAddr l2_table, Domain d) {
    return (l2_table.value() & 0xFFFFFC00u) | (static_cast<u32>(d) << 5) | kL1Bit4 | static_cast<u32>(L1Type::coarse);
}

constexpr L1Type l1_type(u32 desc) { return static_cast<L1Type>(desc & 3u); }
constexpr Domain l1_domain(u32 desc) { return static_cast<Domain>((desc >> 5) & 0xFu); }
constexpr PhysAddr l1_section_base(u32 desc) { return PhysAddr(desc & 0xFFF00000u); }
constexpr Ap l1_section_ap(u32 desc) { return static_cast<Ap>((desc >> 10) & 3u); }
constexpr Mem l1_section_mem(u32 desc) { return static_cast<Mem>((desc >> 2) & 3u); }
constexpr PhysAddr l1_coarse_base(u32 desc) { return PhysAddr(desc & 0xFFFFFC00u); }
constexpr u32 l1_index(VirtAddr va) { return va.value() >> 20; }

// ---- Second-level coarse tables (256 entries, 1 KiB aligned) ----------------------------
inline constexpr u32 kL2CoarseEntries = 256;
inline constexpr u32 kL2CoarseSize = kL2CoarseEntries * 4;

enum class L2Type : u32 { fault = 0, large = 1, small = 2, tiny = 3 };

// A 4 KiB small page; the four subpage AP fields all get the same permission.
constexpr u32 l2_small(PhysAddr pa, Ap ap, Mem mem) {
    const u32 a = static_cast<u32>(ap);
    return (pa.value() & 0xFFFFF000u) | (a << 10) | (a << 8) | (a << 6) | (a << 4) | (static_cast<u32>(mem) << 2) |
           static_cast<u32>(L2Type::small);
}

constexpr L2Type l2_type(u32 desc) { return static_cast<L2Type>(desc & 3u); }
constexpr PhysAddr l2_small_base(u32 desc) { return PhysAddr(desc & 0xFFFFF000u); }
constexpr Ap l2_small_ap(u32 desc) { return static_cast<Ap>((desc >> 4) & 3u); }  // subpage 0
constexpr Mem l2_small_mem(u32 desc) { return static_cast<Mem>((desc >> 2) & 3u); }
constexpr u32 l2_index(VirtAddr va) { return (va.value() >> 12) & 0xFFu; }

// ---- CP15 c1 control register bits we set -------------------------------------------------
namespace ctrl {
inline constexpr u32 mmu = 1u << 0;
inline constexpr u32 align = 1u << 1;
inline constexpr u32 dcache = 1u << 2;
inline constexpr u32 sys = 1u << 8;  // S: kept 0
inline constexpr u32 rom = 1u << 9;  // R: kept 0
inline constexpr u32 icache = 1u << 12;
inline constexpr u32 high_vectors = 1u << 13;
}  // namespace ctrl

// ---- Fault status (DFSR/IFSR [3:0]) --------------------------------------------------------
// ARM926EJ-S TRM table 3-9; names for the exception report.
constexpr const char* fault_status_name(u32 fsr) {
    switch (fsr & 0xFu) {
        case 0x1:
        case 0x3: return "alignment";
        case 0x8: return "external abort on non-linefetch (section)";
        case 0x5: return "translation fault (section)";
        case 0x7: return "translation fault (page)";
        case 0x9: return "domain fault (section)";
        case 0xB: return "domain fault (page)";
        case 0xD: return "permission fault (section)";
        case 0xF: return "permission fault (page)";
        case 0xC: return "external abort on translation (first level)";
        case 0xE: return "external abort on translation (second level)";
        case 0x4: return "external abort on linefetch (section)";
        case 0x6: return "external abort on linefetch (page)";
        case 0xA: return "external abort on non-linefetch (page)";
        case 0x2: return "terminal exception";
        case 0x0: return "vector exception";
        default: return "unknown";
    }
}

}  // namespace xa::mmu
