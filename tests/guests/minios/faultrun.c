/*
 * app=faultrun (dom0): the fault-injection campaign's injector (traces/faults.py). Injects
 * faults n=N (default 30) numbered first=K (default 0) on, with XA_DOMCTL_inject_fault,
 * into the domain built from the boot image's entry `work` (app=work): each gap=MS
 * (default 20) ms after the workload was built, then watch=MS (default 30) ms before the
 * next. The workload's checkpoints are the VMM's own (its configuration's
 * `checkpoint = TIME`). Fault number k is drawn from (seed, k) alone, so a run of faults
 * K.. repeats any part of a longer one:
 *   kind    mem_flip, mem_write (a wild write), reg_flip, undef (at its pc), jump (to the
 *           never-mapped first MiB), each a fifth of the time;
 *   where   mem_*: its work data, its kernel's other data (.rodata, .data, .bss), its
 *           thread's stack (the top 256 bytes below stack=OFFSET, which the workload prints)
 *           or its code, each a quarter; reg_flip: any of r0-r15, any bit.
 * The workload runs the same image, so offsets are the injector's own symbols less its
 * window.
 *
 * task=OFFSET (nonzero): the workload is instead µC/OS-II's app=work (ucos-port/apps/work.c),
 * a task in virtual user mode whose code, data (the round, then UCOS_WORDS words) and stack
 * are three pages from UCOS_VA on, at OFFSET of its memory, which that app prints;
 * tcode=BYTES: the length of its code. Faults go into the task:
 * mem_*: its data, its stack's top 256 bytes or its code, each a third; reg_flip, undef and
 * jump only while its saved pc is in its code (the task is in virtual user mode; read by
 * flipping a bit of the pc twice, retried every ms up to 50 times, else rc=-11 and nothing
 * injected); undef is a write of the undefined instruction at the code offset of that pc. Each fault meets a workload built afresh gap ms before (fresh=0: the same one
 * throughout, rebuilt only when it crashed, shut down or blocked), so that what a fault
 * leaves behind is not blamed on the next; watch ms after the fault, the next begins. Lines
 * (t: system time in ns):
 *     faults: #k KIND WHERE ARG BIT rc=RC OLD>NEW t=T
 *             ARG: the offset (mem_*), the register (reg_flip), 0 (undef, jump); BIT: the
 *             bit flipped (0 if none); OLD>NEW: the word, register or pc before and after
 *     faults: work down (flags 0x..) t=T; rebuilt: RC   (it had crashed, shut down or hung)
 *     faults: done
 * and a trace marker INJECT_MARK | k right after fault k (the VMM prints its exact time).
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/sched.h"
#include "minios/time.h"
#include "pv.h"
#include "work.h"

extern char __image_start[], __etext[], __image_end[];

#define WORK_DOM 1
#define STACK_SPAN 256U

static const char *const kind_names[] = {"mem_flip", "mem_write", "reg_flip", "undef", "jump"};
static const char *const where_names[] = {"data", "kdata", "stack", "code"};

#define UCOS_WHERE_DATA 0U
#define UCOS_WHERE_STACK 2U
#define UCOS_WHERE_CODE 3U
#define USER_TRIES 50U
#define UCOS_VA 0x40000000U /* ucos-port/apps/work.c */
#define UCOS_WORDS 1000U    /* ucos-port/bsp/bsp.h's BSP_WORK_WORDS */

/* splitmix32-style: a fresh generator per fault. */
static uint32_t next(uint32_t *s)
{
    uint32_t z = (*s += 0x9E3779B9U);
    z = (z ^ (z >> 16)) * 0x85EBCA6BU;
    z = (z ^ (z >> 13)) * 0xC2B2AE35U;
    return z ^ (z >> 16);
}

static uint32_t below(uint32_t *s, uint32_t n) { return next(s) % n; }

static int domctl(struct xen_domctl *op, uint32_t cmd, domid_t dom)
{
    op->cmd = cmd;
    op->interface_version = XA_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HYPERVISOR_domctl(op);
}

/* Builds the workload afresh (fresh: whatever its state) if it is gone, crashed, shut down
 * or blocked (it never blocks while it works: a hang). */
