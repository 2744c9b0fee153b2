/*
 * Freescale i.MX21 ADS (Application Development System) board
 *
 * Copyright (c) xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Just enough of the i.MX21 for xen-arm and a paravirtualized guest:
 *
 *   0x10000000  AIPI peripheral space (1 MiB): unimplemented-device
 *               regions that log accesses, with these real devices on top:
 *   0x10003000  GPT1, AITC source 26  (imx21.gpt, imx_gpt_v1.c)
 *   0x10004000  GPT2, AITC source 25
 *   0x10005000  GPT3, AITC source 24
 *   0x1000A000  UART1, AITC source 20 (QEMU's imx.serial) on serial_hd(0)
 *   0x10040000  AITC (QEMU's imx.avic) -> CPU IRQ and FIQ
 *   0xC0000000  SDRAM on CSD0, 64 MiB by default
 *   0xDF000000  SDRAM/WEIM/PCMCIA/NAND controllers: unimplemented
 *   0xFFFFE800  6 KiB internal RAM
 *
 * SDRAM: the ADS has 64 MiB on CSD0, whose window is exactly 64 MiB
 * (CSD1 starts at 0xC4000000).  Any -m up to 64 MiB is mapped from
 * 0xC0000000; a larger -m is refused rather than spilled onto CSD1.
 *
 * The kernel is loaded with arm_load_kernel(): machine number 851
 * (MACH_TYPE_MX21ADS), RAM and ATAGs from 0xC0000000 (ATAGs at +0x100).
 *
 * AITC.  QEMU's imx.avic is the i.MX25/31 AVIC; its register offsets
 * 0x00-0x64 match the i.MX21 AITC, which Linux drives with the same avic.c.
 * Differences from the real AITC that a guest can see:
 *  - reading NIVECSR (or FIVECSR) clears the reported source's pending bit,
 *    even though the peripheral still asserts its level; the real AITC keeps
 *    following the level until the source is acknowledged at the device.
 *    The source is raised again only on its next level change (the GPT
 *    re-drives its line after every register write).
 *  - with nothing pending NIVECSR/FIVECSR read 0xFFFFFFFF, where the AITC
 *    documentation only specifies vector 0xFFFF in bits 31:16;
 *  - INTCNTL implements the i.MX31 bits (ABFEN, NIDIS, FIDIS, NIAD, FIAD,
 *    NM, ABFLAG); their i.MX21 equivalence is unverified;
 *  - the vector registers from 0x100 are ignored.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/units.h"
#include "qemu/cutils.h"
#include "cpu.h"
#include "exec/address-spaces.h"
#include "hw/arm/boot.h"
#include "hw/boards.h"
#include "hw/char/imx_serial.h"
#include "hw/intc/imx_avic.h"
#include "hw/misc/unimp.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "sysemu/sysemu.h"
#include "imx21.h"

#define MACH_TYPE_MX21ADS   851

/* Named holes in the AIPI space (Linux mx21.h); the rest is "imx21.aipi" */
static const struct {
    const char *name;
    hwaddr addr;
    hwaddr size;
} imx21_unimp_regions[] = {
    { "imx21.aipi1",    0x10000000, 0x1000 },
    { "imx21.dma",      0x10001000, 0x1000 },
    { "imx21.wdog",     0x10002000, 0x1000 },
    { "imx21.pwm",      0x10006000, 0x1000 },
    { "imx21.rtc",      0x10007000, 0x1000 },
    { "imx21.kpp",      0x10008000, 0x1000 },
    { "imx21.owire",    0x10009000, 0x1000 },
    { "imx21.uart2",    0x1000b000, 0x1000 },
    { "imx21.uart3",    0x1000c000, 0x1000 },
    { "imx21.uart4",    0x1000d000, 0x1000 },
    { "imx21.cspi1",    0x1000e000, 0x1000 },
    { "imx21.cspi2",    0x1000f000, 0x1000 },
    { "imx21.ssi1",     0x10010000, 0x1000 },
    { "imx21.ssi2",     0x10011000, 0x1000 },
    { "imx21.i2c",      0x10012000, 0x1000 },
    { "imx21.sdhc1",    0x10013000, 0x1000 },
    { "imx21.sdhc2",    0x10014000, 0x1000 },
    { "imx21.gpio",     0x10015000, 0x1000 },
    { "imx21.audmux",   0x10016000, 0x1000 },
    { "imx21.cspi3",    0x10017000, 0x1000 },
    { "imx21.aipi2",    0x10020000, 0x1000 },
    { "imx21.lcdc",     0x10021000, 0x1000 },
    { "imx21.slcdc",    0x10022000, 0x1000 },
    { "imx21.usbotg",   0x10024000, 0x2000 },
    { "imx21.emma",     0x10026000, 0x1000 },
    { "imx21.ccm",      0x10027000, 0x0800 },
    { "imx21.sysctrl",  0x10027800, 0x0800 },
    { "imx21.jam",      0x1003e000, 0x1000 },
    { "imx21.max",      0x1003f000, 0x1000 },
    { "imx21.x-memc",   IMX21_X_MEMC_ADDR, IMX21_X_MEMC_SIZE },
};

