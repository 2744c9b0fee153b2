/*
 * native board: Freescale i.MX21 ADS (the project's QEMU model imx21ads).
 * Registers: the i.MX21 reference manual (xen-arm/board/imx21). RAM at 0xC0000000 (so the kernel
 * mapping is an identity), AIPI peripherals identity-mapped at 0x10000000: AITC interrupt
 * controller, UART1 console, GPT1 as both clock and one-shot timer (source 26).
 *
 * GPT1 free-runs at PERCLK1 (44.33 MHz in the model, 22.6 ns a count); its 32-bit count is
 * extended to 64 bits in software, which needs a read at least every 96 s (the idle loop
 * never sleeps longer than the earliest sleeper, and the timer is re-armed on each block).
 * The compare register gives the one-shot interrupt.
 */
#include "guestlib/board.h"

#define AITC 0x10040000U
#define AITC_INTCNTL (AITC + 0x00)
#define AITC_NIMASK (AITC + 0x04)
#define AITC_INTENNUM (AITC + 0x08)
#define AITC_INTDISNUM (AITC + 0x0C)
#define AITC_INTENABLEH (AITC + 0x10)
#define AITC_INTENABLEL (AITC + 0x14)
#define AITC_INTTYPEH (AITC + 0x18)
#define AITC_INTTYPEL (AITC + 0x1C)
#define AITC_NIVECSR (AITC + 0x40) /* source in [31:16], 0xFFFF when none */

#define GPT1 0x10003000U
#define GPT_TCTL (GPT1 + 0x00)
#define GPT_TPRER (GPT1 + 0x04)
#define GPT_TCMP (GPT1 + 0x08)
#define GPT_TCN (GPT1 + 0x10)
#define GPT_TSTAT (GPT1 + 0x14)
#define TCTL_TEN (1U << 0)
#define TCTL_CLK_PERCLK1 (1U << 1)
#define TCTL_COMPEN (1U << 4)
#define TCTL_FRR (1U << 8)
#define TCTL_SWR (1U << 15)
#define TSTAT_COMP (1U << 0)
#define TCTL_RUN (TCTL_TEN | TCTL_CLK_PERCLK1 | TCTL_FRR)
#define GPT_HZ 44333333ULL /* PERCLK1, prescaler 1 */

#define UART1 0x1000A000U
#define UART_TXD (UART1 + 0x40)
#define UART_UCR1 (UART1 + 0x80)
#define UART_UCR2 (UART1 + 0x84)
#define UART_UTS (UART1 + 0xB4)
#define UCR1_UARTEN (1U << 0)
#define UCR2_SRST_N (1U << 0)
#define UCR2_RXEN (1U << 1)
#define UCR2_TXEN (1U << 2)
#define UCR2_WS (1U << 5)
#define UCR2_IRTS (1U << 14)
#define UTS_TXFULL (1U << 4)

const char board_name[] = "imx21";
const uint32_t board_ram_base = 0xC0000000U;
const uint32_t board_ram_size = 64U << 20;
const unsigned int board_timer_irq = 26;

const struct native_section board_sections[] = {
    {0xC0000000U, 0xC0000000U, 64, SECTION_RAM},
    {0x10000000U, 0x10000000U, 1, SECTION_DEVICE},
    {0x00000000U, 0xC0000000U, 1, SECTION_VECTORS},
    {0, 0, 0, 0},
};

static uint32_t count_high; /* bits 63:32 of the extended count */
static uint32_t count_last;

void board_init(void)
{
    mmio_write32(UART_UCR1, UCR1_UARTEN);
    mmio_write32(UART_UCR2, UCR2_SRST_N | UCR2_RXEN | UCR2_TXEN | UCR2_WS | UCR2_IRTS);

    mmio_write32(AITC_INTCNTL, 0);
    mmio_write32(AITC_NIMASK, 0x1F); /* no priority masking */
    mmio_write32(AITC_INTENABLEH, 0);
    mmio_write32(AITC_INTENABLEL, 0);
    mmio_write32(AITC_INTTYPEH, 0); /* all sources are IRQs */
    mmio_write32(AITC_INTTYPEL, 0);

    mmio_write32(GPT_TCTL, TCTL_SWR);
    mmio_write32(GPT_TPRER, 0);
    mmio_write32(GPT_TCTL, TCTL_RUN);
}

void board_putc(char c)
{
    while ((mmio_read32(UART_UTS) & UTS_TXFULL) != 0) {
    }
    mmio_write32(UART_TXD, (uint8_t)c);
}

/* The 64-bit count. Callers run with interrupts masked or from the interrupt. */
static uint64_t gpt_count(void)
{
    uint32_t now = mmio_read32(GPT_TCN);
    if (now < count_last)
        count_high++;
    count_last = now;
    return ((uint64_t)count_high << 32) | now;
}

uint64_t board_now_ns(void)
{
    uint64_t c = gpt_count();
    return c / GPT_HZ * 1000000000ULL + c % GPT_HZ * 1000000000ULL / GPT_HZ;
}

void board_irq_enable(unsigned int line) { mmio_write32(AITC_INTENNUM, line); }
void board_irq_disable(unsigned int line) { mmio_write32(AITC_INTDISNUM, line); }

int board_irq_claim(void)
{
    uint32_t vector = mmio_read32(AITC_NIVECSR) >> 16;
    return vector == 0xFFFFU ? -1 : (int)vector;
}

bool board_timer_set(uint64_t deadline_ns)
{
    /* The first count at or after the deadline. */
    uint64_t target =
        deadline_ns / 1000000000ULL * GPT_HZ + (deadline_ns % 1000000000ULL * GPT_HZ + 999999999ULL) / 1000000000ULL;
    uint64_t now = gpt_count();
    if (target <= now + 1)
        return false;
    if (target - now > 0xF0000000ULL)
        target = now + 0xF0000000ULL; /* too far for one compare: fire early, re-armed */
    mmio_write32(GPT_TSTAT, TSTAT_COMP);
    mmio_write32(GPT_TCMP, (uint32_t)target);
    mmio_write32(GPT_TCTL, TCTL_RUN | TCTL_COMPEN);
    /* Went past the compare value while we wrote it? Then no match comes. */
    return gpt_count() < target;
}

void board_timer_cancel(void)
{
    mmio_write32(GPT_TCTL, TCTL_RUN);
    mmio_write32(GPT_TSTAT, TSTAT_COMP);
}

void board_timer_ack(void) { board_timer_cancel(); }
