// Checking a guest kernel's ELF file before the domain builder copies it.
//
// The file comes from the boot image (or, later, from dom0), so every field is untrusted:
// elf_parse() checks that the file is a 32-bit little-endian ARM executable whose loadable
// segments lie inside the file and inside the memory the domain will get, do not overlap,
// and contain the entry point in an executable segment. Only then does the builder copy
// anything, using the returned ElfImage and never the file's headers again.
//
// The bytes may sit at any alignment (the file is just a run of bytes inside the boot
// image), so fields are assembled from byte loads, little-endian, never read through
// casted struct pointers.
#pragma once

#include "types.hh"

namespace xa {

struct ElfSegment {
    u32 file_offset;  // of the segment's bytes in the file
    u32 file_size;    // bytes to copy; the rest up to mem_size is zeroed
    VirtAddr vaddr;
    u32 mem_size;  // > 0
    bool exec;     // PF_X
    bool write;    // PF_W
};

struct ElfImage {
    static constexpr u32 kMaxSegments = 8;
    VirtAddr entry;
    u32 segment_count;  // PT_LOAD segments, 1..kMaxSegments, in file order
    ElfSegment segments[kMaxSegments];
};

struct ElfError {
    Err err;              // Err::ok, or Err::inval for every check
    const char* problem;  // static text naming the failed check; nullptr on success
};

// Parse and check the ELF file data[0, size) for a domain whose memory is the virtual
// range [load_base, load_base + load_size). `out` is written only on success.
// The entry point in the ELF header, unchecked (0 if the file is shorter than a header):
// where the builder looks for the kernel's window before elf_parse checks everything.
u32 elf_entry(const u8* data, u32 size);

ElfError elf_parse(const u8* data, u32 size, VirtAddr load_base, u32 load_size, ElfImage& out);

}  // namespace xa
