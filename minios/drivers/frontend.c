/* The parts of the frontend handshake every device shares, and the reconnect after a
 * rollback (include/minios/frontends.h). */
#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/gnttab.h"
#include "minios/lib.h"
#include "minios/mm.h"

int frontend_start(struct xenbus_device *dev, const char *type, s_time_t deadline)
{
    int rc = xenbus_device_init(dev, type, 0, deadline);
    if (rc < 0)
        return rc;
    rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateInitWait), deadline);
    return rc < 0 ? rc : 0;
}

void *frontend_grant_page(struct xenbus_device *dev, grant_ref_t *ref)
{
    void *page = alloc_page();
    if (page == NULL)
        return NULL;
    int r = grant_access(dev->backend_id, arch_virt_to_mach(page), false);
    if (r < 0) {
        free_page(page);
        return NULL;
    }
    *ref = (grant_ref_t)r;
    return page;
}

void frontend_free_page(void *page, grant_ref_t ref)
{
    if (page == NULL)
        return;
    if (!end_access(ref)) {
        printk("frontend: grant %u still mapped by the backend: page kept\n", (unsigned int)ref);
        return;
    }
    free_page(page);
}

/* The caller published its details and Initialised (xenbus_publish: one transaction). */
int frontend_finish(struct xenbus_device *dev, s_time_t deadline)
{
    int rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateConnected) | XB_STATE(XenbusStateClosed), deadline);
    if (rc < 0)
        return rc;
    if (rc != XenbusStateConnected) {
        char path[XENBUS_PATH_MAX], why[XENBUS_VALUE_MAX];
        snprintf(path, sizeof path, "%s/error", dev->backend);
        if (xenbus_read(path, why, sizeof why) < 0)
            strlcpy(why, "?", sizeof why);
        printk("frontend: %s: backend refused: %s\n", dev->nodename, why);
        return -XEN_EINVAL;
    }
    return xenbus_switch_state(dev, XenbusStateConnected);
}

int frontend_close(struct xenbus_device *dev, s_time_t deadline)
{
    int rc = xenbus_switch_state(dev, XenbusStateClosing);
    if (rc < 0)
        return rc;
    rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateClosed), deadline);
    return rc < 0 ? rc : 0;
}

/* ---- after a rollback ---- */

/* All in our memory, so a rollback restores them together: `raised` counts the
 * XA_VIRQ_ROLLED_BACK events since the checkpoint's, `handled` what the thread took. */
static struct frontend_link *links;
static volatile uint32_t raised;
static uint32_t handled;
static struct wait_queue_head rollback_wq = WAIT_QUEUE_HEAD_INIT;
static bool thread_started;

static void rolled_back_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    raised++;
    xenbus_rolled_back();
    wake_up(&rollback_wq);
}

int frontend_rollback_init(void)
{
    int rc = bind_virq(XA_VIRQ_ROLLED_BACK, rolled_back_event, NULL);
    return rc < 0 ? rc : 0;
}

static bool rollback_due(void *arg)
{
    UNUSED(arg);
    return raised != handled;
}

static void reconnect_thread(void *arg)
{
    UNUSED(arg);
    for (;;) {
        wait_event(&rollback_wq, rollback_due, NULL);
        /* Every device is marked before the first wait, so no caller uses an old ring. */
        for (struct frontend_link *l = links; l != NULL; l = l->next)
            l->reconnecting = true;
        handled = raised;
        for (struct frontend_link *l = links; l != NULL; l = l->next) {
            const int rc = l->reconnect(l, NOW() + XENBUS_TIMEOUT);
            l->reconnecting = false;
            l->reconnects++;
            if (rc < 0)
                printk("frontend: %s: reconnecting after a rollback failed: %d\n", l->dev->nodename, rc);
            else
                printk("frontend: %s: reconnected after a rollback, %d request(s) issued again\n", l->dev->nodename,
                       rc);
            wake_up(l->wq);
        }
    }
}

void frontend_register(struct frontend_link *l, struct xenbus_device *dev, struct wait_queue_head *wq,
                       int (*reconnect)(struct frontend_link *l, s_time_t deadline))
{
    l->dev = dev;
    l->wq = wq;
    l->reconnect = reconnect;
    l->reconnecting = false;
    l->next = links;
    links = l;
    if (!thread_started && create_thread("frontends", reconnect_thread, NULL) != NULL)
        thread_started = true;
}

bool frontend_ready(const struct frontend_link *l) { return !l->reconnecting && raised == handled; }

static bool link_ready(void *arg) { return frontend_ready(arg); }

bool frontend_wait_ready(struct frontend_link *l, s_time_t deadline)
{
    return frontend_ready(l) || wait_event_deadline(l->wq, link_ready, l, deadline);
}

void frontend_unregister(struct frontend_link *l, s_time_t deadline)
{
    (void)frontend_wait_ready(l, deadline);
    for (struct frontend_link **p = &links; *p != NULL; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            break;
        }
    }
}

int frontend_restart(struct xenbus_device *dev, s_time_t deadline)
{
    int rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateInitWait), deadline);
    return rc < 0 ? rc : 0;
}

/* The header every ring page starts with (io/ring.h). */
struct ring_header {
    RING_IDX req_prod, req_event, rsp_prod, rsp_event;
};

int frontend_ring_move(void *new_sring, const void *old_sring, unsigned int nr_ents, size_t slot_size,
                       RING_IDX *req_prod_pvt, RING_IDX *rsp_cons)
{
    const volatile struct ring_header *old = old_sring;
    volatile struct ring_header *new = new_sring;
    const RING_IDX rsp_prod = old->rsp_prod;
    const uint32_t answered = rsp_prod - *rsp_cons;    /* responses not consumed yet */
    const uint32_t waiting = *req_prod_pvt - rsp_prod; /* requests without a response */
    *req_prod_pvt = 0;
    *rsp_cons = 0;
    if (answered > nr_ents || waiting > nr_ents - answered)
        return -XEN_EINVAL;
    const char *from = (const char *)old_sring + XA_RING_HEADER_SIZE;
    char *to = (char *)new_sring + XA_RING_HEADER_SIZE;
    const RING_IDX first = rsp_prod - answered;
    for (uint32_t i = 0; i < answered + waiting; i++)
        memcpy(to + i * slot_size, from + ((first + i) & (nr_ents - 1U)) * slot_size, slot_size);
    /* The backend attaches at rsp_prod (io/ring.h): it answers from the first request on. */
    new->rsp_prod = answered;
    new->rsp_event = answered + 1U;
    new->req_event = answered + 1U;
    barrier();
    new->req_prod = answered + waiting;
    *req_prod_pvt = answered + waiting;
    return (int)waiting;
}
