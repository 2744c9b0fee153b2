/*
 * Compatible kernel (independent implementation, see ucos_ii.h): task management. A task is
 * known by its priority (one task per priority); OSTCBPrioTbl[prio] is its TCB, NULL, or
 * OS_TCB_RESERVED while a creation is under way or a mutex holds the priority as ceiling.
 */
#include "os_kernel.h"

INT8U osk_tcb_init(INT8U prio, OS_STK *psp, OS_STK *pbos, INT16U id, INT32U stk_size, void *pext, INT16U opt)
{
    OSK_CRITICAL_STATE;
    OSK_ENTER();
    OS_TCB *t = OSTCBFreeList;
    if (t == (OS_TCB *)0) {
        OSK_EXIT();
        return OS_ERR_TASK_NO_MORE_TCB;
    }
    OSTCBFreeList = t->OSTCBNext;
    OSK_EXIT();

    t->OSTCBStkPtr = psp;
#if OS_TASK_CREATE_EXT_EN > 0u
    t->OSTCBExtPtr = pext;
    t->OSTCBStkBottom = pbos;
    t->OSTCBStkSize = stk_size;
    t->OSTCBOpt = opt;
    t->OSTCBId = id;
#else
    (void)pext;
    (void)pbos;
    (void)stk_size;
    (void)opt;
    (void)id;
#endif
#if OS_EVENT_EN
    t->OSTCBEventPtr = (OS_EVENT *)0;
#endif
#if ((OS_Q_EN > 0u) && (OS_MAX_QS > 0u)) || (OS_MBOX_EN > 0u)
    t->OSTCBMsg = (void *)0;
#endif
#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
    t->OSTCBFlagNode = (OS_FLAG_NODE *)0;
    t->OSTCBFlagsRdy = 0u;
#endif
    t->OSTCBDly = 0u;
    t->OSTCBStat = OS_STAT_RDY;
    t->OSTCBStatPend = OS_STAT_PEND_OK;
    osk_set_prio_fields(t, prio);
#if OS_TASK_DEL_EN > 0u
    t->OSTCBDelReq = OS_ERR_NONE;
#endif
#if OS_TASK_NAME_EN > 0u
    t->OSTCBTaskName = (INT8U *)(void *)"?";
#endif

    OSTCBInitHook(t);
    OSTaskCreateHook(t);

    OSK_ENTER();
    OSTCBPrioTbl[prio] = t;
    t->OSTCBPrev = (OS_TCB *)0;
    t->OSTCBNext = OSTCBList;
    if (OSTCBList != (OS_TCB *)0)
        OSTCBList->OSTCBPrev = t;
    OSTCBList = t;
    osk_ready(t);
    OSTaskCtr++;
    OSK_EXIT();
    return OS_ERR_NONE;
}

/* In a critical section: the task at *prio (OS_PRIO_SELF: the caller, *prio becomes its
 * priority) in *t, or the error for no task there (if_none) or a priority a mutex holds as
 * its ceiling (if_reserved). */
static INT8U osk_find(INT8U *prio, OS_TCB **t, INT8U if_none, INT8U if_reserved)
{
    if (*prio == OS_PRIO_SELF)
        *prio = OSTCBCur->OSTCBPrio;
    *t = OSTCBPrioTbl[*prio];
    if (*t == (OS_TCB *)0)
        return if_none;
    return *t == OS_TCB_RESERVED ? if_reserved : OS_ERR_NONE;
}

/* Reserves prio for a task being created: OS_ERR_NONE or why not. */
static INT8U osk_reserve(INT8U prio)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio > OS_LOWEST_PRIO)
        return OS_ERR_PRIO_INVALID;
#endif
    OSK_ENTER();
    if (OSIntNesting > 0u) {
        OSK_EXIT();
        return OS_ERR_TASK_CREATE_ISR;
    }
    if (OSTCBPrioTbl[prio] != (OS_TCB *)0) {
        OSK_EXIT();
        return OS_ERR_PRIO_EXIST;
    }
    OSTCBPrioTbl[prio] = OS_TCB_RESERVED;
    OSK_EXIT();
    return OS_ERR_NONE;
}

