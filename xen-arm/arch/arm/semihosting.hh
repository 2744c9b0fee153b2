// ARM semihosting (ARM DUI0471/IHI0083): how the VMM talks to the emulator that runs it.
// Used for the VMM's command line and for a clean exit with a status code in tests.
// Only privileged code can use it: QEMU refuses semihosting calls from USR mode, so a
// guest can never end the emulation.
#pragma once

#include "types.hh"

namespace xa::semihosting {

// Copies the command line (QEMU: the kernel path, then -append's text) into buf, NUL
// terminated. Returns its length, or -1 if the emulator gave none.
int get_cmdline(char* buf, u32 size);

// Ends the emulation with this exit status (SYS_EXIT_EXTENDED, so A32 code can pass one).
[[noreturn]] void exit(u32 status);

}  // namespace xa::semihosting
