// A window through which the VMM reaches physical memory at a fixed offset.
//
// The VMM never dereferences a PhysAddr directly: it asks the window for a pointer. In the
// VMM the window is DIRECTMAP (virt_base 0xFF000000 maps the VMM-private RAM); in the host
// tests it is a heap buffer that pretends to live at some unrelated physical address, so
// any code that confuses "physical address" with "pointer" breaks loudly there.
#pragma once

#include "types.hh"

namespace xa {

class PhysWindow {
  public:
    // Physical [phys_base, phys_base + size) appears at virtual [virt_base, virt_base + size).
    constexpr PhysWindow(PhysAddr phys_base, u32 size, uintptr_t virt_base)
        : phys_base_(phys_base), size_(size), virt_base_(virt_base) {}

    constexpr PhysAddr phys_base() const { return phys_base_; }
    constexpr u32 size() const { return size_; }
    constexpr uintptr_t virt_base() const { return virt_base_; }

    // True if every byte of [pa, pa + len) lies inside the window. Computed on offsets from
    // phys_base, so neither pa + len nor phys_base + size is ever formed (both can wrap at
    // 4 GiB). An empty range (len == 0) is contained if pa lies in [phys_base, end].
    constexpr bool contains(PhysAddr pa, u32 len = 1) const {
        if (pa < phys_base_) return false;
        const u32 offset = pa - phys_base_;
        return offset <= size_ && len <= size_ - offset;
    }

    // Where the VMM sees physical address pa. Precondition: contains(pa, sizeof(T)).
    template <typename T>
    T* ptr(PhysAddr pa) const {
        return reinterpret_cast<T*>(virt_base_ + static_cast<uintptr_t>(pa - phys_base_));
    }

    // The physical address behind a pointer obtained from ptr(). Precondition: p points into
    // the window.
    PhysAddr phys_of(const void* p) const {
        const uintptr_t offset = reinterpret_cast<uintptr_t>(p) - virt_base_;
        return phys_base_ + static_cast<u32>(offset);
    }

  private:
    PhysAddr phys_base_;
    u32 size_;
    uintptr_t virt_base_;
};

}  // namespace xa
