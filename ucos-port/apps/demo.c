/*
 * app=demo seed=S rounds=R [fault=1]: a small pipeline of tasks that uses every kind of
 * kernel object, and ends with a checksum that depends only on S and R (tests/system/
 * test_ucos_demo.py computes the same number).
 *
 *   ticker   (prio 10)  each round: OSTimeDly(2), then event flag START; waits for DONE
 *   producer (prio 11)  on START: 8 messages, each a memory-partition block holding the
 *                       next xorshift32 value, into a queue (a counting semaphore of free
 *                       slots keeps the queue from overflowing)
 *   filter   (prio 12)  queue -> transform -> mailbox, then waits for the consumer's ack
 *   consumer (prio 13)  mailbox -> checksum, block back to the partition, slot back; after
 *                       8 messages: event flag DONE
 *   workers  (prio 14, 15) R times each: add to a shared sum under a mutex (ceiling 7) held
 *                       across a one-tick delay, so they contend and the owner is promoted
 *   start    (prio 20)  starts the tick, OSStatInit(), creates the rest, waits for them on a
 *                       semaphore, prints the checksum and ends the guest
 *
 * checksum = pipeline ^ (sum * 0x9E3779B1), where pipeline = fold of v' = v * 2654435761 +
 * round over all messages in order (fold: c = c * 33 ^ v'), sum = sum over workers w (14,
 * 15) and i < R of w * 1000 + i, and the values v come from xorshift32 (13, 17, 5) seeded
 * with S * 2654435761 | 1.
 *
 * fault=data|undef|prefetch (pv only; fault=1 is data) adds the fault-tolerance paper's
 * experiment: a task in virtual user mode (prio 25, named "user", bsp.h's user code) with a
 * checkpoint region (its data and stack pages, os_cpu.h's OS_TASK_OPT_CHECKPOINT) takes
 * USER_STEPS steps of work in its data (acc = acc * 33 ^ step from acc = seed, a one-tick
 * delay each) and at step USER_FAULT_AT, after the step's work, faults: a store to the kernel
 * global OSTime (a data abort), an undefined instruction, or a jump to OSTime (a prefetch
 * abort). xen-arm delivers it to the guest as a trap upcall and the port rolls the task back
 * to its checkpoint (the system call before the step): the step is redone, and the fault,
 * transient, does not recur (the task asks the port for its rollback count). The task ends
 * and its result is printed ("user task: S/S steps, acc 0x..."). With repeat=1 it faults on
 * every pass: after OS_CPU_TASK_FAULT_LIMIT rollbacks the port gives up and the fault goes to
 * the fault hook below (interrupt context), which suspends the task and mails the record to
 * a monitor task (prio 5) that reports it and deletes the task. Everything else carries on.
 *
 * kfault=1|2 (pv): a fault of the guest kernel, transient (only while the VMM has never
 * rolled the domain back, BSP_DomainRollbacks, a count kept outside the domain's memory). In
 * round rounds/2 the producer corrupts the queue's insert pointer and posts: kfault=1, the
 * kernel's OSQPost writes the message through it inside its critical section (upcalls
 * masked: the VMM gets the data abort itself); kfault=2, the filter task writes the message
 * through a corrupted pointer with upcalls enabled (it dereferences it; the abort is bounced to the port, which
 * leaves it to the VMM). With fault_tolerance = vm the VMM rolls the domain back to its last
 * checkpoint and the pipeline's checksum comes out right; without, the domain crashes.
 */
#include "app.h"

#define MSGS_PER_ROUND 8u
#define QUEUE_SLOTS 4u
#define STK 512u
#define PCP 7u

#define FLAG_START 0x0001u
#define FLAG_DONE 0x0002u

enum {
    PRIO_MONITOR = 5,
    PRIO_TICKER = 10,
    PRIO_PRODUCER,
    PRIO_FILTER,
    PRIO_CONSUMER,
    PRIO_WORKER_A,
    PRIO_WORKER_B,
    PRIO_START = 20,
    PRIO_USER = 25
};

