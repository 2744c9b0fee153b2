/*
 * TTY of the Android emulator's goldfish ARM board.
 *
 * Version 0 of the goldfish TTY: DATA_PTR is a guest-VIRTUAL address,
 * translated through the first CPU's MMU as the guest sees it at the time of
 * the command (QEMU's goldfish_tty is version 1 and takes a guest-physical
 * address). The 128-byte receive buffer raises the IRQ while it holds data
 * and interrupts are enabled. Where Android aborted the emulator (a
 * READ_BUFFER longer than the buffered data, bad offsets or commands) this
 * model logs a guest error and carries on.
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
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/sysbus.h"
#include "chardev/char-fe.h"
#include "exec/cpu-common.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "goldfish.h"

enum {
    TTY_PUT_CHAR      = 0x00,  /* W: send one byte */
    TTY_BYTES_READY   = 0x04,  /* R: bytes in the receive buffer */
    TTY_CMD           = 0x08,  /* W: one of the commands below */
    TTY_DATA_PTR      = 0x10,  /* W: guest-virtual buffer address */
    TTY_DATA_LEN      = 0x14,  /* W: buffer length */
    TTY_VERSION       = 0x20,  /* R: 0 (Linux's probe for virtual pointers) */
};

enum {
    TTY_CMD_INT_DISABLE  = 0,
    TTY_CMD_INT_ENABLE   = 1,
    TTY_CMD_WRITE_BUFFER = 2,
    TTY_CMD_READ_BUFFER  = 3,
};

#define TTY_RX_SIZE    128
#define TTY_CHUNK      64

OBJECT_DECLARE_SIMPLE_TYPE(GoldfishAndroidTTYState, GOLDFISH_ANDROID_TTY)

struct GoldfishAndroidTTYState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    CharBackend chr;

    uint32_t data_ptr;
    uint32_t data_len;
    bool int_enabled;
    uint32_t rx_count;
    uint8_t rx[TTY_RX_SIZE];
};

static void gf_tty_update(GoldfishAndroidTTYState *s)
{
    qemu_set_irq(s->irq, s->int_enabled && s->rx_count > 0);
}

/* Sends the guest's buffer to the chardev, stopping at an unmapped page. */
static void gf_tty_write_buffer(GoldfishAndroidTTYState *s)
{
    uint32_t addr = s->data_ptr;
    uint32_t left = s->data_len;
    uint8_t chunk[TTY_CHUNK];

    while (left) {
        uint32_t n = MIN(left, (uint32_t)sizeof(chunk));

        if (cpu_memory_rw_debug(first_cpu, addr, chunk, n, false) < 0) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "goldfish-android-tty: WRITE_BUFFER: no memory at "
                          "virtual 0x%08" PRIx32 ", %" PRIu32
                          " bytes not sent\n", addr, left);
            return;
        }
        qemu_chr_fe_write_all(&s->chr, chunk, n);
        addr += n;
        left -= n;
    }
}

/* Hands buffered input to the guest, at most what is buffered. */
static void gf_tty_read_buffer(GoldfishAndroidTTYState *s)
{
    uint32_t n = s->data_len;

    if (n > s->rx_count) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-tty: READ_BUFFER of %" PRIu32
                      " bytes, only %" PRIu32 " buffered\n", n, s->rx_count);
        n = s->rx_count;
    }
    if (n && cpu_memory_rw_debug(first_cpu, s->data_ptr, s->rx, n, true) < 0) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-tty: READ_BUFFER: no memory at "
                      "virtual 0x%08" PRIx32 ", input dropped\n", s->data_ptr);
    }
    /* Like Android, the bytes are consumed even if the copy failed. */
    memmove(s->rx, s->rx + n, s->rx_count - n);
    s->rx_count -= n;
    gf_tty_update(s);
    qemu_chr_fe_accept_input(&s->chr);
}

static void gf_tty_command(GoldfishAndroidTTYState *s, uint64_t cmd)
{
    switch (cmd) {
    case TTY_CMD_INT_DISABLE:
        s->int_enabled = false;
        gf_tty_update(s);
        break;
    case TTY_CMD_INT_ENABLE:
        s->int_enabled = true;
        gf_tty_update(s);
        break;
    case TTY_CMD_WRITE_BUFFER:
        gf_tty_write_buffer(s);
        break;
    case TTY_CMD_READ_BUFFER:
        gf_tty_read_buffer(s);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-tty: bad command 0x%" PRIx64 "\n", cmd);
        break;
    }
}

