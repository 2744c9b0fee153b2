/*
 * Compatible kernel (independent implementation, see ucos_ii.h): message queues. An OS_Q
 * (from OSQTbl) keeps a ring of pointers in the caller's array; OSEventPtr points to it.
 * Messages come out in FIFO order; OSQPostFront / OS_POST_OPT_FRONT put one at the head
 * (LIFO). A post with a task waiting hands the message over directly.
 */
#include "os_kernel.h"

#if (OS_Q_EN > 0u) && (OS_MAX_QS > 0u)

void osk_q_init(void)
{
    OSQFreeList = (OS_Q *)0;
    for (INT16U i = OS_MAX_QS; i-- > 0u;) {
        OS_MemClr((INT8U *)&OSQTbl[i], (INT16U)sizeof OSQTbl[i]);
        OSQTbl[i].OSQPtr = OSQFreeList;
        OSQFreeList = &OSQTbl[i];
    }
}

static void osk_q_release(OS_EVENT *ev)
{
    OS_Q *q = (OS_Q *)ev->OSEventPtr;
    q->OSQPtr = OSQFreeList;
    OSQFreeList = q;
}

/* The next message out of a non-empty queue. */
static void *osk_q_take(OS_Q *q)
{
    void *msg = *q->OSQOut++;
    if (q->OSQOut == q->OSQEnd)
        q->OSQOut = q->OSQStart;
    q->OSQEntries--;
    return msg;
}

static void osk_q_put(OS_Q *q, void *msg, BOOLEAN front)
{
    if (front) {
        if (q->OSQOut == q->OSQStart)
            q->OSQOut = q->OSQEnd;
        *--q->OSQOut = msg;
    } else {
        *q->OSQIn++ = msg;
        if (q->OSQIn == q->OSQEnd)
            q->OSQIn = q->OSQStart;
    }
    q->OSQEntries++;
}

OS_EVENT *OSQCreate(void **start, INT16U size)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return (OS_EVENT *)0;
#if OS_ARG_CHK_EN > 0u
    if (start == (void **)0 || size == 0u)
        return (OS_EVENT *)0;
#endif
    OSK_ENTER();
    OS_Q *q = OSQFreeList;
    OS_EVENT *ev = q == (OS_Q *)0 ? (OS_EVENT *)0 : osk_event_alloc(OS_EVENT_TYPE_Q);
    if (ev != (OS_EVENT *)0) {
        OSQFreeList = q->OSQPtr;
        q->OSQPtr = (OS_Q *)0;
        q->OSQStart = start;
        q->OSQEnd = &start[size];
        q->OSQIn = start;
        q->OSQOut = start;
        q->OSQSize = size;
        q->OSQEntries = 0u;
        ev->OSEventPtr = q;
    }
    OSK_EXIT();
    return ev;
}

void *OSQPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_pend_check(pevent, OS_EVENT_TYPE_Q);
    if (*perr != OS_ERR_NONE)
        return (void *)0;
    OSK_ENTER();
    OS_Q *q = (OS_Q *)pevent->OSEventPtr;
    void *msg;
    if (q->OSQEntries > 0u) {
        msg = osk_q_take(q);
    } else {
        *perr = osk_event_block(pevent, OS_STAT_Q, timeout, cpu_sr);
        msg = OSTCBCur->OSTCBMsg;
        OSTCBCur->OSTCBMsg = (void *)0;
    }
    OSK_EXIT();
    return msg;
}

#if OS_Q_ACCEPT_EN > 0u
void *OSQAccept(OS_EVENT *pevent, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_event_check(pevent, OS_EVENT_TYPE_Q);
    if (*perr != OS_ERR_NONE)
        return (void *)0;
    OSK_ENTER();
    OS_Q *q = (OS_Q *)pevent->OSEventPtr;
    void *msg = (void *)0;
    if (q->OSQEntries > 0u)
        msg = osk_q_take(q);
    else
        *perr = OS_ERR_Q_EMPTY;
    OSK_EXIT();
    return msg;
}
#endif

#if OS_Q_POST_EN > 0u || OS_Q_POST_FRONT_EN > 0u || OS_Q_POST_OPT_EN > 0u
static INT8U osk_q_store(OS_EVENT *pevent, void *pmsg, INT8U opt)
{
    OS_Q *q = (OS_Q *)pevent->OSEventPtr;
    if (q->OSQEntries >= q->OSQSize)
        return OS_ERR_Q_FULL;
    osk_q_put(q, pmsg, (opt & OS_POST_OPT_FRONT) != 0u);
    return OS_ERR_NONE;
}

static INT8U osk_q_post(OS_EVENT *pevent, void *pmsg, INT8U opt)
{
    return osk_event_post(pevent, OS_EVENT_TYPE_Q, pmsg, opt, osk_q_store);
}
#endif

#if OS_Q_POST_EN > 0u
INT8U OSQPost(OS_EVENT *pevent, void *pmsg) { return osk_q_post(pevent, pmsg, OS_POST_OPT_NONE); }
#endif

#if OS_Q_POST_FRONT_EN > 0u
INT8U OSQPostFront(OS_EVENT *pevent, void *pmsg) { return osk_q_post(pevent, pmsg, OS_POST_OPT_FRONT); }
#endif

#if OS_Q_POST_OPT_EN > 0u
INT8U OSQPostOpt(OS_EVENT *pevent, void *pmsg, INT8U opt) { return osk_q_post(pevent, pmsg, opt); }
#endif

#if OS_Q_FLUSH_EN > 0u
INT8U OSQFlush(OS_EVENT *pevent)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_Q);
    if (err != OS_ERR_NONE)
        return err;
    OSK_ENTER();
    OS_Q *q = (OS_Q *)pevent->OSEventPtr;
    q->OSQIn = q->OSQStart;
    q->OSQOut = q->OSQStart;
    q->OSQEntries = 0u;
    OSK_EXIT();
    return OS_ERR_NONE;
}
#endif

#if OS_Q_DEL_EN > 0u
OS_EVENT *OSQDel(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_delete(pevent, OS_EVENT_TYPE_Q, opt, perr, osk_q_release);
}
#endif

#if OS_Q_PEND_ABORT_EN > 0u
INT8U OSQPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_pend_abort(pevent, OS_EVENT_TYPE_Q, opt, perr);
}
#endif

#if OS_Q_QUERY_EN > 0u
INT8U OSQQuery(OS_EVENT *pevent, OS_Q_DATA *p_q_data)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_Q);
    if (err != OS_ERR_NONE)
        return err;
#if OS_ARG_CHK_EN > 0u
    if (p_q_data == (OS_Q_DATA *)0)
        return OS_ERR_PDATA_NULL;
#endif
    OSK_ENTER();
    const OS_Q *q = (const OS_Q *)pevent->OSEventPtr;
    osk_event_query(pevent, &p_q_data->OSEventGrp, p_q_data->OSEventTbl);
    p_q_data->OSMsg = q->OSQEntries > 0u ? *q->OSQOut : (void *)0;
    p_q_data->OSNMsgs = q->OSQEntries;
    p_q_data->OSQSize = q->OSQSize;
    OSK_EXIT();
    return OS_ERR_NONE;
}
#endif

#endif /* OS_Q_EN */
