/*
 * mini-OS scheduler: cooperative round robin over a list of threads, plus the idle
 * thread (the boot context), which runs only when no other thread is runnable.
 *
 * All list and state changes happen with upcalls masked, because event handlers may wake
 * threads at any point where upcalls are unmasked.
 */
#include "minios/sched.h"

#include <xen-arm/trace.h>

#include "guestlib/window.h"

#include "minios/console.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"

#define STACK_MAGIC 0x57AC4B1DU /* just above struct thread: overwritten = overflow */

static struct thread idle_thread;
static struct thread *running = &idle_thread; /* file-private: use current_thread() */
static struct thread *threads;                /* every thread but idle, creation order */
static unsigned int next_id = 1;

struct thread *current_thread(void) { return running; }

/* Trace protocol (xen-arm/trace.h): a store to the thread's slot of the trace page tells an
 * instruction tracer which thread goes on the CPU (the value is ignored). */
static inline void trace_thread_on_cpu(unsigned int id) { gl_trace_thread(id); }

static uint32_t *stack_guard(struct thread *t) { return (uint32_t *)(t + 1); }

void init_sched(void)
{
    strlcpy(idle_thread.name, "idle", sizeof idle_thread.name);
    idle_thread.id = 0;
    idle_thread.runnable = true;
    running = &idle_thread;
    trace_thread_on_cpu(idle_thread.id);
}

static void thread_main(void *p)
{
    struct thread *t = p;
    t->fn(t->arg);
    exit_thread();
}

struct thread *create_thread(const char *name, void (*fn)(void *), void *arg)
{
    void *stack = alloc_pages(THREAD_STACK_PAGES);
    if (stack == NULL)
        return NULL;
    struct thread *t = stack;
    strlcpy(t->name, name, sizeof t->name);
    t->fn = fn;
    t->arg = arg;
    t->runnable = true;
    t->dying = false;
    t->wakeup = 0;
    *stack_guard(t) = STACK_MAGIC;
    arch_init_context(&t->ctx, (char *)stack + THREAD_STACK_PAGES * PAGE_SIZE, thread_main, t);

    unsigned long flags = local_irq_save();
    t->id = next_id++;
    t->next = NULL;
    struct thread **tail = &threads;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = t;
    local_irq_restore(flags);
    return t;
}

void block(struct thread *t)
{
    unsigned long flags = local_irq_save();
    t->runnable = false;
    local_irq_restore(flags);
}

void wake(struct thread *t)
{
    unsigned long flags = local_irq_save();
    if (!t->dying) {
        t->runnable = true;
        t->wakeup = 0;
    }
    local_irq_restore(flags);
}

/* Makes sleepers whose time has come runnable; returns the earliest remaining wakeup
 * (0 = none). Upcalls masked. Reads the clock only if someone sleeps with a deadline. */
static s_time_t wake_sleepers(void)
{
    s_time_t now = 0, earliest = 0;
    for (struct thread *t = threads; t != NULL; t = t->next) {
        if (t->runnable || t->dying || t->wakeup == 0)
            continue;
        if (now == 0)
            now = NOW();
        if (t->wakeup <= now) {
            t->runnable = true;
            t->wakeup = 0;
        } else if (earliest == 0 || t->wakeup < earliest) {
            earliest = t->wakeup;
        }
    }
    return earliest;
}

/* The next runnable thread after prev in round-robin order, else idle. */
static struct thread *pick_next(struct thread *prev)
{
    struct thread *start = prev == &idle_thread || prev->dying ? threads : prev->next;
    for (struct thread *t = start; t != NULL; t = t->next) {
        if (t->runnable)
            return t;
    }
    for (struct thread *t = threads; t != NULL && t != start; t = t->next) {
        if (t->runnable)
            return t;
    }
    return &idle_thread;
}

void schedule(void)
{
    struct thread *prev = running;
    unsigned long flags = local_irq_save();
    if (prev != &idle_thread && *stack_guard(prev) != STACK_MAGIC)
        minios_panic("thread %s overflowed its stack", prev->name);
    (void)wake_sleepers();
    struct thread *next = pick_next(prev);
    local_irq_restore(flags);
    if (next != prev) {
        running = next;
        trace_thread_on_cpu(next->id);
        arch_switch_context(&prev->ctx, &next->ctx);
    }
}

void sleep_until(s_time_t deadline)
{
    struct thread *self = running;
    while (NOW() < deadline) {
        unsigned long flags = local_irq_save();
        self->wakeup = deadline;
        self->runnable = false;
        local_irq_restore(flags);
        schedule();
    }
}

void msleep(uint32_t ms) { sleep_until(NOW() + MILLISECS(ms)); }

noreturn void exit_thread(void)
{
    struct thread *self = running;
    if (self == &idle_thread)
        minios_panic("the idle thread cannot exit");
    unsigned long flags = local_irq_save();
    self->dying = true;
    self->runnable = false;
    local_irq_restore(flags);
    schedule();
    minios_panic("dead thread %s ran again", self->name);
}

/* Frees the stacks of threads that ended (not from their own stack: idle does it). */
static void reap_threads(void)
{
    struct thread **link = &threads;
    while (*link != NULL) {
        struct thread *t = *link;
        if (t->dying && t != running) {
            *link = t->next;
            free_pages(t, THREAD_STACK_PAGES);
        } else {
            link = &t->next;
        }
    }
}

static bool any_runnable(void)
{
    for (struct thread *t = threads; t != NULL; t = t->next) {
        if (t->runnable)
            return true;
    }
    return false;
}

noreturn void run_idle_thread(void)
{
    for (;;) {
        unsigned long flags = local_irq_save();
        reap_threads();
        s_time_t earliest = wake_sleepers();
        if (!any_runnable()) {
            /* Armed on every block: a timer that fired early (or for an old deadline)
             * must not leave a sleeper without one. */
            if (earliest != 0)
                arch_set_timer(earliest);
            arch_block(); /* returns unmasked, after the upcall ran */
        }
        local_irq_restore(flags);
        schedule();
    }
}

void add_waiter(struct wait_queue *w, struct wait_queue_head *head)
{
    unsigned long flags = local_irq_save();
    w->next = head->first;
    head->first = w;
    local_irq_restore(flags);
}

void remove_waiter(struct wait_queue *w, struct wait_queue_head *head)
{
    unsigned long flags = local_irq_save();
    for (struct wait_queue **link = &head->first; *link != NULL; link = &(*link)->next) {
        if (*link == w) {
            *link = w->next;
            break;
        }
    }
    w->next = NULL;
    local_irq_restore(flags);
}

void wake_up(struct wait_queue_head *head)
{
    unsigned long flags = local_irq_save();
    for (struct wait_queue *w = head->first; w != NULL; w = w->next)
        wake(w->thread);
    local_irq_restore(flags);
}

bool wait_event_deadline(struct wait_queue_head *head, bool (*cond)(void *), void *arg, s_time_t deadline)
{
    struct thread *self = running;
    struct wait_queue w = {self, NULL};
    for (;;) {
        unsigned long flags = local_irq_save();
        if (cond(arg)) {
            local_irq_restore(flags);
            return true;
        }
        if (deadline != 0 && NOW() >= deadline) {
            local_irq_restore(flags);
            return false;
        }
        add_waiter(&w, head);
        self->wakeup = deadline;
        self->runnable = false;
        local_irq_restore(flags);
        schedule();
        remove_waiter(&w, head);
    }
}