static uint64_t gf_tty_read(void *opaque, hwaddr offset, unsigned size)
{
    GoldfishAndroidTTYState *s = opaque;

    switch (offset) {
    case TTY_BYTES_READY:
        return s->rx_count;
    case TTY_VERSION:
        return 0;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-tty: read of bad offset 0x%"
                      HWADDR_PRIx "\n", offset);
        return 0;
    }
}

static void gf_tty_write(void *opaque, hwaddr offset, uint64_t value,
                         unsigned size)
{
    GoldfishAndroidTTYState *s = opaque;
    uint8_t ch;

    switch (offset) {
    case TTY_PUT_CHAR:
        ch = value;
        qemu_chr_fe_write_all(&s->chr, &ch, 1);
        break;
    case TTY_CMD:
        gf_tty_command(s, value);
        break;
    case TTY_DATA_PTR:
        s->data_ptr = value;
        break;
    case TTY_DATA_LEN:
        s->data_len = value;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "goldfish-android-tty: write of 0x%" PRIx64
                      " to bad offset 0x%" HWADDR_PRIx "\n", value, offset);
        break;
    }
}

static const MemoryRegionOps gf_tty_ops = {
    .read = gf_tty_read,
    .write = gf_tty_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static int gf_tty_can_receive(void *opaque)
{
    GoldfishAndroidTTYState *s = opaque;

    return TTY_RX_SIZE - s->rx_count;
}

static void gf_tty_receive(void *opaque, const uint8_t *buf, int size)
{
    GoldfishAndroidTTYState *s = opaque;

    assert(size >= 0 && size <= TTY_RX_SIZE - s->rx_count);
    memcpy(s->rx + s->rx_count, buf, size);
    s->rx_count += size;
    gf_tty_update(s);
}

static void gf_tty_reset(DeviceState *dev)
{
    GoldfishAndroidTTYState *s = GOLDFISH_ANDROID_TTY(dev);

    s->data_ptr = 0;
    s->data_len = 0;
    s->int_enabled = false;
    s->rx_count = 0;
    gf_tty_update(s);
}

static void gf_tty_realize(DeviceState *dev, Error **errp)
{
    GoldfishAndroidTTYState *s = GOLDFISH_ANDROID_TTY(dev);

    qemu_chr_fe_set_handlers(&s->chr, gf_tty_can_receive, gf_tty_receive,
                             NULL, NULL, s, NULL, true);
}

static void gf_tty_init(Object *obj)
{
    GoldfishAndroidTTYState *s = GOLDFISH_ANDROID_TTY(obj);
    SysBusDevice *sbd = SYS_BUS_DEVICE(obj);

    memory_region_init_io(&s->iomem, obj, &gf_tty_ops, s,
                          "goldfish-android-tty", GOLDFISH_DEV_SIZE);
    sysbus_init_mmio(sbd, &s->iomem);
    sysbus_init_irq(sbd, &s->irq);
}

static int gf_tty_post_load(void *opaque, int version_id)
{
    GoldfishAndroidTTYState *s = opaque;

    return s->rx_count <= TTY_RX_SIZE ? 0 : -EINVAL;
}

static const VMStateDescription vmstate_gf_tty = {
    .name = "goldfish-android-tty",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = gf_tty_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(data_ptr, GoldfishAndroidTTYState),
        VMSTATE_UINT32(data_len, GoldfishAndroidTTYState),
        VMSTATE_BOOL(int_enabled, GoldfishAndroidTTYState),
        VMSTATE_UINT32(rx_count, GoldfishAndroidTTYState),
        VMSTATE_UINT8_ARRAY(rx, GoldfishAndroidTTYState, TTY_RX_SIZE),
        VMSTATE_END_OF_LIST()
    }
};

static Property gf_tty_properties[] = {
    DEFINE_PROP_CHR("chardev", GoldfishAndroidTTYState, chr),
    DEFINE_PROP_END_OF_LIST(),
};

static void gf_tty_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Android goldfish TTY (version 0, virtual addresses)";
    dc->realize = gf_tty_realize;
    dc->reset = gf_tty_reset;
    dc->vmsd = &vmstate_gf_tty;
    dc->user_creatable = false;
    device_class_set_props(dc, gf_tty_properties);
    set_bit(DEVICE_CATEGORY_INPUT, dc->categories);
}

static const TypeInfo gf_tty_info = {
    .name = TYPE_GOLDFISH_ANDROID_TTY,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(GoldfishAndroidTTYState),
    .instance_init = gf_tty_init,
    .class_init = gf_tty_class_init,
};

static void gf_tty_register_types(void)
{
    type_register_static(&gf_tty_info);
}

type_init(gf_tty_register_types)
