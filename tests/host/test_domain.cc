// domains::build and domains::destroy on the host (fakes: fake_vmm.hh). A good build is
// checked field by field; then every way a build can fail is injected, one at a time, and
// each must return its Err and problem text and leave every allocator bit, frame-table
// entry, event-channel port and grant mapping exactly as it found them; build/destroy
// cycles must leak nothing either.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "boot_image.hh"
#include "checkpoint.hh"
#include "domain.hh"
#include "elf_loader.hh"
#include "fake_vmm.hh"
#include "fault_tolerance.hh"
#include "layout.hh"
#include "mmu.hh"
#include "vmm.hh"
#include "vmm_memory.hh"

namespace xa {
namespace {

namespace bi = boot_image;

// The boot image, in the VMM's RAM as the loader leaves it (reserved VMM frames).
constexpr PhysAddr kImagePa{fake::kRamBase + 1 * MiB};
constexpr u32 kKernelOffset = 0x1000;
constexpr u32 kKernelSize = 0x2000;
constexpr u32 kRamdiskOffset = 0x4000;
constexpr u32 kRamdiskSize = 0x2000;
constexpr u32 kImageSize = 0x8000;
// A second copy of the kernel, relocated into window 3 (start_info.h) as the image builder does.
constexpr u32 kWindow3Offset = 0x6000;
constexpr u32 kWindow3 = XA_GUEST_KERNEL_BASE + 3 * XA_WINDOW_SIZE;
constexpr u32 kEntry = XA_GUEST_KERNEL_BASE + 0x10;
// The kernel: a text segment at the base, a data+bss segment two pages up.
constexpr u32 kTextFileOffset = 0x1000, kTextSize = 0x800;
constexpr u32 kDataFileOffset = 0x1800, kDataSize = 0x100, kDataVa = XA_GUEST_KERNEL_BASE + 0x2000,
              kDataMemSize = 0x3000;

enum : u32 { kDom0, kGuest, kBig, kDomainCount };
constexpr u32 kDom0Kb = 256, kGuestKb = 256, kBigKb = 5 * 1024;  // kBig spans 5 MiB: 2 coarse frames

void put32(u8* p, u32 v) { std::memcpy(p, &v, 4); }
void put16(u8* p, u16 v) { std::memcpy(p, &v, 2); }

u8 text_byte(u32 i) { return static_cast<u8>(0x30 + i * 7); }
u8 data_byte(u32 i) { return static_cast<u8>(0xA0 ^ i); }

void write_elf(u8* elf, u32 delta = 0) {
    std::memset(elf, 0, kKernelSize);
    const u8 ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
    std::memcpy(elf, ident, sizeof ident);
    put16(elf + 16, 2);   // ET_EXEC
    put16(elf + 18, 40);  // EM_ARM
    put32(elf + 20, 1);
    put32(elf + 24, kEntry + delta);
    put32(elf + 28, 52);  // e_phoff
    put16(elf + 40, 52);
    put16(elf + 42, 32);
    put16(elf + 44, 2);
    const u32 ph[2][8] = {
        {1, kTextFileOffset, XA_GUEST_KERNEL_BASE + delta, XA_GUEST_KERNEL_BASE + delta, kTextSize, kTextSize, 5,
         0x1000},
        {1, kDataFileOffset, kDataVa + delta, kDataVa + delta, kDataSize, kDataMemSize, 6, 0x1000},
    };
    for (u32 i = 0; i < 2; ++i)
        for (u32 f = 0; f < 8; ++f) put32(elf + 52 + i * 32 + f * 4, ph[i][f]);
    for (u32 i = 0; i < kTextSize; ++i) elf[kTextFileOffset + i] = text_byte(i);
    for (u32 i = 0; i < kDataSize; ++i) elf[kDataFileOffset + i] = data_byte(i);
}

bi::BootDomain domain_record(const char* name, u32 flags, u32 memory_kb, u32 priority) {
    bi::BootDomain d{};
    std::strncpy(d.name, name, sizeof d.name - 1);
    d.flags = flags;
    d.memory_kb = memory_kb;
    d.timeslice_us = 10'000;
    d.priority = priority;
    d.weight = 256;
    d.kernel_offset = kKernelOffset;
    d.kernel_size = kKernelSize;
    std::snprintf(d.cmdline, sizeof d.cmdline, "console=xen %s", name);
    return d;
}

// Everything a build takes or changes outside its own Domain slot.
struct Snapshot {
    std::vector<u8> vmm_bits, guest_bits;
    u32 vmm_free = 0, guest_free = 0;
    std::vector<FrameInfo> frames;
    std::vector<int> ev_exists;
    std::vector<EventChannels::Port> ports;
    std::vector<u32> dom0_pending;
    std::vector<u32> grants_by, grants_from;
    std::vector<int> slot_states;

    static Snapshot take() {
        Snapshot s;
        FrameAllocator& vf = vmm_memory::frames();
        FrameAllocator& gf = vmm::guest_frames();
        for (u32 i = 0; i < vf.total(); ++i) s.vmm_bits.push_back(vf.is_allocated(vf.base() + i * kPageSize));
        for (u32 i = 0; i < gf.total(); ++i) s.guest_bits.push_back(gf.is_allocated(gf.base() + i * kPageSize));
        s.vmm_free = vf.free_count();
        s.guest_free = gf.free_count();
        const FrameTable& ft = vmm::frame_table();
        for (u32 i = 0; i < ft.frames(); ++i) s.frames.push_back(*ft.info(ft.base() + i * kPageSize));
        const EventChannels& ev = vmm::evtchn();
        for (u16 d = 0; d < EventChannels::kMaxDomains; ++d) {
            s.ev_exists.push_back(ev.exists(DomId(d)));
            for (u32 p = 1; p < EventChannels::kPortsPerDomain; ++p) {
                const EventChannels::Port* port = ev.port(DomId(d), p);
                s.ports.push_back(port != nullptr ? *port : EventChannels::Port{});
            }
        }
        if (Domain* d0 = domains::get(DomId(0)))
            s.dom0_pending.assign(std::begin(d0->shared_uc->evtchn_pending), std::end(d0->shared_uc->evtchn_pending));
        for (u16 d = 0; d < GrantTables::kMaxDomains; ++d) {
            s.grants_by.push_back(vmm::grants().mapped_by(DomId(d)));
            s.grants_from.push_back(vmm::grants().mapped_from(DomId(d)));
        }
        for (u32 i = 0; i < Domain::kMaxDomains; ++i) s.slot_states.push_back(static_cast<int>(domains::slot(i).state));
        return s;
    }