struct msg {
    INT32U round;
    INT32U index;
    INT32U value;
};

static OS_STK stk_start[STK], stk_ticker[STK], stk_producer[STK], stk_filter[STK], stk_consumer[STK],
    stk_worker[2][STK], stk_monitor[STK], stk_user[STK];
static INT32U kfault, kfault_round;
static struct msg blocks[MSGS_PER_ROUND];
static void *queue_buf[QUEUE_SLOTS];

static OS_EVENT *queue, *mbox, *slots, *ack, *finished, *mutex, *fault_box, *fault_done;
static OS_FLAG_GRP *phase;
static OS_MEM *partition;

static INT32U rounds, xs_state, pipeline, shared_sum, promotions, errors;
static unsigned int dom;

static INT32U xorshift32(void)
{
    INT32U x = xs_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    xs_state = x;
    return x;
}

static void check(INT8U err, const char *what)
{
    if (err != OS_ERR_NONE) {
        errors++;
        BSP_Printf("ucos-demo: dom %u: %s: error %u\n", dom, what, err);
    }
}

static void task_ticker(void *arg)
{
    INT8U err;
    (void)arg;
    for (INT32U r = 0; r < rounds; r++) {
        OSTimeDly(2);
        BSP_Printf("ucos-demo: dom %u round %u/%u at tick %u\n", dom, r + 1, rounds, OSTimeGet());
        (void)OSFlagPost(phase, FLAG_START, OS_FLAG_SET, &err);
        check(err, "post START");
        (void)OSFlagPend(phase, FLAG_DONE, OS_FLAG_WAIT_SET_ALL | OS_FLAG_CONSUME, 0, &err);
        check(err, "pend DONE");
    }
    check(OSSemPost(finished), "ticker finished");
}

/* ---- kfault: a wild write of the guest kernel ---- */

#define KFAULT_MESSAGE 3u      /* not the round's first: that one goes straight to the waiting filter */
#define KFAULT_ADDRESS 0xBAD0u /* mapped nowhere in the domain */
static volatile INT32U wild_address = KFAULT_ADDRESS;

/* Whether this pass at round r, message k is the kernel fault's: the first pass only, as a
 * rollback restores everything in the domain but the VMM's count of rollbacks. */
static int kfault_now(INT32U which, INT32U r, INT32U k)
{
    return kfault == which && r == kfault_round && k == KFAULT_MESSAGE && BSP_DomainRollbacks() == 0;
}

/* kfault=1: the queue's insert pointer goes wild; OSQPost stores the next message through
 * it, in the kernel's critical section. */
static void corrupt_queue(INT32U r, INT32U k)
{
    OS_Q *q = (OS_Q *)queue->OSEventPtr;
    BSP_Printf("ucos-demo: dom %u: kernel fault: round %u message %u, the queue's insert pointer -> 0x%08x\n", dom,
               r + 1u, k, (unsigned int)wild_address);
    q->OSQIn = (void **)(uintptr_t)wild_address;
}

static void task_producer(void *arg)
{
    INT8U err;
    (void)arg;
    for (INT32U r = 0; r < rounds; r++) {
        (void)OSFlagPend(phase, FLAG_START, OS_FLAG_WAIT_SET_ALL | OS_FLAG_CONSUME, 0, &err);
        check(err, "pend START");
        for (INT32U k = 0; k < MSGS_PER_ROUND; k++) {
            OSSemPend(slots, 0, &err);
            check(err, "pend slot");
            struct msg *m = OSMemGet(partition, &err);
            check(err, "get block");
            if (m == NULL)
                return;
            m->round = r;
            m->index = k;
            m->value = xorshift32();
            if (kfault_now(1u, r, k))
                corrupt_queue(r, k);
            check(OSQPost(queue, m), "queue post");
        }
    }
}

