/* The guests' freestanding string and memory functions. GCC may also emit calls to memset,
 * memcpy, memmove and memcmp itself (struct copies, zeroing): these are the ones it links. */
#ifndef GUESTLIB_STRING_H
#define GUESTLIB_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size - 1 bytes and always terminates (size > 0); returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Parses a decimal or 0x-prefixed hexadecimal unsigned number that makes up all of s.
 * Returns false (and leaves *out alone) for anything else, or on overflow. */
bool parse_u32(const char *s, uint32_t *out);

#endif /* GUESTLIB_STRING_H */
