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
 *
 * ro=1 (both roles): the guest grants its page read-only (GTF_readonly) and dom0 checks
 * read-only grant maps: a writable map of the grant is refused, a read-only map must lie
 * in a MiB of its own (DATA_MAP_VA's MiB holds the store page: refused; RO_MAP_VA's is
 * free), reads work (directly and for a hypercall), a write from virtual kernel mode is a
 * data abort bounced to dom0's handler (permission fault, ARM domain 3: tag 0's read-only domain), a hypercall that
 * would write there gets -EFAULT, and a load from virtual user mode is a domain fault.
 * While dom0 holds the map it tells the guest, which checks that its entry shows
 * GTF_reading and not GTF_writing. The guest then checks its page is unchanged.
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
#define STORE_MAP_VA 0xE0000000U /* where dom0 maps the guest's pages */
#define DATA_MAP_VA 0xE0001000U
#define RO_MAP_VA 0xE0100000U    /* ro=1: dom0's read-only maps, a MiB of their own */
#define SPARE_MAP_VA 0xE0200000U /* ro=1: a MiB with nothing mapped */
#define RO_TEXT_BYTES 64U        /* ro=1: the page starts with this much text */
#define SHARE_MAPPED 0x53524D50U /* ro=1: dom0 holds the read-only map now */
#define SHARE_ACK 0x53524B41U    /* ro=1: the guest has looked at its entry */
#define USER_VA XA_GUEST_USER_BASE

/* At the start of the store page. */
struct share_msg {
    volatile uint32_t magic;
    volatile uint32_t ref;   /* grant ref of the data page */
    volatile uint32_t domid; /* the guest's id, for the pattern */
    volatile uint32_t reply;
    volatile uint32_t ack; /* ro=1 */
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
static bool mapped_ready(void *arg) { return msg_has(arg, SHARE_MAPPED, true); }
static bool ack_ready(void *arg) { return ((struct share_msg *)arg)->ack == SHARE_ACK; }

/* Counts the words of page from word `first` on that differ from expected(domid, i). */
static unsigned int mismatches_from(const volatile uint32_t *page, uint32_t first, uint32_t domid,
                                    uint32_t (*expected)(uint32_t, uint32_t))
{
    unsigned int bad = 0;
    for (uint32_t i = first; i < SHARE_WORDS; i++)
        bad += page[i] != expected(domid, i) ? 1U : 0U;
    return bad;
}
static unsigned int mismatches(const volatile uint32_t *page, uint32_t domid, uint32_t (*expected)(uint32_t, uint32_t))
{
    return mismatches_from(page, 0, domid, expected);
}

static bool ro_mode(void) { return cmdline_get_u32("ro", 0) != 0; }

/* ro=1: the text at the start of the read-only page (a console line, NUL-padded), with a
 * hypercall argument after it for dom0 to pass from the read-only map: an
 * EVTCHNOP_alloc_unbound request (readable there, its OUT field not writable). */
#define RO_ALLOC_OFFSET 48U
static void ro_text(char out[RO_TEXT_BYTES], uint32_t domid)
{
    memset(out, 0, RO_TEXT_BYTES);
    snprintf(out, RO_ALLOC_OFFSET, "share: text from dom %u's read-only page\n", (unsigned int)domid);
    const struct evtchn_alloc_unbound req = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF, .port = 0};
    memcpy(out + RO_ALLOC_OFFSET, &req, sizeof req);
}
/* Counts what differs from the ro=1 page: the text, then pattern() after it. */
static unsigned int ro_mismatches(const volatile uint32_t *page, uint32_t domid)
{
    char text[RO_TEXT_BYTES];
    ro_text(text, domid);
    const volatile char *c = (const volatile char *)page;
    unsigned int bad = 0;
    for (uint32_t i = 0; i < RO_TEXT_BYTES; i++)
        bad += c[i] != text[i] ? 1U : 0U;
    return bad + mismatches_from(page, RO_TEXT_BYTES / 4, domid, pattern);
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
    const bool ro = ro_mode();
    for (uint32_t i = 0; i < SHARE_WORDS; i++)
        data[i] = pattern(si->domid, i);
    if (ro)
        ro_text((char *)data, si->domid);
    int ref = grant_access(0, arch_virt_to_mach(data), ro);
    if (ref < 0) {
        fail("grant_access", ref);
        return;
    }
    int rc = bind_evtchn(si->store_evtchn, share_event, NULL);
    if (rc != 0)
        fail("bind store_evtchn", rc);

    msg->reply = 0;
    msg->ack = 0;
    msg->ref = (uint32_t)ref;
    msg->domid = si->domid;
    barrier();
    msg->magic = SHARE_REQUEST;
    printk("share: dom %u granted page as ref %d, notifying port %u\n", (unsigned int)si->domid, ref,
           (unsigned int)si->store_evtchn);
    rc = notify_remote_via_evtchn(si->store_evtchn);
    if (rc != 0)
        fail("notify dom0", rc);

    if (ro) {
        /* dom0 says when it holds its read-only map: the entry must show a reader and no
         * writer (GTF_writing is for writable maps only). */
        if (!wait_event_deadline(&share_wq, mapped_ready, msg, NOW() + SHARE_TIMEOUT)) {
            fail("dom0 did not say it mapped the page within 5 s", (int)notifications);
            return;
        }
        const uint16_t flags = gnttab_entry_flags((grant_ref_t)ref);
        printk("share: while dom0 maps it read-only, the entry's flags are 0x%04x\n", (unsigned int)flags);
        if (flags != (GTF_permit_access | GTF_readonly | GTF_reading))
            fail("entry flags while mapped read-only", flags);
        barrier();
        msg->ack = SHARE_ACK;
        rc = notify_remote_via_evtchn(si->store_evtchn);
        if (rc != 0)
            fail("notify dom0 (ack)", rc);
    }
    if (!wait_event_deadline(&share_wq, reply_ready, msg, NOW() + SHARE_TIMEOUT)) {
        fail("no reply from dom0 within 5 s", (int)notifications);
        return;
    }
    unsigned int bad = ro ? ro_mismatches(data, si->domid) : mismatches(data, si->domid, reply_pattern);
    if (ro)
        printk("share: the read-only page after dom0's attempts to write it: %u bytes/words differ\n", bad);
    if (bad != 0)
        fail(ro ? "read-only page changed" : "reply pattern: words differing", (int)bad);
    if (ro && gnttab_entry_flags((grant_ref_t)ref) != (GTF_permit_access | GTF_readonly))
        fail("entry flags after the unmap", gnttab_entry_flags((grant_ref_t)ref));
    if (!end_access((grant_ref_t)ref))
        fail("end_access: dom0 still has the page mapped", ref);
    if (notifications == 0)
        fail("no notification from dom0", 0);
}