static void task_filter(void *arg)
{
    INT8U err;
    (void)arg;
    for (INT32U n = 0; n < rounds * MSGS_PER_ROUND; n++) {
        struct msg *m = OSQPend(queue, 0, &err);
        check(err, "queue pend");
        if (kfault_now(2u, n / MSGS_PER_ROUND, n % MSGS_PER_ROUND)) {
            /* kfault=2: the task's own pointer goes wild, upcalls enabled */
            BSP_Printf("ucos-demo: dom %u: kernel fault: round %u message %u, the filter's message pointer -> "
                       "0x%08x\n",
                       dom, n / MSGS_PER_ROUND + 1u, n % MSGS_PER_ROUND, (unsigned int)wild_address);
            m = (struct msg *)(uintptr_t)wild_address;
        }
        m->value = m->value * 2654435761u + m->round;
        check(OSMboxPost(mbox, m), "mbox post");
        OSSemPend(ack, 0, &err);
        check(err, "pend ack");
    }
}

static void task_consumer(void *arg)
{
    INT8U err;
    (void)arg;
    for (INT32U r = 0; r < rounds; r++) {
        for (INT32U k = 0; k < MSGS_PER_ROUND; k++) {
            struct msg *m = OSMboxPend(mbox, 0, &err);
            check(err, "mbox pend");
            check(OSSemPost(ack), "post ack");
            if (m->round != r || m->index != k) {
                errors++;
                BSP_Printf("ucos-demo: dom %u: message %u.%u out of order\n", dom, m->round, m->index);
            }
            pipeline = pipeline * 33u ^ m->value;
            check(OSMemPut(partition, m), "put block");
            check(OSSemPost(slots), "post slot");
        }
        (void)OSFlagPost(phase, FLAG_DONE, OS_FLAG_SET, &err);
        check(err, "post DONE");
    }
}

static void task_worker(void *arg)
{
    const INT32U id = (INT32U)(uintptr_t)arg;
    INT8U err;
    OS_TCB self;
    for (INT32U i = 0; i < rounds; i++) {
        OSMutexPend(mutex, 0, &err);
        check(err, "mutex pend");
        const INT32U before = shared_sum;
        OSTimeDly(1); /* hold it across a tick: the other worker has to wait */
        shared_sum = before + id * 1000u + i;
        if (OSTaskQuery(OS_PRIO_SELF, &self) == OS_ERR_NONE && self.OSTCBPrio == PCP)
            promotions++; /* a higher-priority task waited: we run at the ceiling */
        check(OSMutexPost(mutex), "mutex post");
        OSTimeDly(1u + (id & 1u));
    }
    check(OSSemPost(finished), "worker finished");
}

/* ---- the fault experiment: a virtual-user-mode task faults ---- */

#define USER_VA 0x40000000u
#define USER_STEPS 8u
#define USER_FAULT_AT 5u
#define USER_DATA_VA (USER_VA + 4096u)
#define USER_STACK_VA (USER_VA + 8192u)
/* Its code, its data (a struct bsp_user_data) and its stack; the last two are its region.
 * Once mapped they are reached only at their user addresses, from kernel mode as well: the
 * caches are virtually indexed, so a second address would need cleaning in between. */
static INT8U user_pages[3][4096] __attribute__((aligned(4096)));
static INT8U user_backup[2 * 4096];
static OS_CPU_TASK_CKPT user_ckpt;
static struct bsp_user_data *const user_data = (struct bsp_user_data *)USER_DATA_VA;

static struct fault_record {
    INT32U kind, prio, pc, far, fsr, psr;
} fault_rec;

/* Interrupt context (the port's abort entry): the faults of user-mode tasks the port did not
 * roll back. */
static int demo_fault_hook(uint32_t kind, OS_CPU_FRAME *frame, uint32_t far, uint32_t fsr)
{
    if ((frame->psr & OS_CPU_PSR_MODE_MASK) != OS_CPU_PSR_MODE_USER)
        return 0;
    fault_rec.kind = kind;
    fault_rec.prio = OSTCBCur->OSTCBPrio;
    fault_rec.pc = frame->pc;
    fault_rec.far = far;
    fault_rec.fsr = fsr;
    fault_rec.psr = frame->psr;
    (void)OSTaskSuspend(OS_PRIO_SELF); /* the faulting task never resumes */
    (void)OSMboxPost(fault_box, &fault_rec);
    return 1;
}

