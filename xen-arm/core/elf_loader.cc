// ELF32 executable checks (see elf_loader.hh). Field offsets: the System V gABI's ELF32
// header and program header, which are fixed 52 and 32 byte records.
#include "elf_loader.hh"

namespace xa {

namespace {

// ELF32 header (Elf32_Ehdr) field offsets.
constexpr u32 kEhdrSize = 52;
constexpr u32 kEiClass = 4;
constexpr u32 kEiData = 5;
constexpr u32 kEiVersion = 6;
constexpr u32 kEType = 16;
constexpr u32 kEMachine = 18;
constexpr u32 kEVersion = 20;
constexpr u32 kEEntry = 24;
constexpr u32 kEPhoff = 28;
constexpr u32 kEPhentsize = 42;
constexpr u32 kEPhnum = 44;

// Program header (Elf32_Phdr) field offsets.
constexpr u32 kPhdrSize = 32;
constexpr u32 kPType = 0;
constexpr u32 kPOffset = 4;
constexpr u32 kPVaddr = 8;
constexpr u32 kPFilesz = 16;
constexpr u32 kPMemsz = 20;
constexpr u32 kPFlags = 24;

constexpr u8 kElfClass32 = 1;
constexpr u8 kElfData2Lsb = 1;
constexpr u32 kEvCurrent = 1;
constexpr u32 kEtExec = 2;
constexpr u32 kEmArm = 40;
constexpr u32 kPtLoad = 1;
constexpr u32 kPfX = 1;
constexpr u32 kPfW = 2;

u32 le16(const u8* p) { return u32(p[0]) | u32(p[1]) << 8; }
u32 le32(const u8* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }

constexpr ElfError fail(const char* problem) { return ElfError{Err::inval, problem}; }

}  // namespace

u32 elf_entry(const u8* data, u32 size) { return data != nullptr && size >= kEhdrSize ? le32(data + kEEntry) : 0; }

ElfError elf_parse(const u8* data, u32 size, VirtAddr load_base, u32 load_size, ElfImage& out) {
    if (data == nullptr || size < kEhdrSize) return fail("file shorter than an ELF header");
    if (data[0] != 0x7F || data[1] != 'E' || data[2] != 'L' || data[3] != 'F') return fail("not an ELF file (magic)");
    if (data[kEiClass] != kElfClass32) return fail("not ELFCLASS32");
    if (data[kEiData] != kElfData2Lsb) return fail("not little-endian (ELFDATA2LSB)");
    if (data[kEiVersion] != kEvCurrent || le32(data + kEVersion) != kEvCurrent) return fail("ELF version is not 1");
    if (le16(data + kEType) != kEtExec) return fail("not an executable (ET_EXEC)");
    if (le16(data + kEMachine) != kEmArm) return fail("not an ARM file (EM_ARM)");
    if (le16(data + kEPhentsize) != kPhdrSize) return fail("program header size is not 32");

    const u32 phoff = le32(data + kEPhoff);
    const u32 phnum = le16(data + kEPhnum);
    if (u64(phoff) + u64(phnum) * kPhdrSize > size) return fail("program headers outside the file");

    // Built in a local and copied out at the end, so `out` is untouched on failure.
    ElfImage image{};
    image.entry = VirtAddr(le32(data + kEEntry));
    const u64 window_end = u64(load_base.value()) + load_size;

    for (u32 i = 0; i < phnum; ++i) {
        const u8* ph = data + phoff + i * kPhdrSize;
        if (le32(ph + kPType) != kPtLoad) continue;  // PT_NOTE, PT_ARM_EXIDX, ...: not loaded
        if (image.segment_count == ElfImage::kMaxSegments) return fail("more than 8 PT_LOAD segments");

        const u32 offset = le32(ph + kPOffset);
        const u32 vaddr = le32(ph + kPVaddr);
        const u32 filesz = le32(ph + kPFilesz);
        const u32 memsz = le32(ph + kPMemsz);
        const u32 flags = le32(ph + kPFlags);
        if (memsz == 0) return fail("empty PT_LOAD segment (p_memsz 0)");
        if (filesz > memsz) return fail("segment file size larger than its memory size");
        if (u64(offset) + filesz > size) return fail("segment data outside the file");
        const u64 seg_end = u64(vaddr) + memsz;
        if (seg_end > (u64(1) << 32)) return fail("segment wraps past 4 GiB");
        if (vaddr < load_base.value() || seg_end > window_end) return fail("segment outside the domain's memory");

        // Two segments overlapping in memory would let the later copy overwrite the
        // earlier one: the file is not what its linker meant, so refuse it.
        for (u32 j = 0; j < image.segment_count; ++j) {
            const ElfSegment& other = image.segments[j];
            const u64 other_end = u64(other.vaddr.value()) + other.mem_size;
            if (vaddr < other_end && u64(other.vaddr.value()) < seg_end) return fail("PT_LOAD segments overlap");
        }
        image.segments[image.segment_count++] =
            ElfSegment{offset, filesz, VirtAddr(vaddr), memsz, (flags & kPfX) != 0, (flags & kPfW) != 0};
    }
    if (image.segment_count == 0) return fail("no PT_LOAD segment");

    bool entry_ok = false;
    for (u32 i = 0; i < image.segment_count; ++i) {
        const ElfSegment& s = image.segments[i];
        if (s.exec && image.entry >= s.vaddr && image.entry - s.vaddr < s.mem_size) entry_ok = true;
    }
    if (!entry_ok) return fail("entry point not in an executable segment");

    out = image;
    return ElfError{Err::ok, nullptr};
}

}  // namespace xa