    // The first differences, in words, or "" if there are none.
    std::string diff(const Snapshot& o) const {
        std::ostringstream out;
        if (vmm_free != o.vmm_free) out << "VMM free frames " << vmm_free << " -> " << o.vmm_free << "; ";
        if (guest_free != o.guest_free) out << "guest free frames " << guest_free << " -> " << o.guest_free << "; ";
        if (vmm_bits != o.vmm_bits) out << "VMM allocator bitmap differs; ";
        if (guest_bits != o.guest_bits) out << "guest allocator bitmap differs; ";
        for (u32 i = 0; i < frames.size(); ++i) {
            if (std::memcmp(&frames[i], &o.frames[i], sizeof(FrameInfo)) != 0) {
                out << "frame 0x" << std::hex << fake::kRamBase + i * kPageSize << std::dec << " owner "
                    << frames[i].owner << " -> " << o.frames[i].owner << " type " << int(frames[i].type) << " -> "
                    << int(o.frames[i].type) << " maps " << frames[i].map_count << " -> " << o.frames[i].map_count
                    << "; ";
                break;
            }
        }
        if (ev_exists != o.ev_exists) out << "event-channel domains differ; ";
        for (u32 i = 0; i < ports.size(); ++i) {
            const auto& a = ports[i];
            const auto& b = o.ports[i];
            if (a.state != b.state || a.remote_dom != b.remote_dom || a.remote_port != b.remote_port ||
                a.virq != b.virq) {
                out << "dom" << i / (EventChannels::kPortsPerDomain - 1) << " port "
                    << i % (EventChannels::kPortsPerDomain - 1) + 1 << " state " << int(a.state) << " -> "
                    << int(b.state) << "; ";
                break;
            }
        }
        if (dom0_pending != o.dom0_pending) out << "dom0's pending bits differ; ";
        if (grants_by != o.grants_by || grants_from != o.grants_from) out << "grant mappings differ; ";
        if (slot_states != o.slot_states) out << "domain slot states differ; ";
        return out.str();
    }
};

class DomainBuild : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        u8* image = fake::ram(kImagePa);
        std::memset(image, 0, kImageSize);
        auto* header = reinterpret_cast<bi::BootImageHeader*>(image);
        std::memcpy(header->magic, bi::kMagic, sizeof header->magic);
        header->version = bi::kVersion;
        header->total_size = kImageSize;
        header->domain_count = kDomainCount;
        auto* records = reinterpret_cast<bi::BootDomain*>(image + sizeof(bi::BootImageHeader));
        records[kDom0] = domain_record("dom0", bi::kDomPrivileged | bi::kDomAutostart, kDom0Kb, 0);
        records[kGuest] = domain_record("guest", 0, kGuestKb, 3);
        records[kGuest].ramdisk_offset = kRamdiskOffset;
        records[kGuest].ramdisk_size = kRamdiskSize;
        records[kBig] = domain_record("big", 0, kBigKb, 5);
        write_elf(image + kKernelOffset);
        write_elf(image + kWindow3Offset, kWindow3 - XA_GUEST_KERNEL_BASE);
        for (u32 i = 0; i < kRamdiskSize; ++i) image[kRamdiskOffset + i] = static_cast<u8>(i * 13);
        ASSERT_EQ(vmm_memory::frames().reserve(kImagePa, kImageSize), Err::ok);
        view_ = BootImageView{header, records, kDomainCount};
        fake::set_boot_image(&view_);
        // Guest RAM as a previous owner might have left it: the build must zero it.
        std::memset(fake::ram(PhysAddr(fake::kRamBase + fake::kVmmBytes)), 0xEE, fake::kGuestBytes);
    }

    bi::BootDomain& record(u32 index) { return const_cast<bi::BootDomain&>(view_.domains[index]); }

    Err build(u32 index) {
        problem_ = nullptr;
        return domains::build(index, problem_);
    }
    void build_dom0() { ASSERT_EQ(build(kDom0), Err::ok) << problem_; }

    // Builds `index`, which must fail with `want` and `why` and leave everything as it was.
    void expect_failure(u32 index, Err want, const std::string& why) {
        const Snapshot before = Snapshot::take();
        const u32 started = fake::calls().domain_started;
        EXPECT_EQ(build(index), want);
        ASSERT_NE(problem_, nullptr);
        EXPECT_EQ(std::string(problem_), why);
        EXPECT_EQ(before.diff(Snapshot::take()), "");
        EXPECT_EQ(fake::calls().domain_started, started);
    }

    BootImageView view_{};
    const char* problem_ = nullptr;
};

// ---- a good build ------------------------------------------------------------------------

TEST_F(DomainBuild, Dom0GetsItsMemoryPagesTableAndStartInfo) {
    const Snapshot before = Snapshot::take();
    build_dom0();
    Domain* d = domains::get(DomId(0));
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->alive());
    EXPECT_TRUE(d->privileged);
    EXPECT_STREQ(d->name, "dom0");
    EXPECT_EQ(fake::calls().domain_started, 1u);

    // Frames: its memory from the guest allocator; four VMM pages, its L1 table and one
    // frame of coarse tables (its memory's MiB and the VMM-pages MiB) from the VMM's.
    const FrameTable& ft = vmm::frame_table();
    const u32 pages = kDom0Kb * KiB / kPageSize;
    EXPECT_EQ(d->nr_pages, pages);
    EXPECT_EQ(before.guest_free - vmm::guest_frames().free_count(), pages);
    EXPECT_EQ(before.vmm_free - vmm_memory::frames().free_count(), 4u + mmu::kL1Size / kPageSize + 1u);
    EXPECT_EQ(ft.count(DomId(0), FrameType::guest), pages);
    EXPECT_EQ(ft.count(DomId(0), FrameType::vmm_shared), 4u);
    EXPECT_EQ(ft.count(DomId(0), FrameType::page_table), mmu::kL1Size / kPageSize);
    for (u32 i = 0; i < pages; ++i) EXPECT_EQ(ft.info(d->mem_base + i * kPageSize)->map_count, 1u) << i;
    for (PhysAddr pa : {d->shared_pa, d->start_pa, d->grants_pa, d->trace_pa}) {
        EXPECT_EQ(ft.info(pa)->owner, 0u);
        EXPECT_EQ(ft.info(pa)->map_count, 1u);
    }

    // Its table: the VMM's area copied from the master table; its memory and VMM pages
    // mapped where start_info.h says.
    const u32 vmm_mib = layout::kDirectMap.start >> kSectionShift;
    EXPECT_EQ(d->table->l1_entry(vmm_mib), vmm_memory::master_table().l1_entry(vmm_mib));
    EXPECT_NE(d->table->l1_entry(vmm_mib), 0u);
    const auto xlate = [&](u32 va) {
        auto t = d->table->translate(VirtAddr(va));
        return t ? t->pa : PhysAddr{};
    };
    EXPECT_EQ(xlate(XA_GUEST_KERNEL_BASE), d->mem_base);
    EXPECT_EQ(xlate(XA_GUEST_KERNEL_BASE + kDom0Kb * KiB - kPageSize), d->mem_base + (pages - 1) * kPageSize);
    EXPECT_EQ(xlate((XA_GUEST_KERNEL_BASE + XA_SHARED_INFO_OFFSET)), d->shared_pa);
    EXPECT_EQ(xlate((XA_GUEST_KERNEL_BASE + XA_START_INFO_OFFSET)), d->start_pa);
    EXPECT_EQ(xlate((XA_GUEST_KERNEL_BASE + XA_GRANT_TABLE_OFFSET)), d->grants_pa);
    EXPECT_EQ(xlate((XA_GUEST_KERNEL_BASE + XA_TRACE_PAGE_OFFSET)), d->trace_pa);

    // Its memory: the kernel's segments in place, everything else zeroed.
    const u8* mem = fake::ram(d->mem_base);
    for (u32 i = 0; i < kTextSize; ++i) ASSERT_EQ(mem[i], text_byte(i)) << i;
    for (u32 i = 0; i < kDataSize; ++i) ASSERT_EQ(mem[kDataVa - XA_GUEST_KERNEL_BASE + i], data_byte(i)) << i;
    for (u32 i = kTextSize; i < kDataVa - XA_GUEST_KERNEL_BASE; ++i) ASSERT_EQ(mem[i], 0) << i;
    for (u32 i = kDataVa - XA_GUEST_KERNEL_BASE + kDataSize; i < kDom0Kb * KiB; ++i) ASSERT_EQ(mem[i], 0) << i;
    // ...copied through its own table, with the VMM's table and DACR back afterwards.
    EXPECT_EQ(cpu::fake::ttbr_switches, 2u);
    EXPECT_EQ(cpu::fake::ttbr, vmm_memory::master_table().l1().value());
    EXPECT_EQ(cpu::fake::dacr, mmu::kDacrVmm);

    const start_info& si = *d->start_uc;
    EXPECT_STREQ(reinterpret_cast<const char*>(si.magic), XA_START_INFO_MAGIC);
    EXPECT_EQ(si.nr_pages, pages);
    EXPECT_EQ(si.mem_base, d->mem_base.value());
    EXPECT_EQ(si.kernel_va, XA_GUEST_KERNEL_BASE);
    EXPECT_EQ(si.pt_base, d->table->l1().value());
    EXPECT_EQ(si.shared_info_va, (XA_GUEST_KERNEL_BASE + XA_SHARED_INFO_OFFSET));
    EXPECT_EQ(si.grant_table_va, (XA_GUEST_KERNEL_BASE + XA_GRANT_TABLE_OFFSET));
    EXPECT_EQ(si.nr_grant_frames, XA_GRANT_FRAMES);
    EXPECT_EQ(si.flags, SIF_PRIVILEGED | SIF_INITDOMAIN);
    EXPECT_EQ(si.domid, 0u);
    EXPECT_EQ(si.timeslice_us, 10'000u);
    EXPECT_STREQ(reinterpret_cast<const char*>(si.name), "dom0");
    EXPECT_STREQ(reinterpret_cast<const char*>(si.cmd_line), "console=xen dom0");
    EXPECT_EQ(si.ramdisk_size, 0u);
    EXPECT_EQ(si.console_evtchn, 0u);  // dom0 gets no console or store channel
    EXPECT_EQ(si.store_evtchn, 0u);

    EXPECT_TRUE(vmm::evtchn().exists(DomId(0)));
    EXPECT_EQ(d->shared_uc->vcpu[0].evtchn_upcall_mask, 1u);
    EXPECT_EQ(d->shared_uc->wc_version, 2u);

    EXPECT_EQ(d->ctx.r[0], (XA_GUEST_KERNEL_BASE + XA_START_INFO_OFFSET));
    EXPECT_EQ(d->ctx.pc, kEntry);
    EXPECT_EQ(d->ctx.sp, XA_GUEST_KERNEL_BASE + kDom0Kb * KiB - XA_START_RESERVED_PAGES * kPageSize);
    EXPECT_EQ(d->ctx.cpsr, static_cast<u32>(ARM_MODE_USR));
    EXPECT_EQ(d->mode, VirtMode::kernel);
    EXPECT_EQ(fake::calls().started_timeslice_ns, 10'000'000u);  // the scheduler's, in ns
    EXPECT_NE(fake::console().find("dom0 'dom0' built: 256 KiB"), std::string::npos) << fake::console();
}

