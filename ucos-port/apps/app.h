/*
 * The µC/OS-II applications of the xen-arm guests. They use the µC/OS-II API only (plus the
 * BSP for printing, time and the command line), so they build against either kernel.
 * main.c picks one by the command line's app=NAME.
 */
#ifndef UCOS_APP_H
#define UCOS_APP_H

#include <ucos_ii.h>

#include "bsp.h"

/* Each is entered from app_main() before OSStart() (interrupts masked, OSInit() done):
 * creates its tasks; the BSP then starts the kernel. */
void app_demo_init(void);
void app_ktest_init(void);
void app_bench_init(void);
void app_rt_init(void);
void app_work_init(void);

#ifndef UCOS_KERNEL_NAME
#define UCOS_KERNEL_NAME "uC/OS-II"
#endif

#endif /* UCOS_APP_H */
