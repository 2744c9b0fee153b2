/*
 * app=ktest: kernel-semantics tests, run by one task (prio 30) that starts helper tasks
 * above and below itself. Each test prints "ktest: NAME: ok", or one "ktest: NAME: FAIL
 * ..." line per broken expectation; the last line is "ktest: done: P passed, F failed"
 * (tests/system/test_ucos_kernel.py reads them). Written against the µC/OS-II API only, so
 * it checks the compatible kernel and, with UCOS_SRC, the real one.
 *
 * Helper tasks record what they do in a log of characters; the tests compare the log with
 * the order µC/OS-II's rules dictate (the highest-priority ready task always runs).
 */
#include "app.h"

#define MAIN_PRIO 30u
#define HELPER_STK 384u
#define TICK_NS (1000000000ULL / OS_TICKS_PER_SEC)

static OS_STK main_stk[2048];
static OS_STK helper_stk[OS_LOWEST_PRIO + 1u][HELPER_STK];

/* ---- reporting ---- */

static const char *test_name;
static unsigned int test_failures, passed, failed;

static void fail(const char *what, const char *detail)
{
    test_failures++;
    BSP_Printf("ktest: %s: FAIL %s: %s\n", test_name, what, detail);
}

static void expect_eq(const char *what, uint32_t got, uint32_t want)
{
    if (got != want) {
        char d[48];
        snprintf(d, sizeof d, "got %u, want %u", (unsigned int)got, (unsigned int)want);
        fail(what, d);
    }
}

static void expect_ptr(const char *what, const void *got, const void *want)
{
    if (got != want) {
        char d[48];
        snprintf(d, sizeof d, "got %p, want %p", got, want);
        fail(what, d);
    }
}

static void expect_true(const char *what, int cond) { expect_eq(what, cond != 0, 1); }

/* ---- the log ---- */

static char log_buf[64];
static unsigned int log_len;

