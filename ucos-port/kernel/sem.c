/*
 * Compatible kernel (independent implementation, see ucos_ii.h): counting semaphores.
 * A post hands the count straight to the highest-priority waiter if there is one.
 */
#include "os_kernel.h"

#if OS_SEM_EN > 0u

OS_EVENT *OSSemCreate(INT16U cnt)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return (OS_EVENT *)0;
    OSK_ENTER();
    OS_EVENT *ev = osk_event_alloc(OS_EVENT_TYPE_SEM);
    if (ev != (OS_EVENT *)0)
        ev->OSEventCnt = cnt;
    OSK_EXIT();
    return ev;
}

void OSSemPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_pend_check(pevent, OS_EVENT_TYPE_SEM);
    if (*perr != OS_ERR_NONE)
        return;
    OSK_ENTER();
    if (pevent->OSEventCnt > 0u)
        pevent->OSEventCnt--;
    else
        *perr = osk_event_block(pevent, OS_STAT_SEM, timeout, cpu_sr);
    OSK_EXIT();
}

INT8U OSSemPost(OS_EVENT *pevent)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_SEM);
    if (err != OS_ERR_NONE)
        return err;
    OSK_ENTER();
    if (osk_event_deliver(pevent, (void *)0, OS_POST_OPT_NONE)) {
        OSK_EXIT();
        OS_Sched();
        return OS_ERR_NONE;
    }
    INT8U result = OS_ERR_NONE;
    if (pevent->OSEventCnt < 65535u)
        pevent->OSEventCnt++;
    else
        result = OS_ERR_SEM_OVF;
    OSK_EXIT();
    return result;
}

#if OS_SEM_ACCEPT_EN > 0u
INT16U OSSemAccept(OS_EVENT *pevent)
{
    OSK_CRITICAL_STATE;
    if (osk_event_check(pevent, OS_EVENT_TYPE_SEM) != OS_ERR_NONE)
        return 0u;
    OSK_ENTER();
    const INT16U cnt = pevent->OSEventCnt;
    if (cnt > 0u)
        pevent->OSEventCnt--;
    OSK_EXIT();
    return cnt;
}
#endif

#if OS_SEM_DEL_EN > 0u
OS_EVENT *OSSemDel(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_delete(pevent, OS_EVENT_TYPE_SEM, opt, perr, 0);
}
#endif

#if OS_SEM_PEND_ABORT_EN > 0u
INT8U OSSemPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_pend_abort(pevent, OS_EVENT_TYPE_SEM, opt, perr);
}
#endif

#if OS_SEM_QUERY_EN > 0u
INT8U OSSemQuery(OS_EVENT *pevent, OS_SEM_DATA *p_sem_data)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_SEM);
    if (err != OS_ERR_NONE)
        return err;
#if OS_ARG_CHK_EN > 0u
    if (p_sem_data == (OS_SEM_DATA *)0)
        return OS_ERR_PDATA_NULL;
#endif
    OSK_ENTER();
    osk_event_query(pevent, &p_sem_data->OSEventGrp, p_sem_data->OSEventTbl);
    p_sem_data->OSCnt = pevent->OSEventCnt;
    OSK_EXIT();
    return OS_ERR_NONE;
}
#endif

#if OS_SEM_SET_EN > 0u
void OSSemSet(OS_EVENT *pevent, INT16U cnt, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_event_check(pevent, OS_EVENT_TYPE_SEM);
    if (*perr != OS_ERR_NONE)
        return;
    OSK_ENTER();
    if (pevent->OSEventCnt > 0u || !osk_event_has_waiters(pevent))
        pevent->OSEventCnt = cnt;
    else
        *perr = OS_ERR_TASK_WAITING; /* tasks are waiting: the count stays 0 */
    OSK_EXIT();
}
#endif

#endif /* OS_SEM_EN */
