// The few C library routines the compiler may call on its own (struct copies, zeroing).
// The VMM links no C library.
#include "exit_status.hh"
#include "types.hh"

extern "C" {

// Word-at-a-time when both ends allow it: the domain builder zeroes and copies whole
// megabytes. The attribute keeps GCC from turning these loops back into calls to
// themselves.
#define XA_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

XA_NO_LIBCALL void* memset(void* dst, int value, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto byte = static_cast<unsigned char>(value);
    if ((reinterpret_cast<uintptr_t>(d) & 3u) == 0) {
        const xa::u32 word = byte * 0x01010101u;
        auto* w = reinterpret_cast<xa::u32*>(d);
        for (; n >= 16; n -= 16, w += 4) {
            w[0] = word;
            w[1] = word;
            w[2] = word;
            w[3] = word;
        }
        d = reinterpret_cast<unsigned char*>(w);
    }
    while (n-- != 0) *d++ = byte;
    return dst;
}

XA_NO_LIBCALL void* memcpy(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (((reinterpret_cast<uintptr_t>(d) | reinterpret_cast<uintptr_t>(s)) & 3u) == 0) {
        auto* wd = reinterpret_cast<xa::u32*>(d);
        const auto* ws = reinterpret_cast<const xa::u32*>(s);
        for (; n >= 16; n -= 16, wd += 4, ws += 4) {
            wd[0] = ws[0];
            wd[1] = ws[1];
            wd[2] = ws[2];
            wd[3] = ws[3];
        }
        d = reinterpret_cast<unsigned char*>(wd);
        s = reinterpret_cast<const unsigned char*>(ws);
    }
    while (n-- != 0) *d++ = *s++;
    return dst;
}

XA_NO_LIBCALL void* memmove(void* dst, const void* src, size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        while (n-- != 0) *d++ = *s++;
    } else {
        while (n-- != 0) d[n] = s[n];
    }
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (; n != 0; --n, ++x, ++y) {
        if (*x != *y) return *x < *y ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char* s) {
    size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}

// A pure virtual call or a failed static-init guard cannot happen in a correct VMM;
// if they do, stop loudly rather than run on.
void __cxa_pure_virtual() { xa_panic("pure virtual call"); }

}  // extern "C"
