// The hypercall argument rules (hypercall_checks.hh) against random argument tuples: each
// result is compared with the rule as the header states it, and whatever is accepted is
// checked for what the VMM relies on: an accepted page lies wholly inside one guest
// region (its last byte too, so no range wraps) and outside the VMM-provided MiB; an
// accepted PTE maps exactly its frame with the rights its region allows.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>

#include <xen-arm/start_info.h>

#include "hypercall_checks.hh"

namespace {

using namespace xa;

[[noreturn]] void fail(const char* what, u32 a, u32 b = 0) {
    std::fprintf(stderr, "hypercall_checks: %s (0x%08x, 0x%08x)\n", what, a, b);
    std::abort();
}

bool in_kernel(u64 va) { return va >= XA_GUEST_KERNEL_BASE && va < XA_GUEST_KERNEL_END; }
bool in_user(u64 va) { return va >= XA_GUEST_USER_BASE && va < XA_GUEST_USER_END; }

// The top MiB of every kernel window (start_info.h), from the ABI's description.
bool in_vmm_mib(u64 va) { return in_kernel(va) && (va - XA_GUEST_KERNEL_BASE) % XA_WINDOW_SIZE >= XA_VMM_PAGES_OFFSET; }
constexpr u32 kLastVmmMib = XA_GUEST_KERNEL_END - XA_WINDOW_SIZE + XA_VMM_PAGES_OFFSET;

// The documented rule of check_guest_page_va, written from its header.
Err expected_page_va(u32 va) {
    if (va % kPageSize != 0) return Err::inval;
    if (!in_kernel(va) && !in_user(va)) return Err::inval;
    if (in_vmm_mib(va)) return Err::perm;
    return Err::ok;
}

// A va the fuzzer can steer to the region edges as well as anywhere.
u32 pick_va(FuzzedDataProvider& in) {
    static constexpr u32 kEdges[] = {XA_GUEST_USER_BASE,
                                     XA_GUEST_USER_END,
                                     XA_GUEST_KERNEL_BASE,
                                     kLastVmmMib,
                                     XA_GUEST_KERNEL_END,
                                     0,
                                     0xFFFFF000u,
                                     XA_GUEST_KERNEL_BASE + XA_VMM_PAGES_OFFSET,
                                     XA_GUEST_KERNEL_BASE + XA_WINDOW_SIZE};
    const u8 how = in.ConsumeIntegral<u8>();
    if (how < 128) return in.ConsumeIntegral<u32>();
    const u32 edge = kEdges[how % (sizeof kEdges / sizeof kEdges[0])];
    return edge + static_cast<u32>(in.ConsumeIntegralInRange<i32>(-3, 3)) * kPageSize +
           (how & 0x40 ? in.ConsumeIntegralInRange<u32>(0, 3) : 0);
}

void page_va(u32 va) {
    const Err e = checks::check_guest_page_va(va);
    if (e != expected_page_va(va)) fail("check_guest_page_va differs from its rule", va, static_cast<u32>(to_int(e)));
    if (e != Err::ok) return;
    const u64 last = u64(va) + kPageSize - 1;  // the page's last byte
    if (last > 0xFFFFFFFFu) fail("accepted page wraps", va);
    if (!((in_kernel(va) && in_kernel(last) && !in_vmm_mib(va) && !in_vmm_mib(last)) || (in_user(va) && in_user(last))))
        fail("accepted page leaves its region or reaches the VMM-provided MiB", va);
}

void pte(u32 va, xa_pte_t p) {
    const Result<checks::PageMapping> r = checks::check_pte(va, p);
    const Err va_rule = expected_page_va(va);
    if (va_rule != Err::ok) {
        if (r.error() != va_rule) fail("check_pte: an address error other than the address rule's", va, p);
        return;
    }
    const u32 flags = p & ~XA_PTE_FRAME_MASK;
    bool ok = (flags & ~XA_PTE_FLAGS_MASK) == 0 && (flags & XA_PTE_PRESENT) != 0;
    if (in_kernel(va))
        ok = ok && (flags & XA_PTE_USER) == 0 && (flags & XA_PTE_RW) != 0;
    else
        ok = ok && (flags & XA_PTE_USER) != 0;
    if (ok != r.ok()) fail("check_pte differs from its rule", va, p);
    if (!r.ok()) {
        if (r.error() != Err::inval) fail("check_pte: a flag error other than inval", va, p);
        return;
    }
    const checks::PageMapping& m = *r;
    if (m.frame.value() != (p & XA_PTE_FRAME_MASK) || !m.frame.aligned(kPageSize))
        fail("check_pte maps another frame than the PTE's", va, p);
    if (m.mem != ((p & XA_PTE_UNCACHED) ? mmu::Mem::device : mmu::Mem::write_back))
        fail("check_pte: cacheability", va, p);
    if (in_kernel(va)) {
        if (m.domain != mmu::Domain::guest_kernel || m.ap != mmu::Ap::priv_rw) fail("kernel page rights", va, p);
    } else {
        if (m.domain != mmu::Domain::guest_user) fail("user page domain", va, p);
        const mmu::Ap want = (p & XA_PTE_RW) ? mmu::Ap::all_rw : mmu::Ap::priv_rw_user_ro;
        if (m.ap != want) fail("user page AP", va, p);
    }
    // Never the VMM's: domain 0 or a privileged-only page outside the kernel region.
    if (m.domain == mmu::Domain::vmm) fail("check_pte gives a VMM-domain mapping", va, p);
}

void trap_table(FuzzedDataProvider& in) {
    u32 table[XA_TRAP_COUNT];
    for (u32& h : table) h = in.ConsumeBool() ? 0 : pick_va(in) + in.ConsumeIntegralInRange<u32>(0, 7);
    const Err e = checks::check_trap_table(table);
    bool ok = true;
    for (u32 h : table) {
        if (h != 0 && (h % 4 != 0 || !in_kernel(h) || in_vmm_mib(h))) ok = false;
    }
    if (ok != (e == Err::ok)) fail("check_trap_table differs from its rule", table[0], static_cast<u32>(to_int(e)));
    if (!ok && e != Err::inval) fail("check_trap_table: an error other than inval", table[0]);
    if (ok) {
        for (u32 h : table) {
            // An accepted handler's instruction lies wholly in the kernel region outside
            // every window's VMM-provided MiB.
            if (h != 0 && (in_vmm_mib(h) || in_vmm_mib(u64(h) + 3)))
                fail("accepted handler reaches a VMM-provided MiB", h);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    while (in.remaining_bytes() > 0) {
        switch (in.ConsumeIntegralInRange<u8>(0, 4)) {
            case 0: page_va(pick_va(in)); break;
            case 1: {
                const u32 va = pick_va(in);
                const u32 frame = in.ConsumeIntegral<u32>() & XA_PTE_FRAME_MASK;
                const u32 flags =
                    in.ConsumeBool() ? in.ConsumeIntegralInRange<u32>(0, 0xF) : in.ConsumeIntegral<u32>() & 0xFFF;
                pte(va, frame | flags);
                break;
            }
            case 2: {
                const u32 f = in.ConsumeIntegral<u32>();
                const Err e = checks::check_uvmf_flags(f);
                if ((e == Err::ok) != ((f & ~UVMF_FLUSHTYPE_MASK) == 0)) fail("check_uvmf_flags", f);
                break;
            }
            case 3: trap_table(in); break;
            case 4: {
                const u32 v = in.ConsumeIntegral<u32>();
                const u32 mode = v & XA_VPSR_MODE_MASK;
                const bool ok = mode == XA_VPSR_MODE_KERNEL || mode == XA_VPSR_MODE_USER;
                if ((checks::check_vpsr(v) == Err::ok) != ok) fail("check_vpsr", v);
                break;
            }
        }
    }
    return 0;
}
