/*
 * app=rt (pv): a guest that drives a device passed through to it (domctl assign_device,
 * the dom0 shell's 'assign'), as the real-time guests of Park, Yoo and Yoo, "An Analysis
 * on Xen in View of Real-time Guarantee", would: the device's registers are at
 * XA_PASSTHROUGH_VA, its interrupt arrives as XA_VIRQ_PASSTHROUGH, and the guest re-enables
 * the line with PHYSDEVOP_eoi after clearing the device's interrupt.
 *
 *   count=N (100) period_us=P (1000)
 * Waits for dom0 to say which device it got (store: passthrough/name, passthrough/irq),
 * programs it to interrupt every P us, takes N interrupts, stops it, and prints
 * "rt: N interrupts from <dev> (line L), average period X ns (asked P000 ns)" and
 * "rt: ok" (or "rt: FAIL ..."). Devices: imx21 GPT3 ("gpt3", GPT v1 at PERCLK1), Versatile
 * SP804 timers 2/3 ("sp804b", 1 MHz).
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/sched.h"
#include "minios/xenbus.h"
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

static volatile uint32_t *const regs = (volatile uint32_t *)XA_PASSTHROUGH_VA;
static bool is_gpt;
static uint32_t line;
static volatile uint32_t interrupts, eoi_errors;
static volatile s_time_t first, last;
static struct wait_queue_head rt_wq = WAIT_QUEUE_HEAD_INIT;

static void reg_write(uint32_t off, uint32_t v) { regs[off / 4] = v; }

/* The SP804 is re-armed one-shot from each interrupt: in periodic mode QEMU's model
 * delivered only every other period in our -icount runs. */
static uint32_t sp804_load;
static void sp804_arm(void)
{
    reg_write(SP804_CONTROL, 0);
    reg_write(SP804_LOAD, sp804_load);
    reg_write(SP804_CONTROL, SP804_ENABLE | SP804_ONESHOT | SP804_INTEN | SP804_32BIT);
}

static void device_irq(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    if (is_gpt) {
        reg_write(GPT_TSTAT, 1); /* write 1 to clear COMP; restart mode runs on */
    } else {
        reg_write(SP804_INTCLR, 1);
        sp804_arm();
    }
    const s_time_t now = NOW();
    if (interrupts == 0)
        first = now;
    last = now;
    interrupts++;
    struct physdev_eoi eoi = {.irq = line};
    if (HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi) != 0)
        eoi_errors++;
    wake_up(&rt_wq);
}

static uint32_t wanted;
static bool enough(void *arg)
{
    UNUSED(arg);
    return interrupts >= wanted;
}

static void rt_main(void)
{
    const uint32_t count = cmdline_get_u32("count", 100);
    const uint32_t period_us = cmdline_get_u32("period_us", 1000);
    char name[16], irq[16];
    if (xenbus_init() != 0 || xenbus_wait_exists("passthrough/irq", irq, sizeof irq, NOW() + MILLISECS(10000)) < 0 ||
        xenbus_read("passthrough/name", name, sizeof name) < 0 || !parse_u32(irq, &line)) {
        printk("rt: FAIL no device passed through\n");
        return;
    }
    is_gpt = strcmp(name, "gpt3") == 0;
    if (!is_gpt && strcmp(name, "sp804b") != 0) {
        printk("rt: FAIL unknown device '%s'\n", name);
        return;
    }
    printk("rt: driving %s (line %u) at 0x%08x, every %u us\n", name, (unsigned int)line,
           (unsigned int)XA_PASSTHROUGH_VA, (unsigned int)period_us);
    if (bind_virq(XA_VIRQ_PASSTHROUGH, device_irq, NULL) < 0) {
        printk("rt: FAIL cannot bind XA_VIRQ_PASSTHROUGH\n");
        return;
    }
    wanted = count;
    if (is_gpt) {
        reg_write(GPT_TCTL, GPT_SWR);
        reg_write(GPT_TPRER, 0);
        reg_write(GPT_TCMP, (uint32_t)((uint64_t)GPT_HZ * period_us / 1000000U) - 1U);
        reg_write(GPT_TCTL, GPT_TEN | GPT_CLK_PERCLK1 | GPT_COMP_EN); /* restart mode */
    } else {
        sp804_load = SP804_HZ / 1000000U * period_us;
        sp804_arm();
    }
    const bool done =
        wait_event_deadline(&rt_wq, enough, NULL, NOW() + MILLISECS(10000) + (s_time_t)count * period_us * 2000U);
    reg_write(is_gpt ? GPT_TCTL : SP804_CONTROL, 0);
    const uint32_t n = interrupts;
    const uint64_t avg = n > 1 ? (uint64_t)(last - first) / (n - 1) : 0;
    printk("rt: %u interrupts from %s (line %u), average period %llu ns (asked %u000 ns), %u eoi errors\n",
           (unsigned int)n, name, (unsigned int)line, (unsigned long long)avg, (unsigned int)period_us,
           (unsigned int)eoi_errors);
    const uint64_t asked = (uint64_t)period_us * 1000U;
    if (!done || eoi_errors != 0 || avg < asked - asked / 20 || avg > asked + asked / 20)
        printk("rt: FAIL\n");
    else
        printk("rt: ok\n");
}
MINIOS_APP("rt", rt_main);
