/*
 * Compatible kernel (independent implementation, see ucos_ii.h): event flag groups. Each
 * waiting task has an OS_FLAG_NODE on its own stack, linked into the group's wait list,
 * saying which flags it waits for and how (all/any, set/clear, consume). A post updates
 * the flags, then readies every waiter whose condition now holds, in list order; a waiter
 * that asked to consume takes its flags away as it is readied.
 */
#include "os_kernel.h"

#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)

void osk_flag_init(void)
{
    OSFlagFreeList = (OS_FLAG_GRP *)0;
    for (INT16U i = OS_MAX_FLAGS; i-- > 0u;) {
        OS_FLAG_GRP *g = &OSFlagTbl[i];
        g->OSFlagType = OS_EVENT_TYPE_UNUSED;
        g->OSFlagFlags = 0u;
#if OS_FLAG_NAME_EN > 0u
        g->OSFlagName = (INT8U *)(void *)"?";
#endif
        g->OSFlagWaitList = OSFlagFreeList;
        OSFlagFreeList = g;
    }
}

void osk_flag_unlink(OS_FLAG_NODE *node)
{
    OS_FLAG_NODE *prev = (OS_FLAG_NODE *)node->OSFlagNodePrev;
    OS_FLAG_NODE *next = (OS_FLAG_NODE *)node->OSFlagNodeNext;
    if (prev == (OS_FLAG_NODE *)0)
        ((OS_FLAG_GRP *)node->OSFlagNodeFlagGrp)->OSFlagWaitList = next;
    else
        prev->OSFlagNodeNext = next;
    if (next != (OS_FLAG_NODE *)0)
        next->OSFlagNodePrev = prev;
}

/* The flags of `want` that satisfy wait type `type` (without OS_FLAG_CONSUME) given the
 * group's flags `cur`; *ok says whether the condition holds, *valid whether type is one. */
static OS_FLAGS osk_flag_match(OS_FLAGS cur, OS_FLAGS want, INT8U type, BOOLEAN *ok, BOOLEAN *valid)
{
    OS_FLAGS hit;
    *valid = OS_TRUE;
    switch (type) {
    case OS_FLAG_WAIT_SET_ALL:
    case OS_FLAG_WAIT_SET_ANY: hit = (OS_FLAGS)(cur & want); break;
#if OS_FLAG_WAIT_CLR_EN > 0u
    case OS_FLAG_WAIT_CLR_ALL:
    case OS_FLAG_WAIT_CLR_ANY: hit = (OS_FLAGS)(~cur & want); break;
#endif
    default:
        *valid = OS_FALSE;
        *ok = OS_FALSE;
        return 0u;
    }
    const BOOLEAN all = type == OS_FLAG_WAIT_SET_ALL || type == OS_FLAG_WAIT_CLR_ALL;
    *ok = all ? hit == want : hit != 0u;
    return hit;
}

/* Consuming `hit` flags of a satisfied wait of `type`: set ones are cleared, clear ones set. */
static void osk_flag_consume(OS_FLAG_GRP *g, OS_FLAGS hit, INT8U type)
{
    if (type == OS_FLAG_WAIT_SET_ALL || type == OS_FLAG_WAIT_SET_ANY)
        g->OSFlagFlags &= (OS_FLAGS)~hit;
    else
        g->OSFlagFlags |= hit;
}

static INT8U osk_flag_check(const OS_FLAG_GRP *pgrp)
{
#if OS_ARG_CHK_EN > 0u
    if (pgrp == (OS_FLAG_GRP *)0)
        return OS_ERR_FLAG_INVALID_PGRP;
#endif
    return pgrp->OSFlagType == OS_EVENT_TYPE_FLAG ? OS_ERR_NONE : OS_ERR_EVENT_TYPE;
}

OS_FLAG_GRP *OSFlagCreate(OS_FLAGS flags, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_CREATE_ISR;
        return (OS_FLAG_GRP *)0;
    }
    OSK_ENTER();
    OS_FLAG_GRP *g = OSFlagFreeList;
    if (g == (OS_FLAG_GRP *)0) {
        OSK_EXIT();
        *perr = OS_ERR_FLAG_GRP_DEPLETED;
        return g;
    }
    OSFlagFreeList = (OS_FLAG_GRP *)g->OSFlagWaitList;
    g->OSFlagType = OS_EVENT_TYPE_FLAG;
    g->OSFlagFlags = flags;
    g->OSFlagWaitList = (void *)0;
#if OS_FLAG_NAME_EN > 0u
    g->OSFlagName = (INT8U *)(void *)"?";
#endif
    OSK_EXIT();
    *perr = OS_ERR_NONE;
    return g;
}

OS_FLAGS OSFlagPend(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U wait_type, INT32U timeout, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pgrp == (OS_FLAG_GRP *)0) {
        *perr = OS_ERR_FLAG_INVALID_PGRP;
        return 0u;
    }
