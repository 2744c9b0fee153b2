/*
 * Where a guest kernel is: the start of its kernel window (hypercalls/xen-arm/start_info.h),
 * for the paravirtual and the native builds alike (a native build runs in window 0).
 */
#ifndef GUESTLIB_WINDOW_H
#define GUESTLIB_WINDOW_H

#include <stdint.h>

#include <xen-arm/start_info.h>
#include <xen-arm/trace.h>

/* The kernel runs inside its window (the image builder relocates it there), so any of the
 * kernel's own addresses, rounded down to the window size, gives the window: no variable to
 * set up first, right from the first instruction. (XA_GUEST_KERNEL_BASE is a multiple of
 * XA_WINDOW_SIZE.) */
extern const char gl_window_anchor;
static inline uintptr_t gl_window(void) { return (uintptr_t)&gl_window_anchor & ~(uintptr_t)(XA_WINDOW_SIZE - 1U); }

/* Announces thread `id` to a trace tool (xen-arm/trace.h): a store whose address is the
 * message; the value is ignored. */
static inline void gl_trace_thread(uint32_t id)
{
    if (id < XA_TRACE_MAX_THREADS)
        *(volatile uint32_t *)(gl_window() + XA_TRACE_PAGE_OFFSET + 4U * id) = 0;
}

#endif /* GUESTLIB_WINDOW_H */