static void task_monitor(void *arg)
{
    INT8U err;
    (void)arg;
    const struct fault_record *f = OSMboxPend(fault_box, 0, &err);
    check(err, "fault pend");
    BSP_Printf("ucos-demo: dom %u: %s in task %u (virtual user mode), delivered as an upcall\n", dom,
               BSP_ExceptName(f->kind), f->prio);
    BSP_Printf("ucos-demo: dom %u: pc 0x%08x address 0x%08x (&OSTime 0x%08x) fsr 0x%03x\n", dom, f->pc, f->far,
               (unsigned int)(uintptr_t)&OSTime, f->fsr);
    err = OSTaskDel((INT8U)f->prio);
    BSP_Printf("ucos-demo: dom %u: faulting task %u deleted (%u); OSTime is %u and counting\n", dom, f->prio, err,
               OSTimeGet());
    check(OSSemPost(fault_done), "fault done");
}

/* fault=: 0 none, else the user task's way of faulting (1 is data). */
static INT32U fault_kind(const char *arg)
{
    if (arg == NULL || strcmp(arg, "0") == 0)
        return 0u;
    if (strcmp(arg, "undef") == 0)
        return 1u + BSP_USER_FAULT_UNDEF;
    if (strcmp(arg, "prefetch") == 0)
        return 1u + BSP_USER_FAULT_PREFETCH;
    return 1u + BSP_USER_FAULT_DATA;
}

static const char *const fault_says[] = {"user task: writing OSTime", "user task: executing an undefined instruction",
                                         "user task: jumping to OSTime"};

static void start_user_task(INT32U kind)
{
    static OS_CPU_USER_START start;
    INT8U err;
    const size_t len = (size_t)(bsp_user_blob_end - bsp_user_blob);
    memcpy(user_pages[0], bsp_user_blob, len); /* (BSP_MapUserPage makes it fit to run) */
    if (BSP_MapUserPage(USER_VA, user_pages[0]) != 0 || BSP_MapUserPage(USER_DATA_VA, user_pages[1]) != 0 ||
        BSP_MapUserPage(USER_STACK_VA, user_pages[2]) != 0) {
        BSP_Printf("ucos-demo: dom %u: no virtual user mode here (%s)\n", dom, BSP_Kind());
        errors++;
        return;
    }
    user_data->target = (INT32U)(uintptr_t)&OSTime;
    user_data->kind = kind;
    user_data->every = BSP_ArgU32("repeat", 0) != 0u;
    user_data->fault_at = USER_FAULT_AT;
    user_data->steps = USER_STEPS;
    user_data->acc = BSP_ArgU32("seed", 1);
    strlcpy(user_data->says, fault_says[kind], sizeof user_data->says);
    fault_box = OSMboxCreate(NULL);
    fault_done = OSSemCreate(0);
    BSP_SetFaultHook(demo_fault_hook);
    check(OSTaskCreateExt(task_monitor, NULL, &stk_monitor[STK - 1], PRIO_MONITOR, PRIO_MONITOR, stk_monitor, STK, NULL,
                          OS_TASK_OPT_NONE),
          "create monitor");
    start.arg = user_data;
    start.sp = USER_STACK_VA + 4096u;
    user_ckpt.region[0].base = (void *)USER_DATA_VA;
    user_ckpt.region[0].size = 4096u;
    user_ckpt.region[1].base = (void *)USER_STACK_VA;
    user_ckpt.region[1].size = 4096u;
    user_ckpt.backup = user_backup;
    user_ckpt.backup_size = sizeof user_backup;
    check(OSTaskCreateExt((void (*)(void *))USER_VA, &start, &stk_user[STK - 1], PRIO_USER, PRIO_USER, stk_user, STK,
                          &user_ckpt, OS_TASK_OPT_USER_MODE | OS_TASK_OPT_CHECKPOINT),
          "create user task");
    OSTaskNameSet(PRIO_USER, (INT8U *)(void *)"user", &err);
    check(err, "name user task");
}

