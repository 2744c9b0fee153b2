/*
 * app=ftio (a domU with fault_tolerance = vm and periodic checkpoints, in a split-driver
 * system): block I/O and ring-test traffic through dom0 across a rollback
 * (docs/fault-tolerance.md, "Devices across a rollback").
 *
 * The main thread repeats rounds until until=<ms> of system time: round r writes an area
 * of `sectors` sectors (default 32, one page per request), area r mod `areas` of its disk,
 * with a pattern of the round and the sector, reads it back and checks it; with ring=N it
 * then sends N requests through the ring-test device (each answered once, checked); with
 * net=N it broadcasts N frames and takes the frames that came (another domain's). The
 * rollback comes from dom0's shell (`rollback <dom>`), or with at=<ms> from another
 * thread, which faults where the VMM cannot bounce it (a data abort with upcalls masked)
 * while the main thread waits for dom0; the fault is transient, only while the VMM counts
 * no rollback of the domain (XA_DOMCTL_ftinfo about itself), as ftauto's. Either way the
 * domain goes back to its last checkpoint, its frontends reconnect and it goes on.
 *
 * The disk is not rolled back: the rounds lost keep what they wrote, and the replay
 * writes them again. Areas rotate so that a round's area is written again before it is
 * read (as long as fewer than `areas` - 1 rounds are lost), and every area is read at the
 * end: a stale write applied after a newer one (a request of the old ring applied after
 * the reconnect, say) would read back wrong.
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/frontends.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"
#include "minios/time.h"
#include "pv.h"

#define PER_PAGE (PAGE_SIZE / XEN_BLKIF_SECTOR_SIZE)

static volatile uintptr_t unmapped = 0x4; /* the guest vectors' MiB, never mapped */
static volatile uint32_t round;

static uint32_t rollbacks(void)
{
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_ftinfo, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = domain_id()};
    return HYPERVISOR_domctl(&op) == 0 ? op.u.ftinfo.rollbacks : 0;
}

static void fault_thread(void *arg)
{
    const s_time_t at = *(const s_time_t *)arg;
    sleep_until(at);
    if (rollbacks() != 0)
        return;
    printk("ftio: faulting in round %u, the main thread waiting for dom0\n", (unsigned int)round);
    local_irq_disable();
    *(volatile uint32_t *)unmapped = 1;
    printk("ftio: the fault returned\n");
}

static uint32_t word(uint32_t r, uint32_t sector, uint32_t w)
{
    return (r * 0x9E3779B9U) ^ (sector << 16) ^ w ^ 0xF7100000U;
}

static void fill(uint32_t *buf, uint32_t r, uint32_t first)
{
    for (uint32_t s = 0; s < PER_PAGE; s++) {
        for (uint32_t w = 0; w < XEN_BLKIF_SECTOR_SIZE / 4; w++)
            buf[s * (XEN_BLKIF_SECTOR_SIZE / 4) + w] = word(r, first + s, w);
    }
}

/* Sectors of the page that differ from round r's pattern. */
static uint32_t differ(const uint32_t *buf, uint32_t r, uint32_t first)
{
    uint32_t bad = 0;
    for (uint32_t s = 0; s < PER_PAGE; s++) {
        for (uint32_t w = 0; w < XEN_BLKIF_SECTOR_SIZE / 4; w++) {
            if (buf[s * (XEN_BLKIF_SECTOR_SIZE / 4) + w] != word(r, first + s, w)) {
                bad++;
                break;
            }
        }
    }
    return bad;
}

static uint32_t check_area(struct blkfront *bf, uint32_t *buf, uint32_t r, uint32_t first, uint32_t sectors,
                           uint32_t *requests, uint32_t *errors)
{
    uint32_t bad = 0;
    for (uint32_t s = first; s < first + sectors; s += PER_PAGE) {
        memset(buf, 0, PAGE_SIZE);
        *errors += blkfront_io(bf, BLKIF_OP_READ, s, buf, PER_PAGE) != BLKIF_RSP_OKAY ? 1U : 0U;
        ++*requests;
        bad += differ(buf, r, s);
    }
    return bad;
}

