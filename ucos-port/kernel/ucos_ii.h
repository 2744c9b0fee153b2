/*
 * A µC/OS-II-compatible kernel: INDEPENDENT IMPLEMENTATION of the documented µC/OS-II
 * v2.9x API, written for the xen-arm project. It is not Micrium's / Silicon Labs' code and
 * contains none of it; it exists because the repository cannot ship the real sources.
 * Names, types, constants, error codes and the semantics of the services below follow the
 * published API (ucos_ii.h of v2.93 and its documentation), so that application code,
 * configurations (os_cfg.h, app_cfg.h) and ports (os_cpu.h, os_cpu_a.S, os_cpu_c.c) build
 * unchanged against either kernel. `make UCOS_SRC=/path/to/uC-OS2` uses the real one.
 *
 * Implemented: OSInit, OSStart, OSIntEnter/Exit, OSSchedLock/Unlock, OSStatInit (statistics
 * task), OSVersion; tasks (Create, CreateExt, Del, DelReq, Suspend, Resume, ChangePrio,
 * Query, StkChk, NameGet/Set); time (Dly, DlyHMSM, DlyResume, Get, Set, Tick); semaphores,
 * mutexes (priority-ceiling promotion), mailboxes, queues, event flags, memory partitions,
 * event names. Not implemented (their os_cfg.h switches must be 0): software timers
 * (OSTmr*), OSEventPendMulti, task registers, TLS, tick stepping, profiling, debug tables.
 * Priorities: OS_LOWEST_PRIO <= 63 (8x8 ready bitmap).
 */
#ifndef OS_uCOS_II_H
#define OS_uCOS_II_H

