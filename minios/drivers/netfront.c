/*
 * mini-OS network frontend (include/minios/frontends.h): NETFRONT_BUFS transmit pages
 * and NETFRONT_BUFS receive pages, granted to the backend once at connect time; a tx
 * request names one of ours by its id (= buffer index), an rx request likewise.
 * The backend only reads a transmitted frame: tx pages are granted read-only
 * (GTF_readonly), as Xen's netfront does; rx pages read-write (the backend fills them).
 */
#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/gnttab.h"
#include "minios/lib.h"
#include "minios/mm.h"

static void net_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    struct netfront *nf = data;
    wake_up(&nf->wq);
}

static void post_rx(struct netfront *nf, uint16_t id)
{
    struct netif_rx_request *r = netif_rx_next_request(&nf->rx);
    r->id = id;
    r->pad0 = 0;
    r->gref = nf->rx_ref[id];
    nf->rx.req_prod_pvt++;
}

/* A page for a tx frame, granted read-only to the backend; NULL if none. */
static void *grant_tx_page(struct netfront *nf, grant_ref_t *ref)
{
    void *page = alloc_page();
    if (page == NULL)
        return NULL;
    int r = grant_access(nf->dev.backend_id, arch_virt_to_mach(page), true);
    if (r < 0) {
        free_page(page);
        return NULL;
    }
    *ref = (grant_ref_t)r;
    return page;
}

static int publish(struct netfront *nf, s_time_t deadline)
{
    int rc = xenbus_alloc_evtchn(nf->dev.backend_id, &nf->port);
    if (rc < 0)
        return rc;
    (void)bind_evtchn(nf->port, net_event, nf);
    const struct xenbus_kv kv[] = {
        {"tx-ring-ref", nf->tx_ring_ref}, {"rx-ring-ref", nf->rx_ring_ref}, {"event-channel", nf->port}};
    rc = xenbus_publish(&nf->dev, kv, ARRAY_SIZE(kv), XenbusStateInitialised);
    return rc == 0 ? frontend_finish(&nf->dev, deadline) : rc;
}

/* After a rollback: both restored rings' state onto fresh ones (frontends.h); the
 * buffers' grants stay. */
static int net_reconnect(struct frontend_link *l, s_time_t deadline)
{
    struct netfront *nf = container_of(l, struct netfront, link);
    int rc = frontend_restart(&nf->dev, deadline);
    if (rc < 0)
        return rc;
    void *old_tx = nf->tx_sring, *old_rx = nf->rx_sring;
    const grant_ref_t old_tx_ref = nf->tx_ring_ref, old_rx_ref = nf->rx_ring_ref;
    const evtchn_port_t old_port = nf->port;
    void *tx = frontend_grant_page(&nf->dev, &nf->tx_ring_ref);
    void *rx = frontend_grant_page(&nf->dev, &nf->rx_ring_ref);
    if (tx == NULL || rx == NULL) {
        frontend_free_page(tx, nf->tx_ring_ref);
        frontend_free_page(rx, nf->rx_ring_ref);
        nf->tx_ring_ref = old_tx_ref;
        nf->rx_ring_ref = old_rx_ref;
        return -XEN_ENOMEM;
    }
    nf->tx_sring = tx;
    nf->rx_sring = rx;
    netif_tx_sring_init(tx);
    netif_rx_sring_init(rx);
    struct netif_tx_front_ring txr = nf->tx;
    struct netif_rx_front_ring rxr = nf->rx;
    netif_tx_front_init(&nf->tx, tx, PAGE_SIZE);
    netif_rx_front_init(&nf->rx, rx, PAGE_SIZE);
    const int tx_again = frontend_ring_move(tx, old_tx, nf->tx.nr_ents, sizeof(union netif_tx_sring_entry),
                                            &txr.req_prod_pvt, &txr.rsp_cons);
    const int rx_again = frontend_ring_move(rx, old_rx, nf->rx.nr_ents, sizeof(union netif_rx_sring_entry),
                                            &rxr.req_prod_pvt, &rxr.rsp_cons);
    nf->tx.req_prod_pvt = txr.req_prod_pvt;
    nf->tx.rsp_cons = txr.rsp_cons;
    nf->rx.req_prod_pvt = rxr.req_prod_pvt;
    nf->rx.rsp_cons = rxr.rsp_cons;
    (void)xenbus_close_evtchn(old_port);
    frontend_free_page(old_tx, old_tx_ref);
    frontend_free_page(old_rx, old_rx_ref);
    rc = publish(nf, deadline);
    return rc < 0 ? rc : (tx_again > 0 ? tx_again : 0) + (rx_again > 0 ? rx_again : 0);
}