/* The user task has exited or was deleted; its result (bsp.h's recipe). */
static void end_user_task(void)
{
    INT8U err;
    OS_TCB tcb;
    for (INT32U t = 0; t < 10u * OS_TICKS_PER_SEC && OSTaskQuery(PRIO_USER, &tcb) == OS_ERR_NONE; t++)
        OSTimeDly(1);
    if (fault_rec.kind != 0u) {
        OSSemPend(fault_done, 10u * OS_TICKS_PER_SEC, &err);
        check(err, "fault reported");
    }
    BSP_Printf("ucos-demo: dom %u user task: %u/%u steps, acc 0x%08x, %u checkpoints, %u rollbacks\n", dom,
               (unsigned int)user_data->step, (unsigned int)user_data->steps, (unsigned int)user_data->acc,
               user_ckpt.checkpoints, user_ckpt.rollbacks);
}

static void task_start(void *arg)
{
    INT8U err;
    const INT32U fault = (INT32U)(uintptr_t)arg;
    BSP_TickStart();
    OSStatInit();

    queue = OSQCreate(queue_buf, QUEUE_SLOTS);
    mbox = OSMboxCreate(NULL);
    slots = OSSemCreate(QUEUE_SLOTS);
    ack = OSSemCreate(0);
    finished = OSSemCreate(0);
    mutex = OSMutexCreate(PCP, &err);
    check(err, "mutex create");
    phase = OSFlagCreate(0, &err);
    check(err, "flag create");
    partition = OSMemCreate(blocks, MSGS_PER_ROUND, sizeof blocks[0], &err);
    check(err, "partition create");
    if (queue == NULL || mbox == NULL || slots == NULL || ack == NULL || finished == NULL)
        errors++;

    check(OSTaskCreate(task_ticker, NULL, &stk_ticker[STK - 1], PRIO_TICKER), "create ticker");
    check(OSTaskCreate(task_producer, NULL, &stk_producer[STK - 1], PRIO_PRODUCER), "create producer");
    check(OSTaskCreate(task_filter, NULL, &stk_filter[STK - 1], PRIO_FILTER), "create filter");
    check(OSTaskCreate(task_consumer, NULL, &stk_consumer[STK - 1], PRIO_CONSUMER), "create consumer");
    check(OSTaskCreate(task_worker, (void *)(uintptr_t)PRIO_WORKER_A, &stk_worker[0][STK - 1], PRIO_WORKER_A),
          "create worker");
    check(OSTaskCreate(task_worker, (void *)(uintptr_t)PRIO_WORKER_B, &stk_worker[1][STK - 1], PRIO_WORKER_B),
          "create worker");
    if (fault != 0u)
        start_user_task(fault - 1u);

    for (int i = 0; i < 3; i++) { /* the ticker and both workers */
        OSSemPend(finished, 0, &err);
        check(err, "pend finished");
    }
    if (fault != 0u && fault_done != NULL)
        end_user_task();
    const INT32U checksum = pipeline ^ (shared_sum * 0x9E3779B1u);
    BSP_Printf("ucos-demo: dom %u seed %u rounds %u checksum 0x%08x\n", dom, BSP_ArgU32("seed", 1), rounds, checksum);
    BSP_Printf("ucos-demo: dom %u done: %u errors, %u context switches, mutex promotions %u, "
               "OSTime %u\n",
               dom, errors, OSCtxSwCtr, promotions, OSTimeGet());
    BSP_Exit(errors == 0 ? 0 : 1);
}

void app_demo_init(void)
{
    dom = BSP_DomId();
    rounds = BSP_ArgU32("rounds", 10);
    xs_state = BSP_ArgU32("seed", 1) * 2654435761u | 1u;
    char arg[12];
    const INT32U fault = fault_kind(BSP_ArgStr("fault", arg, sizeof arg));
    kfault = BSP_ArgU32("kfault", 0);
    kfault_round = rounds / 2u;
    (void)OSTaskCreate(task_start, (void *)(uintptr_t)fault, &stk_start[STK - 1], PRIO_START);
}