static INT8U osk_create(void (*task)(void *), void *p_arg, OS_STK *ptos, INT8U prio, INT16U id, OS_STK *pbos,
                        INT32U stk_size, void *pext, INT16U opt)
{
    OSK_CRITICAL_STATE;
    INT8U err = osk_reserve(prio);
    if (err != OS_ERR_NONE)
        return err;
    OS_STK *psp = OSTaskStkInit(task, p_arg, ptos, opt);
    err = osk_tcb_init(prio, psp, pbos, id, stk_size, pext, opt);
    if (err != OS_ERR_NONE) {
        OSK_ENTER();
        OSTCBPrioTbl[prio] = (OS_TCB *)0;
        OSK_EXIT();
        return err;
    }
    if (OSRunning == OS_TRUE)
        OS_Sched(); /* a new task of higher priority runs at once */
    return OS_ERR_NONE;
}

#if OS_TASK_CREATE_EN > 0u
INT8U OSTaskCreate(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT8U prio)
{
    return osk_create(task, p_arg, ptos, prio, 0u, (OS_STK *)0, 0u, (void *)0, OS_TASK_OPT_NONE);
}
#endif

#if OS_TASK_CREATE_EXT_EN > 0u
INT8U OSTaskCreateExt(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT8U prio, INT16U id, OS_STK *pbos,
                      INT32U stk_size, void *pext, INT16U opt)
{
    if ((opt & OS_TASK_OPT_STK_CHK) != 0u && (opt & OS_TASK_OPT_STK_CLR) != 0u && pbos != (OS_STK *)0 &&
        OSIntNesting == 0u) {
        for (INT32U i = 0u; i < stk_size; i++)
            pbos[i] = 0u;
    }
    return osk_create(task, p_arg, ptos, prio, id, pbos, stk_size, pext, opt);
}
#endif

#if OS_TASK_DEL_EN > 0u
INT8U OSTaskDel(INT8U prio)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return OS_ERR_TASK_DEL_ISR;
    if (prio == OS_TASK_IDLE_PRIO)
        return OS_ERR_TASK_DEL_IDLE;
#if OS_ARG_CHK_EN > 0u
    if (prio >= OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
#endif
    OS_TCB *t;
    OSK_ENTER();
    const INT8U err = osk_find(&prio, &t, OS_ERR_TASK_NOT_EXIST, OS_ERR_TASK_DEL);
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    osk_unready(t);
    osk_unlink_wait(t);
    t->OSTCBDly = 0u;
    t->OSTCBStat = OS_STAT_RDY;
    t->OSTCBStatPend = OS_STAT_PEND_OK;
    /* A task running at a mutex's ceiling was found by its original priority: its ceiling
     * entry goes back to the mutex. (Like µC/OS-II, the mutex itself stays owned.) */
    if (t->OSTCBPrio != prio && OSTCBPrioTbl[t->OSTCBPrio] == t)
        OSTCBPrioTbl[t->OSTCBPrio] = OS_TCB_RESERVED;
    /* Keep the scheduler out while the hook runs with interrupts enabled. */
    if (OSLockNesting < 255u)
        OSLockNesting++;
    OSK_EXIT();
    OSTaskDelHook(t);
    OSK_ENTER();
    if (OSLockNesting > 0u)
        OSLockNesting--;
    OSTaskCtr--;
    OSTCBPrioTbl[prio] = (OS_TCB *)0;
    if (t->OSTCBPrev == (OS_TCB *)0)
        OSTCBList = t->OSTCBNext;
    else
        t->OSTCBPrev->OSTCBNext = t->OSTCBNext;
    if (t->OSTCBNext != (OS_TCB *)0)
        t->OSTCBNext->OSTCBPrev = t->OSTCBPrev;
    t->OSTCBNext = OSTCBFreeList;
    t->OSTCBStkPtr = (OS_STK *)0;
#if OS_TASK_NAME_EN > 0u
    t->OSTCBTaskName = (INT8U *)(void *)"?";
#endif
    OSTCBFreeList = t;
    OSK_EXIT();
    if (OSRunning == OS_TRUE)
        OS_Sched(); /* a task deleting itself never comes back from here */
    return OS_ERR_NONE;
}

