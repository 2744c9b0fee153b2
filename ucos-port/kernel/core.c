/*
 * Compatible kernel (independent implementation, see ucos_ii.h): start-up, the scheduler,
 * interrupt bookkeeping, scheduler locking, the idle and statistics tasks, and the wait
 * machinery shared by every kernel object.
 */
#define OS_GLOBALS
#include "os_kernel.h"

/* OSUnMapTbl[b]: the number of the lowest set bit of b (0 for b = 0), generated. */
#define OSK_LSB(b)                                                                                                     \
    ((b)&0x01u   ? 0u                                                                                                  \
     : (b)&0x02u ? 1u                                                                                                  \
     : (b)&0x04u ? 2u                                                                                                  \
     : (b)&0x08u ? 3u                                                                                                  \
     : (b)&0x10u ? 4u                                                                                                  \
     : (b)&0x20u ? 5u                                                                                                  \
     : (b)&0x40u ? 6u                                                                                                  \
     : (b)&0x80u ? 7u                                                                                                  \
                 : 0u)
#define OSK_LSB4(b) OSK_LSB(b), OSK_LSB((b) + 1u), OSK_LSB((b) + 2u), OSK_LSB((b) + 3u)
#define OSK_LSB16(b) OSK_LSB4(b), OSK_LSB4((b) + 4u), OSK_LSB4((b) + 8u), OSK_LSB4((b) + 12u)
#define OSK_LSB64(b) OSK_LSB16(b), OSK_LSB16((b) + 16u), OSK_LSB16((b) + 32u), OSK_LSB16((b) + 48u)

INT8U const OSUnMapTbl[256] = {OSK_LSB64(0u), OSK_LSB64(64u), OSK_LSB64(128u), OSK_LSB64(192u)};

/* ---- small helpers ---- */

void OS_MemClr(INT8U *pdest, INT16U size)
{
    while (size-- > 0u)
        *pdest++ = 0u;
}

void OS_MemCopy(INT8U *pdest, INT8U *psrc, INT16U size)
{
    while (size-- > 0u)
        *pdest++ = *psrc++;
}

INT8U osk_strlen(const INT8U *s)
{
    INT8U n = 0u;
    while (s[n] != OS_ASCII_NUL && n < 255u)
        n++;
    return n;
}

/* ---- priorities ---- */

void osk_set_prio_fields(OS_TCB *t, INT8U prio)
{
    t->OSTCBPrio = prio;
    t->OSTCBY = (INT8U)(prio >> 3);
    t->OSTCBX = (INT8U)(prio & 7u);
    t->OSTCBBitY = (OS_PRIO)(1u << t->OSTCBY);
    t->OSTCBBitX = (OS_PRIO)(1u << t->OSTCBX);
}

void osk_move_prio(OS_TCB *t, INT8U prio)
{
    const BOOLEAN ready =
        (OSRdyTbl[t->OSTCBY] & t->OSTCBBitX) != 0u && (t->OSTCBStat & (OS_STAT_PEND_ANY | OS_STAT_SUSPEND)) == 0u;
#if OS_EVENT_EN
    OS_EVENT *ev = t->OSTCBEventPtr;
#endif
    if (ready)
        osk_unready(t);
#if OS_EVENT_EN
    if (ev != (OS_EVENT *)0)
        osk_bitmap_clear(&ev->OSEventGrp, ev->OSEventTbl, t);
#endif
    osk_set_prio_fields(t, prio);
    if (ready)
        osk_ready(t);
#if OS_EVENT_EN
    if (ev != (OS_EVENT *)0)
        osk_bitmap_set(&ev->OSEventGrp, ev->OSEventTbl, t);
#endif
    if (t == OSTCBCur)
        OSPrioCur = prio;
}

/* ---- waiting on events ---- */

#if OS_EVENT_EN
void osk_event_wait(OS_EVENT *pevent, INT8U stat, INT32U timeout)
{
    OS_TCB *t = OSTCBCur;
    t->OSTCBStat |= stat;
    t->OSTCBStatPend = OS_STAT_PEND_OK;
    t->OSTCBDly = timeout;
    t->OSTCBEventPtr = pevent;
    osk_unready(t);
    osk_bitmap_set(&pevent->OSEventGrp, pevent->OSEventTbl, t);
}

