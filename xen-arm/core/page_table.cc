// ARMv5 translation-table builder (see page_table.hh for the contract).
#include "page_table.hh"

#include "libc.hh"

namespace xa {

namespace {

constexpr u64 kAddressSpaceEnd = u64(1) << 32;

// Enum values that would spill into neighbouring descriptor fields (an enum class can
// hold any value of its underlying type) are refused before anything is encoded.
constexpr bool valid_attributes(mmu::Domain d, mmu::Ap ap, mmu::Mem mem) {
    return static_cast<u32>(d) < 16 && static_cast<u32>(ap) < 4 && static_cast<u32>(mem) < 4;
}

// A small page has four AP fields, one per 1 KiB subpage ([5:4] for subpage 0 up to
// [11:10] for subpage 3); the MMU uses the one selected by va[11:10]. PageTable always
// writes four equal fields, but the walk reports the field the MMU would use.
constexpr mmu::Ap l2_small_subpage_ap(u32 desc, VirtAddr va) {
    const u32 subpage = (va.value() >> 10) & 3u;
    return static_cast<mmu::Ap>((desc >> (4 + 2 * subpage)) & 3u);
}

PageTable::WrittenHook written_to = nullptr;  // set_written_hook

// Descriptors reach the MMU through memory (see set_written_hook).
void written(const void* p, u32 bytes) {
    if (written_to != nullptr) written_to(p, bytes);
}

void zero_words(u32* words, u32 count) {
    memset(words, 0, count * sizeof *words);
    written(words, count * sizeof *words);
}

// No entry of the coarse table maps anything (every descriptor a fault).
bool coarse_table_empty(const u32* l2) {
    for (u32 i = 0; i < mmu::kL2CoarseEntries; ++i) {
        if (mmu::l2_type(l2[i]) != mmu::L2Type::fault) return false;
    }
    return true;
}

}  // namespace

void PageTable::set_written_hook(WrittenHook hook) { written_to = hook; }
PageTable::WrittenHook PageTable::written_hook() { return written_to; }

PageTable::PageTable(PhysAddr l1, const PhysWindow& window, FrameAllocator& frames)
    : l1_(l1),
      window_(&window),
      frames_(&frames),
      valid_(l1.aligned(mmu::kL1Align) && window.contains(l1, mmu::kL1Size)) {}

Err PageTable::clear() {
    if (!valid_) return Err::inval;
    zero_words(l1_table(), mmu::kL1Entries);
    return Err::ok;
}

u32* PageTable::coarse_table(u32 l1_desc) const {
    const PhysAddr l2 = mmu::l1_coarse_base(l1_desc);
    if (!window_->contains(l2, mmu::kL2CoarseSize)) return nullptr;
    return window_->ptr<u32>(l2);
}

Result<PhysAddr> PageTable::alloc_coarse_table() {
    if (coarse_tables_ >= coarse_limit_) return Err::nomem;  // the owner's quota is used up
    if (pool_used_ == kCoarsePerFrame) {
        const Result<PhysAddr> frame = frames_->alloc(1, kPageSize);
        if (!frame) return frame.error();
        if (!window_->contains(*frame, kPageSize)) {
            // The allocator hands out memory the VMM cannot reach: a configuration bug.
            // Give the frame back rather than lose it.
            (void)frames_->free(*frame, 1);
            return Err::fault;
        }
        pool_frame_ = *frame;
        pool_used_ = 0;
    }
    const PhysAddr table = pool_frame_ + pool_used_ * mmu::kL2CoarseSize;
    // Zeroed as it is handed out: a quarter no L1 descriptor points at may hold anything,
    // so the whole frame ends up zeroed by the time all four are in use.
    zero_words(window_->ptr<u32>(table), mmu::kL2CoarseEntries);
    ++pool_used_;
    ++coarse_tables_;
    return table;
}

Err PageTable::map_section(VirtAddr va, PhysAddr pa, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem) {
    return map_sections(va, pa, kSectionSize, domain, ap, mem);
}

Err PageTable::map_sections(VirtAddr va, PhysAddr pa, u32 bytes, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem) {
    if (!valid_ || !valid_attributes(domain, ap, mem)) return Err::inval;
    if (bytes == 0 || !is_aligned(bytes, kSectionSize)) return Err::inval;
    if (!va.aligned(kSectionSize) || !pa.aligned(kSectionSize)) return Err::inval;
    if (u64(va.value()) + bytes > kAddressSpaceEnd || u64(pa.value()) + bytes > kAddressSpaceEnd) return Err::inval;

    u32* l1 = l1_table();
    const u32 first = mmu::l1_index(va);
    const u32 count = bytes >> kSectionShift;
    // Check the whole run before writing any of it.
    for (u32 i = 0; i < count; ++i) {
        if (mmu::l1_type(l1[first + i]) != mmu::L1Type::fault) return Err::exist;
    }
    for (u32 i = 0; i < count; ++i) {
        l1[first + i] = mmu::l1_section(pa + i * kSectionSize, domain, ap, mem);
    }
    written(&l1[first], count * 4);
    return Err::ok;
}

Err PageTable::map_page(VirtAddr va, PhysAddr pa, mmu::Domain domain, mmu::Ap ap, mmu::Mem mem) {
    if (!valid_ || !valid_attributes(domain, ap, mem)) return Err::inval;
    if (!va.aligned(kPageSize) || !pa.aligned(kPageSize)) return Err::inval;

    u32* l1 = l1_table();
    u32& l1_desc = l1[mmu::l1_index(va)];
    const u32 l2_desc = mmu::l2_small(pa, ap, mem);

    switch (mmu::l1_type(l1_desc)) {
        case mmu::L1Type::fault: {
            const Result<PhysAddr> table = alloc_coarse_table();
            if (!table) return table.error();
            // Fill the new table before the L1 descriptor points at it, so a hardware walk
            // never sees a coarse descriptor for a table that is not ready.
            u32& entry = window_->ptr<u32>(*table)[mmu::l2_index(va)];
            entry = l2_desc;
            written(&entry, 4);
            l1_desc = mmu::l1_coarse(*table, domain);
            written(&l1_desc, 4);
            return Err::ok;
        }
        case mmu::L1Type::coarse: {
            u32* l2 = coarse_table(l1_desc);
            if (l2 == nullptr) return Err::fault;
            // Another domain's MiB: only if it holds no page any more, in which case it is
            // as good as unmapped and changes domain with this page.
            const bool retag = mmu::l1_domain(l1_desc) != domain;
            if (retag && !domain_fits(va, domain)) return Err::inval;
            u32& entry = l2[mmu::l2_index(va)];
            if (mmu::l2_type(entry) != mmu::L2Type::fault) return Err::exist;
            entry = l2_desc;
            written(&entry, 4);
            if (retag) {
                l1_desc = mmu::l1_coarse(mmu::l1_coarse_base(l1_desc), domain);
                written(&l1_desc, 4);
            }
            return Err::ok;
        }
        case mmu::L1Type::section:
        case mmu::L1Type::fine:
        default: return Err::exist;
    }
}

Err PageTable::set_mib_domain(u32 mib, mmu::Domain domain) {
    if (!valid_ || mib >= mmu::kL1Entries || !valid_attributes(domain, mmu::Ap::priv_rw, mmu::Mem::write_back))
        return Err::inval;
    u32& l1_desc = l1_table()[mib];
    if (mmu::l1_type(l1_desc) != mmu::L1Type::coarse) return Err::inval;
    if (mmu::l1_domain(l1_desc) == domain) return Err::ok;
    l1_desc = mmu::l1_coarse(mmu::l1_coarse_base(l1_desc), domain);
    written(&l1_desc, 4);
    return Err::ok;
}

Err PageTable::set_page_ap(VirtAddr va, mmu::Ap ap) {
    if (!valid_ || !va.aligned(kPageSize)) return Err::inval;
    const u32 l1_desc = l1_table()[mmu::l1_index(va)];
    if (mmu::l1_type(l1_desc) != mmu::L1Type::coarse) return Err::noent;
    u32* l2 = coarse_table(l1_desc);
    if (l2 == nullptr) return Err::fault;
    u32& entry = l2[mmu::l2_index(va)];
    if (mmu::l2_type(entry) != mmu::L2Type::small) return Err::noent;
    const u32 desc = mmu::l2_small(mmu::l2_small_base(entry), ap, mmu::l2_small_mem(entry));
    if (desc == entry) return Err::ok;
    entry = desc;
    written(&entry, 4);
    return Err::ok;
}

bool PageTable::domain_fits(VirtAddr va, mmu::Domain domain) const {
    if (!valid_) return false;
    const u32 l1_desc = l1_table()[mmu::l1_index(va)];
    switch (mmu::l1_type(l1_desc)) {
        case mmu::L1Type::fault: return true;
        case mmu::L1Type::coarse: {
            if (mmu::l1_domain(l1_desc) == domain) return true;
            const u32* l2 = coarse_table(l1_desc);
            return l2 != nullptr && coarse_table_empty(l2);
        }
        default: return false;
    }
}

Err PageTable::unmap_page(VirtAddr va) {
    if (!valid_ || !va.aligned(kPageSize)) return Err::inval;
    const u32 l1_desc = l1_table()[mmu::l1_index(va)];
    switch (mmu::l1_type(l1_desc)) {
        case mmu::L1Type::fault: return Err::noent;
        case mmu::L1Type::coarse: {
            u32* l2 = coarse_table(l1_desc);
            if (l2 == nullptr) return Err::fault;
            u32& entry = l2[mmu::l2_index(va)];
            switch (mmu::l2_type(entry)) {
                case mmu::L2Type::fault: return Err::noent;
                case mmu::L2Type::small:
                    entry = 0;
                    written(&entry, 4);
                    return Err::ok;
                default: return Err::inval;  // large/tiny: not ours to take apart
            }
        }
        default: return Err::inval;  // a section or a fine table: wrong granularity
    }
}

Err PageTable::unmap_section(VirtAddr va) {
    if (!valid_ || !va.aligned(kSectionSize)) return Err::inval;
    u32& l1_desc = l1_table()[mmu::l1_index(va)];
    switch (mmu::l1_type(l1_desc)) {
        case mmu::L1Type::fault: return Err::noent;
        case mmu::L1Type::section:
            l1_desc = 0;
            written(&l1_desc, 4);
            return Err::ok;
        default: return Err::inval;  // a coarse/fine table: unmap its pages instead
    }
}

Result<Translation> PageTable::translate(VirtAddr va) const {
    if (!valid_) return Err::inval;
    const u32 l1_desc = l1_table()[mmu::l1_index(va)];
    Translation t;
    t.domain = mmu::l1_domain(l1_desc);

    switch (mmu::l1_type(l1_desc)) {
        case mmu::L1Type::section:
            t.kind = Translation::Kind::section;
            t.pa = mmu::l1_section_base(l1_desc) + (va.value() & (kSectionSize - 1));
            t.ap = mmu::l1_section_ap(l1_desc);
            t.mem = mmu::l1_section_mem(l1_desc);
            return t;
        case mmu::L1Type::coarse: {
            const u32* l2 = coarse_table(l1_desc);
            if (l2 == nullptr) return Err::fault;
            const u32 l2_desc = l2[mmu::l2_index(va)];
            if (mmu::l2_type(l2_desc) != mmu::L2Type::small) return Err::fault;
            t.kind = Translation::Kind::page;
            t.pa = mmu::l2_small_base(l2_desc) + (va.value() & (kPageSize - 1));
            t.ap = l2_small_subpage_ap(l2_desc, va);
            t.mem = mmu::l2_small_mem(l2_desc);
            return t;
        }
        default: return Err::fault;
    }
}

void PageTable::copy_l1_range(const PageTable& from, VirtAddr start, u32 bytes) {
    if (!valid_ || !from.valid_ || bytes == 0) return;
    const u32 first = mmu::l1_index(start);
    const u64 end = u64(start.value()) + bytes;  // exclusive, may be past 4 GiB
    const u32 last = end >= kAddressSpaceEnd ? mmu::kL1Entries - 1 : mmu::l1_index(VirtAddr(static_cast<u32>(end - 1)));
    const u32* src = from.l1_table();
    u32* dst = l1_table();
    for (u32 i = first; i <= last; ++i) dst[i] = src[i];
    written(&dst[first], (last - first + 1) * 4);
}

u32 PageTable::l1_entry(u32 index) const {
    if (!valid_ || index >= mmu::kL1Entries) return 0;
    return l1_table()[index];
}

}  // namespace xa

namespace xa {

u32 PageTable::release_coarse_frames(u32 first_mib, u32 end_mib) {
    if (!valid_) return 0;
    u32 freed = 0;
    u32* l1 = l1_table();
    for (u32 mib = first_mib; mib < end_mib && mib < mmu::kL1Entries; ++mib) {
        if (mmu::l1_type(l1[mib]) != mmu::L1Type::coarse) continue;
        const PhysAddr frame = mmu::l1_coarse_base(l1[mib]).align_down(kPageSize);
        l1[mib] = 0;
        written(&l1[mib], 4);
        // Up to four MiBs share one frame (four 1 KiB tables): the first of them frees it,
        // the others find it free already, which free() reports without changing anything.
        if (frames_->free(frame, 1) == Err::ok) ++freed;
        if (frame == pool_frame_) pool_used_ = kCoarsePerFrame;  // never carve from it again
    }
    coarse_tables_ = 0;
    return freed;
}

}  // namespace xa
