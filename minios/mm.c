/* mini-OS page allocator: one bit per page of the heap (1 = in use), first fit. */
#include "minios/mm.h"

#include "minios/arch.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/lib.h"

#define MM_MAX_PAGES (256U * 1024U * 1024U / PAGE_SIZE) /* 256 MiB of heap at most */

static uint32_t used_map[MM_MAX_PAGES / 32];
static uintptr_t heap_base;
static unsigned int heap_pages;
static unsigned int free_count;

static bool page_used(unsigned int i) { return (used_map[i / 32] >> (i % 32)) & 1U; }
static void set_used(unsigned int i) { used_map[i / 32] |= 1U << (i % 32); }
static void set_free(unsigned int i) { used_map[i / 32] &= ~(1U << (i % 32)); }

void mm_init(uintptr_t start, uintptr_t end)
{
    heap_base = PAGE_ALIGN(start);
    end &= PAGE_MASK;
    heap_pages = end > heap_base ? (unsigned int)((end - heap_base) / PAGE_SIZE) : 0;
    if (heap_pages > MM_MAX_PAGES)
        heap_pages = MM_MAX_PAGES;
    memset(used_map, 0, sizeof used_map);
    free_count = heap_pages;
}

void mm_reserve_page(uintptr_t va)
{
    if (va < heap_base)
        return;
    uintptr_t i = (va - heap_base) / PAGE_SIZE;
    if (i >= heap_pages || page_used((unsigned int)i))
        return;
    set_used((unsigned int)i);
    free_count--;
}

void *alloc_pages(unsigned int count)
{
    if (count == 0)
        return NULL;
    unsigned long flags = local_irq_save();
    unsigned int run = 0;
    for (unsigned int i = 0; i < heap_pages; i++) {
        run = page_used(i) ? 0 : run + 1;
        if (run == count) {
            unsigned int first = i + 1 - count;
            for (unsigned int j = first; j <= i; j++)
                set_used(j);
            free_count -= count;
            local_irq_restore(flags);
            void *p = (void *)(heap_base + (uintptr_t)first * PAGE_SIZE);
            memset(p, 0, (size_t)count * PAGE_SIZE);
            return p;
        }
    }
    local_irq_restore(flags);
    return NULL;
}

void free_pages(void *p, unsigned int count)
{
    uintptr_t va = (uintptr_t)p;
    if (p == NULL)
        return;
    if (va < heap_base || (va & ~PAGE_MASK) != 0 || (va - heap_base) / PAGE_SIZE + count > heap_pages)
        minios_panic("free_pages: %p (%u pages) is not heap memory", p, count);
    unsigned int first = (unsigned int)((va - heap_base) / PAGE_SIZE);
    unsigned long flags = local_irq_save();
    for (unsigned int i = first; i < first + count; i++) {
        if (!page_used(i))
            minios_panic("free_pages: page %p is already free", (void *)(heap_base + i * PAGE_SIZE));
        set_free(i);
    }
    free_count += count;
    local_irq_restore(flags);
}

unsigned int mm_free_pages(void) { return free_count; }
unsigned int mm_total_pages(void) { return heap_pages; }
