/*
 * app=guest: attack=all, a malicious frontend (guest.h).
 */
#include "guest.h"

static void check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("attack: %s: ok\n", what);
    else
        guest_fail("attack", what, got);
}

static int backend_state_after_abuse(struct xenbus_device *dev)
{
    return xenbus_wait_backend(dev, XB_STATE(XenbusStateClosed), NOW() + MILLISECS(5000));
}

static void attack_store(void)
{
    char v[64];
    int rc = xenbus_write("/local/domain/0/name", "owned");
    check("store: write dom0's node refused", rc == -XB_EACCES, rc);
    rc = xenbus_read("/local/domain/0/name", v, sizeof v);
    check("store: read dom0's node refused", rc == -XB_EACCES, rc);
    rc = xenbus_write("/local/domain/0/backend/vbd/1/0/state", "4");
    check("store: write a backend node refused", rc == -XB_EACCES, rc);
    rc = xenbus_read("bad//path", v, sizeof v);
    check("store: malformed path refused", rc == -XEN_EINVAL, rc);
    rc = xenbus_watch("/local/domain/0", "spy");
    check("store: watch on dom0's nodes refused", rc == -XB_EACCES, rc);
    uint32_t type = 0;
    rc = xenbus_raw(XS_SET_PERMS, "x", 2, &type, v, sizeof v);
    check("store: unknown message answered ENOSYS", type == XS_ERROR && strcmp(v, "ENOSYS") == 0, type);
    rc = xenbus_raw(XS_READ, "name", 4, &type, v, sizeof v); /* no NUL */
    check("store: unterminated path refused", type == XS_ERROR, type);
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rc = xenbus_write("junk", big);
    check("store: oversized value refused", rc == -XB_E2BIG, rc);
    unsigned int made = 0;
    for (; made < 100; made++) {
        char node[24];
        snprintf(node, sizeof node, "flood/%u", made);
        if (xenbus_write(node, "x") != 0)
            break;
    }
    check("store: node quota stops a flood", made > 20 && made < 64, made);
    (void)xenbus_rm("flood");
    rc = xenbus_read("name", v, sizeof v);
    check("store: still served afterwards", rc > 0, rc);
}

static void attack_vbd(void)
{
    struct blkfront bf;
    int rc = blkfront_connect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0) {
        guest_fail("attack", "vbd connect", rc);
        return;
    }
    struct blkif_request req = {.operation = BLKIF_OP_READ, .nr_segments = 1, .sector_number = 0};
    req.seg[0] = (struct blkif_request_segment){.gref = 9999, .first_sect = 0, .last_sect = 0};
    rc = blk_bad(&bf, req);
    check("vbd: grant ref 9999 refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].gref = 300; /* in range, never granted */
    rc = blk_bad(&bf, req);
    check("vbd: ungranted ref refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].gref = GNTTAB_RESERVED_XENSTORE; /* granted, but to dom0 for the store */
    req.seg[0].last_sect = 9;
    rc = blk_bad(&bf, req);
    check("vbd: last_sect 9 refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].last_sect = 0;
    req.nr_segments = 200;
    rc = blk_bad(&bf, req);
    check("vbd: 200 segments refused", rc == BLKIF_RSP_ERROR, rc);
    req.nr_segments = 0;
    rc = blk_bad(&bf, req);
    check("vbd: 0 segments refused", rc == BLKIF_RSP_ERROR, rc);
    /* Then indices no frontend could produce: req_prod far beyond the ring. */
    struct blkif_sring *s = bf.sring;
    s->req_prod = bf.ring.req_prod_pvt + 1000U;
    (void)notify_remote_via_evtchn(bf.port);
    rc = backend_state_after_abuse(&bf.dev);
    check("vbd: impossible req_prod: backend closed the ring", rc == XenbusStateClosed, rc);
    (void)xenbus_close_evtchn(bf.port);
    (void)xenbus_switch_state(&bf.dev, XenbusStateClosed);
    frontend_free_page(bf.sring, bf.ring_ref);
}

static void attack_vif(void)
{
    int rc = net_connect();
    if (rc != 0) {
        guest_fail("attack", "vif connect", rc);
        return;
    }
    struct netif_tx_request tx = {.gref = guest_net.tx_ref[0], .offset = 0, .size = 5000};
    rc = netfront_send_raw(&guest_net, &tx);
    tx.size = 64;
    tx.offset = 4090;
    if (rc == 0)
        rc = netfront_send_raw(&guest_net, &tx);
    tx.offset = 0;
    tx.gref = 9999;
    if (rc == 0)
        rc = netfront_send_raw(&guest_net, &tx);
    tx.gref = 301;
    if (rc == 0)
        rc = netfront_send_raw(&guest_net, &tx);
    /* Wait for the four answers. */
    const s_time_t deadline = NOW() + MILLISECS(2000);
    while (guest_net.tx_errors < 4 && NOW() < deadline) {
        uint8_t ok_frame[64] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x99};          /* nobody's */
        (void)netfront_send(&guest_net, ok_frame, sizeof ok_frame, deadline); /* reclaims answers */
        msleep(1);
    }
    check("vif: oversized, overhanging and unmapped frames refused", rc == 0 && guest_net.tx_errors == 4,
          (long long)guest_net.tx_errors);
}

static void attack_vtest(void)
{
    struct ringfront rf;
    int rc = ringfront_connect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0) {
        guest_fail("attack", "vtest connect", rc);
        return;
    }
    struct ringtest_sring *s = rf.sring;
    s->req_prod = rf.ring.req_prod_pvt - 1U; /* "behind": 2^32 - 1 outstanding */
    (void)notify_remote_via_evtchn(rf.port);
    rc = backend_state_after_abuse(&rf.dev);
    check("vtest: req_prod behind the responses: backend closed the ring", rc == XenbusStateClosed, rc);
    (void)xenbus_close_evtchn(rf.port);
    (void)xenbus_switch_state(&rf.dev, XenbusStateClosed);
    frontend_free_page(rf.sring, rf.ring_ref);
}

static void attack_store_framing(void)
{
    /* A header claiming a 64 KiB payload: dom0 must drop the connection, not wait or
     * overflow. Sent by hand into the ring. */
    const start_info_t *si = pv_start_info();
    volatile struct xenstore_domain_interface *intf = arch_mach_to_virt(si->store_mfn);
    struct xsd_sockmsg h = {XS_WRITE, 0xBAD, 0, 0x10000};
    const XENSTORE_RING_IDX prod = intf->req_prod;
    for (uint32_t i = 0; i < sizeof h; i++)
        intf->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)&h)[i];
    barrier();
    intf->req_prod = prod + sizeof h;
    (void)notify_remote_via_evtchn(si->store_evtchn);
    printk("attack: store: sent a header with a 65536-byte payload\n");
}

void attack_all(void)
{
    attack_store();
    attack_vbd();
    attack_vif();
    attack_vtest();
    attack_store_framing(); /* last: the store connection is gone after it */
    printk(guest_failures == 0 ? "attack: contained\n" : "attack: FAILED\n");
}
