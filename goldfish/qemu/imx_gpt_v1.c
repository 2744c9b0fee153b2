/*
 * Freescale i.MX21 General Purpose Timer, first generation ("GPT v1")
 *
 * Copyright (c) xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * This is the timer of the i.MX1, i.MX21 and i.MX27 (Linux calls it
 * GPT_TYPE_IMX1/GPT_TYPE_IMX21 in drivers/clocksource/timer-imx-gpt.c).  It
 * shares only its name with QEMU's imx_gpt, which models the later
 * i.MX25/31/6 block with a different register layout.  The i.MX21 flavour
 * is modelled:
 *
 *   0x00 TCTL   bit 0 TEN, bits 3:1 CLKSOURCE (000 stop, 001 PERCLK1,
 *               010 PERCLK1/4, 011 TIN, 1xx 32 kHz), bit 4 COMPEN,
 *               bit 5 CAPTEN, bits 7:6 CAP, bit 8 FRR, bit 9 OM, bit 10 CC,
 *               bit 15 SWR
 *   0x04 TPRER  bits 10:0; the counter runs at source / (PRESCALER + 1)
 *   0x08 TCMP   compare value, 0xffffffff after reset
 *   0x0C TCR    capture value (read-only)
 *   0x10 TCN    32-bit up-counter (read-only)
 *   0x14 TSTAT  bit 0 COMP, bit 1 CAPT; write 1 to clear (i.MX21; the
 *               i.MX1 cleared with 0, which this model does not do)
 *
 * Timing.  The counter is never stepped: TCN is derived from
 * QEMU_CLOCK_VIRTUAL (count_base at tick base_tick after base_ns, plus the
 * ticks since), so runs under -icount are deterministic, and one QEMUTimer
 * is armed for the next compare event.  Tick k (k = 1, 2, ...) of a clock
 * started at base_ns completes at the first nanosecond at which
 * floor(elapsed * f / 1e9 / div) reaches k, with f the source clock and
 * div = (PRESCALER + 1), times 4 for PERCLK1/4.
 * A compare event is the tick on which the counter becomes equal to TCMP;
 * it sets TSTAT.COMP, and the interrupt line is
 * (COMP && COMPEN) || (CAPT && CAPTEN).  In restart mode (FRR = 0) the
 * counter goes back to 0 on the tick after the one that matched, so the
 * period is TCMP + 1 ticks: that is what Freescale's MX2ADS BSP and the old
 * Linux i.MX1 tick code assume when they program TCMP = ticks_per_jiffy - 1.
 * In free-run mode (FRR = 1) the counter continues to 0xffffffff and wraps.
 * In restart mode with TCN above TCMP (TCMP lowered under the running
 * counter) the counter runs up to 0xffffffff, wraps to 0 and then matches.
 *
 * While TSTAT.COMP is set no timer is armed: further matches could not
 * change any state.  Clearing COMP re-arms for the first match after the
 * current tick.
 *
 * Decisions on behaviour the available sources leave open:
 * - CLKSOURCE 010 divides PERCLK1 by 4.  Freescale's i.MX21 kernel headers
 *   (TCTL_CLK_PCLK1_4, GPT_TCTL_SRC_PER1_DIV4) say so; the i.MX1 variant
 *   divided by 16 (TCTL_CLK_PCLK1_16).
 * - TIN (011) is accepted but no TIN pin is wired, so the counter does not
 *   advance and TCR/TSTAT.CAPT never change.  OM and CAP are stored only.
 * - SWR resets every register to its reset value except TCTL.TEN, which
 *   keeps its previous value (the i.MX21/27 manuals exempt TEN from the
 *   software reset); the other bits written together with SWR are ignored.
 *   The reset completes at once, so SWR always reads back as 0.
 * - CC = 1 clears the counter whenever the timer is disabled (TEN = 0);
 *   with CC = 0 a disabled timer holds its count and resumes from it.
 * - TCN and TCR are read-only: writes are ignored and logged as guest
 *   errors.  No source documents a write-to-reset for TCN on the i.MX21.
 * - A TCMP write does not touch the counter (unlike the v2 GPT's restart
 *   mode, where writing OCR1 resets it).
 * - Changing the counting rate (TEN, CLKSOURCE or TPRER) restarts the
 *   prescaler: the next tick comes one full tick period after the write.
 *   Other writes (TCMP, FRR, COMPEN, ...) keep the tick phase.
 * - Only 32-bit accesses are accepted; registers beyond TSTAT read as 0.
 *
 * Clocks.  "perclk1-hz" defaults to 44333333 Hz: the i.MX21 ADS runs its
 * MPLL at 266 MHz (barebox's mx21ads lowlevel_init), and Freescale's MX2ADS
 * BSP derives PERCLK1 for the UART/GPT/PWM by rounding MPLL / 48 MHz to the
 * integer divider 6, i.e. 266 MHz / 6.  "clk32-hz" is the CLK32 input, 32768
 * Hz on the ADS (Linux mx21ads passes 32768 to mx21_clocks_init).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "imx21.h"

#define GPT_TCTL                0x00
#define GPT_TPRER               0x04
#define GPT_TCMP                0x08
#define GPT_TCR                 0x0c
#define GPT_TCN                 0x10
#define GPT_TSTAT               0x14

#define TCTL_TEN                (1U << 0)
#define TCTL_CLKSRC_SHIFT       1
#define TCTL_CLKSRC_MASK        (7U << TCTL_CLKSRC_SHIFT)
#define TCTL_COMPEN             (1U << 4)
#define TCTL_CAPTEN             (1U << 5)
#define TCTL_FRR                (1U << 8)
#define TCTL_CC                 (1U << 10)
#define TCTL_SWR                (1U << 15)
#define TCTL_WRITABLE           0x07ffU     /* bits 10:0; 14:11 reserved */

