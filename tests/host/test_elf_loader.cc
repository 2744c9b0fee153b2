// elf_parse: a valid two-segment image, then one test per check, each built by editing
// the valid image in one place. The files are assembled byte by byte here (not by a
// toolchain) so that every field the test depends on is visible in the test.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "elf_loader.hh"

namespace xa {
namespace {

constexpr u32 kLoadBase = 0xC0000000;
constexpr u32 kLoadSize = 1 * MiB;

struct Phdr {
    u32 type = 1;  // PT_LOAD
    u32 offset = 0;
    u32 vaddr = 0;
    u32 filesz = 0;
    u32 memsz = 0;
    u32 flags = 0;
};

// An ELF32 file description; bytes() emits header + program headers + zero padding up to
// `file_size` (or just past the headers if 0).
struct ElfBuilder {
    u8 ident_class = 1, ident_data = 1, ident_version = 1;
    u8 magic[4] = {0x7F, 'E', 'L', 'F'};
    u16 type = 2, machine = 40, phentsize = 32;
    u32 version = 1;
    u32 entry = 0xC0000010;
    u32 phoff = 52;
    i32 phnum = -1;  // -1: phdrs.size()
    std::vector<Phdr> phdrs;
    u32 file_size = 0x3000;

    static void put16(std::vector<u8>& b, u32 at, u32 v) {
        b[at] = static_cast<u8>(v);
        b[at + 1] = static_cast<u8>(v >> 8);
    }
    static void put32(std::vector<u8>& b, u32 at, u32 v) {
        for (u32 i = 0; i < 4; ++i) b[at + i] = static_cast<u8>(v >> (8 * i));
    }