static void log_reset(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

static void log_char(char c)
{
    OS_CPU_SR cpu_sr = 0u;
    OS_ENTER_CRITICAL();
    if (log_len + 1 < sizeof log_buf) {
        log_buf[log_len++] = c;
        log_buf[log_len] = '\0';
    }
    OS_EXIT_CRITICAL();
}

static void expect_log(const char *what, const char *want)
{
    if (strcmp(log_buf, want) != 0) {
        char d[96];
        snprintf(d, sizeof d, "log '%s', want '%s'", log_buf, want);
        fail(what, d);
    }
}

/* ---- helpers ---- */

static INT8U spawn(INT8U prio, void (*fn)(void *), void *arg)
{
    return OSTaskCreateExt(fn, arg, &helper_stk[prio][HELPER_STK - 1], prio, prio, helper_stk[prio], HELPER_STK, NULL,
                           OS_TASK_OPT_STK_CHK | OS_TASK_OPT_STK_CLR);
}

/* Logs its argument and returns, which ends the task (OS_TaskReturn deletes it). */
static void task_log(void *arg) { log_char((char)(uintptr_t)arg); }

/* A task that waits on one kernel object and records how the wait ended. */
enum { PEND_SEM, PEND_MBOX, PEND_Q, PEND_MUTEX, PEND_FLAG };
struct pend_req {
    int kind;
    OS_EVENT *ev;
    OS_FLAG_GRP *grp;
    OS_FLAGS flags;
    INT8U wait_type;
    INT32U timeout;
    char tag;
    INT8U err;
    void *msg;
    OS_FLAGS got;
};

static void task_pend(void *arg)
{
    struct pend_req *r = arg;
    switch (r->kind) {
    case PEND_SEM: OSSemPend(r->ev, r->timeout, &r->err); break;
    case PEND_MBOX: r->msg = OSMboxPend(r->ev, r->timeout, &r->err); break;
    case PEND_Q: r->msg = OSQPend(r->ev, r->timeout, &r->err); break;
    case PEND_MUTEX:
        OSMutexPend(r->ev, r->timeout, &r->err);
        if (r->err == OS_ERR_NONE)
            (void)OSMutexPost(r->ev);
        break;
    default: r->got = OSFlagPend(r->grp, r->flags, r->wait_type, r->timeout, &r->err); break;
    }
    log_char(r->tag);
}

static struct pend_req pend_on(int kind, OS_EVENT *ev, char tag)
{
    struct pend_req r = {kind, ev, NULL, 0, 0, 0, tag, 0xEE, NULL, 0};
    return r;
}

/* Waits for the next tick, so that what follows starts right after one. */
static void sync_tick(void) { OSTimeDly(1); }

/* ==== the tests ============================================================================= */

static void test_preemption_order(void)
{
    log_reset();
    expect_eq("create A(20)", spawn(20, task_log, (void *)'A'), OS_ERR_NONE); /* runs at once */
    log_char('1');
    expect_eq("create C(40)", spawn(40, task_log, (void *)'C'), OS_ERR_NONE); /* must wait */
    log_char('2');
    expect_eq("create B(25)", spawn(25, task_log, (void *)'B'), OS_ERR_NONE);
    log_char('3');
    OSTimeDly(1); /* the only moment the lower task can run */
    log_char('4');
    expect_log("creation preempts by priority", "A12B3C4");

    log_reset();
    expect_eq("create L(45)", spawn(45, task_log, (void *)'L'), OS_ERR_NONE);
    log_char('x');
    expect_eq("change prio 45 -> 22", OSTaskChangePrio(45, 22), OS_ERR_NONE);
    log_char('y');
    expect_log("raising a ready task's priority preempts", "xLy");
}

static void test_semaphore(void)
{
    INT8U err;
    OS_SEM_DATA q;
    OS_EVENT *s = OSSemCreate(0);
    expect_true("create", s != NULL);

    log_reset();
    struct pend_req r = pend_on(PEND_SEM, s, 'w');
    spawn(20, task_pend, &r);
    expect_eq("query", OSSemQuery(s, &q), OS_ERR_NONE);
    expect_true("waiter listed", q.OSEventGrp != 0);
    expect_eq("post", OSSemPost(s), OS_ERR_NONE);
    expect_log("post wakes the waiter at once", "w");
    expect_eq("waiter's error", r.err, OS_ERR_NONE);

    expect_eq("post, nobody waiting", OSSemPost(s), OS_ERR_NONE);
    expect_eq("accept", OSSemAccept(s), 1);
    expect_eq("accept empty", OSSemAccept(s), 0);
    OSSemSet(s, 5, &err);
    expect_eq("set", err, OS_ERR_NONE);
    expect_eq("count after set", (OSSemQuery(s, &q), q.OSCnt), 5);
    OSSemPend(s, 0, &err);
    expect_eq("pend with count", err, OS_ERR_NONE);
    expect_eq("count after pend", (OSSemQuery(s, &q), q.OSCnt), 4);
    OSSemSet(s, 0, &err);

    r = pend_on(PEND_SEM, s, 'a');
    spawn(20, task_pend, &r);
    expect_eq("pend abort count", OSSemPendAbort(s, OS_PEND_OPT_NONE, &err), 1);
    expect_eq("pend abort", err, OS_ERR_PEND_ABORT);
    expect_eq("aborted waiter", r.err, OS_ERR_PEND_ABORT);
    expect_eq("pend abort, nobody", OSSemPendAbort(s, OS_PEND_OPT_BROADCAST, &err), 0);
    expect_eq("pend abort, nobody: err", err, OS_ERR_NONE);

    r = pend_on(PEND_SEM, s, 'd');
    spawn(20, task_pend, &r);
    OSSemSet(s, 3, &err);
    expect_eq("set with a waiter", err, OS_ERR_TASK_WAITING);
    expect_ptr("delete (no pend) with a waiter", OSSemDel(s, OS_DEL_NO_PEND, &err), s);
    expect_eq("delete (no pend) with a waiter: err", err, OS_ERR_TASK_WAITING);
    expect_ptr("delete, bad option", OSSemDel(s, 7, &err), s);
    expect_eq("delete, bad option: err", err, OS_ERR_INVALID_OPT);
    expect_ptr("delete (always)", OSSemDel(s, OS_DEL_ALWAYS, &err), NULL);
    expect_eq("delete (always): err", err, OS_ERR_NONE);
    expect_eq("deleted under the waiter", r.err, OS_ERR_PEND_ABORT);
    expect_log("waiters ran", "wad");
    expect_eq("post to a deleted semaphore", OSSemPost(s), OS_ERR_EVENT_TYPE);

    OS_EVENT *full = OSSemCreate(65535);
    expect_eq("overflow", OSSemPost(full), OS_ERR_SEM_OVF);
    (void)OSSemDel(full, OS_DEL_NO_PEND, &err);
}

static OS_EVENT *mx, *mx_go;
static INT8U mx_prio_seen[2];

static OS_TCB tcb_copy;
static INT8U prio_of(INT8U prio) { return OSTaskQuery(prio, &tcb_copy) == OS_ERR_NONE ? tcb_copy.OSTCBPrio : 0xFF; }

static void task_mutex_low(void *arg)
{
    INT8U err;
    (void)arg;
    OSMutexPend(mx, 0, &err);
    log_char(err == OS_ERR_NONE ? 'l' : '!');
    OSSemPend(mx_go, 0, &err);
    mx_prio_seen[0] = prio_of(OS_PRIO_SELF); /* promoted while the high task waits */
    log_char('p');
    (void)OSMutexPost(mx); /* the high task takes it and runs */
    mx_prio_seen[1] = prio_of(OS_PRIO_SELF);
    log_char('q');
}

static void test_mutex(void)
{
    INT8U err;
    OS_MUTEX_DATA q;
    mx = OSMutexCreate(12, &err);
    expect_eq("create (ceiling 12)", err, OS_ERR_NONE);
    mx_go = OSSemCreate(0);
    expect_ptr("create at a task's priority", OSMutexCreate(MAIN_PRIO, &err), NULL);
    expect_eq("create at a task's priority: err", err, OS_ERR_PRIO_EXIST);
    expect_ptr("create at the lowest priority", OSMutexCreate(OS_LOWEST_PRIO, &err), NULL);
    expect_eq("create at the lowest priority: err", err, OS_ERR_PRIO_INVALID);
    expect_eq("ceiling priority reserved", spawn(12, task_log, (void *)'?'), OS_ERR_PRIO_EXIST);
    expect_eq("post, not the owner", OSMutexPost(mx), OS_ERR_NOT_MUTEX_OWNER);

    log_reset();
    spawn(40, task_mutex_low, NULL);
    OSTimeDly(1); /* the low task takes the mutex, then waits on mx_go */
    struct pend_req hi = pend_on(PEND_MUTEX, mx, 'H');
    spawn(20, task_pend, &hi); /* waits for the mutex: the owner goes to the ceiling */
    expect_eq("owner promoted to the ceiling", prio_of(40), 12);
    expect_eq("query", OSMutexQuery(mx, &q), OS_ERR_NONE);
    expect_eq("query: taken", q.OSValue, OS_FALSE);
    expect_eq("query: owner's own priority", q.OSOwnerPrio, 40);
    expect_eq("query: ceiling", q.OSMutexPCP, 12);
    OSSemPost(mx_go); /* the owner (now above us) finishes its critical section */
    expect_log("owner ran at the ceiling, then the waiter", "lpH");
    expect_eq("priority while promoted", mx_prio_seen[0], 12);
    expect_eq("waiter got it", hi.err, OS_ERR_NONE);
    OSTimeDly(1);
    expect_log("owner finished last", "lpHq");
    expect_eq("priority after the post", mx_prio_seen[1], 40);
    expect_eq("available again", (OSMutexQuery(mx, &q), q.OSValue), OS_TRUE);

    /* Accept, timeout, and our own promotion while a waiter times out. */
    expect_eq("accept", OSMutexAccept(mx, &err), OS_TRUE);
    expect_eq("accept: err", err, OS_ERR_NONE);
    expect_eq("accept, taken", OSMutexAccept(mx, &err), OS_FALSE);
    struct pend_req to = pend_on(PEND_MUTEX, mx, 't');
    to.timeout = 2;
    spawn(20, task_pend, &to);
    expect_eq("we are promoted", prio_of(OS_PRIO_SELF), 12);
    OSTimeDly(3);
    expect_eq("waiter timed out", to.err, OS_ERR_TIMEOUT);
    expect_eq("post", OSMutexPost(mx), OS_ERR_NONE);
    expect_eq("back to our priority", prio_of(OS_PRIO_SELF), MAIN_PRIO);

    /* A ceiling below the owner's priority. */
    OS_EVENT *low = OSMutexCreate(35, &err);
    OSMutexPend(low, 0, &err);
    expect_eq("ceiling below the owner", err, OS_ERR_PCP_LOWER);
    expect_eq("post it", OSMutexPost(low), OS_ERR_NONE);
    (void)OSMutexDel(low, OS_DEL_NO_PEND, &err);

    expect_ptr("delete", OSMutexDel(mx, OS_DEL_NO_PEND, &err), NULL);
    expect_eq("delete: err", err, OS_ERR_NONE);
    expect_eq("ceiling priority free again", spawn(12, task_log, (void *)'c'), OS_ERR_NONE);
    (void)OSSemDel(mx_go, OS_DEL_ALWAYS, &err);
}

static void test_mailbox(void)
{
    INT8U err;
    static int x, y;
    OS_MBOX_DATA q;
    OS_EVENT *mb = OSMboxCreate(NULL);
    expect_true("create", mb != NULL);

    log_reset();
    struct pend_req r = pend_on(PEND_MBOX, mb, 'm');
    spawn(20, task_pend, &r);
    expect_eq("post", OSMboxPost(mb, &x), OS_ERR_NONE);
    expect_log("the waiter got it at once", "m");
    expect_ptr("message", r.msg, &x);

    expect_eq("post, nobody waiting", OSMboxPost(mb, &x), OS_ERR_NONE);
    expect_eq("post to a full mailbox", OSMboxPost(mb, &y), OS_ERR_MBOX_FULL);
    expect_eq("query", OSMboxQuery(mb, &q), OS_ERR_NONE);
    expect_ptr("query: message", q.OSMsg, &x);
    expect_ptr("accept", OSMboxAccept(mb), &x);
    expect_ptr("accept empty", OSMboxAccept(mb), NULL);
    expect_eq("post NULL", OSMboxPost(mb, NULL), OS_ERR_POST_NULL_PTR);

    struct pend_req a = pend_on(PEND_MBOX, mb, 'a'), b = pend_on(PEND_MBOX, mb, 'b');
    spawn(21, task_pend, &b);
    spawn(20, task_pend, &a);
    expect_eq("broadcast", OSMboxPostOpt(mb, &y, OS_POST_OPT_BROADCAST), OS_ERR_NONE);
    expect_log("both, highest first", "mab");
    expect_ptr("first got it", a.msg, &y);
    expect_ptr("second got it", b.msg, &y);

    a = pend_on(PEND_MBOX, mb, 'c');
    b = pend_on(PEND_MBOX, mb, 'd');
    spawn(20, task_pend, &a);
    spawn(21, task_pend, &b);
    expect_eq("abort all", OSMboxPendAbort(mb, OS_PEND_OPT_BROADCAST, &err), 2);
    expect_eq("abort all: err", err, OS_ERR_PEND_ABORT);
    expect_eq("aborted", a.err, OS_ERR_PEND_ABORT);
    expect_ptr("aborted: no message", a.msg, NULL);

    a = pend_on(PEND_MBOX, mb, 'e');
    spawn(20, task_pend, &a);
    expect_ptr("delete (always)", OSMboxDel(mb, OS_DEL_ALWAYS, &err), NULL);
    expect_eq("deleted under the waiter", a.err, OS_ERR_PEND_ABORT);
    expect_log("all waiters ran", "mabcde");
}

static void test_queue(void)
{
    INT8U err;
    static int m[6];
    static void *buf[4];
    OS_Q_DATA q;
    OS_EVENT *qu = OSQCreate(buf, 4);
    expect_true("create", qu != NULL);

    for (int i = 0; i < 3; i++)
        expect_eq("post", OSQPost(qu, &m[i]), OS_ERR_NONE);
    for (int i = 0; i < 3; i++)
        expect_ptr("FIFO order", OSQAccept(qu, &err), &m[i]);
    expect_eq("post", OSQPost(qu, &m[0]), OS_ERR_NONE);
    expect_eq("post front", OSQPostFront(qu, &m[1]), OS_ERR_NONE);
    expect_eq("post opt front", OSQPostOpt(qu, &m[2], OS_POST_OPT_FRONT), OS_ERR_NONE);
    expect_ptr("LIFO 1", OSQAccept(qu, &err), &m[2]);
    expect_ptr("LIFO 2", OSQAccept(qu, &err), &m[1]);
    expect_ptr("then FIFO", OSQAccept(qu, &err), &m[0]);
    expect_ptr("accept empty", OSQAccept(qu, &err), NULL);
    expect_eq("accept empty: err", err, OS_ERR_Q_EMPTY);
    for (int i = 0; i < 4; i++)
        (void)OSQPost(qu, &m[i]);
    expect_eq("post to a full queue", OSQPost(qu, &m[4]), OS_ERR_Q_FULL);
    expect_eq("query", OSQQuery(qu, &q), OS_ERR_NONE);
    expect_eq("query: messages", q.OSNMsgs, 4);
    expect_eq("query: size", q.OSQSize, 4);
    expect_ptr("query: next", q.OSMsg, &m[0]);
    expect_eq("flush", OSQFlush(qu), OS_ERR_NONE);
    expect_eq("empty after flush", (OSQQuery(qu, &q), q.OSNMsgs), 0);

    log_reset();
    struct pend_req a = pend_on(PEND_Q, qu, 'a'), b = pend_on(PEND_Q, qu, 'b');
    spawn(20, task_pend, &a);
    expect_eq("post to a waiter", OSQPost(qu, &m[5]), OS_ERR_NONE);
    expect_log("the waiter got it at once", "a");
    expect_ptr("message", a.msg, &m[5]);
    expect_eq("not queued", (OSQQuery(qu, &q), q.OSNMsgs), 0);
    a = pend_on(PEND_Q, qu, 'c');
    spawn(20, task_pend, &a);
    spawn(21, task_pend, &b);
    expect_eq("broadcast", OSQPostOpt(qu, &m[3], OS_POST_OPT_BROADCAST), OS_ERR_NONE);
    expect_log("both", "acb");
    expect_ptr("second got it", b.msg, &m[3]);
    a = pend_on(PEND_Q, qu, 'd');
    spawn(20, task_pend, &a);
    expect_ptr("delete (no pend) with a waiter", OSQDel(qu, OS_DEL_NO_PEND, &err), qu);
    expect_eq("delete (no pend): err", err, OS_ERR_TASK_WAITING);
    expect_ptr("delete (always)", OSQDel(qu, OS_DEL_ALWAYS, &err), NULL);
    expect_eq("deleted under the waiter", a.err, OS_ERR_PEND_ABORT);
}

static void test_event_flags(void)
{
    INT8U err;
    OS_FLAG_GRP *g = OSFlagCreate(0, &err);
    expect_eq("create", err, OS_ERR_NONE);

    log_reset();
    struct pend_req r = pend_on(PEND_FLAG, NULL, 'A');
    r.grp = g;
    r.flags = 0x3;
    r.wait_type = OS_FLAG_WAIT_SET_ALL | OS_FLAG_CONSUME;
    spawn(20, task_pend, &r);
    (void)OSFlagPost(g, 0x1, OS_FLAG_SET, &err);
    expect_log("one of two flags: still waiting", "");
    expect_eq("post", OSFlagPost(g, 0x2, OS_FLAG_SET, &err), 0);
    expect_eq("post: err", err, OS_ERR_NONE);
    expect_log("both: readied", "A");
    expect_eq("flags that readied it", r.got, 0x3);
    expect_eq("consumed", OSFlagQuery(g, &err), 0);

    (void)OSFlagPost(g, 0x4, OS_FLAG_SET, &err);
    r.tag = 'B';
    r.flags = 0x6;
    r.wait_type = OS_FLAG_WAIT_SET_ANY;
    spawn(20, task_pend, &r);
    expect_log("any: at once", "AB");
    expect_eq("any: which", r.got, 0x4);
    expect_eq("not consumed", OSFlagQuery(g, &err), 0x4);

    (void)OSFlagPost(g, 0xFF, OS_FLAG_SET, &err);
    r.tag = 'C';
    r.flags = 0x0F;
    r.wait_type = OS_FLAG_WAIT_CLR_ALL;
    spawn(20, task_pend, &r);
    expect_log("clear-all: waits", "AB");
    (void)OSFlagPost(g, 0x0F, OS_FLAG_CLR, &err);
    expect_log("clear-all: readied", "ABC");
    expect_eq("clear-all: which", r.got, 0x0F);

    expect_eq("accept, not ready", OSFlagAccept(g, 0x100, OS_FLAG_WAIT_SET_ALL, &err), 0);
    expect_eq("accept, not ready: err", err, OS_ERR_FLAG_NOT_RDY);
    expect_eq("accept + consume", OSFlagAccept(g, 0x30, OS_FLAG_WAIT_SET_ALL | OS_FLAG_CONSUME, &err), 0x30);
    expect_eq("accept + consume: err", err, OS_ERR_NONE);
    expect_eq("consumed by accept", OSFlagQuery(g, &err), 0xC0);
    (void)OSFlagAccept(g, 0x1, 5, &err);
    expect_eq("bad wait type (accept)", err, OS_ERR_FLAG_WAIT_TYPE);
    (void)OSFlagPend(g, 0x1, 5, 0, &err);
    expect_eq("bad wait type (pend)", err, OS_ERR_FLAG_WAIT_TYPE);
    (void)OSFlagPost(g, 0x1, 3, &err);
    expect_eq("bad post option", err, OS_ERR_FLAG_INVALID_OPT);
    (void)OSFlagPost(NULL, 0x1, OS_FLAG_SET, &err);
    expect_eq("no group", err, OS_ERR_FLAG_INVALID_PGRP);

    r.tag = 'D';
    r.flags = 0x8000;
    r.wait_type = OS_FLAG_WAIT_SET_ALL;
    spawn(20, task_pend, &r);
    expect_ptr("delete (no pend) with a waiter", OSFlagDel(g, OS_DEL_NO_PEND, &err), g);
    expect_eq("delete (no pend): err", err, OS_ERR_TASK_WAITING);
    expect_ptr("delete (always)", OSFlagDel(g, OS_DEL_ALWAYS, &err), NULL);
    expect_eq("deleted under the waiter", r.err, OS_ERR_PEND_ABORT);
    expect_log("all ran", "ABCD");
}

static void test_memory_partition(void)
{
    INT8U err;
    static INT32U area[4][4];
    OS_MEM_DATA d;
    OS_MEM *p = OSMemCreate(area, 4, sizeof area[0], &err);
    expect_eq("create", err, OS_ERR_NONE);
    void *blk[5];
    for (int i = 0; i < 4; i++) {
        blk[i] = OSMemGet(p, &err);
        expect_eq("get", err, OS_ERR_NONE);
        expect_true("a block of the area", blk[i] >= (void *)area && blk[i] < (void *)&area[4]);
    }
    expect_true("distinct blocks", blk[0] != blk[1] && blk[1] != blk[2] && blk[2] != blk[3]);
    blk[4] = OSMemGet(p, &err);
    expect_eq("get from an empty partition", err, OS_ERR_MEM_NO_FREE_BLKS);
    expect_ptr("nothing", blk[4], NULL);
    expect_eq("query", OSMemQuery(p, &d), OS_ERR_NONE);
    expect_eq("query: free", d.OSNFree, 0);
    expect_eq("query: used", d.OSNUsed, 4);
    expect_eq("query: size", d.OSBlkSize, sizeof area[0]);
    for (int i = 0; i < 4; i++)
        expect_eq("put", OSMemPut(p, blk[i]), OS_ERR_NONE);
    expect_eq("put into a full partition", OSMemPut(p, blk[0]), OS_ERR_MEM_FULL);
    expect_eq("all free", (OSMemQuery(p, &d), d.OSNFree), 4);

    (void)OSMemCreate(NULL, 4, 16, &err);
    expect_eq("no area", err, OS_ERR_MEM_INVALID_ADDR);
    (void)OSMemCreate(area, 1, 16, &err);
    expect_eq("one block", err, OS_ERR_MEM_INVALID_BLKS);
    (void)OSMemCreate(area, 4, 2, &err);
    expect_eq("blocks smaller than a pointer", err, OS_ERR_MEM_INVALID_SIZE);
    (void)OSMemGet(NULL, &err);
    expect_eq("get, no partition", err, OS_ERR_MEM_INVALID_PMEM);
    expect_eq("put, no block", OSMemPut(p, NULL), OS_ERR_MEM_INVALID_PBLK);
    expect_eq("query, no data", OSMemQuery(p, NULL), OS_ERR_MEM_INVALID_PDATA);
}

/* Pends on each kind of object with a timeout of n ticks; each must give up after exactly
 * n ticks. */
static void test_timeouts(void)
{
    INT8U err;
    static void *buf[2];
    OS_EVENT *s = OSSemCreate(0), *mb = OSMboxCreate(NULL), *qu = OSQCreate(buf, 2);
    OS_EVENT *mtx = OSMutexCreate(OS_PRIO_MUTEX_CEIL_DIS, &err);
    OS_FLAG_GRP *g = OSFlagCreate(0, &err);
    for (int kind = 0; kind < 5; kind++) {
        const INT32U n = 2u + (INT32U)kind;
        sync_tick();
        const INT32U t0 = OSTimeGet();
        void *msg = (void *)1;
        switch (kind) {
        case PEND_SEM: OSSemPend(s, n, &err); break;
        case PEND_MBOX: msg = OSMboxPend(mb, n, &err); break;
        case PEND_Q: msg = OSQPend(qu, n, &err); break;
        case PEND_MUTEX:
            (void)OSMutexAccept(mtx, &err); /* we hold it; a helper times out on it */
            {
                struct pend_req r = pend_on(PEND_MUTEX, mtx, 'x');
                r.timeout = n;
                spawn(20, task_pend, &r);
                OSTimeDly(n + 1u);
                err = r.err;
                (void)OSMutexPost(mtx);
                expect_eq("mutex: timed out", err, OS_ERR_TIMEOUT);
            }
            continue;
        default: msg = (void *)(uintptr_t)OSFlagPend(g, 0x1, OS_FLAG_WAIT_SET_ALL, n, &err); break;
        }
        char what[32];
        snprintf(what, sizeof what, "kind %d: error", kind);
        expect_eq(what, err, OS_ERR_TIMEOUT);
        snprintf(what, sizeof what, "kind %d: ticks waited", kind);
        expect_eq(what, OSTimeGet() - t0, n);
        if (kind != PEND_SEM) {
            snprintf(what, sizeof what, "kind %d: nothing received", kind);
            expect_ptr(what, msg, NULL);
        }
    }
    (void)OSSemDel(s, OS_DEL_ALWAYS, &err);
    (void)OSMboxDel(mb, OS_DEL_ALWAYS, &err);
    (void)OSQDel(qu, OS_DEL_ALWAYS, &err);
    (void)OSMutexDel(mtx, OS_DEL_ALWAYS, &err);
    (void)OSFlagDel(g, OS_DEL_ALWAYS, &err);
}

/* OSTimeDly(n) wakes after exactly n ticks, n tick periods of virtual time later. */
static void test_time_delay(void)
{
    static const INT32U delays[] = {1, 2, 5, 10};
    for (unsigned int i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        const INT32U n = delays[i];
        sync_tick();
        const INT32U t0 = OSTimeGet();
        const uint64_t ns0 = BSP_TimeNs();
        OSTimeDly(n);
        const INT32U ticks = OSTimeGet() - t0;
        const uint64_t ns = BSP_TimeNs() - ns0;
        BSP_Printf("ktest: delay %u: %u ticks, %llu ns of virtual time\n", (unsigned int)n, (unsigned int)ticks, ns);
        expect_eq("ticks", ticks, n);
        /* The boards' clocks count at 1 GHz (goldfish), 44.3 MHz (i.MX21 GPT) and 24 MHz
         * (Versatile): allow their resolution below, and the wake-up path above. */
        expect_true("virtual time: n tick periods (-2 us, +1 ms)",
                    ns + 2000u >= n * TICK_NS && ns <= n * TICK_NS + 1000000u);
    }
}

static void task_long_delay(void *arg)
{
    OSTimeDly((INT32U)(uintptr_t)arg);
    log_char('d');
}

static void test_delay_resume_and_hmsm(void)
{
    log_reset();
    spawn(20, task_long_delay, (void *)1000);
    expect_eq("resume a delayed task", OSTimeDlyResume(20), OS_ERR_NONE);
    expect_log("it ran at once", "d");
    expect_eq("resume, not delayed", OSTimeDlyResume(MAIN_PRIO), OS_ERR_TIME_NOT_DLY);
    expect_eq("resume, no task", OSTimeDlyResume(50), OS_ERR_TASK_NOT_EXIST);
    expect_eq("resume, bad priority", OSTimeDlyResume(OS_LOWEST_PRIO), OS_ERR_PRIO_INVALID);

    expect_eq("hmsm 0", OSTimeDlyHMSM(0, 0, 0, 0), OS_ERR_TIME_ZERO_DLY);
    expect_eq("hmsm minutes", OSTimeDlyHMSM(0, 60, 0, 0), OS_ERR_TIME_INVALID_MINUTES);
    expect_eq("hmsm seconds", OSTimeDlyHMSM(0, 0, 60, 0), OS_ERR_TIME_INVALID_SECONDS);
    expect_eq("hmsm ms", OSTimeDlyHMSM(0, 0, 0, 1000), OS_ERR_TIME_INVALID_MS);
    sync_tick();
    INT32U t0 = OSTimeGet();
    expect_eq("hmsm 50 ms", OSTimeDlyHMSM(0, 0, 0, 50), OS_ERR_NONE);
    expect_eq("50 ms in ticks", OSTimeGet() - t0, 50u * OS_TICKS_PER_SEC / 1000u);
    sync_tick();
    t0 = OSTimeGet();
    (void)OSTimeDlyHMSM(0, 0, 1, 0);
    expect_eq("1 s in ticks", OSTimeGet() - t0, OS_TICKS_PER_SEC);

    const INT32U now = OSTimeGet();
    OSTimeSet(123456);
    expect_eq("time set", OSTimeGet(), 123456);
    OSTimeSet(now);
}

static void test_sched_lock(void)
{
    INT8U err;
    OS_EVENT *s = OSSemCreate(0);
    log_reset();
    OSSchedLock();
    OSSchedLock();
    spawn(20, task_log, (void *)'H');
    log_char('1');
    OSSemPend(s, 1, &err);
    expect_eq("pend while locked", err, OS_ERR_PEND_LOCKED);
    const INT32U t0 = OSTimeGet();
    OSTimeDly(5); /* no effect while locked */
    expect_true("delay while locked returns", OSTimeGet() - t0 <= 1);
    OSSchedUnlock();
    log_char('2');
    OSSchedUnlock();
    log_char('3');
    expect_log("the higher task runs on the last unlock", "12H3");
    (void)OSSemDel(s, OS_DEL_ALWAYS, &err);
}

static void task_self_suspend(void *arg)
{
    (void)arg;
    log_char('a');
    (void)OSTaskSuspend(OS_PRIO_SELF);
    log_char('b');
}

static void test_suspend_resume(void)
{
    log_reset();
    spawn(20, task_self_suspend, NULL);
    log_char('1');
    expect_eq("resume", OSTaskResume(20), OS_ERR_NONE);
    expect_log("suspended itself, resumed", "a1b");

    spawn(20, task_long_delay, (void *)2);
    expect_eq("suspend a delayed task", OSTaskSuspend(20), OS_ERR_NONE);
    OSTimeDly(4); /* its delay runs out while suspended */
    expect_log("stays suspended", "a1b");
    expect_eq("resume it", OSTaskResume(20), OS_ERR_NONE);
    expect_log("runs once resumed", "a1bd");

    expect_eq("suspend idle", OSTaskSuspend(OS_TASK_IDLE_PRIO), OS_ERR_TASK_SUSPEND_IDLE);
    expect_eq("suspend, no task", OSTaskSuspend(50), OS_ERR_TASK_SUSPEND_PRIO);
    expect_eq("suspend, bad priority", OSTaskSuspend(64), OS_ERR_PRIO_INVALID);
    expect_eq("resume, no task", OSTaskResume(50), OS_ERR_TASK_RESUME_PRIO);
    expect_eq("resume, not suspended", OSTaskResume(MAIN_PRIO), OS_ERR_TASK_NOT_SUSPENDED);
}

static OS_EVENT *dr_mutex;
static OS_MEM *dr_part;

/* Holds a mutex and a memory block until asked to delete itself (OSTaskDelReq). */
static void task_resource_holder(void *arg)
{
    INT8U err;
    (void)arg;
    OSMutexPend(dr_mutex, 0, &err);
    void *blk = OSMemGet(dr_part, &err);
    log_char('h');
    for (;;) {
        if (OSTaskDelReq(OS_PRIO_SELF) == OS_ERR_TASK_DEL_REQ) {
            (void)OSMemPut(dr_part, blk);
            (void)OSMutexPost(dr_mutex);
            log_char('r');
            (void)OSTaskDel(OS_PRIO_SELF);
        }
        OSTimeDly(1);
    }
}

static void test_delete_task(void)
{
    INT8U err;
    static INT32U area[2][4];
    OS_SEM_DATA sq;
    OS_MUTEX_DATA mq;
    OS_MEM_DATA md;
    OS_TCB t;

    /* A task waiting on a semaphore: deleting it takes it off the wait list. */
    OS_EVENT *s = OSSemCreate(0);
    log_reset();
    struct pend_req r = pend_on(PEND_SEM, s, 'w');
    spawn(20, task_pend, &r);
    expect_eq("delete a waiting task", OSTaskDel(20), OS_ERR_NONE);
    expect_eq("wait list empty", (OSSemQuery(s, &sq), sq.OSEventGrp), 0);
    expect_eq("post", OSSemPost(s), OS_ERR_NONE);
    expect_eq("the post was kept", (OSSemQuery(s, &sq), sq.OSCnt), 1);
    expect_log("the deleted task never ran", "");
    expect_eq("gone", OSTaskQuery(20, &t), OS_ERR_PRIO);

    /* A delayed task. */
    spawn(20, task_long_delay, (void *)2);
    expect_eq("delete a delayed task", OSTaskDel(20), OS_ERR_NONE);
    OSTimeDly(3);
    expect_log("it never woke", "");

    /* A task holding a mutex and a memory block: the documented way is a delete request,
     * so that it releases what it holds first. */
    dr_mutex = OSMutexCreate(13, &err);
    dr_part = OSMemCreate(area, 2, sizeof area[0], &err);
    spawn(21, task_resource_holder, NULL);
    expect_eq("it holds the mutex", (OSMutexQuery(dr_mutex, &mq), mq.OSValue), OS_FALSE);
    expect_eq("delete request", OSTaskDelReq(21), OS_ERR_NONE);
    int tries = 0;
    while (OSTaskDelReq(21) != OS_ERR_TASK_NOT_EXIST && tries++ < 10)
        OSTimeDly(1);
    expect_log("released, then deleted itself", "hr");
    expect_eq("mutex free", (OSMutexQuery(dr_mutex, &mq), mq.OSValue), OS_TRUE);
    expect_eq("block returned", (OSMemQuery(dr_part, &md), md.OSNFree), 2);

    /* A task that returns from its function is deleted. */
    spawn(20, task_log, (void *)'x');
    expect_eq("returned task is gone", OSTaskQuery(20, &t), OS_ERR_PRIO);

    expect_eq("delete idle", OSTaskDel(OS_TASK_IDLE_PRIO), OS_ERR_TASK_DEL_IDLE);
    expect_eq("delete, no task", OSTaskDel(50), OS_ERR_TASK_NOT_EXIST);
    expect_eq("delete a mutex's ceiling", OSTaskDel(13), OS_ERR_TASK_DEL);
    expect_eq("delete, bad priority", OSTaskDel(64), OS_ERR_PRIO_INVALID);
    expect_eq("delete request, no task", OSTaskDelReq(50), OS_ERR_TASK_NOT_EXIST);
    expect_eq("delete request to idle", OSTaskDelReq(OS_TASK_IDLE_PRIO), OS_ERR_TASK_DEL_IDLE);
    (void)OSMutexDel(dr_mutex, OS_DEL_ALWAYS, &err);
    (void)OSSemDel(s, OS_DEL_ALWAYS, &err);
}

static void test_bad_arguments(void)
{
    INT8U err;
    OS_EVENT *mb = OSMboxCreate(NULL), *s = OSSemCreate(0);
    OS_TCB t;
    OSSemPend(NULL, 0, &err);
    expect_eq("sem pend NULL", err, OS_ERR_PEVENT_NULL);
    expect_eq("sem post NULL", OSSemPost(NULL), OS_ERR_PEVENT_NULL);
    expect_eq("sem post to a mailbox", OSSemPost(mb), OS_ERR_EVENT_TYPE);
    (void)OSMboxPend(s, 0, &err);
    expect_eq("mbox pend on a semaphore", err, OS_ERR_EVENT_TYPE);
    expect_eq("queue post NULL", OSQPost(NULL, &t), OS_ERR_PEVENT_NULL);
    expect_eq("mutex post NULL", OSMutexPost(NULL), OS_ERR_PEVENT_NULL);
    OSMutexPend(s, 0, &err);
    expect_eq("mutex pend on a semaphore", err, OS_ERR_EVENT_TYPE);
    (void)OSFlagQuery(NULL, &err);
    expect_eq("flag query NULL", err, OS_ERR_FLAG_INVALID_PGRP);
    expect_eq("create at priority 64", spawn(64 - 1, task_log, (void *)'!'), OS_ERR_PRIO_EXIST);
    expect_eq("create above the lowest", OSTaskCreate(task_log, NULL, &helper_stk[0][HELPER_STK - 1], 64),
              OS_ERR_PRIO_INVALID);
    expect_eq("create at our priority", spawn(MAIN_PRIO, task_log, NULL), OS_ERR_PRIO_EXIST);
    expect_eq("change to a used priority", OSTaskChangePrio(OS_PRIO_SELF, OS_TASK_IDLE_PRIO - 1), OS_ERR_PRIO_EXIST);
    expect_eq("change a missing task", OSTaskChangePrio(50, 51), OS_ERR_PRIO);
    expect_eq("change to a bad priority", OSTaskChangePrio(OS_PRIO_SELF, 70), OS_ERR_PRIO_INVALID);
    expect_eq("query a missing task", OSTaskQuery(50, &t), OS_ERR_PRIO);
    expect_eq("query, bad priority", OSTaskQuery(70, &t), OS_ERR_PRIO_INVALID);
    OSTaskNameSet(OS_PRIO_SELF, NULL, &err);
    expect_eq("name NULL", err, OS_ERR_PNAME_NULL);
    (void)OSSemDel(s, 9, &err);
    expect_eq("delete option", err, OS_ERR_INVALID_OPT);
    (void)OSMboxPendAbort(NULL, OS_PEND_OPT_NONE, &err);
    expect_eq("pend abort NULL", err, OS_ERR_PEVENT_NULL);
    expect_eq("version", OSVersion(), 29300);
    (void)OSMboxDel(mb, OS_DEL_ALWAYS, &err);
    (void)OSSemDel(s, OS_DEL_ALWAYS, &err);
}

static volatile int tick_preempted;

static void task_wake_and_flag(void *arg)
{
    (void)arg;
    OSTimeDly(2);
    tick_preempted = 1;
    log_char('t');
}

/* A task that never blocks is preempted by the tick that readies a higher task: the upcall
 * (pv) / interrupt (native) goes through OSIntEnter/OSIntExit. */
static void test_tick_preemption(void)
{
    log_reset();
    tick_preempted = 0;
    spawn(20, task_wake_and_flag, NULL);
    uint32_t spins = 0;
    while (!tick_preempted && spins < 50000000u)
        spins++;
    expect_true("preempted while spinning", tick_preempted);
    expect_log("the woken task ran", "t");
    BSP_Printf("ktest: tick preemption after %u spins\n", (unsigned int)spins);
}

static void test_statistics(void)
{
    OS_TCB t;
    OSStatInit();
    OSTimeDly(OS_TICKS_PER_SEC / 2u);
    expect_true("ready", OSStatRdy == OS_TRUE);
    /* Once calibrated, OS_TaskStat divides OSIdleCtrMax by 100 in place; 0 would make it
     * suspend itself for good (no usage, no OSTaskStatHook, no stack checks). */
    expect_true("calibrated", OSIdleCtrMax > 0);
    expect_eq("statistics task query", OSTaskQuery(OS_TASK_STAT_PRIO, &t), OS_ERR_NONE);
    expect_eq("statistics task not suspended", t.OSTCBStat & OS_STAT_SUSPEND, 0u);
    expect_true("usage is a percentage", OSCPUUsage <= 100u);
    BSP_Printf("ktest: statistics: idle max %u, CPU usage %u%%, %u idle wake-ups, %u us idle\n",
               (unsigned int)OSIdleCtrMax, (unsigned int)OSCPUUsage, (unsigned int)OS_CPU_IdleWakeups,
               (unsigned int)(OS_CPU_IdleNs / 1000u));
}

/* A task above the statistics task that, after every tick, is busy for load_pct % of the
 * tick period and then waits for the next one. */
static volatile uint32_t load_pct;

static void task_load(void *arg)
{
    (void)arg;
    for (;;) {
        OSTimeDly(1u);
        if (load_pct == 0u)
            break;
        BSP_SpinNs((uint32_t)(TICK_NS * load_pct / 100u));
    }
}

/* OSCPUUsage with no load and with 25, 50 and 75 % of each tick period busy: within 3 % of
 * the load (after a window and a half, so the last full window saw only that load). */
static void test_cpu_usage(void)
{
    static const uint32_t loads[] = {0u, 25u, 50u, 75u};
    if (OSStatRdy == OS_FALSE)
        OSStatInit();
    for (unsigned int i = 0; i < sizeof loads / sizeof loads[0]; i++) {
        load_pct = loads[i];
        if (i == 1u)
            expect_eq("load task", spawn(20, task_load, NULL), OS_ERR_NONE);
        OSTimeDly(3u * OS_TICKS_PER_SEC / 10u);
        const uint32_t usage = OSCPUUsage;
        BSP_Printf("ktest: cpu-usage: load %u%%: OSCPUUsage %u%%\n", (unsigned int)loads[i], (unsigned int)usage);
        char what[32];
        snprintf(what, sizeof what, "usage at %u%% load", (unsigned int)loads[i]);
        expect_true(what, usage + 3u >= loads[i] && usage <= loads[i] + 3u);
    }
    load_pct = 0u;
    OSTimeDly(2u); /* the load task ends */
}

static void test_task_query(void)
{
    INT8U err;
    OS_TCB t;
    OS_STK_DATA sd;
    INT8U *name;
    expect_eq("query self", OSTaskQuery(OS_PRIO_SELF, &t), OS_ERR_NONE);
    expect_eq("own priority", t.OSTCBPrio, MAIN_PRIO);
    expect_eq("ready", t.OSTCBStat, OS_STAT_RDY);
    OSTaskNameSet(OS_PRIO_SELF, (INT8U *)"ktest", &err);
    expect_eq("name set", err, OS_ERR_NONE);
    expect_eq("name length", OSTaskNameGet(MAIN_PRIO, &name, &err), 5);
    expect_eq("name", strcmp((const char *)name, "ktest"), 0);
    expect_eq("stack check", OSTaskStkChk(OS_PRIO_SELF, &sd), OS_ERR_NONE);
    expect_true("stack used and free",
                sd.OSUsed > 0 && sd.OSFree > 0 && sd.OSUsed + sd.OSFree == sizeof main_stk / sizeof main_stk[0]);
    spawn(45, task_long_delay, (void *)1);
    OSTaskCreate(task_log, (void *)'n', &helper_stk[46][HELPER_STK - 1], 46);
    expect_eq("stack check without the option", OSTaskStkChk(46, &sd), OS_ERR_TASK_OPT);
    expect_eq("idle task's name", OSTaskNameGet(OS_TASK_IDLE_PRIO, &name, &err) > 0, 1);
    OSTimeDly(2);
}

/* ==== runner ================================================================================ */

struct test {
    const char *name;
    void (*fn)(void);
};

static const struct test tests[] = {
    {"preemption-order", test_preemption_order},
    {"semaphore", test_semaphore},
    {"mutex", test_mutex},
    {"mailbox", test_mailbox},
    {"queue", test_queue},
    {"event-flags", test_event_flags},
    {"memory-partition", test_memory_partition},
    {"timeouts", test_timeouts},
    {"time-delay", test_time_delay},
    {"delay-resume-hmsm", test_delay_resume_and_hmsm},
    {"sched-lock", test_sched_lock},
    {"suspend-resume", test_suspend_resume},
    {"delete-task", test_delete_task},
    {"bad-arguments", test_bad_arguments},
    {"tick-preemption", test_tick_preemption},
    {"statistics", test_statistics},
    {"cpu-usage", test_cpu_usage},
    {"task-query", test_task_query},
};

static void task_main(void *arg)
{
    (void)arg;
    BSP_TickStart();
    for (unsigned int i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        test_name = tests[i].name;
        test_failures = 0;
        tests[i].fn();
        OSTimeDly(1); /* let helper tasks finish */
        if (test_failures == 0) {
            passed++;
            BSP_Printf("ktest: %s: ok\n", test_name);
        } else {
            failed++;
        }
    }
    BSP_Printf("ktest: done: %u passed, %u failed\n", passed, failed);
    BSP_Exit(failed == 0 ? 0 : 1);
}

void app_ktest_init(void)
{
    (void)OSTaskCreateExt(task_main, NULL, &main_stk[sizeof main_stk / sizeof main_stk[0] - 1], MAIN_PRIO, MAIN_PRIO,
                          main_stk, sizeof main_stk / sizeof main_stk[0], NULL,
                          OS_TASK_OPT_STK_CHK | OS_TASK_OPT_STK_CLR);
}