INT8U OSTaskDelReq(INT8U prio)
{
    OSK_CRITICAL_STATE;
    if (prio == OS_TASK_IDLE_PRIO)
        return OS_ERR_TASK_DEL_IDLE;
#if OS_ARG_CHK_EN > 0u
    if (prio >= OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
#endif
    OS_TCB *t;
    const BOOLEAN self = prio == OS_PRIO_SELF;
    OSK_ENTER();
    INT8U err = osk_find(&prio, &t, OS_ERR_TASK_NOT_EXIST, OS_ERR_TASK_DEL);
    if (err == OS_ERR_NONE) {
        if (self)
            err = t->OSTCBDelReq; /* asked whether to delete itself */
        else
            t->OSTCBDelReq = OS_ERR_TASK_DEL_REQ;
    }
    OSK_EXIT();
    return err;
}
#endif

#if OS_TASK_SUSPEND_EN > 0u
INT8U OSTaskSuspend(INT8U prio)
{
    OSK_CRITICAL_STATE;
    if (prio == OS_TASK_IDLE_PRIO)
        return OS_ERR_TASK_SUSPEND_IDLE;
#if OS_ARG_CHK_EN > 0u
    if (prio >= OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
#endif
    OS_TCB *t;
    OSK_ENTER();
    const INT8U err = osk_find(&prio, &t, OS_ERR_TASK_SUSPEND_PRIO, OS_ERR_TASK_NOT_EXIST);
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    const BOOLEAN self = t == OSTCBCur;
    osk_unready(t);
    t->OSTCBStat |= OS_STAT_SUSPEND;
    OSK_EXIT();
    if (self)
        OS_Sched();
    return OS_ERR_NONE;
}

INT8U OSTaskResume(INT8U prio)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio >= OS_LOWEST_PRIO)
        return OS_ERR_PRIO_INVALID;
#endif
    OS_TCB *t;
    OSK_ENTER();
    INT8U err = osk_find(&prio, &t, OS_ERR_TASK_RESUME_PRIO, OS_ERR_TASK_NOT_EXIST);
    if (err == OS_ERR_NONE && (t->OSTCBStat & OS_STAT_SUSPEND) == 0u)
        err = OS_ERR_TASK_NOT_SUSPENDED;
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    t->OSTCBStat &= (INT8U)~OS_STAT_SUSPEND;
    const BOOLEAN run = (t->OSTCBStat & OS_STAT_PEND_ANY) == 0u && t->OSTCBDly == 0u;
    if (run)
        osk_ready(t);
    OSK_EXIT();
    if (run && OSRunning == OS_TRUE)
        OS_Sched();
    return OS_ERR_NONE;
}
#endif

#if OS_TASK_CHANGE_PRIO_EN > 0u
INT8U OSTaskChangePrio(INT8U oldprio, INT8U newprio)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (oldprio >= OS_LOWEST_PRIO && oldprio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
    if (newprio >= OS_LOWEST_PRIO)
        return OS_ERR_PRIO_INVALID;
#endif
    OSK_ENTER();
    if (OSTCBPrioTbl[newprio] != (OS_TCB *)0) {
        OSK_EXIT();
        return OS_ERR_PRIO_EXIST;
    }
    OS_TCB *t;
    const INT8U err = osk_find(&oldprio, &t, OS_ERR_PRIO, OS_ERR_TASK_NOT_EXIST);
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    OSTCBPrioTbl[oldprio] = (OS_TCB *)0;
    OSTCBPrioTbl[newprio] = t;
    osk_move_prio(t, newprio);
    OSK_EXIT();
    if (OSRunning == OS_TRUE)
        OS_Sched();
    return OS_ERR_NONE;
}
#endif

