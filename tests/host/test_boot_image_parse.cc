// crc32 and boot_image_check: a valid two-domain image built here in C++, then one test
// per check, each breaking the valid image in one place (and re-sealing the CRC unless
// the CRC is what is being tested).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

#include "boot_image_parse.hh"

namespace xa {
namespace {

namespace bi = boot_image;

constexpr u32 kH = sizeof(bi::BootImageHeader);
constexpr u32 kD = sizeof(bi::BootDomain);

TEST(Crc32, KnownVectors) {
    const char* check = "123456789";
    EXPECT_EQ(crc32(reinterpret_cast<const u8*>(check), 9), 0xCBF43926u);
    EXPECT_EQ(crc32(nullptr, 0), 0u);
    const u8 zero = 0;
    EXPECT_EQ(crc32(&zero, 1), 0xD202EF8Du);
    const char* fox = "The quick brown fox jumps over the lazy dog";
    EXPECT_EQ(crc32(reinterpret_cast<const u8*>(fox), static_cast<u32>(std::strlen(fox))), 0x414FA339u);
}

// A boot image under construction: header fields, domain records and a payload area for
// the kernels. build() lays it out and seals total_size and the CRC. Ramdisks (a domain
// with ramdisk_size set and ramdisk_offset 0, while `place` is true) go after the
// kernels, each 4 KiB aligned and padded to whole frames, as mkimage.py lays them out.
struct Image {
    bi::BootImageHeader header{};
    std::vector<bi::BootDomain> domains;
    std::vector<u8> kernels;  // appended after the domain table
    bool seal = true;
    bool place = true;
    u32 ramdisks_end = 0;  // the image's end after the ramdisks placed so far

    Image() {
        std::memcpy(header.magic, bi::kMagic, sizeof header.magic);
        header.version = bi::kVersion;
        std::strcpy(header.system_name, "two-domains");
        add("dom0", bi::kDomPrivileged | bi::kDomAutostart, 256);
        add("guest_1", bi::kDomAutostart, 128);
    }

    // A domain whose kernel is 64 bytes of payload, placed after those already added.
    void add(const char* name, u32 flags, u32 memory_kb) {
        bi::BootDomain d{};
        std::strncpy(d.name, name, sizeof d.name);
        d.flags = flags;
        d.memory_kb = memory_kb;
        d.timeslice_us = 10000;
        d.priority = 10;
        d.weight = 256;
        d.kernel_size = 64;
        std::strcpy(d.cmdline, "console=hvc0");
        domains.push_back(d);
        kernels.resize(kernels.size() + 64, static_cast<u8>(0x40 + domains.size()));
    }

    u32 table_end() const { return kH + static_cast<u32>(domains.size()) * kD; }

    // Bytes of the image, in a 4-byte aligned buffer owned by the test fixture.
    std::vector<u8> build() {
        header.domain_count = static_cast<u32>(domains.size());
        for (u32 i = 0; i < domains.size(); ++i) {
            if (domains[i].kernel_offset == 0) domains[i].kernel_offset = table_end() + i * 64;
        }
        u32 end = table_end() + static_cast<u32>(kernels.size());
        if (ramdisks_end > end) end = ramdisks_end;  // a later build keeps the layout
        for (bi::BootDomain& d : domains) {
            if (!place || d.ramdisk_size == 0 || d.ramdisk_offset != 0) continue;
            d.ramdisk_offset = (end + 4095u) & ~4095u;
            end = ramdisks_end = d.ramdisk_offset + ((d.ramdisk_size + 4095u) & ~4095u);
        }
        std::vector<u8> b(end);
        for (u32 i = 0; i < domains.size(); ++i) {
            const bi::BootDomain& d = domains[i];
            if (d.ramdisk_size != 0 && u64(d.ramdisk_offset) + d.ramdisk_size <= b.size())
                std::memset(b.data() + d.ramdisk_offset, 0xD0 + static_cast<int>(i), d.ramdisk_size);
        }
        if (seal) header.total_size = static_cast<u32>(b.size());
        std::memcpy(b.data() + kH, domains.data(), domains.size() * kD);
        std::memcpy(b.data() + table_end(), kernels.data(), kernels.size());
        if (seal) header.crc32 = crc32(b.data() + kH, static_cast<u32>(b.size()) - kH);
        std::memcpy(b.data(), &header, kH);
        return b;
    }
};

class BootImageTest : public ::testing::Test {
  protected:
    // Checks `bytes` from a 4-byte aligned copy; `available` defaults to its size.
    BootImageError check(const std::vector<u8>& bytes, u32 available = 0xFFFFFFFF) {
        buffer_.assign(bytes.size() + 8, 0);  // std::vector<u32>-backed: aligned
        std::memcpy(buffer_.data(), bytes.data(), bytes.size());
        view_ = BootImageView{reinterpret_cast<const bi::BootImageHeader*>(1), nullptr, 0xEEEE};
        return boot_image_check(reinterpret_cast<const u8*>(buffer_.data()),
                                available == 0xFFFFFFFF ? static_cast<u32>(bytes.size()) : available, view_);
    }