TEST_F(DomainBuild, GuestGetsRamdiskAndConsoleAndStoreChannelsToDom0) {
    build_dom0();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    Domain* d = domains::get(DomId(kGuest));
    ASSERT_NE(d, nullptr);
    const start_info& si = *d->start_uc;
    EXPECT_EQ(si.flags, 0u);
    EXPECT_EQ(si.domid, kGuest);

    // The RAM disk's frames are the guest's, where they are in the image, contents intact.
    const FrameTable& ft = vmm::frame_table();
    EXPECT_EQ(d->ramdisk_pa, kImagePa + kRamdiskOffset);
    EXPECT_EQ(d->ramdisk_pages, kRamdiskSize / kPageSize);
    EXPECT_EQ(si.ramdisk_base, (kImagePa + kRamdiskOffset).value());
    EXPECT_EQ(si.ramdisk_size, kRamdiskSize);
    for (u32 i = 0; i < kRamdiskSize / kPageSize; ++i) {
        const FrameInfo* fi = ft.info(d->ramdisk_pa + i * kPageSize);
        EXPECT_EQ(fi->owner, kGuest);
        EXPECT_EQ(fi->type, FrameType::guest);
    }
    EXPECT_EQ(fake::ram(d->ramdisk_pa)[kPageSize + 1], static_cast<u8>((kPageSize + 1) * 13));

    // Console and store: its last two pages, granted to dom0, each with a channel whose
    // other end is dom0's.
    const u32 pages = kGuestKb * KiB / kPageSize;
    EXPECT_EQ(si.console_mfn, (d->mem_base + (pages - 2) * kPageSize).value());
    EXPECT_EQ(si.store_mfn, (d->mem_base + (pages - 1) * kPageSize).value());
    const EventChannels& ev = vmm::evtchn();
    const struct {
        u32 port, dom0_port;
    } channels[] = {{si.console_evtchn, d->console_port_dom0}, {si.store_evtchn, d->store_port_dom0}};
    for (const auto& c : channels) {
        ASSERT_NE(c.port, 0u);
        ASSERT_NE(c.dom0_port, 0u);
        const EventChannels::Port* mine = ev.port(DomId(kGuest), c.port);
        const EventChannels::Port* theirs = ev.port(DomId(0), c.dom0_port);
        EXPECT_EQ(mine->state, EventChannels::State::interdomain);
        EXPECT_EQ(mine->remote_dom, 0u);
        EXPECT_EQ(mine->remote_port, c.dom0_port);
        EXPECT_EQ(theirs->state, EventChannels::State::interdomain);
        EXPECT_EQ(theirs->remote_dom, kGuest);
        EXPECT_EQ(theirs->remote_port, c.port);
    }
    EXPECT_NE(si.console_evtchn, si.store_evtchn);
    EXPECT_EQ(d->grants_uc[GNTTAB_RESERVED_CONSOLE].flags, GTF_permit_access);
    EXPECT_EQ(d->grants_uc[GNTTAB_RESERVED_CONSOLE].domid, 0u);
    EXPECT_EQ(d->grants_uc[GNTTAB_RESERVED_CONSOLE].frame, si.console_mfn);
    EXPECT_EQ(d->grants_uc[GNTTAB_RESERVED_XENSTORE].frame, si.store_mfn);
    EXPECT_EQ(d->table->coarse_limit(), coarse_table_quota(kGuestKb * KiB, kRamdiskSize));
    EXPECT_NE(fake::console().find("RAM disk of 8192 bytes"), std::string::npos) << fake::console();
}

// ---- each failure leaves everything as it was --------------------------------------------

TEST_F(DomainBuild, RefusedBeforeAnythingIsTaken) {
    expect_failure(kDomainCount, Err::noent, "no such configuration entry");
    expect_failure(kGuest, Err::inval, "dom0 is not running");
    build_dom0();
    expect_failure(kDom0, Err::exist, "the domain exists");
    fake::set_boot_image(nullptr);
    expect_failure(kGuest, Err::noent, "no such configuration entry");
}

TEST_F(DomainBuild, RefusedByTheSchedulersAdmissionBeforeAnythingIsTaken) {
    build_dom0();
    fake::calls().admit_result = Err::nospc;
    expect_failure(kGuest, Err::nospc,
                   "its reservation does not fit beside the running domains' (sched sedf bandwidth)");
    fake::calls().admit_result = Err::ok;
}

TEST_F(DomainBuild, BadKernelIsRefusedWithTheParsersReason) {
    build_dom0();
    u8* elf = fake::ram(kImagePa + kKernelOffset);
    put16(elf + 18, 3);  // EM_386
    ElfImage img{};
    const ElfError want =
        elf_parse(elf, kKernelSize, VirtAddr(XA_GUEST_KERNEL_BASE), kGuestKb * KiB - 2 * kPageSize, img);
    ASSERT_NE(want.err, Err::ok);
    expect_failure(kGuest, want.err, want.problem);
}

