/*
 * dom0's store, the wire: each guest's store page (hypercalls/xen-arm/io/xs_wire.h), its
 * message framing, and one table entry per request type saying what the request must
 * carry before its handler runs.
 *
 * The guest's ring is hostile: indices are checked (a producer more than a ring ahead,
 * or a message longer than XENSTORE_PAYLOAD_MAX, closes that guest's connection and no
 * other), payloads are parsed within their length only, and replies wait in a per-guest
 * buffer when the response ring is full (then requests are not read until it drains:
 * back-pressure).
 */
#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"
#include "store.h"

/* ---- framing ---- */

static void flush_out(struct guest *g)
{
    struct store_conn *s = &g->store;
    if (!s->up || s->broken || s->out_len == 0)
        return;
    const XENSTORE_RING_IDX cons = s->intf->rsp_cons;
    const XENSTORE_RING_IDX prod = s->intf->rsp_prod;
    barrier();
    if (prod - cons > XENSTORE_RING_SIZE) {
        printk("store: dom %u: response ring indices corrupt (prod %u cons %u); connection closed\n",
               (unsigned int)g->domid, (unsigned int)prod, (unsigned int)cons);
        s->broken = true;
        return;
    }
    uint32_t room = XENSTORE_RING_SIZE - (prod - cons);
    uint32_t n = s->out_len < room ? s->out_len : room;
    for (uint32_t i = 0; i < n; i++)
        s->intf->rsp[MASK_XENSTORE_IDX(prod + i)] = s->out[i];
    barrier();
    s->intf->rsp_prod = prod + n;
    memmove(s->out, s->out + n, s->out_len - n);
    s->out_len -= n;
    if (n != 0)
        (void)notify_remote_via_evtchn(g->store_port);
}

void wire_send(struct guest *g, uint32_t type, uint32_t req_id, const void *body, uint32_t len)
{
    struct store_conn *s = &g->store;
    struct xsd_sockmsg hdr = {type, req_id, 0, len};
    if (s->out_len + sizeof hdr + len > sizeof s->out) {
        s->events_dropped++; /* only events can meet a full buffer (see store_service) */
        return;
    }
    memcpy(s->out + s->out_len, &hdr, sizeof hdr);
    memcpy(s->out + s->out_len + sizeof hdr, body, len);
    s->out_len += (uint32_t)(sizeof hdr + len);
    flush_out(g);
}

/* ---- requests ---- */

/* One request, checked as its table entry asks. */
struct request {
    struct guest *g;
    const struct xsd_sockmsg *h;
    const char *body; /* NUL-terminated one past its length too */
    uint32_t len;
    const char *arg2; /* what follows the first string (NULL: nothing follows) */
    uint32_t arg2_len;
    struct tx *t;        /* the transaction it runs in, or NULL */
    char path[PATH_MAX]; /* the first string made absolute, for a path request */
};

static int reply(const struct request *r, const void *body, uint32_t len)
{
    wire_send(r->g, r->h->type, r->h->req_id, body, len);
    return 0;
}

static int reply_str(const struct request *r, const char *s) { return reply(r, s, (uint32_t)strlen(s) + 1); }

static int reply_error(const struct request *r, const char *err)
{
    wire_send(r->g, XS_ERROR, r->h->req_id, err, (uint32_t)strlen(err) + 1);
    return 0;
}

/* As Xen: the request's own type, payload "OK"; an error in its place. */
static int reply_status(const struct request *r, const char *err)
{
    return err != NULL ? reply_error(r, err) : reply(r, "OK", 3);
}

static int h_read(struct request *r)
{
    if (!perm_may(r->g->domid, r->path, false))
        return reply_error(r, "EACCES");
    if (r->t != NULL) {
        const char *val = "";
        uint8_t vlen = 0;
        if (!tx_depend(r->t, r->path, tree_find(r->path) == NULL))
            return reply_error(r, "ENOSPC");
        if (!tx_find(r->t, r->path, &val, &vlen) && !tx_has_descendant(r->t, r->path))
            return reply_error(r, "ENOENT");
        return reply(r, val, vlen);
    }
    bool dir;
    const struct node *n = tree_read(r->path, &dir);
    if (n == NULL && !dir)
        return reply_error(r, "ENOENT");
    return reply(r, n != NULL ? n->value : "", n != NULL ? n->vlen : 0);
}

