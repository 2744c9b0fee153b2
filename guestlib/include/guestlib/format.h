/* The guests' printf-style formatter (printk and BSP_Printf write what it makes). */
#ifndef GUESTLIB_FORMAT_H
#define GUESTLIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats: %s %c %d %i %u %x %X %p %%, with an optional '-' (left-justify), '0' (zero
 * pad), a field width, and the length modifiers l and ll (h and hh are accepted and
 * ignored). %p prints 0x and 8 hex digits. Returns the length the full output would have;
 * buf always ends with a NUL when size > 0.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* GUESTLIB_FORMAT_H */
