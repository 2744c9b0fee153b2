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
 * Transactions (Xen's): XS_TRANSACTION_START gives an id; requests that carry it (tx_id)
 * read and change the transaction's view only: the store with the transaction's own
 * writes, mkdirs and rms laid over it, kept as a list of operations. Every path the
 * transaction reads or changes is recorded (a dependency: the node, or for directory,
 * rm and reads of a node-less directory the whole subtree). XS_TRANSACTION_END "T"
 * commits: EAGAIN (nothing applied) if a dependency was changed by anyone since the
 * transaction started (node generations, and node counts for subtrees; a removal
 * anywhere between the start and the first use of an absent path counts too, to be
 * safe), ENOSPC (nothing applied) if the result would break a quota; else the rms, then
 * the writes are applied as ordinary changes, so watches fire then and only then. "F"
 * aborts. Limits: TX_PER_GUEST open transactions per guest (TX_MAX in all), TX_OPS_MAX
 * changes and TX_DEPS_MAX dependencies per transaction (ENOSPC; the request is refused,
 * the transaction stays as it was). An unknown id is ENOENT. A guest's transactions go
 * with its connection.
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
#define TX_MAX 8U
#define TX_PER_GUEST 4U
#define TX_OPS_MAX 16U
#define TX_DEPS_MAX 32U

struct node {
    bool used;
    uint8_t vlen;
    uint32_t gen; /* store_gen when last written */
    char path[PATH_MAX];
    char value[VALUE_MAX];
};

enum { OP_WRITE, OP_RM };

struct tx_op {
    uint8_t kind;
    uint8_t vlen;
    char path[PATH_MAX];
    char value[VALUE_MAX];
};

struct tx_dep {
    bool subtree;
    uint16_t count; /* nodes at (and below, for a subtree) path when first used */
    char path[PATH_MAX];
};

struct tx {
    bool used;
    bool conflict; /* known already to fail */
    domid_t owner;
    uint32_t id;
    uint32_t start_gen;
    unsigned int nops, ndeps;
    struct tx_op ops[TX_OPS_MAX];
    struct tx_dep deps[TX_DEPS_MAX];
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
static struct tx *txs;
static unsigned int nodes_used;
static uint32_t store_gen = 1; /* bumped by every change */
static uint32_t rm_gen;        /* store_gen of the last removal */
static uint32_t next_tx_id = 1;

unsigned int store_nodes(void) { return nodes_used; }

#define PAGES_FOR(bytes) ((unsigned int)(((bytes) + PAGE_SIZE - 1) / PAGE_SIZE))

int store_init(void)
{
    nodes = alloc_pages(PAGES_FOR(NODES_MAX * sizeof *nodes));
    watches = alloc_pages(PAGES_FOR(WATCHES_MAX * sizeof *watches));
    txs = alloc_pages(PAGES_FOR(TX_MAX * sizeof *txs));
    nodes_used = 0;
    return nodes != NULL && watches != NULL && txs != NULL ? 0 : -XEN_ENOMEM;
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
    n->gen = ++store_gen;
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
    rm_gen = ++store_gen;
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

/* ---- transactions ---- */

static struct tx *tx_get(domid_t owner, uint32_t id)
{
    for (unsigned int i = 0; i < TX_MAX; i++) {
        if (txs[i].used && txs[i].owner == owner && txs[i].id == id)
            return &txs[i];
    }
    return NULL;
}

static const char *tx_start(domid_t owner, uint32_t *id)
{
    unsigned int mine = 0;
    struct tx *t = NULL;
    for (unsigned int i = 0; i < TX_MAX; i++) {
        if (txs[i].used)
            mine += txs[i].owner == owner ? 1U : 0U;
        else if (t == NULL)
            t = &txs[i];
    }
    if (t == NULL || (owner != 0 && mine >= TX_PER_GUEST))
        return "ENOSPC";
    memset(t, 0, sizeof *t);
    t->used = true;
    t->owner = owner;
    do {
        t->id = next_tx_id++;
    } while (t->id == 0 || tx_get(owner, t->id) != t);
    t->start_gen = store_gen;
    *id = t->id;
    return NULL;
}

/* Nodes at path (and below it, for a subtree) in the store itself; with changed, whether
 * one of them was written since gen. */
static unsigned int count_nodes(const char *path, bool subtree, uint32_t gen, bool *changed)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (!nodes[i].used || !(subtree ? below(nodes[i].path, path) : strcmp(nodes[i].path, path) == 0))
            continue;
        n++;
        if (nodes[i].gen > gen)
            *changed = true;
    }
    return n;
}

/* Records that t's outcome depends on path (or its subtree); false: t has too many. */
static bool tx_depend(struct tx *t, const char *path, bool subtree)
{
    for (unsigned int i = 0; i < t->ndeps; i++) {
        const struct tx_dep *d = &t->deps[i];
        if (strcmp(d->path, path) == 0 && (d->subtree || !subtree))
            return true;
    }
    if (t->ndeps >= TX_DEPS_MAX)
        return false;
    bool changed = false;
    struct tx_dep *d = &t->deps[t->ndeps++];
    d->subtree = subtree;
    d->count = (uint16_t)count_nodes(path, subtree, t->start_gen, &changed);
    strlcpy(d->path, path, sizeof d->path);
    /* Something may have been removed here since the start: we cannot tell, so assume so. */
    if (rm_gen > t->start_gen && (subtree || d->count == 0))
        t->conflict = true;
    return true;
}

/* path in t's view: true if it is a node there (its value in *val, *vlen). */
static bool tx_find(const struct tx *t, const char *path, const char **val, uint8_t *vlen)
{
    for (unsigned int i = t->nops; i-- > 0;) {
        const struct tx_op *o = &t->ops[i];
        if (o->kind == OP_WRITE && strcmp(o->path, path) == 0) {
            *val = o->value;
            *vlen = o->vlen;
            return true;
        }
        if (o->kind == OP_RM && below(path, o->path))
            return false;
    }
    const struct node *n = find(path);
    if (n == NULL)
        return false;
    *val = n->value;
    *vlen = n->vlen;
    return true;
}

/* path is a node in t's view (or in the store, t == NULL) */
static bool visible(const struct tx *t, const char *path)
{
    const char *val;
    uint8_t vlen;
    return t != NULL ? tx_find(t, path, &val, &vlen) : find(path) != NULL;
}

/* Calls each(path) for every node strictly below base in t's view (possibly twice). */
static bool any_below(const struct tx *t, const char *base, bool (*each)(const char *, void *), void *arg)
{
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (nodes[i].used && below(nodes[i].path, base) && strcmp(nodes[i].path, base) != 0 &&
            visible(t, nodes[i].path) && each(nodes[i].path, arg))
            return true;
    }
    for (unsigned int i = 0; t != NULL && i < t->nops; i++) {
        const char *p = t->ops[i].path;
        if (t->ops[i].kind == OP_WRITE && below(p, base) && strcmp(p, base) != 0 && visible(t, p) &&
            each(p, arg))
            return true;
    }
    return false;
}