static int getdomaininfo(domid_t id, struct xen_domctl_getdomaininfo *out)
{
    struct xen_domctl op = {
        .cmd = XEN_DOMCTL_getdomaininfo, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = id};
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
    for (uint32_t id = 0; id < 0x7FF0U && getdomaininfo((domid_t)id, &info) == 0; id = info.domain + 1U) {
        if (info.domain != self && info.store_port != 0) {
            *guest = info.domain;
            *port = info.store_port;
            return true;
        }
    }
    return false;
}

/* ---- ro=1, dom0's side ---- */

static void check_status(const char *what, int got, int want)
{
    printk("share: %s: %d\n", what, got);
    if (got != want)
        fail(what, got);
}

/* A data abort's fault status: FSR[3:0] the kind, FSR[7:4] the ARM domain. */
static void check_fault(const char *what, const struct pv_fault_record *rec, uint32_t far, uint32_t status,
                        uint32_t domain)
{
    if (!rec->hit) {
        fail(what, 0);
        return;
    }
    const uint32_t st = rec->vfsr & 0xFU, dom = (rec->vfsr >> 4) & 0xFU;
    printk("share: %s: data abort at 0x%08x, fsr 0x%03x (%s, domain %u)\n", what, (unsigned int)rec->vfar,
           (unsigned int)rec->vfsr,
           st == 0xFU   ? "permission fault"
           : st == 0xBU ? "domain fault"
                        : "other",
           (unsigned int)dom);
    if (rec->vfar != far || st != status || dom != domain)
        fail(what, (int)rec->vfsr);
}

static struct pv_fault_record user_fault;

