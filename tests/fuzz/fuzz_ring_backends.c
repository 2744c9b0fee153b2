/*
 * dom0's ring backends (minios/dom0/blkback.c, netback.c, ringback.c, unchanged) against
 * hostile frontends, through the host shim: guests 1..3 with a block ring (guest 1), a
 * network interface each and a ring-test ring (guest 2). The input is a sequence of
 * frontend actions: requests built from the input (any field), raw slot bytes, index
 * corruption, and dom0 servicing a ring.
 *
 * Checked after every service (besides ASan/UBSan on every copy):
 *   - nothing of a guest stays mapped but its rings (the backends' promise), no map was
 *     refused for its address and no unmap named a wrong handle;
 *   - every request consumed was answered (rsp_prod_pvt == req_cons on every ring);
 *   - a block request is answered OKAY exactly when the documented rules allow it
 *     (operation, segment count and sectors, range within the guest's slice, grants
 *     mappable), a frame exactly when it fits its page and its grant maps read-only,
 *     and an rx buffer filled only when its grant maps read-write;
 *   - a broken ring (a producer index more than a ring ahead) disconnects its backend and
 *     unmaps its ring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "shim.h"

#define DISK_SECTORS 64U

static void fail(const char* what, unsigned int a, unsigned int b) {
    fprintf(stderr, "ring_backends: %s (%u, %u)\n", what, a, b);
    abort();
}

static uint8_t disk[DISK_SECTORS * XEN_BLKIF_SECTOR_SIZE];

/* The frontend's copy of each request it published, by ring index (slot), for the model. */
static struct blkif_request blk_sent[64];
static bool blk_sent_known[64];

static struct netif_tx_request tx_sent[4][256];
static bool tx_sent_known[4][256];
static struct netif_rx_request rx_sent[4][256];
static bool rx_sent_known[4][256];
static RING_IDX tx_seen[4], rx_seen[4];

static bool grant_mappable(uint32_t ref, bool readonly) {
    return ref < SHIM_REFS && (readonly || ref < SHIM_FIRST_RO_REF);
}

static int16_t blk_model(const struct blkif_request* r) {
    if (r->operation == BLKIF_OP_FLUSH_DISKCACHE) return BLKIF_RSP_OKAY;
    if (r->operation != BLKIF_OP_READ && r->operation != BLKIF_OP_WRITE) return BLKIF_RSP_EOPNOTSUPP;
    if (r->nr_segments == 0 || r->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) return BLKIF_RSP_ERROR;
    uint64_t total = 0;
    for (unsigned int i = 0; i < r->nr_segments; i++) {
        if (r->seg[i].first_sect > r->seg[i].last_sect || r->seg[i].last_sect >= XEN_BLKIF_SECTORS_PER_PAGE)
            return BLKIF_RSP_ERROR;
        total += r->seg[i].last_sect - r->seg[i].first_sect + 1U;
    }
    if (r->sector_number >= DISK_SECTORS || total > DISK_SECTORS - r->sector_number) return BLKIF_RSP_ERROR;
    for (unsigned int i = 0; i < r->nr_segments; i++) {
        if (!grant_mappable(r->seg[i].gref, r->operation == BLKIF_OP_WRITE)) return BLKIF_RSP_ERROR;
    }
    return BLKIF_RSP_OKAY;
}

static int16_t tx_model(const struct netif_tx_request* t) {
    if (t->size < XA_NETIF_MIN_FRAME || t->size > XA_NETIF_MTU_FRAME || (uint32_t)t->offset + t->size > PAGE_SIZE)
        return NETIF_RSP_ERROR;
    return grant_mappable(t->gref, true) ? NETIF_RSP_OKAY : NETIF_RSP_ERROR;
}

static struct guest* g[4];

static unsigned int rings_expected(void) {
    unsigned int n = 0;
    for (unsigned int d = 1; d <= 3; d++) {
        n += g[d]->vbd.c.connected ? 1U : 0U;
        n += g[d]->vif.c.connected ? 2U : 0U;
        n += g[d]->vtest.c.connected ? 1U : 0U;
    }
    return n;
}

