/*
 * Timer and RTC of the Android emulator's goldfish ARM board.
 *
 * The timer counts QEMU_CLOCK_VIRTUAL nanoseconds since the VM started, so
 * it is deterministic under -icount and qtest. It is always enabled: an alarm
 * raises its IRQ until the guest writes CLEAR_INTERRUPT (0x10) or
 * CLEAR_ALARM (0x14). QEMU's goldfish_rtc uses 0x10 as an IRQ enable
 * instead, and counts wall-clock time.
 *
 * The RTC is Android's: it reads the time of day in whole seconds, scaled to
 * nanoseconds, and never raises its IRQ. It follows -rtc base=/clock=.
 *
 * Copyright (c) 2026 xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/irq.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "sysemu/rtc.h"
#include "goldfish.h"

enum {
    TIMER_TIME_LOW        = 0x00, /* R: latch the time, return bits 31:0 */
    TIMER_TIME_HIGH       = 0x04, /* R: bits 63:32 of the latched time */
    TIMER_ALARM_LOW       = 0x08, /* W: bits 31:0 of the alarm, arms it */
    TIMER_ALARM_HIGH      = 0x0c, /* W: bits 63:32 of the next alarm */
    TIMER_CLEAR_INTERRUPT = 0x10, /* W: lower the IRQ */
    TIMER_CLEAR_ALARM     = 0x14, /* W: disarm and lower the IRQ */
};

OBJECT_DECLARE_SIMPLE_TYPE(GoldfishAndroidTimerState, GOLDFISH_ANDROID_TIMER)

struct GoldfishAndroidTimerState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    QEMUTimer *alarm;

    int64_t latched_ns;
    uint32_t alarm_low;
    uint32_t alarm_high;
    bool armed;
};

static void gf_timer_fire(void *opaque)
{
    GoldfishAndroidTimerState *s = opaque;

    s->armed = false;
    qemu_irq_raise(s->irq);
}

static void gf_timer_set_alarm(GoldfishAndroidTimerState *s)
{
    /* Android sign-extends the high word: a "negative" alarm is past. */
    int64_t alarm_ns = (int64_t)(((uint64_t)s->alarm_high << 32) |
                                 s->alarm_low);
    int64_t now_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    if (alarm_ns <= now_ns) {
        /* A new alarm replaces any earlier one, even when it is due now. */
        timer_del(s->alarm);
        s->armed = false;
        qemu_irq_raise(s->irq);
    } else {
        timer_mod_ns(s->alarm, alarm_ns);
        s->armed = true;
    }
}

static uint64_t gf_timer_read(void *opaque, hwaddr offset, unsigned size)
{
    GoldfishAndroidTimerState *s = opaque;

    switch (offset) {
    case TIMER_TIME_LOW:
        s->latched_ns = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
        return (uint32_t)s->latched_ns;
    case TIMER_TIME_HIGH:
        return (uint32_t)((uint64_t)s->latched_ns >> 32);
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-timer: read of bad offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return 0;
    }
}

static void gf_timer_write(void *opaque, hwaddr offset, uint64_t value,
                           unsigned size)
{
    GoldfishAndroidTimerState *s = opaque;

    switch (offset) {
    case TIMER_ALARM_LOW:
        s->alarm_low = value;
        gf_timer_set_alarm(s);
        break;
    case TIMER_ALARM_HIGH:
        s->alarm_high = value;
        break;
    case TIMER_CLEAR_ALARM:
        timer_del(s->alarm);
        s->armed = false;
        qemu_irq_lower(s->irq);
        break;
    case TIMER_CLEAR_INTERRUPT:
        qemu_irq_lower(s->irq);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-timer: write of 0x%" PRIx64
                      " to bad offset 0x%" HWADDR_PRIx "\n", value, offset);
        break;
    }
}

static const MemoryRegionOps gf_timer_ops = {
    .read = gf_timer_read,
    .write = gf_timer_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void gf_timer_reset(DeviceState *dev)
{
    GoldfishAndroidTimerState *s = GOLDFISH_ANDROID_TIMER(dev);

    timer_del(s->alarm);
    s->armed = false;
    s->latched_ns = 0;
    s->alarm_low = 0;
    s->alarm_high = 0;
    qemu_irq_lower(s->irq);
}

static void gf_timer_init(Object *obj)
{
    GoldfishAndroidTimerState *s = GOLDFISH_ANDROID_TIMER(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &gf_timer_ops, s,
                          "goldfish-android-timer", GOLDFISH_DEV_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    s->alarm = timer_new_ns(QEMU_CLOCK_VIRTUAL, gf_timer_fire, s);
}

static void gf_timer_finalize(Object *obj)
{
    GoldfishAndroidTimerState *s = GOLDFISH_ANDROID_TIMER(obj);

    timer_free(s->alarm);
}

static const VMStateDescription vmstate_gf_timer = {
    .name = "goldfish-android-timer",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_INT64(latched_ns, GoldfishAndroidTimerState),
        VMSTATE_UINT32(alarm_low, GoldfishAndroidTimerState),
        VMSTATE_UINT32(alarm_high, GoldfishAndroidTimerState),
        VMSTATE_BOOL(armed, GoldfishAndroidTimerState),
        VMSTATE_TIMER_PTR(alarm, GoldfishAndroidTimerState),
        VMSTATE_END_OF_LIST()
    }
};

static void gf_timer_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Android goldfish timer";
    dc->reset = gf_timer_reset;
    dc->vmsd = &vmstate_gf_timer;
    dc->user_creatable = false;
}

