// The C library functions the VMM uses (memset, memcpy, memmove, memcmp, strlen): declared
// by the toolchain's <string.h>, defined for the VMM in core/libc.cc and by the host's
// libc in the unit tests.
#pragma once

#include <string.h>
