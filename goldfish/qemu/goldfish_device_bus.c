/*
 * Device bus of the Android emulator's goldfish ARM board.
 *
 * The guest enumerates the board's devices through it: after writing 0
 * (INIT) to OP, which raises the bus IRQ, each read of OP moves to the next
 * device not yet reported and returns ADD_DEV (8), with that device's
 * details in NAME_LEN..IRQ_COUNT; GET_NAME copies its name (no NUL) to a
 * guest-VIRTUAL address. When none are left OP returns DONE (0) and lowers
 * the IRQ.
 *
 * Copyright (c) 2026 xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "hw/core/cpu.h"
#include "hw/irq.h"
#include "hw/sysbus.h"
#include "exec/cpu-common.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "goldfish.h"

enum {
    BUS_OP             = 0x00,  /* R: next event, W: 0 restarts */
    BUS_GET_NAME       = 0x04,  /* W: guest-virtual address for the name */
    BUS_NAME_LEN       = 0x08,
    BUS_ID             = 0x0c,
    BUS_IO_BASE        = 0x10,
    BUS_IO_SIZE        = 0x14,
    BUS_IRQ            = 0x18,
    BUS_IRQ_COUNT      = 0x1c,
    BUS_NAME_ADDR_HIGH = 0x20,  /* W: 64-bit guests only, ignored here */
};

enum {
    BUS_OP_DONE    = 0x00,
    BUS_OP_ADD_DEV = 0x08,
    BUS_OP_INIT    = 0x00,
};

typedef struct GoldfishBusEntry {
    char *name;
    uint32_t id;
    uint32_t base;
    uint32_t size;
    uint32_t irq;
    uint32_t irq_count;
} GoldfishBusEntry;

OBJECT_DECLARE_SIMPLE_TYPE(GoldfishDeviceBusState, GOLDFISH_DEVICE_BUS)

struct GoldfishDeviceBusState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;

    /* Board configuration, set before realize. */
    GoldfishBusEntry dev[GOLDFISH_BUS_MAX_DEVICES];
    uint32_t num_devs;

    /* Enumeration state. */
    int32_t current;    /* index of the device being reported, or -1 */
    uint32_t reported;  /* bit n: device n has been reported */
};

void goldfish_device_bus_add(DeviceState *bus, const char *name, int32_t id,
                             hwaddr base, uint32_t size,
                             uint32_t irq, uint32_t irq_count)
{
    GoldfishDeviceBusState *s = GOLDFISH_DEVICE_BUS(bus);
    GoldfishBusEntry *e;

    assert(!DEVICE(s)->realized);
    assert(s->num_devs < GOLDFISH_BUS_MAX_DEVICES);
    e = &s->dev[s->num_devs++];
    e->name = g_strdup(name);
    e->id = id;
    e->base = base;
    e->size = size;
    e->irq = irq;
    e->irq_count = irq_count;
}

static GoldfishBusEntry *gf_bus_current(GoldfishDeviceBusState *s)
{
    return s->current >= 0 ? &s->dev[s->current] : NULL;
}

/* One read of OP: step to the next unreported device. */
static uint32_t gf_bus_next(GoldfishDeviceBusState *s)
{
    int32_t i;

    if (s->current >= 0) {
        s->reported |= 1u << s->current;
        i = s->current + 1;
    } else {
        i = 0;
    }
    while (i < (int32_t)s->num_devs && (s->reported & (1u << i))) {
        i++;
    }
    if (i < (int32_t)s->num_devs) {
        s->current = i;
        return BUS_OP_ADD_DEV;
    }
    s->current = -1;
    qemu_irq_lower(s->irq);
    return BUS_OP_DONE;
}

