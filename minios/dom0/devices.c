/*
 * dom0's side of the Xen device handshake, for every device type it serves:
 *
 *   offer:    frontend nodes /local/domain/<id>/device/<type>/0/{backend,backend-id,state=1}
 *             and backend nodes /local/domain/0/backend/<type>/<id>/0/{frontend,
 *             frontend-id, type's keys, state}, the backend state going Initialising ->
 *             InitWait (ready for the frontend's ring details);
 *   frontend Initialised (or Connected): map the ring(s) it granted, bind its channel,
 *             backend Connected;
 *   frontend Closing: unmap and close, backend Closing -> Closed;
 *   frontend Closed or Initialising again while we are Closed: InitWait (it may reconnect);
 *   remove (the guest goes away): disconnect and delete the backend nodes.
 * A ring the frontend breaks (impossible indices) is disconnected by its backend
 * (backend_fail): error node, state Closed.
 *
 * A guest rolled back to a checkpoint (XA_VIRQ_DOM_ROLLBACK, docs/fault-tolerance.md)
 * has its ring pages back as they were then, while each backend's private ring state
 * (the requests it took, the responses it gave) is of now: every backend disconnects
 * (requests in the ring it had not taken are never taken), the frontend's ring details
 * and state are reset to Initialising and the backend goes to InitWait, as for a new
 * frontend. The guest's frontends reconnect on XA_VIRQ_ROLLED_BACK, as after a Xen
 * restore; until they have published new details, none of the old ones is used.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/lib.h"

struct device_type {
    const char *name;
    const char *const *ring_keys; /* the frontend's ring details */
    struct backend_common *(*common)(struct guest *g);
    int (*connect)(struct guest *g);
    void (*disconnect)(struct guest *g);
};

static struct backend_common *vbd_common(struct guest *g) { return &g->vbd.c; }
static struct backend_common *vif_common(struct guest *g) { return &g->vif.c; }
static struct backend_common *vtest_common(struct guest *g) { return &g->vtest.c; }

static const char *const one_ring[] = {"ring-ref", "event-channel", NULL};
static const char *const two_rings[] = {"tx-ring-ref", "rx-ring-ref", "event-channel", NULL};

static const struct device_type types[] = {
    {"vbd", one_ring, vbd_common, blkback_connect, blkback_disconnect},
    {"vif", two_rings, vif_common, netback_connect, netback_disconnect},
    {"vtest", one_ring, vtest_common, ringback_connect, ringback_disconnect},
};

static void backend_path(char *out, size_t size, const struct guest *g, const char *type, const char *key)
{
    snprintf(out, size, "/local/domain/0/backend/%s/%u/0%s%s", type, (unsigned int)g->domid, key[0] ? "/" : "", key);
}

static void frontend_path(char *out, size_t size, const struct guest *g, const char *type, const char *key)
{
    snprintf(out, size, "/local/domain/%u/device/%s/0%s%s", (unsigned int)g->domid, type, key[0] ? "/" : "", key);
}

static const char *state_name(int s)
{
    static const char *const names[] = {"Unknown",   "Initialising", "InitWait", "Initialised",
                                        "Connected", "Closing",      "Closed"};
    return s >= 0 && s <= 6 ? names[s] : "?";
}

const char *device_state(const struct backend_common *c) { return c->offered ? state_name(c->state) : "-"; }

void backend_set_state(struct guest *g, const char *type, struct backend_common *c, int state)
{
    char path[96];
    backend_path(path, sizeof path, g, type, "state");
    c->state = state;
    store_printf(path, "%d", state);
    if (dom0_verbose)
        printk("%s: dom %u: backend %s\n", type, (unsigned int)g->domid, state_name(state));
}

int frontend_state(struct guest *g, const char *type)
{
    uint32_t v;
    char path[96];
    frontend_path(path, sizeof path, g, type, "state");
    return store_read_u32(path, &v) == 0 ? (int)v : -1;
}

int frontend_u32(struct guest *g, const char *type, const char *key, uint32_t *out)
{
    char path[96];
    frontend_path(path, sizeof path, g, type, key);
    return store_read_u32(path, out);
}

void devices_offer(struct guest *g)
{
    char path[96], value[96];
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        const struct device_type *t = &types[i];
        struct backend_common *c = t->common(g);
        memset(c, 0, sizeof *c);
        backend_path(value, sizeof value, g, t->name, "");
        frontend_path(path, sizeof path, g, t->name, "backend");
        store_write(path, value);
        frontend_path(path, sizeof path, g, t->name, "backend-id");
        store_write(path, "0");
        frontend_path(path, sizeof path, g, t->name, "state");
        store_printf(path, "%d", XenbusStateInitialising);
        frontend_path(value, sizeof value, g, t->name, "");
        backend_path(path, sizeof path, g, t->name, "frontend");
        store_write(path, value);
        backend_path(path, sizeof path, g, t->name, "frontend-id");
        store_printf(path, "%u", (unsigned int)g->domid);
        if (strcmp(t->name, "vbd") == 0) {
            backend_path(path, sizeof path, g, t->name, "sectors");
            store_printf(path, "%u", (unsigned int)blkback_sectors());
            backend_path(path, sizeof path, g, t->name, "sector-size");
            store_printf(path, "%u", XEN_BLKIF_SECTOR_SIZE);
            backend_path(path, sizeof path, g, t->name, "info");
            store_write(path, "0");
            backend_path(path, sizeof path, g, t->name, "feature-flush-cache");
            store_write(path, "1");
            g->vbd.disk = blkback_slice(g->domid);
            g->vbd.sectors = blkback_sectors();
        } else if (strcmp(t->name, "vif") == 0) {
            static const uint8_t oui[3] = {0x00, 0x16, 0x3e}; /* Xen's */
            memcpy(g->vif.mac, oui, 3);
            g->vif.mac[3] = 0;
            g->vif.mac[4] = 0;
            g->vif.mac[5] = (uint8_t)g->domid;
            backend_path(path, sizeof path, g, t->name, "mac");
            store_printf(path, "00:16:3e:00:00:%02x", (unsigned int)g->domid);
        }
        c->offered = true;
        backend_set_state(g, t->name, c, XenbusStateInitialising);
        backend_set_state(g, t->name, c, XenbusStateInitWait);
    }
}