TEST_F(DomainBuild, OutOfGuestMemory) {
    build_dom0();
    // Leave 128 KiB free: the guest needs 256.
    FrameAllocator& gf = vmm::guest_frames();
    ASSERT_TRUE(gf.alloc(gf.free_count() - 32));
    expect_failure(kGuest, Err::nomem, "not enough free guest memory: needs 256 KiB, 128 KiB free");
}

// ---- fault tolerance: the backup block ------------------------------------------------------

TEST_F(DomainBuild, FaultTolerantGuestOwnsABackupAsLargeAsItsMemoryThatOnlyTheVmmMaps) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    record(kGuest).checkpoint_us = 50'000;
    const Snapshot before = Snapshot::take();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    const Domain& d = domains::slot(kGuest);
    const u32 pages = kGuestKb * KiB / kPageSize;
    EXPECT_EQ(d.fault_tolerance, bi::kFtVm);
    EXPECT_EQ(d.checkpoint_us, 50'000u);
    EXPECT_EQ(before.guest_free - vmm::guest_frames().free_count(), 2 * pages) << "its memory and its backup";
    const FrameTable& ft = vmm::frame_table();
    EXPECT_EQ(ft.count(DomId(kGuest), FrameType::backup), pages + 1) << "and a VMM frame for the grant page's copy";
    EXPECT_EQ(ft.info(d.backup_grants_pa)->type, FrameType::backup);
    EXPECT_EQ(ft.info(d.backup_grants_pa)->map_count, 0u);
    for (u32 i = 0; i < pages; ++i) {
        const FrameInfo* fi = ft.info(d.backup_pa + i * kPageSize);
        ASSERT_EQ(fi->type, FrameType::backup) << i;
        ASSERT_EQ(fi->map_count, 1u) << "mapped once, in the backup window: " << i;
    }
    EXPECT_FALSE(d.backup_pa.value() < d.mem_base.value() + pages * kPageSize &&
                 d.mem_base.value() < d.backup_pa.value() + pages * kPageSize)
        << "the backup does not overlap the memory";
    // Mapped in its own table only, privileged-only, from PERDOMAIN's second MiB; nowhere
    // the guest could reach.
    for (u32 i = 0; i < pages; ++i) {
        const auto t = d.table->translate(VirtAddr(ft::kBackupWindowVa + i * kPageSize));
        ASSERT_TRUE(t) << i;
        EXPECT_EQ(t->pa, d.backup_pa + i * kPageSize);
        EXPECT_EQ(t->domain, mmu::Domain::vmm);
        EXPECT_EQ(t->ap, mmu::Ap::priv_rw);
    }
    EXPECT_FALSE(d.table->translate(VirtAddr(ft::kBackupWindowVa + pages * kPageSize)));
    EXPECT_FALSE(vmm_memory::master_table().translate(VirtAddr(ft::kBackupWindowVa)));
    EXPECT_FALSE(domains::slot(kDom0).table->translate(VirtAddr(ft::kBackupWindowVa)));
    d.table->for_each_page(0, layout::kVmmBase >> kSectionShift, [&](VirtAddr va, u32 desc) {
        const u32 pa = mmu::l2_small_base(desc).value();
        EXPECT_FALSE(pa >= d.backup_pa.value() && pa < d.backup_pa.value() + pages * kPageSize)
            << "backup frame mapped at 0x" << std::hex << va.value();
    });
    // One more coarse table (its backup's MiB) than the same guest without fault tolerance.
    EXPECT_EQ(d.table->coarse_limit(), coarse_table_quota(kGuestKb * KiB, kRamdiskSize) + 1);
    EXPECT_NE(fake::console().find("dom1 'guest': fault tolerance: a backup of 64 frames"), std::string::npos)
        << fake::console();

    ASSERT_EQ(domains::destroy(domains::slot(kGuest)), Err::ok);
    EXPECT_EQ(Snapshot::take().diff(before), "") << "destroy gives the backup back";
}

TEST_F(DomainBuild, FaultToleranceNeedsMemoryThatFitsTheBackupWindow) {
    build_dom0();
    record(kBig).fault_tolerance = bi::kFtVm;  // 5 MiB
    expect_failure(kBig, Err::inval, "fault tolerance: memory above the backup window's 3072 KiB");
    record(kBig).memory_kb = bi::kFtMemoryMaxKb;
    EXPECT_EQ(build(kBig), Err::ok) << problem_;
    EXPECT_TRUE(domains::slot(kBig).table->translate(VirtAddr(ft::kBackupWindowVa + ft::kBackupWindowBytes - 1)));
}

