/*
 * dom0's network backend: one virtual interface per guest (two rings, io/netif.h) and
 * a software Ethernet switch between them.
 *
 * A frame a guest sends (tx request) goes to the guest whose MAC is its destination, or
 * to every other connected guest for a broadcast/multicast destination. For each
 * receiver dom0 takes one of the empty pages the receiver posted (rx request), maps it,
 * copies, unmaps, and answers the rx request with the frame's size. No receiver, or no
 * posted page: the frame is dropped and counted. The sender's frame page is mapped once
 * for all receivers, read-only (GNTMAP_readonly, in the read-only window: dom0 only reads
 * it, and the frontend grants it GTF_readonly, as Xen's netfront does); a receiver's page
 * read-write. The sender's tx request is answered once the frame was switched (OKAY) or
 * found malformed (ERROR: size, offset, or an unmappable grant). With verbose=1 dom0 says,
 * at a guest's first frame, whether its tx grant refuses a read-write map, and at its
 * disconnect how many frames it read through read-only maps.
 * A guest that is destroyed disconnects first: no frame goes to or comes from it after.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/gnttab.h"
#include "minios/lib.h"

static uint32_t switched, to_unknown, no_buffer;

void netback_stats(uint32_t *s, uint32_t *u, uint32_t *n)
{
    *s = switched;
    *u = to_unknown;
    *n = no_buffer;
}

int netback_connect(struct guest *g)
{
    struct netback *nb = &g->vif;
    uint32_t tx_ref, rx_ref, port;
    if (frontend_u32(g, "vif", "tx-ring-ref", &tx_ref) != 0 || frontend_u32(g, "vif", "rx-ring-ref", &rx_ref) != 0 ||
        frontend_u32(g, "vif", "event-channel", &port) != 0)
        return -XEN_ENOENT;
    const uintptr_t tx_va = dom0_map_va(g->domid, SLOT_VIF_TX);
    const uintptr_t rx_va = dom0_map_va(g->domid, SLOT_VIF_RX);
    int st = dom0_map(g->domid, tx_ref, tx_va, &nb->tx_handle);
    if (st != GNTST_okay)
        return st;
    st = dom0_map(g->domid, rx_ref, rx_va, &nb->rx_handle);
    if (st != GNTST_okay) {
        dom0_unmap(&nb->tx_handle, tx_va);
        return st;
    }
    nb->tx_ro_maps = 0;
    nb->tx_grant_probed = false;
    netif_tx_back_init(&nb->tx, (struct netif_tx_sring *)tx_va, PAGE_SIZE);
    netif_rx_back_init(&nb->rx, (struct netif_rx_sring *)rx_va, PAGE_SIZE);
    int rc = dom0_bind(g->domid, port, &nb->c.port, g, W_VIF);
    if (rc != 0) {
        dom0_unmap(&nb->tx_handle, tx_va);
        dom0_unmap(&nb->rx_handle, rx_va);
        return rc;
    }
    dom0_kick(g, W_VIF);
    return 0;
}

void netback_disconnect(struct guest *g)
{
    struct netback *nb = &g->vif;
    dom0_unbind(&nb->c.port);
    dom0_unmap(&nb->tx_handle, dom0_map_va(g->domid, SLOT_VIF_TX));
    dom0_unmap(&nb->rx_handle, dom0_map_va(g->domid, SLOT_VIF_RX));
    if (dom0_verbose)
        printk("vif: dom %u: %u tx frames read through read-only maps\n", (unsigned int)g->domid,
               (unsigned int)nb->tx_ro_maps);
}

/* Takes one posted rx page of dst; false if none (or its ring is broken). */
static bool take_rx(struct guest *dst, struct netif_rx_request *out)
{
    struct netback *nb = &dst->vif;
    RING_IDX prod;
    int n = netif_rx_unconsumed_requests(&nb->rx, &prod);
    if (n < 0) {
        backend_fail(dst, "vif", "rx ring overflow");
        return false;
    }
    if (n == 0)
        return false;
    netif_rx_copy_request(&nb->rx, out);
    return true;
}

static void rx_respond(struct guest *dst, uint16_t id, int16_t status)
{
    struct netback *nb = &dst->vif;
    struct netif_rx_response *r = netif_rx_next_response_slot(&nb->rx);
    r->id = id;
    r->offset = 0;
    r->flags = 0;
    r->status = status;
    nb->rx.rsp_prod_pvt++;
    if (netif_rx_push_responses(&nb->rx))
        (void)notify_remote_via_evtchn(nb->c.port);
}

