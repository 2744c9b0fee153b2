// vmm:: and vmm_memory:: over a host buffer (fake_vmm.hh), and the CP15 registers of the
// host cpu.hh (fake_arch/arch/arm/cpu.hh).
#include "fake_vmm.hh"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <vector>

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "layout.hh"
#include "mmu.hh"
#include "vmm.hh"
#include "vmm_memory.hh"

namespace xa {

namespace cpu::fake {
u32 ttbr = 0;
u32 dacr = 0;
u32 ttbr_switches = 0;
u32 cache_flushes = 0;
}  // namespace cpu::fake

namespace {

constexpr u32 kVmmFrames = fake::kVmmBytes / kPageSize;
constexpr u32 kGuestFrames = fake::kGuestBytes / kPageSize;
constexpr u32 kRamFrames = fake::kRamBytes / kPageSize;

[[noreturn]] void die(const char* why, u32 value) {
    std::fprintf(stderr, "fake_vmm: %s (0x%08x)\n", why, value);
    std::abort();
}

// 16 KiB aligned, as a first-level table's frames must be in physical memory; the buffer
// itself only needs u32 alignment, but this keeps host and physical offsets alike.
u8* ram_buffer() {
    static u8* ram = static_cast<u8*>(std::aligned_alloc(16 * KiB, fake::kRamBytes));
    return ram;
}

struct World {
    u32 vmm_bits[FrameAllocator::bitmap_words(kVmmFrames)] = {};
    u32 guest_bits[FrameAllocator::bitmap_words(kGuestFrames)] = {};
    FrameAllocator vmm_frames;
    FrameAllocator guest_frames;
    FrameTable frame_table;
    std::vector<FrameInfo> frame_infos = std::vector<FrameInfo>(kRamFrames);
    EventChannels evtchn;
    std::optional<PageTable> master;
    const BootImageView* image = nullptr;
    fake::Calls calls;
    std::string console;
};

// The grant tables' view of the domains: their grant entries through the direct map and
// their frames in the frame table; mapping a grant changes no page table here (the
// grant-table tests cover the mapping rules).
class FakeGrantEnv final : public GrantEnv {
  public:
    bool domain_exists(DomId id) override { return domains::get(id) != nullptr; }
    grant_entry_v1* grant_entries(DomId id) override {
        Domain* d = domains::get(id);
        return d != nullptr ? d->grants_uc : nullptr;
    }
    bool frame_is_ordinary_memory_of(PhysAddr frame, DomId id) override {
        const FrameInfo* fi = vmm::frame_table().info(frame);
        return fi != nullptr && fi->type == FrameType::guest && fi->owner == id.value();
    }
    bool host_addr_ok(DomId, VirtAddr, bool) override { return true; }
    Err map_foreign(DomId, VirtAddr, PhysAddr frame, bool) override { return vmm::frame_table().pin(frame); }
    Err unmap_foreign(DomId, VirtAddr, PhysAddr frame) override { return vmm::frame_table().unpin(frame); }
};

FakeGrantEnv grant_env;
alignas(World) u8 world_storage[sizeof(World)];
World* world = nullptr;
alignas(GrantTables) u8 grants_storage[sizeof(GrantTables)];
GrantTables* grant_tables = nullptr;

void check(Err e, const char* what) {
    if (e != Err::ok) die(what, static_cast<u32>(to_int(e)));
}

}  // namespace

namespace fake {

void reset() {
    if (world != nullptr) world->~World();
    world = new (world_storage) World;
    if (grant_tables != nullptr) grant_tables->~GrantTables();
    grant_tables = new (grants_storage) GrantTables(grant_env);
    std::memset(ram_buffer(), 0, kRamBytes);
    space::reset();

    check(world->vmm_frames.init(PhysAddr(kRamBase), kVmmFrames, world->vmm_bits,
                                 FrameAllocator::bitmap_words(kVmmFrames)),
          "VMM frame allocator");
    check(world->guest_frames.init(PhysAddr(kRamBase + kVmmBytes), kGuestFrames, world->guest_bits,
                                   FrameAllocator::bitmap_words(kGuestFrames)),
          "guest frame allocator");
    check(world->frame_table.init(PhysAddr(kRamBase), kRamFrames, world->frame_infos.data(), kRamFrames),
          "frame table");
    check(world->frame_table.set_vmm(PhysAddr(kRamBase), kVmmFrames), "VMM frames");

    // The master table, as vmm_memory::init builds it: its VMM area is what every domain's
    // table copies. One section is enough to tell copied entries from empty ones.
    auto l1 = world->vmm_frames.alloc(mmu::kL1Size / kPageSize, mmu::kL1Align);
    if (!l1) die("no frames for the master table", 0);
    world->master.emplace(*l1, vmm_memory::direct_map(), world->vmm_frames);
    check(world->master->clear(), "master table");
    check(world->master->map_section(VirtAddr(layout::kDirectMap.start), PhysAddr(kRamBase), mmu::Domain::vmm,
                                     mmu::Ap::priv_rw, mmu::Mem::write_back),
          "master table section");

    for (Domain& d : domains::detail::slots) d = Domain{};
    domains::set_current(nullptr);
    cpu::fake::ttbr = l1->value();
    cpu::fake::dacr = mmu::kDacrVmm;
    cpu::fake::ttbr_switches = 0;
}

void set_boot_image(const BootImageView* view) { world->image = view; }

u8* ram(PhysAddr pa) {
    if (pa < PhysAddr(kRamBase) || pa - PhysAddr(kRamBase) >= kRamBytes) die("not RAM", pa.value());
    return ram_buffer() + (pa - PhysAddr(kRamBase));
}

Calls& calls() { return world->calls; }
std::string& console() { return world->console; }

}  // namespace fake

namespace vmm {
FrameAllocator& guest_frames() { return world->guest_frames; }
FrameTable& frame_table() { return world->frame_table; }
EventChannels& evtchn() { return world->evtchn; }
GrantTables& grants() { return *grant_tables; }
const BootImageView* boot_image() { return world->image; }
u64 wallclock_ns() { return 1'700'000'000'000'000'000ull; }
}  // namespace vmm

namespace vmm_memory {

const PhysWindow& direct_map() {
    static const PhysWindow dm(PhysAddr(fake::kRamBase), fake::kRamBytes, reinterpret_cast<uintptr_t>(ram_buffer()));
    return dm;
}
// The host has no caches: the uncached alias is the same memory.
const PhysWindow& uncached_map() { return direct_map(); }
FrameAllocator& frames() { return world->vmm_frames; }
PageTable& master_table() { return *world->master; }

// Walks the table in the fake TTBR as the MMU would (small pages through coarse tables,
// the only kind the builder makes), so a copy that forgot to switch tables, or a page the
// table does not map, stops the test.
u8* current_va(u32 va) {
    const u32* l1 = direct_map().ptr<u32>(PhysAddr(cpu::fake::ttbr));
    const u32 l1_desc = l1[va >> kSectionShift];
    if (mmu::l1_type(l1_desc) != mmu::L1Type::coarse) die("current_va: no coarse table", va);
    const u32* l2 = direct_map().ptr<u32>(mmu::l1_coarse_base(l1_desc));
    const u32 l2_desc = l2[(va >> kPageShift) & (mmu::kL2CoarseEntries - 1)];
    if (mmu::l2_type(l2_desc) != mmu::L2Type::small) die("current_va: page not mapped", va);
    return fake::ram(mmu::l2_small_base(l2_desc) + (va & (kPageSize - 1)));
}

}  // namespace vmm_memory
}  // namespace xa
