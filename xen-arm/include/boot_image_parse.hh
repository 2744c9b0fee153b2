// Checking the boot image (format: boot_image.hh) before any of it is used.
//
// boot_image_check() validates the header, the CRC and every domain record, so the rest
// of the boot can trust the returned view: names are clean C strings, sizes are in range,
// each kernel's bytes lie inside the image, each ramdisk's whole frames lie inside it and
// hold nothing else (no header, domain table, kernel or other ramdisk), so they can be
// handed to their domain. The kernels themselves are only located here; elf_parse()
// checks them when each domain is built.
#pragma once

#include "boot_image.hh"
#include "types.hh"

namespace xa {

// zlib's CRC-32: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
u32 crc32(const u8* data, u32 size);

struct BootImageError {
    static constexpr u32 kHeader = 0xFFFFFFFF;
    Err err;              // Err::ok, or Err::inval for every check
    const char* problem;  // static text naming the failed check; nullptr on success
    u32 domain;           // index of the domain record at fault, or kHeader
};

struct BootImageView {
    const boot_image::BootImageHeader* header;
    const boot_image::BootDomain* domains;  // domain_count records
    u32 domain_count;
};

// Check the image at data (at most `available` bytes readable there). data must be
// 4-byte aligned, because the view hands out typed pointers into it. `out` is written
// only on success.
BootImageError boot_image_check(const u8* data, u32 available, BootImageView& out);

}  // namespace xa
