/*
 * xen-arm "goldfish" machine: the Android emulator's ARM goldfish board
 * (android_arm), for kernels written against it.
 *
 *   0x00000000  RAM (-m, 128 MiB by default)
 *   0xff000000  interrupt controller, drives the CPU's IRQ and FIQ
 *   0xff001000  device bus, IRQ 1
 *   0xff002000  tty0, the console (serial_hd(0)), IRQ 4
 *   0xff003000  timer, IRQ 3
 *   0xff010000  goldfish_rtc, IRQ 10, then one tty per further -serial
 *               (0xff011000, IRQ 11, ...)
 *
 * The device bus reports the devices in Android's registration order.
 * Accesses to anything else in 0xff000000-0xff7fffff are logged as guest
 * errors and read as zero.
 *
 * Copyright (c) 2026 xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "cpu.h"
#include "exec/address-spaces.h"
#include "hw/arm/boot.h"
#include "hw/boards.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/sysbus.h"
#include "sysemu/sysemu.h"
#include "qom/object.h"
#include "goldfish.h"

#define MACH_TYPE_GOLDFISH      1441
#define GOLDFISH_MAX_SERIAL     4       /* Android's MAX_SERIAL_PORTS */

#define TYPE_GOLDFISH_MACHINE   MACHINE_TYPE_NAME("goldfish")
OBJECT_DECLARE_SIMPLE_TYPE(GoldfishMachineState, GOLDFISH_MACHINE)

struct GoldfishMachineState {
    MachineState parent_obj;

    MemoryRegion io_hole;
    struct arm_boot_info binfo;
    qemu_irq pic[GOLDFISH_NUM_IRQS];
    DeviceState *bus;
    hwaddr next_base;
    uint32_t next_irq;
};

static uint64_t goldfish_hole_read(void *opaque, hwaddr offset, unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "goldfish: %u-byte read of 0x%08" HWADDR_PRIx
                  ", no device there\n", size, GOLDFISH_IO_BASE + offset);
    return 0;
}

static void goldfish_hole_write(void *opaque, hwaddr offset, uint64_t value,
                                unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "goldfish: %u-byte write of 0x%" PRIx64 " to 0x%08"
                  HWADDR_PRIx ", no device there\n",
                  size, value, GOLDFISH_IO_BASE + offset);
}

static const MemoryRegionOps goldfish_hole_ops = {
    .read = goldfish_hole_read,
    .write = goldfish_hole_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 8,
    },
};

/*
 * Creates a device, maps it and lists it on the device bus. A base of 0 or
 * an IRQ of 0 with irq_count 1 take the next dynamic slot, as in Android.
 */
static DeviceState *goldfish_add(GoldfishMachineState *gms, const char *type,
                                 const char *child, const char *bus_name,
                                 int32_t id, hwaddr base, uint32_t irq,
                                 uint32_t irq_count, Chardev *chr)
{
    DeviceState *dev = qdev_new(type);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);

    if (base == 0) {
        base = gms->next_base;
        gms->next_base += GOLDFISH_DEV_SIZE;
    }
    if (irq == 0 && irq_count > 0) {
        irq = gms->next_irq;
        gms->next_irq += irq_count;
    }
    assert(irq + irq_count <= GOLDFISH_NUM_IRQS);

    object_property_add_child(OBJECT(gms), child, OBJECT(dev));
    if (chr) {
        qdev_prop_set_chr(dev, "chardev", chr);
    }
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, 0, base);
    if (irq_count) {
        sysbus_connect_irq(sbd, 0, gms->pic[irq]);
    }
    goldfish_device_bus_add(gms->bus, bus_name, id, base, GOLDFISH_DEV_SIZE,
                            irq, irq_count);
    return dev;
}