static bool yes(const char *path, void *arg)
{
    UNUSED(path);
    UNUSED(arg);
    return true;
}

static bool tx_has_descendant(const struct tx *t, const char *path) { return any_below(t, path, yes, NULL); }

/* The last write of its path in t, and that path is a node in t's view at the end. */
static bool final_write(const struct tx *t, unsigned int i)
{
    const struct tx_op *o = &t->ops[i];
    if (o->kind != OP_WRITE)
        return false;
    for (unsigned int k = i + 1; k < t->nops; k++) {
        if (below(o->path, t->ops[k].path) && (t->ops[k].kind == OP_RM || strcmp(o->path, t->ops[k].path) == 0))
            return false;
    }
    return true;
}

static const char *tx_commit(struct tx *t)
{
    for (unsigned int i = 0; i < t->ndeps && !t->conflict; i++) {
        const struct tx_dep *d = &t->deps[i];
        bool changed = false;
        if (count_nodes(d->path, d->subtree, t->start_gen, &changed) != d->count || changed)
            t->conflict = true;
    }
    if (t->conflict)
        return "EAGAIN";
    /* Would it fit? Count what the owner would have under its home, and the new nodes. */
    char home[PATH_MAX];
    snprintf(home, sizeof home, "/local/domain/%u", (unsigned int)t->owner);
    unsigned int fresh = 0, mine = 0;
    for (unsigned int i = 0; i < NODES_MAX; i++)
        mine += nodes[i].used && below(nodes[i].path, home) && visible(t, nodes[i].path) ? 1U : 0U;
    for (unsigned int i = 0; i < t->nops; i++) {
        if (final_write(t, i) && find(t->ops[i].path) == NULL) {
            fresh++;
            mine += below(t->ops[i].path, home) ? 1U : 0U;
        }
    }
    if (fresh > NODES_MAX - nodes_used || (t->owner != 0 && fresh != 0 && mine > NODES_PER_GUEST))
        return "ENOSPC";
    /* Apply: the removals, then each path's final value (the same end state as in order). */
    for (unsigned int i = 0; i < t->nops; i++) {
        if (t->ops[i].kind == OP_RM)
            (void)do_rm(t->owner, t->ops[i].path);
    }
    for (unsigned int i = 0; i < t->nops; i++) {
        if (final_write(t, i))
            (void)do_write(t->owner, t->ops[i].path, t->ops[i].value, t->ops[i].vlen);
    }
    return NULL;
}