#define CLKSRC_STOP             0
#define CLKSRC_PERCLK1          1
#define CLKSRC_PERCLK1_DIV4     2
#define CLKSRC_TIN              3           /* 4..7: 32 kHz */

#define TPRER_MASK              0x07ffU
#define TCMP_RESET              0xffffffffU

#define TSTAT_COMP              (1U << 0)
#define TSTAT_CAPT              (1U << 1)

#define IMX21_PERCLK1_DEFAULT_HZ    44333333
#define IMX21_CLK32_DEFAULT_HZ      32768

/* The counter clock: hz / div ticks per second, or stopped when hz == 0 */
typedef struct IMX21GPTRate {
    uint32_t hz;
    uint32_t div;
} IMX21GPTRate;

static IMX21GPTRate imx21_gpt_rate(IMX21GPTState *s)
{
    IMX21GPTRate r = { .hz = 0, .div = 1 };
    uint32_t prescale = (s->tprer & TPRER_MASK) + 1;

    if (!(s->tctl & TCTL_TEN)) {
        return r;
    }
    switch ((s->tctl & TCTL_CLKSRC_MASK) >> TCTL_CLKSRC_SHIFT) {
    case CLKSRC_STOP:
    case CLKSRC_TIN:
        break;
    case CLKSRC_PERCLK1:
        r.hz = s->perclk1_hz;
        r.div = prescale;
        break;
    case CLKSRC_PERCLK1_DIV4:
        r.hz = s->perclk1_hz;
        r.div = 4 * prescale;
        break;
    default:
        r.hz = s->clk32_hz;
        r.div = prescale;
        break;
    }
    return r;
}

/* Counter ticks completed between base_ns and now */
static uint64_t imx21_gpt_ticks(IMX21GPTState *s, IMX21GPTRate r, int64_t now)
{
    if (!r.hz || now <= s->base_ns) {
        return 0;
    }
    /* floor(floor(x) / div) == floor(x / div), so this is exact */
    return muldiv64(now - s->base_ns, r.hz, NANOSECONDS_PER_SECOND) / r.div;
}

/* Nanoseconds from base_ns to the moment tick number k completes */
static int64_t imx21_gpt_tick_ns(IMX21GPTRate r, uint64_t k)
{
    uint64_t ns = muldiv64_round_up(k * r.div, NANOSECONDS_PER_SECOND, r.hz);

    return MIN(ns, (uint64_t)INT64_MAX);
}

/* TCN k ticks after base_tick, under the current FRR and TCMP */
static uint32_t imx21_gpt_count_at(IMX21GPTState *s, uint64_t k)
{
    uint64_t c0 = s->count_base;
    uint64_t period = (uint64_t)s->tcmp + 1;
    uint64_t to_wrap;

    if (s->tctl & TCTL_FRR) {
        return c0 + k;
    }
    if (c0 <= s->tcmp) {
        return (c0 + k) % period;
    }
    /* Above TCMP in restart mode: up to 0xffffffff, wrap, then restart */
    to_wrap = (1ULL << 32) - c0;
    if (k < to_wrap) {
        return c0 + k;
    }
    return (k - to_wrap) % period;
}

