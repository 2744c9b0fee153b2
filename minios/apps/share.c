/*
 * app=share (pv): events and grants end to end between dom0 and one guest.
 *
 *   guest (frontend, the default role): allocates a page, fills it with a pattern, grants
 *     it to dom0, writes the grant ref into its store page (start_info.store_mfn, which the
 *     VMM grants to dom0 as GNTTAB_RESERVED_XENSTORE) and notifies store_evtchn (pre-bound
 *     to dom0). It waits for dom0's reply, checks the page now holds the reply pattern and
 *     ends the grant.
 *   dom0 (role=backend): finds the guest's store port with getdomaininfo, maps the store
 *     page, waits for the request, maps the data page, checks the pattern, writes the reply
 *     pattern, unmaps, marks the reply in the store page and notifies.
 * Both print "share: ok" at the end, or "share: FAIL ..." lines and "share: FAILED".
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/gnttab.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"
#include "pv.h"

#define SHARE_REQUEST 0x53524551U /* "QERS": a request is in the store page */
#define SHARE_REPLY 0x53524552U   /* "RERS": dom0 answered */
#define SHARE_WORDS (PAGE_SIZE / 4)
#define SHARE_TIMEOUT MILLISECS(5000)
#define STORE_MAP_VA 0xE0000000U  /* where dom0 maps the guest's pages */
#define DATA_MAP_VA 0xE0001000U

/* At the start of the store page. */
struct share_msg {
    volatile uint32_t magic;
    volatile uint32_t ref;    /* grant ref of the data page */
    volatile uint32_t domid;  /* the guest's id, for the pattern */
    volatile uint32_t reply;
};

static uint32_t pattern(uint32_t domid, uint32_t i) { return 0xA5000000U ^ (domid << 16) ^ (i * 2654435761U); }
static uint32_t reply_pattern(uint32_t domid, uint32_t i) { return ~pattern(domid, i); }

static unsigned int failures;
static struct wait_queue_head share_wq = WAIT_QUEUE_HEAD_INIT;
static volatile unsigned int notifications;

static void fail(const char *what, int got)
{
    printk("share: FAIL %s (got %d)\n", what, got);
    failures++;
}

static void share_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    notifications++;
    wake_up(&share_wq);
}

static bool msg_has(void *arg, uint32_t want, bool reply)
{
    struct share_msg *m = arg;
    return (reply ? m->reply : m->magic) == want;
}
static bool request_ready(void *arg) { return msg_has(arg, SHARE_REQUEST, false); }
static bool reply_ready(void *arg) { return msg_has(arg, SHARE_REPLY, true); }

/* Counts the words of page that differ from expected(domid, i). */
static unsigned int mismatches(const volatile uint32_t *page, uint32_t domid,
                               uint32_t (*expected)(uint32_t, uint32_t))
{
    unsigned int bad = 0;
    for (uint32_t i = 0; i < SHARE_WORDS; i++)
        bad += page[i] != expected(domid, i) ? 1U : 0U;
    return bad;
}

static void share_frontend(void)
{
    const start_info_t *si = pv_start_info();
    if (si->store_mfn == 0 || si->store_evtchn == 0) {
        fail("no store page or store channel", (int)si->store_evtchn);
        return;
    }
    struct share_msg *msg = arch_mach_to_virt(si->store_mfn);
    uint32_t *data = alloc_page();
    if (data == NULL) {
        fail("out of memory", 0);
        return;
    }
    for (uint32_t i = 0; i < SHARE_WORDS; i++)
        data[i] = pattern(si->domid, i);
    int ref = grant_access(0, arch_virt_to_mach(data), false);
    if (ref < 0) {
        fail("grant_access", ref);
        return;
    }
    int rc = bind_evtchn(si->store_evtchn, share_event, NULL);
    if (rc != 0)
        fail("bind store_evtchn", rc);

    msg->reply = 0;
    msg->ref = (uint32_t)ref;
    msg->domid = si->domid;
    barrier();
    msg->magic = SHARE_REQUEST;
    printk("share: dom %u granted page as ref %d, notifying port %u\n", (unsigned int)si->domid,
           ref, (unsigned int)si->store_evtchn);
    rc = notify_remote_via_evtchn(si->store_evtchn);
    if (rc != 0)
        fail("notify dom0", rc);

    if (!wait_event_deadline(&share_wq, reply_ready, msg, NOW() + SHARE_TIMEOUT)) {
        fail("no reply from dom0 within 5 s", (int)notifications);
        return;
    }
    unsigned int bad = mismatches(data, si->domid, reply_pattern);
    if (bad != 0)
        fail("reply pattern: words differing", (int)bad);
    if (!end_access((grant_ref_t)ref))
        fail("end_access: dom0 still has the page mapped", ref);
    if (notifications == 0)
        fail("no notification from dom0", 0);
}

