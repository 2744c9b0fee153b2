// xen-arm's version, reported in the banner and by XENVER_version.
#pragma once

#include "types.hh"

namespace xa {
inline constexpr u32 kVersionMajor = 0;
inline constexpr u32 kVersionMinor = 2;
inline constexpr u32 kVersionPatch = 0;
inline constexpr const char* kVersion = "0.2.0";
}  // namespace xa