OS_TCB *osk_event_wake(OS_EVENT *pevent, void *msg, INT8U pend_stat)
{
    const INT8U prio = osk_bitmap_highest(pevent->OSEventGrp, pevent->OSEventTbl);
    OS_TCB *t = OSTCBPrioTbl[prio];
#if ((OS_Q_EN > 0u) && (OS_MAX_QS > 0u)) || (OS_MBOX_EN > 0u)
    t->OSTCBMsg = msg;
#else
    (void)msg;
#endif
    osk_end_wait(t, pend_stat);
    return t;
}

INT8U osk_event_abort_all(OS_EVENT *pevent, BOOLEAN all)
{
    INT8U n = 0u;
    while (osk_event_has_waiters(pevent)) {
        (void)osk_event_wake(pevent, (void *)0, OS_STAT_PEND_ABORT);
        n++;
        if (!all)
            break;
    }
    return n;
}

INT8U osk_event_result(void)
{
    OS_TCB *t = OSTCBCur;
    INT8U err;
    switch (t->OSTCBStatPend) {
    case OS_STAT_PEND_OK: err = OS_ERR_NONE; break;
    case OS_STAT_PEND_ABORT: err = OS_ERR_PEND_ABORT; break;
    default: err = OS_ERR_TIMEOUT; break;
    }
    t->OSTCBStatPend = OS_STAT_PEND_OK;
    t->OSTCBEventPtr = (OS_EVENT *)0;
    return err;
}

OS_EVENT *osk_event_alloc(INT8U type)
{
    OS_EVENT *ev = OSEventFreeList;
    if (ev == (OS_EVENT *)0)
        return ev;
    OSEventFreeList = (OS_EVENT *)ev->OSEventPtr;
    ev->OSEventType = type;
    ev->OSEventPtr = (void *)0;
    ev->OSEventCnt = 0u;
    ev->OSEventGrp = 0u;
    for (INT8U i = 0u; i < OS_EVENT_TBL_SIZE; i++)
        ev->OSEventTbl[i] = 0u;
#if OS_EVENT_NAME_EN > 0u
    ev->OSEventName = (INT8U *)(void *)"?";
#endif
    return ev;
}

void osk_event_free(OS_EVENT *pevent)
{
    pevent->OSEventType = OS_EVENT_TYPE_UNUSED;
    pevent->OSEventCnt = 0u;
#if OS_EVENT_NAME_EN > 0u
    pevent->OSEventName = (INT8U *)(void *)"?";
#endif
    pevent->OSEventPtr = OSEventFreeList;
    OSEventFreeList = pevent;
}

INT8U osk_event_check(const OS_EVENT *pevent, INT8U type)
{
#if OS_ARG_CHK_EN > 0u
    if (pevent == (OS_EVENT *)0)
        return OS_ERR_PEVENT_NULL;
#endif
    return pevent->OSEventType == type ? OS_ERR_NONE : OS_ERR_EVENT_TYPE;
}

void osk_event_query(const OS_EVENT *pevent, OS_PRIO *grp, OS_PRIO *tbl)
{
    *grp = pevent->OSEventGrp;
    for (INT8U i = 0u; i < OS_EVENT_TBL_SIZE; i++)
        tbl[i] = pevent->OSEventTbl[i];
}
INT8U osk_pend_check(const OS_EVENT *pevent, INT8U type)
{
    const INT8U err = osk_event_check(pevent, type);
    if (err != OS_ERR_NONE)
        return err;
    if (OSIntNesting > 0u)
        return OS_ERR_PEND_ISR;
    return OSLockNesting > 0u ? OS_ERR_PEND_LOCKED : OS_ERR_NONE;
}

