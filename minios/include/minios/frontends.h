/*
 * mini-OS split-driver frontends (pv guests): block (vbd), network (vif) and the ring
 * test device (vtest), each connecting to dom0's backend through the store handshake:
 * find the backend, wait for InitWait, grant the ring page(s), allocate a channel,
 * publish them, Initialised, wait for the backend's Connected, Connected. Disconnecting
 * goes Closing, waits for the backend's Closed, revokes the grants, closes the channel,
 * Closed. Every call blocks the calling thread; errors are negative errnos
 * (-XB_ETIMEDOUT at the deadline) or, for I/O, the protocol's negative status.
 */
#ifndef MINIOS_FRONTENDS_H
#define MINIOS_FRONTENDS_H

#include <xen-arm/io/blkif.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>

#include "minios/sched.h"
#include "minios/xenbus.h"

/* ---- block ---- */
struct blkfront {
    struct xenbus_device dev;
    struct blkif_front_ring ring;
    void *sring;
    grant_ref_t ring_ref;
    evtchn_port_t port;
    uint32_t sectors; /* from the backend */
    uint32_t sector_size;
    uint64_t next_id;
    struct wait_queue_head wq;
};
int blkfront_connect(struct blkfront *bf, s_time_t deadline);
/* Reads or writes nsectors (1..BLKIF_MAX_SEGMENTS_PER_REQUEST * 8) sectors from sector
 * into/from buf (page aligned, our own memory): BLKIF_RSP_OKAY or a negative status. */
int blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf, uint32_t nsectors);
int blkfront_flush(struct blkfront *bf);
/* Any request, as given (tests); *rsp gets the answer. 0 or -errno. */
int blkfront_submit(struct blkfront *bf, const struct blkif_request *req, struct blkif_response *rsp);
int blkfront_disconnect(struct blkfront *bf, s_time_t deadline);

/* ---- network ---- */
#define NETFRONT_BUFS 16
struct netfront {
    struct xenbus_device dev;
    struct netif_tx_front_ring tx;
    struct netif_rx_front_ring rx;
    void *tx_sring, *rx_sring;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    evtchn_port_t port;
    uint8_t mac[6];
    void *tx_buf[NETFRONT_BUFS];
    grant_ref_t tx_ref[NETFRONT_BUFS];
    bool tx_busy[NETFRONT_BUFS];
    void *rx_buf[NETFRONT_BUFS];
    grant_ref_t rx_ref[NETFRONT_BUFS];
    uint32_t tx_errors, rx_errors;
    struct wait_queue_head wq;
};
int netfront_connect(struct netfront *nf, s_time_t deadline);
/* Queues one frame (14..XA_NETIF_MTU_FRAME bytes): 0, or -XB_ETIMEDOUT if no transmit
 * buffer came free by the deadline. */
int netfront_send(struct netfront *nf, const void *frame, uint16_t len, s_time_t deadline);
/* Queues a raw tx request naming tx buffer 0 (tests: bad sizes, bad grants). */
int netfront_send_raw(struct netfront *nf, const struct netif_tx_request *req);
/* The next received frame: its length, 0 at the deadline. */
int netfront_recv(struct netfront *nf, void *buf, uint16_t size, s_time_t deadline);
int netfront_disconnect(struct netfront *nf, s_time_t deadline);

/* ---- ring test ---- */
struct ringfront {
    struct xenbus_device dev;
    struct ringtest_front_ring ring;
    void *sring;
    grant_ref_t ring_ref;
    evtchn_port_t port;
    struct wait_queue_head wq;
};
struct ringfront_stats {
    uint32_t answered;
    uint32_t lost;       /* requests never answered */
    uint32_t duplicated; /* answers to a request already answered */
    uint32_t bad_sum, out_of_order;
    uint32_t full_waits; /* times the ring was full with requests left: back-pressure */
    uint32_t sleeps;     /* times we slept for responses */
    uint32_t notifies;   /* events we sent */
};
int ringfront_connect(struct ringfront *rf, s_time_t deadline);
/* count requests, keeping the ring as full as it goes. 0 or -XB_ETIMEDOUT. */
int ringfront_run(struct ringfront *rf, uint32_t count, struct ringfront_stats *st, s_time_t deadline);
int ringfront_disconnect(struct ringfront *rf, s_time_t deadline);

/* ---- shared helpers (drivers/frontend.c) ---- */
/* Finds the backend and waits until it is in InitWait. */
int frontend_start(struct xenbus_device *dev, const char *type, s_time_t deadline);
/* A zeroed page of ours granted to the backend. */
void *frontend_grant_page(struct xenbus_device *dev, grant_ref_t *ref);
void frontend_free_page(void *page, grant_ref_t ref);
/* After xenbus_publish(ring refs, channel, Initialised): waits for the backend's
 * Connected, then Connected. */
int frontend_finish(struct xenbus_device *dev, s_time_t deadline);
/* Closing, wait for the backend's Closed. */
int frontend_close(struct xenbus_device *dev, s_time_t deadline);

#endif /* MINIOS_FRONTENDS_H */