    std::vector<u8> bytes() const {
        const u32 count = phnum >= 0 ? static_cast<u32>(phnum) : static_cast<u32>(phdrs.size());
        // Only the headers actually written need room (phoff may be absurd when none are).
        u32 end = phdrs.empty() ? 52 : phoff + static_cast<u32>(phdrs.size()) * 32;
        if (end < 52) end = 52;
        std::vector<u8> b(file_size != 0 ? file_size : end, 0);
        if (b.size() < end) b.resize(end);  // room to write; truncated after
        std::memcpy(b.data(), magic, 4);
        b[4] = ident_class;
        b[5] = ident_data;
        b[6] = ident_version;
        put16(b, 16, type);
        put16(b, 18, machine);
        put32(b, 20, version);
        put32(b, 24, entry);
        put32(b, 28, phoff);
        put16(b, 40, 52);
        put16(b, 42, phentsize);
        put16(b, 44, count);
        for (u32 i = 0; i < phdrs.size(); ++i) {
            const u32 at = phoff + i * 32;
            const Phdr& p = phdrs[i];
            put32(b, at + 0, p.type);
            put32(b, at + 4, p.offset);
            put32(b, at + 8, p.vaddr);
            put32(b, at + 12, p.vaddr);  // p_paddr
            put32(b, at + 16, p.filesz);
            put32(b, at + 20, p.memsz);
            put32(b, at + 24, p.flags);
            put32(b, at + 28, 0x1000);  // p_align
        }
        if (file_size != 0) b.resize(file_size);
        return b;
    }
};

// The valid image: text (R+X) at the load base, data+bss (R+W) 64 KiB up.
ElfBuilder valid() {
    ElfBuilder e;
    e.phdrs = {
        Phdr{1, 0x1000, 0xC0000000, 0x1000, 0x1000, 5},
        Phdr{1, 0x2000, 0xC0010000, 0x800, 0x5000, 6},
    };
    return e;
}

ElfError parse(const std::vector<u8>& b, ElfImage& out, u32 base = kLoadBase, u32 size = kLoadSize) {
    return elf_parse(b.data(), static_cast<u32>(b.size()), VirtAddr(base), size, out);
}

// Expects a failure naming `problem` (a substring) and an untouched `out`.
void expect_fail(const ElfBuilder& e, const char* problem, u32 base = kLoadBase, u32 size = kLoadSize) {
    ElfImage out;
    std::memset(static_cast<void*>(&out), 0xEE, sizeof out);  // a pattern elf_parse must not touch
    const std::vector<u8> b = e.bytes();
    const ElfError r = parse(b, out, base, size);
    EXPECT_EQ(r.err, Err::inval);
    ASSERT_NE(r.problem, nullptr);
    EXPECT_NE(std::strstr(r.problem, problem), nullptr) << "got: " << r.problem;
    const u8* raw = reinterpret_cast<const u8*>(&out);
    for (u32 i = 0; i < sizeof out; ++i) ASSERT_EQ(raw[i], 0xEE) << "out written on failure";
}

TEST(ElfParse, ValidTwoSegmentImage) {
    ElfImage out{};
    const ElfError r = parse(valid().bytes(), out);
    EXPECT_EQ(r.err, Err::ok);
    EXPECT_EQ(r.problem, nullptr);
    EXPECT_EQ(out.entry, VirtAddr(0xC0000010));
    ASSERT_EQ(out.segment_count, 2u);
    EXPECT_EQ(out.segments[0].file_offset, 0x1000u);
    EXPECT_EQ(out.segments[0].file_size, 0x1000u);
    EXPECT_EQ(out.segments[0].vaddr, VirtAddr(0xC0000000));
    EXPECT_EQ(out.segments[0].mem_size, 0x1000u);
    EXPECT_TRUE(out.segments[0].exec);
    EXPECT_FALSE(out.segments[0].write);
    EXPECT_EQ(out.segments[1].file_offset, 0x2000u);
    EXPECT_EQ(out.segments[1].file_size, 0x800u);
    EXPECT_EQ(out.segments[1].vaddr, VirtAddr(0xC0010000));
    EXPECT_EQ(out.segments[1].mem_size, 0x5000u);
    EXPECT_FALSE(out.segments[1].exec);
    EXPECT_TRUE(out.segments[1].write);
}

TEST(ElfParse, UnalignedBufferAndOtherSegmentTypes) {
    ElfBuilder e = valid();
    e.phdrs.insert(e.phdrs.begin(), Phdr{4, 0x100, 0, 0x10, 0x10, 4});      // PT_NOTE: ignored
    e.phdrs.push_back(Phdr{0x70000001, 0x100, 0x12345678, 0x10, 0x10, 4});  // PT_ARM_EXIDX-like
    const std::vector<u8> b = e.bytes();
    std::vector<u8> shifted(b.size() + 3);
    std::memcpy(shifted.data() + 3, b.data(), b.size());
    ElfImage out{};
    const ElfError r = elf_parse(shifted.data() + 3, static_cast<u32>(b.size()), VirtAddr(kLoadBase), kLoadSize, out);
    ASSERT_EQ(r.err, Err::ok) << r.problem;
    EXPECT_EQ(out.segment_count, 2u);
    EXPECT_EQ(out.segments[1].vaddr, VirtAddr(0xC0010000));
}

TEST(ElfParse, SegmentsMayFillTheWindowExactly) {
    ElfBuilder e;
    e.entry = 0xC00FFFFC;
    e.phdrs = {Phdr{1, 0x1000, 0xC0000000, 0x1000, kLoadSize, 7}};
    ElfImage out{};
    EXPECT_EQ(parse(e.bytes(), out).err, Err::ok);
    // A window ending exactly at 4 GiB.
    e.entry = 0xFFF00000;
    e.phdrs = {Phdr{1, 0x1000, 0xFFF00000, 0x1000, 1 * MiB, 5}};
    EXPECT_EQ(parse(e.bytes(), out, 0xFFF00000, 1 * MiB).err, Err::ok);
}

TEST(ElfParse, TooShortForHeader) {
    const std::vector<u8> b = valid().bytes();
    ElfImage out{};
    EXPECT_EQ(elf_parse(b.data(), 51, VirtAddr(kLoadBase), kLoadSize, out).err, Err::inval);
    EXPECT_EQ(elf_parse(nullptr, 0, VirtAddr(kLoadBase), kLoadSize, out).err, Err::inval);
    ElfBuilder e = valid();
    e.phdrs.clear();
    e.phnum = 0;
    e.file_size = 40;
    expect_fail(e, "shorter than an ELF header");
}

TEST(ElfParse, BadMagic) {
    ElfBuilder e = valid();
    e.magic[3] = 'G';
    expect_fail(e, "magic");
    e = valid();
    e.magic[0] = 0x7E;
    expect_fail(e, "magic");
}

TEST(ElfParse, NotClass32) {
    ElfBuilder e = valid();
    e.ident_class = 2;
    expect_fail(e, "ELFCLASS32");
}

TEST(ElfParse, NotLittleEndian) {
    ElfBuilder e = valid();
    e.ident_data = 2;
    expect_fail(e, "little-endian");
}

TEST(ElfParse, VersionNotOne) {
    ElfBuilder e = valid();
    e.version = 2;
    expect_fail(e, "version");
    e = valid();
    e.ident_version = 0;
    expect_fail(e, "version");
}

TEST(ElfParse, NotExecutable) {
    ElfBuilder e = valid();
    e.type = 3;  // ET_DYN
    expect_fail(e, "ET_EXEC");
}

TEST(ElfParse, NotArm) {
    ElfBuilder e = valid();
    e.machine = 3;  // EM_386
    expect_fail(e, "EM_ARM");
}

TEST(ElfParse, ProgramHeaderSize) {
    ElfBuilder e = valid();
    e.phentsize = 56;
    expect_fail(e, "program header size");
}

TEST(ElfParse, ProgramHeadersOutsideFile) {
    ElfBuilder e = valid();
    e.phoff = 0x2FF0;  // second header would end past 0x3000
    expect_fail(e, "program headers outside the file");
    e = valid();
    e.phoff = 0xFFFFFFF0;  // offset + size overflows u32
    e.phdrs.clear();
    e.phnum = 2;
    expect_fail(e, "program headers outside the file");
    e = valid();
    e.phnum = 0xFFFF;  // count larger than the file holds
    expect_fail(e, "program headers outside the file");
}

TEST(ElfParse, NoLoadSegment) {
    ElfBuilder e = valid();
    e.phdrs = {Phdr{4, 0x100, 0, 0x10, 0x10, 4}};
    expect_fail(e, "no PT_LOAD");
    e.phdrs.clear();
    e.phnum = 0;
    expect_fail(e, "no PT_LOAD");
}

TEST(ElfParse, AtMostEightLoadSegments) {
    ElfBuilder e;
    e.entry = 0xC0000000;
    for (u32 i = 0; i < 8; ++i) e.phdrs.push_back(Phdr{1, 0x1000, 0xC0000000 + i * 0x1000, 0x100, 0x1000, 5});
    ElfImage out{};
    ASSERT_EQ(parse(e.bytes(), out).err, Err::ok);
    EXPECT_EQ(out.segment_count, 8u);
    e.phdrs.push_back(Phdr{1, 0x1000, 0xC0008000, 0x100, 0x1000, 5});
    expect_fail(e, "more than 8");
}

TEST(ElfParse, FileSizeLargerThanMemSize) {
    ElfBuilder e = valid();
    e.phdrs[1].filesz = 0x5001;
    expect_fail(e, "file size larger");
}

TEST(ElfParse, SegmentDataOutsideFile) {
    ElfBuilder e = valid();
    e.phdrs[1].offset = 0x2801;  // 0x2801 + 0x800 > 0x3000
    expect_fail(e, "outside the file");
    e = valid();
    e.phdrs[1].offset = 0xFFFFFF00;  // offset + filesz overflows u32
    expect_fail(e, "outside the file");
    e = valid();
    e.phdrs[1].offset = 0x2800;  // ends exactly at the end of the file: fine
    ElfImage out{};
    EXPECT_EQ(parse(e.bytes(), out).err, Err::ok);
}

TEST(ElfParse, SegmentOutsideDomainMemory) {
    ElfBuilder e = valid();
    e.phdrs[1].vaddr = 0xC00FC000;  // + 0x5000 passes the 1 MiB window
    expect_fail(e, "outside the domain's memory");
    e = valid();
    e.phdrs[1].vaddr = 0xBFFFF000;  // below the window
    expect_fail(e, "outside the domain's memory");
    e = valid();
    e.phdrs[1].vaddr = 0xFFFFE000;  // vaddr + memsz wraps at 4 GiB
    expect_fail(e, "4 GiB", 0xC0000000, 0x3FFFFFFF);
}

TEST(ElfParse, EmptySegment) {
    ElfBuilder e = valid();
    e.phdrs[1].memsz = 0;
    e.phdrs[1].filesz = 0;
    expect_fail(e, "p_memsz 0");
}

TEST(ElfParse, OverlappingSegments) {
    ElfBuilder e = valid();
    e.phdrs[1].vaddr = 0xC0000FFF;  // last byte of text
    expect_fail(e, "overlap");
    ElfBuilder f;
    f.entry = 0xC0001000;
    f.phdrs = {Phdr{1, 0x1000, 0xC0002000, 0x100, 0x1000, 5}, Phdr{1, 0x1000, 0xC0001000, 0x100, 0x1001, 5}};
    expect_fail(f, "overlap");  // the later segment reaches into the earlier one
    f.phdrs[1].memsz = 0x1000;  // adjacent is fine
    ElfImage out{};
    EXPECT_EQ(parse(f.bytes(), out).err, Err::ok);
}

TEST(ElfParse, EntryMustBeInAnExecutableSegment) {
    ElfBuilder e = valid();
    e.entry = 0xC0010000;  // the data segment
    expect_fail(e, "entry point");
    e.entry = 0xC0001000;  // one past the text
    expect_fail(e, "entry point");
    e.entry = 0xC0020000;  // nowhere
    expect_fail(e, "entry point");
    e.entry = 0xC0000FFF;  // last byte of the text
    ElfImage out{};
    EXPECT_EQ(parse(e.bytes(), out).err, Err::ok);
}

}  // namespace
}  // namespace xa
