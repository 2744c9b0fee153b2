#pragma once

namespace xa {
inline constexpr const char* kVersion = "0.1.0";
}
