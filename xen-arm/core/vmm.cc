// The VMM's global services (vmm.hh): statically allocated, set up once at boot.
#include "vmm.hh"

#include <new>

#include <xen-arm/trace.h>
#include "arch/arm/semihosting.hh"
#include "board.hh"
#include "boot_image.hh"
#include "console.hh"
#include "domain.hh"
#include "exit_status.hh"
#include "layout.hh"
#include "libc.hh"
#include "mmu.hh"
#include "vmm_grant_env.hh"
#include "vmm_memory.hh"

namespace xa::vmm {
namespace {

constexpr u32 kRamFrames = board::kConfig.ram_size / kPageSize;
constexpr u32 kGuestFrames = (board::kConfig.ram_size - layout::kDirectMap.size) / kPageSize;
static_assert(board::kConfig.ram_size > layout::kDirectMap.size, "RAM must extend beyond DIRECTMAP");

u32 guest_bitmap[FrameAllocator::bitmap_words(kGuestFrames)];
constinit FrameAllocator guest_allocator;
constinit FrameTable frames_table;
BootImageView image_view{};
u64 wallclock_at_boot_ns = 0;
bool have_image = false;

void check(Err e, const char* what) {
    if (e != Err::ok) xa_panic(what);
}

// The shared_info the VMM should touch for a domain right now (see EventChannels).
shared_info* shared_view(DomId id, shared_info* attached) {
    Domain* d = domains::get(id);
    return d != nullptr ? domains::shared(*d) : attached;
}

void load_boot_image() {
    const PhysWindow& dm = vmm_memory::direct_map();
    const PhysAddr pa = dm.phys_base() + boot_image::kBootImageOffset;
    const u8* data = dm.ptr<u8>(pa);
    if (memcmp(data, boot_image::kMagic, sizeof boot_image::kMagic) != 0) return;  // VMM booted alone
    const BootImageError e = boot_image_check(data, boot_image::kBootImageMaxSize, image_view);
    if (e.err != Err::ok) {
        if (e.domain == BootImageError::kHeader) {
            printk("xen-arm: bad boot image: %s\n", e.problem);
        } else {
            printk("xen-arm: bad boot image: domain %u: %s\n", e.domain, e.problem);
        }
        fatal_stop(kExitBadImage);
    }
    check(vmm_memory::frames().reserve(pa, image_view.header->total_size), "reserving the boot image");
    have_image = true;
}

}  // namespace

FrameAllocator& guest_frames() { return guest_allocator; }
FrameTable& frame_table() { return frames_table; }

EventChannels& evtchn() {
    static EventChannels channels;
    return channels;
}

namespace {
// The grant tables are 10 KiB whose one non-zero word is the pointer to their environment:
// built at boot in zeroed storage (.bss), not carried in the image as initialised data.
VmmGrantEnv grant_env;
alignas(GrantTables) u8 grant_storage[sizeof(GrantTables)];
GrantTables* grant_tables = nullptr;
}  // namespace

GrantTables& grants() { return *grant_tables; }

const BootImageView* boot_image() { return have_image ? &image_view : nullptr; }

void init() {
    grant_tables = new (grant_storage) GrantTables(grant_env);
    load_boot_image();

    // The frame table: one FrameInfo per RAM frame, in VMM frames.
    constexpr u32 table_bytes = kRamFrames * sizeof(FrameInfo);
    constexpr u32 table_frames = (table_bytes + kPageSize - 1) / kPageSize;
    auto storage = vmm_memory::frames().alloc(table_frames);
    if (!storage) xa_panic("no VMM frames for the frame table");
    auto* infos = vmm_memory::direct_map().ptr<FrameInfo>(*storage);
    check(frames_table.init(PhysAddr(board::kConfig.ram_base), kRamFrames, infos, kRamFrames), "frame table init");
    // All of DIRECTMAP is the VMM's: no guest may ever map any of it.
    check(frames_table.set_vmm(PhysAddr(board::kConfig.ram_base), layout::kDirectMap.size / kPageSize),
          "marking VMM frames");

    check(guest_allocator.init(PhysAddr(board::kConfig.ram_base + layout::kDirectMap.size), kGuestFrames, guest_bitmap,
                               FrameAllocator::bitmap_words(kGuestFrames)),
          "guest frame allocator init");
    evtchn().set_shared_view(shared_view);

    // The trace page (hypercalls/xen-arm/trace.h): privileged-only, in the master table's
    // coarse table for PERDOMAIN, which every domain's table shares.
    auto trace = vmm_memory::frames().alloc();
    if (!trace) xa_panic("no VMM frame for the trace page");
    check(vmm_memory::master_table().map_page(VirtAddr(XA_TRACE_DOMAIN_VA), *trace, mmu::Domain::vmm, mmu::Ap::priv_rw,
                                              mmu::Mem::write_back),
          "mapping the trace page");
}

void set_wallclock_ns(u64 ns) { wallclock_at_boot_ns = ns; }
u64 wallclock_ns() { return wallclock_at_boot_ns; }

void trace_domain(u32 id) {
    // Only the store's address matters (trace.h); the value is never read.
    *reinterpret_cast<volatile u32*>(XA_TRACE_DOMAIN_VA + 4 * id) = 0;
}

}  // namespace xa::vmm
