/*
 * native board: ARM Versatile/PB926EJ-S (stock QEMU versatilepb).
 * Registers: ARM DDI0181 (PL190 VIC), DDI0271 (SP804), DDI0183 (PL011); addresses from
 * QEMU's versatilepb machine, identity-mapped: system registers (24 MHz
 * counter, the clock) at 0x10000000, VIC/SP804/PL011 in the megabyte at 0x10100000.
 * SP804 timer 0 (1 MHz, VIC line 4) is the one-shot timer.
 */
#include "guestlib/board.h"

#define SYS_24MHZ 0x1000005CU

#define VIC 0x10140000U
#define VIC_IRQSTATUS (VIC + 0x00)
#define VIC_INTSELECT (VIC + 0x0C) /* 1 = FIQ */
#define VIC_INTENABLE (VIC + 0x10)
#define VIC_INTENCLEAR (VIC + 0x14)

#define TIMER0 0x101E2000U
#define TIMER_LOAD (TIMER0 + 0x00)
#define TIMER_CONTROL (TIMER0 + 0x08)
#define TIMER_INTCLR (TIMER0 + 0x0C)
#define TIMER_CTRL_ONESHOT (1U << 0)
#define TIMER_CTRL_32BIT (1U << 1)
#define TIMER_CTRL_IE (1U << 5)
#define TIMER_CTRL_ENABLE (1U << 7)

#define UART0 0x101F1000U
#define UART_DR (UART0 + 0x00)
#define UART_FR (UART0 + 0x18)
#define UART_CR (UART0 + 0x30)
#define UART_FR_TXFF (1U << 5)
#define UART_CR_ENABLE 0x301U /* UARTEN | TXE | RXE */

const char board_name[] = "versatilepb";
const uint32_t board_ram_base = 0x00000000U;
const uint32_t board_ram_size = 128U << 20;
const unsigned int board_timer_irq = 4;

const struct native_section board_sections[] = {
    {0xC0000000U, 0x00000000U, 128, SECTION_RAM},
    {0x10000000U, 0x10000000U, 1, SECTION_DEVICE},
    {0x10100000U, 0x10100000U, 1, SECTION_DEVICE},
    {0x00000000U, 0x00000000U, 1, SECTION_VECTORS},
    {0, 0, 0, 0},
};

static uint32_t clock_high; /* bits 63:32 of the 24 MHz count */
static uint32_t clock_last;

void board_init(void)
{
    mmio_write32(UART_CR, UART_CR_ENABLE);
    mmio_write32(VIC_INTENCLEAR, 0xFFFFFFFFU);
    mmio_write32(VIC_INTSELECT, 0);
    mmio_write32(TIMER_CONTROL, 0);
    mmio_write32(TIMER_INTCLR, 1);
}

void board_putc(char c)
{
    while ((mmio_read32(UART_FR) & UART_FR_TXFF) != 0) {
    }
    mmio_write32(UART_DR, (uint8_t)c);
}

/* Callers run with interrupts masked or from the interrupt. */
uint64_t board_now_ns(void)
{
    uint32_t now = mmio_read32(SYS_24MHZ);
    if (now < clock_last)
        clock_high++;
    clock_last = now;
    uint64_t ticks = ((uint64_t)clock_high << 32) | now;
    return ticks * 1000U / 24U;
}

void board_irq_enable(unsigned int line) { mmio_write32(VIC_INTENABLE, 1U << line); }
void board_irq_disable(unsigned int line) { mmio_write32(VIC_INTENCLEAR, 1U << line); }

int board_irq_claim(void)
{
    uint32_t status = mmio_read32(VIC_IRQSTATUS);
    return status == 0 ? -1 : __builtin_ctz(status);
}

bool board_timer_set(uint64_t deadline_ns)
{
    uint64_t now = board_now_ns();
    if (deadline_ns <= now)
        return false;
    uint64_t delta_us = (deadline_ns - now + 999U) / 1000U; /* 1 MHz: round up */
    if (delta_us > 0xFFFFFFFFULL)
        delta_us = 0xFFFFFFFFULL; /* fires early; the idle loop re-arms */
    mmio_write32(TIMER_CONTROL, 0);
    mmio_write32(TIMER_INTCLR, 1);
    mmio_write32(TIMER_LOAD, (uint32_t)delta_us);
    mmio_write32(TIMER_CONTROL, TIMER_CTRL_ENABLE | TIMER_CTRL_ONESHOT | TIMER_CTRL_IE | TIMER_CTRL_32BIT);
    return true;
}

void board_timer_cancel(void)
{
    mmio_write32(TIMER_CONTROL, 0);
    mmio_write32(TIMER_INTCLR, 1);
}

void board_timer_ack(void) { board_timer_cancel(); }
