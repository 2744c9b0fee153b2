/* mini-OS page allocator: first fit over a bitmap of the free memory, in 4 KiB pages. */
#ifndef MINIOS_MM_H
#define MINIOS_MM_H

#include "minios/os.h"

/* Hands [start, end) (page aligned) to the allocator. */
void mm_init(uintptr_t start, uintptr_t end);
/* Takes the page holding va out of the allocator (e.g. a page the VMM gave a purpose). */
void mm_reserve_page(uintptr_t va);
/* count contiguous zeroed pages, or NULL. */
void *alloc_pages(unsigned int count);
void free_pages(void *p, unsigned int count);
static inline void *alloc_page(void) { return alloc_pages(1); }
static inline void free_page(void *p) { free_pages(p, 1); }
unsigned int mm_free_pages(void);
unsigned int mm_total_pages(void);

#endif /* MINIOS_MM_H */
