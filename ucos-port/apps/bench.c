/*
 * app=bench n=N rounds=R: the cost of a task switch, in the same binary natively and under
 * xen-arm. Two tasks (prio 10 and 11) switch back and forth N times per round, two ways:
 *
 *   kind 1  raw:       OSTCBHighRdy := the other task, OS_TASK_SW() in a critical section;
 *                      only the port's switch path (and its critical section)
 *   kind 2  semaphore: OSSemPost / OSSemPend ping-pong; the kernel's services too
 *
 * Each round is timed between two markers (BSP_Mark: pv, the trace_marker hypercall timed
 * by the VMM; native, the board clock), once with N switches and once with none, so the
 * markers' own cost cancels out. No tick runs, so nothing else happens in between except
 * the VMM's own 1 kHz tick (pv); tests/system/test_ucos_bench.py takes the minimum over
 * rounds. Tag: 0xC5KKRRLP, KK kind, RR round, L 1 = N switches / 0 = none, P 0 start, 1 end.
 */
#include "app.h"

#define PRIO_A 10u
#define PRIO_B 11u
#define STK 512u

static OS_STK stk_a[STK], stk_b[STK];
static INT32U n_switches, rounds;
static OS_TCB *tcb_a, *tcb_b;
static OS_EVENT *sem_a, *sem_b;

static uint32_t tag(uint32_t kind, uint32_t round, uint32_t loaded, uint32_t phase)
{
    return 0xC5000000u | kind << 16 | (round & 0xFFu) << 8 | loaded << 4 | phase;
}

/* Hands the CPU straight to `to` and comes back when someone hands it back. */
static void raw_switch(OS_TCB *to)
{
    OS_CPU_SR cpu_sr = 0u;
    OS_ENTER_CRITICAL();
    OSTCBHighRdy = to;
    OSPrioHighRdy = to->OSTCBPrio;
    OS_TASK_SW();
    OS_EXIT_CRITICAL();
}

static void task_b_raw(void *arg)
{
    (void)arg;
    for (;;)
        raw_switch(tcb_a);
}

static void task_b_sem(void *arg)
{
    INT8U err;
    (void)arg;
    for (;;) {
        OSSemPend(sem_b, 0, &err);
        (void)OSSemPost(sem_a);
    }
}

static void run(uint32_t kind, INT32U n)
{
    INT8U err;
    for (INT32U i = 0; i < n; i++) {
        if (kind == 1u) {
            raw_switch(tcb_b);
        } else {
            (void)OSSemPost(sem_b);
            OSSemPend(sem_a, 0, &err);
        }
    }
}

static void task_a(void *arg)
{
    (void)arg;
    for (uint32_t kind = 1; kind <= 2; kind++) {
        (void)OSTaskCreate(kind == 1u ? task_b_raw : task_b_sem, NULL, &stk_b[STK - 1], PRIO_B);
        tcb_b = OSTCBPrioTbl[PRIO_B];
        for (INT32U r = 0; r < rounds; r++) {
            for (uint32_t loaded = 0; loaded <= 1; loaded++) {
                BSP_Mark(tag(kind, r, loaded, 0));
                run(kind, loaded ? n_switches : 0u);
                BSP_Mark(tag(kind, r, loaded, 1));
            }
        }
        (void)OSTaskDel(PRIO_B);
    }
    BSP_MarksPrint();
    BSP_Printf("bench: done: n=%u rounds=%u, %u switches counted by the kernel\n", (unsigned int)n_switches,
               (unsigned int)rounds, (unsigned int)OSCtxSwCtr);
    BSP_Exit(0);
}

void app_bench_init(void)
{
    n_switches = BSP_ArgU32("n", 500);
    rounds = BSP_ArgU32("rounds", 8);
    sem_a = OSSemCreate(0);
    sem_b = OSSemCreate(0);
    (void)OSTaskCreate(task_a, NULL, &stk_a[STK - 1], PRIO_A);
    tcb_a = OSTCBPrioTbl[PRIO_A];
}
