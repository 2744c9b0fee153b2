/*
 * µC/OS-II configuration for the xen-arm guests and their native builds.
 *
 * One file for both kernels: the compatible kernel in ucos-port/kernel (the default) and the
 * real µC/OS-II v2.9x sources (`make UCOS_SRC=/path/to/uC-OS2`). The real ucos_ii.h refuses
 * to compile when any of these is missing, so every switch of the v2.93 template is here,
 * set to what the demos and tests use. Features the compatible kernel does not implement
 * (software timers, OSEventPendMulti, TLS, task registers, profiling, tick stepping, debug
 * tables, trace hooks) are off; kernel/ucos_ii.h stops the build if one is turned on.
 */
#ifndef OS_CFG_H
#define OS_CFG_H

/* ---- miscellaneous ---- */
#define OS_APP_HOOKS_EN 0u    /* hooks call App_*() (needs an app_hooks.c) */
#define OS_ARG_CHK_EN 1u      /* argument checking: the bad-argument tests need it */
#define OS_CPU_HOOKS_EN 1u    /* the hooks are in the port (os_cpu_c.c) */
#define OS_DEBUG_EN 0u        /* os_dbg.c / os_dbg_r.c tables */
#define OS_EVENT_MULTI_EN 0u  /* OSEventPendMulti() */
#define OS_EVENT_NAME_EN 1u   /* names for semaphores, mutexes, mailboxes, queues */
#define OS_LOWEST_PRIO 63u    /* the idle task's priority; 0..62 for the rest */
#define OS_MAX_EVENTS 24u     /* event control blocks */
#define OS_MAX_FLAGS 6u       /* event flag groups */
#define OS_MAX_MEM_PART 6u    /* memory partitions */
#define OS_MAX_QS 6u          /* queue control blocks */
#define OS_MAX_TASKS 24u      /* application tasks (idle and statistics come on top) */
#define OS_SCHED_LOCK_EN 1u   /* OSSchedLock() / OSSchedUnlock() */
#define OS_TICK_STEP_EN 0u    /* uC/OS-View tick stepping */
#define OS_TICKS_PER_SEC 100u /* 10 ms ticks: VIRQ_TIMER (pv) or the board timer */
#define OS_TLS_TBL_SIZE 0u    /* thread-local storage */

/* ---- stacks of the system tasks (OS_STK entries, 32 bits each) ---- */
#define OS_TASK_TMR_STK_SIZE 256u
#define OS_TASK_STAT_STK_SIZE 256u
#define OS_TASK_IDLE_STK_SIZE 256u

/* ---- tasks ---- */
#define OS_TASK_CHANGE_PRIO_EN 1u
#define OS_TASK_CREATE_EN 1u
#define OS_TASK_CREATE_EXT_EN 1u
#define OS_TASK_DEL_EN 1u
#define OS_TASK_NAME_EN 1u
#define OS_TASK_PROFILE_EN 0u
#define OS_TASK_QUERY_EN 1u
#define OS_TASK_REG_TBL_SIZE 0u
#define OS_TASK_STAT_EN 1u
#define OS_TASK_STAT_STK_CHK_EN 1u
#define OS_TASK_SUSPEND_EN 1u
#define OS_TASK_SW_HOOK_EN 1u

/* ---- event flags ---- */
#define OS_FLAG_EN 1u
#define OS_FLAG_ACCEPT_EN 1u
#define OS_FLAG_DEL_EN 1u
#define OS_FLAG_NAME_EN 1u
#define OS_FLAG_QUERY_EN 1u
#define OS_FLAG_WAIT_CLR_EN 1u
#define OS_FLAGS_NBITS 16u

/* ---- mailboxes ---- */
#define OS_MBOX_EN 1u
#define OS_MBOX_ACCEPT_EN 1u
#define OS_MBOX_DEL_EN 1u
#define OS_MBOX_PEND_ABORT_EN 1u
#define OS_MBOX_POST_EN 1u
#define OS_MBOX_POST_OPT_EN 1u
#define OS_MBOX_QUERY_EN 1u

/* ---- memory partitions ---- */
#define OS_MEM_EN 1u
#define OS_MEM_NAME_EN 1u
#define OS_MEM_QUERY_EN 1u

/* ---- mutexes ---- */
#define OS_MUTEX_EN 1u
#define OS_MUTEX_ACCEPT_EN 1u
#define OS_MUTEX_DEL_EN 1u
#define OS_MUTEX_QUERY_EN 1u

/* ---- queues ---- */
#define OS_Q_EN 1u
#define OS_Q_ACCEPT_EN 1u
#define OS_Q_DEL_EN 1u
#define OS_Q_FLUSH_EN 1u
#define OS_Q_PEND_ABORT_EN 1u
#define OS_Q_POST_EN 1u
#define OS_Q_POST_FRONT_EN 1u
#define OS_Q_POST_OPT_EN 1u
#define OS_Q_QUERY_EN 1u

/* ---- semaphores ---- */
#define OS_SEM_EN 1u
#define OS_SEM_ACCEPT_EN 1u
#define OS_SEM_DEL_EN 1u
#define OS_SEM_PEND_ABORT_EN 1u
#define OS_SEM_QUERY_EN 1u
#define OS_SEM_SET_EN 1u

/* ---- time ---- */
#define OS_TIME_DLY_HMSM_EN 1u
#define OS_TIME_DLY_RESUME_EN 1u
#define OS_TIME_GET_SET_EN 1u
#define OS_TIME_TICK_HOOK_EN 1u

/* ---- software timers (not in the compatible kernel) ---- */
#define OS_TMR_EN 0u
#define OS_TMR_CFG_MAX 16u
#define OS_TMR_CFG_NAME_EN 1u
#define OS_TMR_CFG_WHEEL_SIZE 7u
#define OS_TMR_CFG_TICKS_PER_SEC 10u

/* ---- trace recorder hooks (v2.93's os_trace.h) ---- */
#define OS_TRACE_EN 0u
#define OS_TRACE_API_ENTER_EN 0u
#define OS_TRACE_API_EXIT_EN 0u

#endif /* OS_CFG_H */