INT8U osk_event_block(OS_EVENT *pevent, INT8U stat, INT32U timeout, OS_CPU_SR cpu_sr)
{
    osk_event_wait(pevent, stat, timeout);
    OSK_EXIT();
    OS_Sched();
    OSK_ENTER();
    return osk_event_result();
}

BOOLEAN osk_event_deliver(OS_EVENT *pevent, void *msg, INT8U opt)
{
    if (!osk_event_has_waiters(pevent))
        return OS_FALSE;
    do {
        (void)osk_event_wake(pevent, msg, OS_STAT_PEND_OK);
    } while ((opt & OS_POST_OPT_BROADCAST) != 0u && osk_event_has_waiters(pevent));
    return OS_TRUE;
}

INT8U osk_event_post(OS_EVENT *pevent, INT8U type, void *msg, INT8U opt,
                     INT8U (*store)(OS_EVENT *pevent, void *msg, INT8U opt))
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, type);
    if (err != OS_ERR_NONE)
        return err;
    OSK_ENTER();
    if (osk_event_deliver(pevent, msg, opt)) {
        OSK_EXIT();
        if ((opt & OS_POST_OPT_NO_SCHED) == 0u)
            OS_Sched();
        return OS_ERR_NONE;
    }
    const INT8U result = store(pevent, msg, opt);
    OSK_EXIT();
    return result;
}

OS_EVENT *osk_event_delete(OS_EVENT *pevent, INT8U type, INT8U opt, INT8U *perr, void (*release)(OS_EVENT *pevent))
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, type);
    if (err != OS_ERR_NONE) {
        *perr = err;
        return pevent;
    }
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_DEL_ISR;
        return pevent;
    }
    OSK_ENTER();
    const BOOLEAN waiting = osk_event_has_waiters(pevent);
    if ((opt == OS_DEL_NO_PEND && waiting) || (opt != OS_DEL_NO_PEND && opt != OS_DEL_ALWAYS)) {
        OSK_EXIT();
        *perr = opt == OS_DEL_NO_PEND ? OS_ERR_TASK_WAITING : OS_ERR_INVALID_OPT;
        return pevent;
    }
    if (release != 0)
        release(pevent);
    (void)osk_event_abort_all(pevent, OS_TRUE);
    osk_event_free(pevent);
    OSK_EXIT();
    if (waiting)
        OS_Sched();
    *perr = OS_ERR_NONE;
    return (OS_EVENT *)0;
}

INT8U osk_event_pend_abort(OS_EVENT *pevent, INT8U type, INT8U opt, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, type);
    if (err != OS_ERR_NONE) {
        *perr = err;
        return 0u;
    }
    OSK_ENTER();
    const INT8U n = osk_event_abort_all(pevent, opt == OS_PEND_OPT_BROADCAST);
    OSK_EXIT();
    *perr = n > 0u ? OS_ERR_PEND_ABORT : OS_ERR_NONE;
    if (n > 0u)
        OS_Sched();
    return n;
}
#if OS_EVENT_NAME_EN > 0u
static INT8U osk_event_name_check(const OS_EVENT *pevent, const void *pname)
{
#if OS_ARG_CHK_EN > 0u
    if (pevent == (OS_EVENT *)0)
        return OS_ERR_PEVENT_NULL;
    if (pname == (void *)0)
        return OS_ERR_PNAME_NULL;
#endif
    switch (pevent->OSEventType) {
    case OS_EVENT_TYPE_SEM:
    case OS_EVENT_TYPE_MUTEX:
    case OS_EVENT_TYPE_MBOX:
    case OS_EVENT_TYPE_Q: return OS_ERR_NONE;
    default: return OS_ERR_EVENT_TYPE;
    }
}

INT8U OSEventNameGet(OS_EVENT *pevent, INT8U **pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_event_name_check(pevent, pname);
    if (*perr == OS_ERR_NONE && OSIntNesting > 0u)
        *perr = OS_ERR_NAME_GET_ISR;
    if (*perr != OS_ERR_NONE)
        return 0u;
    OSK_ENTER();
    *pname = pevent->OSEventName;
    const INT8U len = osk_strlen(*pname);
    OSK_EXIT();
    return len;
}