static void check(void) {
    if (shim_live_maps() != rings_expected())
        fail("mappings other than the rings are left", shim_live_maps(), rings_expected());
    if (shim_stats.refused_maps != 0 || shim_stats.bad_unmaps != 0)
        fail("a map at a taken address or an unmap of the wrong handle", shim_stats.refused_maps,
             shim_stats.bad_unmaps);
    for (unsigned int d = 1; d <= 3; d++) {
        if (g[d]->vbd.c.connected && g[d]->vbd.ring.rsp_prod_pvt != g[d]->vbd.ring.req_cons)
            fail("a block request consumed and not answered", d, 0);
        if (g[d]->vif.c.connected && g[d]->vif.tx.rsp_prod_pvt != g[d]->vif.tx.req_cons)
            fail("a tx request consumed and not answered", d, 0);
        if (g[d]->vif.c.connected && g[d]->vif.rx.rsp_prod_pvt != g[d]->vif.rx.req_cons)
            fail("an rx request consumed and not answered", d, 0);
        if (g[d]->vtest.c.connected && g[d]->vtest.ring.rsp_prod_pvt != g[d]->vtest.ring.req_cons)
            fail("a ring-test request consumed and not answered", d, 0);
    }
}

static RING_IDX seen; /* the block responses the frontend has looked at */

/* The frontend reads the block responses and compares them with the model. */
static void blk_responses(void) {
    if (!g[1]->vbd.c.connected) return;
    struct blkif_sring* s = (struct blkif_sring*)dom0_map_va(1, SLOT_VBD_RING);
    const uint32_t slots = g[1]->vbd.ring.nr_ents;
    const RING_IDX prod = s->rsp_prod;
    /* Responses just pushed: those from the last rsp index the frontend saw to rsp_prod. */
    if (prod - seen > slots) seen = prod - slots;
    for (; seen != prod; seen++) {
        const uint32_t slot = seen & (slots - 1U);
        const struct blkif_response* r = &s->ring[slot].rsp;
        if (!blk_sent_known[slot % 64U]) continue;
        const struct blkif_request* q = &blk_sent[slot % 64U];
        if (r->id != q->id || r->operation != q->operation)
            fail("a block response does not echo its request", (unsigned int)r->id, q->operation);
        if (r->status != blk_model(q))
            fail("a block status differs from the rules", (unsigned int)(int)r->status,
                 (unsigned int)(int)blk_model(q));
        blk_sent_known[slot % 64U] = false;
    }
}

/* The frontend of guest d reads its network responses: a tx request is answered OKAY
 * exactly when its frame fits its page and its grant maps read-only; an rx buffer gets
 * a frame (status: its size, 14..1514) only if its grant maps read-write, else ERROR. */
