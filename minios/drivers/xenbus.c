/*
 * mini-OS store client over the store page: two byte rings (xs_wire.h). Requests go
 * into req[] (we produce, dom0 consumes), replies and watch events come from rsp[].
 *
 * No reader thread: whichever thread waits (for a reply or a watch event) drains the
 * response ring itself (pump), with no yield in between, so cooperative threads never
 * see half a message. dom0's indices are checked like any peer's: a producer more than a
 * ring ahead stops the client (the connection is treated as dead).
 */
#include "minios/xenbus.h"

#include <stdarg.h>

#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/sched.h"
#include "pv.h"

#define EVENT_SLOTS 8

static volatile struct xenstore_domain_interface *intf;
static evtchn_port_t store_port;
static struct wait_queue_head xb_wq = WAIT_QUEUE_HEAD_INIT;
static bool dead;
static bool busy; /* a request is in flight */
static uint32_t next_req_id = 1;
static uint32_t next_token = 1;
static volatile uint32_t rollbacks; /* XA_VIRQ_ROLLED_BACK events (frontend.c) */

/* The message being assembled from the response ring. */
static struct {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX];
} in;
static uint32_t in_len;

/* The reply the in-flight request waits for. */
static struct {
    bool waiting, done;
    uint32_t req_id, type, len;
    char *buf;
    size_t size;
} reply;

/* Watch events not yet taken. */
static struct {
    bool used;
    char token[XENBUS_TOKEN_MAX];
    char path[XENBUS_PATH_MAX];
} events[EVENT_SLOTS];
static uint32_t events_dropped;

static void store_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    wake_up(&xb_wq);
}

int xenbus_init(void)
{
    const start_info_t *si = pv_start_info();
    if (si->store_mfn == 0 || si->store_evtchn == 0)
        return -XEN_ENOENT;
    intf = arch_mach_to_virt(si->store_mfn);
    store_port = si->store_evtchn;
    int rc = bind_evtchn(store_port, store_event, NULL);
    return rc < 0 ? rc : frontend_rollback_init();
}

/* The watch events dom0 sent since the checkpoint are gone with the rollback: every
 * wait for a state looks again. */
void xenbus_rolled_back(void)
{
    rollbacks++;
    wake_up(&xb_wq);
}

static void go_dead(const char *why)
{
    if (!dead)
        printk("xenbus: store connection dead: %s\n", why);
    dead = true;
    wake_up(&xb_wq);
}

static void queue_event(const char *body, uint32_t len)
{
    /* "path\0token\0" */
    const char *path = body;
    size_t plen = strnlen(path, len);
    if (plen >= len)
        return;
    const char *token = body + plen + 1;
    size_t tlen = strnlen(token, len - plen - 1);
    unsigned int slot = EVENT_SLOTS;
    for (unsigned int i = 0; i < EVENT_SLOTS; i++) {
        if (events[i].used && strcmp(events[i].token, token) == 0 && strcmp(events[i].path, path) == 0)
            return; /* the same change is already queued: coalesce */
        if (!events[i].used && slot == EVENT_SLOTS)
            slot = i;
    }
    if (slot == EVENT_SLOTS || tlen >= XENBUS_TOKEN_MAX) {
        events_dropped++;
        return;
    }
    events[slot].used = true;
    strlcpy(events[slot].token, token, sizeof events[slot].token);
    strlcpy(events[slot].path, path, sizeof events[slot].path);
}

static void deliver(void)
{
    if (in.hdr.type == XS_WATCH_EVENT) {
        queue_event(in.body, in.hdr.len);
    } else if (reply.waiting && !reply.done && in.hdr.req_id == reply.req_id) {
        size_t n = in.hdr.len < reply.size - 1 ? in.hdr.len : reply.size - 1;
        memcpy(reply.buf, in.body, n);
        reply.buf[n] = '\0';
        reply.type = in.hdr.type;
        reply.len = in.hdr.len;
        reply.done = true;
    }
    wake_up(&xb_wq);
}