void OSEventNameSet(OS_EVENT *pevent, INT8U *pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_event_name_check(pevent, pname);
    if (*perr == OS_ERR_NONE && OSIntNesting > 0u)
        *perr = OS_ERR_NAME_SET_ISR;
    if (*perr != OS_ERR_NONE)
        return;
    OSK_ENTER();
    pevent->OSEventName = pname;
    OSK_EXIT();
}
#endif
#endif /* OS_EVENT_EN */

void osk_unlink_wait(OS_TCB *t)
{
#if OS_EVENT_EN
    if (t->OSTCBEventPtr != (OS_EVENT *)0) {
        OS_EVENT *ev = t->OSTCBEventPtr;
        osk_bitmap_clear(&ev->OSEventGrp, ev->OSEventTbl, t);
    }
#endif
#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
    if (t->OSTCBFlagNode != (OS_FLAG_NODE *)0) {
        osk_flag_unlink(t->OSTCBFlagNode);
        t->OSTCBFlagNode = (OS_FLAG_NODE *)0;
    }
#endif
}

void osk_end_wait(OS_TCB *t, INT8U pend_stat)
{
    osk_unlink_wait(t);
    t->OSTCBDly = 0u;
    t->OSTCBStat &= (INT8U)~OS_STAT_PEND_ANY;
    t->OSTCBStatPend = pend_stat;
    if ((t->OSTCBStat & OS_STAT_SUSPEND) == 0u)
        osk_ready(t);
}

/* ---- scheduling ---- */

void OS_Sched(void)
{
    OSK_CRITICAL_STATE;
    OSK_ENTER();
    if (OSIntNesting == 0u && OSLockNesting == 0u) {
        OSPrioHighRdy = osk_bitmap_highest(OSRdyGrp, OSRdyTbl);
        if (OSPrioHighRdy != OSPrioCur) {
            OSTCBHighRdy = OSTCBPrioTbl[OSPrioHighRdy];
            OSCtxSwCtr++;
            OS_TASK_SW();
        }
    }
    OSK_EXIT();
}

void OSIntEnter(void)
{
    if (OSRunning == OS_TRUE && OSIntNesting < 255u)
        OSIntNesting++;
}

void OSIntExit(void)
{
    OSK_CRITICAL_STATE;
    if (OSRunning != OS_TRUE)
        return;
    OSK_ENTER();
    if (OSIntNesting > 0u)
        OSIntNesting--;
    if (OSIntNesting == 0u && OSLockNesting == 0u) {
        OSPrioHighRdy = osk_bitmap_highest(OSRdyGrp, OSRdyTbl);
        if (OSPrioHighRdy != OSPrioCur) {
            OSTCBHighRdy = OSTCBPrioTbl[OSPrioHighRdy];
            OSCtxSwCtr++;
            OSIntCtxSw(); /* does not return here */
        }
    }
    OSK_EXIT();
}

#if OS_SCHED_LOCK_EN > 0u
void OSSchedLock(void)
{
    OSK_CRITICAL_STATE;
    if (OSRunning != OS_TRUE)
        return;
    OSK_ENTER();
    if (OSIntNesting == 0u && OSLockNesting < 255u)
        OSLockNesting++;
    OSK_EXIT();
}

void OSSchedUnlock(void)
{
    OSK_CRITICAL_STATE;
    if (OSRunning != OS_TRUE)
        return;
    OSK_ENTER();
    if (OSIntNesting > 0u || OSLockNesting == 0u) {
        OSK_EXIT();
        return;
    }
    OSLockNesting--;
    const BOOLEAN run = OSLockNesting == 0u;
    OSK_EXIT();
    if (run)
        OS_Sched(); /* whatever became ready while locked runs now */
}
#endif

void OSStart(void)
{
    if (OSRunning != OS_FALSE)
        return;
    OSPrioHighRdy = osk_bitmap_highest(OSRdyGrp, OSRdyTbl);
    OSPrioCur = OSPrioHighRdy;
    OSTCBHighRdy = OSTCBPrioTbl[OSPrioHighRdy];
    OSTCBCur = OSTCBHighRdy;
    OSStartHighRdy(); /* never returns */
}

