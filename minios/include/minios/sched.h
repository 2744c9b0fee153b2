/*
 * mini-OS threads: cooperative, round robin, one CPU.
 *
 * A thread runs until it calls schedule(), blocks (msleep, wait_event) or returns from its
 * function (which ends it). Event handlers may wake threads but never switch. The boot
 * context is the idle thread: when nothing is runnable it sets the timer for the earliest
 * sleeper and blocks (pv: SCHEDOP_block; native: WFI).
 */
#ifndef MINIOS_SCHED_H
#define MINIOS_SCHED_H

#include "minios/arch.h"
#include "minios/time.h"

#define THREAD_NAME_MAX 16
#define THREAD_STACK_PAGES 2 /* the struct thread sits at the bottom of this */

struct thread {
    struct arch_context ctx;
    char name[THREAD_NAME_MAX];
    unsigned int id;
    bool runnable;
    bool dying;
    s_time_t wakeup; /* when blocked: wake at this time (0 = only by wake()) */
    void (*fn)(void *);
    void *arg;
    struct thread *next; /* the list of all threads, in creation order */
};

struct wait_queue {
    struct thread *thread;
    struct wait_queue *next;
};
struct wait_queue_head {
    struct wait_queue *first;
};
#define WAIT_QUEUE_HEAD_INIT                                                                                           \
    {                                                                                                                  \
        NULL                                                                                                           \
    }

void init_sched(void);
/* NULL if out of memory. The new thread is runnable; it runs when others schedule. */
struct thread *create_thread(const char *name, void (*fn)(void *), void *arg);
/* The running thread (the idle thread before any other ran). */
struct thread *current_thread(void);
/* Gives the CPU to the next runnable thread (round robin); returns when this thread is
 * picked again. Wakes threads whose sleep ended. Not from event handlers. */
void schedule(void);
/* Marks a thread not runnable (it stops at its next schedule()) / runnable again. */
void block(struct thread *t);
void wake(struct thread *t);
/* Sleeps this thread for at least ms milliseconds of system time. */
void msleep(uint32_t ms);
/* Sleeps until the absolute system time deadline. */
void sleep_until(s_time_t deadline);
/* Ends the calling thread. */
noreturn void exit_thread(void);
/* Never returns: the idle loop, run by the boot context. */
noreturn void run_idle_thread(void);

/* Wait queues. wake_up() may be called from event handlers. */
void add_waiter(struct wait_queue *w, struct wait_queue_head *head);
void remove_waiter(struct wait_queue *w, struct wait_queue_head *head);
void wake_up(struct wait_queue_head *head);

/*
 * Blocks the calling thread until cond(arg) is true (re-evaluated, with upcalls masked,
 * after every wake_up of head), or until system time reaches deadline if deadline != 0.
 * Returns the final cond(arg): false = timed out.
 */
bool wait_event_deadline(struct wait_queue_head *head, bool (*cond)(void *), void *arg, s_time_t deadline);
static inline void wait_event(struct wait_queue_head *head, bool (*cond)(void *), void *arg)
{
    (void)wait_event_deadline(head, cond, arg, 0);
}

#endif /* MINIOS_SCHED_H */
