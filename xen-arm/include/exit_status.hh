// Exit statuses the VMM hands the emulator (semihosting), so tests can tell outcomes apart.
#pragma once

#include "types.hh"

namespace xa {

inline constexpr u32 kExitOk = 0;
inline constexpr u32 kExitBadCommandLine = 2;
inline constexpr u32 kExitFatalException = 3;  // the VMM itself took an unexpected exception
inline constexpr u32 kExitPanic = 4;           // an internal consistency check failed

[[noreturn]] void fatal_stop(u32 status);

}  // namespace xa

// Stops the VMM with a message and kExitPanic: for states that must never happen.
extern "C" [[noreturn]] void xa_panic(const char* why);