static void gf_bus_get_name(GoldfishDeviceBusState *s, uint32_t addr)
{
    GoldfishBusEntry *e = gf_bus_current(s);

    if (!e) {
        return;
    }
    if (cpu_memory_rw_debug(first_cpu, addr, e->name, strlen(e->name),
                            true) < 0) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-device-bus: GET_NAME: no memory at virtual "
                      "0x%08" PRIx32 "\n", addr);
    }
}

static uint64_t gf_bus_read(void *opaque, hwaddr offset, unsigned size)
{
    GoldfishDeviceBusState *s = opaque;
    GoldfishBusEntry *e = gf_bus_current(s);

    switch (offset) {
    case BUS_OP:
        return gf_bus_next(s);
    case BUS_NAME_LEN:
        return e ? strlen(e->name) : 0;
    case BUS_ID:
        return e ? e->id : 0;
    case BUS_IO_BASE:
        return e ? e->base : 0;
    case BUS_IO_SIZE:
        return e ? e->size : 0;
    case BUS_IRQ:
        return e ? e->irq : 0;
    case BUS_IRQ_COUNT:
        return e ? e->irq_count : 0;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-device-bus: read of bad offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return 0;
    }
}

static void gf_bus_write(void *opaque, hwaddr offset, uint64_t value,
                         unsigned size)
{
    GoldfishDeviceBusState *s = opaque;

    switch (offset) {
    case BUS_OP:
        if (value != BUS_OP_INIT) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "goldfish-device-bus: bad OP 0x%" PRIx64 "\n",
                          value);
            break;
        }
        s->reported = 0;
        s->current = -1;
        qemu_set_irq(s->irq, s->num_devs > 0);
        break;
    case BUS_GET_NAME:
        gf_bus_get_name(s, value);
        break;
    case BUS_NAME_ADDR_HIGH:
        /* Android truncates the name address to 32 bits on ARM. */
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-device-bus: write of 0x%" PRIx64
                      " to bad offset 0x%" HWADDR_PRIx "\n", value, offset);
        break;
    }
}

static const MemoryRegionOps gf_bus_ops = {
    .read = gf_bus_read,
    .write = gf_bus_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static void gf_bus_reset(DeviceState *dev)
{
    GoldfishDeviceBusState *s = GOLDFISH_DEVICE_BUS(dev);

    s->current = -1;
    s->reported = 0;
    qemu_irq_lower(s->irq);
}

static void gf_bus_init(Object *obj)
{
    GoldfishDeviceBusState *s = GOLDFISH_DEVICE_BUS(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &gf_bus_ops, s,
                          "goldfish-device-bus", GOLDFISH_DEV_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
    s->current = -1;
}

static void gf_bus_finalize(Object *obj)
{
    GoldfishDeviceBusState *s = GOLDFISH_DEVICE_BUS(obj);
    uint32_t i;

    for (i = 0; i < s->num_devs; i++) {
        g_free(s->dev[i].name);
    }
}

static int gf_bus_post_load(void *opaque, int version_id)
{
    GoldfishDeviceBusState *s = opaque;

    return s->current >= -1 && s->current < (int32_t)s->num_devs ?
           0 : -EINVAL;
}

static const VMStateDescription vmstate_gf_bus = {
    .name = "goldfish-device-bus",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = gf_bus_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_INT32(current, GoldfishDeviceBusState),
        VMSTATE_UINT32(reported, GoldfishDeviceBusState),
        VMSTATE_END_OF_LIST()
    }
};

static void gf_bus_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Android goldfish device bus";
    dc->reset = gf_bus_reset;
    dc->vmsd = &vmstate_gf_bus;
    dc->user_creatable = false;
}

static const TypeInfo gf_bus_info = {
    .name = TYPE_GOLDFISH_DEVICE_BUS,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(GoldfishDeviceBusState),
    .instance_init = gf_bus_init,
    .instance_finalize = gf_bus_finalize,
    .class_init = gf_bus_class_init,
};

static void gf_bus_register_types(void)
{
    type_register_static(&gf_bus_info);
}

type_init(gf_bus_register_types)