// The full-copy baseline: everything a checkpoint holds comes back with a rollback, and
// what belongs to others too (events pending now, grant maps in use) stays.
TEST_F(DomainBuild, CheckpointAndRollbackOfAGuestOffTheCpu) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    Domain& d = domains::slot(kGuest);
    const u32 bytes = kGuestKb * KiB;
    u8* mem = fake::ram(d.mem_base);
    TrapFrame regs{};
    EXPECT_FALSE(ft::has_checkpoint(d));
    EXPECT_EQ(ft::last_checkpoint_ns(d), 0u);
    EXPECT_EQ(ft::rollback(d, regs, 0, true), Err::noent);
    EXPECT_EQ(ft::checkpoint(domains::slot(kDom0), regs, 0), Err::inval) << "dom0 has no fault tolerance";
    EXPECT_EQ(ft::stats(domains::slot(kDom0)), nullptr);

    for (u32 i = 0; i < bytes; ++i) mem[i] = static_cast<u8>(i * 31 + 7);
    for (u32 i = 0; i < 13; ++i) regs.r[i] = 0x100 + i;
    regs.pc = XA_GUEST_KERNEL_BASE + 0x40;
    regs.sp = XA_GUEST_KERNEL_BASE + 0x8000;
    d.trap_table[XA_TRAP_DABT] = XA_GUEST_KERNEL_BASE + 0x200;
    d.timer_deadline_ns = 5'000'000;
    shared_info& sh = *d.shared_uc;
    sh.evtchn_pending[0] = 0x2;
    sh.evtchn_mask[0] = 0x10;
    sh.vcpu[0].evtchn_upcall_mask = 0;
    auto* grants = reinterpret_cast<grant_entry_v1*>(fake::ram(d.grants_pa));
    grants[3] = grant_entry_v1{GTF_permit_access, 0, (d.mem_base + kPageSize).value()};
    const u32 switches = cpu::fake::ttbr_switches;
    ASSERT_EQ(ft::checkpoint(d, regs, 100), Err::ok);
    EXPECT_TRUE(ft::has_checkpoint(d));
    EXPECT_EQ(ft::last_checkpoint_ns(d), 100u);
    EXPECT_EQ(std::memcmp(fake::ram(d.backup_pa), mem, bytes), 0) << "the whole memory in the backup";
    EXPECT_EQ(cpu::fake::ttbr_switches, switches + 2) << "copied through its own table";
    EXPECT_EQ(cpu::fake::ttbr, vmm_memory::master_table().l1().value());
    EXPECT_EQ(cpu::fake::dacr, mmu::kDacrVmm);

    // Write tracking is on: the memory's MiB is in the tag's client domain, every page
    // read-only to the guest (USR) but writable by the VMM.
    const mmu::Domain tracked = mmu::tagged(mmu::Domain::guest_kernel_ro, d.tag);
    for (u32 i = 0; i < bytes / kPageSize; ++i) {
        const auto tr = d.table->translate(d.window + i * kPageSize);
        ASSERT_TRUE(tr) << i;
        EXPECT_EQ(tr->domain, tracked) << i;
        EXPECT_EQ(tr->ap, mmu::Ap::priv_rw_user_ro) << i;
    }
    // It runs on, then faults after corrupting pages 0 and 5: the first store to each is a
    // permission fault in the tracked domain, which makes the page dirty and writable.
    const u32 permission_fault = 0xFu | (static_cast<u32>(tracked) << 4);
    for (u32 page : {0u, 5u}) {
        const u32 va = d.window.value() + page * kPageSize + 0x10;
        EXPECT_FALSE(ft::write_fault(d, va, 0x7u | (static_cast<u32>(tracked) << 4))) << "a translation fault";
        EXPECT_TRUE(ft::write_fault(d, va, permission_fault)) << page;
        EXPECT_FALSE(ft::write_fault(d, va, permission_fault)) << "dirty already: a real fault";
        EXPECT_EQ(d.table->translate(VirtAddr(va))->ap, mmu::Ap::all_rw);
        for (u32 i = 0; i < kPageSize; ++i) mem[page * kPageSize + i] = 0xEE;
    }
    EXPECT_FALSE(ft::write_fault(d, d.window.value() + bytes, permission_fault)) << "past its memory";
    d.trap_table[XA_TRAP_DABT] = 0;
    d.timer_deadline_ns = 9'000'000;
    d.mode = VirtMode::user;
    sh.evtchn_pending[0] = 0x4;  // port 2 arrived since (port 1 was handled)
    sh.evtchn_mask[0] = 0xFFFF;
    sh.vcpu[0].evtchn_upcall_mask = 1;
    grants[3].domid = 5;
    grants[3].flags |= GTF_reading;  // dom0 has mapped it since
    TrapFrame out{};
    const fake::Calls before = fake::calls();
    ASSERT_EQ(ft::rollback(d, out, 200, true), Err::ok);
    EXPECT_EQ(fake::calls().time_updated, before.time_updated + 1) << "the clock goes on after a rollback";
    EXPECT_EQ(fake::calls().timer_set, before.timer_set + 1) << "the checkpoint's timer is set again";
    EXPECT_EQ(fake::calls().virqs_raised, before.virqs_raised + 2) << "the domain and dom0 hear of it";
    EXPECT_EQ(fake::calls().last_virq, u32{XA_VIRQ_DOM_ROLLBACK});
    EXPECT_EQ(fake::calls().last_virq_dom, 0u);
    for (u32 i = 0; i < bytes; ++i) ASSERT_EQ(mem[i], static_cast<u8>(i * 31 + 7)) << i;
    EXPECT_EQ(std::memcmp(&out, &regs, sizeof out), 0);
    EXPECT_EQ(d.trap_table[XA_TRAP_DABT], XA_GUEST_KERNEL_BASE + 0x200);
    EXPECT_EQ(d.timer_deadline_ns, 5'000'000u);
    EXPECT_EQ(d.mode, VirtMode::kernel);
    EXPECT_EQ(sh.evtchn_pending[0], 0x6u) << "restored, and what is pending now stays pending";
    EXPECT_EQ(sh.evtchn_mask[0], 0x10u);
    EXPECT_EQ(sh.vcpu[0].evtchn_upcall_mask, 0u);
    EXPECT_EQ(grants[3].domid, 0u);
    EXPECT_EQ(grants[3].flags, GTF_permit_access | GTF_reading) << "the map in use is still shown";
    const ft::Stats* st = ft::stats(d);
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->checkpoints, 1u);
    EXPECT_EQ(st->rollbacks, 1u);
    EXPECT_EQ(st->frames_copied, bytes / kPageSize + 2) << "everything once, then the two pages written";
    EXPECT_EQ(st->last_copied, 2u);
    for (u32 page : {0u, 5u})
        EXPECT_EQ(d.table->translate(d.window + page * kPageSize)->ap, mmu::Ap::priv_rw_user_ro) << "clean again";

    // Two more faults within the failure window are rolled back, the next one is not.
    EXPECT_EQ(ft::rollback(d, out, 300, true), Err::ok);
    EXPECT_EQ(ft::rollback(d, out, 400, true), Err::ok);
    EXPECT_EQ(ft::rollback(d, out, 500, true), Err::busy);
    EXPECT_EQ(ft::rollback(d, out, 600, false), Err::ok) << "a rollback asked for is no fault";

    // A new domain in the slot starts without the old one's checkpoint.
    ASSERT_EQ(domains::destroy(d), Err::ok);
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    EXPECT_FALSE(ft::has_checkpoint(domains::slot(kGuest)));
    EXPECT_EQ(ft::last_checkpoint_ns(domains::slot(kGuest)), 0u);
    EXPECT_EQ(ft::rollback(domains::slot(kGuest), out, 700, true), Err::noent);
}

TEST_F(DomainBuild, GuestWithoutFaultToleranceHasNoBackup) {
    build_dom0();
    const Snapshot before = Snapshot::take();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    EXPECT_EQ(before.guest_free - vmm::guest_frames().free_count(), kGuestKb * KiB / kPageSize);
    EXPECT_EQ(vmm::frame_table().count(DomId(kGuest), FrameType::backup), 0u);
    EXPECT_EQ(domains::slot(kGuest).backup_pa, PhysAddr{});
    EXPECT_EQ(fake::console().find("fault tolerance"), std::string::npos);
}

TEST_F(DomainBuild, WriteTrackingStopsWhenTheTableChangesAndPinsSharedFrames) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    Domain& d = domains::slot(kGuest);
    const u32 pages = kGuestKb * KiB / kPageSize;
    const mmu::Domain kernel = mmu::tagged(mmu::Domain::guest_kernel, d.tag);
    const mmu::Domain tracked = mmu::tagged(mmu::Domain::guest_kernel_ro, d.tag);
    TrapFrame regs{};
    ASSERT_EQ(ft::checkpoint(d, regs, 100), Err::ok);

    // The VMM's write probe of a clean page: made dirty (the probe is retried), once.
    EXPECT_TRUE(ft::unprotect_for_vmm(d, d.window.value() + 3 * kPageSize - 4, 8)) << "pages 2 and 3";
    EXPECT_FALSE(ft::unprotect_for_vmm(d, d.window.value() + 3 * kPageSize - 4, 8)) << "dirty already";
    EXPECT_FALSE(ft::unprotect_for_vmm(d, 0x1000, 0x1000)) << "below its memory";
    EXPECT_FALSE(ft::unprotect_for_vmm(d, d.window.value() + 4 * kPageSize, 0)) << "empty";
    EXPECT_FALSE(ft::unprotect_for_vmm(d, d.window.value() + pages * kPageSize, 4)) << "past its memory";
    EXPECT_EQ(d.table->translate(d.window + 2 * kPageSize)->ap, mmu::Ap::all_rw);
    ASSERT_EQ(ft::checkpoint(d, regs, 200), Err::ok);
    EXPECT_EQ(ft::stats(d)->last_copied, 2u);

    // Another domain maps page 7: copied at every checkpoint from now on, without faults.
    ft::frame_shared(d, d.mem_base + 7 * kPageSize);
    EXPECT_EQ(d.table->translate(d.window + 7 * kPageSize)->ap, mmu::Ap::all_rw);
    ASSERT_EQ(ft::checkpoint(d, regs, 300), Err::ok);
    EXPECT_EQ(ft::stats(d)->last_copied, 1u);
    ASSERT_EQ(ft::checkpoint(d, regs, 400), Err::ok);
    EXPECT_EQ(ft::stats(d)->last_copied, 1u) << "pinned";
    EXPECT_EQ(d.table->translate(d.window + 7 * kPageSize)->ap, mmu::Ap::all_rw);

    // Its own table changes: tracking stops (the builder's mapping back, all dirty) and
    // the next checkpoint copies everything and tracks again.
    ft::table_changing(d);
    for (u32 i : {0u, 7u, pages - 1}) {
        EXPECT_EQ(d.table->translate(d.window + i * kPageSize)->domain, kernel) << i;
        EXPECT_EQ(d.table->translate(d.window + i * kPageSize)->ap, mmu::Ap::priv_rw) << i;
    }
    EXPECT_FALSE(ft::write_fault(d, d.window.value(), 0xFu | (static_cast<u32>(tracked) << 4)));
    ASSERT_EQ(ft::checkpoint(d, regs, 500), Err::ok);
    EXPECT_EQ(ft::stats(d)->last_copied, pages);
    EXPECT_EQ(d.table->translate(d.window)->domain, tracked);
    EXPECT_EQ(d.table->translate(d.window)->ap, mmu::Ap::priv_rw_user_ro);
}

