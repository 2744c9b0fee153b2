// Exit statuses the VMM hands the emulator (semihosting), so tests can tell outcomes apart.
#pragma once

#include "types.hh"

namespace xa {

// Each comment is what tools/exit-status.py tells a user about the status; it reads one
// constant and its comment per line, so the table stays out of clang-format's wrapping.
// clang-format off
inline constexpr u32 kExitOk = 0;               // a clean stop: every domain shut down (or QEMU was quit with Ctrl-A X)
inline constexpr u32 kExitBadCommandLine = 2;  // the VMM's command line (ARGS) has something it does not take
inline constexpr u32 kExitFatalException = 3;  // the VMM itself took an unexpected exception (the report above says where)
inline constexpr u32 kExitPanic = 4;           // an internal consistency check of the VMM failed (xen-arm: panic above)
inline constexpr u32 kExitDomainCrashed = 5;   // every domain stopped, at least one crashed (search the log for 'crashed:')
inline constexpr u32 kExitBadImage = 6;        // the boot image is invalid or a domain in it could not be built
// clang-format on

[[noreturn]] void fatal_stop(u32 status);

}  // namespace xa

// Stops the VMM with a message and kExitPanic: for states that must never happen.
extern "C" [[noreturn]] void xa_panic(const char* why);
