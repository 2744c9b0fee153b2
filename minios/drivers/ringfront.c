/* mini-OS ring-test frontend (include/minios/frontends.h, io/ringtest.h). */
#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/lib.h"
#include "minios/mm.h"

static void ring_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    struct ringfront *rf = data;
    wake_up(&rf->wq);
}

static int publish(struct ringfront *rf, s_time_t deadline)
{
    int rc = xenbus_alloc_evtchn(rf->dev.backend_id, &rf->port);
    if (rc < 0)
        return rc;
    (void)bind_evtchn(rf->port, ring_event, rf);
    const struct xenbus_kv kv[] = {{"ring-ref", rf->ring_ref}, {"event-channel", rf->port}};
    rc = xenbus_publish(&rf->dev, kv, ARRAY_SIZE(kv), XenbusStateInitialised);
    return rc == 0 ? frontend_finish(&rf->dev, deadline) : rc;
}

/* After a rollback: the restored ring's state onto a fresh one (frontends.h). */
static int ring_reconnect(struct frontend_link *l, s_time_t deadline)
{
    struct ringfront *rf = container_of(l, struct ringfront, link);
    int rc = frontend_restart(&rf->dev, deadline);
    if (rc < 0)
        return rc;
    void *old = rf->sring;
    const grant_ref_t old_ref = rf->ring_ref;
    const evtchn_port_t old_port = rf->port;
    rf->sring = frontend_grant_page(&rf->dev, &rf->ring_ref);
    if (rf->sring == NULL) {
        rf->sring = old;
        rf->ring_ref = old_ref;
        return -XEN_ENOMEM;
    }
    ringtest_sring_init(rf->sring);
    struct ringtest_front_ring ring = rf->ring;
    ringtest_front_init(&rf->ring, rf->sring, PAGE_SIZE);
    const int again = frontend_ring_move(rf->sring, old, rf->ring.nr_ents, sizeof(union ringtest_sring_entry),
                                         &ring.req_prod_pvt, &ring.rsp_cons);
    rf->ring.req_prod_pvt = ring.req_prod_pvt;
    rf->ring.rsp_cons = ring.rsp_cons;
    (void)xenbus_close_evtchn(old_port);
    frontend_free_page(old, old_ref);
    rc = publish(rf, deadline);
    return rc < 0 ? rc : again;
}

int ringfront_connect(struct ringfront *rf, s_time_t deadline)
{
    memset(rf, 0, sizeof *rf);
    int rc = frontend_start(&rf->dev, "vtest", deadline);
    if (rc < 0)
        return rc;
    rf->sring = frontend_grant_page(&rf->dev, &rf->ring_ref);
    if (rf->sring == NULL)
        return -XEN_ENOMEM;
    ringtest_sring_init(rf->sring);
    ringtest_front_init(&rf->ring, rf->sring, PAGE_SIZE);
    rc = publish(rf, deadline);
    if (rc == 0)
        frontend_register(&rf->link, &rf->dev, &rf->wq, ring_reconnect);
    return rc;
}

static bool responses_ready(void *arg)
{
    struct ringfront *rf = arg;
    return frontend_ready(&rf->link) && ringtest_final_check_responses(&rf->ring) != 0;
}

static uint32_t word(uint32_t seq, unsigned int w) { return seq * 2654435761U + w * 40503U; }

int ringfront_run(struct ringfront *rf, uint32_t count, struct ringfront_stats *st, s_time_t deadline)
{
    memset(st, 0, sizeof *st);
    /* One bit per request: answered once, exactly. */
    const unsigned int bitmap_pages = (count + PAGE_SIZE * 8 - 1) / (PAGE_SIZE * 8);
    uint32_t *seen = alloc_pages(bitmap_pages);
    if (seen == NULL)
        return -XEN_ENOMEM;
    uint32_t next = 0;     /* next sequence number to send */
    uint32_t expected = 0; /* the one that should come back next (the backend keeps order) */
    int rc = 0;
    while (st->answered < count) {
        if (!frontend_wait_ready(&rf->link, deadline)) {
            rc = -XB_ETIMEDOUT;
            break;
        }
        bool queued = false;
        while (next < count && !ringtest_full(&rf->ring)) {
            struct ringtest_request *r = ringtest_next_request(&rf->ring);
            r->id = next ^ 0xC0DE0000U;
            r->seq = next;
            for (unsigned int w = 0; w < ARRAY_SIZE(r->data); w++)
                r->data[w] = word(next, w);
            rf->ring.req_prod_pvt++;
            next++;
            queued = true;
        }
        if (queued && ringtest_push_requests(&rf->ring)) {
            (void)notify_remote_via_evtchn(rf->port);
            st->notifies++;
        }
        if (next < count && ringtest_full(&rf->ring))
            st->full_waits++;
        uint32_t avail = ringtest_unconsumed_responses(&rf->ring);
        if (avail > rf->ring.nr_ents) {
            rc = -XEN_EINVAL;
            break;
        }
        const uint32_t got = avail;
        for (; avail > 0; avail--) {
            const struct ringtest_response rsp = *ringtest_next_response(&rf->ring);
            rf->ring.rsp_cons++;
            st->answered++;
            if (rsp.seq >= count || rsp.id != (rsp.seq ^ 0xC0DE0000U)) {
                st->bad_sum++;
                continue;
            }
            const uint32_t bit = 1U << (rsp.seq % 32);
            if ((seen[rsp.seq / 32] & bit) != 0)
                st->duplicated++;
            seen[rsp.seq / 32] |= bit;
            if (rsp.seq != expected)
                st->out_of_order++;
            expected = rsp.seq + 1;
            uint32_t sum = rsp.seq;
            for (unsigned int w = 0; w < 6; w++)
                sum += word(rsp.seq, w);
            if (sum != rsp.sum)
                st->bad_sum++;
        }
        if (got == 0) {
            st->sleeps++;
            if (!wait_event_deadline(&rf->wq, responses_ready, rf, deadline)) {
                rc = -XB_ETIMEDOUT;
                break;
            }
        }
    }
    for (uint32_t s = 0; s < count; s++)
        st->lost += (seen[s / 32] >> (s % 32)) & 1U ? 0U : 1U;
    free_pages(seen, bitmap_pages);
    return rc;
}

int ringfront_disconnect(struct ringfront *rf, s_time_t deadline)
{
    frontend_unregister(&rf->link, deadline);
    int rc = frontend_close(&rf->dev, deadline);
    (void)xenbus_close_evtchn(rf->port);
    frontend_free_page(rf->sring, rf->ring_ref);
    rf->sring = NULL;
    (void)xenbus_switch_state(&rf->dev, XenbusStateClosed);
    return rc;
}
