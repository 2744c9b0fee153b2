// Per-frame ownership and reference counts (see frame_table.hh for the contract).
#include "frame_table.hh"

#include "libc.hh"

namespace xa {

namespace {

constexpr u64 kAddressSpaceEnd = u64(1) << 32;
constexpr u16 kCountMax = 0xFFFF;

}  // namespace

Err FrameTable::init(PhysAddr ram_base, u32 frames, FrameInfo* storage, u32 storage_count) {
    base_ = PhysAddr();
    frames_ = 0;
    info_ = nullptr;
    if (!ram_base.aligned(kPageSize) || frames == 0 || storage == nullptr || storage_count < frames) return Err::inval;
    if (u64(ram_base.value()) + u64(frames) * kPageSize > kAddressSpaceEnd) return Err::inval;
    // Tens of thousands of entries at boot: one written, then the written part copied
    // after itself until the table is full (memcpy moves 32 bytes a burst, four entries).
    storage[0] = FrameInfo{static_cast<u16>(kNoOwner), FrameType::free, FrameType::free, 0, 0};
    for (u32 done = 1; done < frames;) {
        const u32 n = done < frames - done ? done : frames - done;
        memcpy(storage + done, storage, n * sizeof(FrameInfo));
        done += n;
    }
    base_ = ram_base;
    frames_ = frames;
    info_ = storage;
    return Err::ok;
}

FrameInfo* FrameTable::entry(PhysAddr pa) const {
    if (pa < base_) return nullptr;
    const u32 index = (pa - base_) >> kPageShift;
    return index < frames_ ? &info_[index] : nullptr;
}

const FrameInfo* FrameTable::info(PhysAddr pa) const { return entry(pa); }

bool FrameTable::contains(PhysAddr pa) const { return entry(pa) != nullptr; }

FrameInfo* FrameTable::run(PhysAddr pa, u32 frames) const {
    if (frames == 0 || !pa.aligned(kPageSize) || pa < base_) return nullptr;
    const u32 first = (pa - base_) >> kPageShift;
    if (first >= frames_ || frames > frames_ - first) return nullptr;
    return &info_[first];
}

Err FrameTable::set_vmm(PhysAddr pa, u32 frames) {
    FrameInfo* f = run(pa, frames);
    if (f == nullptr) return Err::inval;
    // All of DIRECTMAP at boot, thousands of frames: four a pass (the types tested
    // together: free is 0).
    static_assert(static_cast<u8>(FrameType::free) == 0);
    const u32 quads = frames / 4;
    FrameInfo* p = f;
    for (u32 i = 0; i < quads; ++i, p += 4) {
        if ((static_cast<u8>(p[0].type) | static_cast<u8>(p[1].type) | static_cast<u8>(p[2].type) |
             static_cast<u8>(p[3].type)) != 0)
            return Err::busy;
    }
    for (FrameInfo* const end = f + frames; p != end; ++p) {
        if (p->type != FrameType::free) return Err::busy;
    }
    p = f;
    for (u32 i = 0; i < quads; ++i, p += 4) {
        p[0].type = FrameType::vmm;
        p[1].type = FrameType::vmm;
        p[2].type = FrameType::vmm;
        p[3].type = FrameType::vmm;
    }
    for (FrameInfo* const end = f + frames; p != end; ++p) p->type = FrameType::vmm;
    return Err::ok;
}

Err FrameTable::assign(PhysAddr pa, u32 frames, DomId owner, FrameType type) {
    if (!is_owned(type) || owner.value() == kNoOwner) return Err::inval;
    FrameInfo* f = run(pa, frames);
    if (f == nullptr) return Err::inval;
    for (u32 i = 0; i < frames; ++i) {
        if (is_owned(f[i].type)) return Err::busy;
    }
    for (u32 i = 0; i < frames; ++i) {
        // Counts are kept: a VMM frame the VMM already maps stays accounted for.
        f[i].origin = f[i].type;
        f[i].type = type;
        f[i].owner = owner.value();
    }
    return Err::ok;
}

Err FrameTable::release(PhysAddr pa, u32 frames, DomId owner) {
    FrameInfo* f = run(pa, frames);
    if (f == nullptr) return Err::inval;
    // Ownership first over the whole run: a wrong owner is a caller bug worth naming as
    // such even when some frame is also still mapped.
    for (u32 i = 0; i < frames; ++i) {
        if (!is_owned(f[i].type) || f[i].owner != owner.value()) return Err::perm;
    }
    for (u32 i = 0; i < frames; ++i) {
        if (f[i].map_count != 0 || f[i].pin_count != 0) return Err::busy;
    }
    for (u32 i = 0; i < frames; ++i) {
        f[i].type = f[i].origin == FrameType::vmm ? FrameType::vmm : FrameType::free;
        f[i].origin = FrameType::free;
        f[i].owner = static_cast<u16>(kNoOwner);
    }
    return Err::ok;
}

Err FrameTable::get_guest_mapping(PhysAddr pa, DomId dom) {
    FrameInfo* f = entry(pa);
    if (f == nullptr) return Err::inval;
    if (f->type != FrameType::guest || f->owner != dom.value()) return Err::perm;
    if (f->map_count == kCountMax) return Err::busy;
    ++f->map_count;
    return Err::ok;
}

Err FrameTable::get_mapping(PhysAddr pa) {
    FrameInfo* f = entry(pa);
    if (f == nullptr) return Err::inval;
    if (f->map_count == kCountMax) return Err::busy;
    ++f->map_count;
    return Err::ok;
}

Err FrameTable::put_mapping(PhysAddr pa) {
    FrameInfo* f = entry(pa);
    if (f == nullptr || f->map_count == 0) return Err::inval;
    --f->map_count;
    return Err::ok;
}

Err FrameTable::pin(PhysAddr pa) {
    FrameInfo* f = entry(pa);
    if (f == nullptr) return Err::inval;
    if (f->pin_count == kCountMax) return Err::busy;
    ++f->pin_count;
    return Err::ok;
}

Err FrameTable::unpin(PhysAddr pa) {
    FrameInfo* f = entry(pa);
    if (f == nullptr || f->pin_count == 0) return Err::inval;
    --f->pin_count;
    return Err::ok;
}

u32 FrameTable::count(DomId owner, FrameType type) const {
    const bool by_owner = is_owned(type);
    u32 n = 0;
    for (u32 i = 0; i < frames_; ++i) {
        if (info_[i].type == type && (!by_owner || info_[i].owner == owner.value())) ++n;
    }
    return n;
}

}  // namespace xa