static void goldfish_init(MachineState *machine)
{
    GoldfishMachineState *gms = GOLDFISH_MACHINE(machine);
    MemoryRegion *sysmem = get_system_memory();
    DeviceState *cpudev, *pic;
    SysBusDevice *sbd;
    ARMCPU *cpu;
    int i;

    if (machine->ram_size > GOLDFISH_IO_BASE) {
        error_report("goldfish: RAM must end below the devices at 0x%08x",
                     GOLDFISH_IO_BASE);
        exit(1);
    }

    cpu = ARM_CPU(cpu_create(machine->cpu_type));
    cpudev = DEVICE(cpu);

    memory_region_add_subregion(sysmem, 0, machine->ram);

    memory_region_init_io(&gms->io_hole, OBJECT(gms), &goldfish_hole_ops,
                          NULL, "goldfish.io-hole", GOLDFISH_IO_SIZE);
    memory_region_add_subregion_overlap(sysmem, GOLDFISH_IO_BASE,
                                        &gms->io_hole, -1000);

    pic = qdev_new(TYPE_GOLDFISH_ANDROID_PIC);
    sbd = SYS_BUS_DEVICE(pic);
    object_property_add_child(OBJECT(gms), "pic", OBJECT(pic));
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, 0, GOLDFISH_PIC_BASE);
    sysbus_connect_irq(sbd, 0, qdev_get_gpio_in(cpudev, ARM_CPU_IRQ));
    sysbus_connect_irq(sbd, 1, qdev_get_gpio_in(cpudev, ARM_CPU_FIQ));
    for (i = 0; i < GOLDFISH_NUM_IRQS; i++) {
        gms->pic[i] = qdev_get_gpio_in(pic, i);
    }

    /* The bus is realized last: devices are listed on it as they come. */
    gms->bus = qdev_new(TYPE_GOLDFISH_DEVICE_BUS);
    object_property_add_child(OBJECT(gms), "device-bus", OBJECT(gms->bus));
    gms->next_base = GOLDFISH_DYN_BASE;
    gms->next_irq = GOLDFISH_DYN_IRQ;

    goldfish_device_bus_add(gms->bus, "goldfish_interrupt_controller", -1,
                            GOLDFISH_PIC_BASE, GOLDFISH_DEV_SIZE, 0, 0);
    goldfish_device_bus_add(gms->bus, "goldfish_device_bus", -1,
                            GOLDFISH_BUS_BASE, GOLDFISH_DEV_SIZE,
                            GOLDFISH_BUS_IRQ, 1);
    goldfish_add(gms, TYPE_GOLDFISH_ANDROID_TIMER, "timer", "goldfish_timer",
                 -1, GOLDFISH_TIMER_BASE, GOLDFISH_TIMER_IRQ, 1, NULL);
    goldfish_add(gms, TYPE_GOLDFISH_ANDROID_RTC, "rtc", "goldfish_rtc",
                 -1, 0, 0, 1, NULL);
    goldfish_add(gms, TYPE_GOLDFISH_ANDROID_TTY, "tty0", "goldfish_tty",
                 0, GOLDFISH_TTY_BASE, GOLDFISH_TTY_IRQ, 1, serial_hd(0));
    for (i = 1; i < GOLDFISH_MAX_SERIAL && serial_hd(i); i++) {
        g_autofree char *child = g_strdup_printf("tty%d", i);

        goldfish_add(gms, TYPE_GOLDFISH_ANDROID_TTY, child, "goldfish_tty",
                     i, 0, 0, 1, serial_hd(i));
    }

    sbd = SYS_BUS_DEVICE(gms->bus);
    sysbus_realize_and_unref(sbd, &error_fatal);
    sysbus_mmio_map(sbd, 0, GOLDFISH_BUS_BASE);
    sysbus_connect_irq(sbd, 0, gms->pic[GOLDFISH_BUS_IRQ]);

    gms->binfo.ram_size = machine->ram_size;
    gms->binfo.loader_start = 0;
    gms->binfo.board_id = MACH_TYPE_GOLDFISH;
    arm_load_kernel(cpu, machine, &gms->binfo);
}

static void goldfish_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "Android emulator goldfish board, android_arm (ARM926EJ-S)";
    mc->init = goldfish_init;
    mc->default_cpu_type = ARM_CPU_TYPE_NAME("arm926");
    mc->default_ram_size = 128 * MiB;
    mc->default_ram_id = "goldfish.ram";
    /* The Android emulator read unassigned addresses as 0, without aborts. */
    mc->ignore_memory_transaction_failures = true;
}

static const TypeInfo goldfish_machine_info = {
    .name = TYPE_GOLDFISH_MACHINE,
    .parent = TYPE_MACHINE,
    .instance_size = sizeof(GoldfishMachineState),
    .class_init = goldfish_machine_class_init,
};

static void goldfish_machine_register_types(void)
{
    type_register_static(&goldfish_machine_info);
}

type_init(goldfish_machine_register_types)