/* The first tick after tick k (counted from base_tick) that matches TCMP */
static uint64_t imx21_gpt_next_match(IMX21GPTState *s, uint64_t k)
{
    uint64_t c0 = s->count_base;
    uint64_t first, period;

    if (s->tctl & TCTL_FRR) {
        period = 1ULL << 32;
        first = (uint32_t)(s->tcmp - s->count_base);
    } else {
        period = (uint64_t)s->tcmp + 1;
        if (c0 <= s->tcmp) {
            first = s->tcmp - c0;
        } else {
            first = (1ULL << 32) - c0 + s->tcmp;
        }
    }
    if (first == 0) {
        /* Sitting on TCMP now: the next match is a whole period away */
        first = period;
    }
    if (k < first) {
        return first;
    }
    return first + ((k - first) / period + 1) * period;
}

/* TCN at time now */
static uint32_t imx21_gpt_count(IMX21GPTState *s, int64_t now)
{
    uint64_t n = imx21_gpt_ticks(s, imx21_gpt_rate(s), now);

    return imx21_gpt_count_at(s, n - s->base_tick);
}

/*
 * Record the count reached by the last completed tick, so that TCTL/TCMP
 * changes apply from now on.  base_ns stays put, which keeps the tick phase
 * exact (tick times are not whole nanoseconds).
 */
static void imx21_gpt_fold(IMX21GPTState *s, int64_t now)
{
    IMX21GPTRate r = imx21_gpt_rate(s);
    uint64_t n = imx21_gpt_ticks(s, r, now);

    s->count_base = imx21_gpt_count_at(s, n - s->base_tick);
    if (r.hz) {
        s->base_tick = n;
    } else {
        s->base_ns = now;
        s->base_tick = 0;
    }
}

static void imx21_gpt_update_irq(IMX21GPTState *s)
{
    bool level = ((s->tstat & TSTAT_COMP) && (s->tctl & TCTL_COMPEN)) ||
                 ((s->tstat & TSTAT_CAPT) && (s->tctl & TCTL_CAPTEN));

    qemu_set_irq(s->irq, level);
}

static void imx21_gpt_rearm(IMX21GPTState *s, int64_t now)
{
    IMX21GPTRate r = imx21_gpt_rate(s);
    uint64_t k;
    int64_t delta;

    if (!r.hz || (s->tstat & TSTAT_COMP)) {
        timer_del(s->timer);
        return;
    }
    k = imx21_gpt_ticks(s, r, now) - s->base_tick;
    k = s->base_tick + imx21_gpt_next_match(s, k);
    delta = imx21_gpt_tick_ns(r, k);
    if (delta > INT64_MAX - s->base_ns) {
        timer_mod(s->timer, INT64_MAX);
    } else {
        timer_mod(s->timer, s->base_ns + delta);
    }
}

static void imx21_gpt_compare(void *opaque)
{
    IMX21GPTState *s = IMX21_GPT(opaque);

    s->tstat |= TSTAT_COMP;
    imx21_gpt_update_irq(s);
    /* Not re-armed: the guest must clear COMP first (see imx21_gpt_rearm) */
}

static void imx21_gpt_set_config(IMX21GPTState *s, int64_t now,
                                 uint32_t tctl, uint32_t tprer)
{
    IMX21GPTRate old, new;

    imx21_gpt_fold(s, now);
    old = imx21_gpt_rate(s);
    if ((tctl & TCTL_CLKSRC_MASK) == (CLKSRC_TIN << TCTL_CLKSRC_SHIFT) &&
        (s->tctl & TCTL_CLKSRC_MASK) != (CLKSRC_TIN << TCTL_CLKSRC_SHIFT)) {
        qemu_log_mask(LOG_UNIMP, "%s: TIN clock source selected, but no TIN "
                      "input is modelled; the counter will not advance\n",
                      TYPE_IMX21_GPT);
    }
    s->tctl = tctl;
    s->tprer = tprer;
    new = imx21_gpt_rate(s);

    if ((s->tctl & (TCTL_TEN | TCTL_CC)) == TCTL_CC) {
        s->count_base = 0;
    }
    if (old.hz != new.hz || old.div != new.div) {
        /* The prescaler starts afresh at the new rate */
        s->base_ns = now;
        s->base_tick = 0;
    }
}

static void imx21_gpt_soft_reset(IMX21GPTState *s, int64_t now)
{
    s->tctl &= TCTL_TEN;
    s->tprer = 0;
    s->tcmp = TCMP_RESET;
    s->tcr = 0;
    s->tstat = 0;
    s->count_base = 0;
    s->base_ns = now;
    s->base_tick = 0;
}