/* Drains the response ring into messages. */
static void pump(void)
{
    bool consumed = false;
    while (!dead) {
        const XENSTORE_RING_IDX prod = intf->rsp_prod;
        XENSTORE_RING_IDX cons = intf->rsp_cons;
        barrier();
        if (prod - cons > XENSTORE_RING_SIZE) {
            go_dead("response ring indices corrupt");
            break;
        }
        if (prod == cons)
            break;
        uint32_t want =
            in_len < sizeof in.hdr ? (uint32_t)sizeof in.hdr - in_len : (uint32_t)sizeof in.hdr + in.hdr.len - in_len;
        uint32_t n = prod - cons < want ? prod - cons : want;
        char *dst = (char *)&in + in_len;
        for (uint32_t i = 0; i < n; i++)
            dst[i] = intf->rsp[MASK_XENSTORE_IDX(cons + i)];
        barrier();
        intf->rsp_cons = cons + n;
        consumed = true;
        in_len += n;
        if (in_len == sizeof in.hdr && in.hdr.len > XENSTORE_PAYLOAD_MAX) {
            go_dead("oversized message from dom0");
            break;
        }
        if (in_len >= sizeof in.hdr && in_len == sizeof in.hdr + in.hdr.len) {
            deliver();
            in_len = 0;
        }
    }
    if (consumed)
        (void)notify_remote_via_evtchn(store_port);
}

static bool request_room(void *arg)
{
    UNUSED(arg);
    if (dead)
        return true;
    pump();
    return intf->req_prod - intf->req_cons < XENSTORE_RING_SIZE;
}

static int write_bytes(const void *data, uint32_t len, s_time_t deadline)
{
    const char *p = data;
    while (len > 0) {
        if (!wait_event_deadline(&xb_wq, request_room, NULL, deadline))
            return -XB_ETIMEDOUT;
        if (dead)
            return -XEN_EINVAL;
        const XENSTORE_RING_IDX prod = intf->req_prod;
        const XENSTORE_RING_IDX cons = intf->req_cons;
        barrier();
        if (prod - cons > XENSTORE_RING_SIZE) {
            go_dead("request ring indices corrupt");
            return -XEN_EINVAL;
        }
        uint32_t room = XENSTORE_RING_SIZE - (prod - cons);
        uint32_t n = len < room ? len : room;
        for (uint32_t i = 0; i < n; i++)
            intf->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
        barrier(); /* the bytes before the index */
        intf->req_prod = prod + n;
        (void)notify_remote_via_evtchn(store_port);
        p += n;
        len -= n;
    }
    return 0;
}

static bool not_busy(void *arg)
{
    UNUSED(arg);
    return !busy;
}

static bool reply_done(void *arg)
{
    UNUSED(arg);
    pump();
    return reply.done || dead;
}

static int error_number(const char *name)
{
    static const struct {
        const char *name;
        int err;
    } table[] = {{"ENOENT", XEN_ENOENT}, {"EACCES", XB_EACCES},  {"EINVAL", XEN_EINVAL}, {"ENOSPC", XEN_ENOSPC},
                 {"E2BIG", XB_E2BIG},    {"ENOSYS", XEN_ENOSYS}, {"EEXIST", XEN_EEXIST}, {"ENOMEM", XEN_ENOMEM},
                 {"EBUSY", XEN_EBUSY},   {"EAGAIN", XB_EAGAIN}};
    for (unsigned int i = 0; i < ARRAY_SIZE(table); i++) {
        if (strcmp(name, table[i].name) == 0)
            return -table[i].err;
    }
    return -XEN_EINVAL;
}

struct part {
    const void *data;
    uint32_t len;
};

/* Sends one message made of parts, waits for its reply. Returns the reply's length, or
 * -errno (an XS_ERROR reply becomes its errno; *type still says XS_ERROR). */
