/* mini-OS console output: printk and a small vsnprintf. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <stdarg.h>

#include "minios/os.h"

/*
 * Formats: %s %c %d %i %u %x %X %p %%, with an optional '-' (left-justify), '0' (zero
 * pad), a field width, and the length modifiers l and ll (h and hh are accepted and
 * ignored). %p prints 0x and 8 hex digits. Returns the length the full output would have;
 * buf always ends with a NUL when size > 0.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats into a buffer on the stack (up to PRINTK_MAX bytes) and writes it out in one
 * piece, so lines from different threads and handlers do not interleave mid-line. */
#define PRINTK_MAX 256
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif /* MINIOS_CONSOLE_H */
