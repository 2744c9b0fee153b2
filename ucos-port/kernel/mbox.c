/*
 * Compatible kernel (independent implementation, see ucos_ii.h): message mailboxes, one
 * message (a non-NULL pointer) in OSEventPtr. A post goes straight to the highest-priority
 * waiter (or to all of them with OS_POST_OPT_BROADCAST).
 */
#include "os_kernel.h"

#if OS_MBOX_EN > 0u

OS_EVENT *OSMboxCreate(void *pmsg)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u)
        return (OS_EVENT *)0;
    OSK_ENTER();
    OS_EVENT *ev = osk_event_alloc(OS_EVENT_TYPE_MBOX);
    if (ev != (OS_EVENT *)0)
        ev->OSEventPtr = pmsg;
    OSK_EXIT();
    return ev;
}

void *OSMboxPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_pend_check(pevent, OS_EVENT_TYPE_MBOX);
    if (*perr != OS_ERR_NONE)
        return (void *)0;
    OSK_ENTER();
    void *msg = pevent->OSEventPtr;
    if (msg != (void *)0) {
        pevent->OSEventPtr = (void *)0;
    } else {
        *perr = osk_event_block(pevent, OS_STAT_MBOX, timeout, cpu_sr);
        msg = OSTCBCur->OSTCBMsg; /* NULL unless a post woke us */
        OSTCBCur->OSTCBMsg = (void *)0;
    }
    OSK_EXIT();
    return msg;
}

#if OS_MBOX_POST_OPT_EN > 0u || OS_MBOX_POST_EN > 0u
static INT8U osk_mbox_store(OS_EVENT *pevent, void *pmsg, INT8U opt)
{
    (void)opt;
    if (pevent->OSEventPtr != (void *)0)
        return OS_ERR_MBOX_FULL;
    pevent->OSEventPtr = pmsg;
    return OS_ERR_NONE;
}

static INT8U osk_mbox_post(OS_EVENT *pevent, void *pmsg, INT8U opt)
{
#if OS_ARG_CHK_EN > 0u
    if (pevent != (OS_EVENT *)0 && pmsg == (void *)0)
        return OS_ERR_POST_NULL_PTR;
#endif
    return osk_event_post(pevent, OS_EVENT_TYPE_MBOX, pmsg, opt, osk_mbox_store);
}
#endif

#if OS_MBOX_POST_EN > 0u
INT8U OSMboxPost(OS_EVENT *pevent, void *pmsg) { return osk_mbox_post(pevent, pmsg, OS_POST_OPT_NONE); }
#endif

#if OS_MBOX_POST_OPT_EN > 0u
INT8U OSMboxPostOpt(OS_EVENT *pevent, void *pmsg, INT8U opt) { return osk_mbox_post(pevent, pmsg, opt); }
#endif

#if OS_MBOX_ACCEPT_EN > 0u
void *OSMboxAccept(OS_EVENT *pevent)
{
    OSK_CRITICAL_STATE;
    if (osk_event_check(pevent, OS_EVENT_TYPE_MBOX) != OS_ERR_NONE)
        return (void *)0;
    OSK_ENTER();
    void *msg = pevent->OSEventPtr;
    pevent->OSEventPtr = (void *)0;
    OSK_EXIT();
    return msg;
}
#endif

#if OS_MBOX_DEL_EN > 0u
OS_EVENT *OSMboxDel(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_delete(pevent, OS_EVENT_TYPE_MBOX, opt, perr, 0);
}
#endif

#if OS_MBOX_PEND_ABORT_EN > 0u
INT8U OSMboxPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr)
{
    return osk_event_pend_abort(pevent, OS_EVENT_TYPE_MBOX, opt, perr);
}
#endif

#if OS_MBOX_QUERY_EN > 0u
INT8U OSMboxQuery(OS_EVENT *pevent, OS_MBOX_DATA *p_mbox_data)
{
    OSK_CRITICAL_STATE;
    const INT8U err = osk_event_check(pevent, OS_EVENT_TYPE_MBOX);
    if (err != OS_ERR_NONE)
        return err;
#if OS_ARG_CHK_EN > 0u
    if (p_mbox_data == (OS_MBOX_DATA *)0)
        return OS_ERR_PDATA_NULL;
#endif
    OSK_ENTER();
    osk_event_query(pevent, &p_mbox_data->OSEventGrp, p_mbox_data->OSEventTbl);
    p_mbox_data->OSMsg = pevent->OSEventPtr;
    OSK_EXIT();
    return OS_ERR_NONE;
}
#endif

#endif /* OS_MBOX_EN */
