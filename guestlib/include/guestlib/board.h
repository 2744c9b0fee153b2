/*
 * The native guest builds' board drivers: what each board file (guestlib/board/<board>.c,
 * the only place with device registers) provides to mini-OS's and µC/OS-II's native layers.
 */
#ifndef GUESTLIB_BOARD_H
#define GUESTLIB_BOARD_H

#include <stdbool.h>
#include <stdint.h>

/* First-level descriptor bits for board_sections[].attr (domain 0 everywhere). */
#define SECTION_TYPE 0x002U
#define SECTION_BIT4 0x010U /* should be one on ARMv5 */
#define SECTION_B 0x004U
#define SECTION_C 0x008U
#define SECTION_AP_RW 0x400U /* AP=01: privileged read-write, user none */
#define SECTION_AP_RO 0x000U /* AP=00 with CP15 S=1: privileged read-only */
#define SECTION_RAM (SECTION_TYPE | SECTION_BIT4 | SECTION_AP_RW | SECTION_C | SECTION_B)
#define SECTION_DEVICE (SECTION_TYPE | SECTION_BIT4 | SECTION_AP_RW)
#define SECTION_VECTORS (SECTION_TYPE | SECTION_BIT4 | SECTION_AP_RO | SECTION_C | SECTION_B)

/* One run of 1 MiB sections: VA va.. -> PA pa.. (both MiB aligned), as gl_map_sections()
 * (guestlib/bootmap.h) writes them, possibly with the MMU off. */
struct native_section {
    uint32_t va;
    uint32_t pa;
    uint32_t megabytes; /* 0 ends the list */
    uint32_t attr;
};

extern const struct native_section board_sections[];
extern const char board_name[];
extern const uint32_t board_ram_base;
extern const uint32_t board_ram_size;
extern const unsigned int board_timer_irq;

/* Console UART/TTY ready, interrupt controller quiet, clock running. */
void board_init(void);
void board_putc(char c);
/* Nanoseconds of the board's free-running clock. */
uint64_t board_now_ns(void);

void board_irq_enable(unsigned int line);
void board_irq_disable(unsigned int line);
/* The pending line to handle (lowest first), or -1. */
int board_irq_claim(void);

/* Arms the one-shot timer to interrupt at deadline_ns of board_now_ns() time. Returns
 * false if the deadline has passed already and no interrupt will come for it. */
bool board_timer_set(uint64_t deadline_ns);
void board_timer_cancel(void);
/* Acknowledges the timer interrupt (called from the interrupt). */
void board_timer_ack(void);

static inline uint32_t mmio_read32(uint32_t addr) { return *(volatile uint32_t *)addr; }
static inline void mmio_write32(uint32_t addr, uint32_t value) { *(volatile uint32_t *)addr = value; }

#endif /* GUESTLIB_BOARD_H */