int netfront_connect(struct netfront *nf, s_time_t deadline)
{
    memset(nf, 0, sizeof *nf);
    int rc = frontend_start(&nf->dev, "vif", deadline);
    if (rc < 0)
        return rc;
    nf->tx_sring = frontend_grant_page(&nf->dev, &nf->tx_ring_ref);
    nf->rx_sring = frontend_grant_page(&nf->dev, &nf->rx_ring_ref);
    if (nf->tx_sring == NULL || nf->rx_sring == NULL)
        return -XEN_ENOMEM;
    netif_tx_sring_init(nf->tx_sring);
    netif_tx_front_init(&nf->tx, nf->tx_sring, PAGE_SIZE);
    netif_rx_sring_init(nf->rx_sring);
    netif_rx_front_init(&nf->rx, nf->rx_sring, PAGE_SIZE);
    for (uint16_t i = 0; i < NETFRONT_BUFS; i++) {
        nf->tx_buf[i] = grant_tx_page(nf, &nf->tx_ref[i]);
        nf->rx_buf[i] = frontend_grant_page(&nf->dev, &nf->rx_ref[i]);
        if (nf->tx_buf[i] == NULL || nf->rx_buf[i] == NULL)
            return -XEN_ENOMEM;
        post_rx(nf, i);
    }
    (void)netif_rx_push_requests(&nf->rx);
    rc = publish(nf, deadline);
    if (rc != 0)
        return rc;
    frontend_register(&nf->link, &nf->dev, &nf->wq, net_reconnect);
    char mac[24], path[XENBUS_PATH_MAX];
    snprintf(path, sizeof path, "%s/mac", nf->dev.backend);
    rc = xenbus_read(path, mac, sizeof mac);
    if (rc < 0)
        return rc;
    for (unsigned int i = 0; i < 6; i++) {
        uint32_t byte = 0;
        for (unsigned int k = 0; k < 2; k++) {
            const char c = mac[i * 3 + k];
            byte = byte * 16 + (uint32_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
        }
        nf->mac[i] = (uint8_t)byte;
    }
    return 0;
}

/* Takes the tx responses that arrived; frees their buffers. */
static void tx_reclaim(struct netfront *nf)
{
    while (netif_tx_unconsumed_responses(&nf->tx) != 0) {
        const struct netif_tx_response *r = netif_tx_next_response(&nf->tx);
        if (r->id < NETFRONT_BUFS)
            nf->tx_busy[r->id] = false;
        if (r->status != NETIF_RSP_OKAY)
            nf->tx_errors++;
        nf->tx.rsp_cons++;
    }
}

struct tx_wait {
    struct netfront *nf;
    int slot;
};

static bool tx_slot_free(void *arg)
{
    struct tx_wait *w = arg;
    struct netfront *nf = w->nf;
    if (!frontend_ready(&nf->link))
        return false;
    do {
        tx_reclaim(nf);
        for (int i = 0; i < (int)NETFRONT_BUFS; i++) {
            if (!nf->tx_busy[i]) {
                w->slot = i;
                return true;
            }
        }
    } while (netif_tx_final_check_responses(&nf->tx));
    return false;
}

static void tx_push(struct netfront *nf)
{
    if (netif_tx_push_requests(&nf->tx))
        (void)notify_remote_via_evtchn(nf->port);
}

int netfront_send(struct netfront *nf, const void *frame, uint16_t len, s_time_t deadline)
{
    if (len < XA_NETIF_MIN_FRAME || len > XA_NETIF_MTU_FRAME)
        return -XEN_EINVAL;
    struct tx_wait w = {nf, -1};
    if (!wait_event_deadline(&nf->wq, tx_slot_free, &w, deadline))
        return -XB_ETIMEDOUT;
    nf->tx_busy[w.slot] = true;
    memcpy(nf->tx_buf[w.slot], frame, len);
    struct netif_tx_request *r = netif_tx_next_request(&nf->tx);
    *r = (struct netif_tx_request){
        .gref = nf->tx_ref[w.slot], .offset = 0, .flags = 0, .id = (uint16_t)w.slot, .size = len};
    nf->tx.req_prod_pvt++;
    tx_push(nf);
    return 0;
}

int netfront_send_raw(struct netfront *nf, const struct netif_tx_request *req)
{
    struct tx_wait w = {nf, -1};
    if (!wait_event_deadline(&nf->wq, tx_slot_free, &w, NOW() + XENBUS_TIMEOUT))
        return -XB_ETIMEDOUT;
    nf->tx_busy[w.slot] = true;
    struct netif_tx_request *r = netif_tx_next_request(&nf->tx);
    *r = *req;
    r->id = (uint16_t)w.slot;
    nf->tx.req_prod_pvt++;
    tx_push(nf);
    return 0;
}

static bool rx_ready(void *arg)
{
    struct netfront *nf = arg;
    return frontend_ready(&nf->link) && netif_rx_final_check_responses(&nf->rx) != 0;
}

int netfront_recv(struct netfront *nf, void *buf, uint16_t size, s_time_t deadline)
{
    for (;;) {
        if (!wait_event_deadline(&nf->wq, rx_ready, nf, deadline))
            return 0;
        const struct netif_rx_response r = *netif_rx_next_response(&nf->rx);
        nf->rx.rsp_cons++;
        const uint16_t id = r.id < NETFRONT_BUFS ? r.id : 0;
        int len = 0;
        if (r.status > 0 && (uint32_t)r.offset + (uint16_t)r.status <= PAGE_SIZE) {
            len = r.status < (int)size ? r.status : (int)size;
            memcpy(buf, (const char *)nf->rx_buf[id] + r.offset, (size_t)len);
        } else {
            nf->rx_errors++;
        }
        post_rx(nf, id);
        if (netif_rx_push_requests(&nf->rx))
            (void)notify_remote_via_evtchn(nf->port);
        if (len > 0)
            return len;
    }
}

int netfront_disconnect(struct netfront *nf, s_time_t deadline)
{
    frontend_unregister(&nf->link, deadline);
    int rc = frontend_close(&nf->dev, deadline);
    (void)xenbus_close_evtchn(nf->port);
    frontend_free_page(nf->tx_sring, nf->tx_ring_ref);
    frontend_free_page(nf->rx_sring, nf->rx_ring_ref);
    for (unsigned int i = 0; i < NETFRONT_BUFS; i++) {
        frontend_free_page(nf->tx_buf[i], nf->tx_ref[i]);
        frontend_free_page(nf->rx_buf[i], nf->rx_ref[i]);
    }
    (void)xenbus_switch_state(&nf->dev, XenbusStateClosed);
    return rc;
}
