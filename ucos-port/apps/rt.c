/*
 * app=rt tasks=P:C,P:C,... jobs=N allow=A: periodic real-time tasks at rate-monotonic
 * priorities, for the experiment of traces/rt.py (after Park, Yoo and Yoo, "An Analysis on
 * Xen in View of Real-time Guarantee"). Times in microseconds: period P, worst-case
 * execution time C (up to 8 tasks, implicit deadlines = periods).
 *
 * Releases: every job of task i is released at T0 + k*P_i, T0 a multiple of every period
 * (of their least common multiple, so all tasks start together, the critical instant, on
 * the system-time grid). A BSP alarm (BSP_AlarmSet: the domain's one-shot virtual timer)
 * posts each release to the task's semaphore from interrupt context; the µC/OS-II tick is
 * not started, so nothing else runs in the guest. A job released while the previous one
 * still runs waits for it (the semaphore counts).
 *
 * Work: each job runs a loop whose iterations take a fixed number of instructions,
 * calibrated at start (the fastest of 16 timed runs of CALIB_ITERS iterations: under
 * -icount an instruction is 8 ns, so the rate is exact unless the domain was preempted,
 * which only slows a run); a job does (C - A) worth of it, A (allow, default 60 us)
 * leaving room for what a job costs besides its loop: the release upcall, the semaphore
 * post, two task switches, the finish time's hypercall.
 *
 * Log: per job the response time (finish - release, finish = BSP_NowNs(), exact) in
 * memory, printed only at the end (printing would perturb the schedule), when the
 * longest-period task has done N jobs (each task does the jobs released before
 * T0 + N*P_max):
 *
 *   rt: start T0 grid H iters_per_ms R calib C ns allow A
 *   rt: task I period P wcet C prio Q jobs J iters W
 *   rt: j I K r_K r_K+1 ... (up to 8 responses in ns of task I from its job K)
 *   rt: summary I jobs J misses M max_ns X
 *   rt: done
 *
 * Two markers (BSP_Mark) bracket the run, RT_MARK_START when the releases are set up and
 * RT_MARK_END before the dump: pv, the VMM prints each with its time, which lets a trace
 * by instruction count (traces/rt.py --domains) be put on the system-time axis.
 */
#include "app.h"

#define RT_MAX_TASKS 8u
#define RT_MAX_JOBS 16384u /* response times kept, all tasks together */
#define RT_STK 512u
#define RT_PRIO_FIRST 10u
#define RT_PRIO_REPORT 40u
#define CALIB_ITERS 2000u
#define CALIB_RUNS 16u
#define PER_LINE 8u
#define RT_MARK_START 0x52540001u
#define RT_MARK_END 0x52540002u

struct rt_task {
    uint64_t period_ns, wcet_ns;
    uint64_t next_release_ns;
    uint32_t iters;    /* loop iterations per job */
    uint32_t jobs;     /* released before the horizon */
    uint32_t released; /* posted so far */
    uint32_t *resp;    /* jobs entries */
    INT8U prio;
    OS_EVENT *sem;
};

static struct rt_task tasks[RT_MAX_TASKS];
static unsigned int ntasks;
static uint32_t responses[RT_MAX_JOBS];
static OS_STK stacks[RT_MAX_TASKS][RT_STK], report_stk[RT_STK];
static OS_EVENT *done;
static uint64_t t0_ns, grid_ns, calib_ns, allow_ns;
static uint32_t iters_per_ms;
static volatile uint32_t sink;