#endif
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_PEND_ISR;
        return 0u;
    }
    if (OSLockNesting > 0u) {
        *perr = OS_ERR_PEND_LOCKED;
        return 0u;
    }
    if (pgrp->OSFlagType != OS_EVENT_TYPE_FLAG) {
        *perr = OS_ERR_EVENT_TYPE;
        return 0u;
    }
    const BOOLEAN consume = (wait_type & OS_FLAG_CONSUME) != 0u;
    const INT8U type = (INT8U)(wait_type & (INT8U)~OS_FLAG_CONSUME);
    BOOLEAN ok, valid;
    OSK_ENTER();
    OS_FLAGS hit = osk_flag_match(pgrp->OSFlagFlags, flags, type, &ok, &valid);
    if (!valid) {
        OSK_EXIT();
        *perr = OS_ERR_FLAG_WAIT_TYPE;
        return 0u;
    }
    OS_TCB *self = OSTCBCur;
    if (ok) {
        if (consume)
            osk_flag_consume(pgrp, hit, type);
        self->OSTCBFlagsRdy = hit;
        OSK_EXIT();
        *perr = OS_ERR_NONE;
        return hit;
    }
    /* Wait: a node on our stack at the head of the group's list. */
    OS_FLAG_NODE node;
    node.OSFlagNodeFlags = flags;
    node.OSFlagNodeWaitType = wait_type;
    node.OSFlagNodeTCB = self;
    node.OSFlagNodeFlagGrp = pgrp;
    node.OSFlagNodePrev = (void *)0;
    node.OSFlagNodeNext = pgrp->OSFlagWaitList;
    if (node.OSFlagNodeNext != (void *)0)
        ((OS_FLAG_NODE *)node.OSFlagNodeNext)->OSFlagNodePrev = &node;
    pgrp->OSFlagWaitList = &node;
    self->OSTCBFlagNode = &node;
    self->OSTCBFlagsRdy = 0u;
    self->OSTCBStat |= OS_STAT_FLAG;
    self->OSTCBStatPend = OS_STAT_PEND_OK;
    self->OSTCBDly = timeout;
    osk_unready(self);
    OSK_EXIT();
    OS_Sched();
    OSK_ENTER();
    /* Whoever woke us unlinked the node. */
    self->OSTCBFlagNode = (OS_FLAG_NODE *)0;
    switch (self->OSTCBStatPend) {
    case OS_STAT_PEND_OK:
        *perr = OS_ERR_NONE;
        hit = self->OSTCBFlagsRdy;
        break;
    case OS_STAT_PEND_ABORT:
        *perr = OS_ERR_PEND_ABORT;
        hit = 0u;
        break;
    default:
        *perr = OS_ERR_TIMEOUT;
        hit = 0u;
        break;
    }
    self->OSTCBStatPend = OS_STAT_PEND_OK;
    OSK_EXIT();
    return hit;
}

OS_FLAGS OSFlagPendGetFlagsRdy(void)
{
    OSK_CRITICAL_STATE;
    OSK_ENTER();
    const OS_FLAGS f = OSTCBCur->OSTCBFlagsRdy;
    OSK_EXIT();
    return f;
}

OS_FLAGS OSFlagPost(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U opt, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_flag_check(pgrp);
    if (*perr != OS_ERR_NONE)
        return 0u;
    if (opt != OS_FLAG_SET && opt != OS_FLAG_CLR) {
        *perr = OS_ERR_FLAG_INVALID_OPT;
        return 0u;
    }
    OSK_ENTER();
    if (opt == OS_FLAG_SET)
        pgrp->OSFlagFlags |= flags;
    else
        pgrp->OSFlagFlags &= (OS_FLAGS)~flags;
    BOOLEAN readied = OS_FALSE;
    OS_FLAG_NODE *node = (OS_FLAG_NODE *)pgrp->OSFlagWaitList;
    while (node != (OS_FLAG_NODE *)0) {
        OS_FLAG_NODE *next = (OS_FLAG_NODE *)node->OSFlagNodeNext;
        const INT8U type = (INT8U)(node->OSFlagNodeWaitType & (INT8U)~OS_FLAG_CONSUME);
        BOOLEAN ok, valid;
        const OS_FLAGS hit = osk_flag_match(pgrp->OSFlagFlags, node->OSFlagNodeFlags, type, &ok, &valid);
        if (ok) {
            OS_TCB *t = (OS_TCB *)node->OSFlagNodeTCB;
            t->OSTCBFlagsRdy = hit;
            osk_end_wait(t, OS_STAT_PEND_OK); /* unlinks the node */
            if ((node->OSFlagNodeWaitType & OS_FLAG_CONSUME) != 0u)
                osk_flag_consume(pgrp, hit, type);
            readied = OS_TRUE;
        }
        node = next;
    }
    const OS_FLAGS now = pgrp->OSFlagFlags;
    OSK_EXIT();
    if (readied)
        OS_Sched();
    return now;
}

