// Boot image checks (see boot_image_parse.hh; the format is boot_image.hh).
#include "boot_image_parse.hh"

namespace xa {

namespace bi = boot_image;

namespace {

// Slicing-by-4 tables, computed at compile time from the polynomial: t[0] is the classic
// byte table, t[k][n] the CRC contribution of byte n followed by k zero bytes. A word then
// costs four lookups instead of four rounds of byte steps: the VMM checks the whole boot
// image (up to 4 MiB) at every boot, so this is boot time (about 3 instructions a byte,
// against 10 with a nibble table). 4 KiB of rodata.
struct CrcTables {
    u32 t[4][256];
};
constexpr CrcTables make_crc_tables() {
    CrcTables tables{};
    for (u32 n = 0; n < 256; ++n) {
        u32 c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        tables.t[0][n] = c;
    }
    for (u32 k = 1; k < 4; ++k) {
        for (u32 n = 0; n < 256; ++n) {
            const u32 prev = tables.t[k - 1][n];
            tables.t[k][n] = (prev >> 8) ^ tables.t[0][prev & 0xFFu];
        }
    }
    return tables;
}
constexpr CrcTables kCrc = make_crc_tables();
static_assert(kCrc.t[0][0x80] == 0xEDB88320u, "byte 0x80 is one step of the bare polynomial");

constexpr u32 kHeaderSize = sizeof(bi::BootImageHeader);
constexpr u32 kDomainSize = sizeof(bi::BootDomain);
constexpr u32 kMinKernelSize = 52;  // an ELF32 header

// The messages below name these limits in words: a change of one must change its message.
static_assert(bi::kMemoryGranuleKb == 4 && bi::kMemoryMinKb == 64 && bi::kMemoryMaxKb == 65536);
static_assert(bi::kTimesliceMinUs == 100 && bi::kTimesliceMaxUs == 1000000 && bi::kPriorityMax == 255);
static_assert(bi::kMaxDomains == 8 && bi::kRamdiskSectorSize == 512 && bi::kRamdiskMaxSize == 3 * MiB);
static_assert(bi::kRamdiskAlign == 4 * KiB && bi::kBootImageMaxSize == 4 * MiB);
static_assert(bi::kFtCount == 2 && bi::kCheckpointMinUs == 1000 && bi::kCheckpointMaxUs == 60000000);
constexpr bool same_text(const char* a, const char* b) {
    for (; *a != '\0' || *b != '\0'; ++a, ++b) {
        if (*a != *b) return false;
    }
    return true;
}
static_assert(same_text(bi::kNameChars, "abcdefghijklmnopqrstuvwxyz0123456789_-"));  // [a-z0-9_-]

BootImageError header_fail(const char* problem) { return BootImageError{Err::inval, problem, BootImageError::kHeader}; }
BootImageError domain_fail(u32 index, const char* problem) { return BootImageError{Err::inval, problem, index}; }

// Index of the first NUL in s[0, n), or n if there is none.
u32 bounded_len(const char* s, u32 n) {
    u32 i = 0;
    while (i < n && s[i] != '\0') ++i;
    return i;
}

bool name_char_ok(char c) {
    for (u32 i = 0; i + 1 < sizeof bi::kNameChars; ++i) {
        if (c == bi::kNameChars[i]) return true;
    }
    return false;
}

// [a, a + a_size) and [b, b + b_size) overlap; both lie inside the image (checked), so
// no sum wraps.
bool overlap(u32 a, u32 a_size, u32 b, u32 b_size) { return a < b + b_size && b < a + a_size; }

// A ramdisk's frames become a domain's writable memory: they must hold nothing else.
const char* ramdisk_conflict(const bi::BootDomain* domains, u32 count, u32 index) {
    const bi::BootDomain& d = domains[index];
    if (d.ramdisk_size == 0) return nullptr;
    const u32 frames_bytes = align_up(d.ramdisk_size, bi::kRamdiskAlign);
    for (u32 j = 0; j < count; ++j) {
        const bi::BootDomain& o = domains[j];
        if (overlap(d.ramdisk_offset, frames_bytes, o.kernel_offset, o.kernel_size))
            return "ramdisk frames overlap a kernel";
        if (j != index && o.ramdisk_size != 0 &&
            overlap(d.ramdisk_offset, frames_bytes, o.ramdisk_offset, align_up(o.ramdisk_size, bi::kRamdiskAlign)))
            return "ramdisk frames overlap another domain's ramdisk";
    }
    return nullptr;
}

bool same_name(const bi::BootDomain& a, const bi::BootDomain& b) {
    // Both are checked to be NUL-padded to the full 16 bytes, so comparing all of them
    // compares the strings.
    for (u32 i = 0; i < sizeof a.name; ++i) {
        if (a.name[i] != b.name[i]) return false;
    }
    return true;
}

BootImageError check_domain(const bi::BootDomain& d, u32 index, u32 table_end, u32 total_size) {
    const u32 name_len = bounded_len(d.name, sizeof d.name);
    if (name_len == 0) return domain_fail(index, "domain name is empty");
    if (name_len == sizeof d.name) return domain_fail(index, "domain name is not NUL-terminated within 16 bytes");
    for (u32 i = 0; i < name_len; ++i) {
        if (!name_char_ok(d.name[i])) return domain_fail(index, "domain name has a character outside [a-z0-9_-]");
    }
    for (u32 i = name_len; i < sizeof d.name; ++i) {
        if (d.name[i] != '\0') return domain_fail(index, "domain name is not zero-padded");
    }
    if ((d.flags & ~bi::kDomFlagsMask) != 0) return domain_fail(index, "unknown domain flags");
    if (d.memory_kb % bi::kMemoryGranuleKb != 0) return domain_fail(index, "memory_kb is not a multiple of 4");
    if (d.memory_kb < bi::kMemoryMinKb || d.memory_kb > bi::kMemoryMaxKb)
        return domain_fail(index, "memory_kb outside 64..65536");
    if (d.timeslice_us < bi::kTimesliceMinUs || d.timeslice_us > bi::kTimesliceMaxUs)
        return domain_fail(index, "timeslice_us outside 100..1000000");
    if (d.priority > bi::kPriorityMax) return domain_fail(index, "priority above 255");
    if (d.weight == 0 || d.weight > bi::kWeightMax) return domain_fail(index, "weight outside 1..65535");
    if (d.cap_pct > bi::kCapMaxPct) return domain_fail(index, "cap_pct above 100");
    if (d.period_us == 0) {
        if (d.budget_us != 0) return domain_fail(index, "budget_us set without a period");
    } else {
        if (d.period_us < bi::kPeriodMinUs || d.period_us > bi::kPeriodMaxUs)
            return domain_fail(index, "period_us outside 100..1000000");
        if (d.budget_us == 0 || d.budget_us > d.period_us) return domain_fail(index, "budget_us outside 1..period_us");
    }
    if (d.fault_tolerance >= bi::kFtCount) return domain_fail(index, "fault_tolerance is not none (0) or vm (1)");
    if (d.fault_tolerance == bi::kFtNone) {
        if (d.checkpoint_us != 0) return domain_fail(index, "checkpoint_us set without fault tolerance");
    } else if (d.checkpoint_us != 0 && d.checkpoint_us != bi::kCheckpointManual &&
               (d.checkpoint_us < bi::kCheckpointMinUs || d.checkpoint_us > bi::kCheckpointMaxUs)) {
        return domain_fail(index, "checkpoint_us outside 1000..60000000 (0: at every switch, 0xffffffff: manual)");
    }
    if (!is_aligned(d.kernel_offset, 4)) return domain_fail(index, "kernel_offset is not 4-byte aligned");
    if (d.kernel_offset < table_end) return domain_fail(index, "kernel_offset inside the header or domain table");
    if (d.kernel_size > total_size || d.kernel_offset > total_size - d.kernel_size)
        return domain_fail(index, "kernel extends past the end of the image");
    if (d.kernel_size < kMinKernelSize) return domain_fail(index, "kernel smaller than an ELF header");
    if (d.ramdisk_size == 0) {
        if (d.ramdisk_offset != 0) return domain_fail(index, "ramdisk_offset set without a ramdisk");
    } else {
        if (d.ramdisk_size % bi::kRamdiskSectorSize != 0)
            return domain_fail(index, "ramdisk_size is not a multiple of 512");
        if (d.ramdisk_size > bi::kRamdiskMaxSize) return domain_fail(index, "ramdisk_size above 3 MiB");
        if (!is_aligned(d.ramdisk_offset, bi::kRamdiskAlign))
            return domain_fail(index, "ramdisk_offset is not 4 KiB aligned");
        if (d.ramdisk_offset < table_end) return domain_fail(index, "ramdisk inside the header or domain table");
        // Whole frames: the size rounded up (no overflow: size <= 3 MiB).
        const u32 frames_bytes = align_up(d.ramdisk_size, bi::kRamdiskAlign);
        if (frames_bytes > total_size || d.ramdisk_offset > total_size - frames_bytes)
            return domain_fail(index, "ramdisk frames extend past the end of the image");
    }
    if (bounded_len(d.cmdline, sizeof d.cmdline) == sizeof d.cmdline)
        return domain_fail(index, "cmdline is not NUL-terminated within 88 bytes");
    const bool privileged = (d.flags & bi::kDomPrivileged) != 0;
    if (index == 0 && (!privileged || (d.flags & bi::kDomAutostart) == 0))
        return domain_fail(index, "domain 0 must be privileged and autostart");
    if (index != 0 && privileged) return domain_fail(index, "only domain 0 may be privileged");
    return BootImageError{Err::ok, nullptr, index};
}

}  // namespace

u32 crc32(const u8* data, u32 size) {
    u32 c = 0xFFFFFFFFu;
    u32 i = 0;
    // Bytes up to a word boundary, then words (little-endian: the first byte is the low
    // one, as the bit-reflected CRC wants), then the tail.
    for (; i < size && (reinterpret_cast<uintptr_t>(data + i) & 3u) != 0; ++i) {
        c = (c >> 8) ^ kCrc.t[0][(c ^ data[i]) & 0xFFu];
    }
    for (; size - i >= 4; i += 4) {
        // One aligned word load (both ARM926 and the test hosts are little-endian).
        u32 w;
        __builtin_memcpy(&w, __builtin_assume_aligned(data + i, 4), 4);
        c ^= w;
        c = kCrc.t[3][c & 0xFFu] ^ kCrc.t[2][(c >> 8) & 0xFFu] ^ kCrc.t[1][(c >> 16) & 0xFFu] ^ kCrc.t[0][c >> 24];
    }
    for (; i < size; ++i) c = (c >> 8) ^ kCrc.t[0][(c ^ data[i]) & 0xFFu];
    return c ^ 0xFFFFFFFFu;
}

BootImageError boot_image_check(const u8* data, u32 available, BootImageView& out) {
    if (data == nullptr || available < kHeaderSize) return header_fail("image shorter than its header");
    if (reinterpret_cast<uintptr_t>(data) % alignof(bi::BootImageHeader) != 0)
        return header_fail("image is not 4-byte aligned");
    const auto* header = reinterpret_cast<const bi::BootImageHeader*>(data);

    for (u32 i = 0; i < sizeof header->magic; ++i) {
        if (header->magic[i] != bi::kMagic[i]) return header_fail("bad magic (not XABOOT1)");
    }
    if (header->version != bi::kVersion) return header_fail("unsupported version");
    const u32 count = header->domain_count;
    if (count < 1 || count > bi::kMaxDomains) return header_fail("domain_count outside 1..8");
    // No overflow: count <= 8.
    const u32 table_end = kHeaderSize + count * kDomainSize;
    const u32 limit = available < bi::kBootImageMaxSize ? available : bi::kBootImageMaxSize;
    const u32 total_size = header->total_size;
    if (total_size < table_end) return header_fail("total_size smaller than the header and domain table");
    if (total_size > limit) return header_fail("total_size larger than the image or the 4 MiB limit");
    if (crc32(data + kHeaderSize, total_size - kHeaderSize) != header->crc32) return header_fail("CRC-32 mismatch");
    if (header->scheduler >= bi::kSchedCount) return header_fail("unknown scheduler");
    if (header->reserved != 0) return header_fail("reserved header field not zero");
    if (bounded_len(header->system_name, sizeof header->system_name) == sizeof header->system_name)
        return header_fail("system_name is not NUL-terminated");

    const auto* domains = reinterpret_cast<const bi::BootDomain*>(data + kHeaderSize);
    for (u32 i = 0; i < count; ++i) {
        const BootImageError e = check_domain(domains[i], i, table_end, total_size);
        if (e.err != Err::ok) return e;
        for (u32 j = 0; j < i; ++j) {
            if (same_name(domains[i], domains[j])) return domain_fail(i, "duplicate domain name");
        }
    }
    // Every record is sound on its own: now what several of them share.
    for (u32 i = 0; i < count; ++i) {
        if (const char* why = ramdisk_conflict(domains, count, i); why != nullptr) return domain_fail(i, why);
    }

    out = BootImageView{header, domains, count};
    return BootImageError{Err::ok, nullptr, BootImageError::kHeader};
}

}  // namespace xa
