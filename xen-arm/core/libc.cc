// The few C library routines the compiler may call on its own (struct copies, zeroing);
// memcpy and memset are in arch/arm/string.S.
// The VMM links no C library.
#include "exit_status.hh"
#include "types.hh"

extern "C" {

// memcpy and memset are in arch/arm/string.S (LDM/STM: they are on the hot paths).
// The attribute keeps GCC from turning these loops into calls to memcpy/memset-like
// library functions, possibly themselves.
#define XA_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

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