static int h_write(struct request *r)
{
    if (r->t == NULL)
        return reply_status(r, tree_write(r->g->domid, r->path, r->arg2, r->arg2_len));
    const char *err = !perm_may(r->g->domid, r->path, true) ? "EACCES"
                      : r->arg2_len >= VALUE_MAX            ? "E2BIG"
                                                            : tx_write(r->t, r->path, r->arg2, r->arg2_len);
    return reply_status(r, err);
}

/* An existing node is left as it is. Permission first, as for a write: answering "OK" for
 * an existing node the caller may not write would tell it what exists elsewhere. */
static int h_mkdir(struct request *r)
{
    if (r->t == NULL) {
        if (!perm_may(r->g->domid, r->path, true))
            return reply_error(r, "EACCES");
        return reply_status(r, tree_find(r->path) != NULL ? NULL : tree_write(r->g->domid, r->path, "", 0));
    }
    const char *val;
    uint8_t vlen;
    const char *err = !perm_may(r->g->domid, r->path, true) ? "EACCES"
                      : tx_find(r->t, r->path, &val, &vlen) ? (tx_depend(r->t, r->path, false) ? NULL : "ENOSPC")
                                                            : tx_write(r->t, r->path, "", 0);
    return reply_status(r, err);
}

static int h_rm(struct request *r)
{
    if (r->t == NULL)
        return reply_status(r, tree_rm(r->g->domid, r->path));
    const char *err = !perm_may(r->g->domid, r->path, true)                             ? "EACCES"
                      : !tx_visible(r->t, r->path) && !tx_has_descendant(r->t, r->path) ? "ENOENT"
                                                                                        : tx_rm(r->t, r->path);
    return reply_status(r, err);
}

struct listing {
    size_t base;
    uint32_t used;
    char list[1024];
};

/* Adds the child of the listed path that node is (or is below) to l's list, once. */
static bool list_child(const char *node, void *arg)
{
    struct listing *l = arg;
    if (node[l->base] != '/')
        return false;
    const char *child = node + l->base + 1;
    size_t cl = 0;
    while (child[cl] != '\0' && child[cl] != '/')
        cl++;
    bool dup = false;
    for (uint32_t p = 0; p < l->used && !dup; p += (uint32_t)strlen(l->list + p) + 1)
        dup = strlen(l->list + p) == cl && memcmp(l->list + p, child, cl) == 0;
    if (dup || l->used + cl + 1 > sizeof l->list)
        return false;
    memcpy(l->list + l->used, child, cl);
    l->list[l->used + cl] = '\0';
    l->used += (uint32_t)cl + 1;
    return false;
}

static int h_directory(struct request *r)
{
    if (!perm_may(r->g->domid, r->path, false))
        return reply_error(r, "EACCES");
    if (r->t != NULL && !tx_depend(r->t, r->path, true))
        return reply_error(r, "ENOSPC");
    struct listing l = {strcmp(r->path, "/") == 0 ? 0 : strlen(r->path), 0, {0}};
    (void)tx_any_below(r->t, r->path, list_child, &l);
    if (l.used == 0 && !tx_visible(r->t, r->path))
        return reply_error(r, "ENOENT");
    return reply(r, l.list, l.used);
}

static int h_watch(struct request *r)
{
    if (strlen(r->arg2) >= TOKEN_MAX)
        return reply_error(r, "EINVAL");
    if (!perm_may(r->g->domid, r->path, false))
        return reply_error(r, "EACCES");
    int rc = watch_add(r->g->domid, r->path, r->arg2);
    if (rc != 0)
        return reply_error(r, rc == -XEN_EEXIST ? "EEXIST" : "ENOSPC");
    reply_status(r, NULL);
    watch_event(r->g, r->path, r->arg2); /* as Xen: a new watch fires once at once */
    return 0;
}

static int h_unwatch(struct request *r)
{
    if (strlen(r->arg2) >= TOKEN_MAX)
        return reply_error(r, "EINVAL");
    if (!perm_may(r->g->domid, r->path, false))
        return reply_error(r, "EACCES");
    return reply_status(r, watch_remove(r->g->domid, r->path, r->arg2) ? NULL : "ENOENT");
}