static const TypeInfo gf_timer_info = {
    .name = TYPE_GOLDFISH_ANDROID_TIMER,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(GoldfishAndroidTimerState),
    .instance_init = gf_timer_init,
    .instance_finalize = gf_timer_finalize,
    .class_init = gf_timer_class_init,
};

/* The RTC: Android's registers 0x00/0x04 as above, 0x08/0x0c/0x10 accepted. */

enum {
    RTC_TIME_LOW        = 0x00,
    RTC_TIME_HIGH       = 0x04,
    RTC_ALARM_LOW       = 0x08,  /* stored, never fires (as in Android) */
    RTC_ALARM_HIGH      = 0x0c,
    RTC_CLEAR_INTERRUPT = 0x10,
};

OBJECT_DECLARE_SIMPLE_TYPE(GoldfishAndroidRTCState, GOLDFISH_ANDROID_RTC)

struct GoldfishAndroidRTCState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;

    int64_t latched_ns;
    uint32_t alarm_low;
    uint32_t alarm_high;
};

static uint64_t gf_rtc_read(void *opaque, hwaddr offset, unsigned size)
{
    GoldfishAndroidRTCState *s = opaque;
    struct tm tm;

    switch (offset) {
    case RTC_TIME_LOW:
        qemu_get_timedate(&tm, 0);
        s->latched_ns = (int64_t)mktimegm(&tm) * NANOSECONDS_PER_SECOND;
        return (uint32_t)s->latched_ns;
    case RTC_TIME_HIGH:
        return (uint32_t)((uint64_t)s->latched_ns >> 32);
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-rtc: read of bad offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return 0;
    }
}

static void gf_rtc_write(void *opaque, hwaddr offset, uint64_t value,
                         unsigned size)
{
    GoldfishAndroidRTCState *s = opaque;

    switch (offset) {
    case RTC_ALARM_LOW:
        s->alarm_low = value;
        break;
    case RTC_ALARM_HIGH:
        s->alarm_high = value;
        break;
    case RTC_CLEAR_INTERRUPT:
        qemu_irq_lower(s->irq);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-rtc: write of 0x%" PRIx64
                      " to bad offset 0x%" HWADDR_PRIx "\n", value, offset);
        break;
    }
}

static const MemoryRegionOps gf_rtc_ops = {
    .read = gf_rtc_read,
    .write = gf_rtc_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void gf_rtc_reset(DeviceState *dev)
{
    GoldfishAndroidRTCState *s = GOLDFISH_ANDROID_RTC(dev);

    s->latched_ns = 0;
    s->alarm_low = 0;
    s->alarm_high = 0;
    qemu_irq_lower(s->irq);
}

static void gf_rtc_init(Object *obj)
{
    GoldfishAndroidRTCState *s = GOLDFISH_ANDROID_RTC(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &gf_rtc_ops, s,
                          "goldfish-android-rtc", GOLDFISH_DEV_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
}

static const VMStateDescription vmstate_gf_rtc = {
    .name = "goldfish-android-rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_INT64(latched_ns, GoldfishAndroidRTCState),
        VMSTATE_UINT32(alarm_low, GoldfishAndroidRTCState),
        VMSTATE_UINT32(alarm_high, GoldfishAndroidRTCState),
        VMSTATE_END_OF_LIST()
    }
};

static void gf_rtc_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Android goldfish RTC";
    dc->reset = gf_rtc_reset;
    dc->vmsd = &vmstate_gf_rtc;
    dc->user_creatable = false;
}

static const TypeInfo gf_rtc_info = {
    .name = TYPE_GOLDFISH_ANDROID_RTC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(GoldfishAndroidRTCState),
    .instance_init = gf_rtc_init,
    .class_init = gf_rtc_class_init,
};

static void gf_timer_register_types(void)
{
    type_register_static(&gf_timer_info);
    type_register_static(&gf_rtc_info);
}

type_init(gf_timer_register_types)
