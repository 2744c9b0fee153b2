/*
 * app=guest: ring=N, N requests through the ring-test device (guest.h); with ring_ms=M,
 * batches of N until M ms of system time have passed, each on a fresh connection, ring_gap=G
 * ms apart.
 */
#include "guest.h"

/* requests per million instructions, to one decimal, from a count and virtual time */
static void print_rate(const char *part, uint32_t count, uint64_t ns)
{
    if (ns == 0)
        ns = 1;
    const uint64_t tenths = (uint64_t)count * 10U * 1000000U * NS_PER_INSN / ns;
    printk("%s: %u requests in %llu ns = %llu instructions: %llu.%llu requests per million instructions\n", part,
           (unsigned int)count, (unsigned long long)ns, (unsigned long long)(ns / NS_PER_INSN),
           (unsigned long long)(tenths / 10U), (unsigned long long)(tenths % 10U));
}

void test_ring(uint32_t count)
{
    struct ringfront rf;
    int rc = ringfront_connect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0) {
        guest_fail("ring", "connect", rc);
        return;
    }
    printk("ring: connected, %u slots\n", rf.ring.nr_ents);
    struct ringfront_stats st = {0}, batch;
    const s_time_t t0 = NOW();
    const uint32_t until_ms = cmdline_get_u32("ring_ms", 0), gap_ms = cmdline_get_u32("ring_gap", 0);
    uint32_t batches = 0;
    do {                    /* one batch, or batches until ring_ms of system time: traffic for a whole experiment */
        if (batches != 0) { /* each batch on a connection of its own, as a device reopened */
            if (gap_ms != 0)
                msleep(gap_ms);
            rc = ringfront_disconnect(&rf, NOW() + CONNECT_TIMEOUT);
            if (rc == 0)
                rc = ringfront_connect(&rf, NOW() + CONNECT_TIMEOUT);
            if (rc != 0) {
                guest_fail("ring", "reconnect", rc);
                return;
            }
        }
        rc = ringfront_run(&rf, count, &batch, NOW() + MILLISECS(60000));
        st.answered += batch.answered;
        st.lost += batch.lost;
        st.duplicated += batch.duplicated;
        st.bad_sum += batch.bad_sum;
        st.out_of_order += batch.out_of_order;
        st.full_waits += batch.full_waits;
        st.sleeps += batch.sleeps;
        st.notifies += batch.notifies;
        batches++;
    } while (rc == 0 && NOW() < MILLISECS(until_ms));
    count *= batches;
    const s_time_t t1 = NOW();
    if (rc != 0)
        guest_fail("ring", "run", rc);
    printk("ring: %u answered, %u lost, %u duplicated, %u wrong, %u out of order\n", (unsigned int)st.answered,
           (unsigned int)st.lost, (unsigned int)st.duplicated, (unsigned int)st.bad_sum, (unsigned int)st.out_of_order);
    printk("ring: back-pressure: ring full %u times; %u sleeps, %u notifications sent\n", (unsigned int)st.full_waits,
           (unsigned int)st.sleeps, (unsigned int)st.notifies);
    print_rate("ring", st.answered, t1 - t0);
    if (st.answered != count || st.lost != 0 || st.duplicated != 0 || st.bad_sum != 0 || st.out_of_order != 0)
        guest_fail("ring", "requests lost, duplicated or wrong", (long long)st.lost);
    if (count > 2 * rf.ring.nr_ents && st.full_waits == 0)
        guest_fail("ring", "the ring never filled up", 0);
    rc = ringfront_disconnect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        guest_fail("ring", "disconnect", rc);
    if (guest_failures == 0)
        printk("ring: ok\n");
}