#ifdef __cplusplus
extern "C" {
#endif

#define OS_VERSION 29300u /* the API level implemented: V2.93 */

#include <app_cfg.h>
#include <os_cfg.h>
#include <os_cpu.h>

/* ---- what this kernel supports ---- */
#if OS_LOWEST_PRIO > 63u
#error "compatible kernel: OS_LOWEST_PRIO must be <= 63"
#endif
#if OS_MAX_TASKS < 2u || OS_MAX_TASKS > OS_LOWEST_PRIO - 1u
#error "compatible kernel: 2 <= OS_MAX_TASKS <= OS_LOWEST_PRIO - 1"
#endif
#if OS_TMR_EN > 0u || OS_EVENT_MULTI_EN > 0u || OS_TASK_REG_TBL_SIZE > 0u || OS_TLS_TBL_SIZE > 0u ||                   \
    OS_TICK_STEP_EN > 0u || OS_TASK_PROFILE_EN > 0u || OS_DEBUG_EN > 0u
#error "compatible kernel: timers, PendMulti, task registers, TLS, tick stepping, profiling \
and debug tables are not implemented (set their os_cfg.h switches to 0)"
#endif
#if OS_CRITICAL_METHOD != 3u
#error "compatible kernel: the port must use OS_CRITICAL_METHOD 3"
#endif
#if OS_FLAGS_NBITS != 8u && OS_FLAGS_NBITS != 16u && OS_FLAGS_NBITS != 32u
#error "OS_FLAGS_NBITS must be 8, 16 or 32"
#endif

#ifdef OS_GLOBALS
#define OS_EXT
#else
#define OS_EXT extern
#endif

#ifndef OS_FALSE
#define OS_FALSE 0u
#endif
#ifndef OS_TRUE
#define OS_TRUE 1u
#endif

#define OS_ASCII_NUL (INT8U)0

#define OS_PRIO_SELF 0xFFu           /* "the calling task" */
#define OS_PRIO_MUTEX_CEIL_DIS 0xFFu /* a mutex without priority-ceiling promotion */

#if OS_TASK_STAT_EN > 0u
#define OS_N_SYS_TASKS 2u
#else
#define OS_N_SYS_TASKS 1u
#endif

#define OS_TASK_STAT_PRIO (OS_LOWEST_PRIO - 1u)
#define OS_TASK_IDLE_PRIO (OS_LOWEST_PRIO)

#define OS_EVENT_TBL_SIZE ((OS_LOWEST_PRIO) / 8u + 1u)
#define OS_RDY_TBL_SIZE ((OS_LOWEST_PRIO) / 8u + 1u)

#define OS_TASK_IDLE_ID 65535u
#define OS_TASK_STAT_ID 65534u
#define OS_TASK_TMR_ID 65533u

#define OS_EVENT_EN                                                                                                    \
    (((OS_Q_EN > 0u) && (OS_MAX_QS > 0u)) || (OS_MBOX_EN > 0u) || (OS_SEM_EN > 0u) || (OS_MUTEX_EN > 0u))

#define OS_TCB_RESERVED ((OS_TCB *)1) /* an OSTCBPrioTbl[] entry held by a mutex ceiling */

/* ---- task status (OSTCBStat) ---- */
#define OS_STAT_RDY 0x00u
#define OS_STAT_SEM 0x01u
#define OS_STAT_MBOX 0x02u
#define OS_STAT_Q 0x04u
#define OS_STAT_SUSPEND 0x08u
#define OS_STAT_MUTEX 0x10u
#define OS_STAT_FLAG 0x20u
#define OS_STAT_MULTI 0x80u
#define OS_STAT_PEND_ANY (OS_STAT_SEM | OS_STAT_MBOX | OS_STAT_Q | OS_STAT_MUTEX | OS_STAT_FLAG)

/* ---- pend status (OSTCBStatPend) ---- */
#define OS_STAT_PEND_OK 0u
#define OS_STAT_PEND_TO 1u
#define OS_STAT_PEND_ABORT 2u

/* ---- event control block types ---- */
#define OS_EVENT_TYPE_UNUSED 0u
#define OS_EVENT_TYPE_MBOX 1u
#define OS_EVENT_TYPE_Q 2u
#define OS_EVENT_TYPE_SEM 3u
#define OS_EVENT_TYPE_MUTEX 4u
#define OS_EVENT_TYPE_FLAG 5u
#define OS_TMR_TYPE 100u

/* ---- event flags ---- */
#define OS_FLAG_WAIT_CLR_ALL 0u
#define OS_FLAG_WAIT_CLR_AND 0u
#define OS_FLAG_WAIT_CLR_ANY 1u
#define OS_FLAG_WAIT_CLR_OR 1u
#define OS_FLAG_WAIT_SET_ALL 2u
#define OS_FLAG_WAIT_SET_AND 2u
#define OS_FLAG_WAIT_SET_ANY 3u
#define OS_FLAG_WAIT_SET_OR 3u
#define OS_FLAG_CONSUME 0x80u
#define OS_FLAG_CLR 0u
#define OS_FLAG_SET 1u

/* ---- options ---- */
#define OS_DEL_NO_PEND 0u
#define OS_DEL_ALWAYS 1u

#define OS_PEND_OPT_NONE 0u
#define OS_PEND_OPT_BROADCAST 1u

#define OS_POST_OPT_NONE 0x00u
#define OS_POST_OPT_BROADCAST 0x01u
#define OS_POST_OPT_FRONT 0x02u
#define OS_POST_OPT_NO_SCHED 0x04u

#define OS_TASK_OPT_NONE 0x0000u
#define OS_TASK_OPT_STK_CHK 0x0001u
#define OS_TASK_OPT_STK_CLR 0x0002u
#define OS_TASK_OPT_SAVE_FP 0x0004u
#define OS_TASK_OPT_NO_TLS 0x0008u

/* ---- error codes ---- */
#define OS_ERR_NONE 0u

#define OS_ERR_EVENT_TYPE 1u
#define OS_ERR_PEND_ISR 2u
#define OS_ERR_POST_NULL_PTR 3u
#define OS_ERR_PEVENT_NULL 4u
#define OS_ERR_POST_ISR 5u
#define OS_ERR_QUERY_ISR 6u
#define OS_ERR_INVALID_OPT 7u
#define OS_ERR_ID_INVALID 8u
#define OS_ERR_PDATA_NULL 9u

#define OS_ERR_TIMEOUT 10u
#define OS_ERR_EVENT_NAME_TOO_LONG 11u
#define OS_ERR_PNAME_NULL 12u
#define OS_ERR_PEND_LOCKED 13u
#define OS_ERR_PEND_ABORT 14u
#define OS_ERR_DEL_ISR 15u
#define OS_ERR_CREATE_ISR 16u
#define OS_ERR_NAME_GET_ISR 17u
#define OS_ERR_NAME_SET_ISR 18u
#define OS_ERR_ILLEGAL_CREATE_RUN_TIME 19u

#define OS_ERR_MBOX_FULL 20u
#define OS_ERR_ILLEGAL_DEL_RUN_TIME 21u

#define OS_ERR_Q_FULL 30u
#define OS_ERR_Q_EMPTY 31u

#define OS_ERR_PRIO_EXIST 40u
#define OS_ERR_PRIO 41u
#define OS_ERR_PRIO_INVALID 42u

#define OS_ERR_SCHED_LOCKED 50u
#define OS_ERR_SEM_OVF 51u

#define OS_ERR_TASK_CREATE_ISR 60u
#define OS_ERR_TASK_DEL 61u
#define OS_ERR_TASK_DEL_IDLE 62u
#define OS_ERR_TASK_DEL_REQ 63u
#define OS_ERR_TASK_DEL_ISR 64u
#define OS_ERR_TASK_NAME_TOO_LONG 65u
#define OS_ERR_TASK_NO_MORE_TCB 66u
#define OS_ERR_TASK_NOT_EXIST 67u
#define OS_ERR_TASK_NOT_SUSPENDED 68u
#define OS_ERR_TASK_OPT 69u
#define OS_ERR_TASK_RESUME_PRIO 70u
#define OS_ERR_TASK_SUSPEND_IDLE 71u
#define OS_ERR_TASK_SUSPEND_PRIO 72u
#define OS_ERR_TASK_WAITING 73u

#define OS_ERR_TIME_NOT_DLY 80u
#define OS_ERR_TIME_INVALID_MINUTES 81u
#define OS_ERR_TIME_INVALID_SECONDS 82u
#define OS_ERR_TIME_INVALID_MS 83u
#define OS_ERR_TIME_ZERO_DLY 84u
#define OS_ERR_TIME_DLY_ISR 85u

#define OS_ERR_MEM_INVALID_PART 90u
#define OS_ERR_MEM_INVALID_BLKS 91u
#define OS_ERR_MEM_INVALID_SIZE 92u
#define OS_ERR_MEM_NO_FREE_BLKS 93u
#define OS_ERR_MEM_FULL 94u
#define OS_ERR_MEM_INVALID_PBLK 95u
#define OS_ERR_MEM_INVALID_PMEM 96u
#define OS_ERR_MEM_INVALID_PDATA 97u
#define OS_ERR_MEM_INVALID_ADDR 98u
#define OS_ERR_MEM_NAME_TOO_LONG 99u

#define OS_ERR_NOT_MUTEX_OWNER 100u

#define OS_ERR_FLAG_INVALID_PGRP 110u
#define OS_ERR_FLAG_WAIT_TYPE 111u
#define OS_ERR_FLAG_NOT_RDY 112u
#define OS_ERR_FLAG_INVALID_OPT 113u
#define OS_ERR_FLAG_GRP_DEPLETED 114u
#define OS_ERR_FLAG_NAME_TOO_LONG 115u

#define OS_ERR_PCP_LOWER 120u

#define OS_ERR_TMR_INVALID_DLY 130u
#define OS_ERR_TMR_INVALID_PERIOD 131u
#define OS_ERR_TMR_INVALID_OPT 132u
#define OS_ERR_TMR_INVALID_NAME 133u
#define OS_ERR_TMR_NON_AVAIL 134u
#define OS_ERR_TMR_INACTIVE 135u
#define OS_ERR_TMR_INVALID_DEST 136u
#define OS_ERR_TMR_INVALID_TYPE 137u
#define OS_ERR_TMR_INVALID 138u
#define OS_ERR_TMR_ISR 139u
#define OS_ERR_TMR_NAME_TOO_LONG 140u
#define OS_ERR_TMR_INVALID_STATE 141u
#define OS_ERR_TMR_STOPPED 142u
#define OS_ERR_TMR_NO_CALLBACK 143u

#define OS_ERR_NO_MORE_ID_AVAIL 150u

#define OS_ERR_TLS_NO_MORE_AVAIL 160u
#define OS_ERR_TLS_ID_INVALID 161u
#define OS_ERR_TLS_NOT_EN 162u
#define OS_ERR_TLS_DESTRUCT_ASSIGNED 163u
#define OS_ERR_OS_NOT_RUNNING 164u

/* ---- types ---- */
typedef INT8U OS_PRIO;

#if OS_FLAGS_NBITS == 8u
typedef INT8U OS_FLAGS;
#elif OS_FLAGS_NBITS == 16u
typedef INT16U OS_FLAGS;
#else
typedef INT32U OS_FLAGS;
#endif

/* An event control block: semaphore, mutex, mailbox or queue. Its waiting tasks form a
 * bitmap like the ready list, so the highest-priority waiter is found in O(1). */
typedef struct os_event {
    INT8U OSEventType;  /* OS_EVENT_TYPE_* */
    void *OSEventPtr;   /* mailbox message, OS_Q, mutex owner; free-list link */
    INT16U OSEventCnt;  /* semaphore count; mutex: ceiling << 8 | owner prio */
    OS_PRIO OSEventGrp; /* rows of OSEventTbl with a waiter */
    OS_PRIO OSEventTbl[OS_EVENT_TBL_SIZE];
#if OS_EVENT_NAME_EN > 0u
    INT8U *OSEventName;
#endif
} OS_EVENT;

typedef struct os_flag_grp {
    INT8U OSFlagType;     /* OS_EVENT_TYPE_FLAG */
    void *OSFlagWaitList; /* first OS_FLAG_NODE; free-list link when unused */
    OS_FLAGS OSFlagFlags;
#if OS_FLAG_NAME_EN > 0u
    INT8U *OSFlagName;
#endif
} OS_FLAG_GRP;

/* One per task waiting on a flag group; lives on the waiting task's stack. */
typedef struct os_flag_node {
    void *OSFlagNodeNext;
    void *OSFlagNodePrev;
    void *OSFlagNodeTCB;
    void *OSFlagNodeFlagGrp;
    OS_FLAGS OSFlagNodeFlags;
    INT8U OSFlagNodeWaitType;
} OS_FLAG_NODE;

typedef struct os_mbox_data {
    void *OSMsg;
    OS_PRIO OSEventTbl[OS_EVENT_TBL_SIZE];
    OS_PRIO OSEventGrp;
} OS_MBOX_DATA;

typedef struct os_mem {
    void *OSMemAddr;
    void *OSMemFreeList;
    INT32U OSMemBlkSize;
    INT32U OSMemNBlks;
    INT32U OSMemNFree;
#if OS_MEM_NAME_EN > 0u
    INT8U *OSMemName;
#endif
} OS_MEM;

typedef struct os_mem_data {
    void *OSAddr;
    void *OSFreeList;
    INT32U OSBlkSize;
    INT32U OSNBlks;
    INT32U OSNFree;
    INT32U OSNUsed;
} OS_MEM_DATA;

typedef struct os_mutex_data {
    OS_PRIO OSEventTbl[OS_EVENT_TBL_SIZE];
    OS_PRIO OSEventGrp;
    BOOLEAN OSValue;   /* OS_TRUE: available */
    INT8U OSOwnerPrio; /* the owner's original priority, 0xFF if none */
    INT8U OSMutexPCP;  /* ceiling priority, or OS_PRIO_MUTEX_CEIL_DIS */
} OS_MUTEX_DATA;

typedef struct os_q {
    struct os_q *OSQPtr; /* free-list link */
    void **OSQStart;
    void **OSQEnd;
    void **OSQIn;
    void **OSQOut;
    INT16U OSQSize;
    INT16U OSQEntries;
} OS_Q;

typedef struct os_q_data {
    void *OSMsg; /* the next message to come out, or NULL */
    INT16U OSNMsgs;
    INT16U OSQSize;
    OS_PRIO OSEventTbl[OS_EVENT_TBL_SIZE];
    OS_PRIO OSEventGrp;
} OS_Q_DATA;

typedef struct os_sem_data {
    INT16U OSCnt;
    OS_PRIO OSEventTbl[OS_EVENT_TBL_SIZE];
    OS_PRIO OSEventGrp;
} OS_SEM_DATA;

typedef struct os_stk_data {
    INT32U OSFree;
    INT32U OSUsed;
} OS_STK_DATA;

/* The task control block. OSTCBStkPtr must stay first: the port's assembly uses it. */
typedef struct os_tcb {
    OS_STK *OSTCBStkPtr;

#if OS_TASK_CREATE_EXT_EN > 0u
    void *OSTCBExtPtr;
    OS_STK *OSTCBStkBottom;
    INT32U OSTCBStkSize;
    INT16U OSTCBOpt;
    INT16U OSTCBId;
#endif

    struct os_tcb *OSTCBNext;
    struct os_tcb *OSTCBPrev;

#if OS_EVENT_EN
    OS_EVENT *OSTCBEventPtr; /* the event waited for */
#endif
#if ((OS_Q_EN > 0u) && (OS_MAX_QS > 0u)) || (OS_MBOX_EN > 0u)
    void *OSTCBMsg; /* message handed over by a post */
#endif
#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
    OS_FLAG_NODE *OSTCBFlagNode;
    OS_FLAGS OSTCBFlagsRdy; /* the flags that readied the task */
#endif

    INT32U OSTCBDly;     /* ticks of delay or timeout left, 0 = none */
    INT8U OSTCBStat;     /* OS_STAT_* */
    INT8U OSTCBStatPend; /* OS_STAT_PEND_* */
    INT8U OSTCBPrio;

    INT8U OSTCBX; /* prio & 7 */
    INT8U OSTCBY; /* prio >> 3 */
    OS_PRIO OSTCBBitX;
    OS_PRIO OSTCBBitY;

#if OS_TASK_DEL_EN > 0u
    INT8U OSTCBDelReq;
#endif
#if OS_TASK_NAME_EN > 0u
    INT8U *OSTCBTaskName;
#endif
} OS_TCB;

/* ---- global variables ---- */
OS_EXT INT32U OSCtxSwCtr;

#if OS_EVENT_EN && (OS_MAX_EVENTS > 0u)
OS_EXT OS_EVENT *OSEventFreeList;
OS_EXT OS_EVENT OSEventTbl[OS_MAX_EVENTS];
#endif

#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
OS_EXT OS_FLAG_GRP OSFlagTbl[OS_MAX_FLAGS];
OS_EXT OS_FLAG_GRP *OSFlagFreeList;
#endif

#if OS_TASK_STAT_EN > 0u
OS_EXT INT8U OSCPUUsage;
OS_EXT INT32U OSIdleCtrMax;
OS_EXT INT32U OSIdleCtrRun;
OS_EXT BOOLEAN OSStatRdy;
OS_EXT OS_STK OSTaskStatStk[OS_TASK_STAT_STK_SIZE];
#endif

OS_EXT INT8U OSIntNesting;
OS_EXT INT8U OSLockNesting;

OS_EXT INT8U OSPrioCur;
OS_EXT INT8U OSPrioHighRdy;

OS_EXT OS_PRIO OSRdyGrp;
OS_EXT OS_PRIO OSRdyTbl[OS_RDY_TBL_SIZE];

OS_EXT BOOLEAN OSRunning;
OS_EXT INT8U OSTaskCtr;
OS_EXT volatile INT32U OSIdleCtr;

OS_EXT OS_STK OSTaskIdleStk[OS_TASK_IDLE_STK_SIZE];

OS_EXT OS_TCB *OSTCBCur;
OS_EXT OS_TCB *OSTCBFreeList;
OS_EXT OS_TCB *OSTCBHighRdy;
OS_EXT OS_TCB *OSTCBList;
OS_EXT OS_TCB *OSTCBPrioTbl[OS_LOWEST_PRIO + 1u];
OS_EXT OS_TCB OSTCBTbl[OS_MAX_TASKS + OS_N_SYS_TASKS];

#if (OS_MEM_EN > 0u) && (OS_MAX_MEM_PART > 0u)
OS_EXT OS_MEM *OSMemFreeList;
OS_EXT OS_MEM OSMemTbl[OS_MAX_MEM_PART];
#endif

#if (OS_Q_EN > 0u) && (OS_MAX_QS > 0u)
OS_EXT OS_Q *OSQFreeList;
OS_EXT OS_Q OSQTbl[OS_MAX_QS];
#endif

#if OS_TIME_GET_SET_EN > 0u
OS_EXT volatile INT32U OSTime;
#endif

extern INT8U const OSUnMapTbl[256]; /* index of the lowest set bit of a byte */

/* ---- services ---- */
#if OS_EVENT_EN && (OS_EVENT_NAME_EN > 0u)
INT8U OSEventNameGet(OS_EVENT *pevent, INT8U **pname, INT8U *perr);
void OSEventNameSet(OS_EVENT *pevent, INT8U *pname, INT8U *perr);
#endif

#if (OS_FLAG_EN > 0u) && (OS_MAX_FLAGS > 0u)
#if OS_FLAG_ACCEPT_EN > 0u
OS_FLAGS OSFlagAccept(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U wait_type, INT8U *perr);
#endif
OS_FLAG_GRP *OSFlagCreate(OS_FLAGS flags, INT8U *perr);
#if OS_FLAG_DEL_EN > 0u
OS_FLAG_GRP *OSFlagDel(OS_FLAG_GRP *pgrp, INT8U opt, INT8U *perr);
#endif
#if OS_FLAG_NAME_EN > 0u
INT8U OSFlagNameGet(OS_FLAG_GRP *pgrp, INT8U **pname, INT8U *perr);
void OSFlagNameSet(OS_FLAG_GRP *pgrp, INT8U *pname, INT8U *perr);
#endif
OS_FLAGS OSFlagPend(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U wait_type, INT32U timeout, INT8U *perr);
OS_FLAGS OSFlagPendGetFlagsRdy(void);
OS_FLAGS OSFlagPost(OS_FLAG_GRP *pgrp, OS_FLAGS flags, INT8U opt, INT8U *perr);
#if OS_FLAG_QUERY_EN > 0u
OS_FLAGS OSFlagQuery(OS_FLAG_GRP *pgrp, INT8U *perr);
#endif
#endif

#if OS_MBOX_EN > 0u
#if OS_MBOX_ACCEPT_EN > 0u
void *OSMboxAccept(OS_EVENT *pevent);
#endif
OS_EVENT *OSMboxCreate(void *pmsg);
#if OS_MBOX_DEL_EN > 0u
OS_EVENT *OSMboxDel(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
void *OSMboxPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr);
#if OS_MBOX_PEND_ABORT_EN > 0u
INT8U OSMboxPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
#if OS_MBOX_POST_EN > 0u
INT8U OSMboxPost(OS_EVENT *pevent, void *pmsg);
#endif
#if OS_MBOX_POST_OPT_EN > 0u
INT8U OSMboxPostOpt(OS_EVENT *pevent, void *pmsg, INT8U opt);
#endif
#if OS_MBOX_QUERY_EN > 0u
INT8U OSMboxQuery(OS_EVENT *pevent, OS_MBOX_DATA *p_mbox_data);
#endif
#endif

#if (OS_MEM_EN > 0u) && (OS_MAX_MEM_PART > 0u)
OS_MEM *OSMemCreate(void *addr, INT32U nblks, INT32U blksize, INT8U *perr);
void *OSMemGet(OS_MEM *pmem, INT8U *perr);
#if OS_MEM_NAME_EN > 0u
INT8U OSMemNameGet(OS_MEM *pmem, INT8U **pname, INT8U *perr);
void OSMemNameSet(OS_MEM *pmem, INT8U *pname, INT8U *perr);
#endif
INT8U OSMemPut(OS_MEM *pmem, void *pblk);
#if OS_MEM_QUERY_EN > 0u
INT8U OSMemQuery(OS_MEM *pmem, OS_MEM_DATA *p_mem_data);
#endif
#endif

#if OS_MUTEX_EN > 0u
#if OS_MUTEX_ACCEPT_EN > 0u
BOOLEAN OSMutexAccept(OS_EVENT *pevent, INT8U *perr);
#endif
OS_EVENT *OSMutexCreate(INT8U prio, INT8U *perr);
#if OS_MUTEX_DEL_EN > 0u
OS_EVENT *OSMutexDel(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
void OSMutexPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr);
INT8U OSMutexPost(OS_EVENT *pevent);
#if OS_MUTEX_QUERY_EN > 0u
INT8U OSMutexQuery(OS_EVENT *pevent, OS_MUTEX_DATA *p_mutex_data);
#endif
#endif

#if (OS_Q_EN > 0u) && (OS_MAX_QS > 0u)
#if OS_Q_ACCEPT_EN > 0u
void *OSQAccept(OS_EVENT *pevent, INT8U *perr);
#endif
OS_EVENT *OSQCreate(void **start, INT16U size);
#if OS_Q_DEL_EN > 0u
OS_EVENT *OSQDel(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
#if OS_Q_FLUSH_EN > 0u
INT8U OSQFlush(OS_EVENT *pevent);
#endif
void *OSQPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr);
#if OS_Q_PEND_ABORT_EN > 0u
INT8U OSQPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
#if OS_Q_POST_EN > 0u
INT8U OSQPost(OS_EVENT *pevent, void *pmsg);
#endif
#if OS_Q_POST_FRONT_EN > 0u
INT8U OSQPostFront(OS_EVENT *pevent, void *pmsg);
#endif
#if OS_Q_POST_OPT_EN > 0u
INT8U OSQPostOpt(OS_EVENT *pevent, void *pmsg, INT8U opt);
#endif
#if OS_Q_QUERY_EN > 0u
INT8U OSQQuery(OS_EVENT *pevent, OS_Q_DATA *p_q_data);
#endif
#endif

#if OS_SEM_EN > 0u
#if OS_SEM_ACCEPT_EN > 0u
INT16U OSSemAccept(OS_EVENT *pevent);
#endif
OS_EVENT *OSSemCreate(INT16U cnt);
#if OS_SEM_DEL_EN > 0u
OS_EVENT *OSSemDel(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
void OSSemPend(OS_EVENT *pevent, INT32U timeout, INT8U *perr);
#if OS_SEM_PEND_ABORT_EN > 0u
INT8U OSSemPendAbort(OS_EVENT *pevent, INT8U opt, INT8U *perr);
#endif
INT8U OSSemPost(OS_EVENT *pevent);
#if OS_SEM_QUERY_EN > 0u
INT8U OSSemQuery(OS_EVENT *pevent, OS_SEM_DATA *p_sem_data);
#endif
#if OS_SEM_SET_EN > 0u
void OSSemSet(OS_EVENT *pevent, INT16U cnt, INT8U *perr);
#endif
#endif

#if OS_TASK_CHANGE_PRIO_EN > 0u
INT8U OSTaskChangePrio(INT8U oldprio, INT8U newprio);
#endif
#if OS_TASK_CREATE_EN > 0u
INT8U OSTaskCreate(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT8U prio);
#endif
#if OS_TASK_CREATE_EXT_EN > 0u
INT8U OSTaskCreateExt(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT8U prio, INT16U id, OS_STK *pbos,
                      INT32U stk_size, void *pext, INT16U opt);
#endif
#if OS_TASK_DEL_EN > 0u
INT8U OSTaskDel(INT8U prio);
INT8U OSTaskDelReq(INT8U prio);
#endif
#if OS_TASK_NAME_EN > 0u
INT8U OSTaskNameGet(INT8U prio, INT8U **pname, INT8U *perr);
void OSTaskNameSet(INT8U prio, INT8U *pname, INT8U *perr);
#endif
#if OS_TASK_SUSPEND_EN > 0u
INT8U OSTaskResume(INT8U prio);
INT8U OSTaskSuspend(INT8U prio);
#endif
#if (OS_TASK_STAT_STK_CHK_EN > 0u) && (OS_TASK_CREATE_EXT_EN > 0u)
INT8U OSTaskStkChk(INT8U prio, OS_STK_DATA *p_stk_data);
#endif
#if OS_TASK_QUERY_EN > 0u
INT8U OSTaskQuery(INT8U prio, OS_TCB *p_task_data);
#endif

void OSTimeDly(INT32U ticks);
#if OS_TIME_DLY_HMSM_EN > 0u
INT8U OSTimeDlyHMSM(INT8U hours, INT8U minutes, INT8U seconds, INT16U ms);
#endif
#if OS_TIME_DLY_RESUME_EN > 0u
INT8U OSTimeDlyResume(INT8U prio);
#endif
#if OS_TIME_GET_SET_EN > 0u
INT32U OSTimeGet(void);
void OSTimeSet(INT32U ticks);
#endif
void OSTimeTick(void);

void OSInit(void);
void OSIntEnter(void);
void OSIntExit(void);
#if OS_SCHED_LOCK_EN > 0u
void OSSchedLock(void);
void OSSchedUnlock(void);
#endif
void OSStart(void);
void OSStatInit(void);
INT16U OSVersion(void);

/* ---- internal, used by ports (the application must not call these) ---- */
void OS_Sched(void);
void OS_TaskIdle(void *p_arg);
void OS_TaskReturn(void);
#if OS_TASK_STAT_EN > 0u
void OS_TaskStat(void *p_arg);
#endif
void OS_MemClr(INT8U *pdest, INT16U size);
void OS_MemCopy(INT8U *pdest, INT8U *psrc, INT16U size);

/* ---- port hooks (os_cpu_c.c) ---- */
void OSInitHookBegin(void);
void OSInitHookEnd(void);
void OSTaskCreateHook(OS_TCB *ptcb);
void OSTaskDelHook(OS_TCB *ptcb);
void OSTaskIdleHook(void);
void OSTaskReturnHook(OS_TCB *ptcb);
void OSTaskStatHook(void);
OS_STK *OSTaskStkInit(void (*task)(void *p_arg), void *p_arg, OS_STK *ptos, INT16U opt);
#if OS_TASK_SW_HOOK_EN > 0u
void OSTaskSwHook(void);
#endif
void OSTCBInitHook(OS_TCB *ptcb);
#if OS_TIME_TICK_HOOK_EN > 0u
void OSTimeTickHook(void);
#endif

#if OS_APP_HOOKS_EN > 0u
void App_TaskCreateHook(OS_TCB *ptcb);
void App_TaskDelHook(OS_TCB *ptcb);
void App_TaskIdleHook(void);
void App_TaskReturnHook(OS_TCB *ptcb);
void App_TaskStatHook(void);
#if OS_TASK_SW_HOOK_EN > 0u
void App_TaskSwHook(void);
#endif
void App_TCBInitHook(OS_TCB *ptcb);
#if OS_TIME_TICK_HOOK_EN > 0u
void App_TimeTickHook(void);
#endif
#endif

#ifdef __cplusplus
}
#endif

#endif /* OS_uCOS_II_H */
