/*
 * xen-arm virtual Ethernet: two I/O rings (ring.h) per interface, Xen's public
 * io/netif.h layouts (without its extra-info and multi-slot features):
 *   tx ring  frontend -> backend frames: a request names a granted page, the frame's
 *            offset and size in it; the response says whether it was sent. 256 slots.
 *   rx ring  the frontend posts empty granted pages as requests; for each frame it
 *            receives, the backend copies it into one, and responds with its offset and
 *            size (status > 0) or an error. 256 slots.
 * One event channel serves both rings. Frames are Ethernet frames, 14..XA_NETIF_MTU_FRAME
 * bytes, never crossing the end of their page.
 *
 * Store keys (Xen's names): frontend tx-ring-ref, rx-ring-ref, event-channel, mac, state;
 * backend mac (the guest's address "00:16:3e:00:00:<domid>"), state.
 */
#ifndef XEN_ARM_IO_NETIF_H
#define XEN_ARM_IO_NETIF_H

#include "../grant_table.h"
#include "ring.h"

#define XA_NETIF_MTU_FRAME 1514U /* largest frame (no FCS) */
#define XA_NETIF_MIN_FRAME 14U   /* an Ethernet header */

struct netif_tx_request {
    grant_ref_t gref; /* the page holding the frame */
    uint16_t offset;  /* of the frame in the page */
    uint16_t flags;   /* 0 (no offloads) */
    uint16_t id;      /* echoed in the response */
    uint16_t size;    /* bytes */
};
XA_ABI_SIZE(struct netif_tx_request, 12);

struct netif_tx_response {
    uint16_t id;
    int16_t status; /* NETIF_RSP_* */
};
XA_ABI_SIZE(struct netif_tx_response, 4);

struct netif_rx_request {
    uint16_t id; /* echoed in the response */
    uint16_t pad0;
    grant_ref_t gref; /* an empty page for one frame */
};
XA_ABI_SIZE(struct netif_rx_request, 8);

struct netif_rx_response {
    uint16_t id;
    uint16_t offset; /* of the frame in the page */
    uint16_t flags;
    int16_t status; /* > 0: the frame's size; < 0: NETIF_RSP_* */
};
XA_ABI_SIZE(struct netif_rx_response, 8);

#define NETIF_RSP_DROPPED (-2)
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_OKAY 0

XA_DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
XA_DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);
XA_RING_ASSERT_LAYOUT(netif_tx, 12, 256);
XA_RING_ASSERT_LAYOUT(netif_rx, 8, 256);

#endif /* XEN_ARM_IO_NETIF_H */
