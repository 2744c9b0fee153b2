#include "arch/arm/semihosting.hh"

#include <arm926/cpu.h>

#include "arch/arm/cpu.hh"

namespace xa::semihosting {
namespace {

constexpr u32 kSysGetCmdline = SEMIHOSTING_SYS_GET_CMDLINE;
constexpr u32 kSysExitExtended = SEMIHOSTING_SYS_EXIT_EXTENDED;
constexpr u32 kAdpStoppedApplicationExit = SEMIHOSTING_ADP_STOPPED_APPLICATION_EXIT;

// The A32 semihosting trap: SVC with the operation in r0, its argument in r1.
u32 call(u32 op, const void* arg) {
    register u32 r0 asm("r0") = op;
    register const void* r1 asm("r1") = arg;
    asm volatile("svc %[imm]" : "+r"(r0) : "r"(r1), [imm] "i"(SEMIHOSTING_SVC) : "memory");
    return r0;
}

}  // namespace

int get_cmdline(char* buf, u32 size) {
    struct {
        char* buffer;
        u32 length;
    } block{buf, size};
    if (call(kSysGetCmdline, &block) != 0) return -1;
    buf[block.length < size ? block.length : size - 1] = '\0';
    return static_cast<int>(block.length);
}

void exit(u32 status) {
    const u32 block[2] = {kAdpStoppedApplicationExit, status};
    call(kSysExitExtended, block);
    // Not under an emulator that honours semihosting: stop here.
    cpu::irq_disable();
    for (;;) cpu::wait_for_interrupt();
}

}  // namespace xa::semihosting
