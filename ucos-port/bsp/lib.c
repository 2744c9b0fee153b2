/*
 * BSP library, both flavours: the C library functions the compiler may call (memcpy,
 * memset, memmove, memcmp), a small printf-style formatter and command-line parsing.
 *
 * Formatter: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width, and the length
 * modifiers l and ll.
 */
#include "bsp.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        while (n-- > 0)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

void bsp_clear_bss(void)
{
    extern char __bss_start[], __bss_end[];
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
}

size_t BSP_Strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

int BSP_Strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* ---- formatting ---- */

struct out {
    char *buf;
    size_t size;
    size_t len; /* as if unbounded */
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        out_char(o, c);
}

/* One field: digits (or text) `s` of length n, with an optional sign, padded to width. */
static void out_field(struct out *o, const char *s, int n, char sign, int width, int left,
                      int zero)
{
    const int total = n + (sign != 0);
    if (!left && !zero)
        out_pad(o, ' ', width - total);
    if (sign != 0)
        out_char(o, sign);
    if (!left && zero)
        out_pad(o, '0', width - total);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (left)
        out_pad(o, ' ', width - total);
}

static int utoa_rev(char *tmp, unsigned long long v, unsigned int base, int upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    return n;
}

int BSP_Vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        int left = 0, zero = 0, width = 0, lng = 0;
        for (p++; *p == '-' || *p == '0'; p++) {
            if (*p == '-')
                left = 1;
            else
                zero = 1;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        while (*p == 'l') {
            lng++;
            p++;
        }
        char tmp[24], rev[24];
        switch (*p) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            unsigned long long v;
            char sign = 0;
            const int is_signed = *p == 'd' || *p == 'i';
            if (*p == 'p')
                v = (uintptr_t)va_arg(ap, void *);
            else if (lng >= 2)
                v = is_signed ? (unsigned long long)va_arg(ap, long long) : va_arg(ap, unsigned long long);
            else if (lng == 1)
                v = is_signed ? (unsigned long long)(long long)va_arg(ap, long) : va_arg(ap, unsigned long);
            else
                v = is_signed ? (unsigned long long)(long long)va_arg(ap, int) : va_arg(ap, unsigned int);
            if (is_signed && (long long)v < 0) {
                sign = '-';
                v = (unsigned long long)(-(long long)v);
            }
            const unsigned int base = (*p == 'd' || *p == 'i' || *p == 'u') ? 10u : 16u;
            const int n = utoa_rev(rev, v, base, *p == 'X');
            for (int i = 0; i < n; i++)
                tmp[i] = rev[n - 1 - i];
            out_field(&o, tmp, n, sign, width, left, zero);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            out_field(&o, s, (int)BSP_Strlen(s), 0, width, left, 0);
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            out_field(&o, tmp, 1, 0, width, left, 0);
            break;
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            p--;
            break;
        default:
            out_char(&o, '%');
            out_char(&o, *p);
            break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int BSP_Snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int n = BSP_Vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void BSP_Printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = BSP_Vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    BSP_Write(line, (size_t)n);
}

/* ---- command line: space-separated key=value words ---- */

const char *BSP_ArgStr(const char *key, char *buf, size_t size)
{
    const size_t klen = BSP_Strlen(key);
    const char *p = BSP_CmdLine();
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        const char *word = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if ((size_t)(p - word) > klen && memcmp(word, key, klen) == 0 && word[klen] == '=') {
            size_t n = (size_t)(p - word) - klen - 1;
            if (n >= size)
                n = size - 1;
            memcpy(buf, word + klen + 1, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

INT32U BSP_ArgU32(const char *key, INT32U def)
{
    char text[16];
    const char *s = BSP_ArgStr(key, text, sizeof text);
    if (s == NULL || *s == '\0')
        return def;
    uint32_t v = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s != '\0'; s++) {
        uint32_t d;
        if (*s >= '0' && *s <= '9')
            d = (uint32_t)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (uint32_t)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (uint32_t)(*s - 'A' + 10);
        else
            return def;
        v = v * base + d;
    }
    return v;
}

const char *BSP_ExceptName(uint32_t kind)
{
    static const char *const names[8] = {
        "reset", "undefined instruction", "system call", "prefetch abort",
        "data abort", "reserved", "interrupt", "fiq",
    };
    return names[kind & 7u];
}