static const struct {
    hwaddr addr;
    int irq;
} imx21_gpts[] = {
    { IMX21_GPT1_ADDR, IMX21_INT_GPT1 },
    { IMX21_GPT2_ADDR, IMX21_INT_GPT2 },
    { IMX21_GPT3_ADDR, IMX21_INT_GPT3 },
};

static struct arm_boot_info imx21ads_binfo = {
    .loader_start = IMX21_CSD0_ADDR,
    .board_id = MACH_TYPE_MX21ADS,
};

static void imx21ads_init(MachineState *machine)
{
    MemoryRegion *sysmem = get_system_memory();
    MemoryRegion *iram = g_new(MemoryRegion, 1);
    DeviceState *aitc, *uart, *dev;
    ARMCPU *cpu;
    size_t i;

    if (machine->ram_size > IMX21_CSD0_SIZE) {
        char *want = size_to_str(machine->ram_size);
        char *max = size_to_str(IMX21_CSD0_SIZE);

        error_report("imx21ads: -m %s does not fit the %s SDRAM window of "
                     "CSD0 at 0x%08x; use at most -m %s", want, max,
                     IMX21_CSD0_ADDR, max);
        g_free(want);
        g_free(max);
        exit(EXIT_FAILURE);
    }

    cpu = ARM_CPU(cpu_create(machine->cpu_type));

    memory_region_add_subregion(sysmem, IMX21_CSD0_ADDR, machine->ram);
    memory_region_init_ram(iram, NULL, "imx21.iram", IMX21_IRAM_SIZE,
                           &error_fatal);
    memory_region_add_subregion(sysmem, IMX21_IRAM_ADDR, iram);

    /* Everything in the AIPI space that is not modelled logs its accesses */
    dev = qdev_new(TYPE_UNIMPLEMENTED_DEVICE);
    qdev_prop_set_string(dev, "name", "imx21.aipi");
    qdev_prop_set_uint64(dev, "size", IMX21_AIPI_SIZE);
    sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_fatal);
    sysbus_mmio_map_overlap(SYS_BUS_DEVICE(dev), 0, IMX21_AIPI_ADDR, -1001);
    for (i = 0; i < ARRAY_SIZE(imx21_unimp_regions); i++) {
        create_unimplemented_device(imx21_unimp_regions[i].name,
                                    imx21_unimp_regions[i].addr,
                                    imx21_unimp_regions[i].size);
    }

    /* AITC: QEMU's AVIC, output 0 is IRQ and output 1 is FIQ */
    aitc = qdev_new(TYPE_IMX_AVIC);
    sysbus_realize_and_unref(SYS_BUS_DEVICE(aitc), &error_fatal);
    sysbus_mmio_map(SYS_BUS_DEVICE(aitc), 0, IMX21_AITC_ADDR);
    sysbus_connect_irq(SYS_BUS_DEVICE(aitc), 0,
                       qdev_get_gpio_in(DEVICE(cpu), ARM_CPU_IRQ));
    sysbus_connect_irq(SYS_BUS_DEVICE(aitc), 1,
                       qdev_get_gpio_in(DEVICE(cpu), ARM_CPU_FIQ));

    uart = qdev_new(TYPE_IMX_SERIAL);
    qdev_prop_set_chr(uart, "chardev", serial_hd(0));
    sysbus_realize_and_unref(SYS_BUS_DEVICE(uart), &error_fatal);
    sysbus_mmio_map(SYS_BUS_DEVICE(uart), 0, IMX21_UART1_ADDR);
    sysbus_connect_irq(SYS_BUS_DEVICE(uart), 0,
                       qdev_get_gpio_in(aitc, IMX21_INT_UART1));

    for (i = 0; i < ARRAY_SIZE(imx21_gpts); i++) {
        dev = qdev_new(TYPE_IMX21_GPT);
        sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), &error_fatal);
        sysbus_mmio_map(SYS_BUS_DEVICE(dev), 0, imx21_gpts[i].addr);
        sysbus_connect_irq(SYS_BUS_DEVICE(dev), 0,
                           qdev_get_gpio_in(aitc, imx21_gpts[i].irq));
    }

    imx21ads_binfo.ram_size = machine->ram_size;
    arm_load_kernel(cpu, machine, &imx21ads_binfo);
}

static void imx21ads_machine_init(MachineClass *mc)
{
    mc->desc = "Freescale i.MX21 ADS (ARM926EJ-S)";
    mc->init = imx21ads_init;
    mc->default_cpu_type = ARM_CPU_TYPE_NAME("arm926");
    mc->default_ram_size = 64 * MiB;
    mc->default_ram_id = "imx21ads.sdram";
}

DEFINE_MACHINE("imx21ads", imx21ads_machine_init)