static void work(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        sink = sink * 1103515245u + 12345u;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b != 0) {
        const uint64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

/* "P:C,P:C,..." in microseconds; false if malformed. */
static int parse_tasks(const char *s)
{
    ntasks = 0;
    while (*s != '\0') {
        uint32_t v[2] = {0, 0};
        for (int f = 0; f < 2; f++) {
            if (*s < '0' || *s > '9')
                return 0;
            while (*s >= '0' && *s <= '9')
                v[f] = v[f] * 10u + (uint32_t)(*s++ - '0');
            if (f == 0 && *s++ != ':')
                return 0;
        }
        if (ntasks == RT_MAX_TASKS || v[0] == 0 || v[1] == 0 || v[1] > v[0])
            return 0;
        tasks[ntasks].period_ns = (uint64_t)v[0] * 1000u;
        tasks[ntasks].wcet_ns = (uint64_t)v[1] * 1000u;
        ntasks++;
        if (*s == ',')
            s++;
        else if (*s != '\0')
            return 0;
    }
    return ntasks > 0;
}

/* Interrupt context (the BSP's alarm): post every release that is due, then the alarm for
 * the next one. BSP_TimeNs() has reached the deadline that fired. */
static void release_hook(void)
{
    const uint64_t now = BSP_TimeNs();
    uint64_t next = 0;
    for (unsigned int i = 0; i < ntasks; i++) {
        struct rt_task *t = &tasks[i];
        while (t->released < t->jobs && t->next_release_ns <= now) {
            (void)OSSemPost(t->sem);
            t->released++;
            t->next_release_ns += t->period_ns;
        }
        if (t->released < t->jobs && (next == 0 || t->next_release_ns < next))
            next = t->next_release_ns;
    }
    if (next != 0)
        BSP_AlarmSet(next, release_hook);
}

static void rt_task_main(void *arg)
{
    struct rt_task *t = arg;
    INT8U err;
    for (uint32_t k = 0; k < t->jobs; k++) {
        OSSemPend(t->sem, 0, &err);
        work(t->iters);
        const uint64_t finish = BSP_NowNs();
        t->resp[k] = (uint32_t)(finish - (t0_ns + (uint64_t)k * t->period_ns));
    }
    (void)OSSemPost(done);
    for (;;)
        OSSemPend(t->sem, 0, &err); /* nothing more is released */
}

static void report_main(void *arg)
{
    INT8U err;
    (void)arg;
    for (unsigned int i = 0; i < ntasks; i++)
        OSSemPend(done, 0, &err);
    BSP_Mark(RT_MARK_END);
    BSP_Printf("rt: start %llu grid %llu iters_per_ms %u calib %llu ns allow %llu\n", (unsigned long long)t0_ns,
               (unsigned long long)grid_ns, (unsigned int)iters_per_ms, (unsigned long long)calib_ns,
               (unsigned long long)allow_ns);
    for (unsigned int i = 0; i < ntasks; i++) {
        const struct rt_task *t = &tasks[i];
        BSP_Printf("rt: task %u period %llu wcet %llu prio %u jobs %u iters %u\n", i, (unsigned long long)t->period_ns,
                   (unsigned long long)t->wcet_ns, (unsigned int)t->prio, (unsigned int)t->jobs,
                   (unsigned int)t->iters);
    }
    for (unsigned int i = 0; i < ntasks; i++) {
        const struct rt_task *t = &tasks[i];
        for (uint32_t k = 0; k < t->jobs; k += PER_LINE) {
            char line[PER_LINE * 11u + 32u];
            int n = snprintf(line, sizeof line, "rt: j %u %u", i, (unsigned int)k);
            for (uint32_t j = k; j < t->jobs && j < k + PER_LINE; j++)
                n += snprintf(line + n, sizeof line - (size_t)n, " %u", (unsigned int)t->resp[j]);
            BSP_Printf("%s\n", line);
        }
    }
    for (unsigned int i = 0; i < ntasks; i++) {
        const struct rt_task *t = &tasks[i];
        uint32_t misses = 0, max = 0;
        for (uint32_t k = 0; k < t->jobs; k++) {
            if (t->resp[k] > t->period_ns)
                misses++;
            if (t->resp[k] > max)
                max = t->resp[k];
        }
        BSP_Printf("rt: summary %u jobs %u misses %u max_ns %u\n", i, (unsigned int)t->jobs, (unsigned int)misses,
                   (unsigned int)max);
    }
    BSP_Printf("rt: done\n");
    BSP_Exit(0);
}

/* Iterations per ms of work(): the fastest of CALIB_RUNS timed runs. */
static void calibrate(void)
{
    calib_ns = ~0ull;
    for (unsigned int r = 0; r < CALIB_RUNS; r++) {
        const uint64_t a = BSP_NowNs();
        work(CALIB_ITERS);
        const uint64_t ns = BSP_NowNs() - a;
        if (ns < calib_ns)
            calib_ns = ns;
    }
    iters_per_ms = (uint32_t)((uint64_t)CALIB_ITERS * 1000000u / calib_ns);
}

void app_rt_init(void)
{
    char spec[96];
    if (BSP_ArgStr("tasks", spec, sizeof spec) == NULL || !parse_tasks(spec)) {
        BSP_Printf("rt: want tasks=P:C,P:C,... (microseconds, C <= P, at most %u tasks)\n", RT_MAX_TASKS);
        BSP_Exit(1);
    }
    const uint32_t n = BSP_ArgU32("jobs", 100);
    allow_ns = (uint64_t)BSP_ArgU32("allow", 60) * 1000u;
    /* Rate-monotonic: the shorter the period, the higher the priority (lower number). */
    uint64_t longest = 0;
    grid_ns = 1;
    for (unsigned int i = 0; i < ntasks; i++) {
        unsigned int rank = 0;
        for (unsigned int j = 0; j < ntasks; j++) {
            if (tasks[j].period_ns < tasks[i].period_ns || (tasks[j].period_ns == tasks[i].period_ns && j < i))
                rank++;
        }
        tasks[i].prio = (INT8U)(RT_PRIO_FIRST + rank);
        if (tasks[i].period_ns > longest)
            longest = tasks[i].period_ns;
        grid_ns = grid_ns / gcd(grid_ns, tasks[i].period_ns) * tasks[i].period_ns;
    }
    if (grid_ns > 10000000000ull) {
        BSP_Printf("rt: the periods' least common multiple is over 10 s\n");
        BSP_Exit(1);
    }
    uint32_t used = 0;
    for (unsigned int i = 0; i < ntasks; i++) {
        struct rt_task *t = &tasks[i];
        t->jobs = (uint32_t)(((uint64_t)n * longest + t->period_ns - 1u) / t->period_ns);
        if (used + t->jobs > RT_MAX_JOBS) {
            BSP_Printf("rt: %u jobs do not fit in the log (%u responses)\n", (unsigned int)n, RT_MAX_JOBS);
            BSP_Exit(1);
        }
        t->resp = &responses[used];
        used += t->jobs;
    }
    calibrate();
    for (unsigned int i = 0; i < ntasks; i++) {
        struct rt_task *t = &tasks[i];
        const uint64_t busy = t->wcet_ns > allow_ns ? t->wcet_ns - allow_ns : 0;
        t->iters = (uint32_t)(busy * iters_per_ms / 1000000u);
        t->sem = OSSemCreate(0);
        (void)OSTaskCreate(rt_task_main, t, &stacks[i][RT_STK - 1], t->prio);
    }
    done = OSSemCreate(0);
    (void)OSTaskCreate(report_main, NULL, &report_stk[RT_STK - 1], RT_PRIO_REPORT);
    /* Far enough ahead for every domain to be up, on the grid of every period. */
    t0_ns = (BSP_NowNs() + 20000000u) / grid_ns * grid_ns + grid_ns;
    for (unsigned int i = 0; i < ntasks; i++)
        tasks[i].next_release_ns = t0_ns;
    BSP_Mark(RT_MARK_START);
    BSP_AlarmSet(t0_ns, release_hook);
}
