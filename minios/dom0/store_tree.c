/*
 * dom0's store, the tree: path -> value nodes in a fixed table, keyed by absolute path;
 * a path with descendants exists even without a node of its own (reads as "").
 *
 * Permissions: dom0 may do anything; a guest may read, write, remove and watch its home
 * /local/domain/<id>/..., and read and watch the backend nodes dom0 made for it,
 * /local/domain/0/backend/<type>/<id>/... A guest may own at most NODES_PER_GUEST nodes
 * under its home (ENOSPC), so that one guest cannot fill the table for everyone.
 *
 * Every change bumps a generation (kept in the node written; removals in rm_gen), which
 * is what transactions compare at commit.
 */
#include <stdarg.h>

#include "minios/console.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "store.h"

/* Allocated by store_init (dom0 only: a guest kernel does not carry them in its bss). */
static struct node *nodes;
static unsigned int nodes_used;
static uint32_t store_gen = 1;
static uint32_t rm_gen;

unsigned int store_nodes(void) { return nodes_used; }

int store_init(void)
{
    nodes = alloc_pages(PAGES_FOR(NODES_MAX * sizeof *nodes));
    nodes_used = 0;
    int wrc = watch_init(), trc = tx_init();
    return nodes != NULL && wrc == 0 && trc == 0 ? 0 : -XEN_ENOMEM;
}

const struct node *tree_slot(unsigned int i) { return i < NODES_MAX && nodes[i].used ? &nodes[i] : NULL; }
unsigned int tree_free_slots(void) { return NODES_MAX - nodes_used; }
uint32_t tree_gen(void) { return store_gen; }
uint32_t tree_rm_gen(void) { return rm_gen; }

/* ---- paths and permissions ---- */

static bool path_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-' || c == '@' || c == ':' || c == '.';
}

bool path_normalize(domid_t caller, const char *in, char *out)
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

bool path_below(const char *path, const char *base)
{
    size_t n = strlen(base);
    if (strcmp(base, "/") == 0)
        return true;
    return strncmp(path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void path_home(domid_t dom, char out[PATH_MAX]) { snprintf(out, PATH_MAX, "/local/domain/%u", (unsigned int)dom); }

bool perm_may(domid_t caller, const char *path, bool write)
{
    if (caller == 0)
        return true;
    char base[PATH_MAX];
    path_home(caller, base);
    if (path_below(path, base))
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

/* ---- nodes ---- */

const struct node *tree_find(const char *path)
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
        if (nodes[i].used && path_below(nodes[i].path, path) && strcmp(nodes[i].path, path) != 0)
            return true;
    }
    return false;
}

unsigned int tree_count(const char *path, bool subtree, uint32_t gen, bool *changed)
{
    unsigned int n = 0;
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (!nodes[i].used || !(subtree ? path_below(nodes[i].path, path) : strcmp(nodes[i].path, path) == 0))
            continue;
        n++;
        if (nodes[i].gen > gen)
            *changed = true;
    }
    return n;
}

const struct node *tree_read(const char *path, bool *dir)
{
    const struct node *n = tree_find(path);
    *dir = n == NULL && has_descendant(path);
    return n;
}

const char *tree_write(domid_t caller, const char *path, const char *value, size_t vlen)
{
    if (!perm_may(caller, path, true))
        return "EACCES";
    if (vlen >= VALUE_MAX)
        return "E2BIG";
    struct node *n = (struct node *)tree_find(path);
    if (n == NULL && caller != 0) {
        char home[PATH_MAX];
        path_home(caller, home);
        bool unused = false;
        if (tree_count(home, true, 0, &unused) >= NODES_PER_GUEST)
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
        if (g != NULL && path_below(path, dev))
            dom0_kick(g, W_FRONTEND);
    }
    watch_fire(path, false);
    return NULL;
}

const char *tree_rm(domid_t caller, const char *path)
{
    if (!perm_may(caller, path, true))
        return "EACCES";
    bool any = false;
    for (unsigned int i = 0; i < NODES_MAX; i++) {
        if (nodes[i].used && path_below(nodes[i].path, path)) {
            nodes[i].used = false;
            nodes_used--;
            any = true;
        }
    }
    if (!any)
        return "ENOENT";
    rm_gen = ++store_gen;
    watch_fire(path, true);
    return NULL;
}

/* ---- dom0's own calls ---- */

int store_write(const char *path, const char *value)
{
    char abs[PATH_MAX];
    if (!path_normalize(0, path, abs))
        return -XEN_EINVAL;
    return tree_write(0, abs, value, strlen(value)) == NULL ? 0 : -XEN_ENOSPC;
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
    if (!path_normalize(0, path, abs))
        return -XEN_EINVAL;
    const struct node *n = tree_read(abs, &dir);
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
    if (!path_normalize(0, path, abs))
        return -XEN_EINVAL;
    return tree_rm(0, abs) == NULL ? 0 : -XEN_ENOENT;
}
