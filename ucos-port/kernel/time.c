/*
 * Compatible kernel (independent implementation, see ucos_ii.h): time management. The
 * tick (OSTimeTick, from the port's timer interrupt / VIRQ_TIMER upcall) counts OSTime and
 * every delay and timeout down by one; a task whose count reaches zero is readied (a
 * timed-out wait ends with OS_STAT_PEND_TO) unless it is suspended.
 */
#include "os_kernel.h"

void OSTimeTick(void)
{
    OSK_CRITICAL_STATE;
#if OS_TIME_TICK_HOOK_EN > 0u
    OSTimeTickHook();
#endif
#if OS_TIME_GET_SET_EN > 0u
    OSK_ENTER();
    OSTime++;
    OSK_EXIT();
#endif
    if (OSRunning != OS_TRUE)
        return;
    for (OS_TCB *t = OSTCBList; t != (OS_TCB *)0; t = t->OSTCBNext) {
        OSK_ENTER();
        if (t->OSTCBDly != 0u && --t->OSTCBDly == 0u) {
            if ((t->OSTCBStat & OS_STAT_PEND_ANY) != 0u) {
                osk_end_wait(t, OS_STAT_PEND_TO);
            } else {
                t->OSTCBStatPend = OS_STAT_PEND_OK;
                if ((t->OSTCBStat & OS_STAT_SUSPEND) == 0u)
                    osk_ready(t);
            }
        }
        OSK_EXIT();
    }
}

void OSTimeDly(INT32U ticks)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u || OSLockNesting > 0u || ticks == 0u)
        return;
    OSK_ENTER();
    OSTCBCur->OSTCBDly = ticks;
    osk_unready(OSTCBCur);
    OSK_EXIT();
    OS_Sched();
}

#if OS_TIME_DLY_HMSM_EN > 0u
INT8U OSTimeDlyHMSM(INT8U hours, INT8U minutes, INT8U seconds, INT16U ms)
{
    if (OSIntNesting > 0u)
        return OS_ERR_TIME_DLY_ISR;
    if (OSLockNesting > 0u)
        return OS_ERR_SCHED_LOCKED;
#if OS_ARG_CHK_EN > 0u
    if (hours == 0u && minutes == 0u && seconds == 0u && ms == 0u)
        return OS_ERR_TIME_ZERO_DLY;
    if (minutes > 59u)
        return OS_ERR_TIME_INVALID_MINUTES;
    if (seconds > 59u)
        return OS_ERR_TIME_INVALID_SECONDS;
    if (ms > 999u)
        return OS_ERR_TIME_INVALID_MS;
#endif
    /* Whole seconds in ticks, plus the milliseconds rounded to the nearest tick. */
    const INT32U secs = (INT32U)hours * 3600u + (INT32U)minutes * 60u + seconds;
    const INT32U ticks = secs * OS_TICKS_PER_SEC + (OS_TICKS_PER_SEC * ((INT32U)ms + 500u / OS_TICKS_PER_SEC)) / 1000u;
    OSTimeDly(ticks);
    return OS_ERR_NONE;
}
#endif

#if OS_TIME_DLY_RESUME_EN > 0u
INT8U OSTimeDlyResume(INT8U prio)
{
    OSK_CRITICAL_STATE;
    if (prio >= OS_LOWEST_PRIO)
        return OS_ERR_PRIO_INVALID;
    OSK_ENTER();
    OS_TCB *t = osk_task_at(prio);
    if (t == (OS_TCB *)0) {
        OSK_EXIT();
        return OS_ERR_TASK_NOT_EXIST;
    }
    if (t->OSTCBDly == 0u) {
        OSK_EXIT();
        return OS_ERR_TIME_NOT_DLY;
    }
    if ((t->OSTCBStat & OS_STAT_PEND_ANY) != 0u) {
        osk_end_wait(t, OS_STAT_PEND_TO); /* a wait with a timeout: ends as timed out */
    } else {
        t->OSTCBDly = 0u;
        if ((t->OSTCBStat & OS_STAT_SUSPEND) == 0u)
            osk_ready(t);
    }
    OSK_EXIT();
    OS_Sched();
    return OS_ERR_NONE;
}
#endif

#if OS_TIME_GET_SET_EN > 0u
INT32U OSTimeGet(void)
{
    OSK_CRITICAL_STATE;
    OSK_ENTER();
    const INT32U t = OSTime;
    OSK_EXIT();
    return t;
}

void OSTimeSet(INT32U ticks)
{
    OSK_CRITICAL_STATE;
    OSK_ENTER();
    OSTime = ticks;
    OSK_EXIT();
}
#endif
