/*
 * dom0's store: a xenstore-like tree of path -> value nodes, served to every guest over
 * its store page (hypercalls/xen-arm/io/xs_wire.h), and used directly by dom0's own
 * code (store_read/store_write...).
 *
 * Nodes live in a fixed table, keyed by absolute path; a path with descendants exists
 * even without a node of its own (reads as ""). Permissions: dom0 may do anything; a
 * guest may read, write, remove and watch its home /local/domain/<id>/..., and read and
 * watch the backend nodes dom0 made for it, /local/domain/0/backend/<type>/<id>/...
 *
 * A guest may own at most NODES_PER_GUEST nodes and WATCHES_PER_GUEST watches (ENOSPC).
 *
 * The guest's ring is hostile: indices are checked (a producer more than a ring ahead,
 * or a message longer than XENSTORE_PAYLOAD_MAX, closes the connection), payloads are
 * parsed within their length only, and replies wait in a per-guest buffer when the
 * response ring is full (then requests are not read until it drains: back-pressure).
 */
#include <stdarg.h>

#include "dom0.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"
#include "minios/mm.h"

#define NODES_MAX 512U
#define PATH_MAX 96U
#define VALUE_MAX 96U
#define NODES_PER_GUEST 64U /* under its home */
#define WATCHES_MAX 96U
#define WATCHES_PER_GUEST 16U
#define TOKEN_MAX 32U

struct node {
    bool used;
    uint8_t vlen;
    char path[PATH_MAX];
    char value[VALUE_MAX];
};

struct watch {
    bool used;
    domid_t owner;
    char path[PATH_MAX];
    char token[TOKEN_MAX];
};

/* Allocated by store_init (dom0 only: a guest kernel does not carry them in its bss). */
static struct node *nodes;
static struct watch *watches;
static unsigned int nodes_used;

unsigned int store_nodes(void) { return nodes_used; }

#define PAGES_FOR(bytes) ((unsigned int)(((bytes) + PAGE_SIZE - 1) / PAGE_SIZE))

int store_init(void)
{
    nodes = alloc_pages(PAGES_FOR(NODES_MAX * sizeof *nodes));
    watches = alloc_pages(PAGES_FOR(WATCHES_MAX * sizeof *watches));
    nodes_used = 0;
    return nodes != NULL && watches != NULL ? 0 : -XEN_ENOMEM;
}

/* ---- paths ---- */

static bool path_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '@' || c == ':' || c == '.';
}

/* Makes an absolute path in out from a caller's path (relative to its home); false if
 * it is malformed or too long. */
static bool normalize(domid_t caller, const char *in, char *out)
{
    size_t len = strnlen(in, PATH_MAX);
    if (len == 0 || len >= PATH_MAX)
        return false;
    if (in[0] == '/') {
        strlcpy(out, in, PATH_MAX);
    } else {
        int n = snprintf(out, PATH_MAX, "/local/domain/%u/%s", (unsigned int)caller, in);
        if (n < 0 || (size_t)n >= PATH_MAX)
            return false;
    }
    len = strlen(out);
    for (size_t i = 0; i < len; i++) {
        if (!path_char_ok(out[i]) || (out[i] == '/' && out[i + 1] == '/'))
            return false;
    }
    if (len > 1 && out[len - 1] == '/')
        return false;
    return true;
}

/* path is at or below base */
static bool below(const char *path, const char *base)
{
    size_t n = strlen(base);
    if (strcmp(base, "/") == 0)
        return true;
    return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool may(domid_t caller, const char *path, bool write)
{
    if (caller == 0)
        return true;
    char base[PATH_MAX];
    snprintf(base, sizeof base, "/local/domain/%u", (unsigned int)caller);
    if (below(path, base))
        return true;
    if (write)
        return false;
    /* /local/domain/0/backend/<type>/<caller>/... */
    const char *prefix = "/local/domain/0/backend/";
    size_t n = strlen(prefix);
    if (strncmp(path, prefix, n) != 0)
        return false;
    const char *type_end = path + n;
    while (*type_end != '\0' && *type_end != '/')
        type_end++;
    if (*type_end != '/')
        return false;
    char id[8];
    snprintf(id, sizeof id, "%u", (unsigned int)caller);
    size_t idn = strlen(id);
    return strncmp(type_end + 1, id, idn) == 0 && (type_end[1 + idn] == '\0' || type_end[1 + idn] == '/');
}

static struct node *find(const char *path)
{
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (nodes[i].used && strcmp(nodes[i].path, path) == 0)
            return &nodes[i];
    }
    return NULL;
}

