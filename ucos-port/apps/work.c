/*
 * app=work (pv only): the fault-injection campaign's µC/OS-II workload (traces/faults.py,
 * `--workload ucos`; a domain with fault_tolerance = vm and periodic checkpoints, into which
 * dom0's app=faultrun injects). One task in virtual user mode (prio 25, named "work"; bsp.h's
 * work code) computes in rounds over the words of its data (tests/guests/minios/work.c's
 * recipe), each round verified by a checksum and reported by a system call, which is also
 * its checkpoint (os_cpu.h's OS_TASK_OPT_CHECKPOINT). Its code, its data and its stack are
 * three consecutive user pages at WORK_VA, all of them its checkpoint region, so a rollback
 * also undoes a fault planted in its code. The kernel reports:
 *     work: task region 0xOFF+0xSIZE code 0xOFF+0xSIZE data 0xOFF+0xSIZE stack 0xOFF+0x1000 va 0xVA
 *           (offsets into the domain's memory, and the region's user address)
 *     work: round N checksum BAD t=T   (then the task rebuilds its data)
 * and a trace marker WORK_MARK | N for every verified round N (the VMM prints it with its
 * time). A fault of the task in user mode is rolled back by the port (`ucos: task 25 'work'
 * rolled back after ...`); a fault of the guest kernel is left to the VMM.
 *
 * ckpt=MS: the domain asks the VMM for its checkpoints itself (XA_DOMCTL_checkpoint, with
 * `checkpoint = manual`), at the first round at least MS ms after the last, from the round's
 * system call, instead of the VMM's periodic ones (which find it in virtual user mode nearly
 * always: the VMM copies its memory with the kernel's DACR then).
 */
#include "app.h"

#define STK 512u
#define PRIO_START 20u
#define PRIO_WORK 25u
#define WORK_VA 0x40000000u
#define WORK_MARK 0x57000000u

extern char __image_start[];

/* Code, data, stack: reached only at their user addresses once mapped (virtually indexed
 * caches), the kernel's copies included. */
static INT8U work_pages[3][4096] __attribute__((aligned(4096)));
static INT8U work_backup[sizeof work_pages];
static OS_CPU_TASK_CKPT work_ckpt;
static OS_STK stk_start[STK], stk_work[STK];

/* The user code's h (bsp/xen-arm/entry.S). */
static uint32_t h(uint32_t i, uint32_t r)
{
    uint32_t x = i * 0x9E3779B9u ^ (r + 1u) * 0x85EBCA6Bu;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    return x;
}

static uint64_t ckpt_ns, last_ckpt;
static uint32_t rounds_wanted; /* rounds=N: stop after N verified rounds (0: never) */

/* As the task, in its system call (virtual kernel mode, upcalls enabled). */
static void work_round(uint32_t round, int ok)
{
    if (ckpt_ns != 0u) {
        const uint64_t now = BSP_NowNs();
        if (now - last_ckpt >= ckpt_ns) {
            last_ckpt = now;
            (void)BSP_DomainCheckpoint();
        }
    }
    if (ok) {
        BSP_Mark(WORK_MARK | (round & 0xFFFFFFu));
        if (rounds_wanted != 0u && round >= rounds_wanted) {
            BSP_Printf("work: %u rounds verified\n", (unsigned int)round);
            BSP_Exit(0);
        }
        return;
    }
    BSP_Printf("work: round %u checksum BAD t=%llu\n", (unsigned int)round, (unsigned long long)BSP_NowNs());
}

static unsigned int offset_of(const void *p) { return (unsigned int)((uintptr_t)p - (uintptr_t)__image_start); }

static void task_start(void *arg)
{
    static OS_CPU_USER_START start;
    INT8U err;
    (void)arg;
    BSP_TickStart();
    const size_t len = (size_t)(bsp_work_blob_end - bsp_work_blob);
    memcpy(work_pages[0], bsp_work_blob, len); /* (BSP_MapUserPage makes it fit to run) */
    memset(work_pages[1], 0, sizeof work_pages[1]);
    for (unsigned int i = 0; i < 3u; i++) {
        if (len == 0u || BSP_MapUserPage(WORK_VA + i * 4096u, work_pages[i]) != 0) {
            BSP_Printf("work: no virtual user mode here (%s)\n", BSP_Kind());
            BSP_Exit(1);
        }
    }
    struct bsp_work_data *data = (struct bsp_work_data *)(WORK_VA + 4096u);
    data->round = 0u;
    for (uint32_t i = 0; i < BSP_WORK_WORDS; i++)
        data->words[i] = h(i, 0u);
    BSP_SetRoundHook(work_round);
    BSP_Printf("work: task region 0x%x+0x%x code 0x%x+0x%x data 0x%x+0x%x stack 0x%x+0x1000 va 0x%x\n",
               offset_of(work_pages), (unsigned int)sizeof work_pages, offset_of(work_pages[0]), (unsigned int)len,
               offset_of(work_pages[1]), (unsigned int)sizeof *data, offset_of(work_pages[2]), WORK_VA);
    start.arg = data;
    start.sp = WORK_VA + 3u * 4096u;
    work_ckpt.region[0].base = (void *)WORK_VA;
    work_ckpt.region[0].size = sizeof work_pages;
    work_ckpt.backup = work_backup;
    work_ckpt.backup_size = sizeof work_backup;
    err = OSTaskCreateExt((void (*)(void *))WORK_VA, &start, &stk_work[STK - 1], PRIO_WORK, PRIO_WORK, stk_work, STK,
                          &work_ckpt, OS_TASK_OPT_USER_MODE | OS_TASK_OPT_CHECKPOINT);
    if (err == OS_ERR_NONE)
        OSTaskNameSet(PRIO_WORK, (INT8U *)(void *)"work", &err);
    if (err != OS_ERR_NONE) {
        BSP_Printf("work: creating the task: error %u\n", err);
        BSP_Exit(1);
    }
    (void)OSTaskDel(OS_PRIO_SELF);
}

void app_work_init(void)
{
    ckpt_ns = (uint64_t)BSP_ArgU32("ckpt", 0) * 1000000u;
    rounds_wanted = BSP_ArgU32("rounds", 0);
    (void)OSTaskCreate(task_start, NULL, &stk_start[STK - 1], PRIO_START);
}
