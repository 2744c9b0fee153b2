// printk and snprintk for host-built core files: printk appends to a string the tests can
// read (fake::console()), snprintk is the host's vsnprintf (same conversions for the
// %u/%s/%x the VMM uses).
#include <cstdarg>
#include <cstdio>

#include "console.hh"
#include "fake_vmm.hh"

namespace xa {

void vprintk(const char* fmt, __builtin_va_list args) {
    char line[512];
    std::vsnprintf(line, sizeof line, fmt, args);
    fake::console() += line;
}

void printk(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vprintk(fmt, args);
    va_end(args);
}

int snprintk(char* buf, u32 size, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const int n = std::vsnprintf(buf, size, fmt, args);
    va_end(args);
    return n;
}

}  // namespace xa