static bool has_descendant(const char *path)
{
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (nodes[i].used && below(nodes[i].path, path) && strcmp(nodes[i].path, path) != 0)
            return true;
    }
    return false;
}

/* ---- watches ---- */

static int send_msg(struct guest *g, uint32_t type, uint32_t req_id, const char *body, uint32_t len);

/* Tells every watcher of path (at or above it; below it too when removing). */
static void fire(const char *path, bool removed)
{
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        struct watch *w = &watches[i];
        if (!w->used)
            continue;
        if (!below(path, w->path) && !(removed && below(w->path, path)))
            continue;
        struct guest *g = guest_get(w->owner);
        if (g == NULL || !g->store.up)
            continue;
        char body[PATH_MAX + TOKEN_MAX];
        const char *p = below(path, w->path) ? path : w->path;
        size_t pl = strlen(p), tl = strlen(w->token);
        memcpy(body, p, pl + 1);
        memcpy(body + pl + 1, w->token, tl + 1);
        (void)send_msg(g, XS_WATCH_EVENT, 0, body, (uint32_t)(pl + tl + 2));
    }
}

/* ---- operations, for a caller (0 = dom0) ---- */

static const char *do_write(domid_t caller, const char *path, const char *value, size_t vlen)
{
    if (!may(caller, path, true))
        return "EACCES";
    if (vlen >= VALUE_MAX)
        return "E2BIG";
    struct node *n = find(path);
    if (n == NULL && caller != 0) {
        /* A guest's quota, so that one guest cannot fill the table for everyone. */
        char home[PATH_MAX];
        unsigned int mine = 0;
        snprintf(home, sizeof home, "/local/domain/%u", (unsigned int)caller);
        for (unsigned int i = 0; i < NODES_MAX; i++)
            mine += nodes[i].used && below(nodes[i].path, home) ? 1U : 0U;
        if (mine >= NODES_PER_GUEST)
            return "ENOSPC";
    }
    if (n == NULL) {
        for (unsigned int i = 0; i < NODES_MAX && n == NULL; i++) {
            if (!nodes[i].used)
                n = &nodes[i];
        }
        if (n == NULL)
            return "ENOSPC";
        n->used = true;
        strlcpy(n->path, path, sizeof n->path);
        nodes_used++;
    }
    memcpy(n->value, value, vlen);
    n->value[vlen] = '\0';
    n->vlen = (uint8_t)vlen;
    /* A guest changing its devices' nodes: the backends look at them. */
    if (caller != 0) {
        char dev[PATH_MAX];
        snprintf(dev, sizeof dev, "/local/domain/%u/device", (unsigned int)caller);
        struct guest *g = guest_get(caller);
        if (g != NULL && below(path, dev))
            dom0_kick(g, W_FRONTEND);
    }
    fire(path, false);
    return NULL;
}

static const char *do_rm(domid_t caller, const char *path)
{
    if (!may(caller, path, true))
        return "EACCES";
    bool any = false;
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (nodes[i].used && below(nodes[i].path, path)) {
            nodes[i].used = false;
            nodes_used--;
            any = true;
        }
    }
    if (!any)
        return "ENOENT";
    fire(path, true);
    return NULL;
}

/* The value of path (or "" for a directory), NULL if absent. */
static const struct node *do_read(const char *path, bool *dir)
{
    const struct node *n = find(path);
    *dir = n == NULL && has_descendant(path);
    return n;
}

int store_write(const char *path, const char *value)
{
    char abs[PATH_MAX];
    if (!normalize(0, path, abs))
        return -XEN_EINVAL;
    return do_write(0, abs, value, strlen(value)) == NULL ? 0 : -XEN_ENOSPC;
}

