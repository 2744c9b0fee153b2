/*
 * mini-OS split-driver frontends (pv guests): block (vbd), network (vif) and the ring
 * test device (vtest), each connecting to dom0's backend through the store handshake:
 * find the backend, wait for InitWait, grant the ring page(s), allocate a channel,
 * publish them, Initialised, wait for the backend's Connected, Connected. Disconnecting
 * goes Closing, waits for the backend's Closed, revokes the grants, closes the channel,
 * Closed. Every call blocks the calling thread; errors are negative errnos
 * (-XB_ETIMEDOUT at the deadline) or, for I/O, the protocol's negative status.
 *
 * After a rollback (XA_VIRQ_ROLLED_BACK, docs/fault-tolerance.md) every connected
 * frontend reconnects, as after a Xen restore, in the "frontends" thread: it waits for
 * its backend to be back in InitWait (dom0 dropped the old connection), grants a fresh
 * ring page, moves the restored ring's state onto it (the responses given before the
 * checkpoint and not consumed stay answered; the requests without one are issued again),
 * allocates a fresh channel, goes Initialised -> Connected, then revokes the old ring
 * and closes the old channel. A caller blocked in the device meanwhile waits, then goes
 * on: each request it made is answered once.
 */
#ifndef MINIOS_FRONTENDS_H
#define MINIOS_FRONTENDS_H

#include <xen-arm/io/blkif.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>

#include "minios/sched.h"
#include "minios/xenbus.h"

/* A connected frontend, for the reconnect after a rollback (drivers/frontend.c). */
struct frontend_link {
    struct xenbus_device *dev;
    /* New ring(s) and channel, the old state moved over: requests issued again, or -errno. */
    int (*reconnect)(struct frontend_link *l, s_time_t deadline);
    struct wait_queue_head *wq; /* woken when the reconnect is over */
    bool reconnecting;
    uint32_t reconnects;
    struct frontend_link *next;
};

/* ---- block ---- */
struct blkfront {
    struct xenbus_device dev;
    struct frontend_link link;
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
    struct frontend_link link;
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
    struct frontend_link link;
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

/* Rollbacks: binds XA_VIRQ_ROLLED_BACK (xenbus_init does, at start of day, so that the
 * binding is older than any checkpoint). 0 or -errno. */
int frontend_rollback_init(void);
/* A connected frontend is reconnected after each rollback until unregistered. */
void frontend_register(struct frontend_link *l, struct xenbus_device *dev, struct wait_queue_head *wq,
                       int (*reconnect)(struct frontend_link *l, s_time_t deadline));
/* Waits until no reconnect is due or running (deadline 0: none), then forgets l. */
void frontend_unregister(struct frontend_link *l, s_time_t deadline);
/* No reconnect of l is due or running: its ring and channel are the current ones. */
bool frontend_ready(const struct frontend_link *l);
/* Waits (on l's queue) until frontend_ready: true, or false at the deadline. */
bool frontend_wait_ready(struct frontend_link *l, s_time_t deadline);
/* For a reconnect: waits for the backend's InitWait (it dropped the old connection). */
int frontend_restart(struct xenbus_device *dev, s_time_t deadline);
/* Moves a restored ring's state (old_sring, *req_prod_pvt, *rsp_cons) onto new_sring, a
 * fresh ring of the same kind and nr_ents slots of slot_size bytes: the responses not yet
 * consumed, then the requests not yet answered, from slot 0; the front indices are set
 * for the new ring. The number of requests to issue again, or -XEN_EINVAL if the old
 * indices make no sense (then the new ring is left empty). */
int frontend_ring_move(void *new_sring, const void *old_sring, unsigned int nr_ents, size_t slot_size,
                       RING_IDX *req_prod_pvt, RING_IDX *rsp_cons);

#endif /* MINIOS_FRONTENDS_H */
