/*
 * Freescale i.MX21: addresses and the General Purpose Timer v1 model.
 *
 * Copyright (c) xen-arm project
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef XENARM_IMX21_H
#define XENARM_IMX21_H

#include "hw/sysbus.h"
#include "qom/object.h"

/* Memory map (Linux arch/arm/mach-imx/mx21.h) */
#define IMX21_AIPI_ADDR         0x10000000
#define IMX21_AIPI_SIZE         0x00100000
#define IMX21_GPT1_ADDR         0x10003000
#define IMX21_GPT2_ADDR         0x10004000
#define IMX21_GPT3_ADDR         0x10005000
#define IMX21_UART1_ADDR        0x1000a000
#define IMX21_AITC_ADDR         0x10040000
#define IMX21_CSD0_ADDR         0xc0000000
#define IMX21_CSD0_SIZE         0x04000000  /* 64 MiB window */
#define IMX21_X_MEMC_ADDR       0xdf000000
#define IMX21_X_MEMC_SIZE       0x00040000
#define IMX21_IRAM_ADDR         0xffffe800
#define IMX21_IRAM_SIZE         0x00001800

/* AITC interrupt sources */
#define IMX21_INT_UART1         20
#define IMX21_INT_GPT3          24
#define IMX21_INT_GPT2          25
#define IMX21_INT_GPT1          26

/*
 * General Purpose Timer v1 (i.MX1/i.MX21/i.MX27 layout).  Not to be confused
 * with QEMU's imx_gpt, which models the incompatible i.MX25/31/6 "v2" GPT.
 */
#define TYPE_IMX21_GPT "imx21.gpt"
OBJECT_DECLARE_SIMPLE_TYPE(IMX21GPTState, IMX21_GPT)

#define IMX21_GPT_MMIO_SIZE     0x1000

struct IMX21GPTState {
    /*< private >*/
    SysBusDevice parent_obj;

    /*< public >*/
    MemoryRegion iomem;
    QEMUTimer *timer;
    qemu_irq irq;

    uint32_t tctl;
    uint32_t tprer;
    uint32_t tcmp;
    uint32_t tcr;
    uint32_t tstat;

    /*
     * The counter is not stored tick by tick.  base_ns (QEMU_CLOCK_VIRTUAL)
     * is when the counter clock last started at its current rate; the
     * counter read count_base after tick number base_tick of that clock,
     * and TCN is derived from there with the restart/free-run rules.
     */
    uint32_t count_base;
    uint64_t base_tick;
    int64_t base_ns;

    /* Properties: input clock frequencies in Hz */
    uint32_t perclk1_hz;
    uint32_t clk32_hz;
};

#endif /* XENARM_IMX21_H */