    void expect_fail(Image& image, const char* problem, u32 domain) {
        const BootImageError e = check(image.build());
        EXPECT_EQ(e.err, Err::inval);
        ASSERT_NE(e.problem, nullptr);
        EXPECT_NE(std::strstr(e.problem, problem), nullptr) << "got: " << e.problem;
        EXPECT_EQ(e.domain, domain);
        EXPECT_EQ(view_.domain_count, 0xEEEEu) << "view written on failure";
    }

    void expect_ok(Image& image) {
        const BootImageError e = check(image.build());
        EXPECT_EQ(e.err, Err::ok) << (e.problem != nullptr ? e.problem : "");
    }

    std::vector<u32> buffer_;
    BootImageView view_{};
    Image image_;
};

constexpr u32 kHdr = BootImageError::kHeader;

TEST_F(BootImageTest, ValidImage) {
    const std::vector<u8> bytes = image_.build();
    const BootImageError e = check(bytes);
    ASSERT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(e.problem, nullptr);
    EXPECT_EQ(view_.domain_count, 2u);
    EXPECT_EQ(reinterpret_cast<const void*>(view_.header), buffer_.data());
    EXPECT_EQ(reinterpret_cast<const u8*>(view_.domains), reinterpret_cast<const u8*>(buffer_.data()) + kH);
    EXPECT_STREQ(view_.domains[1].name, "guest_1");
    EXPECT_EQ(view_.domains[1].kernel_offset, kH + 2 * kD + 64);
    EXPECT_EQ(view_.header->total_size, kH + 2 * kD + 128);
}

TEST_F(BootImageTest, LimitsThatAreStillValid) {
    image_.domains[1].memory_kb = 64;
    image_.domains[1].timeslice_us = 100;
    image_.domains[1].priority = 255;
    std::strcpy(image_.domains[1].name, "abcdefghij-_789");  // 15 characters
    std::memset(image_.domains[1].cmdline, 'x', 87);
    image_.domains[0].memory_kb = 65536;
    image_.domains[0].timeslice_us = 1000000;
    image_.domains[0].kernel_size = 52;
    EXPECT_EQ(check(image_.build()).err, Err::ok);
    // Eight domains; a non-privileged one need not autostart.
    Image big;
    for (u32 i = 2; i < 8; ++i) {
        const char name[] = {'d', static_cast<char>('0' + i), '\0'};
        big.add(name, i == 5 ? 0 : bi::kDomAutostart, 64);
    }
    const BootImageError e = check(big.build());
    EXPECT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(view_.domain_count, 8u);
}

TEST_F(BootImageTest, ShorterThanHeader) {
    const std::vector<u8> bytes = image_.build();
    const BootImageError e = check(bytes, kH - 1);
    EXPECT_EQ(e.err, Err::inval);
    EXPECT_NE(std::strstr(e.problem, "shorter than its header"), nullptr);
    EXPECT_EQ(e.domain, kHdr);
    BootImageView v{};
    EXPECT_EQ(boot_image_check(nullptr, 4096, v).err, Err::inval);
}

TEST_F(BootImageTest, MisalignedData) {
    const std::vector<u8> bytes = image_.build();
    std::vector<u32> buf(bytes.size() / 4 + 2);
    u8* p = reinterpret_cast<u8*>(buf.data()) + 1;
    std::memcpy(p, bytes.data(), bytes.size());
    BootImageView v{};
    const BootImageError e = boot_image_check(p, static_cast<u32>(bytes.size()), v);
    EXPECT_EQ(e.err, Err::inval);
    EXPECT_NE(std::strstr(e.problem, "aligned"), nullptr);
}

TEST_F(BootImageTest, BadMagic) {
    image_.header.magic[6] = '2';
    expect_fail(image_, "magic", kHdr);
    Image other;
    other.header.magic[7] = 'X';  // the NUL is part of the magic
    expect_fail(other, "magic", kHdr);
}

TEST_F(BootImageTest, BadVersion) {
    image_.header.version = 1;  // the format before ramdisks
    expect_fail(image_, "version", kHdr);
    Image other;
    other.header.version = 6;
    expect_fail(other, "version", kHdr);
    Image v4;
    v4.header.version = 4;  // version 4: domain records without the fault tolerance fields
    expect_fail(v4, "version", kHdr);
    Image v3;
    v3.header.version = 3;  // version 3: domain records without the credit/sedf fields
    expect_fail(v3, "version", kHdr);
    Image v2;
    v2.header.version = 2;  // version 2: the format without the scheduler field
    expect_fail(v2, "version", kHdr);
}

TEST_F(BootImageTest, SchedulerField) {
    EXPECT_EQ(offsetof(bi::BootImageHeader, scheduler), 56u);  // the word after system_name, zero in version-2 images
    EXPECT_EQ(image_.header.scheduler, bi::kSchedRoundRobin);  // zero: the default
    image_.header.scheduler = bi::kSchedFixedPriority;
    const BootImageError e = check(image_.build());
    ASSERT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(view_.header->scheduler, bi::kSchedFixedPriority);
    image_.header.scheduler = bi::kSchedCount;
    expect_fail(image_, "unknown scheduler", kHdr);
    Image other;
    other.header.scheduler = 0xFFFFFFFFu;
    expect_fail(other, "unknown scheduler", kHdr);
}

TEST_F(BootImageTest, TotalSizeTooSmall) {
    image_.seal = false;
    std::vector<u8> probe = image_.build();
    image_.header.total_size = kH + 2 * kD - 1;
    image_.header.crc32 = crc32(probe.data() + kH, image_.header.total_size - kH);
    expect_fail(image_, "total_size smaller", kHdr);
}

TEST_F(BootImageTest, TotalSizeLargerThanAvailable) {
    const std::vector<u8> bytes = image_.build();
    const BootImageError e = check(bytes, static_cast<u32>(bytes.size()) - 1);
    EXPECT_EQ(e.err, Err::inval);
    EXPECT_NE(std::strstr(e.problem, "total_size larger"), nullptr);
    EXPECT_EQ(e.domain, kHdr);
}

TEST_F(BootImageTest, TotalSizeLargerThanMaximum) {
    // 4 MiB + 4 bytes of real memory behind it: only the format's limit refuses it.
    image_.kernels.resize(bi::kBootImageMaxSize - image_.table_end() + 4, 0);
    const std::vector<u8> bytes = image_.build();
    ASSERT_EQ(bytes.size(), bi::kBootImageMaxSize + 4);
    const BootImageError e = check(bytes);
    EXPECT_NE(std::strstr(e.problem, "total_size larger"), nullptr);
    // Exactly 4 MiB is fine.
    image_.kernels.resize(image_.kernels.size() - 4);
    EXPECT_EQ(check(image_.build()).err, Err::ok);
}

TEST_F(BootImageTest, DomainCount) {
    image_.domains.clear();
    expect_fail(image_, "domain_count", kHdr);
    Image nine;
    for (u32 i = 2; i < 9; ++i) {
        const char name[] = {'d', static_cast<char>('0' + i), '\0'};
        nine.add(name, bi::kDomAutostart, 64);
    }
    expect_fail(nine, "domain_count", kHdr);
    // A huge count must not overflow the table-size arithmetic into a small number.
    Image huge;
    huge.seal = false;
    std::vector<u8> bytes = huge.build();
    const u32 count = 0x02000001;  // * 128 wraps to 128 in 32 bits
    std::memcpy(bytes.data() + offsetof(bi::BootImageHeader, domain_count), &count, 4);
    const u32 total = static_cast<u32>(bytes.size());
    std::memcpy(bytes.data() + offsetof(bi::BootImageHeader, total_size), &total, 4);
    const u32 crc = crc32(bytes.data() + kH, total - kH);
    std::memcpy(bytes.data() + offsetof(bi::BootImageHeader, crc32), &crc, 4);
    const BootImageError e = check(bytes);
    EXPECT_EQ(e.err, Err::inval);
    EXPECT_NE(std::strstr(e.problem, "domain_count"), nullptr);
}

TEST_F(BootImageTest, CrcMismatch) {
    std::vector<u8> bytes = image_.build();
    bytes.back() ^= 0x01;  // a kernel byte
    const BootImageError e = check(bytes);
    EXPECT_EQ(e.err, Err::inval);
    EXPECT_NE(std::strstr(e.problem, "CRC"), nullptr);
    EXPECT_EQ(e.domain, kHdr);
    std::vector<u8> bytes2 = image_.build();
    bytes2[offsetof(bi::BootImageHeader, crc32)] ^= 0x80;
    EXPECT_NE(std::strstr(check(bytes2).problem, "CRC"), nullptr);
}

TEST_F(BootImageTest, ReservedNotZero) {
    image_.header.reserved = 1;
    expect_fail(image_, "reserved", kHdr);
}

TEST_F(BootImageTest, SystemNameNotTerminated) {
    std::memset(image_.header.system_name, 'a', sizeof image_.header.system_name);
    expect_fail(image_, "system_name", kHdr);
}

TEST_F(BootImageTest, DomainNameEmpty) {
    std::memset(image_.domains[1].name, 0, 16);
    expect_fail(image_, "name is empty", 1);
}

TEST_F(BootImageTest, DomainNameTooLong) {
    std::memset(image_.domains[1].name, 'a', 16);
    expect_fail(image_, "NUL-terminated within 16", 1);
}

TEST_F(BootImageTest, DomainNameCharacters) {
    for (const char* bad : {"Dom1", "dom 1", "dom.1", "dom/1", "d\xC3\xA9"}) {
        SCOPED_TRACE(bad);
        Image image;
        std::memset(image.domains[1].name, 0, 16);
        std::strcpy(image.domains[1].name, bad);
        expect_fail(image, "character", 1);
    }
}

TEST_F(BootImageTest, DomainNameNotZeroPadded) {
    image_.domains[0].name[10] = 'x';  // after "dom0\0"
    expect_fail(image_, "zero-padded", 0);
}

TEST_F(BootImageTest, DuplicateNames) {
    image_.add("guest_1", bi::kDomAutostart, 64);
    expect_fail(image_, "duplicate", 2);
}

TEST_F(BootImageTest, UnknownFlags) {
    image_.domains[1].flags |= 1u << 3;
    expect_fail(image_, "flags", 1);
}

TEST_F(BootImageTest, MemoryNotMultipleOf4) {
    image_.domains[1].memory_kb = 130;
    expect_fail(image_, "multiple of 4", 1);
}

TEST_F(BootImageTest, MemoryRange) {
    image_.domains[1].memory_kb = 60;
    expect_fail(image_, "memory_kb outside", 1);
    Image big;
    big.domains[0].memory_kb = 65540;
    expect_fail(big, "memory_kb outside", 0);
}

TEST_F(BootImageTest, TimesliceRange) {
    image_.domains[1].timeslice_us = 99;
    expect_fail(image_, "timeslice", 1);
    Image big;
    big.domains[1].timeslice_us = 1000001;
    expect_fail(big, "timeslice", 1);
}

TEST_F(BootImageTest, PriorityRange) {
    image_.domains[1].priority = 256;
    expect_fail(image_, "priority", 1);
}

TEST_F(BootImageTest, CreditParameterRanges) {
    image_.domains[1].weight = 0;
    expect_fail(image_, "weight", 1);
    Image heavy;
    heavy.domains[1].weight = 65536;
    expect_fail(heavy, "weight", 1);
    Image capped;
    capped.domains[1].cap_pct = 101;
    expect_fail(capped, "cap_pct", 1);
    Image ok;
    ok.domains[1].weight = 65535;
    ok.domains[1].cap_pct = 100;
    expect_ok(ok);
}

TEST_F(BootImageTest, SedfPeriodAndBudget) {
    image_.domains[1].budget_us = 5;
    expect_fail(image_, "budget_us set without a period", 1);
    Image short_period;
    short_period.domains[1].period_us = 99;
    short_period.domains[1].budget_us = 50;
    expect_fail(short_period, "period_us", 1);
    Image long_period;
    long_period.domains[1].period_us = 1000001;
    long_period.domains[1].budget_us = 50;
    expect_fail(long_period, "period_us", 1);
    Image no_budget;
    no_budget.domains[1].period_us = 1000;
    expect_fail(no_budget, "budget_us outside", 1);
    Image over;
    over.domains[1].period_us = 1000;
    over.domains[1].budget_us = 1001;
    expect_fail(over, "budget_us outside", 1);
    Image ok;
    ok.domains[1].period_us = 1000;
    ok.domains[1].budget_us = 1000;
    ok.domains[1].flags |= bi::kDomExtra;
    expect_ok(ok);
}

TEST_F(BootImageTest, FaultToleranceAndCheckpoint) {
    image_.domains[1].fault_tolerance = 2;
    expect_fail(image_, "fault_tolerance", 1);
    Image stray;
    stray.domains[1].checkpoint_us = 50000;
    expect_fail(stray, "checkpoint_us set without fault tolerance", 1);
    Image short_period;
    short_period.domains[1].fault_tolerance = bi::kFtVm;
    short_period.domains[1].checkpoint_us = 999;
    expect_fail(short_period, "checkpoint_us outside", 1);
    Image long_period;
    long_period.domains[1].fault_tolerance = bi::kFtVm;
    long_period.domains[1].checkpoint_us = 60000001;
    expect_fail(long_period, "checkpoint_us outside", 1);
    Image on_switch;
    on_switch.domains[0].fault_tolerance = bi::kFtVm;  // dom0 too, when configured
    on_switch.domains[1].fault_tolerance = bi::kFtVm;
    expect_ok(on_switch);
    Image periodic;
    periodic.domains[1].fault_tolerance = bi::kFtVm;
    periodic.domains[1].checkpoint_us = 1000;
    periodic.domains[0].fault_tolerance = bi::kFtVm;
    periodic.domains[0].checkpoint_us = 60000000;
    expect_ok(periodic);
    Image manual;
    manual.domains[1].fault_tolerance = bi::kFtVm;
    manual.domains[1].checkpoint_us = bi::kCheckpointManual;
    expect_ok(manual);
    Image manual_without_ft;
    manual_without_ft.domains[1].checkpoint_us = bi::kCheckpointManual;
    expect_fail(manual_without_ft, "checkpoint_us set without fault tolerance", 1);
}

TEST_F(BootImageTest, KernelOffsetMisaligned) {
    image_.build();  // assigns offsets
    image_.domains[1].kernel_offset += 2;
    image_.domains[1].kernel_size = 60;
    expect_fail(image_, "4-byte aligned", 1);
}

TEST_F(BootImageTest, KernelOffsetInsideTable) {
    image_.domains[0].kernel_offset = kH + 2 * kD - 4;
    expect_fail(image_, "inside the header or domain table", 0);
}

TEST_F(BootImageTest, KernelPastEnd) {
    image_.build();
    image_.domains[1].kernel_size = 68;
    expect_fail(image_, "past the end", 1);
    Image wrap;
    wrap.build();
    wrap.domains[1].kernel_size = 0xFFFFFFF0;  // offset + size wraps to a small number
    expect_fail(wrap, "past the end", 1);
}

TEST_F(BootImageTest, KernelTooSmall) {
    image_.domains[1].kernel_size = 51;
    expect_fail(image_, "smaller than an ELF header", 1);
}

TEST_F(BootImageTest, CmdlineNotTerminated) {
    std::memset(image_.domains[0].cmdline, 'c', sizeof image_.domains[0].cmdline);
    expect_fail(image_, "cmdline", 0);
}

TEST_F(BootImageTest, Domain0MustBePrivilegedAndAutostart) {
    image_.domains[0].flags = bi::kDomAutostart;
    expect_fail(image_, "domain 0 must be", 0);
    Image other;
    other.domains[0].flags = bi::kDomPrivileged;
    expect_fail(other, "domain 0 must be", 0);
}

TEST_F(BootImageTest, OnlyDomain0Privileged) {
    image_.domains[1].flags |= bi::kDomPrivileged;
    expect_fail(image_, "only domain 0", 1);
}

// ---- kernels shared by several domains ----------------------------------------------------

TEST_F(BootImageTest, DomainsMayShareOneKernel) {
    image_.build();
    image_.domains[1].kernel_offset = image_.domains[0].kernel_offset;  // mkimage.py's dedup
    const BootImageError e = check(image_.build());
    ASSERT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(view_.domains[0].kernel_offset, view_.domains[1].kernel_offset);
}

// ---- ramdisks --------------------------------------------------------------------------------

TEST_F(BootImageTest, ValidImageWithRamdisks) {
    image_.domains[0].ramdisk_size = 3 * 512;  // padded with zeros to one frame
    image_.domains[1].ramdisk_size = 8192;     // two whole frames
    const std::vector<u8> bytes = image_.build();
    const BootImageError e = check(bytes);
    ASSERT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(view_.domains[0].ramdisk_offset, 4096u);
    EXPECT_EQ(view_.domains[1].ramdisk_offset, 8192u);
    EXPECT_EQ(view_.header->total_size, 16384u);
    EXPECT_EQ(bytes[4096], 0xD0);
    EXPECT_EQ(bytes[8192 + 8191], 0xD1);
}

TEST_F(BootImageTest, RamdiskLimitsThatAreStillValid) {
    image_.domains[0].ramdisk_size = 512;                  // the smallest
    image_.domains[1].ramdisk_size = bi::kRamdiskMaxSize;  // the largest, ending the image
    const BootImageError e = check(image_.build());
    ASSERT_EQ(e.err, Err::ok) << e.problem;
    EXPECT_EQ(view_.domains[1].ramdisk_offset + view_.domains[1].ramdisk_size, view_.header->total_size);
    EXPECT_EQ(bi::kRamdiskMaxSize, 3 * MiB) << "domains/README.md states 3 MiB";
}

TEST_F(BootImageTest, RamdiskOffsetWithoutRamdisk) {
    image_.domains[1].ramdisk_offset = 4096;
    image_.kernels.resize(8192, 0);  // so that the offset lies inside the image
    expect_fail(image_, "ramdisk_offset set without a ramdisk", 1);
}

TEST_F(BootImageTest, RamdiskSizeNotSectors) {
    image_.domains[1].ramdisk_size = 1000;
    expect_fail(image_, "not a multiple of 512", 1);
    Image other;
    other.domains[0].ramdisk_size = 4096 + 1;
    expect_fail(other, "not a multiple of 512", 0);
}

TEST_F(BootImageTest, RamdiskTooBig) {
    image_.domains[1].ramdisk_size = bi::kRamdiskMaxSize + 512;
    expect_fail(image_, "ramdisk_size above 3 MiB", 1);
}

TEST_F(BootImageTest, RamdiskOffsetMisaligned) {
    image_.domains[1].ramdisk_size = 512;
    image_.build();
    image_.domains[1].ramdisk_offset += 512;  // still inside the image, on a sector boundary
    expect_fail(image_, "4 KiB aligned", 1);
}

TEST_F(BootImageTest, RamdiskInsideTheHeader) {
    image_.place = false;
    image_.domains[0].ramdisk_size = 512;  // offset 0: the header itself
    expect_fail(image_, "ramdisk inside the header or domain table", 0);
}

TEST_F(BootImageTest, RamdiskFramesPastTheEnd) {
    image_.domains[1].ramdisk_size = 4096;
    image_.build();                               // the ramdisk's one frame ends the image
    image_.domains[1].ramdisk_size = 4096 + 512;  // its bytes and frames would go on
    expect_fail(image_, "ramdisk frames extend past the end", 1);
    // Bytes inside, but the last frame not: the padding to whole frames is required.
    Image trimmed;
    trimmed.domains[1].ramdisk_size = 512;
    trimmed.seal = false;
    std::vector<u8> bytes = trimmed.build();
    bytes.resize(trimmed.domains[1].ramdisk_offset + 512);
    const u32 total = static_cast<u32>(bytes.size());
    std::memcpy(bytes.data() + offsetof(bi::BootImageHeader, total_size), &total, 4);
    const u32 crc = crc32(bytes.data() + kH, total - kH);
    std::memcpy(bytes.data() + offsetof(bi::BootImageHeader, crc32), &crc, 4);
    const BootImageError e = check(bytes);
    EXPECT_EQ(e.err, Err::inval);
    ASSERT_NE(e.problem, nullptr);
    EXPECT_NE(std::strstr(e.problem, "ramdisk frames extend past the end"), nullptr) << e.problem;
    EXPECT_EQ(e.domain, 1u);
    // An offset near 4 GiB must not wrap into a small end.
    Image wrap;
    wrap.place = false;
    wrap.kernels.resize(8192, 0);  // an image larger than the ramdisk's frame
    wrap.domains[1].ramdisk_size = 4096;
    wrap.domains[1].ramdisk_offset = 0xFFFFF000;
    expect_fail(wrap, "ramdisk frames extend past the end", 1);
}

TEST_F(BootImageTest, RamdiskFramesOverlapAKernel) {
    image_.domains[0].ramdisk_size = 8192;
    image_.build();
    image_.domains[1].kernel_offset = image_.domains[0].ramdisk_offset + 4096;  // inside its bytes
    expect_fail(image_, "ramdisk frames overlap a kernel", 0);
    // A kernel in the zero padding of the ramdisk's last frame is just as bad: the whole
    // frame becomes the domain's.
    Image padded;
    padded.domains[1].ramdisk_size = 512;
    padded.build();
    padded.domains[0].kernel_offset = padded.domains[1].ramdisk_offset + 1024;
    expect_fail(padded, "ramdisk frames overlap a kernel", 1);
}

TEST_F(BootImageTest, RamdisksOverlapEachOther) {
    image_.domains[0].ramdisk_size = 8192;
    image_.domains[1].ramdisk_size = 4096;
    image_.build();
    image_.domains[1].ramdisk_offset = image_.domains[0].ramdisk_offset + 4096;
    expect_fail(image_, "overlap another domain's ramdisk", 0);
    Image same;
    same.domains[0].ramdisk_size = 512;
    same.domains[1].ramdisk_size = 512;
    same.build();
    same.domains[1].ramdisk_offset = same.domains[0].ramdisk_offset;  // one disk for two
    expect_fail(same, "overlap another domain's ramdisk", 0);
}

}  // namespace
}  // namespace xa

namespace {

// The reference: one bit at a time, straight from the definition.
xa::u32 crc32_bitwise(const xa::u8* data, xa::u32 size) {
    xa::u32 c = 0xFFFFFFFFu;
    for (xa::u32 i = 0; i < size; ++i) {
        c ^= data[i];
        for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

TEST(Crc32, WordAtATimeMatchesTheBitwiseDefinitionAtEveryAlignmentAndLength) {
    alignas(8) xa::u8 buf[300];
    for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = static_cast<xa::u8>(i * 131u + 7u);
    for (xa::u32 start = 0; start < 8; ++start) {
        for (xa::u32 len = 0; len + start <= sizeof buf; len += (len < 16 ? 1 : 37)) {
            EXPECT_EQ(xa::crc32(buf + start, len), crc32_bitwise(buf + start, len)) << start << " " << len;
        }
    }
}

}  // namespace