static const char *tx_add(struct tx *t, int kind, const char *path, const char *value, size_t vlen)
{
    if (t->nops >= TX_OPS_MAX)
        return "ENOSPC";
    if (!tx_depend(t, path, kind == OP_RM))
        return "ENOSPC";
    struct tx_op *o = &t->ops[t->nops++];
    o->kind = (uint8_t)kind;
    strlcpy(o->path, path, sizeof o->path);
    memcpy(o->value, value, vlen);
    o->value[vlen] = '\0';
    o->vlen = (uint8_t)vlen;
    return NULL;
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

struct listing {
    const char *path;
    size_t base;
    uint32_t used;
    char list[1024];
};

/* Adds the child of l->path that node is (or is below) to l's list, once. */
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
    /* Watches and domain paths are outside transactions (Xen ignores the id there). */
    struct tx *t = NULL;
    if (h->tx_id != 0 && h->type != XS_WATCH && h->type != XS_UNWATCH && h->type != XS_GET_DOMAIN_PATH &&
        h->type != XS_TRANSACTION_START) {
        t = tx_get(g->domid, h->tx_id);
        if (t == NULL)
            return reply_error(g, h->req_id, "ENOENT");
    }
    char path[PATH_MAX];
    switch (h->type) {
    case XS_TRANSACTION_START: {
        uint32_t id = 0;
        if (h->tx_id != 0)
            return reply_error(g, h->req_id, "EINVAL"); /* no nesting */
        const char *err = tx_start(g->domid, &id);
        if (err != NULL)
            return reply_error(g, h->req_id, err);
        snprintf(path, sizeof path, "%u", (unsigned int)id);
        return send_msg(g, XS_TRANSACTION_START, h->req_id, path, (uint32_t)strlen(path) + 1);
    }
    case XS_TRANSACTION_END: {
        if (t == NULL || first >= len || (strcmp(body, "T") != 0 && strcmp(body, "F") != 0))
            return reply_error(g, h->req_id, "EINVAL"); /* the transaction stays open */
        const char *err = body[0] == 'T' ? tx_commit(t) : NULL;
        t->used = false;
        return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
    }
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
        if (t != NULL) {
            const char *val = "";
            uint8_t vlen = 0;
            if (!tx_depend(t, path, find(path) == NULL))
                return reply_error(g, h->req_id, "ENOSPC");
            if (!tx_find(t, path, &val, &vlen) && !tx_has_descendant(t, path))
                return reply_error(g, h->req_id, "ENOENT");
            return send_msg(g, XS_READ, h->req_id, val, vlen);
        }
        const struct node *n = do_read(path, &dir);
        if (n == NULL && !dir)
            return reply_error(g, h->req_id, "ENOENT");
        return send_msg(g, XS_READ, h->req_id, n != NULL ? n->value : "", n != NULL ? n->vlen : 0);
    }
    case XS_WRITE:
    case XS_MKDIR: {
        if (h->type == XS_WRITE && arg2 == NULL)
            return reply_error(g, h->req_id, "EINVAL");
        if (t != NULL) {
            const char *val;
            uint8_t vlen;
            const char *err = !may(g->domid, path, true)                 ? "EACCES"
                              : h->type == XS_WRITE && arg2_len >= VALUE_MAX ? "E2BIG"
                              : h->type == XS_WRITE                        ? tx_add(t, OP_WRITE, path, arg2, arg2_len)
                              : tx_find(t, path, &val, &vlen)              ? (tx_depend(t, path, false) ? NULL : "ENOSPC")
                                                                           : tx_add(t, OP_WRITE, path, "", 0);
            return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
        }
        const char *err = h->type == XS_WRITE ? do_write(g->domid, path, arg2, arg2_len)
                          : find(path) != NULL ? NULL
                                               : do_write(g->domid, path, "", 0);
        return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
    }
    case XS_RM: {
        if (t != NULL) {
            const char *err = !may(g->domid, path, true)                                   ? "EACCES"
                              : !visible(t, path) && !tx_has_descendant(t, path) ? "ENOENT"
                                                                                 : tx_add(t, OP_RM, path, "", 0);
            return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
        }
        const char *err = do_rm(g->domid, path);
        return err != NULL ? reply_error(g, h->req_id, err) : reply_ok(g, h);
    }
    case XS_DIRECTORY: {
        if (!may(g->domid, path, false))
            return reply_error(g, h->req_id, "EACCES");
        if (t != NULL && !tx_depend(t, path, true))
            return reply_error(g, h->req_id, "ENOSPC");
        struct listing l = {path, strcmp(path, "/") == 0 ? 0 : strlen(path), 0, {0}};
        (void)any_below(t, path, list_child, &l);
        if (l.used == 0 && !visible(t, path))
            return reply_error(g, h->req_id, "ENOENT");
        return send_msg(g, XS_DIRECTORY, h->req_id, l.list, l.used);
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
    unsigned int dropped = 0;
    for (unsigned int i = 0; i < TX_MAX; i++) {
        if (txs[i].used && txs[i].owner == g->domid) {
            txs[i].used = false;
            dropped++;
        }
    }
    if (dropped != 0)
        printk("store: dom %u: %u open transaction(s) dropped\n", (unsigned int)g->domid, dropped);
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        if (watches[i].used && watches[i].owner == g->domid)
            watches[i].used = false;
    }
    if (s->up)
        dom0_unmap(&s->handle, dom0_map_va(g->domid, SLOT_STORE));
    s->up = false;
    s->intf = NULL;
}
