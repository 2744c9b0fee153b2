/* mini-OS console: printk (the formatter is guestlib's). */
#include "minios/console.h"

#include "minios/arch.h"

void vprintk(const char *fmt, va_list ap)
{
    char buf[PRINTK_MAX];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    size_t len = n < (int)sizeof buf ? (size_t)n : sizeof buf - 1;
    arch_console_write(buf, len);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}