static uint64_t imx21_gpt_read(void *opaque, hwaddr offset, unsigned size)
{
    IMX21GPTState *s = IMX21_GPT(opaque);

    switch (offset) {
    case GPT_TCTL:
        return s->tctl;
    case GPT_TPRER:
        return s->tprer;
    case GPT_TCMP:
        return s->tcmp;
    case GPT_TCR:
        return s->tcr;
    case GPT_TCN:
        return imx21_gpt_count(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    case GPT_TSTAT:
        return s->tstat;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of unknown register 0x%"
                      HWADDR_PRIx "\n", TYPE_IMX21_GPT, offset);
        return 0;
    }
}

static void imx21_gpt_write(void *opaque, hwaddr offset, uint64_t value,
                            unsigned size)
{
    IMX21GPTState *s = IMX21_GPT(opaque);
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    switch (offset) {
    case GPT_TCTL:
        if (value & TCTL_SWR) {
            imx21_gpt_soft_reset(s, now);
        } else {
            imx21_gpt_set_config(s, now, value & TCTL_WRITABLE, s->tprer);
        }
        break;
    case GPT_TPRER:
        imx21_gpt_set_config(s, now, s->tctl, value & TPRER_MASK);
        break;
    case GPT_TCMP:
        imx21_gpt_fold(s, now);
        s->tcmp = value;
        break;
    case GPT_TCR:
    case GPT_TCN:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only register 0x%"
                      HWADDR_PRIx " ignored\n", TYPE_IMX21_GPT, offset);
        return;
    case GPT_TSTAT:
        s->tstat &= ~(value & (TSTAT_COMP | TSTAT_CAPT));
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to unknown register 0x%"
                      HWADDR_PRIx "\n", TYPE_IMX21_GPT, offset);
        return;
    }
    imx21_gpt_update_irq(s);
    imx21_gpt_rearm(s, now);
}

static const MemoryRegionOps imx21_gpt_ops = {
    .read = imx21_gpt_read,
    .write = imx21_gpt_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void imx21_gpt_reset(DeviceState *dev)
{
    IMX21GPTState *s = IMX21_GPT(dev);

    timer_del(s->timer);
    s->tctl = 0;
    imx21_gpt_soft_reset(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
    imx21_gpt_update_irq(s);
}

static void imx21_gpt_realize(DeviceState *dev, Error **errp)
{
    IMX21GPTState *s = IMX21_GPT(dev);

    if (!s->perclk1_hz || !s->clk32_hz) {
        error_setg(errp, "%s: perclk1-hz and clk32-hz must be non-zero",
                   TYPE_IMX21_GPT);
        return;
    }
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, imx21_gpt_compare, s);
}

static void imx21_gpt_init(Object *obj)
{
    IMX21GPTState *s = IMX21_GPT(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &imx21_gpt_ops, s, TYPE_IMX21_GPT,
                          IMX21_GPT_MMIO_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
}

static const VMStateDescription vmstate_imx21_gpt = {
    .name = TYPE_IMX21_GPT,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(tctl, IMX21GPTState),
        VMSTATE_UINT32(tprer, IMX21GPTState),
        VMSTATE_UINT32(tcmp, IMX21GPTState),
        VMSTATE_UINT32(tcr, IMX21GPTState),
        VMSTATE_UINT32(tstat, IMX21GPTState),
        VMSTATE_UINT32(count_base, IMX21GPTState),
        VMSTATE_INT64(base_ns, IMX21GPTState),
        VMSTATE_UINT64(base_tick, IMX21GPTState),
        VMSTATE_TIMER_PTR(timer, IMX21GPTState),
        VMSTATE_END_OF_LIST()
    },
};

static Property imx21_gpt_properties[] = {
    DEFINE_PROP_UINT32("perclk1-hz", IMX21GPTState, perclk1_hz,
                       IMX21_PERCLK1_DEFAULT_HZ),
    DEFINE_PROP_UINT32("clk32-hz", IMX21GPTState, clk32_hz,
                       IMX21_CLK32_DEFAULT_HZ),
    DEFINE_PROP_END_OF_LIST(),
};

static void imx21_gpt_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = imx21_gpt_realize;
    dc->reset = imx21_gpt_reset;
    dc->vmsd = &vmstate_imx21_gpt;
    dc->desc = "i.MX21 General Purpose Timer (GPT v1)";
    device_class_set_props(dc, imx21_gpt_properties);
}

static const TypeInfo imx21_gpt_info = {
    .name = TYPE_IMX21_GPT,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(IMX21GPTState),
    .instance_init = imx21_gpt_init,
    .class_init = imx21_gpt_class_init,
};

static void imx21_gpt_register_types(void)
{
    type_register_static(&imx21_gpt_info);
}

type_init(imx21_gpt_register_types)
