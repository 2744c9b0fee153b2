// Physical frame allocator: 4 KiB frames from one contiguous physical range.
//
// One bit per frame (1 = in use) in storage the caller supplies, so the allocator needs no
// heap and its footprint is visible where it is declared:
//
//     static u32 bits[FrameAllocator::bitmap_words(kFrames)];
//     static FrameAllocator frames;            // constexpr-constructed, no global ctor
//     frames.init(PhysAddr(ram_base), kFrames, bits, FrameAllocator::bitmap_words(kFrames));
//
// Allocation is first fit from the lowest address, so the same sequence of calls always
// yields the same frames (boot is reproducible, tests can name exact addresses).
//
// The bitmap records which frames are in use, not how they were grouped: free() may
// release any run of in-use frames, e.g. part of an earlier multi-frame allocation.
// Reserved frames are simply in use; freeing them is the caller's business.
#pragma once

#include "types.hh"

namespace xa {

class FrameAllocator {
  public:
    // Words of bitmap storage needed for `frames` frames.
    static constexpr u32 bitmap_words(u32 frames) { return frames / 32 + (frames % 32 != 0 ? 1 : 0); }

    // An empty allocator (total() == 0, every alloc fails); call init() before use.
    constexpr FrameAllocator() = default;
    // Same as default construction followed by init(); if init() would fail the allocator
    // stays empty.
    FrameAllocator(PhysAddr base, u32 frames, u32* bitmap, u32 bitmap_word_count);

    FrameAllocator(const FrameAllocator&) = delete;             // two owners of one bitmap
    FrameAllocator& operator=(const FrameAllocator&) = delete;  // would hand out frames twice

    // Manage [base, base + frames * 4 KiB), all free. base must be 4 KiB aligned, the range
    // must end at or below 4 GiB and bitmap must hold bitmap_words(frames) words.
    // Err::inval (allocator left empty) otherwise.
    Err init(PhysAddr base, u32 frames, u32* bitmap, u32 bitmap_word_count);

    // `frames` contiguous frames whose first physical address is a multiple of align_bytes
    // (a power of two >= 4 KiB). Err::inval for bad arguments, Err::nomem if no such run.
    Result<PhysAddr> alloc(u32 frames = 1, u32 align_bytes = kPageSize);

    // Release `frames` frames starting at pa. Err::inval, with nothing changed, if pa is not
    // 4 KiB aligned, the run is not entirely inside the range, or any frame of it is free.
    Err free(PhysAddr pa, u32 frames = 1);

    // Mark every frame touched by [pa, pa + bytes) as in use (e.g. the VMM image, the boot
    // page table). Frames already in use stay in use, so overlapping reservations that
    // share a partial page are fine. Err::inval, nothing changed, if the range is not
    // entirely inside the managed range. bytes == 0 reserves nothing.
    Err reserve(PhysAddr pa, u32 bytes);

    u32 free_count() const { return free_count_; }
    u32 total() const { return total_; }
    PhysAddr base() const { return base_; }
    // False for frames outside the managed range: they are not this allocator's to track.
    bool is_allocated(PhysAddr pa) const;

  private:
    bool test(u32 index) const { return (bitmap_[index / 32] >> (index % 32)) & 1u; }
    void set_run(u32 first, u32 count);
    void clear_run(u32 first, u32 count);
    u32 find_set(u32 from, u32 limit) const;    // first in-use index in [from, limit), or limit
    u32 find_clear(u32 from, u32 limit) const;  // first free index in [from, limit), or limit
    void advance_first_free();

    PhysAddr base_{};
    u32 total_ = 0;
    u32 free_count_ = 0;
    u32 first_free_ = 0;  // every frame below this index is in use (a search hint only)
    u32* bitmap_ = nullptr;
};

}  // namespace xa
