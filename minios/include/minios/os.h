/*
 * mini-OS: basic definitions every source file includes.
 *
 * mini-OS is a small cooperative-thread kernel that runs either as a paravirtual guest of
 * xen-arm (arch/pv) or directly on a board (arch/native). Everything outside arch/ is
 * common to both; arch.h lists what an arch layer provides.
 */
#ifndef MINIOS_OS_H
#define MINIOS_OS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1U << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x) ((void)(x))

/* Orders memory accesses as seen by the compiler. mini-OS runs on one CPU, and the VMM
 * only looks at shared memory between guest instructions, so program order is enough. */
#define barrier() atomic_signal_fence(memory_order_seq_cst)

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define NSEC_PER_USEC 1000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_SEC 1000000000ULL

#endif /* MINIOS_OS_H */