TEST_F(DomainBuild, ConsoleLinesReplayedAfterARollbackAreShownOnce) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    Domain& d = domains::slot(kGuest);
    const auto line = [&](const char* text) {
        d.con_len = static_cast<u32>(std::strlen(text));
        std::memcpy(d.con_line, text, d.con_len);
        return ft::console_line_shown(d);
    };
    TrapFrame regs{};
    EXPECT_TRUE(line("before"));
    std::memcpy(d.con_line, "par", 3);  // a partial line at the checkpoint
    d.con_len = 3;
    ASSERT_EQ(ft::checkpoint(d, regs, 100), Err::ok);
    EXPECT_TRUE(line("a"));
    EXPECT_TRUE(line("b"));
    EXPECT_TRUE(line("c"));
    ASSERT_EQ(ft::rollback(d, regs, 200, false), Err::ok);
    EXPECT_EQ(d.con_len, 3u) << "the partial line is the checkpoint's";
    EXPECT_EQ(std::memcmp(d.con_line, "par", 3), 0);
    EXPECT_FALSE(line("a")) << "printed before the rollback";
    EXPECT_FALSE(line("b"));
    EXPECT_TRUE(line("x")) << "the replay went another way";
    EXPECT_TRUE(line("c")) << "not replayed any more";
    // The next rollback replays what was shown since the checkpoint: a, b, x, c.
    ASSERT_EQ(ft::rollback(d, regs, 300, false), Err::ok);
    EXPECT_FALSE(line("a"));
    EXPECT_FALSE(line("b"));
    // A checkpoint in the middle of a replay keeps what is left of it.
    ASSERT_EQ(ft::checkpoint(d, regs, 400), Err::ok);
    EXPECT_FALSE(line("x"));
    EXPECT_FALSE(line("c"));
    EXPECT_TRUE(line("c")) << "the replay is over";
    // Past the log's size, lines are shown (and would be shown again after a rollback).
    ASSERT_EQ(ft::checkpoint(d, regs, 500), Err::ok);
    for (u32 i = 0; i < ft::kConsoleLines + 2; ++i) EXPECT_TRUE(line(i % 2 ? "odd" : "even")) << i;
    ASSERT_EQ(ft::rollback(d, regs, 600, false), Err::ok);
    for (u32 i = 0; i < ft::kConsoleLines; ++i) EXPECT_FALSE(line(i % 2 ? "odd" : "even")) << i;
    EXPECT_TRUE(line("even"));
}

TEST_F(DomainBuild, OutOfGuestMemoryForTheBackup) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    // 384 KiB free: the guest's 256 fit, its backup's 256 do not.
    FrameAllocator& gf = vmm::guest_frames();
    ASSERT_TRUE(gf.alloc(gf.free_count() - 96));
    expect_failure(kGuest, Err::nomem, "not enough free guest memory for its backup: needs 256 KiB, 128 KiB free");
}

TEST_F(DomainBuild, BackupFramesAlreadyOwnedInTheFrameTable) {
    build_dom0();
    record(kGuest).fault_tolerance = bi::kFtVm;
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    const PhysAddr backup = domains::slot(kGuest).backup_pa;
    ASSERT_EQ(domains::destroy(domains::slot(kGuest)), Err::ok);
    // The allocator hands the same frames out again; the frame table disagrees (a VMM bug).
    FrameTable& ft = vmm::frame_table();
    ASSERT_EQ(ft.assign(backup + 3 * kPageSize, 1, DomId(7), FrameType::guest), Err::ok);
    expect_failure(kGuest, Err::busy, "backup memory already owned");
    ASSERT_EQ(ft.release(backup + 3 * kPageSize, 1, DomId(7)), Err::ok);
    EXPECT_EQ(build(kGuest), Err::ok) << problem_;
}

TEST_F(DomainBuild, GuestMemoryFreeButNotInOnePiece) {
    build_dom0();
    // Take every other frame: half the memory is free, no two frames of it adjacent.
    FrameAllocator& gf = vmm::guest_frames();
    const u32 free = gf.free_count();
    std::vector<PhysAddr> taken;
    for (u32 i = 0; i < free; ++i) taken.push_back(*gf.alloc());
    for (u32 i = 0; i < taken.size(); i += 2) ASSERT_EQ(gf.free(taken[i]), Err::ok);
    ASSERT_GE(gf.free_count() * 4, kGuestKb);
    expect_failure(kGuest, Err::nomem,
                   "not enough free guest memory: needs 256 KiB, " + std::to_string(gf.free_count() * 4) +
                       " KiB free but not in one piece");
}

TEST_F(DomainBuild, GuestMemoryAlreadyOwnedInTheFrameTable) {
    build_dom0();
    FrameAllocator& gf = vmm::guest_frames();
    auto next = gf.alloc(kGuestKb * KiB / kPageSize);  // where the guest's memory will go
    ASSERT_TRUE(next);
    ASSERT_EQ(gf.free(*next, kGuestKb * KiB / kPageSize), Err::ok);
    ASSERT_EQ(vmm::frame_table().assign(*next + 5 * kPageSize, 1, DomId(7), FrameType::guest), Err::ok);
    expect_failure(kGuest, Err::busy, "guest memory already owned");
}

TEST_F(DomainBuild, RamdiskFramesStillInUse) {
    build_dom0();
    // The second RAM disk frame still belongs to someone (a domain not yet destroyed).
    ASSERT_EQ(vmm::frame_table().assign(kImagePa + kRamdiskOffset + kPageSize, 1, DomId(6), FrameType::guest), Err::ok);
    expect_failure(kGuest, Err::busy, "the RAM disk's frames are still in use");
}

// With only `k` VMM frames free (one 16 KiB-aligned run), the build runs out at each of its
// VMM allocations in turn: the four shared pages (k < 4), the L1 table (k < 8), the first
// coarse-table frame (k == 8) and the second, after four MiB of pages are mapped (k == 9).
TEST_F(DomainBuild, OutOfVmmFramesAtEveryAllocation) {
    build_dom0();
    FrameAllocator& vf = vmm_memory::frames();
    const u32 needed = 4 + mmu::kL1Size / kPageSize + 2;
    {
        const u32 free_before = vf.free_count();
        ASSERT_EQ(build(kBig), Err::ok) << problem_;
        ASSERT_EQ(free_before - vf.free_count(), needed);
        ASSERT_EQ(domains::destroy(domains::slot(kBig)), Err::ok);
        ASSERT_EQ(vf.free_count(), free_before);
    }
    std::vector<PhysAddr> hog;
    while (auto pa = vf.alloc()) hog.push_back(*pa);
    u32 run = 0;
    while (run < hog.size() && (hog[run].value() % mmu::kL1Align != 0 || hog.size() - run < needed ||
                                hog[run + needed - 1] != hog[run] + (needed - 1) * kPageSize)) {
        ++run;
    }
    ASSERT_LT(run, hog.size());
    for (u32 k = 0; k < needed; ++k) {
        SCOPED_TRACE("VMM frames free: " + std::to_string(k));
        if (k > 0) {
            ASSERT_EQ(vf.free(hog[run + k - 1]), Err::ok);
        }
        const char* why = k < 4   ? "no VMM memory for the domain's shared pages"
                          : k < 8 ? "no VMM memory for the domain's page table"
                                  : "no VMM memory for the domain's second-level tables";
        expect_failure(kBig, Err::nomem, why);
    }
    ASSERT_EQ(vf.free(hog[run + needed - 1]), Err::ok);
    EXPECT_EQ(build(kBig), Err::ok) << problem_;
}