/* Copies the frame (src's tx page, mapped at src_va) into one rx page of dst. */
static void deliver(struct guest *src, const uint8_t *frame, uint16_t size, struct guest *dst)
{
    struct netif_rx_request rx;
    if (!take_rx(dst, &rx)) {
        no_buffer++;
        dst->vif.rx_dropped++;
        return;
    }
    UNUSED(src);
    grant_handle_t h;
    const uintptr_t va = dom0_map_va(dst->domid, SLOT_NET_DST);
    int16_t status = (int16_t)size;
    if (dom0_map(dst->domid, rx.gref, va, &h) == GNTST_okay) {
        memcpy((void *)va, frame, size);
        dom0_unmap(&h, va);
        switched++;
        dst->vif.rx_frames++;
    } else {
        status = NETIF_RSP_ERROR;
        dst->vif.c.errors++;
    }
    rx_respond(dst, rx.id, status);
}

/* verbose: tells once per connection whether src's tx grant (mapped read-only now) also
 * lets dom0 map it read-write, i.e. whether the frontend granted it GTF_readonly. */
static void probe_tx_grant(struct guest *src, grant_ref_t gref)
{
    struct netback *nb = &src->vif;
    if (!dom0_verbose || nb->tx_grant_probed)
        return;
    nb->tx_grant_probed = true;
    grant_handle_t h;
    const uintptr_t va = dom0_map_va(src->domid, SLOT_NET_SRC);
    const int st = gnttab_map(src->domid, gref, va, &h);
    if (st == GNTST_okay) {
        (void)gnttab_unmap(h, va);
        printk("vif: dom %u: tx grant %u is writable (not GTF_readonly)\n", (unsigned int)src->domid,
               (unsigned int)gref);
        return;
    }
    printk("vif: dom %u: tx grant %u is read-only (a read-write map: %d); tx frames mapped read-only at 0x%08x\n",
           (unsigned int)src->domid, (unsigned int)gref, st, (unsigned int)dom0_map_ro_va(src->domid, SLOT_NET_SRC));
}

static int16_t switch_frame(struct guest *src, const struct netif_tx_request *tx)
{
    if (tx->size < XA_NETIF_MIN_FRAME || tx->size > XA_NETIF_MTU_FRAME || (uint32_t)tx->offset + tx->size > PAGE_SIZE)
        return NETIF_RSP_ERROR;
    grant_handle_t h;
    const uintptr_t va = dom0_map_ro_va(src->domid, SLOT_NET_SRC);
    if (gnttab_map_readonly(src->domid, tx->gref, va, &h) != GNTST_okay)
        return NETIF_RSP_ERROR;
    src->vif.tx_ro_maps++;
    probe_tx_grant(src, tx->gref);
    const uint8_t *frame = (const uint8_t *)va + tx->offset;
    bool known = false;
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        struct guest *d = guest_get(i);
        if (d == NULL || d == src || !d->vif.c.connected)
            continue;
        /* broadcast or multicast (group bit): every other station */
        if ((frame[0] & 1U) != 0 || memcmp(d->vif.mac, frame, 6) == 0) {
            known = true;
            deliver(src, frame, tx->size, d);
        }
    }
    (void)gnttab_unmap(h, va);
    if (!known)
        to_unknown++; /* sent; the switch knows no such station */
    return NETIF_RSP_OKAY;
}

void netback_service(struct guest *g)
{
    struct netback *nb = &g->vif;
    for (;;) {
        if (!nb->c.connected || dom0_rollback_pending())
            return; /* a rolled-back guest's ring is not served from the old state */
        RING_IDX prod;
        int n = netif_tx_unconsumed_requests(&nb->tx, &prod);
        if (n < 0) {
            backend_fail(g, "vif", "tx ring overflow");
            return;
        }
        for (int i = 0; i < n && nb->c.connected; i++) {
            struct netif_tx_request tx;
            netif_tx_copy_request(&nb->tx, &tx);
            const int16_t status = switch_frame(g, &tx);
            nb->c.requests++;
            nb->tx_frames++;
            if (status != NETIF_RSP_OKAY)
                nb->c.errors++;
            struct netif_tx_response *r = netif_tx_next_response_slot(&nb->tx);
            r->id = tx.id;
            r->status = status;
            nb->tx.rsp_prod_pvt++;
        }
        if (!nb->c.connected)
            return;
        if (n > 0 && netif_tx_push_responses(&nb->tx))
            (void)notify_remote_via_evtchn(nb->c.port);
        int more = netif_tx_final_check_requests(&nb->tx);
        if (more == 0)
            return;
    }
}
