/* mini-OS block frontend (include/minios/frontends.h), one request in flight at a time.
 * The ring itself is the shadow of that request: a rollback restores it, and a reconnect
 * moves it to the new ring (answered before the checkpoint, or issued again). */
#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/gnttab.h"
#include "minios/lib.h"

static void blk_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    struct blkfront *bf = data;
    wake_up(&bf->wq);
}

/* A channel for the ring, published with it; then the handshake to Connected. */
static int publish(struct blkfront *bf, s_time_t deadline)
{
    int rc = xenbus_alloc_evtchn(bf->dev.backend_id, &bf->port);
    if (rc < 0)
        return rc;
    (void)bind_evtchn(bf->port, blk_event, bf);
    const struct xenbus_kv kv[] = {{"ring-ref", bf->ring_ref}, {"event-channel", bf->port}};
    rc = xenbus_publish(&bf->dev, kv, ARRAY_SIZE(kv), XenbusStateInitialised);
    return rc == 0 ? frontend_finish(&bf->dev, deadline) : rc;
}

/* After a rollback: the restored ring's state onto a fresh one (frontends.h). */
static int blk_reconnect(struct frontend_link *l, s_time_t deadline)
{
    struct blkfront *bf = container_of(l, struct blkfront, link);
    int rc = frontend_restart(&bf->dev, deadline);
    if (rc < 0)
        return rc;
    void *old = bf->sring;
    const grant_ref_t old_ref = bf->ring_ref;
    const evtchn_port_t old_port = bf->port;
    bf->sring = frontend_grant_page(&bf->dev, &bf->ring_ref);
    if (bf->sring == NULL) {
        bf->sring = old;
        bf->ring_ref = old_ref;
        return -XEN_ENOMEM;
    }
    blkif_sring_init(bf->sring);
    struct blkif_front_ring ring = bf->ring;
    blkif_front_init(&bf->ring, bf->sring, PAGE_SIZE);
    const int again = frontend_ring_move(bf->sring, old, bf->ring.nr_ents, sizeof(union blkif_sring_entry),
                                         &ring.req_prod_pvt, &ring.rsp_cons);
    bf->ring.req_prod_pvt = ring.req_prod_pvt;
    bf->ring.rsp_cons = ring.rsp_cons;
    (void)xenbus_close_evtchn(old_port);
    frontend_free_page(old, old_ref);
    rc = publish(bf, deadline);
    return rc < 0 ? rc : again;
}

int blkfront_connect(struct blkfront *bf, s_time_t deadline)
{
    memset(bf, 0, sizeof *bf);
    int rc = frontend_start(&bf->dev, "vbd", deadline);
    if (rc < 0)
        return rc;
    bf->sring = frontend_grant_page(&bf->dev, &bf->ring_ref);
    if (bf->sring == NULL)
        return -XEN_ENOMEM;
    blkif_sring_init(bf->sring);
    blkif_front_init(&bf->ring, bf->sring, PAGE_SIZE);
    rc = publish(bf, deadline);
    if (rc == 0)
        frontend_register(&bf->link, &bf->dev, &bf->wq, blk_reconnect);
    if (rc == 0)
        rc = xenbus_backend_u32(&bf->dev, "sectors", &bf->sectors);
    if (rc == 0)
        rc = xenbus_backend_u32(&bf->dev, "sector-size", &bf->sector_size);
    return rc;
}

static bool response_ready(void *arg)
{
    struct blkfront *bf = arg;
    return frontend_ready(&bf->link) && blkif_final_check_responses(&bf->ring) != 0;
}

int blkfront_submit(struct blkfront *bf, const struct blkif_request *req, struct blkif_response *rsp)
{
    if (!frontend_wait_ready(&bf->link, NOW() + XENBUS_TIMEOUT))
        return -XB_ETIMEDOUT;
    if (blkif_full(&bf->ring))
        return -XEN_EBUSY;
    *blkif_next_request(&bf->ring) = *req;
    bf->ring.req_prod_pvt++;
    if (blkif_push_requests(&bf->ring))
        (void)notify_remote_via_evtchn(bf->port);
    if (!wait_event_deadline(&bf->wq, response_ready, bf, NOW() + XENBUS_TIMEOUT))
        return -XB_ETIMEDOUT;
    if (blkif_unconsumed_responses(&bf->ring) > bf->ring.nr_ents)
        return -XEN_EINVAL; /* the backend's indices make no sense */
    *rsp = *blkif_next_response(&bf->ring);
    bf->ring.rsp_cons++;
    return 0;
}

int blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, uint32_t nsectors)
{
    const uint32_t per_page = PAGE_SIZE / XEN_BLKIF_SECTOR_SIZE;
    const uint32_t pages = (nsectors + per_page - 1) / per_page;
    if (nsectors == 0 || pages > BLKIF_MAX_SEGMENTS_PER_REQUEST || ((uintptr_t)buf & (PAGE_SIZE - 1)) != 0)
        return -XEN_EINVAL;
    struct blkif_request req = {
        .operation = op, .nr_segments = (uint8_t)pages, .handle = 0, .id = bf->next_id++, .sector_number = sector};
    int rc = 0;
    /* A write's pages are only read by the backend: granted read-only (GTF_readonly), so
     * it can map them read-only and nothing else (as Xen's blkfront does). */
    const bool readonly = op == BLKIF_OP_WRITE;
    for (uint32_t i = 0; i < pages; i++) {
        int r = grant_access(bf->dev.backend_id, arch_virt_to_mach((char *)buf + i * PAGE_SIZE), readonly);
        if (r < 0) {
            rc = r;
            req.nr_segments = (uint8_t)i;
            break;
        }
        const uint32_t first = 0;
        const uint32_t left = nsectors - i * per_page;
        req.seg[i] = (struct blkif_request_segment){.gref = (grant_ref_t)r,
                                                    .first_sect = (uint8_t)first,
                                                    .last_sect = (uint8_t)((left >= per_page ? per_page : left) - 1)};
    }
    struct blkif_response rsp = {0};
    if (rc == 0)
        rc = blkfront_submit(bf, &req, &rsp);
    for (uint32_t i = 0; i < req.nr_segments; i++)
        (void)end_access(req.seg[i].gref);
    if (rc != 0)
        return rc;
    if (rsp.id != req.id)
        return -XEN_EINVAL;
    return rsp.status;
}

int blkfront_flush(struct blkfront *bf)
{
    struct blkif_request req = {.operation = BLKIF_OP_FLUSH_DISKCACHE, .id = bf->next_id++};
    struct blkif_response rsp;
    int rc = blkfront_submit(bf, &req, &rsp);
    return rc != 0 ? rc : rsp.status;
}

int blkfront_disconnect(struct blkfront *bf, s_time_t deadline)
{
    frontend_unregister(&bf->link, deadline);
    int rc = frontend_close(&bf->dev, deadline);
    (void)xenbus_close_evtchn(bf->port);
    frontend_free_page(bf->sring, bf->ring_ref);
    bf->sring = NULL;
    (void)xenbus_switch_state(&bf->dev, XenbusStateClosed);
    return rc;
}