static void keep_workload(bool fresh)
{
    struct xen_domctl op = {0};
    const int rc = domctl(&op, XEN_DOMCTL_getdomaininfo, WORK_DOM);
    const bool exists = rc == 0 && op.domain == WORK_DOM;
    const uint32_t flags = exists ? op.u.getdomaininfo.flags : 0;
    const bool down = !exists || (flags & (XEN_DOMINF_shutdown | XEN_DOMINF_crashed | XEN_DOMINF_blocked)) != 0;
    if (!down && !fresh)
        return;
    if (exists) {
        struct xen_domctl d = {0};
        (void)domctl(&d, XEN_DOMCTL_destroydomain, WORK_DOM);
    }
    struct xen_domctl c = {0};
    static const char name[] = "work";
    for (unsigned int i = 0; i < sizeof name; i++)
        c.u.createdomain.name[i] = name[i];
    const int built = domctl(&c, XEN_DOMCTL_createdomain, 0);
    if (down || built != 0)
        printk("faults: work down (flags 0x%02x) t=%llu; rebuilt: %d\n", (unsigned int)flags, (unsigned long long)NOW(),
               built);
}

/* The target's saved pc, unchanged: a bit of it flipped and flipped back (dom0 runs
 * meanwhile, the target is off the CPU). 0 if the domain is not there. */
static uint32_t peek_pc(void)
{
    struct xen_domctl op = {0};
    op.u.inject_fault.kind = XA_INJECT_reg_flip;
    op.u.inject_fault.reg = 15;
    op.u.inject_fault.bit = 0;
    if (domctl(&op, XA_DOMCTL_inject_fault, WORK_DOM) != 0)
        return 0;
    const uint32_t pc = op.u.inject_fault.old;
    struct xen_domctl back = {0};
    back.u.inject_fault.kind = XA_INJECT_reg_flip;
    back.u.inject_fault.reg = 15;
    back.u.inject_fault.bit = 0;
    (void)domctl(&back, XA_DOMCTL_inject_fault, WORK_DOM);
    return pc;
}

