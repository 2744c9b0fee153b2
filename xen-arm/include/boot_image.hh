// The boot image: what domains/mkimage.py appends to the VMM's ELF so that one file boots
// a whole system. It is the only format shared by the VMM (C++) and the builder (Python);
// domains/mkimage.py writes exactly these structs (little-endian, no padding) and the
// host tests parse images it produced.
//
// Placement: one extra PT_LOAD segment whose physical address is
// RAM base + kBootImageOffset, inside the VMM's DIRECTMAP, so the VMM reads it at
// DIRECTMAP + kBootImageOffset without any mapping work, and reserves its frames.
//
//   [BootImageHeader][BootDomain x domain_count][kernel ELF files, each 4-byte aligned]
//
// Every field is checked by the VMM before use (boot_image.cc); a bad image stops the
// boot with a message naming the field, before any domain exists.
#pragma once

#include "types.hh"

namespace xa::boot_image {

inline constexpr u32 kBootImageOffset = 4 * MiB;    // from the start of RAM
inline constexpr u32 kBootImageMaxSize = 4 * MiB;   // must end inside DIRECTMAP
inline constexpr char kMagic[8] = {'X', 'A', 'B', 'O', 'O', 'T', '1', '\0'};
inline constexpr u32 kVersion = 1;
inline constexpr u32 kMaxDomains = 8;

struct BootImageHeader {
    char magic[8];          // kMagic
    u32 version;            // kVersion
    u32 total_size;         // bytes, header included; <= kBootImageMaxSize
    u32 domain_count;       // 1..kMaxDomains
    u32 crc32;              // CRC-32 (zlib's) of bytes [sizeof(header), total_size)
    char system_name[32];   // from the configuration's [system] name, NUL-terminated
    u32 reserved[2];        // zero
};
static_assert(sizeof(BootImageHeader) == 64);

// BootDomain.flags
inline constexpr u32 kDomPrivileged = 1u << 0;  // dom0: domctl, console input
inline constexpr u32 kDomAutostart = 1u << 1;   // built at boot (else: domctl createdomain)
inline constexpr u32 kDomFlagsMask = kDomPrivileged | kDomAutostart;

struct BootDomain {
    char name[16];          // [a-z0-9_-]{1,15}, NUL-terminated, unique
    u32 flags;              // kDom*
    u32 memory_kb;          // multiple of 4; 64 KiB .. 64 MiB
    u32 timeslice_us;       // 100 .. 1,000,000
    u32 priority;           // 0..255, for the later fixed-priority policy (0 = highest)
    u32 kernel_offset;      // of the kernel's ELF file, from the start of the image
    u32 kernel_size;        // bytes
    char cmdline[88];       // NUL-terminated, passed in start_info.cmd_line
};
static_assert(sizeof(BootDomain) == 128);

}  // namespace xa::boot_image
