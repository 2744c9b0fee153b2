// elf_parse on random files: no crash, no read outside the file (ASan: the bytes are
// copied into a buffer of exactly their size), and an accepted file satisfies every rule
// elf_loader.hh promises: 1..8 PT_LOAD segments, each non-empty, its file bytes inside
// the file and no more than its memory size, its memory inside the domain's window
// without wrapping, no two overlapping, and the entry point in an executable one.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "elf_loader.hh"

namespace {

using namespace xa;

[[noreturn]] void fail(const char* what, u32 a = 0) {
    std::fprintf(stderr, "elf_loader: %s (0x%08x)\n", what, a);
    std::abort();
}

}  // namespace

// Also used by the boot-image target on every kernel of an accepted image.
void check_accepted_elf(const ElfImage& img, u32 size, u32 base, u32 window) {
    if (img.segment_count < 1 || img.segment_count > ElfImage::kMaxSegments) fail("segment count", img.segment_count);
    const u64 end = u64(base) + window;
    bool entry_ok = false;
    for (u32 i = 0; i < img.segment_count; ++i) {
        const ElfSegment& s = img.segments[i];
        if (s.mem_size == 0) fail("empty segment", i);
        if (s.file_size > s.mem_size) fail("file size above memory size", i);
        if (u64(s.file_offset) + s.file_size > size) fail("segment bytes outside the file", i);
        const u64 s_end = u64(s.vaddr.value()) + s.mem_size;
        if (s.vaddr.value() < base || s_end > end) fail("segment outside the window", s.vaddr.value());
        for (u32 j = 0; j < i; ++j) {
            const ElfSegment& o = img.segments[j];
            if (s.vaddr.value() < u64(o.vaddr.value()) + o.mem_size && o.vaddr.value() < s_end)
                fail("segments overlap", s.vaddr.value());
        }
        if (s.exec && img.entry >= s.vaddr && u64(img.entry.value()) < s_end) entry_ok = true;
    }
    if (!entry_ok) fail("entry outside every executable segment", img.entry.value());
}

#ifndef FUZZ_ELF_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 1u << 20) return 0;
    // The first 4 bytes choose the window (a page-aligned base near the guest kernel base
    // and a size up to 64 MiB, or the edges of the address space); the rest is the file.
    if (size < 4) return 0;
    const u32 sel = u32(data[0]) | u32(data[1]) << 8 | u32(data[2]) << 16 | u32(data[3]) << 24;
    u32 base = 0xC0000000u;
    u32 window = 1u << 20;
    switch (sel & 3) {
        case 0: break;
        case 1: window = ((sel >> 2) & 0x3FFF) * kPageSize; break;
        case 2:
            base = 0xFFFFF000u & (sel << 10);
            window = (sel >> 22) * kPageSize;
            break;
        case 3:
            base = 0xFFFFF000u;
            window = kPageSize;
            break;
    }
    std::vector<u8> file(data + 4, data + size);  // exactly the file: ASan sees any overread
    const u32 n = static_cast<u32>(file.size());
    ElfImage img;
    std::memset(&img, 0x5A, sizeof img);
    const ElfImage before = img;
    const ElfError e = elf_parse(file.empty() ? nullptr : file.data(), n, VirtAddr(base), window, img);
    if (e.err != Err::ok) {
        if (e.err != Err::inval || e.problem == nullptr) fail("an error without inval and a reason");
        if (std::memcmp(&img, &before, sizeof img) != 0) fail("out written on failure");
        return 0;
    }
    if (e.problem != nullptr) fail("success with a reason");
    check_accepted_elf(img, n, base, window);
    return 0;
}
#endif
