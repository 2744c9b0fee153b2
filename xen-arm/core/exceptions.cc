// What the VMM does when the CPU takes an exception it did not expect: a readable
// report (mode, PC, fault address and status decoded), then a clean stop with a
// non-zero exit status, never a silent hang.
#include "arch/arm/cpu.hh"
#include "arch/arm/semihosting.hh"
#include "console.hh"
#include "exit_status.hh"
#include "mmu.hh"
#include "trap_frame.h"

namespace xa {
namespace {

const char* mode_name(u32 cpsr) {
    switch (cpsr & ARM_MODE_MASK) {
        case ARM_MODE_USR: return "USR";
        case ARM_MODE_FIQ: return "FIQ";
        case ARM_MODE_IRQ: return "IRQ";
        case ARM_MODE_SVC: return "SVC";
        case ARM_MODE_ABT: return "ABT";
        case ARM_MODE_UND: return "UND";
        case ARM_MODE_SYS: return "SYS";
        default: return "invalid";
    }
}

const char* exception_name(u32 kind) {
    switch (kind) {
        case XA_EXC_UNDEF: return "undefined instruction";
        case XA_EXC_SWI: return "unexpected SWI";
        case XA_EXC_PABT: return "prefetch abort";
        case XA_EXC_DABT: return "data abort";
        case XA_EXC_RESERVED: return "reserved vector";
        case XA_EXC_FIQ: return "unexpected FIQ";
        case XA_EXC_IRQ: return "IRQ while the VMM ran";
        default: return "unknown exception";
    }
}

void print_registers(const TrapFrame& f) {
    for (u32 i = 0; i < 13; ++i) {
        printk("    r%-2u 0x%08x%s", i, f.r[i], (i % 4 == 3) ? "\n" : "");
    }
    printk("    sp  0x%08x    lr  0x%08x    pc  0x%08x\n", f.sp, f.lr, f.pc);
}

}  // namespace

[[noreturn]] void fatal_stop(u32 status) {
    printk("*** xen-arm: stopped (exit status %u)\n", status);
    semihosting::exit(status);
}

}  // namespace xa

extern "C" [[noreturn]] void xa_panic(const char* why) {
    xa::printk("\n*** xen-arm: panic: %s\n", why);
    xa::fatal_stop(xa::kExitPanic);
}

// Called by arch/arm/vectors.S with the frame of the exception it could not handle.
extern "C" [[noreturn]] void xa_exception(xa::u32 kind, xa::TrapFrame* frame) {
    using namespace xa;
    if (kind == XA_EXC_SWI) frame->pc -= 4;  // the SWI entry saves the return address
    printk("\n*** xen-arm: %s in %s mode at pc 0x%08x\n", exception_name(kind), mode_name(frame->cpsr), frame->pc);
    printk("    cpsr 0x%08x (%s, IRQ %s, FIQ %s)\n", frame->cpsr, mode_name(frame->cpsr),
           (frame->cpsr & ARM_PSR_I) ? "masked" : "enabled", (frame->cpsr & ARM_PSR_F) ? "masked" : "enabled");
    if (kind == XA_EXC_DABT) {
        const u32 fsr = cpu::read_dfsr();
        printk("    far  0x%08x  fsr 0x%03x: %s, domain %u\n", cpu::read_far(), fsr, mmu::fault_status_name(fsr),
               (fsr >> 4) & 0xF);
    } else if (kind == XA_EXC_PABT) {
        const u32 fsr = cpu::read_ifsr();
        printk("    ifsr 0x%03x: %s, domain %u\n", fsr, mmu::fault_status_name(fsr), (fsr >> 4) & 0xF);
    } else if (kind == XA_EXC_UNDEF || kind == XA_EXC_SWI) {
        printk("    instruction 0x%08x\n", *reinterpret_cast<const volatile u32*>(frame->pc));
    }
    print_registers(*frame);
    fatal_stop(kExitFatalException);
}