// A VMM frame the allocator hands out but the frame table says is someone's (the two
// disagreeing is a VMM bug): each of the build's frame-table claims on VMM frames, the four
// shared pages and the L1 table, fails cleanly in turn.
TEST_F(DomainBuild, VmmFrameAlreadyOwnedInTheFrameTable) {
    build_dom0();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    const Domain& d = domains::slot(kGuest);
    std::vector<PhysAddr> frames = {d.shared_pa, d.start_pa, d.grants_pa, d.trace_pa};
    for (u32 i = 0; i < mmu::kL1Size / kPageSize; ++i) frames.push_back(d.table->l1() + i * kPageSize);
    ASSERT_EQ(domains::destroy(domains::slot(kGuest)), Err::ok);
    FrameTable& ft = vmm::frame_table();
    for (u32 i = 0; i < frames.size(); ++i) {
        SCOPED_TRACE("frame " + std::to_string(i));
        ASSERT_EQ(ft.assign(frames[i], 1, DomId(7), FrameType::vmm_shared), Err::ok);
        expect_failure(
            kGuest, Err::nomem,
            i < 4 ? "no VMM memory for the domain's shared pages" : "no VMM memory for the domain's page table");
        ASSERT_EQ(ft.release(frames[i], 1, DomId(7)), Err::ok);
    }
    EXPECT_EQ(build(kGuest), Err::ok) << problem_;
}

TEST_F(DomainBuild, EventChannelSlotBusy) {
    build_dom0();
    static shared_info stale{};
    ASSERT_EQ(vmm::evtchn().attach(DomId(kGuest), &stale), Err::ok);
    expect_failure(kGuest, Err::busy, "event-channel slot busy");
    EXPECT_TRUE(vmm::evtchn().exists(DomId(kGuest)));  // not the builder's to detach
}

// dom0 with no free port, then with one (the console channel is made, the store's is not).
TEST_F(DomainBuild, Dom0OutOfPorts) {
    build_dom0();
    EventChannels& ev = vmm::evtchn();
    std::vector<u32> held;
    for (;;) {
        evtchn_alloc_unbound a{DOMID_SELF, 0, 0};
        if (ev.alloc_unbound(DomId(0), a) != Err::ok) break;
        held.push_back(a.port);
    }
    ASSERT_EQ(held.size(), EventChannels::kPortsPerDomain - 1);
    for (u32 free_ports = 0; free_ports < 2; ++free_ports) {
        SCOPED_TRACE("dom0 ports free: " + std::to_string(free_ports));
        if (free_ports > 0) {
            ASSERT_EQ(ev.close(DomId(0), evtchn_close{held.back()}), Err::ok);
            held.pop_back();
        }
        expect_failure(kGuest, kErrNoSpc, "no event-channel ports for console and store");
    }
    ASSERT_EQ(ev.close(DomId(0), evtchn_close{held.back()}), Err::ok);
    EXPECT_EQ(build(kGuest), Err::ok) << problem_;
}

// ---- destroy ------------------------------------------------------------------------------

TEST_F(DomainBuild, BuildDestroyCyclesLeakNothing) {
    build_dom0();
    const Snapshot with_dom0 = Snapshot::take();
    for (u32 round = 0; round < 3; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        ASSERT_EQ(build(kGuest), Err::ok) << problem_;
        ASSERT_EQ(build(kBig), Err::ok) << problem_;
        Domain& guest = domains::slot(kGuest);
        // dom0 maps the guest's console page, as its console backend does.
        gnttab_map_grant_ref op{0x40000000, GNTMAP_host_map, GNTTAB_RESERVED_CONSOLE, kGuest, 0, 0, 0};
        vmm::grants().map(DomId(0), op);
        ASSERT_EQ(op.status, GNTST_okay);
        ASSERT_EQ(vmm::grants().mapped_from(DomId(kGuest)), 1u);
        const u32 stopped = fake::calls().domain_stopped;
        ASSERT_EQ(domains::destroy(guest), Err::ok);
        ASSERT_EQ(domains::destroy(domains::slot(kBig)), Err::ok);
        EXPECT_EQ(fake::calls().domain_stopped, stopped + 2);
        EXPECT_EQ(with_dom0.diff(Snapshot::take()), "");
        // The RAM disk stays in the image for the next build, contents and all.
        EXPECT_EQ(vmm::frame_table().info(kImagePa + kRamdiskOffset)->type, FrameType::vmm);
        EXPECT_EQ(fake::ram(kImagePa + kRamdiskOffset)[3], static_cast<u8>(3 * 13));
    }
    EXPECT_EQ(fake::calls().passthrough_released, 6u);
}

TEST_F(DomainBuild, DestroyLeavesAChannelDom0ReusedThePortFor) {
    build_dom0();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;
    ASSERT_EQ(build(kBig), Err::ok) << problem_;
    EventChannels& ev = vmm::evtchn();
    Domain& guest = domains::slot(kGuest);
    // dom0 closes its end of the guest's console channel and the number goes to a channel
    // with another domain: destroying the guest must leave that one alone.
    const u32 reused = guest.console_port_dom0;
    ASSERT_EQ(ev.close(DomId(0), evtchn_close{reused}), Err::ok);
    evtchn_alloc_unbound a{DOMID_SELF, kBig, 0};
    ASSERT_EQ(ev.alloc_unbound(DomId(0), a), Err::ok);
    ASSERT_EQ(a.port, reused);
    const u32 store_port = guest.store_port_dom0;
    ASSERT_EQ(domains::destroy(guest), Err::ok);
    EXPECT_EQ(ev.port(DomId(0), reused)->state, EventChannels::State::unbound);
    EXPECT_EQ(ev.port(DomId(0), reused)->remote_dom, kBig);
    EXPECT_EQ(ev.port(DomId(0), store_port)->state, EventChannels::State::free);
}

TEST_F(DomainBuild, DestroyRefusesFreeSlotsAndTheRunningDomain) {
    build_dom0();
    EXPECT_EQ(domains::destroy(domains::slot(kGuest)), kErrSrch);
    domains::set_current(domains::get(DomId(0)));
    EXPECT_EQ(domains::destroy(domains::slot(kDom0)), Err::inval);
    EXPECT_TRUE(domains::slot(kDom0).alive());
    domains::set_current(nullptr);
}

// ---- kernel windows and switches that keep the caches -------------------------------------

