// Physical frame allocator (see frame_alloc.hh for the contract).
#include "frame_alloc.hh"

namespace xa {

namespace {

// Address arithmetic is done in 64 bits: a range may end exactly at 4 GiB, and aligning
// a candidate address upwards may step past it.
constexpr u64 kAddressSpaceEnd = u64(1) << 32;

constexpr bool is_power_of_two(u32 v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

FrameAllocator::FrameAllocator(PhysAddr base, u32 frames, u32* bitmap, u32 bitmap_word_count) {
    // A constructor cannot report failure; a bad configuration leaves an empty allocator
    // whose every alloc() fails, which the first user notices.
    (void)init(base, frames, bitmap, bitmap_word_count);
}

Err FrameAllocator::init(PhysAddr base, u32 frames, u32* bitmap, u32 bitmap_word_count) {
    base_ = PhysAddr(0);
    total_ = 0;
    free_count_ = 0;
    first_free_ = 0;
    bitmap_ = nullptr;

    if (!base.aligned(kPageSize)) return Err::inval;
    if (frames != 0) {
        if (bitmap == nullptr || bitmap_word_count < bitmap_words(frames)) return Err::inval;
        if (u64(base.value()) + u64(frames) * kPageSize > kAddressSpaceEnd) return Err::inval;
    }
    // Only the words this range needs are ours; the caller may have supplied more.
    for (u32 i = 0; i < bitmap_words(frames); ++i) bitmap[i] = 0;

    base_ = base;
    total_ = frames;
    free_count_ = frames;
    bitmap_ = bitmap;
    return Err::ok;
}

Result<PhysAddr> FrameAllocator::alloc(u32 frames, u32 align_bytes) {
    if (frames == 0 || align_bytes < kPageSize || !is_power_of_two(align_bytes)) return Err::inval;
    if (frames > free_count_) return Err::nomem;

    const u64 base = base_.value();
    const u64 align_mask = u64(align_bytes) - 1;
    // Candidates are tried in increasing address order; each failed candidate moves the
    // search past the in-use frame that spoiled it, so the scan is linear in the range.
    u32 from = first_free_;
    for (;;) {
        const u64 candidate = (base + u64(from) * kPageSize + align_mask) & ~align_mask;
        const u64 first = (candidate - base) / kPageSize;
        if (first + frames > total_) return Err::nomem;

        const u32 run_start = static_cast<u32>(first);
        const u32 run_end = run_start + frames;
        const u32 busy = find_set(run_start, run_end);
        if (busy == run_end) {
            set_run(run_start, frames);
            free_count_ -= frames;
            advance_first_free();
            return PhysAddr(static_cast<u32>(candidate));
        }
        from = find_clear(busy + 1, total_);
        if (from == total_) return Err::nomem;
    }
}

Err FrameAllocator::free(PhysAddr pa, u32 frames) {
    if (frames == 0 || !pa.aligned(kPageSize) || pa < base_) return Err::inval;
    const u32 first = (pa - base_) / kPageSize;
    if (first >= total_ || frames > total_ - first) return Err::inval;
    // Check the whole run before touching it: a double free of any frame of it is
    // rejected with the bitmap unchanged.
    if (find_clear(first, first + frames) != first + frames) return Err::inval;

    clear_run(first, frames);
    free_count_ += frames;
    if (first < first_free_) first_free_ = first;
    return Err::ok;
}

Err FrameAllocator::reserve(PhysAddr pa, u32 bytes) {
    if (bytes == 0) return Err::ok;
    if (pa < base_) return Err::inval;
    const u64 start = pa - base_;
    const u64 end = start + bytes;
    if (end > u64(total_) * kPageSize) return Err::inval;

    const u32 first = static_cast<u32>(start / kPageSize);
    const u32 last = static_cast<u32>((end + kPageSize - 1) / kPageSize);  // exclusive
    for (u32 i = first; i < last; ++i) {
        if (!test(i)) {
            bitmap_[i / 32] |= 1u << (i % 32);
            --free_count_;
        }
    }
    advance_first_free();
    return Err::ok;
}

bool FrameAllocator::is_allocated(PhysAddr pa) const {
    if (pa < base_) return false;
    const u32 index = (pa - base_) / kPageSize;
    return index < total_ && test(index);
}

void FrameAllocator::set_run(u32 first, u32 count) {
    for (u32 i = first; i < first + count; ++i) bitmap_[i / 32] |= 1u << (i % 32);
}

void FrameAllocator::clear_run(u32 first, u32 count) {
    for (u32 i = first; i < first + count; ++i) bitmap_[i / 32] &= ~(1u << (i % 32));
}

u32 FrameAllocator::find_set(u32 from, u32 limit) const {
    u32 i = from;
    while (i < limit) {
        const u32 bits = bitmap_[i / 32] >> (i % 32);
        if (bits != 0) {
            const u32 hit = i + static_cast<u32>(__builtin_ctz(bits));
            return hit < limit ? hit : limit;
        }
        i = (i | 31u) + 1;  // start of the next word
    }
    return limit;
}

u32 FrameAllocator::find_clear(u32 from, u32 limit) const {
    u32 i = from;
    while (i < limit) {
        // Bits past total_ in the last word read as free; `limit` keeps them out.
        const u32 bits = ~bitmap_[i / 32] >> (i % 32);
        if (bits != 0) {
            const u32 hit = i + static_cast<u32>(__builtin_ctz(bits));
            return hit < limit ? hit : limit;
        }
        i = (i | 31u) + 1;
    }
    return limit;
}

void FrameAllocator::advance_first_free() { first_free_ = find_clear(first_free_, total_); }

}  // namespace xa