static bool user_trap(xa_trap_frame_t *frame, unsigned int trap, uint32_t vfar, uint32_t vfsr)
{
    if ((frame->vpsr & XA_VPSR_MODE_MASK) != XA_VPSR_MODE_USER)
        return false;
    if (trap == XA_TRAP_SWI)
        return true; /* the blob's system call: back to user mode, after the swi */
    if (trap == XA_TRAP_DABT) {
        user_fault.hit = true;
        user_fault.pc = frame->pc;
        user_fault.vfar = vfar;
        user_fault.vfsr = vfsr;
        pv_user_return(1); /* abandon the user context */
    }
    return false;
}

/* Virtual user mode loads from addr (pv_user_blob on a user page of ours). */
static void user_load(uint32_t addr)
{
    void *page = alloc_page();
    if (page == NULL) {
        fail("out of memory", 0);
        return;
    }
    const xa_pte_t pte = arch_virt_to_mach(page) | XA_PTE_PRESENT | XA_PTE_RW | XA_PTE_USER;
    int rc = HYPERVISOR_update_va_mapping(USER_VA, pte, UVMF_INVLPG);
    if (rc != 0) {
        fail("map a user page", rc);
        free_page(page);
        return;
    }
    memcpy((void *)USER_VA, pv_user_blob, (size_t)(pv_user_blob_end - pv_user_blob));
    user_fault.hit = false;
    pv_set_trap_hook(user_trap);
    unsigned long flags = local_irq_save();
    (void)pv_enter_user(USER_VA, USER_VA + PAGE_SIZE, addr);
    local_irq_restore(flags);
    pv_set_trap_hook(NULL);
    (void)HYPERVISOR_update_va_mapping(USER_VA, 0, UVMF_INVLPG);
    free_page(page);
}

