// boot_image_check on random images, then elf_parse on every kernel of an accepted one.
// No crash and no read outside the given bytes (ASan: the image is copied into a
// buffer of exactly its size); an accepted image satisfies every rule boot_image_parse.hh
// promises (names, sizes, kernels and ramdisk frames inside the image, ramdisk frames
// holding nothing else, domain 0 privileged and the others not), and its kernels are
// checked as the domain builder checks them. crc32 is compared with a bitwise one at any
// alignment. An input whose crc32 field is 0 gets the right CRC filled in, so the
// fuzzer reaches past the CRC check; any other value is kept, so the check is fuzzed too.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "boot_image_parse.hh"
#include "elf_loader.hh"

#define FUZZ_ELF_NO_MAIN
#include "fuzz_elf_loader.cc"

namespace {

using namespace xa;
namespace bi = boot_image;

[[noreturn]] void bad(const char* what, u32 a = 0) {
    std::fprintf(stderr, "boot_image: %s (%u)\n", what, a);
    std::abort();
}

u32 crc_reference(const u8* p, u32 n) {
    u32 c = 0xFFFFFFFFu;
    for (u32 i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

bool name_ok(const char (&name)[16]) {
    u32 n = 0;
    while (n < 16 && name[n] != '\0') ++n;
    if (n == 0 || n == 16) return false;
    for (u32 i = 0; i < n; ++i) {
        const char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    }
    for (u32 i = n; i < 16; ++i) {
        if (name[i] != '\0') return false;
    }
    return true;
}

bool overlaps(u64 a, u64 a_len, u64 b, u64 b_len) { return a < b + b_len && b < a + a_len; }

void check_accepted(const u8* data, u32 size, const BootImageView& v) {
    const bi::BootImageHeader& h = *v.header;
    if (reinterpret_cast<const u8*>(v.header) != data) bad("header not at the start");
    if (v.domain_count < 1 || v.domain_count > bi::kMaxDomains || v.domain_count != h.domain_count) bad("count");
    if (std::memcmp(h.magic, bi::kMagic, 8) != 0 || h.version != bi::kVersion) bad("magic or version");
    const u32 table_end = sizeof(bi::BootImageHeader) + v.domain_count * sizeof(bi::BootDomain);
    if (h.total_size < table_end || h.total_size > size || h.total_size > bi::kBootImageMaxSize) bad("total_size");
    if (crc_reference(data + 64, h.total_size - 64) != h.crc32) bad("CRC");
    if (h.scheduler >= bi::kSchedCount || h.reserved != 0) bad("scheduler or reserved");
    if (std::memchr(h.system_name, 0, sizeof h.system_name) == nullptr) bad("system_name");
    for (u32 i = 0; i < v.domain_count; ++i) {
        const bi::BootDomain& d = v.domains[i];
        if (!name_ok(d.name)) bad("name", i);
        for (u32 j = 0; j < i; ++j) {
            if (std::strcmp(d.name, v.domains[j].name) == 0) bad("duplicate name", i);
        }
        if ((d.flags & ~bi::kDomFlagsMask) != 0) bad("flags", i);
        const bool priv = (d.flags & bi::kDomPrivileged) != 0;
        if (i == 0 && (!priv || (d.flags & bi::kDomAutostart) == 0)) bad("domain 0 not privileged autostart");
        if (i != 0 && priv) bad("privileged domain other than 0", i);
        if (d.memory_kb % 4 != 0 || d.memory_kb < 64 || d.memory_kb > 65536) bad("memory_kb", i);
        if (d.timeslice_us < 100 || d.timeslice_us > 1000000 || d.priority > 255) bad("timeslice or priority", i);
        if (d.weight == 0 || d.weight > 65535 || d.cap_pct > 100) bad("weight or cap", i);
        if (d.period_us == 0
                ? d.budget_us != 0
                : d.period_us < 100 || d.period_us > 1000000 || d.budget_us == 0 || d.budget_us > d.period_us)
            bad("period or budget", i);
        if (d.fault_tolerance > 1 ||
            (d.fault_tolerance == 0 ? d.checkpoint_us != 0
                                    : d.checkpoint_us != 0 && d.checkpoint_us != bi::kCheckpointManual &&
                                          (d.checkpoint_us < 1000 || d.checkpoint_us > 60000000)))
            bad("fault tolerance or checkpoint", i);
        if (d.kernel_offset % 4 != 0 || d.kernel_offset < table_end || d.kernel_size < 52 ||
            u64(d.kernel_offset) + d.kernel_size > h.total_size)
            bad("kernel placement", i);
        if (std::memchr(d.cmdline, 0, sizeof d.cmdline) == nullptr) bad("cmdline", i);
        if (d.ramdisk_size == 0) {
            if (d.ramdisk_offset != 0) bad("ramdisk offset without ramdisk", i);
            continue;
        }
        const u64 frames = (u64(d.ramdisk_size) + bi::kRamdiskAlign - 1) / bi::kRamdiskAlign * bi::kRamdiskAlign;
        if (d.ramdisk_size % bi::kRamdiskSectorSize != 0 || d.ramdisk_size > bi::kRamdiskMaxSize ||
            d.ramdisk_offset % bi::kRamdiskAlign != 0 || d.ramdisk_offset < table_end ||
            d.ramdisk_offset + frames > h.total_size)
            bad("ramdisk placement", i);
        // Its frames hold nothing else: not the header or table (checked above), no kernel,
        // no other ramdisk.
        for (u32 j = 0; j < v.domain_count; ++j) {
            const bi::BootDomain& o = v.domains[j];
            if (overlaps(d.ramdisk_offset, frames, o.kernel_offset, o.kernel_size))
                bad("ramdisk frames hold a kernel", i);
            if (j != i && o.ramdisk_size != 0 &&
                overlaps(d.ramdisk_offset, frames, o.ramdisk_offset,
                         (u64(o.ramdisk_size) + bi::kRamdiskAlign - 1) / bi::kRamdiskAlign * bi::kRamdiskAlign))
                bad("ramdisk frames overlap", i);
        }
    }
    // The builder's next step: each kernel, in a window of its domain's memory.
    for (u32 i = 0; i < v.domain_count; ++i) {
        const bi::BootDomain& d = v.domains[i];
        ElfImage img;
        const u32 window = d.memory_kb * 1024;
        if (elf_parse(data + d.kernel_offset, d.kernel_size, VirtAddr(0xC0000000u), window, img).err == Err::ok)
            check_accepted_elf(img, d.kernel_size, 0xC0000000u, window);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > bi::kBootImageMaxSize + 4096) return 0;
    const u32 n = static_cast<u32>(size);
    u8* img = static_cast<u8*>(std::malloc(size == 0 ? 1 : size));  // 16-byte aligned, exactly n bytes
    std::memcpy(img, data, size);
    if (n >= 64) {
        bi::BootImageHeader h;
        std::memcpy(&h, img, sizeof h);
        if (h.crc32 == 0 && h.total_size >= 64 && h.total_size <= n) {
            h.crc32 = crc_reference(img + 64, h.total_size - 64);
            std::memcpy(img, &h, sizeof h);
        }
    }
    // The table-driven CRC at every alignment of its start against the bitwise one.
    if (n > 0) {
        const u32 skip = img[0] % 4 < n ? img[0] % 4 : 0;
        if (crc32(img + skip, n - skip) != crc_reference(img + skip, n - skip)) bad("crc32 differs", skip);
    }
    BootImageView view{};
    const BootImageError e = boot_image_check(img, n, view);
    if (e.err == Err::ok) {
        check_accepted(img, n, view);
    } else {
        if (e.err != Err::inval || e.problem == nullptr) bad("an error without inval and a reason");
        if (e.domain != BootImageError::kHeader && (n < 64 || e.domain >= bi::kMaxDomains))
            bad("domain index", e.domain);
    }
    std::free(img);
    return 0;
}