static int h_transaction_start(struct request *r)
{
    uint32_t id = 0;
    const char *err = tx_start(r->g->domid, &id);
    if (err != NULL)
        return reply_error(r, err);
    char text[12];
    snprintf(text, sizeof text, "%u", (unsigned int)id);
    return reply_str(r, text);
}

/* Either way the transaction ends; a malformed request leaves it open. */
static int h_transaction_end(struct request *r)
{
    if (strcmp(r->body, "T") != 0 && strcmp(r->body, "F") != 0)
        return reply_error(r, "EINVAL");
    return reply_status(r, tx_end(r->t, r->body[0] == 'T'));
}

static int h_get_domain_path(struct request *r)
{
    uint32_t id;
    if (!parse_u32(r->body, &id) || id >= 0x7FF0U)
        return reply_error(r, "EINVAL");
    path_home((domid_t)id, r->path);
    return reply_str(r, r->path);
}

static int h_unknown(struct request *r) { return reply_error(r, "ENOSYS"); }

enum tx_use {
    TX_IGNORED,  /* runs outside any transaction, whatever tx_id says (as Xen) */
    TX_OPTIONAL, /* tx_id 0: the tree; else the guest's transaction of that id (ENOENT) */
    TX_REQUIRED, /* as optional, and tx_id 0 is EINVAL */
    TX_FORBIDDEN /* tx_id must be 0 (EINVAL): no nesting */
};

struct handler {
    int (*fn)(struct request *r);
    uint8_t strings; /* NUL-terminated strings the payload must start with (EINVAL) */
    bool path;       /* the first one is a path, made absolute (EINVAL if malformed) */
    uint8_t tx;      /* enum tx_use */
};

/* The checks run in the order of the fields: transaction, strings, path. A write's value
 * is what follows its path, with or without a NUL. */
static const struct handler handlers[] = {
    [XS_READ] = {h_read, 1, true, TX_OPTIONAL},
    [XS_WRITE] = {h_write, 1, true, TX_OPTIONAL},
    [XS_MKDIR] = {h_mkdir, 1, true, TX_OPTIONAL},
    [XS_RM] = {h_rm, 1, true, TX_OPTIONAL},
    [XS_DIRECTORY] = {h_directory, 1, true, TX_OPTIONAL},
    [XS_WATCH] = {h_watch, 2, true, TX_IGNORED},
    [XS_UNWATCH] = {h_unwatch, 2, true, TX_IGNORED},
    [XS_TRANSACTION_START] = {h_transaction_start, 0, false, TX_FORBIDDEN},
    [XS_TRANSACTION_END] = {h_transaction_end, 1, false, TX_REQUIRED},
    [XS_GET_DOMAIN_PATH] = {h_get_domain_path, 1, false, TX_IGNORED},
};
/* Anything else: ENOSYS, after the transaction id is checked like the others'. */
static const struct handler unknown = {h_unknown, 0, false, TX_OPTIONAL};

static unsigned int count_strings(const char *body, uint32_t len)
{
    unsigned int n = 0;
    for (uint32_t i = 0; i < len; i++)
        n += body[i] == '\0' ? 1U : 0U;
    return n;
}

/* Handles one complete message from g (hdr and body in the connection). */
static int handle(struct guest *g)
{
    struct store_conn *s = &g->store;
    struct request r = {.g = g, .h = &s->in.hdr, .body = s->in.body, .len = s->in.hdr.len};
    s->in.body[r.len] = '\0'; /* the buffer has room for it */
    s->requests++;
    const uint32_t type = r.h->type;
    const struct handler *hd =
        type < sizeof handlers / sizeof handlers[0] && handlers[type].fn != NULL ? &handlers[type] : &unknown;

    const size_t first = strnlen(r.body, r.len);
    if (first < r.len) {
        r.arg2 = r.body + first + 1;
        r.arg2_len = r.len - (uint32_t)first - 1;
    }
    if (r.h->tx_id != 0 && (hd->tx == TX_OPTIONAL || hd->tx == TX_REQUIRED)) {
        r.t = tx_get(g->domid, r.h->tx_id);
        if (r.t == NULL)
            return reply_error(&r, "ENOENT");
    }
    if ((hd->tx == TX_FORBIDDEN && r.h->tx_id != 0) || (hd->tx == TX_REQUIRED && r.t == NULL))
        return reply_error(&r, "EINVAL");
    if (count_strings(r.body, r.len) < hd->strings)
        return reply_error(&r, "EINVAL");
    if (hd->path && !path_normalize(g->domid, r.body, r.path))
        return reply_error(&r, "EINVAL");
    return hd->fn(&r);
}

