// Domain registry, builder and teardown.
#include "domain.hh"

#include "address_space.hh"

#include <new>

#include "arch/arm/cpu.hh"
#include "checkpoint.hh"
#include "console.hh"
#include "elf_loader.hh"
#include "fault_tolerance.hh"
#include "layout.hh"
#include "libc.hh"
#include "mmu.hh"
#include "passthrough.hh"
#include "sched.hh"
#include "traps.hh"
#include "vmm.hh"
#include "vmm_memory.hh"

namespace xa::domains {
namespace {

constexpr u32 kGuestMibFirst = XA_GUEST_USER_BASE >> kSectionShift;  // nothing lower is ever mapped
constexpr u32 kGuestMibEnd = layout::kVmmBase >> kSectionShift;
// A fault-tolerant domain's backup window: MiBs of the VMM's area whose coarse tables are
// the domain's own (the master table maps nothing there).
constexpr u32 kBackupMibFirst = ft::kBackupWindowVa >> kSectionShift;
constexpr u32 kBackupMibEnd = (ft::kBackupWindowVa + ft::kBackupWindowBytes) >> kSectionShift;

void copy_name(char (&dst)[16], const char* src) {
    u32 i = 0;
    for (; i + 1 < sizeof dst && src[i] != '\0'; ++i) dst[i] = src[i];
    for (; i < sizeof dst; ++i) dst[i] = '\0';
}

// One VMM frame, zeroed, owned by the domain as a page the guest sees.
Result<PhysAddr> alloc_vmm_page(DomId owner, FrameType type) {
    auto pa = vmm_memory::frames().alloc();
    if (!pa) return pa.error();
    // The page is shared with a guest and reached through the uncached alias only: first
    // drop whatever its DIRECTMAP lines hold from an earlier use (a dirty line written back
    // later would overwrite it), then zero it uncached.
    cpu::clean_invalidate_dcache_range(
        static_cast<u32>(reinterpret_cast<uintptr_t>(vmm_memory::direct_map().ptr<u8>(*pa))), kPageSize);
    memset(vmm_memory::uncached_map().ptr<u8>(*pa), 0, kPageSize);
    if (vmm::frame_table().assign(*pa, 1, owner, type) != Err::ok) {
        (void)vmm_memory::frames().free(*pa);
        return Err::busy;
    }
    return *pa;
}

void free_vmm_page(PhysAddr pa, DomId owner) {
    if (pa == PhysAddr{}) return;
    (void)vmm::frame_table().release(pa, 1, owner);
    (void)vmm_memory::frames().free(pa);
}

// Undo whatever part of a build (or a whole domain) exists. The domain must not be on the
// CPU and not be reachable through event channels or grants any more.
void teardown(Domain& d) {
    space::removed(d);  // its dirty lines must not land in frames that get a new owner
    FrameTable& ft = vmm::frame_table();
    if (d.table != nullptr) {
        // Every small page this domain maps holds a frame reference: drop them all.
        d.table->for_each_page(kGuestMibFirst, kGuestMibEnd, [&](VirtAddr, u32 desc) {
            const PhysAddr pa = mmu::l2_small_base(desc);
            if (ft.contains(pa)) (void)ft.put_mapping(pa);
        });
        d.table->for_each_page(kBackupMibFirst, kBackupMibEnd, [&](VirtAddr, u32 desc) {
            const PhysAddr pa = mmu::l2_small_base(desc);
            if (ft.contains(pa)) (void)ft.put_mapping(pa);
        });
        d.table->release_coarse_frames(kGuestMibFirst, kGuestMibEnd);
        d.table->release_coarse_frames(kBackupMibFirst, kBackupMibEnd);
        const PhysAddr l1 = d.table->l1();
        d.table->~PageTable();
        d.table = nullptr;
        (void)ft.release(l1, mmu::kL1Size / kPageSize, d.id);
        (void)vmm_memory::frames().free(l1, mmu::kL1Size / kPageSize);
    }
    if (!(d.backup_pa == PhysAddr{})) {
        (void)ft.release(d.backup_pa, d.nr_pages, d.id);
        (void)vmm::guest_frames().free(d.backup_pa, d.nr_pages);
    }
    if (d.nr_pages != 0) {
        (void)ft.release(d.mem_base, d.nr_pages, d.id);
        (void)vmm::guest_frames().free(d.mem_base, d.nr_pages);
    }
    // The RAM disk's frames go back to the VMM (they stay reserved as boot-image frames,
    // contents and all, for the next domain built from this configuration entry).
    if (d.ramdisk_pages != 0) (void)ft.release(d.ramdisk_pa, d.ramdisk_pages, d.id);
    free_vmm_page(d.shared_pa, d.id);
    free_vmm_page(d.start_pa, d.id);
    free_vmm_page(d.grants_pa, d.id);
    free_vmm_page(d.trace_pa, d.id);
    free_vmm_page(d.backup_grants_pa, d.id);
    const DomId id = d.id;
    d = Domain{};
    d.id = id;
}

Err map_kernel_page(Domain& d, VirtAddr va, PhysAddr pa, mmu::Mem mem = mmu::Mem::write_back) {
    const Err e = d.table->map_page(va, pa, mmu::tagged(mmu::Domain::guest_kernel, d.tag), mmu::Ap::priv_rw, mem);
    if (e != Err::ok) return e;
    if (vmm::frame_table().contains(pa)) return vmm::frame_table().get_mapping(pa);
    return Err::ok;
}

// Copies the kernel's segments into the domain's memory through the domain's own virtual
// addresses: the builder switches to the new table for the copy, so no second mapping of
// guest memory is needed (and none can alias in the VIVT caches). switch_ttbr cleans the
// caches both ways.
void load_image(Domain& d, const u8* elf, const ElfImage& img, u32 mem_bytes) {
    const u32 prev_ttbr = cpu::read_ttbr();
    const u32 prev_dacr = cpu::read_dacr();
    cpu::switch_ttbr(d.table->l1().value());
    cpu::write_dacr(d.dacr_kernel);
    // All of the domain's memory starts zeroed: nothing of a previous owner leaks.
    memset(vmm_memory::current_va(d.window.value()), 0, mem_bytes);
    for (u32 i = 0; i < img.segment_count; ++i) {
        const ElfSegment& s = img.segments[i];
        memcpy(vmm_memory::current_va(s.vaddr.value()), elf + s.file_offset, s.file_size);
    }
    cpu::write_dacr(prev_dacr);
    cpu::switch_ttbr(prev_ttbr);
}

Err fail(const char*& problem, const char* why, Err e) {
    problem = why;
    return e;
}

// ---- the build steps ---------------------------------------------------------------------
// Each step records what it took in the Domain as soon as it has it, so unwind() undoes
// exactly what was done, whichever step failed.

// The domain's contiguous block of guest memory, owned in the frame table.
Err allocate_memory(Domain& d, const boot_image::BootDomain& cfg, const char*& problem) {
    const u32 pages = cfg.memory_kb * KiB / kPageSize;
    auto mem = vmm::guest_frames().alloc(pages);
    if (!mem) {
        // The numbers tell the user what to shrink. One buffer is enough: build() runs with
        // interrupts masked and its caller prints the problem before anything builds again.
        static char why[112];
        const u32 free_kb = vmm::guest_frames().free_count() * (kPageSize / KiB);
        snprintk(why, sizeof why, "not enough free guest memory: needs %u KiB, %u KiB free%s", cfg.memory_kb, free_kb,
                 free_kb >= cfg.memory_kb ? " but not in one piece" : "");
        return fail(problem, why, Err::nomem);
    }
    if (vmm::frame_table().assign(*mem, pages, d.id, FrameType::guest) != Err::ok) {
        (void)vmm::guest_frames().free(*mem, pages);
        return fail(problem, "guest memory already owned", Err::busy);
    }
    d.mem_base = *mem;
    d.nr_pages = pages;
    return Err::ok;
}

// A fault-tolerant domain's backup: a second contiguous block as large as its memory,
// owned as backup frames, so no table (the guest's, a grant map) can ever map it.
Err allocate_backup(Domain& d, const boot_image::BootDomain& cfg, const char*& problem) {
    d.fault_tolerance = cfg.fault_tolerance;
    d.checkpoint_us = cfg.checkpoint_us;
    if (cfg.fault_tolerance != boot_image::kFtVm) return Err::ok;
    if (cfg.memory_kb > boot_image::kFtMemoryMaxKb)
        return fail(problem, "fault tolerance: memory above the backup window's 3072 KiB", Err::inval);
    auto backup = vmm::guest_frames().alloc(d.nr_pages);
    if (!backup) {
        static char why[112];
        const u32 free_kb = vmm::guest_frames().free_count() * (kPageSize / KiB);
        snprintk(why, sizeof why, "not enough free guest memory for its backup: needs %u KiB, %u KiB free%s",
                 cfg.memory_kb, free_kb, free_kb >= cfg.memory_kb ? " but not in one piece" : "");
        return fail(problem, why, Err::nomem);
    }
    if (vmm::frame_table().assign(*backup, d.nr_pages, d.id, FrameType::backup) != Err::ok) {
        (void)vmm::guest_frames().free(*backup, d.nr_pages);
        return fail(problem, "backup memory already owned", Err::busy);
    }
    d.backup_pa = *backup;
    auto grants = alloc_vmm_page(d.id, FrameType::backup);
    if (!grants) return fail(problem, "no VMM memory for the copy of the domain's grant page", Err::nomem);
    d.backup_grants_pa = *grants;
    ft::reset(d);
    return Err::ok;
}

// The RAM disk: boot-image frames (VMM frames in DIRECTMAP, checked by boot_image_check to
// hold nothing else) become the domain's ordinary memory, unmapped: the guest maps them
// itself, found through start_info.
Err claim_ramdisk(Domain& d, const BootImageView& image, const boot_image::BootDomain& cfg, const char*& problem) {
    if (cfg.ramdisk_size == 0) return Err::ok;
    const PhysAddr pa = vmm_memory::direct_map().phys_of(image.header) + cfg.ramdisk_offset;
    const u32 pages = align_up(cfg.ramdisk_size, kPageSize) / kPageSize;
    if (vmm::frame_table().assign(pa, pages, d.id, FrameType::guest) != Err::ok) {
        return fail(problem, "the RAM disk's frames are still in use", Err::busy);
    }
    d.ramdisk_pa = pa;
    d.ramdisk_pages = pages;
    return Err::ok;
}

// shared_info, start_info, the grant table and the trace page.
Err alloc_vmm_pages(Domain& d, const char*& problem) {
    PhysAddr* const pages[] = {&d.shared_pa, &d.start_pa, &d.grants_pa, &d.trace_pa};
    for (PhysAddr* page : pages) {
        auto pa = alloc_vmm_page(d.id, FrameType::vmm_shared);
        if (!pa) return fail(problem, "no VMM memory for the domain's shared pages", Err::nomem);
        *page = *pa;
    }
    const PhysWindow& uc = vmm_memory::uncached_map();
    d.shared_uc = uc.ptr<shared_info>(d.shared_pa);
    d.start_uc = uc.ptr<start_info>(d.start_pa);
    d.grants_uc = uc.ptr<grant_entry_v1>(d.grants_pa);
    return Err::ok;
}

// The first-level table (the VMM's 64 MB from the master table, the rest empty), then the
// domain's memory and its VMM pages mapped into it.
Err build_tables(Domain& d, u32 mem_bytes, const char*& problem) {
    FrameTable& ft = vmm::frame_table();
    auto l1 = vmm_memory::frames().alloc(mmu::kL1Size / kPageSize, mmu::kL1Align);
    if (!l1 || ft.assign(*l1, mmu::kL1Size / kPageSize, d.id, FrameType::page_table) != Err::ok) {
        if (l1) (void)vmm_memory::frames().free(*l1, mmu::kL1Size / kPageSize);
        return fail(problem, "no VMM memory for the domain's page table", Err::nomem);
    }
    d.table = new (d.table_storage) PageTable(*l1, vmm_memory::direct_map(), vmm_memory::frames());
    (void)d.table->clear();
    // A backup window takes one more coarse table per MiB of the domain's memory.
    const bool backup = !(d.backup_pa == PhysAddr{});
    d.table->set_coarse_limit(coarse_table_quota(mem_bytes, d.ramdisk_pages * kPageSize) +
                              (backup ? align_up(mem_bytes, kSectionSize) / kSectionSize : 0));
    d.table->copy_l1_range(vmm_memory::master_table(), VirtAddr(layout::kVmmBase), 0u - layout::kVmmBase);

    Err e = Err::ok;
    for (u32 off = 0; off < mem_bytes && e == Err::ok; off += kPageSize) {
        e = map_kernel_page(d, d.window + off, d.mem_base + off);
    }
    // shared_info and the grant table uncached, as the VMM reaches them (domain.hh).
    if (e == Err::ok) e = map_kernel_page(d, d.window + XA_SHARED_INFO_OFFSET, d.shared_pa, mmu::Mem::device);
    if (e == Err::ok) e = map_kernel_page(d, d.window + XA_START_INFO_OFFSET, d.start_pa);
    if (e == Err::ok) e = map_kernel_page(d, d.window + XA_GRANT_TABLE_OFFSET, d.grants_pa, mmu::Mem::device);
    if (e == Err::ok) e = map_kernel_page(d, d.window + XA_TRACE_PAGE_OFFSET, d.trace_pa);
    if (e != Err::ok) return fail(problem, "no VMM memory for the domain's second-level tables", e);
    if (backup) {
        // The window's MiBs must be empty in the master table: a coarse table there would be
        // shared with every domain, and the backup mapped into all of them.
        for (u32 mib = kBackupMibFirst; mib < kBackupMibEnd; ++mib) {
            if (mmu::l1_type(d.table->l1_entry(mib)) != mmu::L1Type::fault)
                return fail(problem, "the backup window is mapped in the VMM's table", Err::exist);
        }
        for (u32 off = 0; off < mem_bytes && e == Err::ok; off += kPageSize) {
            e = d.table->map_page(VirtAddr(ft::kBackupWindowVa + off), d.backup_pa + off, mmu::Domain::vmm,
                                  mmu::Ap::priv_rw, mmu::Mem::write_back);
            if (e == Err::ok) e = ft.get_mapping(d.backup_pa + off);
        }
        if (e != Err::ok) return fail(problem, "no VMM memory for the domain's second-level tables", e);
    }
    return Err::ok;
}

void write_start_info(Domain& d, const boot_image::BootDomain& cfg) {
    start_info& si = *d.start_uc;
    copy_name(*reinterpret_cast<char(*)[16]>(si.magic), XA_START_INFO_MAGIC);
    si.nr_pages = d.nr_pages;
    si.mem_base = d.mem_base.value();
    si.kernel_va = d.window.value();
    si.pt_base = d.table->l1().value();
    si.shared_info_va = d.window.value() + XA_SHARED_INFO_OFFSET;
    si.grant_table_va = d.window.value() + XA_GRANT_TABLE_OFFSET;
    si.nr_grant_frames = XA_GRANT_FRAMES;
    si.flags = d.privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;
    si.domid = d.id.value();
    si.timeslice_us = cfg.timeslice_us;
    copy_name(*reinterpret_cast<char(*)[16]>(si.name), cfg.name);
    memcpy(si.cmd_line, cfg.cmdline, sizeof cfg.cmdline);
    si.ramdisk_base = d.ramdisk_pa.value();
    si.ramdisk_size = cfg.ramdisk_size;
}

// shared_info (upcalls masked until the guest is ready for them) and the domain's slot in
// the event-channel table.
Err attach_events(Domain& d, bool& attached, const char*& problem) {
    shared_info& sh = *d.shared_uc;
    sh.vcpu[0].evtchn_upcall_mask = 1;
    sh.wc_version = 2;  // even: stable
    sh.wall_clock_ns = vmm::wallclock_ns();
    if (vmm::evtchn().attach(d.id, d.shared_uc, d.privileged) != Err::ok) {
        return fail(problem, "event-channel slot busy", Err::busy);
    }
    attached = true;
    return Err::ok;
}

// Toolstack policy, not mechanism: a guest's console and store are a page of its own
// memory each, granted to dom0, with a channel pre-bound to dom0, as Xen's toolstack sets
// up before a PV guest boots. dom0 itself gets neither.
Err connect_to_dom0(Domain& d, const char*& problem) {
    if (d.privileged) return Err::ok;
    EventChannels& ev = vmm::evtchn();
    const PhysAddr console_pa = d.mem_base + (d.nr_pages - 2) * kPageSize;
    const PhysAddr store_pa = d.mem_base + (d.nr_pages - 1) * kPageSize;
    u32 ports[2] = {};
    // dom0's ends are recorded as soon as they exist, so unwind() can close them.
    u32* const dom0_ports[2] = {&d.console_port_dom0, &d.store_port_dom0};
    for (u32 i = 0; i < 2; ++i) {
        evtchn_alloc_unbound a{DOMID_SELF, 0, 0};
        Kick k;
        if (ev.alloc_unbound(d.id, a) != Err::ok) break;
        evtchn_bind_interdomain b{d.id.value(), a.port, 0};
        if (ev.bind_interdomain(DomId(0), b, k) != Err::ok) break;
        ports[i] = a.port;
        *dom0_ports[i] = b.local_port;
    }
    if (ports[1] == 0) return fail(problem, "no event-channel ports for console and store", kErrNoSpc);
    start_info& si = *d.start_uc;
    si.console_mfn = console_pa.value();
    si.console_evtchn = ports[0];
    si.store_mfn = store_pa.value();
    si.store_evtchn = ports[1];
    d.grants_uc[GNTTAB_RESERVED_CONSOLE] = grant_entry_v1{GTF_permit_access, 0, console_pa.value()};
    d.grants_uc[GNTTAB_RESERVED_XENSTORE] = grant_entry_v1{GTF_permit_access, 0, store_pa.value()};
    return Err::ok;
}

// The virtual CPU: virtual kernel mode at the ELF entry, the stack below start_info's
// reserved pages.
void init_vcpu(Domain& d, const ElfImage& img, u32 load_bytes) {
    d.ctx = TrapFrame{};
    d.ctx.r[0] = d.window.value() + XA_START_INFO_OFFSET;
    d.ctx.sp = d.window.value() + load_bytes;
    d.ctx.pc = img.entry.value();
    d.ctx.cpsr = ARM_MODE_USR;
    d.mode = VirtMode::kernel;
}

// The console and store channels the builder made have dom0's ends too. They must be
// closed before the domain's own ports are detached: detaching would turn them back into
// unbound ports offered to a domain being torn down, lost to dom0 for good. Only
// while they still lead to this domain: dom0 may have closed one and reused its number
// for another channel, which must survive.
void close_dom0_channels(Domain& d) {
    if (d.id == DomId(0)) return;
    const u32 ports[] = {d.console_port_dom0, d.store_port_dom0};
    for (u32 port : ports) {
        if (port != 0) (void)vmm::evtchn().close_if_peer(DomId(0), port, d.id);
    }
}

// What the configuration says to the scheduling policies.
sched::SchedParams sched_params(const boot_image::BootDomain& cfg) {
    sched::SchedParams p{};
    p.timeslice_ns = cfg.timeslice_us * 1000u;
    p.priority = cfg.priority;
    p.weight = cfg.weight;
    p.cap_pct = cfg.cap_pct;
    p.period_ns = cfg.period_us * 1000u;
    p.budget_ns = cfg.budget_us * 1000u;
    p.extra = (cfg.flags & boot_image::kDomExtra) != 0;
    return p;
}

// The one way out of a failed build: whatever the steps above took goes back.
void unwind(Domain& d, bool events_attached) {
    if (events_attached) {
        close_dom0_channels(d);
        (void)vmm::evtchn().detach(d.id);
    }
    teardown(d);
}

}  // namespace

Domain* detail::running = nullptr;
Domain detail::slots[Domain::kMaxDomains];
u32 alive_count() {
    u32 n = 0;
    for (const Domain& d : detail::slots) n += d.alive() ? 1 : 0;
    return n;
}

Err build(u32 index, const char*& problem) {
    const BootImageView* image = vmm::boot_image();
    if (image == nullptr || index >= image->domain_count)
        return fail(problem, "no such configuration entry", Err::noent);
    const boot_image::BootDomain& cfg = image->domains[index];
    Domain& d = detail::slots[index];
    if (d.state != DomState::free) return fail(problem, "the domain exists", Err::exist);
    const bool privileged = (cfg.flags & boot_image::kDomPrivileged) != 0;
    Domain* dom0 = get(DomId(0));
    if (!privileged && (dom0 == nullptr || !dom0->alive())) return fail(problem, "dom0 is not running", Err::inval);

    d = Domain{};
    d.id = DomId(static_cast<u16>(index));
    d.runstate = RUNSTATE_offline;
    d.config_index = index;
    d.privileged = privileged;
    copy_name(d.name, cfg.name);
    const u32 mem_bytes = cfg.memory_kb * KiB;
    const u32 load_bytes = mem_bytes - XA_START_RESERVED_PAGES * kPageSize;
    const u8* elf = reinterpret_cast<const u8*>(image->header) + cfg.kernel_offset;

    // Its kernel window (start_info.h): the one its entry point lies in. The image builder
    // relocates each domain's kernel into a window of its own; a kernel it could not
    // relocate runs where it was linked, sharing a window, and switches to and from it
    // clean the caches (sched.cc).
    const u32 entry = elf_entry(elf, cfg.kernel_size);
    if (entry < XA_GUEST_KERNEL_BASE || entry >= XA_GUEST_KERNEL_END)
        return fail(problem, "its entry point is not in the guest kernel region", Err::inval);
    d.window = VirtAddr(entry - (entry - XA_GUEST_KERNEL_BASE) % XA_WINDOW_SIZE);
    if (load_bytes > XA_PASSTHROUGH_OFFSET)
        return fail(problem, "its memory does not fit in a kernel window", Err::inval);
    d.tag = index % mmu::kTagCount;
    d.dacr_kernel = mmu::dacr_guest_kernel(d.tag);
    d.dacr_user = mmu::dacr_guest_user(d.tag);

    ElfImage img{};
    const ElfError ee = elf_parse(elf, cfg.kernel_size, d.window, load_bytes, img);
    if (ee.err != Err::ok) return fail(problem, ee.problem, ee.err);

    // Before anything is taken: whether the scheduler can give it what it asks for.
    const sched::SchedParams params = sched_params(cfg);
    if (sched::admit(params) != Err::ok)
        return fail(problem, "its reservation does not fit beside the running domains' (sched sedf bandwidth)",
                    Err::nospc);

    bool events_attached = false;
    Err e = allocate_memory(d, cfg, problem);
    if (e == Err::ok) e = allocate_backup(d, cfg, problem);
    if (e == Err::ok) e = claim_ramdisk(d, *image, cfg, problem);
    if (e == Err::ok) e = alloc_vmm_pages(d, problem);
    // The new tables are walked only after load_image's table switch, which cleans the whole
    // D-cache first: their descriptors need no clean each (page_table.hh).
    const PageTable::WrittenHook clean_each = PageTable::written_hook();
    PageTable::set_written_hook(nullptr);
    if (e == Err::ok) e = build_tables(d, mem_bytes, problem);
    if (e == Err::ok) {
        load_image(d, elf, img, mem_bytes);
        space::flushed();  // load_image's table switches cleaned everything
        write_start_info(d, cfg);
        e = attach_events(d, events_attached, problem);
    }
    PageTable::set_written_hook(clean_each);
    if (e == Err::ok) e = connect_to_dom0(d, problem);
    if (e != Err::ok) {
        unwind(d, events_attached);
        return e;
    }
    init_vcpu(d, img, load_bytes);
    space::added(d);

    d.state = DomState::alive;
    if (d.ramdisk_pages != 0) {
        printk("xen-arm: dom%u '%s': RAM disk of %u bytes at 0x%08x (%u frames)\n", d.id.value(), d.name,
               cfg.ramdisk_size, d.ramdisk_pa.value(), d.ramdisk_pages);
    }
    if (d.fault_tolerance == boot_image::kFtVm) {
        printk("xen-arm: dom%u '%s': fault tolerance: a backup of %u frames at 0x%08x (no checkpoint taken yet)\n",
               d.id.value(), d.name, d.nr_pages, d.backup_pa.value());
    }
    printk(
        "xen-arm: dom%u '%s' built: %u KiB at 0x%08x, entry 0x%08x, timeslice %u us, priority %u%s; free frames: "
        "%u guest, %u VMM\n",
        d.id.value(), d.name, cfg.memory_kb, d.mem_base.value(), img.entry.value(), cfg.timeslice_us, cfg.priority,
        privileged ? ", privileged" : "", vmm::guest_frames().free_count(), vmm_memory::frames().free_count());
    sched::domain_started(d, params);
    return Err::ok;
}

Err destroy(Domain& d) {
    if (d.state == DomState::free) return kErrSrch;
    if (&d == detail::running) return Err::inval;
    if (d.alive()) sched::domain_stopped(d);
    passthrough::release(d);
    vmm::grants().revoke_all_from(d.id);
    vmm::grants().release_all_of(d.id);
    close_dom0_channels(d);
    (void)vmm::evtchn().detach(d.id);
    teardown(d);
    printk("xen-arm: dom%u destroyed; free frames: %u guest, %u VMM\n", d.id.value(), vmm::guest_frames().free_count(),
           vmm_memory::frames().free_count());
    return Err::ok;
}

}  // namespace xa::domains
