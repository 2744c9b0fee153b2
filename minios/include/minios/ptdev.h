/*
 * The periodic timers a board can pass through (xen-arm's passthrough table), driven at
 * XA_PASSTHROUGH_OFFSET in its kernel window by whichever domain owns one: the real-time
 * guest itself (app=rt) or dom0 relaying its interrupts to that guest (dom0's irqrelay=). Devices: imx21 GPT3
 * ("gpt3", GPT v1 at PERCLK1, restart mode), Versatile SP804 timers 2/3 ("sp804b", 1 MHz,
 * re-armed one-shot from each interrupt: in periodic mode QEMU's model delivered only
 * every other period in our -icount runs).
 */
#ifndef MINIOS_PTDEV_H
#define MINIOS_PTDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "guestlib/window.h"
#include "minios/lib.h"
#include "pv.h"

/* i.MX21 GPT (v1) */
#define GPT_TCTL 0x00
#define GPT_TPRER 0x04
#define GPT_TCMP 0x08
#define GPT_TSTAT 0x14
#define GPT_TEN (1U << 0)
#define GPT_CLK_PERCLK1 (1U << 1)
#define GPT_COMP_EN (1U << 4)
#define GPT_SWR (1U << 15)
#define GPT_HZ 44333333U
/* ARM SP804, its first timer */
#define SP804_LOAD 0x00
#define SP804_CONTROL 0x08
#define SP804_INTCLR 0x0C
#define SP804_ENABLE (1U << 7)
#define SP804_ONESHOT (1U << 0)
#define SP804_INTEN (1U << 5)
#define SP804_32BIT (1U << 1)
#define SP804_HZ 1000000U

struct ptdev {
    bool is_gpt;
    uint32_t sp804_load;
};

static inline void ptdev_write(uint32_t off, uint32_t v)
{
    ((volatile uint32_t *)(gl_window() + XA_PASSTHROUGH_OFFSET))[off / 4] = v;
}

/* Which device `name` is: false for one this code does not know. */
static inline bool ptdev_init(struct ptdev *d, const char *name)
{
    d->is_gpt = strcmp(name, "gpt3") == 0;
    return d->is_gpt || strcmp(name, "sp804b") == 0;
}

static inline void ptdev_sp804_arm(const struct ptdev *d)
{
    ptdev_write(SP804_CONTROL, 0);
    ptdev_write(SP804_LOAD, d->sp804_load);
    ptdev_write(SP804_CONTROL, SP804_ENABLE | SP804_ONESHOT | SP804_INTEN | SP804_32BIT);
}

/* Interrupts every period_us from now on. */
static inline void ptdev_start(struct ptdev *d, uint32_t period_us)
{
    if (d->is_gpt) {
        ptdev_write(GPT_TCTL, GPT_SWR);
        ptdev_write(GPT_TPRER, 0);
        ptdev_write(GPT_TCMP, (uint32_t)((uint64_t)GPT_HZ * period_us / 1000000U) - 1U);
        ptdev_write(GPT_TCTL, GPT_TEN | GPT_CLK_PERCLK1 | GPT_COMP_EN); /* restart mode */
    } else {
        d->sp804_load = SP804_HZ / 1000000U * period_us;
        ptdev_sp804_arm(d);
    }
}

/* From its interrupt: clears it (and re-arms the one-shot SP804). */
static inline void ptdev_ack(const struct ptdev *d)
{
    if (d->is_gpt) {
        ptdev_write(GPT_TSTAT, 1); /* write 1 to clear COMP; restart mode runs on */
    } else {
        ptdev_write(SP804_INTCLR, 1);
        ptdev_sp804_arm(d);
    }
}

static inline void ptdev_stop(const struct ptdev *d) { ptdev_write(d->is_gpt ? GPT_TCTL : SP804_CONTROL, 0); }

#endif /* MINIOS_PTDEV_H */
