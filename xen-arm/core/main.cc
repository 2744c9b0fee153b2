// xen-arm's C++ entry: called by arch/arm/start.S on the boot stack with the MMU on.
#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "arch/arm/semihosting.hh"
#include "board.hh"
#include "boot_options.hh"
#include "console.hh"
#include "domain.hh"
#include "exit_status.hh"
#include "layout.hh"
#include "sched.hh"
#include "trap_frame.h"
#include "version.hh"
#include "vmm.hh"
#include "vmm_memory.hh"

namespace xa {
namespace {

constexpr u32 kTickHz = 100;

void print_banner(const BootOptions& opts) {
    const auto img = vmm_memory::image();
    printk("\nxen-arm %s: paravirtualizing VMM for ARM926EJ-S\n", kVersion);
    printk("board:  %s (%s), cpu id 0x%08x\n", board::kConfig.name, board::kConfig.description, cpu::read_main_id());
    printk("ram:    %u MiB at 0x%08x; VMM uses %u MiB at 0x%08x (DIRECTMAP)\n", board::kConfig.ram_size / MiB,
           board::kConfig.ram_base, layout::kDirectMap.size / MiB, board::kConfig.ram_base);
    printk("image:  text %u, rodata %u, data %u, bss %u bytes; %u VMM frames free\n", img.text, img.rodata, img.data,
           img.bss, vmm_memory::frames().free_count());
    printk("layout: virtual address map\n");
    for (const auto& r : layout::kVmmRegions) {
        printk("  0x%08x-0x%08x %-13s %4u MiB  %s\n", r.start, r.start + (r.size - 1), r.name, r.size / MiB, r.use);
        if (r.start == layout::kPerDomain.start) {
            const auto& m = layout::kMapCache;
            printk("    0x%08x-0x%08x %-11s %4u MiB  %s\n", m.start, m.start + (m.size - 1), m.name, m.size / MiB,
                   m.use);
        }
    }
    for (const auto& r : layout::kGuestRegions) {
        printk("  0x%08x-0x%08x %-13s %4u MiB  %s\n", r.start, r.start + (r.size - 1), r.name, r.size / MiB, r.use);
    }
    for (u32 slot = 0; slot < board::kConfig.io_count; ++slot) {
        printk("io:     0x%08x -> 0x%08x %s\n", board::kConfig.io[slot].phys, layout::io_slot_base(slot),
               board::kConfig.io[slot].name);
    }
    printk("boot:   banner at %llu ns of virtual time\n", board::timer_now_ns());
    if (opts.exit_after_ticks != 0) printk("boot:   will stop after %u ticks\n", opts.exit_after_ticks);
}

// Deliberate faults, so tests can prove that the VMM reports exceptions instead of hanging.
void inject_fault(FaultInjection fault) {
    switch (fault) {
        case FaultInjection::none: return;
        case FaultInjection::data_abort:
            printk("fault:  reading unmapped address 0x00100000\n");
            (void)cpu::mmio_read<u32>(0x00100000);
            break;
        case FaultInjection::prefetch_abort:
            printk("fault:  jumping to unmapped address 0x00200000\n");
            reinterpret_cast<void (*)()>(0x00200000)();
            break;
        case FaultInjection::undefined:
            printk("fault:  executing an undefined instruction\n");
            asm volatile(".word 0xe7f000f0");  // permanently undefined (UDF encoding space)
            break;
    }
    xa_panic("injected fault did not trap");
}

}  // namespace
}  // namespace xa

namespace xa {
namespace {

// The VMM booted without a boot image: tick and report, the diagnostic mode the
// foundation tests use. Interrupts stay masked in the VMM: it waits with WFI and serves
// the pending lines itself.
[[noreturn]] void run_without_domains(const BootOptions& opts) {
    board::irq_init();
    board::irq_enable(board::kConfig.timer_irq);
    const u64 start_ns = board::timer_now_ns();
    board::timer_start(kTickHz);
    printk("xen-arm: no boot image: no domains to run (build one with domains/mkimage.py)\n");

    u32 ticks = 0, reported = 0;
    for (;;) {
        cpu::wait_for_interrupt();
        for (int line; (line = board::irq_claim()) >= 0;) {
            if (static_cast<u32>(line) == board::kConfig.timer_irq) {
                ticks += board::timer_ack();
            } else {
                printk("irq:    spurious line %d, disabled\n", line);
                board::irq_disable(static_cast<u32>(line));
            }
        }
        const u32 now = ticks;
        if (now == reported) continue;
        reported = now;
        if (opts.exit_after_ticks != 0) {
            printk("tick %u at %llu ns\n", now, board::timer_now_ns());
            if (now >= opts.exit_after_ticks) {
                printk("xen-arm: %u ticks in %llu ns of virtual time\n", now, board::timer_now_ns() - start_ns);
                semihosting::exit(kExitOk);
            }
        } else if (now % kTickHz == 0) {
            printk("xen-arm: uptime %u s (%u ticks)\n", now / kTickHz, now);
        }
        const int key = board::console_getc();
        if (key == 'q') {
            printk("xen-arm: quit after %u ticks\n", now);
            semihosting::exit(kExitOk);
        }
    }
}

// Build every domain marked `start = boot`, in image order (dom0 first), then run them.
[[noreturn]] void run_domains(const BootImageView& image) {
    const sched::Policy& policy = sched::policy_for(image.header->scheduler);
    printk("system: '%s', %u domain(s) in the boot image, scheduler %s\n", image.header->system_name,
           image.domain_count, policy.name);
    sched::init(policy);
    for (u32 i = 0; i < image.domain_count; ++i) {
        if ((image.domains[i].flags & boot_image::kDomAutostart) == 0) continue;
        const char* problem = nullptr;
        if (domains::build(i, problem) != Err::ok) {
            printk("xen-arm: cannot build domain %u '%s': %s\n", i, image.domains[i].name, problem);
            fatal_stop(kExitBadImage);
        }
    }
    printk("xen-arm: starting domains at %llu ns\n", board::timer_now_ns());
    sched::start();
}

}  // namespace
}  // namespace xa

extern "C" [[noreturn]] void xa_main() {
    using namespace xa;
    board::early_init();
    vmm_memory::init();
    vmm::init();

    char cmdline[256] = "";
    const int len = semihosting::get_cmdline(cmdline, sizeof cmdline);
    const BootOptions opts = parse_boot_options(len >= 0 ? cmdline : "");
    if (opts.error != nullptr) {
        printk("xen-arm: bad command line '%s': %s\n", cmdline, opts.error);
        fatal_stop(kExitBadCommandLine);
    }
    booted_options = opts;
    vmm::set_wallclock_ns(opts.wallclock_s * 1000000000ull);
    space::clean_every_switch(opts.clean_every_switch);
    print_banner(opts);
    inject_fault(opts.fault);

    if (const BootImageView* image = vmm::boot_image(); image != nullptr) run_domains(*image);
    run_without_domains(opts);
}