int store_printf(const char *path, const char *fmt, ...)
{
    char value[VALUE_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return store_write(path, value);
}

int store_read(const char *path, char *value, size_t size)
{
    char abs[PATH_MAX];
    bool dir;
    if (!normalize(0, path, abs))
        return -XEN_EINVAL;
    const struct node *n = do_read(abs, &dir);
    if (n == NULL && !dir)
        return -XEN_ENOENT;
    strlcpy(value, n != NULL ? n->value : "", size);
    return n != NULL ? n->vlen : 0;
}

int store_read_u32(const char *path, uint32_t *out)
{
    char v[16];
    int rc = store_read(path, v, sizeof v);
    if (rc < 0)
        return rc;
    return parse_u32(v, out) ? 0 : -XEN_EINVAL;
}

int store_rm(const char *path)
{
    char abs[PATH_MAX];
    if (!normalize(0, path, abs))
        return -XEN_EINVAL;
    return do_rm(0, abs) == NULL ? 0 : -XEN_ENOENT;
}

/* ---- the wire ---- */

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

static int send_msg(struct guest *g, uint32_t type, uint32_t req_id, const char *body, uint32_t len)
{
    struct store_conn *s = &g->store;
    struct xsd_sockmsg hdr = {type, req_id, 0, len};
    if (s->out_len + sizeof hdr + len > sizeof s->out) {
        s->events_dropped++; /* only events can meet a full buffer (see store_service) */
        return 0;
    }
    memcpy(s->out + s->out_len, &hdr, sizeof hdr);
    memcpy(s->out + s->out_len + sizeof hdr, body, len);
    s->out_len += (uint32_t)(sizeof hdr + len);
    flush_out(g);
    return 0;
}

static int reply_error(struct guest *g, uint32_t req_id, const char *err)
{
    return send_msg(g, XS_ERROR, req_id, err, (uint32_t)strlen(err) + 1);
}

/* As Xen: the request's own type, payload "OK". */
static int reply_ok(struct guest *g, const struct xsd_sockmsg *h) { return send_msg(g, h->type, h->req_id, "OK", 3); }

static int add_watch(domid_t owner, const char *path, const char *token)
{
    unsigned int mine = 0, free_slot = WATCHES_MAX;
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        if (watches[i].used && watches[i].owner == owner) {
            mine++;
            if (strcmp(watches[i].path, path) == 0 && strcmp(watches[i].token, token) == 0)
                return -XEN_EEXIST;
        } else if (!watches[i].used && free_slot == WATCHES_MAX) {
            free_slot = i;
        }
    }
    if (mine >= WATCHES_PER_GUEST || free_slot == WATCHES_MAX)
        return -XEN_ENOSPC;
    struct watch *w = &watches[free_slot];
    w->used = true;
    w->owner = owner;
    strlcpy(w->path, path, sizeof w->path);
    strlcpy(w->token, token, sizeof w->token);
    return 0;
}