static int getdomaininfo(domid_t id, struct xen_domctl_getdomaininfo *out)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo,
                            .interface_version = XA_DOMCTL_INTERFACE_VERSION,
                            .domain = id};
    int rc = HYPERVISOR_domctl(&op);
    if (rc == 0)
        *out = op.u.getdomaininfo;
    return rc;
}

/* The first other domain with a store channel: its id and dom0's port, or false. */
static bool find_guest(domid_t *guest, evtchn_port_t *port)
{
    const unsigned int self = domain_id();
    struct xen_domctl_getdomaininfo info;
    for (uint32_t id = 0; id < 0x7FF0U && getdomaininfo((domid_t)id, &info) == 0;
         id = info.domain + 1U) {
        if (info.domain != self && info.store_port != 0) {
            *guest = info.domain;
            *port = info.store_port;
            return true;
        }
    }
    return false;
}

static void share_backend(void)
{
    domid_t guest = 0;
    evtchn_port_t port = 0;
    const s_time_t give_up = NOW() + SHARE_TIMEOUT;
    while (!find_guest(&guest, &port)) {
        if (NOW() >= give_up) {
            fail("no guest with a store channel", 0);
            return;
        }
        msleep(10);
    }
    printk("share: backend found dom %u, store port %u\n", (unsigned int)guest, (unsigned int)port);
    int rc = bind_evtchn(port, share_event, NULL);
    if (rc != 0)
        fail("bind the store port", rc);

    grant_handle_t store_handle, data_handle;
    int st = gnttab_map(guest, GNTTAB_RESERVED_XENSTORE, STORE_MAP_VA, &store_handle);
    if (st != GNTST_okay) {
        fail("map the guest's store page", st);
        return;
    }
    struct share_msg *msg = (struct share_msg *)STORE_MAP_VA;
    if (!wait_event_deadline(&share_wq, request_ready, msg, NOW() + SHARE_TIMEOUT)) {
        fail("no request from the guest within 5 s", (int)notifications);
        (void)gnttab_unmap(store_handle, STORE_MAP_VA);
        return;
    }
    st = gnttab_map(guest, msg->ref, DATA_MAP_VA, &data_handle);
    if (st != GNTST_okay) {
        fail("map the guest's data page", st);
    } else {
        volatile uint32_t *data = (volatile uint32_t *)DATA_MAP_VA;
        unsigned int bad = mismatches(data, msg->domid, pattern);
        if (bad != 0)
            fail("request pattern: words differing", (int)bad);
        for (uint32_t i = 0; i < SHARE_WORDS; i++)
            data[i] = reply_pattern(msg->domid, i);
        st = gnttab_unmap(data_handle, DATA_MAP_VA);
        if (st != GNTST_okay)
            fail("unmap the data page", st);
    }
    barrier();
    msg->reply = SHARE_REPLY;
    rc = notify_remote_via_evtchn(port);
    if (rc != 0)
        fail("notify the guest", rc);
    st = gnttab_unmap(store_handle, STORE_MAP_VA);
    if (st != GNTST_okay)
        fail("unmap the store page", st);
    if (notifications == 0)
        fail("no notification from the guest", 0);
}

static void share_main(void)
{
    const char *role = cmdline_get("role");
    if (role == NULL)
        role = boot_info()->privileged ? "backend" : "frontend";
    if (strcmp(role, "backend") == 0)
        share_backend();
    else if (strcmp(role, "frontend") == 0)
        share_frontend();
    else
        fail("unknown role", 0);
    printk(failures == 0 ? "share: ok\n" : "share: FAILED\n");
}
MINIOS_APP("share", share_main);
