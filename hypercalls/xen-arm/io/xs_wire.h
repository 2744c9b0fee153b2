/*
 * xen-arm store wire protocol: the xenstore-like key-value store that dom0 serves to
 * every guest over the page start_info.store_mfn (granted to dom0 as
 * GNTTAB_RESERVED_XENSTORE, notified through start_info.store_evtchn).
 *
 * Layout, message header and message numbers are Xen's public io/xs_wire.h, so the ABI
 * is Xen's and not a fork: two byte rings in one page (requests guest -> dom0, responses
 * and watch events dom0 -> guest), each message a struct xsd_sockmsg header followed by
 * `len` payload bytes. Strings in payloads are NUL-terminated where Xen's are.
 *
 * Implemented by dom0 (minios/dom0/store_*.c):
 *   XS_READ        payload "path\0"           reply: the value (no NUL)
 *   XS_WRITE       payload "path\0value"      reply: "OK\0"; creates missing parents
 *   XS_MKDIR       payload "path\0"           reply: "OK\0"
 *   XS_RM          payload "path\0"           reply: "OK\0"; removes the subtree
 *   XS_DIRECTORY   payload "path\0"           reply: child names, each NUL-terminated
 *   XS_WATCH       payload "path\0token\0"    reply: "OK\0", then at once and on every
 *                  change at or below path an XS_WATCH_EVENT "changed-path\0token\0"
 *   XS_UNWATCH     payload "path\0token\0"    reply: "OK\0"
 *   XS_GET_DOMAIN_PATH "domid\0"              reply: "/local/domain/<domid>\0"
 *   XS_TRANSACTION_START payload "\0", tx_id 0  reply: the new id, decimal, "12\0"
 *   XS_TRANSACTION_END   payload "T\0" (commit) or "F\0" (abort), tx_id the id
 *                  reply: "OK\0"; or "EAGAIN\0" (something the transaction read or wrote
 *                  was changed by anyone else since it started: nothing applied, start
 *                  again), "ENOSPC\0" (a node quota: nothing applied); the id is gone
 *                  either way. Neither "T" nor "F": EINVAL, the transaction stays open.
 *   READ, WRITE, MKDIR, RM and DIRECTORY with tx_id != 0 act in that transaction: it
 *   sees its own changes, nobody else does, and watches fire only when it commits.
 *   WATCH, UNWATCH and GET_DOMAIN_PATH ignore tx_id. An unknown tx_id: ENOENT. Limits:
 *   4 open transactions per guest, 16 changes and 32 paths used per transaction
 *   (ENOSPC; the request changes nothing). A guest's transactions die with it.
 *   anything else: XS_ERROR "ENOSYS\0". Errors are XS_ERROR with Xen's errno names
 *   ("EINVAL\0", "EACCES\0", "ENOENT\0", "ENOSPC\0", "E2BIG\0", ...).
 * Paths are absolute ("/local/domain/1/device/vbd/0/state") or relative to the caller's
 * home "/local/domain/<domid>". A guest may read and write its home subtree and read the
 * backend nodes dom0 made for it (/local/domain/0/backend/<type>/<domid>/...); nothing else.
 *
 * Device states (Xen's XenbusState), written by each end at <device path>/state:
 *   Initialising -> InitWait (backend ready for the frontend's details) -> Initialised
 *   (frontend published ring-ref and event-channel) -> Connected -> Closing -> Closed.
 */
#ifndef XEN_ARM_IO_XS_WIRE_H
#define XEN_ARM_IO_XS_WIRE_H

#include "../abi.h"

enum xsd_sockmsg_type {
    XS_CONTROL = 0,
    XS_DIRECTORY = 1,
    XS_READ = 2,
    XS_GET_PERMS = 3,
    XS_WATCH = 4,
    XS_UNWATCH = 5,
    XS_TRANSACTION_START = 6,
    XS_TRANSACTION_END = 7,
    XS_INTRODUCE = 8,
    XS_RELEASE = 9,
    XS_GET_DOMAIN_PATH = 10,
    XS_WRITE = 11,
    XS_MKDIR = 12,
    XS_RM = 13,
    XS_SET_PERMS = 14,
    XS_WATCH_EVENT = 15,
    XS_ERROR = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME = 18,
    XS_SET_TARGET = 19,
    XS_RESET_WATCHES = 21,
    XS_DIRECTORY_PART = 22
};

struct xsd_sockmsg {
    uint32_t type;   /* enum xsd_sockmsg_type */
    uint32_t req_id; /* echoed in the reply */
    uint32_t tx_id;  /* 0: no transaction */
    uint32_t len;    /* payload bytes that follow */
};
XA_ABI_SIZE(struct xsd_sockmsg, 16);

#define XENSTORE_PAYLOAD_MAX 4096U /* longest payload a message may have */
#define XENSTORE_ABS_PATH_MAX 3072U
#define XENSTORE_RING_SIZE 1024U
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1U))

struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE]; /* guest -> dom0 */
    char rsp[XENSTORE_RING_SIZE]; /* dom0 -> guest: replies and watch events */
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features; /* 0: no reconnection, no error reporting */
    uint32_t connection;      /* XENSTORE_CONNECTED */
    uint32_t error;           /* XENSTORE_ERROR_NONE */
};
XA_ABI_SIZE(struct xenstore_domain_interface, 2076);
XA_ABI_OFFSET(struct xenstore_domain_interface, req_cons, 2048);
XA_ABI_OFFSET(struct xenstore_domain_interface, rsp_prod, 2060);

#define XENSTORE_CONNECTED 0
#define XENSTORE_ERROR_NONE 0

enum xenbus_state {
    XenbusStateUnknown = 0,
    XenbusStateInitialising = 1,
    XenbusStateInitWait = 2,
    XenbusStateInitialised = 3,
    XenbusStateConnected = 4,
    XenbusStateClosing = 5,
    XenbusStateClosed = 6,
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured = 8
};

#endif /* XEN_ARM_IO_XS_WIRE_H */