/* Handles one complete message from g (hdr and a NUL-terminated body in the conn). */
static int handle(struct guest *g)
{
    struct store_conn *s = &g->store;
    const struct xsd_sockmsg *h = &s->in.hdr;
    char *body = s->in.body;
    const uint32_t len = h->len;
    body[len] = '\0'; /* the buffer has room for it */
    s->requests++;

    /* The first string: a path (or a domid) for every operation we know. */
    size_t first = strnlen(body, len);
    const char *arg2 = first < len ? body + first + 1 : NULL;
    const uint32_t arg2_len = first < len ? len - (uint32_t)first - 1 : 0;
    if (h->tx_id != 0)
        return reply_error(g, h->req_id, "ENOSYS");
    char path[PATH_MAX];
    switch (h->type) {
    case XS_READ:
    case XS_WRITE:
    case XS_MKDIR:
    case XS_RM:
    case XS_DIRECTORY:
    case XS_WATCH:
    case XS_UNWATCH:
        if (first >= len && h->type != XS_WRITE)
            return reply_error(g, h->req_id, "EINVAL"); /* no NUL in the payload */
        if (!normalize(g->domid, body, path))
            return reply_error(g, h->req_id, "EINVAL");
        break;
    case XS_GET_DOMAIN_PATH: {
        uint32_t id;
        if (first >= len || !parse_u32(body, &id) || id >= 0x7FF0U)
            return reply_error(g, h->req_id, "EINVAL");
        snprintf(path, sizeof path, "/local/domain/%u", (unsigned int)id);
        return send_msg(g, XS_GET_DOMAIN_PATH, h->req_id, path, (uint32_t)strlen(path) + 1);
    }
    default:
        return reply_error(g, h->req_id, "ENOSYS");
    }

    switch (h->type) {
    case XS_READ: {
        bool dir;
        if (!may(g->domid, path, false))
            return reply_error(g, h->req_id, "EACCES");
        const struct node *n = do_read(path, &dir);
        if (n == NULL && !dir)
            return reply_error(g, h->req_id, "ENOENT");
        return send_msg(g, XS_READ, h->req_id, n != NULL ? n->value : "", n != NULL ? n->vlen : 0);
    }
    case XS_WRITE:
    case XS_MKDIR: {
        if (h->type == XS_WRITE && arg2 == NULL)
            return reply_error(g, h->req_id, "EINVAL");
        const char *err = h->type == XS_WRITE ? do_write(g->domid, path, arg2, arg2_len)
                          : find(path) != NULL ? NULL
                                               : do_write(g->domid, path, "", 0);
        return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
    }
    case XS_RM: {
        const char *err = do_rm(g->domid, path);
        return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
    }
    case XS_DIRECTORY: {
        if (!may(g->domid, path, false))
            return reply_error(g, h->req_id, "EACCES");
        char list[1024];
        uint32_t used = 0;
        size_t base = strcmp(path, "/") == 0 ? 0 : strlen(path);
        for (unsigned int i = 0; i < NODES_MAX; i++) {
            if (!nodes[i].used || !below(nodes[i].path, path) || nodes[i].path[base] != '/')
                continue;
            const char *child = nodes[i].path + base + 1;
            size_t cl = 0;
            while (child[cl] != '\0' && child[cl] != '/')
                cl++;
            /* already listed? */
            bool dup = false;
            for (uint32_t p = 0; p < used && !dup; p += (uint32_t)strlen(list + p) + 1)
                dup = strlen(list + p) == cl && memcmp(list + p, child, cl) == 0;
            if (dup || used + cl + 1 > sizeof list)
                continue;
            memcpy(list + used, child, cl);
            list[used + cl] = '\0';
            used += (uint32_t)cl + 1;
        }
        if (used == 0 && find(path) == NULL)
            return reply_error(g, h->req_id, "ENOENT");
        return send_msg(g, XS_DIRECTORY, h->req_id, list, used);
    }
    case XS_WATCH:
    case XS_UNWATCH: {
        if (arg2 == NULL || strnlen(arg2, arg2_len) >= arg2_len || strlen(arg2) >= TOKEN_MAX)
            return reply_error(g, h->req_id, "EINVAL");
        if (!may(g->domid, path, false))
            return reply_error(g, h->req_id, "EACCES");
        if (h->type == XS_UNWATCH) {
            for (unsigned int i = 0; i < WATCHES_MAX; i++) {
                struct watch *w = &watches[i];
                if (w->used && w->owner == g->domid && strcmp(w->path, path) == 0 &&
                    strcmp(w->token, arg2) == 0) {
                    w->used = false;
                    return reply_ok(g, h);
                }
            }
            return reply_error(g, h->req_id, "ENOENT");
        }
        int rc = add_watch(g->domid, path, arg2);
        if (rc == -XEN_EEXIST)
            return reply_error(g, h->req_id, "EEXIST");
        if (rc != 0)
            return reply_error(g, h->req_id, "ENOSPC");
        reply_ok(g, h);
        /* As Xen: a new watch fires once at once. */
        char body2[PATH_MAX + TOKEN_MAX];
        size_t pl = strlen(path), tl = strlen(arg2);
        memcpy(body2, path, pl + 1);
        memcpy(body2 + pl + 1, arg2, tl + 1);
        return send_msg(g, XS_WATCH_EVENT, 0, body2, (uint32_t)(pl + tl + 2));
    }
    default:
        return 0;
    }
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
    while (!s->broken && s->out_len + 2 * (sizeof(struct xsd_sockmsg) + PATH_MAX + TOKEN_MAX) + 1024 <=
                             sizeof s->out) {
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

void store_disconnect(struct guest *g)
{
    struct store_conn *s = &g->store;
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        if (watches[i].used && watches[i].owner == g->domid)
            watches[i].used = false;
    }
    if (s->up)
        dom0_unmap(&s->handle, dom0_map_va(g->domid, SLOT_STORE));
    s->up = false;
    s->intf = NULL;
}