static int transact(xenbus_transaction_t tx, uint32_t type, const struct part *parts, unsigned int nparts,
                    uint32_t *rtype, char *buf, size_t size)
{
    if (intf == NULL)
        return -XEN_ENOENT;
    uint32_t total = 0;
    for (unsigned int i = 0; i < nparts; i++)
        total += parts[i].len;
    if (total > XENSTORE_PAYLOAD_MAX)
        return -XB_E2BIG;
    const s_time_t deadline = NOW() + XENBUS_TIMEOUT;
    if (!wait_event_deadline(&xb_wq, not_busy, NULL, deadline))
        return -XB_ETIMEDOUT;
    busy = true;
    reply.waiting = true;
    reply.done = false;
    reply.req_id = next_req_id++;
    reply.buf = buf;
    reply.size = size;
    struct xsd_sockmsg hdr = {type, reply.req_id, tx, total};
    int rc = write_bytes(&hdr, sizeof hdr, deadline);
    for (unsigned int i = 0; rc == 0 && i < nparts; i++)
        rc = write_bytes(parts[i].data, parts[i].len, deadline);
    if (rc == 0 && !wait_event_deadline(&xb_wq, reply_done, NULL, deadline))
        rc = -XB_ETIMEDOUT;
    if (rc == 0 && !reply.done)
        rc = -XEN_EINVAL; /* dead */
    reply.waiting = false;
    busy = false;
    wake_up(&xb_wq);
    if (rc != 0)
        return rc;
    if (rtype != NULL)
        *rtype = reply.type;
    if (reply.type == XS_ERROR)
        return error_number(buf);
    return (int)(reply.len < size ? reply.len : size - 1);
}

int xenbus_raw_tx(xenbus_transaction_t tx, uint32_t type, const void *payload, uint32_t len, uint32_t *reply_type,
                  char *buf, size_t size)
{
    struct part p = {payload, len};
    int rc = transact(tx, type, &p, 1, reply_type, buf, size);
    return rc == -XB_ETIMEDOUT || rc == -XB_E2BIG ? rc : (int)strnlen(buf, size);
}

int xenbus_raw(uint32_t type, const void *payload, uint32_t len, uint32_t *reply_type, char *buf, size_t size)
{
    return xenbus_raw_tx(XBT_NIL, type, payload, len, reply_type, buf, size);
}

static int path_op(xenbus_transaction_t tx, uint32_t type, const char *path, const char *extra, bool extra_nul,
                   char *buf, size_t size)
{
    char scratch[8];
    struct part parts[2] = {{path, (uint32_t)strlen(path) + 1}, {extra, 0}};
    if (extra != NULL)
        parts[1].len = (uint32_t)strlen(extra) + (extra_nul ? 1U : 0U);
    if (buf == NULL) {
        buf = scratch;
        size = sizeof scratch;
    }
    return transact(tx, type, parts, extra != NULL ? 2 : 1, NULL, buf, size);
}

int xenbus_transaction_start(xenbus_transaction_t *tx)
{
    char id[16];
    struct part p = {"", 1};
    int rc = transact(XBT_NIL, XS_TRANSACTION_START, &p, 1, NULL, id, sizeof id);
    if (rc < 0)
        return rc;
    uint32_t v;
    if (!parse_u32(id, &v) || v == XBT_NIL)
        return -XEN_EINVAL;
    *tx = v;
    return 0;
}

int xenbus_transaction_end(xenbus_transaction_t tx, bool abort)
{
    char scratch[8];
    struct part p = {abort ? "F" : "T", 2};
    int rc = transact(tx, XS_TRANSACTION_END, &p, 1, NULL, scratch, sizeof scratch);
    return rc < 0 ? rc : 0;
}

int xenbus_read_tx(xenbus_transaction_t tx, const char *path, char *value, size_t size)
{
    return path_op(tx, XS_READ, path, NULL, false, value, size);
}

int xenbus_read(const char *path, char *value, size_t size) { return xenbus_read_tx(XBT_NIL, path, value, size); }

int xenbus_read_u32(const char *path, uint32_t *out)
{
    char v[16];
    int rc = xenbus_read(path, v, sizeof v);
    if (rc < 0)
        return rc;
    return parse_u32(v, out) ? 0 : -XEN_EINVAL;
}

int xenbus_write_tx(xenbus_transaction_t tx, const char *path, const char *value)
{
    int rc = path_op(tx, XS_WRITE, path, value, false, NULL, 0);
    return rc < 0 ? rc : 0;
}

int xenbus_write(const char *path, const char *value) { return xenbus_write_tx(XBT_NIL, path, value); }

