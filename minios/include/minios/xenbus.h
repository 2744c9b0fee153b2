/*
 * mini-OS store client (pv guests): requests to dom0's xenstore-like store over the
 * store page (hypercalls/xen-arm/io/xs_wire.h), watches, and the frontend side of the
 * Xen device handshake (device states in xs_wire.h).
 *
 * One request is in flight at a time (threads queue); every call blocks the calling
 * thread until dom0 answers, or XENBUS_TIMEOUT passes (-XB_ETIMEDOUT). Errors are negative
 * errnos: -XEN_ENOENT, -XB_EACCES, -XEN_EINVAL, -XEN_ENOSPC, -XB_E2BIG, -XEN_ENOSYS...
 * Paths are relative to this domain's home (/local/domain/<id>) unless they start
 * with '/'.
 */
#ifndef MINIOS_XENBUS_H
#define MINIOS_XENBUS_H

#include <xen-arm/io/xs_wire.h>

#include "minios/time.h"

#define XENBUS_PATH_MAX 96
#define XENBUS_VALUE_MAX 96
#define XENBUS_TOKEN_MAX 24
#define XENBUS_TIMEOUT MILLISECS(10000)

#define XB_EAGAIN 11 /* a transaction's commit met a conflict: nothing applied, start again */
#define XB_E2BIG 7
#define XB_EACCES 13
#define XB_ETIMEDOUT 110

/* Binds the store channel. 0, or -XEN_ENOENT without a store page (dom0 itself). */
int xenbus_init(void);
/* After a rollback (drivers/frontend.c): waits for a state read the state again. */
void xenbus_rolled_back(void);

/* Transactions (Xen's): the _tx calls act in transaction tx (XBT_NIL: none), which sees
 * its own changes and nobody else does until xenbus_transaction_end(tx, false) commits
 * them all at once (0), or fails (-XB_EAGAIN: something it read or wrote was changed by
 * someone else since it started; -XEN_ENOSPC: over a quota), applying nothing. abort =
 * true drops them. At most 4 open at a time (-XEN_ENOSPC), 16 changes and 32 paths used
 * each (-XEN_ENOSPC); an ended or unknown transaction is -XEN_ENOENT. The usual loop:
 *   do { start; reads and writes; rc = end(tx, false); } while (rc == -XB_EAGAIN); */
typedef uint32_t xenbus_transaction_t;
#define XBT_NIL 0U
#define XENBUS_TX_RETRIES 16
int xenbus_transaction_start(xenbus_transaction_t *tx);
int xenbus_transaction_end(xenbus_transaction_t tx, bool abort);
int xenbus_read_tx(xenbus_transaction_t tx, const char *path, char *value, size_t size);
int xenbus_write_tx(xenbus_transaction_t tx, const char *path, const char *value);
int xenbus_printf_tx(xenbus_transaction_t tx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int xenbus_mkdir_tx(xenbus_transaction_t tx, const char *path);
int xenbus_rm_tx(xenbus_transaction_t tx, const char *path);
int xenbus_directory_tx(xenbus_transaction_t tx, const char *path, char *names, size_t size);

/* The value's length (value NUL-terminated, truncated to size - 1), or -errno. */
int xenbus_read(const char *path, char *value, size_t size);
int xenbus_read_u32(const char *path, uint32_t *out);
int xenbus_write(const char *path, const char *value);
int xenbus_printf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int xenbus_rm(const char *path);
/* Child names, each NUL-terminated, one after another; returns the bytes used. */
int xenbus_directory(const char *path, char *names, size_t size);
int xenbus_watch(const char *path, const char *token);
int xenbus_unwatch(const char *path, const char *token);
/* Waits for a watch event with this token (dom0 sends one when the watch is set and on
 * every change at or below its path). true: one came (its path copied if path != NULL). */
bool xenbus_wait_event(const char *token, char *path, size_t size, s_time_t deadline);
/* Any message, for tests: the reply's type and payload (NUL-terminated) or -errno for a
 * transport failure. */
int xenbus_raw(uint32_t type, const void *payload, uint32_t len, uint32_t *reply_type, char *reply, size_t size);
int xenbus_raw_tx(xenbus_transaction_t tx, uint32_t type, const void *payload, uint32_t len, uint32_t *reply_type,
                  char *reply, size_t size);

/* Watches path until its value, read as a decimal number, has bit (1 << value) in
 * want_mask; returns that value, or -errno (-XB_ETIMEDOUT at the deadline). */
int xenbus_wait_state(const char *path, uint32_t want_mask, s_time_t deadline);
/* Watches path until it exists; its value then (like xenbus_read). */
int xenbus_wait_exists(const char *path, char *value, size_t size, s_time_t deadline);
const char *xenbus_state_name(int state);
#define XB_STATE(s) (1U << (s))

/* A frontend: this domain's device/<type>/<index>, and its backend. */
struct xenbus_device {
    char nodename[40];             /* "device/vbd/0" */
    char backend[XENBUS_PATH_MAX]; /* "/local/domain/0/backend/vbd/<id>/0" */
    domid_t backend_id;
};
/* Waits for the toolstack's nodes (backend, backend-id) and reads them. */
int xenbus_device_init(struct xenbus_device *dev, const char *type, unsigned int index, s_time_t deadline);
int xenbus_switch_state(struct xenbus_device *dev, int state);
/* Writes <nodename>/<key> = value (decimal) for each kv and <nodename>/state = state in
 * one transaction, started again on -XB_EAGAIN (up to XENBUS_TX_RETRIES times): the
 * backend sees all of them or none. 0 or -errno. */
struct xenbus_kv {
    const char *key;
    uint32_t value;
};
int xenbus_publish(struct xenbus_device *dev, const struct xenbus_kv *kv, unsigned int n, int state);
/* Waits for the backend's state to be one of want_mask; returns it or -errno. */
int xenbus_wait_backend(struct xenbus_device *dev, uint32_t want_mask, s_time_t deadline);
/* Reads <backend>/<key> as a number. */
int xenbus_backend_u32(struct xenbus_device *dev, const char *key, uint32_t *out);

/* Event channel for a frontend: a fresh port that dom's backend may bind to. */
int xenbus_alloc_evtchn(domid_t dom, evtchn_port_t *port);
int xenbus_close_evtchn(evtchn_port_t port);

#endif /* MINIOS_XENBUS_H */
