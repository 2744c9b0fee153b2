// printf-style formatting into any sink with put(char); header-only so the host unit
// tests check exactly the code the VMM runs.
#pragma once

#include "types.hh"

namespace xa {

namespace detail {

template <typename Sink>
void put_padded(Sink& sink, const char* digits, u32 len, u32 width, char pad, bool negative, bool left) {
    u32 total = len + (negative ? 1 : 0);
    if (left) {  // '-' flag: the number first, then spaces
        if (negative) sink.put('-');
        for (u32 i = 0; i < len; ++i) sink.put(digits[i]);
        for (; total < width; ++total) sink.put(' ');
        return;
    }
    if (negative && pad == '0') sink.put('-');
    for (; total < width; ++total) sink.put(pad);
    if (negative && pad != '0') sink.put('-');
    for (u32 i = 0; i < len; ++i) sink.put(digits[i]);
}

// The digits of value in base 10 or 16, written backwards from the end of buf; returns
// the first (most significant). Hex by shifts; decimal in 32 bits once the value fits,
// where the division by the constant 10 is a multiplication (a 64-bit division is a call
// into the compiler's runtime, on every digit). Out of line: one copy for every sink.
[[gnu::noinline]] inline const char* digits_of(char (&buf)[24], u64 value, u32 base, bool upper) {
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char* p = buf + sizeof buf;
    if (base == 16) {
        do {
            *--p = set[value & 15u];
            value >>= 4;
        } while (value != 0);
        return p;
    }
    while (value > 0xFFFFFFFFu) {
        const u64 q = value / 10;
        *--p = set[static_cast<u32>(value - q * 10)];
        value = q;
    }
    u32 v = static_cast<u32>(value);
    do {
        *--p = set[v % 10];
        v /= 10;
    } while (v != 0);
    return p;
}

template <typename Sink>
void put_unsigned(Sink& sink, u64 value, u32 base, bool upper, u32 width, char pad, bool negative, bool left = false) {
    char buf[24];
    const char* digits = digits_of(buf, value, base, upper);
    put_padded(sink, digits, static_cast<u32>(buf + sizeof buf - digits), width, pad, negative, left);
}

}  // namespace detail

template <typename Sink>
void format(Sink& sink, const char* fmt, __builtin_va_list args) {
    for (const char* p = fmt; *p != '\0'; ++p) {
        if (*p != '%') {
            sink.put(*p);
            continue;
        }
        ++p;
        bool left = false;  // '-': pad on the right
        if (*p == '-') {
            left = true;
            ++p;
        }
        char pad = ' ';
        if (*p == '0') {
            pad = '0';
            ++p;
        }
        u32 width = 0;
        while (*p >= '0' && *p <= '9') width = width * 10 + static_cast<u32>(*p++ - '0');
        int longs = 0;
        while (*p == 'l') {
            ++longs;
            ++p;
        }
        switch (*p) {
            case 'd':
            case 'i': {
                const long long v = longs >= 2   ? __builtin_va_arg(args, long long)
                                    : longs == 1 ? __builtin_va_arg(args, long)
                                                 : __builtin_va_arg(args, int);
                const u64 magnitude = v < 0 ? static_cast<u64>(-(v + 1)) + 1 : static_cast<u64>(v);
                detail::put_unsigned(sink, magnitude, 10, false, width, pad, v < 0, left);
                break;
            }
            case 'u':
            case 'x':
            case 'X': {
                const u64 v = longs >= 2   ? __builtin_va_arg(args, unsigned long long)
                              : longs == 1 ? __builtin_va_arg(args, unsigned long)
                                           : __builtin_va_arg(args, unsigned int);
                detail::put_unsigned(sink, v, *p == 'u' ? 10 : 16, *p == 'X', width, pad, false, left);
                break;
            }
            case 'p': {
                const auto v = reinterpret_cast<uintptr_t>(__builtin_va_arg(args, void*));
                sink.put('0');
                sink.put('x');
                detail::put_unsigned(sink, v, 16, false, sizeof(uintptr_t) * 2, '0', false);
                break;
            }
            case 'c': sink.put(static_cast<char>(__builtin_va_arg(args, int))); break;
            case 's': {
                const char* s = __builtin_va_arg(args, const char*);
                if (s == nullptr) s = "(null)";
                u32 len = 0;
                while (s[len] != '\0') ++len;
                if (!left)
                    for (u32 i = len; i < width; ++i) sink.put(' ');
                for (u32 i = 0; i < len; ++i) sink.put(s[i]);
                if (left)
                    for (u32 i = len; i < width; ++i) sink.put(' ');
                break;
            }
            case '%': sink.put('%'); break;
            case '\0': return;
            default:  // unknown conversion: show it rather than guess
                sink.put('%');
                sink.put(*p);
                break;
        }
    }
}

}  // namespace xa