TEST_F(DomainBuild, AKernelRunsInTheWindowItsEntryIsIn) {
    build_dom0();
    record(kBig).kernel_offset = kWindow3Offset;
    ASSERT_EQ(build(kBig), Err::ok) << problem_;
    Domain& big = domains::slot(kBig);
    EXPECT_EQ(big.window.value(), kWindow3);
    EXPECT_EQ(big.tag, kBig % mmu::kTagCount);
    EXPECT_EQ(big.dacr_kernel, mmu::dacr_guest_kernel(big.tag));
    EXPECT_EQ(big.dacr_user, mmu::dacr_guest_user(big.tag));
    EXPECT_EQ(domains::slot(kDom0).window.value(), XA_GUEST_KERNEL_BASE);
    const auto xlate = [&](u32 va) -> PhysAddr {
        const auto t = big.table->translate(VirtAddr(va));
        EXPECT_TRUE(t) << std::hex << va;
        return t ? t->pa : PhysAddr{};
    };
    EXPECT_EQ(xlate(kWindow3), big.mem_base);
    EXPECT_EQ(xlate(kWindow3 + XA_SHARED_INFO_OFFSET), big.shared_pa);
    EXPECT_EQ(xlate(kWindow3 + XA_START_INFO_OFFSET), big.start_pa);
    EXPECT_EQ(xlate(kWindow3 + XA_GRANT_TABLE_OFFSET), big.grants_pa);
    EXPECT_EQ(xlate(kWindow3 + XA_TRACE_PAGE_OFFSET), big.trace_pa);
    // Its pages carry its tag's kernel domain; shared_info and the grant table are uncached.
    const auto shared = big.table->translate(VirtAddr(kWindow3 + XA_SHARED_INFO_OFFSET));
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->domain, mmu::tagged(mmu::Domain::guest_kernel, big.tag));
    EXPECT_EQ(shared->mem, mmu::Mem::device);
    EXPECT_EQ(big.table->translate(VirtAddr(kWindow3 + XA_GRANT_TABLE_OFFSET))->mem, mmu::Mem::device);
    EXPECT_EQ(big.table->translate(VirtAddr(kWindow3 + XA_START_INFO_OFFSET))->mem, mmu::Mem::write_back);
    // Nothing of window 0: dom0's addresses translate to nothing in its table.
    EXPECT_FALSE(big.table->translate(VirtAddr(XA_GUEST_KERNEL_BASE)));
    EXPECT_FALSE(big.table->translate(VirtAddr(XA_GUEST_KERNEL_BASE + XA_SHARED_INFO_OFFSET)));
    const start_info& si = *big.start_uc;
    EXPECT_EQ(si.kernel_va, kWindow3);
    EXPECT_EQ(si.shared_info_va, kWindow3 + XA_SHARED_INFO_OFFSET);
    EXPECT_EQ(si.grant_table_va, kWindow3 + XA_GRANT_TABLE_OFFSET);
    EXPECT_EQ(big.ctx.r[0], kWindow3 + XA_START_INFO_OFFSET);
    EXPECT_EQ(big.ctx.pc, kEntry + (kWindow3 - XA_GUEST_KERNEL_BASE));
    EXPECT_EQ(big.ctx.sp, kWindow3 + kBigKb * KiB - XA_START_RESERVED_PAGES * kPageSize);
    // The kernel's bytes were loaded at the window's addresses.
    const u8* mem = fake::ram(big.mem_base);
    for (u32 i = 0; i < kTextSize; ++i) ASSERT_EQ(mem[i], text_byte(i)) << i;
}

TEST_F(DomainBuild, KernelsOutsideTheKernelRegionOrTooBigForAWindowAreRefused) {
    build_dom0();
    u8* elf = fake::ram(kImagePa) + kWindow3Offset;
    put32(elf + 24, XA_GUEST_USER_BASE);
    record(kBig).kernel_offset = kWindow3Offset;
    expect_failure(kBig, Err::inval, "its entry point is not in the guest kernel region");
    put32(elf + 24, XA_GUEST_KERNEL_END);
    expect_failure(kBig, Err::inval, "its entry point is not in the guest kernel region");
    record(kGuest).memory_kb = XA_PASSTHROUGH_OFFSET / KiB + 2 * kPageSize / KiB + 4;
    expect_failure(kGuest, Err::inval, "its memory does not fit in a kernel window");
}

TEST_F(DomainBuild, DomainsInTheSameWindowClashOthersDoNot) {
    build_dom0();
    ASSERT_EQ(build(kGuest), Err::ok) << problem_;  // window 0, like dom0
    record(kBig).kernel_offset = kWindow3Offset;
    ASSERT_EQ(build(kBig), Err::ok) << problem_;
    Domain& dom0 = domains::slot(kDom0);
    Domain& guest = domains::slot(kGuest);
    Domain& big = domains::slot(kBig);
    EXPECT_TRUE(space::clash(dom0, guest));
    EXPECT_TRUE(space::clash(guest, dom0));
    EXPECT_FALSE(space::clash(dom0, big));
    EXPECT_FALSE(space::clash(guest, big));

    // Switches: dom0 -> big -> dom0 keep the caches; guest after dom0 cleans them, and so
    // does dom0 after guest; big after that does not (it clashes with neither).
    space::flushed();
    const u32 flushes = cpu::fake::cache_flushes;
    space::enter(dom0);
    space::enter(big);
    space::enter(dom0);
    EXPECT_EQ(cpu::fake::cache_flushes, flushes);
    EXPECT_EQ(space::clean_switches(), 0u);
    space::enter(guest);
    EXPECT_EQ(cpu::fake::cache_flushes, flushes + 1);
    space::enter(dom0);
    EXPECT_EQ(cpu::fake::cache_flushes, flushes + 2);
    space::enter(big);
    EXPECT_EQ(cpu::fake::cache_flushes, flushes + 2);
    EXPECT_EQ(cpu::fake::ttbr, big.table->l1().value());
    EXPECT_EQ(space::clean_switches(), 2u);

    // A MiB of big's window mapped by dom0 makes them clash; so does a shared frame.
    guest.state = DomState::alive;
    space::mapped_mib(dom0, VirtAddr(kWindow3));
    EXPECT_TRUE(space::clash(dom0, big));
    EXPECT_FALSE(space::clash(guest, big));
    space::shares_frame(guest, big);
    EXPECT_TRUE(space::clash(big, guest));

    // Destroying big, which has run since the last clean, cleans everything first, and
    // takes it out of every clash set.
    const u32 before = cpu::fake::cache_flushes;
    ASSERT_EQ(domains::destroy(big), Err::ok);
    EXPECT_EQ(cpu::fake::cache_flushes, before + 1);
    EXPECT_FALSE(space::clash(dom0, big));
    EXPECT_FALSE(space::clash(guest, big));
    // A domain that has not run since the last clean is destroyed without one.
    space::flushed();
    const u32 quiet = cpu::fake::cache_flushes;
    ASSERT_EQ(domains::destroy(guest), Err::ok);
    EXPECT_EQ(cpu::fake::cache_flushes, quiet);
}

TEST_F(DomainBuild, SwitchCleanCleansOnEverySwitch) {
    build_dom0();
    record(kBig).kernel_offset = kWindow3Offset;
    ASSERT_EQ(build(kBig), Err::ok) << problem_;
    Domain& dom0 = domains::slot(kDom0);
    Domain& big = domains::slot(kBig);
    ASSERT_FALSE(space::clash(dom0, big));
    space::clean_every_switch(true);
    space::flushed();
    const u32 flushes = cpu::fake::cache_flushes;
    space::enter(dom0);  // nothing has run since the last clean: nothing to clean
    space::enter(big);
    space::enter(dom0);
    space::enter(dom0);  // even back into the same domain
    EXPECT_EQ(cpu::fake::cache_flushes, flushes + 3);
    space::clean_every_switch(false);
    space::enter(big);
    space::enter(dom0);
    EXPECT_EQ(cpu::fake::cache_flushes, flushes + 3);
}

}  // namespace
}  // namespace xa