#if OS_TASK_QUERY_EN > 0u
INT8U OSTaskQuery(INT8U prio, OS_TCB *p_task_data)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio > OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
    if (p_task_data == (OS_TCB *)0)
        return OS_ERR_PDATA_NULL;
#endif
    OS_TCB *t;
    OSK_ENTER();
    const INT8U err = osk_find(&prio, &t, OS_ERR_PRIO, OS_ERR_TASK_NOT_EXIST);
    if (err == OS_ERR_NONE)
        OS_MemCopy((INT8U *)p_task_data, (INT8U *)t, (INT16U)sizeof *t);
    OSK_EXIT();
    return err;
}
#endif

#if (OS_TASK_STAT_STK_CHK_EN > 0u) && (OS_TASK_CREATE_EXT_EN > 0u)
INT8U OSTaskStkChk(INT8U prio, OS_STK_DATA *p_stk_data)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio > OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
    if (p_stk_data == (OS_STK_DATA *)0)
        return OS_ERR_PDATA_NULL;
#endif
    p_stk_data->OSFree = 0u;
    p_stk_data->OSUsed = 0u;
    OS_TCB *t;
    OSK_ENTER();
    INT8U err = osk_find(&prio, &t, OS_ERR_TASK_NOT_EXIST, OS_ERR_TASK_NOT_EXIST);
    if (err == OS_ERR_NONE && (t->OSTCBOpt & OS_TASK_OPT_STK_CHK) == 0u)
        err = OS_ERR_TASK_OPT;
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    const OS_STK *bottom = t->OSTCBStkBottom;
    const INT32U size = t->OSTCBStkSize;
    OSK_EXIT();
    INT32U free = 0u;
    while (free < size && bottom[free] == 0u) /* stacks grow down: unused entries are 0 */
        free++;
    p_stk_data->OSFree = free;
    p_stk_data->OSUsed = size - free;
    return OS_ERR_NONE;
}
#endif

#if OS_TASK_NAME_EN > 0u
/* The checks of OSTaskNameGet/Set; on success *t is the task, in a critical section. */
static INT8U osk_name_task(INT8U prio, const void *pname, INT8U if_null, INT8U if_isr, OS_TCB **t, OS_CPU_SR *state)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio > OS_LOWEST_PRIO && prio != OS_PRIO_SELF)
        return OS_ERR_PRIO_INVALID;
    if (pname == (void *)0)
        return if_null;
#else
    (void)pname;
    (void)if_null;
#endif
    if (OSIntNesting > 0u)
        return if_isr;
    OSK_ENTER();
    const INT8U err = osk_find(&prio, t, OS_ERR_TASK_NOT_EXIST, OS_ERR_TASK_NOT_EXIST);
    if (err != OS_ERR_NONE) {
        OSK_EXIT();
        return err;
    }
    *state = cpu_sr;
    return OS_ERR_NONE;
}

INT8U OSTaskNameGet(INT8U prio, INT8U **pname, INT8U *perr)
{
    OS_CPU_SR cpu_sr;
    OS_TCB *t;
    *perr = osk_name_task(prio, pname, OS_ERR_PDATA_NULL, OS_ERR_NAME_GET_ISR, &t, &cpu_sr);
    if (*perr != OS_ERR_NONE)
        return 0u;
    *pname = t->OSTCBTaskName;
    const INT8U len = osk_strlen(*pname);
    OSK_EXIT();
    return len;
}

void OSTaskNameSet(INT8U prio, INT8U *pname, INT8U *perr)
{
    OS_CPU_SR cpu_sr;
    OS_TCB *t;
    *perr = osk_name_task(prio, pname, OS_ERR_PNAME_NULL, OS_ERR_NAME_SET_ISR, &t, &cpu_sr);
    if (*perr != OS_ERR_NONE)
        return;
    t->OSTCBTaskName = pname;
    OSK_EXIT();
}
#endif
