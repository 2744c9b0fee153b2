/* The C fuzz targets' view of libFuzzer's input: bytes taken one at a time, zeros once it
 * runs out (so every input, however short, decodes to some sequence of operations). */
#ifndef XEN_ARM_FUZZ_INPUT_H
#define XEN_ARM_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct in {
    const uint8_t* p;
    size_t n;
};

static inline uint8_t take(struct in* in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}

/* Four bytes, little-endian. */
static inline uint32_t take32(struct in* in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)take(in) << (8 * i);
    return v;
}

#endif /* XEN_ARM_FUZZ_INPUT_H */
