/*
 * dom0's ring-test backend ("vtest", io/ringtest.h): answers each request with its id,
 * its sequence number and the sum of its words. Only the ring itself is exercised, so
 * its cost per request and its back-pressure can be measured on their own.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"

int ringback_connect(struct guest *g)
{
    struct ringback *rb = &g->vtest;
    uint32_t ref, port;
    if (frontend_u32(g, "vtest", "ring-ref", &ref) != 0 || frontend_u32(g, "vtest", "event-channel", &port) != 0)
        return -XEN_ENOENT;
    const uintptr_t va = dom0_map_va(g->domid, SLOT_VTEST_RING);
    int st = dom0_map(g->domid, ref, va, &rb->ring_handle);
    if (st != GNTST_okay)
        return st;
    ringtest_back_init(&rb->ring, (struct ringtest_sring *)va, PAGE_SIZE);
    int rc = dom0_bind(g->domid, port, &rb->c.port, g, W_VTEST);
    if (rc != 0) {
        dom0_unmap(&rb->ring_handle, va);
        return rc;
    }
    dom0_kick(g, W_VTEST);
    return 0;
}

void ringback_disconnect(struct guest *g)
{
    struct ringback *rb = &g->vtest;
    dom0_unbind(&rb->c.port);
    dom0_unmap(&rb->ring_handle, dom0_map_va(g->domid, SLOT_VTEST_RING));
}

void ringback_service(struct guest *g)
{
    struct ringback *rb = &g->vtest;
    for (;;) {
        if (!rb->c.connected || dom0_rollback_pending())
            return; /* a rolled-back guest's ring is not served from the old state */
        RING_IDX prod;
        int n = ringtest_unconsumed_requests(&rb->ring, &prod);
        if (n < 0) {
            char why[64];
            snprintf(why, sizeof why, "ring overflow (req_prod %u, responses %u)", (unsigned int)prod,
                     (unsigned int)rb->ring.rsp_prod_pvt);
            backend_fail(g, "vtest", why);
            return;
        }
        for (int i = 0; i < n; i++) {
            struct ringtest_request req;
            ringtest_copy_request(&rb->ring, &req);
            uint32_t sum = req.seq;
            for (unsigned int w = 0; w < ARRAY_SIZE(req.data); w++)
                sum += req.data[w];
            struct ringtest_response *rsp = ringtest_next_response_slot(&rb->ring);
            rsp->id = req.id;
            rsp->seq = req.seq;
            rsp->sum = sum;
            rsp->status = 0;
            rb->ring.rsp_prod_pvt++;
        }
        rb->c.requests += (uint32_t)n;
        if (n > 0) {
            rb->batches++;
            if (ringtest_push_responses(&rb->ring))
                (void)notify_remote_via_evtchn(rb->c.port);
        }
        if (ringtest_final_check_requests(&rb->ring) == 0)
            return;
    }
}