static void fail(struct guest *g, const struct device_type *t, const char *why)
{
    char path[96];
    backend_path(path, sizeof path, g, t->name, "error");
    store_write(path, why);
    backend_set_state(g, t->name, t->common(g), XenbusStateClosed);
}

void devices_frontend_changed(struct guest *g)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        const struct device_type *t = &types[i];
        struct backend_common *c = t->common(g);
        if (!c->offered)
            continue;
        const int fs = frontend_state(g, t->name);
        if (fs != c->fe_state && dom0_verbose)
            printk("%s: dom %u: frontend %s\n", t->name, (unsigned int)g->domid, state_name(fs));
        c->fe_state = fs;
        if ((fs == XenbusStateInitialised || fs == XenbusStateConnected) && !c->connected &&
            c->state == XenbusStateInitWait) {
            int rc = t->connect(g);
            if (rc != 0) {
                printk("%s: dom %u: cannot connect: %d\n", t->name, (unsigned int)g->domid, rc);
                fail(g, t, "cannot map the ring or bind the channel");
                continue;
            }
            c->connected = true;
            backend_set_state(g, t->name, c, XenbusStateConnected);
            printk("%s: dom %u connected (port %u)\n", t->name, (unsigned int)g->domid, (unsigned int)c->port);
        } else if (fs == XenbusStateClosing && c->state != XenbusStateClosed) {
            if (c->connected) {
                t->disconnect(g);
                c->connected = false;
                printk("%s: dom %u disconnected (%u requests, %u errors)\n", t->name, (unsigned int)g->domid,
                       (unsigned int)c->requests, (unsigned int)c->errors);
            }
            backend_set_state(g, t->name, c, XenbusStateClosing);
            backend_set_state(g, t->name, c, XenbusStateClosed);
        } else if ((fs == XenbusStateClosed || fs == XenbusStateInitialising) && c->state == XenbusStateClosed) {
            char path[96];
            backend_path(path, sizeof path, g, t->name, "error");
            (void)store_rm(path);
            backend_set_state(g, t->name, c, XenbusStateInitWait);
        }
    }
}

/* A backend found its ring broken: disconnect now and tell the frontend. */
void backend_fail(struct guest *g, const char *type, const char *why)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        const struct device_type *t = &types[i];
        struct backend_common *c = t->common(g);
        if (strcmp(t->name, type) != 0 || !c->connected)
            continue;
        printk("%s: dom %u: %s; disconnected\n", type, (unsigned int)g->domid, why);
        t->disconnect(g);
        c->connected = false;
        fail(g, t, why);
    }
}

void devices_rolled_back(struct guest *g)
{
    char path[96];
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        const struct device_type *t = &types[i];
        struct backend_common *c = t->common(g);
        if (!c->offered)
            continue;
        const bool was_connected = c->connected;
        if (was_connected) {
            t->disconnect(g);
            c->connected = false;
        }
        const int fs = frontend_state(g, t->name);
        if (!was_connected && c->state == XenbusStateInitWait && fs <= XenbusStateInitialising)
            continue; /* nothing began: nothing to undo */
        for (const char *const *k = t->ring_keys; *k != NULL; k++) {
            frontend_path(path, sizeof path, g, t->name, *k);
            (void)store_rm(path);
        }
        frontend_path(path, sizeof path, g, t->name, "state");
        store_printf(path, "%d", XenbusStateInitialising);
        c->fe_state = XenbusStateInitialising;
        backend_path(path, sizeof path, g, t->name, "error");
        (void)store_rm(path);
        printk("dom0: dom %u '%s' rolled back: %s reconnecting (%u requests on the old ring)\n", (unsigned int)g->domid,
               g->name, t->name, (unsigned int)c->requests);
        c->requests = 0;
        c->errors = 0;
        backend_set_state(g, t->name, c, XenbusStateInitWait);
    }
}

void devices_remove(struct guest *g)
{
    char path[96];
    for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
        const struct device_type *t = &types[i];
        struct backend_common *c = t->common(g);
        if (c->connected)
            t->disconnect(g);
        c->connected = false;
        c->offered = false;
        snprintf(path, sizeof path, "/local/domain/0/backend/%s/%u", t->name, (unsigned int)g->domid);
        (void)store_rm(path);
    }
}
