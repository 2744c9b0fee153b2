/*
 * Interrupt controller of the Android emulator's goldfish ARM board.
 *
 * 32 level-sensitive inputs. Unlike QEMU's goldfish_pic, NUMBER returns the
 * index of the lowest pending enabled input, ENABLE/DISABLE take an input
 * number rather than a mask, and DISABLE_ALL forgets the latched levels but
 * keeps the enables. The Android model has a FIQ output but no register that
 * routes an input to it, so the FIQ line is wired and always low.
 *
 * Copyright (c) 2026 xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/irq.h"
#include "hw/sysbus.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "goldfish.h"

enum {
    PIC_STATUS      = 0x00,   /* R: number of pending enabled inputs */
    PIC_NUMBER      = 0x04,   /* R: lowest pending enabled input, or 0 */
    PIC_DISABLE_ALL = 0x08,   /* W: forget all levels, enables stay */
    PIC_DISABLE     = 0x0c,   /* W: disable the input whose number is written */
    PIC_ENABLE      = 0x10,   /* W: enable the input whose number is written */
};

OBJECT_DECLARE_SIMPLE_TYPE(GoldfishAndroidPICState, GOLDFISH_ANDROID_PIC)

struct GoldfishAndroidPICState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    qemu_irq fiq;

    uint32_t level;     /* latched input levels */
    uint32_t enabled;   /* IRQ enables */
};

static uint32_t gf_pic_pending(GoldfishAndroidPICState *s)
{
    return s->level & s->enabled;
}

static void gf_pic_update(GoldfishAndroidPICState *s)
{
    qemu_set_irq(s->irq, gf_pic_pending(s) != 0);
}

static void gf_pic_set_input(void *opaque, int n, int level)
{
    GoldfishAndroidPICState *s = opaque;

    if (level) {
        s->level |= 1u << n;
    } else {
        s->level &= ~(1u << n);
    }
    gf_pic_update(s);
}

static uint64_t gf_pic_read(void *opaque, hwaddr offset, unsigned size)
{
    GoldfishAndroidPICState *s = opaque;
    uint32_t pending = gf_pic_pending(s);

    switch (offset) {
    case PIC_STATUS:
        return ctpop32(pending);
    case PIC_NUMBER:
        return pending ? ctz32(pending) : 0;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-pic: read of bad offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return 0;
    }
}

static void gf_pic_write(void *opaque, hwaddr offset, uint64_t value,
                         unsigned size)
{
    GoldfishAndroidPICState *s = opaque;

    switch (offset) {
    case PIC_DISABLE_ALL:
        s->level = 0;
        break;
    case PIC_DISABLE:
    case PIC_ENABLE:
        if (value >= GOLDFISH_NUM_IRQS) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "goldfish-android-pic: %s of input %" PRIu64
                          ", there are only %d\n",
                          offset == PIC_ENABLE ? "enable" : "disable",
                          value, GOLDFISH_NUM_IRQS);
            return;
        }
        if (offset == PIC_ENABLE) {
            s->enabled |= 1u << value;
        } else {
            s->enabled &= ~(1u << value);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-pic: write of 0x%" PRIx64
                      " to bad offset 0x%" HWADDR_PRIx "\n", value, offset);
        return;
    }
    gf_pic_update(s);
}

static const MemoryRegionOps gf_pic_ops = {
    .read = gf_pic_read,
    .write = gf_pic_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void gf_pic_reset(DeviceState *dev)
{
    GoldfishAndroidPICState *s = GOLDFISH_ANDROID_PIC(dev);

    s->level = 0;
    s->enabled = 0;
    gf_pic_update(s);
    qemu_irq_lower(s->fiq);
}

static void gf_pic_init(Object *obj)
{
    GoldfishAndroidPICState *s = GOLDFISH_ANDROID_PIC(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &gf_pic_ops, s,
                          "goldfish-android-pic", GOLDFISH_DEV_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    qdev_init_gpio_in(DEVICE(obj), gf_pic_set_input, GOLDFISH_NUM_IRQS);
    sysbus_init_irq(sbd, &s->irq);
    sysbus_init_irq(sbd, &s->fiq);
}

static const VMStateDescription vmstate_gf_pic = {
    .name = "goldfish-android-pic",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(level, GoldfishAndroidPICState),
        VMSTATE_UINT32(enabled, GoldfishAndroidPICState),
        VMSTATE_END_OF_LIST()
    }
};

static void gf_pic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Android goldfish interrupt controller";
    dc->reset = gf_pic_reset;
    dc->vmsd = &vmstate_gf_pic;
    dc->user_creatable = false;
}

static const TypeInfo gf_pic_info = {
    .name = TYPE_GOLDFISH_ANDROID_PIC,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(GoldfishAndroidPICState),
    .instance_init = gf_pic_init,
    .class_init = gf_pic_class_init,
};

static void gf_pic_register_types(void)
{
    type_register_static(&gf_pic_info);
}

type_init(gf_pic_register_types)
