// Exit statuses the VMM hands the emulator (semihosting), so tests can tell outcomes apart.
#pragma once

#include "types.hh"

namespace xa {

inline constexpr u32 kExitOk = 0;               // clean stop (every domain shut down)
inline constexpr u32 kExitBadCommandLine = 2;
inline constexpr u32 kExitFatalException = 3;  // the VMM itself took an unexpected exception
inline constexpr u32 kExitPanic = 4;           // an internal consistency check failed
inline constexpr u32 kExitDomainCrashed = 5;   // every domain stopped, at least one crashed
inline constexpr u32 kExitBadImage = 6;        // the boot image (domains/mkimage.py) is invalid

[[noreturn]] void fatal_stop(u32 status);

}  // namespace xa

// Stops the VMM with a message and kExitPanic: for states that must never happen.
extern "C" [[noreturn]] void xa_panic(const char* why);
