/*
 * Compatible kernel (independent implementation, see ucos_ii.h): mutual-exclusion
 * semaphores with priority-ceiling promotion.
 *
 * OSEventCnt holds the ceiling priority (PCP) in its high byte (OS_PRIO_MUTEX_CEIL_DIS: no
 * promotion) and the owner's original priority in its low byte (0xFF: available);
 * OSEventPtr is the owner's TCB. The ceiling priority is reserved in OSTCBPrioTbl while the
 * mutex exists. When a task of higher priority than the owner waits for the mutex, the
 * owner runs at the ceiling until it releases the mutex.
 */
#include "os_kernel.h"

#if OS_MUTEX_EN > 0u

#define OSK_MUTEX_FREE 0xFFu

static INT8U osk_mutex_pcp(const OS_EVENT *ev) { return (INT8U)(ev->OSEventCnt >> 8); }
static INT8U osk_mutex_owner_prio(const OS_EVENT *ev) { return (INT8U)(ev->OSEventCnt & 0xFFu); }

static void osk_mutex_set_owner(OS_EVENT *ev, OS_TCB *owner)
{
    const INT8U prio = owner == (OS_TCB *)0 ? OSK_MUTEX_FREE : owner->OSTCBPrio;
    ev->OSEventCnt = (INT16U)((ev->OSEventCnt & 0xFF00u) | prio);
    ev->OSEventPtr = owner;
}

/* The owner takes the mutex: OS_ERR_PCP_LOWER if it already is above the ceiling. */
static INT8U osk_mutex_take(OS_EVENT *ev, OS_TCB *owner)
{
    osk_mutex_set_owner(ev, owner);
    const INT8U pcp = osk_mutex_pcp(ev);
    return pcp != OS_PRIO_MUTEX_CEIL_DIS && owner->OSTCBPrio <= pcp ? OS_ERR_PCP_LOWER : OS_ERR_NONE;
}

OS_EVENT *OSMutexCreate(INT8U prio, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (prio != OS_PRIO_MUTEX_CEIL_DIS && prio >= OS_LOWEST_PRIO) {
        *perr = OS_ERR_PRIO_INVALID;
        return (OS_EVENT *)0;
    }
#endif
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_CREATE_ISR;
        return (OS_EVENT *)0;
    }
    OSK_ENTER();
    if (prio != OS_PRIO_MUTEX_CEIL_DIS && OSTCBPrioTbl[prio] != (OS_TCB *)0) {
        OSK_EXIT();
        *perr = OS_ERR_PRIO_EXIST;
        return (OS_EVENT *)0;
    }
    OS_EVENT *ev = osk_event_alloc(OS_EVENT_TYPE_MUTEX);
    if (ev == (OS_EVENT *)0) {
        OSK_EXIT();
        *perr = OS_ERR_PEVENT_NULL;
        return ev;
    }
    if (prio != OS_PRIO_MUTEX_CEIL_DIS)
        OSTCBPrioTbl[prio] = OS_TCB_RESERVED;
    ev->OSEventCnt = (INT16U)(((INT16U)prio << 8) | OSK_MUTEX_FREE);
    ev->OSEventPtr = (void *)0;
    OSK_EXIT();
    *perr = OS_ERR_NONE;
    return ev;
}

#if OS_MUTEX_ACCEPT_EN > 0u
BOOLEAN OSMutexAccept(OS_EVENT *pevent, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_MUTEX);
    if (err != OS_ERR_NONE) {
        *perr = err;
        return OS_FALSE;
    }
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_PEND_ISR;
        return OS_FALSE;
    }
    OSK_ENTER();
    if (osk_mutex_owner_prio(pevent) != OSK_MUTEX_FREE) {
        OSK_EXIT();
        *perr = OS_ERR_NONE;
        return OS_FALSE;
    }
    *perr = osk_mutex_take(pevent, OSTCBCur);
    OSK_EXIT();
    return OS_TRUE;
}
#endif

void OSMutexPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_pend_check(pevent, OS_EVENT_TYPE_MUTEX);
    if (*perr != OS_ERR_NONE)
        return;
    OSK_ENTER();
    if (osk_mutex_owner_prio(pevent) == OSK_MUTEX_FREE) {
        *perr = osk_mutex_take(pevent, OSTCBCur);
        OSK_EXIT();
        return;
    }
    /* Owned: promote the owner to the ceiling if we outrank it. */
    const INT8U pcp = osk_mutex_pcp(pevent);
    OS_TCB *owner = (OS_TCB *)pevent->OSEventPtr;
    if (pcp != OS_PRIO_MUTEX_CEIL_DIS && owner->OSTCBPrio > pcp && osk_mutex_owner_prio(pevent) > OSTCBCur->OSTCBPrio) {
        osk_move_prio(owner, pcp);
        OSTCBPrioTbl[pcp] = owner;
    }
    /* On success the poster has made us the owner. */
    *perr = osk_event_block(pevent, OS_STAT_MUTEX, timeout, cpu_sr);
    OSK_EXIT();
}

INT8U OSMutexPost(OS_EVENT *pevent)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return OS_ERR_POST_ISR;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_MUTEX);
    if (err != OS_ERR_NONE)
        return err;
    OSK_ENTER();
    if ((OS_TCB *)pevent->OSEventPtr != OSTCBCur) {
        OSK_EXIT();
        return OS_ERR_NOT_MUTEX_OWNER;
    }
    const INT8U pcp = osk_mutex_pcp(pevent);
    if (pcp != OS_PRIO_MUTEX_CEIL_DIS) {
        const INT8U own = osk_mutex_owner_prio(pevent);
        if (OSTCBCur->OSTCBPrio == pcp && own != pcp)
            osk_move_prio(OSTCBCur, own); /* back to where it was */
        OSTCBPrioTbl[pcp] = OS_TCB_RESERVED;
    }
    if (osk_event_has_waiters(pevent)) {
        OS_TCB *next = osk_event_wake(pevent, (void *)0, OS_STAT_PEND_OK);
        const INT8U result = osk_mutex_take(pevent, next);
        OSK_EXIT();
        OS_Sched();
        return result;
    }
    osk_mutex_set_owner(pevent, (OS_TCB *)0);
    OSK_EXIT();
    return OS_ERR_NONE;
}

#if OS_MUTEX_DEL_EN > 0u
/* Deleting a held mutex: the owner drops back to its own priority (it keeps running as if
 * it had posted); the ceiling priority becomes free. */
static void osk_mutex_release(OS_EVENT *ev)
{
    const INT8U pcp = osk_mutex_pcp(ev);
    OS_TCB *owner = (OS_TCB *)ev->OSEventPtr;
    if (pcp == OS_PRIO_MUTEX_CEIL_DIS)
        return;
    if (owner != (OS_TCB *)0 && owner->OSTCBPrio == pcp && osk_mutex_owner_prio(ev) != pcp)
        osk_move_prio(owner, osk_mutex_owner_prio(ev));
    OSTCBPrioTbl[pcp] = (OS_TCB *)0;
}

OS_EVENT *OSMutexDel(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_delete(pevent, OS_EVENT_TYPE_MUTEX, opt, perr, osk_mutex_release);
}
#endif

#if OS_MUTEX_QUERY_EN > 0u
INT8U OSMutexQuery(OS_EVENT *pevent, OS_MUTEX_DATA *p_mutex_data)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return OS_ERR_QUERY_ISR;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_MUTEX);
    if (err != OS_ERR_NONE)
        return err;
#if OS_ARG_CHK_EN > 0u
    if (p_mutex_data == (OS_MUTEX_DATA *)0)
        return OS_ERR_PDATA_NULL;
#endif
    OSK_ENTER();
    osk_event_query(pevent, &p_mutex_data->OSEventGrp, p_mutex_data->OSEventTbl);
    p_mutex_data->OSMutexPCP = osk_mutex_pcp(pevent);
    p_mutex_data->OSOwnerPrio = osk_mutex_owner_prio(pevent);
    p_mutex_data->OSValue = p_mutex_data->OSOwnerPrio == OSK_MUTEX_FREE ? OS_TRUE : OS_FALSE;
    OSK_EXIT();
    return OS_ERR_NONE;
}
#endif

#endif /* OS_MUTEX_EN */
