/*
 * Compatible kernel (independent implementation, see ucos_ii.h): what its files share.
 *
 * Data structures. A task is ready when its bit is set in the 8x8 bitmap OSRdyGrp /
 * OSRdyTbl[] (row = prio >> 3, column = prio & 7); the highest-priority ready task is two
 * OSUnMapTbl lookups away. Each event control block has the same kind of bitmap for the
 * tasks waiting on it; event-flag groups keep a list of OS_FLAG_NODEs instead (a waiter
 * waits for a condition, not just a turn). A waiting task is off the ready list; its
 * OSTCBStat says what it waits for, OSTCBDly counts the timeout down, and whoever ends the
 * wait (a post, the tick, an abort, a delete) takes it off the wait structure, clears the
 * OSTCBStat bit, sets OSTCBStatPend and readies it unless it is suspended. The woken task
 * turns OSTCBStatPend into its error code.
 *
 * Everything here runs inside a critical section (interrupts masked).
 */
#ifndef OS_KERNEL_H
#define OS_KERNEL_H

#include <ucos_ii.h>

#define OSK_ENTER() OS_ENTER_CRITICAL()
#define OSK_EXIT() OS_EXIT_CRITICAL()
#define OSK_CRITICAL_STATE OS_CPU_SR cpu_sr = 0u

/* ---- bitmaps ---- */
static inline INT8U osk_bitmap_highest(OS_PRIO grp, const OS_PRIO *tbl)
{
    const INT8U y = OSUnMapTbl[grp];
    return (INT8U)((y << 3) + OSUnMapTbl[tbl[y]]);
}

static inline void osk_bitmap_set(OS_PRIO *grp, OS_PRIO *tbl, const OS_TCB *t)
{
    *grp |= t->OSTCBBitY;
    tbl[t->OSTCBY] |= t->OSTCBBitX;
}

static inline void osk_bitmap_clear(OS_PRIO *grp, OS_PRIO *tbl, const OS_TCB *t)
{
    tbl[t->OSTCBY] &= (OS_PRIO)~t->OSTCBBitX;
    if (tbl[t->OSTCBY] == 0u)
        *grp &= (OS_PRIO)~t->OSTCBBitY;
}

static inline void osk_ready(OS_TCB *t) { osk_bitmap_set(&OSRdyGrp, OSRdyTbl, t); }
static inline void osk_unready(OS_TCB *t) { osk_bitmap_clear(&OSRdyGrp, OSRdyTbl, t); }

/* Sets a TCB's priority fields (not its place in any bitmap). */
void osk_set_prio_fields(OS_TCB *t, INT8U prio);
/* Moves t to priority prio wherever it is queued (ready list or an event's wait bitmap). */
void osk_move_prio(OS_TCB *t, INT8U prio);

/* ---- waiting ---- */
#if OS_EVENT_EN
/* The current task waits on pevent (stat = its OS_STAT_* bit) for up to timeout ticks. */
void osk_event_wait(OS_EVENT *pevent, INT8U stat, INT32U timeout);
/* Ends the wait of pevent's highest-priority waiter with pend_stat (and msg); returns it. */
OS_TCB *osk_event_wake(OS_EVENT *pevent, void *msg, INT8U pend_stat);
/* Ends the wait of one or all waiters with OS_STAT_PEND_ABORT; returns how many. */
INT8U osk_event_abort_all(OS_EVENT *pevent, BOOLEAN all);
/* After the current task was woken from an event wait: its error, fields cleaned. */
INT8U osk_event_result(void);
static inline BOOLEAN osk_event_has_waiters(const OS_EVENT *pevent) { return pevent->OSEventGrp != 0u; }

OS_EVENT *osk_event_alloc(INT8U type);
void osk_event_free(OS_EVENT *pevent);
/* Common argument checks: OS_ERR_NONE, OS_ERR_PEVENT_NULL or OS_ERR_EVENT_TYPE. */
INT8U osk_event_check(const OS_EVENT *pevent, INT8U type);
void osk_event_query(const OS_EVENT *pevent, OS_PRIO *grp, OS_PRIO *tbl);

/* The checks every Pend makes: object, type, not from an ISR, scheduler not locked. */
INT8U osk_pend_check(const OS_EVENT *pevent, INT8U type);
/* In a critical section entered with state cpu_sr: the current task waits on pevent, and
 * this returns its error once it was woken, inside the critical section again. */
INT8U osk_event_block(OS_EVENT *pevent, INT8U stat, INT32U timeout, OS_CPU_SR cpu_sr);
/* Hands msg to the highest waiter, or to all with OS_POST_OPT_BROADCAST; false if none
 * waits. Critical section held. */
BOOLEAN osk_event_deliver(OS_EVENT *pevent, void *msg, INT8U opt);
/* The Post services of mailboxes and queues: to the waiter(s) if any (then OS_Sched()
 * unless OS_POST_OPT_NO_SCHED), else store(pevent, msg, opt) keeps it (or says why not). */
INT8U osk_event_post(OS_EVENT *pevent, INT8U type, void *msg, INT8U opt,
                     INT8U (*store)(OS_EVENT *pevent, void *msg, INT8U opt));
/* The Del and PendAbort services of semaphores, mutexes, mailboxes and queues. release()
 * (may be NULL) frees what the object owns, in the critical section, before the waiters
 * are aborted. */
OS_EVENT *osk_event_delete(OS_EVENT *pevent, INT8U type, INT8U opt, INT8U *perr, void (*release)(OS_EVENT *pevent));
INT8U osk_event_pend_abort(OS_EVENT *pevent, INT8U type, INT8U opt, INT8U *perr);
#endif

/* Ends whatever wait t is in (event or flag group) with pend_stat and readies it unless it
 * is suspended. */
void osk_end_wait(OS_TCB *t, INT8U pend_stat);
/* Takes t off its event wait bitmap or flag list without readying it. */
void osk_unlink_wait(OS_TCB *t);

#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
void osk_flag_init(void);
void osk_flag_unlink(OS_FLAG_NODE *node);
#endif
#if (OS_Q_EN > 0u) && (OS_MAX_QS > 0u)
void osk_q_init(void);
#endif
#if (OS_MEM_EN > 0u) && (OS_MAX_MEM_PART > 0u)
void osk_mem_init(void);
#endif

/* ---- tasks ---- */
/* Takes a free TCB for a task whose initial frame is psp and links it in as ready. */
INT8U osk_tcb_init(INT8U prio, OS_STK *psp, OS_STK *pbos, INT16U id, INT32U stk_size, void *pext, INT16U opt);

/* A TCB for prio that a service may act on: NULL if none (perr = OS_ERR_TASK_NOT_EXIST
 * or the caller's choice), including a mutex's reserved ceiling entry. */
static inline OS_TCB *osk_task_at(INT8U prio)
{
    OS_TCB *t = OSTCBPrioTbl[prio];
    return t == OS_TCB_RESERVED ? (OS_TCB *)0 : t;
}

INT8U osk_strlen(const INT8U *s);

#endif /* OS_KERNEL_H */
