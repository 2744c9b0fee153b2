/*
 * dom0's store, watches: a guest's (path, token) pairs, at most WATCHES_PER_GUEST each
 * (WATCHES_MAX in all). A watch fires, as an XS_WATCH_EVENT carrying the changed path
 * and the token, for every change at or below its path, and for a removal above it; and
 * once when it is set, as in Xen. Changes inside a transaction reach the tree, and so
 * the watches, only when it commits.
 */
#include "minios/lib.h"
#include "minios/mm.h"
#include "store.h"

struct watch {
    bool used;
    domid_t owner;
    char path[PATH_MAX];
    char token[TOKEN_MAX];
};

static struct watch *watches;

int watch_init(void)
{
    watches = alloc_pages(PAGES_FOR(WATCHES_MAX * sizeof *watches));
    return watches != NULL ? 0 : -XEN_ENOMEM;
}

void watch_event(struct guest *g, const char *path, const char *token)
{
    char body[PATH_MAX + TOKEN_MAX];
    size_t pl = strlen(path), tl = strlen(token);
    memcpy(body, path, pl + 1);
    memcpy(body + pl + 1, token, tl + 1);
    wire_send(g, XS_WATCH_EVENT, 0, body, (uint32_t)(pl + tl + 2));
}

void watch_fire(const char *path, bool removed)
{
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        const struct watch *w = &watches[i];
        if (!w->used)
            continue;
        if (!path_below(path, w->path) && !(removed && path_below(w->path, path)))
            continue;
        struct guest *g = guest_get(w->owner);
        if (g == NULL || !g->store.up)
            continue;
        watch_event(g, path_below(path, w->path) ? path : w->path, w->token);
    }
}

int watch_add(domid_t owner, const char *path, const char *token)
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

bool watch_remove(domid_t owner, const char *path, const char *token)
{
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        struct watch *w = &watches[i];
        if (w->used && w->owner == owner && strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
            w->used = false;
            return true;
        }
    }
    return false;
}

void watch_drop_all(domid_t owner)
{
    for (unsigned int i = 0; i < WATCHES_MAX; i++) {
        if (watches[i].used && watches[i].owner == owner)
            watches[i].used = false;
    }
}