static void ftio_main(void)
{
    static s_time_t at;
    at = (s_time_t)cmdline_get_u32("at", 0) * 1000000;
    const s_time_t until = (s_time_t)cmdline_get_u32("until", 300) * 1000000;
    const uint32_t sectors = cmdline_get_u32("sectors", 32) / PER_PAGE * PER_PAGE;
    const uint32_t ring = cmdline_get_u32("ring", 0);
    const uint32_t net = cmdline_get_u32("net", 0);
    if (xenbus_init() != 0) {
        printk("ftio: FAIL no store\n");
        return;
    }
    static struct blkfront bf;
    static struct ringfront rf;
    static struct netfront nf;
    int rc = blkfront_connect(&bf, NOW() + XENBUS_TIMEOUT);
    if (rc == 0 && ring != 0)
        rc = ringfront_connect(&rf, NOW() + XENBUS_TIMEOUT);
    if (rc == 0 && net != 0)
        rc = netfront_connect(&nf, NOW() + XENBUS_TIMEOUT);
    uint32_t *buf = alloc_page();
    const uint32_t areas = sectors != 0 ? bf.sectors / sectors : 0;
    if (rc != 0 || buf == NULL || areas < 2) {
        printk("ftio: FAIL connect: %d\n", rc);
        return;
    }
    printk("ftio: connected: %u areas of %u sectors%s\n", (unsigned int)areas, (unsigned int)sectors,
           ring != 0 ? ", ring-test device" : "");
    if (at != 0)
        (void)create_thread("fault", fault_thread, &at);
    uint32_t requests = 0, errors = 0, bad = 0, sent = 0, received = 0;
    struct ringfront_stats total = {0};
    while (NOW() < until) {
        round++;
        const uint32_t first = round % areas * sectors;
        for (uint32_t s = first; s < first + sectors; s += PER_PAGE) {
            fill(buf, round, s);
            errors += blkfront_io(&bf, BLKIF_OP_WRITE, s, buf, PER_PAGE) != BLKIF_RSP_OKAY ? 1U : 0U;
            requests++;
        }
        bad += check_area(&bf, buf, round, first, sectors, &requests, &errors);
        if (ring != 0) {
            struct ringfront_stats st;
            if (ringfront_run(&rf, ring, &st, NOW() + XENBUS_TIMEOUT) != 0)
                errors++;
            total.answered += st.answered;
            total.lost += st.lost;
            total.duplicated += st.duplicated;
            total.bad_sum += st.bad_sum;
            total.out_of_order += st.out_of_order;
        }
        for (uint32_t i = 0; i < net; i++) {
            static uint8_t frame[XA_NETIF_MIN_FRAME];
            memset(frame, 0xFF, 6); /* broadcast */
            memcpy(frame + 6, nf.mac, 6);
            frame[12] = 0x88; /* a local experimental ethertype */
            frame[13] = 0xB5;
            memcpy(frame + 14, (const void *)&round, sizeof round);
            errors += netfront_send(&nf, frame, sizeof frame, NOW() + XENBUS_TIMEOUT) != 0 ? 1U : 0U;
            sent++;
        }
        if (net != 0) {
            static uint8_t in[XA_NETIF_MTU_FRAME];
            while (netfront_recv(&nf, in, sizeof in, NOW()) > 0)
                received++;
        }
    }
    /* Each area holds the last round that wrote it. */
    for (uint32_t r = round >= areas ? round - areas + 1 : 1; r <= round; r++)
        bad += check_area(&bf, buf, r, r % areas * sectors, sectors, &requests, &errors);
    printk("ftio: %u rounds, %u block requests: %u errors, %u sectors read back wrong; rollbacks %u, "
           "reconnects %u\n",
           (unsigned int)round, (unsigned int)requests, (unsigned int)errors, (unsigned int)bad,
           (unsigned int)rollbacks(), (unsigned int)bf.link.reconnects);
    if (ring != 0)
        printk("ftio: ring: %u answered, %u lost, %u duplicated, %u wrong, %u out of order\n",
               (unsigned int)total.answered, (unsigned int)total.lost, (unsigned int)total.duplicated,
               (unsigned int)total.bad_sum, (unsigned int)total.out_of_order);
    if (net != 0)
        printk("ftio: net: %u frames sent, %u received\n", (unsigned int)sent, (unsigned int)received);
    const bool ok = errors == 0 && bad == 0 && total.lost == 0 && total.duplicated == 0 && total.bad_sum == 0;
    (void)blkfront_disconnect(&bf, NOW() + XENBUS_TIMEOUT);
    if (ring != 0)
        (void)ringfront_disconnect(&rf, NOW() + XENBUS_TIMEOUT);
    if (net != 0)
        (void)netfront_disconnect(&nf, NOW() + XENBUS_TIMEOUT);
    printk("ftio: %s\n", ok ? "ok" : "FAIL");
}
MINIOS_APP("ftio", ftio_main);