INT16U OSVersion(void) { return OS_VERSION; }

/* ---- system tasks ---- */

void OS_TaskIdle(void *p_arg)
{
    OSK_CRITICAL_STATE;
    (void)p_arg;
    for (;;) {
        OSK_ENTER();
        OSIdleCtr++;
        OSK_EXIT();
        OSTaskIdleHook();
    }
}

void OS_TaskReturn(void)
{
    OSTaskReturnHook(OSTCBCur);
#if OS_TASK_DEL_EN > 0u
    (void)OSTaskDel(OS_PRIO_SELF);
#endif
    for (;;)
        OSTimeDly(OS_TICKS_PER_SEC);
}

#if OS_TASK_STAT_EN > 0u
void OSStatInit(void)
{
    OSK_CRITICAL_STATE;
    OSTimeDly(2u); /* start on a tick boundary */
    OSK_ENTER();
    OSIdleCtr = 0u;
    OSK_EXIT();
    OSTimeDly(OS_TICKS_PER_SEC / 10u); /* what the idle task counts in 100 ms, alone */
    OSK_ENTER();
    OSIdleCtrMax = OSIdleCtr;
    OSStatRdy = OS_TRUE;
    OSK_EXIT();
}

#if (OS_TASK_STAT_STK_CHK_EN > 0u) && (OS_TASK_CREATE_EXT_EN > 0u)
static void osk_stat_stacks(void)
{
    OS_STK_DATA data;
    for (INT8U prio = 0u; prio <= OS_LOWEST_PRIO; prio++)
        (void)OSTaskStkChk(prio, &data); /* the figures are there for a debugger */
}
#endif

/*
 * CPU usage over each 100 ms: 100 - OSIdleCtrRun / (OSIdleCtrMax / 100). As documented for
 * µC/OS-II, OSIdleCtrMax is divided by 100 in place once calibrated; if that leaves 0 (the
 * idle task counted fewer than 100 in OSStatInit's 100 ms), usage cannot be computed: the
 * task sets OSCPUUsage to 0 and suspends itself for good, so OSTaskStatHook() and the stack
 * checks stop too. A window with more idle counts than calibrated reports 0 % and lowers
 * OSIdleCtrMax to that window's count (up to the 8-bit wrap below).
 */
void OS_TaskStat(void *p_arg)
{
    OSK_CRITICAL_STATE;
    (void)p_arg;
    while (OSStatRdy == OS_FALSE)
        OSTimeDly(2u * OS_TICKS_PER_SEC / 10u);
    OSIdleCtrMax /= 100u;
    if (OSIdleCtrMax == 0u) {
        OSCPUUsage = 0u;
#if OS_TASK_SUSPEND_EN > 0u
        (void)OSTaskSuspend(OS_PRIO_SELF);
#else
        for (;;)
            OSTimeDly(OS_TICKS_PER_SEC);
#endif
    }
    OSK_ENTER();
    OSIdleCtr = OSIdleCtrMax * 100u; /* 0 % until the first window is measured */
    OSK_EXIT();
    for (;;) {
        OSTimeDly(1u); /* windows start on a tick */
        OSK_ENTER();
        OSIdleCtr = 0u;
        OSK_EXIT();
        OSTimeDly(OS_TICKS_PER_SEC / 10u);
        OSK_ENTER();
        OSIdleCtrRun = OSIdleCtr;
        OSK_EXIT();
        /* In signed 8 bits, as µC/OS-II computes it: a window with 128 % or more of the
         * calibrated idle count wraps (from 256 % it reads as a usage again). */
        const INT8S usage = (INT8S)(100 - (INT8S)(OSIdleCtrRun / OSIdleCtrMax));
        if (usage >= 0) {
            OSCPUUsage = (INT8U)usage;
        } else {
            OSCPUUsage = 0u;
            OSIdleCtrMax = OSIdleCtrRun / 100u;
        }
        OSTaskStatHook();
#if (OS_TASK_STAT_STK_CHK_EN > 0u) && (OS_TASK_CREATE_EXT_EN > 0u)
        osk_stat_stacks();
#endif
    }
}
#else
void OSStatInit(void) {}
#endif

