/*
 * Application configuration. The real ucos_ii.h includes <app_cfg.h> unconditionally, so
 * the file must exist; it only matters when software timers are on (OS_TMR_EN), which
 * need the timer task's priority.
 */
#ifndef APP_CFG_H
#define APP_CFG_H

#define OS_TASK_TMR_PRIO 4u

#endif /* APP_CFG_H */
