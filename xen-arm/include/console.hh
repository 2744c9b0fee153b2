// The VMM's console output: a small printf over the board UART.
#pragma once

#include "types.hh"

namespace xa {

// Formats like printf for: %s %c %d %i %u %x %X %p %%, with an optional '0' flag, a
// width, and 'l'/'ll' length modifiers (ll = 64-bit). '\n' is sent as "\r\n".
void printk(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char* fmt, __builtin_va_list args);

// Formats into buf (always NUL terminated); returns the length it wanted to write.
int snprintk(char* buf, u32 size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

}  // namespace xa
