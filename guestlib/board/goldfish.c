/*
 * native board: goldfish (the Android emulator's ARM926 board, the project's QEMU model).
 * Registers: the Android emulator's goldfish devices (goldfish/README.md): PIC at 0xFF000000,
 * TTY at 0xFF002000, timer (nanoseconds of virtual time, absolute alarm) at 0xFF003000,
 * IRQ 3. The device window is identity-mapped.
 */
#include "guestlib/board.h"

#define PIC 0xFF000000U
#define PIC_STATUS (PIC + 0x00) /* pending & enabled lines: count */
#define PIC_NUMBER (PIC + 0x04) /* lowest pending & enabled line */
#define PIC_DISABLE_ALL (PIC + 0x08)
#define PIC_DISABLE (PIC + 0x0C) /* takes a line number */
#define PIC_ENABLE (PIC + 0x10)  /* takes a line number */

#define TTY 0xFF002000U
#define TTY_PUT_CHAR (TTY + 0x00)
#define TTY_CMD (TTY + 0x08)
#define TTY_CMD_INT_DISABLE 0U

#define TIMER 0xFF003000U
#define TIMER_TIME_LOW (TIMER + 0x00) /* reading latches TIME_HIGH */
#define TIMER_TIME_HIGH (TIMER + 0x04)
#define TIMER_ALARM_LOW (TIMER + 0x08) /* writing arms; a past alarm fires at once */
#define TIMER_ALARM_HIGH (TIMER + 0x0C)
#define TIMER_CLEAR_INTERRUPT (TIMER + 0x10)
#define TIMER_CLEAR_ALARM (TIMER + 0x14)

const char board_name[] = "goldfish";
const uint32_t board_ram_base = 0x00000000U;
const uint32_t board_ram_size = 128U << 20;
const unsigned int board_timer_irq = 3;

const struct native_section board_sections[] = {
    {0xC0000000U, 0x00000000U, 128, SECTION_RAM},
    {0xFF000000U, 0xFF000000U, 1, SECTION_DEVICE},
    {0x00000000U, 0x00000000U, 1, SECTION_VECTORS},
    {0, 0, 0, 0},
};

void board_init(void)
{
    mmio_write32(TTY_CMD, TTY_CMD_INT_DISABLE);
    mmio_write32(PIC_DISABLE_ALL, 0);
}

void board_putc(char c) { mmio_write32(TTY_PUT_CHAR, (uint8_t)c); }

uint64_t board_now_ns(void)
{
    uint32_t low = mmio_read32(TIMER_TIME_LOW);
    uint32_t high = mmio_read32(TIMER_TIME_HIGH);
    return ((uint64_t)high << 32) | low;
}

void board_irq_enable(unsigned int line) { mmio_write32(PIC_ENABLE, line); }
void board_irq_disable(unsigned int line) { mmio_write32(PIC_DISABLE, line); }

int board_irq_claim(void)
{
    /* NUMBER is 0 both for line 0 and for nothing pending: STATUS tells them apart. */
    if (mmio_read32(PIC_STATUS) == 0)
        return -1;
    return (int)mmio_read32(PIC_NUMBER);
}

bool board_timer_set(uint64_t deadline_ns)
{
    mmio_write32(TIMER_ALARM_HIGH, (uint32_t)(deadline_ns >> 32));
    mmio_write32(TIMER_ALARM_LOW, (uint32_t)deadline_ns);
    return true; /* the timer raises its interrupt at once for a past alarm */
}

void board_timer_cancel(void) { mmio_write32(TIMER_CLEAR_ALARM, 1); }

void board_timer_ack(void) { mmio_write32(TIMER_CLEAR_INTERRUPT, 1); }
