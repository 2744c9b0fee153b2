/*
 * dom0's store, transactions (Xen's): XS_TRANSACTION_START gives an id; requests that
 * carry it read and change the transaction's view only: the tree with the transaction's
 * own writes, mkdirs and rms laid over it, kept as a list of operations.
 *
 * Every path the transaction reads or changes is recorded (a dependency: the node, or for
 * directory, rm and reads of a node-less directory the whole subtree). A commit fails
 * with EAGAIN, nothing applied, if a dependency was changed by anyone since the start
 * (node generations, and node counts for subtrees; a removal anywhere between the start
 * and the first use of an absent path counts too, since the tree cannot tell where it
 * was), and with ENOSPC if the result would break a quota; else the rms, then the writes
 * are applied as ordinary changes, so watches fire then and only then.
 *
 * Limits: TX_PER_GUEST open per guest (TX_MAX in all), TX_OPS_MAX changes and
 * TX_DEPS_MAX dependencies each (ENOSPC; the request is refused, the transaction stays
 * as it was).
 */
#include "minios/console.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "store.h"

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

static struct tx *txs;
static uint32_t next_tx_id = 1;

int tx_init(void)
{
    txs = alloc_pages(PAGES_FOR(TX_MAX * sizeof *txs));
    return txs != NULL ? 0 : -XEN_ENOMEM;
}

struct tx *tx_get(domid_t owner, uint32_t id)
{
    for (unsigned int i = 0; i < TX_MAX; i++) {
        if (txs[i].used && txs[i].owner == owner && txs[i].id == id)
            return &txs[i];
    }
    return NULL;
}

const char *tx_start(domid_t owner, uint32_t *id)
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
    t->start_gen = tree_gen();
    *id = t->id;
    return NULL;
}

unsigned int tx_drop_all(domid_t owner)
{
    unsigned int dropped = 0;
    for (unsigned int i = 0; i < TX_MAX; i++) {
        if (txs[i].used && txs[i].owner == owner) {
            txs[i].used = false;
            dropped++;
        }
    }
    return dropped;
}

bool tx_depend(struct tx *t, const char *path, bool subtree)
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
    d->count = (uint16_t)tree_count(path, subtree, t->start_gen, &changed);
    strlcpy(d->path, path, sizeof d->path);
    /* Something may have been removed here since the start: we cannot tell, so assume so. */
    if (tree_rm_gen() > t->start_gen && (subtree || d->count == 0))
        t->conflict = true;
    return true;
}

bool tx_find(const struct tx *t, const char *path, const char **val, uint8_t *vlen)
{
    for (unsigned int i = t->nops; i-- > 0;) {
        const struct tx_op *o = &t->ops[i];
        if (o->kind == OP_WRITE && strcmp(o->path, path) == 0) {
            *val = o->value;
            *vlen = o->vlen;
            return true;
        }
        if (o->kind == OP_RM && path_below(path, o->path))
            return false;
    }
    const struct node *n = tree_find(path);
    if (n == NULL)
        return false;
    *val = n->value;
    *vlen = n->vlen;
    return true;
}

bool tx_visible(const struct tx *t, const char *path)
{
    const char *val;
    uint8_t vlen;
    return t != NULL ? tx_find(t, path, &val, &vlen) : tree_find(path) != NULL;
}

bool tx_any_below(const struct tx *t, const char *base, bool (*each)(const char *, void *), void *arg)
{
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        const struct node *n = tree_slot(i);
        if (n != NULL && path_below(n->path, base) && strcmp(n->path, base) != 0 && tx_visible(t, n->path) &&
            each(n->path, arg))
            return true;
    }
    for (unsigned int i = 0; t != NULL && i < t->nops; i++) {
        const char *p = t->ops[i].path;
        if (t->ops[i].kind == OP_WRITE && path_below(p, base) && strcmp(p, base) != 0 && tx_visible(t, p) &&
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

bool tx_has_descendant(const struct tx *t, const char *path) { return tx_any_below(t, path, yes, NULL); }

/* The last write of its path in t, and that path is a node in t's view at the end. */
static bool final_write(const struct tx *t, unsigned int i)
{
    const struct tx_op *o = &t->ops[i];
    if (o->kind != OP_WRITE)
        return false;
    for (unsigned int k = i + 1; k < t->nops; k++) {
        if (path_below(o->path, t->ops[k].path) && (t->ops[k].kind == OP_RM || strcmp(o->path, t->ops[k].path) == 0))
            return false;
    }
    return true;
}

static const char *commit(struct tx *t)
{
    for (unsigned int i = 0; i < t->ndeps && !t->conflict; i++) {
        const struct tx_dep *d = &t->deps[i];
        bool changed = false;
        if (tree_count(d->path, d->subtree, t->start_gen, &changed) != d->count || changed)
            t->conflict = true;
    }
    if (t->conflict)
        return "EAGAIN";
    /* Would it fit? Count what the owner would have under its home, and the new nodes. */
    char home[PATH_MAX];
    path_home(t->owner, home);
    unsigned int fresh = 0, mine = 0;
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        const struct node *n = tree_slot(i);
        mine += n != NULL && path_below(n->path, home) && tx_visible(t, n->path) ? 1U : 0U;
    }
    for (unsigned int i = 0; i < t->nops; i++) {
        if (final_write(t, i) && tree_find(t->ops[i].path) == NULL) {
            fresh++;
            mine += path_below(t->ops[i].path, home) ? 1U : 0U;
        }
    }
    if (fresh > tree_free_slots() || (t->owner != 0 && fresh != 0 && mine > NODES_PER_GUEST))
        return "ENOSPC";
    /* Apply: the removals, then each path's final value (the same end state as in order). */
    for (unsigned int i = 0; i < t->nops; i++) {
        if (t->ops[i].kind == OP_RM)
            (void)tree_rm(t->owner, t->ops[i].path);
    }
    for (unsigned int i = 0; i < t->nops; i++) {
        if (final_write(t, i))
            (void)tree_write(t->owner, t->ops[i].path, t->ops[i].value, t->ops[i].vlen);
    }
    return NULL;
}

const char *tx_end(struct tx *t, bool do_commit)
{
    const char *err = do_commit ? commit(t) : NULL;
    t->used = false;
    return err;
}

static const char *add(struct tx *t, int kind, const char *path, const char *value, size_t vlen)
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

const char *tx_write(struct tx *t, const char *path, const char *value, size_t vlen)
{
    return add(t, OP_WRITE, path, value, vlen);
}

const char *tx_rm(struct tx *t, const char *path) { return add(t, OP_RM, path, "", 0); }
