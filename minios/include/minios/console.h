/* mini-OS console output: printk, and guestlib's vsnprintf and snprintf. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <stdarg.h>

#include "guestlib/format.h"

#include "minios/os.h"

/* Formats into a buffer on the stack (up to PRINTK_MAX bytes) and writes it out in one
 * piece, so lines from different threads and handlers do not interleave mid-line. */
#define PRINTK_MAX 256
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif /* MINIOS_CONSOLE_H */