static void share_backend_readonly(domid_t guest, evtchn_port_t port, struct share_msg *msg)
{
    const uint32_t ref = msg->ref, domid = msg->domid;
    grant_handle_t h, store_ro;
    /* A GTF_readonly grant cannot be mapped writable, wherever. */
    int st = gnttab_map(guest, ref, DATA_MAP_VA, &h);
    check_status("writable map of the read-only grant", st, GNTST_permission_denied);
    if (st == GNTST_okay)
        (void)gnttab_unmap(h, DATA_MAP_VA);
    /* Read-only maps need a MiB without read-write pages: the store page is in this one. */
    st = gnttab_map_readonly(guest, ref, DATA_MAP_VA, &h);
    check_status("read-only map beside the store page", st, GNTST_bad_virt_addr);
    if (st == GNTST_okay)
        (void)gnttab_unmap(h, DATA_MAP_VA);
    st = gnttab_map_readonly(guest, ref, RO_MAP_VA, &h);
    check_status("read-only map at 0xe0100000", st, GNTST_okay);
    if (st != GNTST_okay)
        return;
    const volatile uint32_t *page = (const volatile uint32_t *)RO_MAP_VA;
    unsigned int bad = ro_mismatches(page, domid);
    printk("share: read the guest's page through the read-only map: %u bytes/words differ\n", bad);
    if (bad != 0)
        fail("read-only page contents", (int)bad);

    /* The MiB is read-only now: a writable map of a writable grant may not join it, a
     * read-only one may. */
    st = gnttab_map(guest, GNTTAB_RESERVED_XENSTORE, RO_MAP_VA + PAGE_SIZE, &store_ro);
    check_status("writable map in the read-only MiB", st, GNTST_bad_virt_addr);
    if (st == GNTST_okay)
        (void)gnttab_unmap(store_ro, RO_MAP_VA + PAGE_SIZE);
    st = gnttab_map_readonly(guest, GNTTAB_RESERVED_XENSTORE, RO_MAP_VA + PAGE_SIZE, &store_ro);
    check_status("read-only map of the (writable) store grant", st, GNTST_okay);
    if (st == GNTST_okay) {
        const uint32_t magic = ((const volatile struct share_msg *)(RO_MAP_VA + PAGE_SIZE))->magic;
        if (magic != SHARE_REQUEST)
            fail("the store page read through a read-only map", (int)magic);
        check_status("unmap the read-only store map", gnttab_unmap(store_ro, RO_MAP_VA + PAGE_SIZE), GNTST_okay);
    }

    /* Hypercalls: the VMM reads through the map (console_io prints the page's text) but
     * will not write through it. */
    char text[RO_TEXT_BYTES];
    ro_text(text, domid);
    const uint32_t len = (uint32_t)strlen(text);
    check_status("console_io from the read-only map",
                 HYPERVISOR_console_io(CONSOLEIO_write, len, (const void *)RO_MAP_VA), (int)len);
    check_status("xen_version writing into the read-only map",
                 HYPERVISOR_xen_version(XENVER_extraversion, (void *)(RO_MAP_VA + 0x200)), -XEN_EFAULT);

    /* An unwritable output argument is refused before the hypercall acts: no port is
     * allocated for an alloc_unbound whose OUT field cannot be written, no page mapped for
     * an mmu_update whose done count cannot be. */
    struct evtchn_alloc_unbound probe = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    int first = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &probe);
    struct evtchn_close close = {.port = probe.port};
    (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
    check_status("alloc_unbound with its request in the read-only map",
                 HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, (void *)(RO_MAP_VA + RO_ALLOC_OFFSET)),
                 -XEN_EFAULT);
    struct evtchn_alloc_unbound again = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    int second = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &again);
    printk("share: the next free port before and after: %s\n",
           first == 0 && second == 0 && again.port == probe.port ? "the same" : "different (one leaked)");
    if (first != 0 || second != 0 || again.port != probe.port)
        fail("a port leaked by the refused alloc_unbound", (int)again.port);
    close.port = again.port;
    (void)HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
    void *spare = alloc_page();
    if (spare == NULL) {
        fail("out of memory", 0);
    } else {
        const struct mmu_update req = {.ptr = SPARE_MAP_VA | MMU_NORMAL_PT_UPDATE,
                                       .val = arch_virt_to_mach(spare) | XA_PTE_PRESENT | XA_PTE_RW};
        check_status("mmu_update with its done count in the read-only map",
                     HYPERVISOR_mmu_update(&req, 1, (uint32_t *)(RO_MAP_VA + 0x300), DOMID_SELF), -XEN_EFAULT);
        check_status("unmap the page it would have mapped", HYPERVISOR_update_va_mapping(SPARE_MAP_VA, 0, UVMF_INVLPG),
                     -XEN_ENOENT);
        free_page(spare);
    }

    /* A store from virtual kernel mode: bounced to our handler as a permission fault in ARM
     * domain 3, dom0's tag's read-only domain (client in kernel mode, AP user read-only). */
    struct pv_fault_record rec;
    pv_expect_fault(&rec);
    pv_probe_write(RO_MAP_VA + 0x100, 0xBADC0DEU);
    check_fault("write to the read-only map", &rec, RO_MAP_VA + 0x100, 0xFU, 3U);
    /* A load from virtual user mode: domain 3 is no-access there. */
    user_load(RO_MAP_VA + 0x40);
    check_fault("user-mode read of the read-only map", &user_fault, RO_MAP_VA + 0x40, 0xBU, 3U);
    bad = ro_mismatches(page, domid);
    if (bad != 0)
        fail("read-only page changed by the attempts", (int)bad);

    /* Let the guest look at its entry while we hold the map. */
    msg->reply = SHARE_MAPPED;
    int rc = notify_remote_via_evtchn(port);
    if (rc != 0)
        fail("notify the guest (mapped)", rc);
    if (!wait_event_deadline(&share_wq, ack_ready, msg, NOW() + SHARE_TIMEOUT))
        fail("no ack from the guest within 5 s", (int)notifications);
    check_status("unmap the read-only map", gnttab_unmap(h, RO_MAP_VA), GNTST_okay);
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
    if (ro_mode()) {
        share_backend_readonly(guest, port, msg);
    } else if ((st = gnttab_map(guest, msg->ref, DATA_MAP_VA, &data_handle)) != GNTST_okay) {
        fail("map the guest's data page", st);
    } else {
        volatile uint32_t *data = (volatile uint32_t *)DATA_MAP_VA;
        unsigned int bad = mismatches(data, msg->domid, pattern);
        if (bad != 0)
            fail("request pattern: words differing", (int)bad);
        for (uint32_t i = 0; i < SHARE_WORDS; i++)
            data[i] = reply_pattern(msg->domid, i);
        /* A grant map goes only through GNTTABOP_unmap_grant_ref: an ordinary unmap of its
         * address is refused (-EPERM) and the map, its handle and the guest's flags stay. */
        check_status("update_va_mapping(0) over the grant map",
                     HYPERVISOR_update_va_mapping(DATA_MAP_VA, 0, UVMF_INVLPG), -XEN_EPERM);
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