static void broken(struct guest *g, const char *why, uint32_t a, uint32_t b)
{
    printk("store: dom %u: %s (%u, %u); connection closed\n", (unsigned int)g->domid, why, (unsigned int)a,
           (unsigned int)b);
    g->store.broken = true;
}

void store_service(struct guest *g)
{
    struct store_conn *s = &g->store;
    if (!s->up || s->broken)
        return;
    flush_out(g);
    bool consumed = false;
    /* Read requests only while a maximal reply (plus an event) would still fit. */
    while (!s->broken && s->out_len + 2 * (sizeof(struct xsd_sockmsg) + PATH_MAX + TOKEN_MAX) + 1024 <= sizeof s->out) {
        const XENSTORE_RING_IDX prod = s->intf->req_prod;
        const XENSTORE_RING_IDX cons = s->intf->req_cons;
        barrier();
        if (prod - cons > XENSTORE_RING_SIZE) {
            broken(g, "request ring indices corrupt: prod, cons", prod, cons);
            break;
        }
        if (prod == cons)
            break;
        uint32_t want = s->in_len < sizeof s->in.hdr ? (uint32_t)sizeof s->in.hdr - s->in_len
                                                     : (uint32_t)sizeof s->in.hdr + s->in.hdr.len - s->in_len;
        uint32_t n = prod - cons < want ? prod - cons : want;
        char *dst = (char *)&s->in + s->in_len;
        if (s->in_len == 0)
            s->msg_start = cons;
        for (uint32_t i = 0; i < n; i++)
            dst[i] = s->intf->req[MASK_XENSTORE_IDX(cons + i)];
        barrier();
        s->intf->req_cons = cons + n;
        consumed = true;
        s->in_len += n;
        if (s->in_len == sizeof s->in.hdr && s->in.hdr.len > XENSTORE_PAYLOAD_MAX) {
            broken(g, "message longer than XENSTORE_PAYLOAD_MAX: type, len", s->in.hdr.type, s->in.hdr.len);
            break;
        }
        if (s->in_len >= sizeof s->in.hdr && s->in_len == sizeof s->in.hdr + s->in.hdr.len) {
            (void)handle(g);
            s->in_len = 0;
        }
    }
    if (consumed)
        (void)notify_remote_via_evtchn(g->store_port);
}

int store_connect(struct guest *g)
{
    struct store_conn *s = &g->store;
    memset(s, 0, sizeof *s);
    int st = dom0_map(g->domid, GNTTAB_RESERVED_XENSTORE, dom0_map_va(g->domid, SLOT_STORE), &s->handle);
    if (st != GNTST_okay)
        return st;
    s->intf = (volatile struct xenstore_domain_interface *)dom0_map_va(g->domid, SLOT_STORE);
    s->up = true;
    return 0;
}

/* The guest's ring went back to its checkpoint, with its wait for the replies we sent
 * since (its response ring went back too): the requests from the restored req_cons on
 * are read and answered again. A message we had begun to read is kept only if we read
 * nothing of it since the checkpoint; the guest's store client writes whole messages,
 * so the restored req_cons is at a message's start. */
void store_rolled_back(struct guest *g)
{
    struct store_conn *s = &g->store;
    if (!s->up || s->broken)
        return;
    const XENSTORE_RING_IDX cons = s->intf->req_cons;
    barrier();
    if (s->in_len != 0 && cons != s->msg_start + s->in_len)
        s->in_len = 0;
    dom0_kick(g, W_STORE);
}

void store_disconnect(struct guest *g)
{
    struct store_conn *s = &g->store;
    unsigned int dropped = tx_drop_all(g->domid);
    if (dropped != 0)
        printk("store: dom %u: %u open transaction(s) dropped\n", (unsigned int)g->domid, dropped);
    watch_drop_all(g->domid);
    if (s->up)
        dom0_unmap(&s->handle, dom0_map_va(g->domid, SLOT_STORE));
    s->up = false;
    s->intf = NULL;
}