static void net_responses(unsigned int d) {
    if (!g[d]->vif.c.connected) return;
    const struct netif_tx_sring* tx = (const struct netif_tx_sring*)dom0_map_va(d, SLOT_VIF_TX);
    const uint32_t tslots = g[d]->vif.tx.nr_ents;
    const RING_IDX tprod = tx->rsp_prod;
    if (tprod - tx_seen[d] > tslots) tx_seen[d] = tprod - tslots;
    for (; tx_seen[d] != tprod; tx_seen[d]++) {
        const uint32_t slot = tx_seen[d] & (tslots - 1U);
        const struct netif_tx_response* r = &tx->ring[slot].rsp;
        if (!tx_sent_known[d][slot]) continue;
        const struct netif_tx_request* q = &tx_sent[d][slot];
        if (r->id != q->id || r->status != tx_model(q))
            fail("a tx response differs from the rules", (unsigned int)(int)r->status, (unsigned int)(int)tx_model(q));
        tx_sent_known[d][slot] = false;
    }
    const struct netif_rx_sring* rx = (const struct netif_rx_sring*)dom0_map_va(d, SLOT_VIF_RX);
    const uint32_t rslots = g[d]->vif.rx.nr_ents;
    const RING_IDX rprod = rx->rsp_prod;
    if (rprod - rx_seen[d] > rslots) rx_seen[d] = rprod - rslots;
    for (; rx_seen[d] != rprod; rx_seen[d]++) {
        const uint32_t slot = rx_seen[d] & (rslots - 1U);
        const struct netif_rx_response* r = &rx->ring[slot].rsp;
        if (!rx_sent_known[d][slot]) continue;
        const struct netif_rx_request* q = &rx_sent[d][slot];
        const bool ok = grant_mappable(q->gref, false);
        if (r->id != q->id || (ok ? (r->status < (int16_t)XA_NETIF_MIN_FRAME || r->status > (int16_t)XA_NETIF_MTU_FRAME)
                                  : r->status != NETIF_RSP_ERROR))
            fail("an rx response differs from the rules", (unsigned int)(int)r->status, q->gref);
        rx_sent_known[d][slot] = false;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    struct in in = {data, size};
    shim_reset();
    memset(blk_sent_known, 0, sizeof blk_sent_known);
    memset(tx_sent_known, 0, sizeof tx_sent_known);
    memset(rx_sent_known, 0, sizeof rx_sent_known);
    memset(tx_seen, 0, sizeof tx_seen);
    memset(rx_seen, 0, sizeof rx_seen);
    seen = 0;
    for (unsigned int d = 1; d <= 3; d++) {
        g[d] = shim_add_guest(d);
        g[d]->vif.mac[0] = 0x00;
        g[d]->vif.mac[1] = 0x16;
        g[d]->vif.mac[2] = 0x3e;
        g[d]->vif.mac[5] = (uint8_t)d;
        if (netback_connect(g[d]) != 0) fail("netback_connect", d, 0);
        g[d]->vif.c.connected = true;
    }
    if (blkback_connect(g[1]) != 0) fail("blkback_connect", 1, 0);
    g[1]->vbd.c.connected = true;
    g[1]->vbd.disk = disk;
    g[1]->vbd.sectors = DISK_SECTORS;
    if (ringback_connect(g[2]) != 0) fail("ringback_connect", 2, 0);
    g[2]->vtest.c.connected = true;
    dom0_verbose = size % 3 == 0;

    for (unsigned int steps = 0; steps < 128 && in.n > 0; steps++) {
        const uint8_t op = take(&in);
        const unsigned int d = 1U + (op >> 4) % 3U;
        switch (op & 7U) {
            case 0: { /* a block request */
                if (!g[1]->vbd.c.connected) break;
                struct blkif_sring* s = (struct blkif_sring*)dom0_map_va(1, SLOT_VBD_RING);
                struct blkif_request r;
                memset(&r, 0, sizeof r);
                const uint8_t o = take(&in);
                r.operation = o < 240 ? (uint8_t)(o % 4U) : o;
                r.nr_segments = take(&in) % 13U;
                r.id = take32(&in);
                r.sector_number = take(&in) < 250 ? take(&in) % 80U : take32(&in);
                for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST && i < r.nr_segments; i++) {
                    const uint8_t a = take(&in);
                    r.seg[i].gref = a < 240 ? 7U + a % 30U : take32(&in);
                    r.seg[i].first_sect = take(&in) % 9U;
                    r.seg[i].last_sect = take(&in) % 9U;
                }
                const RING_IDX prod = s->req_prod;
                const uint32_t slot = prod & (g[1]->vbd.ring.nr_ents - 1U);
                s->ring[slot].req = r;
                blk_sent[slot % 64U] = r;
                blk_sent_known[slot % 64U] = true;
                s->req_prod = prod + 1;
                break;
            }
            case 1: { /* a tx frame */
                if (!g[d]->vif.c.connected) break;
                struct netif_tx_sring* s = (struct netif_tx_sring*)dom0_map_va(d, SLOT_VIF_TX);
                struct netif_tx_request t;
                memset(&t, 0, sizeof t);
                const uint8_t a = take(&in);
                t.gref = a < 240 ? 7U + a % 30U : take32(&in);
                t.offset = (uint16_t)(take(&in) < 200 ? take(&in) * 16U : take32(&in));
                t.size = (uint16_t)(take(&in) < 200 ? 14U + take(&in) * 6U : take32(&in));
                t.id = take(&in);
                /* The frame's destination: a guest, broadcast, or nobody. */
                const uint8_t dst = take(&in);
                if (t.offset <= PAGE_SIZE - 6U) {
                    uint8_t* frame = shim_guest_page(d, t.gref % SHIM_GUEST_PAGES) + t.offset;
                    const uint8_t mac[6] = {dst & 1U ? 0xFF : 0x00, 0x16, 0x3e, 0, 0, (uint8_t)(dst % 5U)};
                    memcpy(frame, mac, 6);
                }
                const RING_IDX prod = s->req_prod;
                const uint32_t slot = prod & (g[d]->vif.tx.nr_ents - 1U);
                s->ring[slot].req = t;
                tx_sent[d][slot] = t;
                tx_sent_known[d][slot] = true;
                s->req_prod = prod + 1;
                break;
            }
            case 2: { /* an rx buffer posted */
                if (!g[d]->vif.c.connected) break;
                struct netif_rx_sring* s = (struct netif_rx_sring*)dom0_map_va(d, SLOT_VIF_RX);
                struct netif_rx_request r = {.id = take(&in), .gref = 7U + take(&in) % 30U};
                const RING_IDX prod = s->req_prod;
                const uint32_t slot = prod & (g[d]->vif.rx.nr_ents - 1U);
                s->ring[slot].req = r;
                rx_sent[d][slot] = r;
                rx_sent_known[d][slot] = true;
                s->req_prod = prod + 1;
                break;
            }
            case 3: { /* a ring-test request, or raw bytes in a slot of one of the rings */
                if (!g[2]->vtest.c.connected) break;
                struct ringtest_sring* s = (struct ringtest_sring*)dom0_map_va(2, SLOT_VTEST_RING);
                const RING_IDX prod = s->req_prod;
                uint8_t* slot = (uint8_t*)&s->ring[prod & (g[2]->vtest.ring.nr_ents - 1U)];
                for (unsigned int i = 0; i < sizeof s->ring[0]; i++) slot[i] = take(&in);
                s->req_prod = prod + 1;
                break;
            }
            case 4: /* dom0 services the guest's rings */
                blkback_service(g[d]);
                netback_service(g[d]);
                ringback_service(g[d]);
                check();
                if (d == 1) blk_responses();
                for (unsigned int e = 1; e <= 3; e++) net_responses(e); /* a frame of d's may have reached any guest */
                break;
            case 5: { /* the frontend moves a producer index anywhere */
                const uint32_t v = take32(&in);
                const uint8_t which = take(&in) % 4U;
                volatile RING_IDX* p = NULL;
                if (which == 0 && g[1]->vbd.c.connected)
                    p = &((struct blkif_sring*)dom0_map_va(1, SLOT_VBD_RING))->req_prod;
                else if (which == 1 && g[d]->vif.c.connected)
                    p = &((struct netif_tx_sring*)dom0_map_va(d, SLOT_VIF_TX))->req_prod;
                else if (which == 2 && g[d]->vif.c.connected)
                    p = &((struct netif_rx_sring*)dom0_map_va(d, SLOT_VIF_RX))->req_prod;
                else if (which == 3 && g[2]->vtest.c.connected)
                    p = &((struct ringtest_sring*)dom0_map_va(2, SLOT_VTEST_RING))->req_prod;
                if (p != NULL) {
                    *p += v % 512U;
                    /* Slots the frontend never wrote are now published: no model for them. */
                    if (which == 0) memset(blk_sent_known, 0, sizeof blk_sent_known);
                    if (which == 1) memset(tx_sent_known[d], 0, sizeof tx_sent_known[d]);
                    if (which == 2) memset(rx_sent_known[d], 0, sizeof rx_sent_known[d]);
                }
                break;
            }
            default: /* the frontend writes its data pages */
                shim_guest_page(d, take(&in))[take(&in) * 16U] = take(&in);
                break;
        }
    }
    for (unsigned int d = 1; d <= 3; d++) {
        blkback_service(g[d]);
        netback_service(g[d]);
        ringback_service(g[d]);
        check();
    }
    /* Everything disconnects: nothing is left mapped. */
    for (unsigned int d = 1; d <= 3; d++) {
        if (g[d]->vbd.c.connected) blkback_disconnect(g[d]);
        if (g[d]->vif.c.connected) netback_disconnect(g[d]);
        if (g[d]->vtest.c.connected) ringback_disconnect(g[d]);
        g[d]->vbd.c.connected = g[d]->vif.c.connected = g[d]->vtest.c.connected = false;
    }
    if (shim_live_maps() != 0) fail("mappings left after every disconnect", shim_live_maps(), 0);
    return 0;
}