int xenbus_printf_tx(xenbus_transaction_t tx, const char *path, const char *fmt, ...)
{
    char value[XENBUS_VALUE_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return xenbus_write_tx(tx, path, value);
}

int xenbus_printf(const char *path, const char *fmt, ...)
{
    char value[XENBUS_VALUE_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return xenbus_write(path, value);
}

int xenbus_mkdir_tx(xenbus_transaction_t tx, const char *path)
{
    int rc = path_op(tx, XS_MKDIR, path, NULL, false, NULL, 0);
    return rc < 0 ? rc : 0;
}

int xenbus_rm_tx(xenbus_transaction_t tx, const char *path)
{
    int rc = path_op(tx, XS_RM, path, NULL, false, NULL, 0);
    return rc < 0 ? rc : 0;
}

int xenbus_rm(const char *path) { return xenbus_rm_tx(XBT_NIL, path); }

int xenbus_directory_tx(xenbus_transaction_t tx, const char *path, char *names, size_t size)
{
    int rc = path_op(tx, XS_DIRECTORY, path, NULL, false, names, size);
    return rc < 0 ? rc : (int)(reply.len < size ? reply.len : size);
}

int xenbus_directory(const char *path, char *names, size_t size)
{
    return xenbus_directory_tx(XBT_NIL, path, names, size);
}

int xenbus_watch(const char *path, const char *token)
{
    int rc = path_op(XBT_NIL, XS_WATCH, path, token, true, NULL, 0);
    return rc < 0 ? rc : 0;
}

int xenbus_unwatch(const char *path, const char *token)
{
    int rc = path_op(XBT_NIL, XS_UNWATCH, path, token, true, NULL, 0);
    for (unsigned int i = 0; i < EVENT_SLOTS; i++) {
        if (events[i].used && strcmp(events[i].token, token) == 0)
            events[i].used = false;
    }
    return rc < 0 ? rc : 0;
}

static bool take_event(const char *token, char *path, size_t size)
{
    for (unsigned int i = 0; i < EVENT_SLOTS; i++) {
        if (events[i].used && strcmp(events[i].token, token) == 0) {
            if (path != NULL)
                strlcpy(path, events[i].path, size);
            events[i].used = false;
            return true;
        }
    }
    return false;
}

struct event_wait {
    const char *token;
    char *path;
    size_t size;
    bool found;
    bool any_rollback; /* a rollback ends the wait too */
    uint32_t rollbacks;
};

static bool event_ready(void *arg)
{
    struct event_wait *w = arg;
    pump();
    w->found = take_event(w->token, w->path, w->size);
    return w->found || dead || (w->any_rollback && w->rollbacks != rollbacks);
}

static bool wait_for_event(const char *token, char *path, size_t size, s_time_t deadline, bool any_rollback)
{
    if (take_event(token, path, size))
        return true;
    struct event_wait w = {token, path, size, false, any_rollback, rollbacks};
    const bool ended = wait_event_deadline(&xb_wq, event_ready, &w, deadline);
    return w.found || (ended && !dead);
}

bool xenbus_wait_event(const char *token, char *path, size_t size, s_time_t deadline)
{
    return wait_for_event(token, path, size, deadline, false);
}

/* Watches path and calls check(value) after every event until it says yes. */
static int wait_until(const char *path, bool (*check)(const char *, void *), void *arg, char *value, size_t size,
                      s_time_t deadline)
{
    char token[XENBUS_TOKEN_MAX];
    snprintf(token, sizeof token, "wait%u", (unsigned int)next_token++);
    int rc = xenbus_watch(path, token);
    if (rc == -XEN_EEXIST)
        rc = 0; /* set before a rollback took us back to before it was: it is ours */
    if (rc < 0)
        return rc;
    for (;;) {
        rc = xenbus_read(path, value, size);
        if (rc >= 0 && check(value, arg))
            break;
        if (!wait_for_event(token, NULL, 0, deadline, true)) {
            rc = dead ? -XEN_EINVAL : -XB_ETIMEDOUT;
            break;
        }
    }
    (void)xenbus_unwatch(path, token);
    return rc;
}

static bool state_wanted(const char *value, void *arg)
{
    uint32_t v;
    return parse_u32(value, &v) && v < 32 && (*(uint32_t *)arg & (1U << v)) != 0;
}

int xenbus_wait_state(const char *path, uint32_t want_mask, s_time_t deadline)
{
    char value[16];
    int rc = wait_until(path, state_wanted, &want_mask, value, sizeof value, deadline);
    if (rc < 0)
        return rc;
    uint32_t v = 0;
    (void)parse_u32(value, &v);
    return (int)v;
}

static bool exists(const char *value, void *arg)
{
    UNUSED(value);
    UNUSED(arg);
    return true;
}

int xenbus_wait_exists(const char *path, char *value, size_t size, s_time_t deadline)
{
    return wait_until(path, exists, NULL, value, size, deadline);
}

const char *xenbus_state_name(int state)
{
    static const char *const names[] = {"Unknown", "Initialising", "InitWait",      "Initialised", "Connected",
                                        "Closing", "Closed",       "Reconfiguring", "Reconfigured"};
    return state >= 0 && (unsigned int)state < ARRAY_SIZE(names) ? names[state] : "?";
}

int xenbus_device_init(struct xenbus_device *dev, const char *type, unsigned int index, s_time_t deadline)
{
    char path[XENBUS_PATH_MAX];
    char id[16];
    snprintf(dev->nodename, sizeof dev->nodename, "device/%s/%u", type, index);
    snprintf(path, sizeof path, "%s/backend", dev->nodename);
    int rc = xenbus_wait_exists(path, dev->backend, sizeof dev->backend, deadline);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof path, "%s/backend-id", dev->nodename);
    rc = xenbus_read(path, id, sizeof id);
    uint32_t v;
    if (rc < 0 || !parse_u32(id, &v))
        return rc < 0 ? rc : -XEN_EINVAL;
    dev->backend_id = (domid_t)v;
    return 0;
}

int xenbus_switch_state(struct xenbus_device *dev, int state)
{
    char path[XENBUS_PATH_MAX];
    snprintf(path, sizeof path, "%s/state", dev->nodename);
    return xenbus_printf(path, "%d", state);
}

int xenbus_publish(struct xenbus_device *dev, const struct xenbus_kv *kv, unsigned int n, int state)
{
    char path[XENBUS_PATH_MAX];
    for (unsigned int attempt = 0; attempt < XENBUS_TX_RETRIES; attempt++) {
        xenbus_transaction_t tx;
        int rc = xenbus_transaction_start(&tx);
        if (rc < 0)
            return rc;
        for (unsigned int i = 0; rc == 0 && i < n; i++) {
            snprintf(path, sizeof path, "%s/%s", dev->nodename, kv[i].key);
            rc = xenbus_printf_tx(tx, path, "%u", (unsigned int)kv[i].value);
        }
        if (rc == 0) {
            snprintf(path, sizeof path, "%s/state", dev->nodename);
            rc = xenbus_printf_tx(tx, path, "%d", state);
        }
        if (rc < 0) {
            (void)xenbus_transaction_end(tx, true);
            return rc;
        }
        rc = xenbus_transaction_end(tx, false);
        if (rc != -XB_EAGAIN)
            return rc;
    }
    return -XB_EAGAIN;
}

int xenbus_wait_backend(struct xenbus_device *dev, uint32_t want_mask, s_time_t deadline)
{
    char path[XENBUS_PATH_MAX];
    snprintf(path, sizeof path, "%s/state", dev->backend);
    return xenbus_wait_state(path, want_mask, deadline);
}

int xenbus_backend_u32(struct xenbus_device *dev, const char *key, uint32_t *out)
{
    char path[XENBUS_PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dev->backend, key);
    return xenbus_read_u32(path, out);
}

int xenbus_alloc_evtchn(domid_t dom, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = dom, .port = 0};
    int rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
    if (rc == 0)
        *port = op.port;
    return rc;
}

int xenbus_close_evtchn(evtchn_port_t port)
{
    unbind_evtchn(port);
    struct evtchn_close op = {.port = port};
    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}