#if OS_FLAG_ACCEPT_EN > 0u
OS_FLAGS OSFlagAccept(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U wait_type, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_flag_check(pgrp);
    if (*perr != OS_ERR_NONE)
        return 0u;
    const INT8U type = (INT8U)(wait_type & (INT8U)~OS_FLAG_CONSUME);
    BOOLEAN ok, valid;
    OSK_ENTER();
    const OS_FLAGS hit = osk_flag_match(pgrp->OSFlagFlags, flags, type, &ok, &valid);
    if (!valid)
        *perr = OS_ERR_FLAG_WAIT_TYPE;
    else if (!ok)
        *perr = OS_ERR_FLAG_NOT_RDY;
    else if ((wait_type & OS_FLAG_CONSUME) != 0u)
        osk_flag_consume(pgrp, hit, type);
    OSK_EXIT();
    return hit;
}
#endif

#if OS_FLAG_DEL_EN > 0u
OS_FLAG_GRP *OSFlagDel(OS_FLAG_GRP *pgrp, INT8U opt, INT8U *perr)
{
    OSK_CRITICAL_STATE;
#if OS_ARG_CHK_EN > 0u
    if (pgrp == (OS_FLAG_GRP *)0) {
        *perr = OS_ERR_FLAG_INVALID_PGRP;
        return pgrp;
    }
#endif
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_DEL_ISR;
        return pgrp;
    }
    if (pgrp->OSFlagType != OS_EVENT_TYPE_FLAG) {
        *perr = OS_ERR_EVENT_TYPE;
        return pgrp;
    }
    OSK_ENTER();
    const BOOLEAN waiting = pgrp->OSFlagWaitList != (void *)0;
    if ((opt == OS_DEL_NO_PEND && waiting) || (opt != OS_DEL_NO_PEND && opt != OS_DEL_ALWAYS)) {
        OSK_EXIT();
        *perr = opt == OS_DEL_NO_PEND ? OS_ERR_TASK_WAITING : OS_ERR_INVALID_OPT;
        return pgrp;
    }
    while (pgrp->OSFlagWaitList != (void *)0) {
        OS_FLAG_NODE *node = (OS_FLAG_NODE *)pgrp->OSFlagWaitList;
        OS_TCB *t = (OS_TCB *)node->OSFlagNodeTCB;
        t->OSTCBFlagsRdy = 0u;
        osk_end_wait(t, OS_STAT_PEND_ABORT);
    }
    pgrp->OSFlagType = OS_EVENT_TYPE_UNUSED;
    pgrp->OSFlagFlags = 0u;
#if OS_FLAG_NAME_EN > 0u
    pgrp->OSFlagName = (INT8U *)(void *)"?";
#endif
    pgrp->OSFlagWaitList = OSFlagFreeList;
    OSFlagFreeList = pgrp;
    OSK_EXIT();
    if (waiting)
        OS_Sched();
    *perr = OS_ERR_NONE;
    return (OS_FLAG_GRP *)0;
}
#endif

#if OS_FLAG_QUERY_EN > 0u
OS_FLAGS OSFlagQuery(OS_FLAG_GRP *pgrp, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_flag_check(pgrp);
    if (*perr != OS_ERR_NONE)
        return 0u;
    OSK_ENTER();
    const OS_FLAGS f = pgrp->OSFlagFlags;
    OSK_EXIT();
    return f;
}
#endif

#if OS_FLAG_NAME_EN > 0u
INT8U OSFlagNameGet(OS_FLAG_GRP *pgrp, INT8U **pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_flag_check(pgrp);
    if (*perr != OS_ERR_NONE)
        return 0u;
    if (pname == (INT8U **)0) {
        *perr = OS_ERR_PNAME_NULL;
        return 0u;
    }
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_NAME_GET_ISR;
        return 0u;
    }
    OSK_ENTER();
    *pname = pgrp->OSFlagName;
    const INT8U len = osk_strlen(*pname);
    OSK_EXIT();
    return len;
}

void OSFlagNameSet(OS_FLAG_GRP *pgrp, INT8U *pname, INT8U *perr)
{
    OSK_CRITICAL_STATE;
    *perr = osk_flag_check(pgrp);
    if (*perr != OS_ERR_NONE)
        return;
    if (pname == (INT8U *)0) {
        *perr = OS_ERR_PNAME_NULL;
        return;
    }
    if (OSIntNesting > 0u) {
        *perr = OS_ERR_NAME_SET_ISR;
        return;
    }
    OSK_ENTER();
    pgrp->OSFlagName = pname;
    OSK_EXIT();
}
#endif

#endif /* OS_FLAG_EN */
