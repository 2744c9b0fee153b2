/*
 * dom0's store, inside: what its four parts share. The public face (store_read,
 * store_write, store_service, ...) is in dom0.h.
 *
 *   store_tree.c   nodes, paths, permissions, per-guest node quota, dom0's own calls
 *   store_tx.c     transactions: a guest's private view, dependencies, commit (EAGAIN)
 *   store_watch.c  watches: registration, quota, events
 *   store_wire.c   the store ring: message framing, the request table, replies
 *
 * Errors between the parts are Xen's errno names ("EACCES", ...), exactly what goes on
 * the wire; NULL is success.
 */
#ifndef MINIOS_DOM0_STORE_H
#define MINIOS_DOM0_STORE_H

#include "dom0.h"

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

#define PAGES_FOR(bytes) ((unsigned int)(((bytes) + PAGE_SIZE - 1) / PAGE_SIZE))

struct node {
    bool used;
    uint8_t vlen;
    uint32_t gen; /* the tree's generation when last written */
    char path[PATH_MAX];
    char value[VALUE_MAX];
};

/* ---- store_tree.c ---- */
/* An absolute path in out from a caller's path (relative to its home); false if it is
 * malformed or too long. */
bool path_normalize(domid_t caller, const char *in, char *out);
bool path_below(const char *path, const char *base); /* at or below */
void path_home(domid_t dom, char out[PATH_MAX]);     /* /local/domain/<dom> */
/* dom0 anything; a guest its home, and reading its backends' nodes. */
bool perm_may(domid_t caller, const char *path, bool write);
/* Slot i of the table (i < NODES_MAX) if it holds a node, else NULL. */
const struct node *tree_slot(unsigned int i);
const struct node *tree_find(const char *path);
unsigned int tree_free_slots(void);
uint32_t tree_gen(void);    /* bumped by every change */
uint32_t tree_rm_gen(void); /* the generation of the last removal */
/* Nodes at path (and below, for a subtree); *changed set if one was written after gen. */
unsigned int tree_count(const char *path, bool subtree, uint32_t gen, bool *changed);
/* The value of path, NULL if it has no node (*dir: it has descendants, reads as ""). */
const struct node *tree_read(const char *path, bool *dir);
/* Changes as caller, after its permission and quota checks; watches fire. */
const char *tree_write(domid_t caller, const char *path, const char *value, size_t vlen);
const char *tree_rm(domid_t caller, const char *path);

/* ---- store_tx.c ---- */
struct tx;
int tx_init(void); /* allocates the table: 0 or -XEN_ENOMEM */
struct tx *tx_get(domid_t owner, uint32_t id);
const char *tx_start(domid_t owner, uint32_t *id);
/* "T": commit (EAGAIN, ENOSPC or NULL); the transaction is gone either way. */
const char *tx_end(struct tx *t, bool commit);
unsigned int tx_drop_all(domid_t owner); /* returns how many were open */
/* Records that t's outcome depends on path (or its subtree); false: too many. */
bool tx_depend(struct tx *t, const char *path, bool subtree);
/* Queues a change in t (and depends on its path): NULL or "ENOSPC". */
const char *tx_write(struct tx *t, const char *path, const char *value, size_t vlen);
const char *tx_rm(struct tx *t, const char *path);
/* path in t's view: a node there (its value in *val, *vlen)? */
bool tx_find(const struct tx *t, const char *path, const char **val, uint8_t *vlen);
/* path is a node in t's view (t == NULL: in the tree itself) */
bool tx_visible(const struct tx *t, const char *path);
/* Calls each(node path, arg) for the nodes strictly below base in t's view (or the
 * tree's, t == NULL), possibly twice for one path, until it returns true. */
bool tx_any_below(const struct tx *t, const char *base, bool (*each)(const char *, void *), void *arg);
bool tx_has_descendant(const struct tx *t, const char *path);

/* ---- store_watch.c ---- */
int watch_init(void); /* allocates the table: 0 or -XEN_ENOMEM */
/* 0, -XEN_EEXIST (the same path and token) or -XEN_ENOSPC (quota, table). */
int watch_add(domid_t owner, const char *path, const char *token);
bool watch_remove(domid_t owner, const char *path, const char *token);
void watch_drop_all(domid_t owner);
/* Tells every watcher of path: at or above it, and below it too when it was removed. */
void watch_fire(const char *path, bool removed);
/* One XS_WATCH_EVENT to g. */
void watch_event(struct guest *g, const char *path, const char *token);

/* ---- store_wire.c ---- */
/* Queues a message for g's response ring (an event meeting a full buffer is dropped). */
void wire_send(struct guest *g, uint32_t type, uint32_t req_id, const void *body, uint32_t len);

#endif /* MINIOS_DOM0_STORE_H */