static void faultrun_main(void)
{
    const uint32_t seed = cmdline_get_u32("seed", 1);
    const uint32_t first = cmdline_get_u32("first", 0);
    const uint32_t n = cmdline_get_u32("n", 30);
    const uint32_t gap = cmdline_get_u32("gap", 20);
    const uint32_t watch = cmdline_get_u32("watch", 30);
    const uint32_t stack_top = cmdline_get_u32("stack", 0);
    const bool fresh = cmdline_get_u32("fresh", 1) != 0;
    const uint32_t task = cmdline_get_u32("task", 0);
    const uint32_t user_va = task != 0 ? UCOS_VA : 0, user_code = task, user_code_size = cmdline_get_u32("tcode", 0);
    const uint32_t user_data = task + 0x1000U, user_words = UCOS_WORDS;
    const uintptr_t base = gl_window();
    const uint32_t code_lo = (uint32_t)((uintptr_t)__image_start - base),
                   code_hi = (uint32_t)((uintptr_t)__etext - base);
    const uint32_t kdata_lo = code_hi, kdata_hi = (uint32_t)((uintptr_t)__image_end - base);
    const uint32_t data_lo = (uint32_t)((uintptr_t)work_data - base);
    printk("faults: seed %u faults %u-%u every %u ms; code 0x%x-0x%x kdata 0x%x-0x%x data 0x%x+0x%x stack 0x%x\n",
           (unsigned int)seed, (unsigned int)first, (unsigned int)(first + n - 1), (unsigned int)gap,
           (unsigned int)code_lo, (unsigned int)code_hi, (unsigned int)kdata_lo, (unsigned int)kdata_hi,
           (unsigned int)data_lo, (unsigned int)sizeof work_data, (unsigned int)stack_top);

    for (uint32_t k = first; k < first + n; k++) {
        keep_workload(fresh);
        msleep(gap); /* it works and is checkpointed */
        uint32_t s = seed * 0x01000193U ^ k * 0x9E3779B9U;
        (void)next(&s);
        struct xen_domctl op = {0};
        struct xa_domctl_inject_fault *f = &op.u.inject_fault;
        f->kind = below(&s, 5);
        const char *where = "-";
        const uint32_t kind = f->kind;
        int rc = 0;
        if (user_va != 0 && (kind == XA_INJECT_mem_flip || kind == XA_INJECT_mem_write)) {
            static const uint32_t user_where[] = {UCOS_WHERE_DATA, UCOS_WHERE_STACK, UCOS_WHERE_CODE};
            const uint32_t w = user_where[below(&s, 3)];
            uint32_t lo = 0, hi = 0;
            if (w == UCOS_WHERE_DATA)
                lo = user_data, hi = user_data + 4U * (1U + user_words);
            else if (w == UCOS_WHERE_STACK)
                lo = task + 0x3000U - STACK_SPAN, hi = task + 0x3000U;
            else
                lo = user_code, hi = user_code + user_code_size;
            where = where_names[w];
            f->offset = (lo + below(&s, hi > lo ? (hi - lo) / 4 : 1) * 4) & ~3U;
            f->bit = below(&s, 32);
            f->value = next(&s);
        } else if (user_va != 0) {
            /* Registers and pc: only while the task is in virtual user mode. */
            uint32_t pc = 0;
            for (uint32_t t = 0; t < USER_TRIES; t++) {
                pc = peek_pc();
                if (pc - user_va < user_code_size)
                    break;
                msleep(1);
            }
            if (pc - user_va >= user_code_size)
                rc = -11;
            if (kind == XA_INJECT_reg_flip) {
                f->reg = below(&s, 16);
                f->bit = below(&s, 32);
                where = "reg";
            } else if (kind == XA_INJECT_jump) {
                f->value = below(&s, 0x100000U / 4) * 4;
                where = "pc";
            } else {
                /* Its pc is a user address, outside its memory's window: the instruction
                 * is written at its offset in the code page instead. */
                f->kind = XA_INJECT_mem_write;
                f->offset = user_code + ((pc - user_va) & ~3U);
                f->value = XA_INJECT_UNDEF_INSN;
                where = "pc";
            }
        } else if (f->kind == XA_INJECT_mem_flip || f->kind == XA_INJECT_mem_write) {
            const uint32_t w = below(&s, 4);
            uint32_t lo = 0, hi = 0;
            switch (w) {
            case 0: lo = data_lo, hi = data_lo + sizeof work_data; break;
            case 1: lo = kdata_lo, hi = kdata_hi; break;
            case 2: lo = stack_top > STACK_SPAN ? stack_top - STACK_SPAN : 0, hi = stack_top; break;
            default: lo = code_lo, hi = code_hi; break;
            }
            where = where_names[w];
            f->offset = (lo + below(&s, hi > lo ? (hi - lo) / 4 : 1) * 4) & ~3U;
            f->bit = below(&s, 32);
            f->value = next(&s);
        } else if (f->kind == XA_INJECT_reg_flip) {
            f->reg = below(&s, 16);
            f->bit = below(&s, 32);
            where = "reg";
        } else if (f->kind == XA_INJECT_jump) {
            f->value = below(&s, 0x100000U / 4) * 4;
            where = "pc";
        } else {
            where = "pc";
        }
        if (rc == 0)
            rc = domctl(&op, XA_DOMCTL_inject_fault, WORK_DOM);
        arch_trace_marker(INJECT_MARK | (k & 0xFFFFFFU));
        /* Short enough for one console line of the VMM's. */
        const uint32_t arg = kind == XA_INJECT_reg_flip ? f->reg : kind == XA_INJECT_undef ? 0 : f->offset;
        printk("faults: #%u %s %s 0x%x %u rc=%d 0x%x>0x%x t=%llu\n", (unsigned int)k, kind_names[kind], where,
               (unsigned int)arg, (unsigned int)f->bit, rc, (unsigned int)f->old, (unsigned int)f->now,
               (unsigned long long)NOW());
        msleep(watch); /* what it does next */
    }
    struct xen_domctl d = {0};
    (void)domctl(&d, XEN_DOMCTL_destroydomain, WORK_DOM);
    printk("faults: done\n");
}
MINIOS_APP("faultrun", faultrun_main);