static void osk_create_system_task(void (*task)(void *), OS_STK *stk, INT32U size, INT8U prio, INT16U id,
                                   const char *name)
{
#if OS_TASK_CREATE_EXT_EN > 0u
    (void)OSTaskCreateExt(task, (void *)0, &stk[size - 1u], prio, id, &stk[0], size, (void *)0,
                          OS_TASK_OPT_STK_CHK | OS_TASK_OPT_STK_CLR);
#else
    (void)id;
    (void)OSTaskCreate(task, (void *)0, &stk[size - 1u], prio);
#endif
#if OS_TASK_NAME_EN > 0u
    INT8U err;
    OSTaskNameSet(prio, (INT8U *)(void *)name, &err);
#else
    (void)name;
#endif
}

/* ---- initialisation ---- */

void OSInit(void)
{
    OSInitHookBegin();

    OSTime = 0u;
    OSIntNesting = 0u;
    OSLockNesting = 0u;
    OSTaskCtr = 0u;
    OSRunning = OS_FALSE;
    OSCtxSwCtr = 0u;
    OSIdleCtr = 0u;
#if OS_TASK_STAT_EN > 0u
    OSIdleCtrRun = 0u;
    OSIdleCtrMax = 0u;
    OSStatRdy = OS_FALSE;
    OSCPUUsage = 0u;
#endif

    OSRdyGrp = 0u;
    for (INT8U i = 0u; i < OS_RDY_TBL_SIZE; i++)
        OSRdyTbl[i] = 0u;
    OSPrioCur = 0u;
    OSPrioHighRdy = 0u;
    OSTCBHighRdy = (OS_TCB *)0;
    OSTCBCur = (OS_TCB *)0;

    OSTCBList = (OS_TCB *)0;
    for (INT16U p = 0u; p <= OS_LOWEST_PRIO; p++)
        OSTCBPrioTbl[p] = (OS_TCB *)0;
    OSTCBFreeList = (OS_TCB *)0;
    for (INT16U i = OS_MAX_TASKS + OS_N_SYS_TASKS; i-- > 0u;) {
        OS_MemClr((INT8U *)&OSTCBTbl[i], (INT16U)sizeof OSTCBTbl[i]);
#if OS_TASK_NAME_EN > 0u
        OSTCBTbl[i].OSTCBTaskName = (INT8U *)(void *)"?";
#endif
        OSTCBTbl[i].OSTCBNext = OSTCBFreeList;
        OSTCBFreeList = &OSTCBTbl[i];
    }

#if OS_EVENT_EN && (OS_MAX_EVENTS > 0u)
    OSEventFreeList = (OS_EVENT *)0;
    for (INT16U i = OS_MAX_EVENTS; i-- > 0u;) {
        OS_MemClr((INT8U *)&OSEventTbl[i], (INT16U)sizeof OSEventTbl[i]);
        osk_event_free(&OSEventTbl[i]);
    }
#endif
#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
    osk_flag_init();
#endif
#if (OS_Q_EN > 0u) && (OS_MAX_QS > 0u)
    osk_q_init();
#endif
#if (OS_MEM_EN > 0u) && (OS_MAX_MEM_PART > 0u)
    osk_mem_init();
#endif

    osk_create_system_task(OS_TaskIdle, OSTaskIdleStk, OS_TASK_IDLE_STK_SIZE, OS_TASK_IDLE_PRIO, OS_TASK_IDLE_ID,
                           "uC/OS-II Idle");
#if OS_TASK_STAT_EN > 0u
    osk_create_system_task(OS_TaskStat, OSTaskStatStk, OS_TASK_STAT_STK_SIZE, OS_TASK_STAT_PRIO, OS_TASK_STAT_ID,
                           "uC/OS-II Stat");
#endif

    OSInitHookEnd();
}
