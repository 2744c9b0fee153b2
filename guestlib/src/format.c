/* The guests' vsnprintf and snprintf (guestlib/format.h). */
#include "guestlib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "guestlib/string.h"

struct out {
    char *buf;
    size_t size;
    size_t len; /* what the full output would need */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padding(struct out *o, char c, int count)
{
    for (; count > 0; count--)
        put(o, c);
}

/* Digits of v in base, right-aligned in width with pad. */
static void put_number(struct out *o, unsigned long long v, unsigned int base, bool upper, bool negative, int width,
                       bool zero_pad, bool left)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        /* base 10 and 16 only: the division stays a shift for hex */
        if (base == 16) {
            tmp[n++] = digits[v & 0xF];
            v >>= 4;
        } else {
            tmp[n++] = digits[v % 10];
            v /= 10;
        }
    } while (v != 0);
    int len = n + (negative ? 1 : 0);
    if (!left && !zero_pad)
        put_padding(o, ' ', width - len);
    if (negative)
        put(o, '-');
    if (!left && zero_pad)
        put_padding(o, '0', width - len);
    while (n > 0)
        put(o, tmp[--n]);
    if (left)
        put_padding(o, ' ', width - len);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        bool left = false, zero_pad = false;
        for (;; p++) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                zero_pad = true;
            else
                break;
        }
        int width = 0;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        while (*p == 'h')
            p++;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = longs >= 2 ? va_arg(ap, long long) : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
            put_number(&o, mag, 10, false, v < 0, width, zero_pad, left);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v = longs >= 2   ? va_arg(ap, unsigned long long)
                                   : longs == 1 ? va_arg(ap, unsigned long)
                                                : va_arg(ap, unsigned int);
            put_number(&o, v, *p == 'u' ? 10 : 16, *p == 'X', false, width, zero_pad, left);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, v, 16, false, false, 8, true, false);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!left)
                put_padding(&o, ' ', width - 1);
            put(&o, c);
            if (left)
                put_padding(&o, ' ', width - 1);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            int len = (int)strlen(s);
            if (!left)
                put_padding(&o, ' ', width - len);
            for (; *s != '\0'; s++)
                put(&o, *s);
            if (left)
                put_padding(&o, ' ', width - len);
            break;
        }
        case '%': put(&o, '%'); break;
        case '\0':
            p--; /* a lone '%' at the end: print nothing more */
            break;
        default: /* unknown conversion: show it as written */
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    if (size != 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
