/*
 * xen-arm goldfish board: names and addresses shared by the board and its
 * Android-compatible devices.
 *
 * Copyright (c) 2026 xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_XENARM_GOLDFISH_H
#define HW_ARM_XENARM_GOLDFISH_H

#include "exec/hwaddr.h"
#include "hw/qdev-core.h"

/*
 * QOM type names. They differ from QEMU's own goldfish_pic/goldfish_tty/
 * goldfish_rtc on purpose: those implement a newer, incompatible register
 * interface (see goldfish/README.md).
 */
#define TYPE_GOLDFISH_ANDROID_PIC   "goldfish-android-pic"
#define TYPE_GOLDFISH_ANDROID_TIMER "goldfish-android-timer"
#define TYPE_GOLDFISH_ANDROID_RTC   "goldfish-android-rtc"
#define TYPE_GOLDFISH_ANDROID_TTY   "goldfish-android-tty"
#define TYPE_GOLDFISH_DEVICE_BUS    "goldfish-device-bus"

/* Memory map of the Android emulator's android_arm board. */
#define GOLDFISH_IO_BASE            0xff000000u
#define GOLDFISH_IO_SIZE            0x00800000u
#define GOLDFISH_DEV_SIZE           0x1000u

#define GOLDFISH_PIC_BASE           0xff000000u
#define GOLDFISH_BUS_BASE           0xff001000u
#define GOLDFISH_TTY_BASE           0xff002000u
#define GOLDFISH_TIMER_BASE         0xff003000u
#define GOLDFISH_DYN_BASE           0xff010000u

#define GOLDFISH_BUS_IRQ            1
#define GOLDFISH_TIMER_IRQ          3
#define GOLDFISH_TTY_IRQ            4
#define GOLDFISH_DYN_IRQ            10

#define GOLDFISH_NUM_IRQS           32

/* The most entries the device bus can enumerate. */
#define GOLDFISH_BUS_MAX_DEVICES    32

/*
 * Adds one entry to the list that the device bus reports to the guest, in
 * the order of the calls. @id is reported as a 32-bit value, so -1 reads as
 * 0xffffffff, like Android's "no instance number". Call before realize.
 */
void goldfish_device_bus_add(DeviceState *bus, const char *name, int32_t id,
                             hwaddr base, uint32_t size,
                             uint32_t irq, uint32_t irq_count);

#endif /* HW_ARM_XENARM_GOLDFISH_H */
