/*
 * app=guest (pv): a guest of a split-driver system, using dom0's devices through its
 * frontends. Run with console=ring so that its console goes through dom0 too.
 *
 *   store=1            the store: read, write, directory, rm, watches, permissions
 *   storetx=1          store transactions: commit, abort, isolation (conflicts with
 *                      our own and dom0's writes: EAGAIN), watches on commit, limits;
 *                      leaves two transactions open for dom0 to drop
 *   ring=N             N requests through the ring-test device: prints what came back
 *                      (lost, duplicated, wrong) and the ring's throughput
 *   blk=1              the block device: initial contents, write/read-back patterns over
 *                      the whole disk, bad requests rejected, flush, round-trip cost
 *   net=ping peer=D    frames=N (default 10) echo requests of every size to dom D, checked
 *                      and timed, then N more of the minimum frame size (60 bytes), timed
 *   net=echo           answers echo requests; frames=N stops after N (default: never; a
 *                      pinger with frames=N sends 2N)
 *   attack=all         a malicious frontend: store permission and format abuse, bad
 *                      grant refs and overlong requests on every device, then impossible
 *                      ring indices on vbd and vtest, then a corrupt store message
 *   hold=1             afterwards, connect vbd, vif and vtest and keep them connected
 *                      (until the domain is destroyed)
 *   stay=1             afterwards, a console command loop (input from dom0's 'console'):
 *                      ping <dom> <n>, blk, echo <text>, quit
 * Each part prints "<part>: ok" or "<part>: FAIL ..."; at the end "guest: done, N
 * failure(s)". The app then shuts the domain down (dom0 reaps it).
 */
#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/frontends.h"
#include "minios/gnttab.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"
#include "minios/xenbus.h"
#include "minios/xencons.h"
#include "pv.h"

#define CONNECT_TIMEOUT MILLISECS(10000)
#define NS_PER_INSN 8U /* -icount shift=3 */

static unsigned int failures;

static void fail(const char *part, const char *what, long long got)
{
    printk("%s: FAIL %s (got %lld)\n", part, what, got);
    failures++;
}

/* requests per million instructions, to one decimal, from a count and virtual time */
static void print_rate(const char *part, uint32_t count, uint64_t ns)
{
    if (ns == 0)
        ns = 1;
    const uint64_t tenths = (uint64_t)count * 10U * 1000000U * NS_PER_INSN / ns;
    printk("%s: %u requests in %llu ns = %llu instructions: %llu.%llu requests per million instructions\n", part,
           (unsigned int)count, (unsigned long long)ns, (unsigned long long)(ns / NS_PER_INSN),
           (unsigned long long)(tenths / 10U), (unsigned long long)(tenths % 10U));
}

/* ---- store ---- */

static void store_check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("store: %s: ok\n", what);
    else
        fail("store", what, got);
}

static void test_store(void)
{
    const unsigned int before = failures;
    char v[XENBUS_VALUE_MAX], path[XENBUS_PATH_MAX], want[XENBUS_PATH_MAX];
    int rc = xenbus_write("data/x", "1");
    store_check("write data/x", rc == 0, rc);
    rc = xenbus_read("data/x", v, sizeof v);
    store_check("read it back", rc == 1 && strcmp(v, "1") == 0, rc);
    rc = xenbus_printf("data/y", "%u", 42U);
    char names[64];
    rc = xenbus_directory("data", names, sizeof names);
    store_check("directory data lists x and y", rc == 4 && strcmp(names, "x") == 0 && strcmp(names + 2, "y") == 0,
                rc);
    rc = xenbus_watch("data", "t1");
    store_check("watch data", rc == 0, rc);
    snprintf(want, sizeof want, "/local/domain/%u/data", domain_id());
    bool got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    store_check("the watch fires once when set", got && strcmp(path, want) == 0, got);
    rc = xenbus_write("data/z", "zz");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    snprintf(want, sizeof want, "/local/domain/%u/data/z", domain_id());
    store_check("a write below it fires it with the node's path", got && strcmp(path, want) == 0, got);
    rc = xenbus_rm("data");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    store_check("removing the subtree fires it", rc == 0 && got, rc);
    rc = xenbus_read("data/x", v, sizeof v);
    store_check("removed nodes are gone", rc == -XEN_ENOENT, rc);
    rc = xenbus_unwatch("data", "t1");
    store_check("unwatch", rc == 0, rc);
    rc = xenbus_write("data/q", "1");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(200));
    store_check("no event after unwatch", !got, got);
    (void)xenbus_rm("data");
    snprintf(path, sizeof path, "/local/domain/0/backend/vbd/%u/0/state", domain_id());
    rc = xenbus_read(path, v, sizeof v);
    store_check("read my backend's state", rc > 0, rc);
    snprintf(path, sizeof path, "/local/domain/%u/name", domain_id() == 1 ? 2U : 1U);
    rc = xenbus_read(path, v, sizeof v);
    store_check("read another guest's node refused", rc == -XB_EACCES, rc);
    uint32_t type = 0;
    rc = xenbus_raw(XS_GET_DOMAIN_PATH, "7", 2, &type, v, sizeof v);
    store_check("get_domain_path 7", type == XS_GET_DOMAIN_PATH && strcmp(v, "/local/domain/7") == 0, type);
    if (failures == before)
        printk("store: ok\n");
}

/* ---- store transactions ---- */

static void tx_check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("storetx: %s: ok\n", what);
    else
        fail("storetx", what, got);
}

static void drain_events(const char *token)
{
    while (xenbus_wait_event(token, NULL, 0, NOW() + MILLISECS(100)))
        ;
}

static struct ringfront tx_ring;

static void test_store_tx(void)
{
    const unsigned int before = failures;
    char v[XENBUS_VALUE_MAX], path[XENBUS_PATH_MAX], names[64];
    xenbus_transaction_t t = XBT_NIL;
    (void)xenbus_rm("tx");
    int rc = xenbus_watch("tx", "tw");
    drain_events("tw"); /* the event of the watch itself */

    /* commit */
    rc = xenbus_transaction_start(&t);
    tx_check("start gives an id", rc == 0 && t != XBT_NIL, rc);
    rc = xenbus_write_tx(t, "tx/a", "1");
    if (rc == 0)
        rc = xenbus_write_tx(t, "tx/b", "2");
    tx_check("write two nodes in it", rc == 0, rc);
    rc = xenbus_read_tx(t, "tx/a", v, sizeof v);
    tx_check("it sees its own writes", rc == 1 && strcmp(v, "1") == 0, rc);
    rc = xenbus_directory_tx(t, "tx", names, sizeof names);
    tx_check("its directory lists them", rc == 4 && strcmp(names, "a") == 0 && strcmp(names + 2, "b") == 0, rc);
    rc = xenbus_read("tx/a", v, sizeof v);
    tx_check("nobody else sees them before the commit", rc == -XEN_ENOENT, rc);
    bool got = xenbus_wait_event("tw", NULL, 0, NOW() + MILLISECS(200));
    tx_check("no watch event before the commit", !got, got);
    rc = xenbus_transaction_end(t, false);
    tx_check("commit", rc == 0, rc);
    int r2 = xenbus_read("tx/b", v, sizeof v);
    tx_check("both values are in the store", xenbus_read("tx/a", v, sizeof v) == 1 && r2 == 1, r2);
    got = xenbus_wait_event("tw", path, sizeof path, NOW() + MILLISECS(2000));
    tx_check("the watch fires on commit", got, got);
    drain_events("tw");
    rc = xenbus_read_tx(t, "tx/a", v, sizeof v);
    tx_check("an ended transaction is gone (ENOENT)", rc == -XEN_ENOENT, rc);

    /* abort */
    rc = xenbus_transaction_start(&t);
    if (rc == 0)
        rc = xenbus_write_tx(t, "tx/c", "3");
    if (rc == 0)
        rc = xenbus_rm_tx(t, "tx/a");
    r2 = xenbus_read_tx(t, "tx/a", v, sizeof v);
    tx_check("an rm in it hides the node from it", rc == 0 && r2 == -XEN_ENOENT, r2);
    rc = xenbus_transaction_end(t, true);
    tx_check("abort", rc == 0, rc);
    rc = xenbus_read("tx/c", v, sizeof v);
    r2 = xenbus_read("tx/a", v, sizeof v);
    tx_check("an abort applies nothing", rc == -XEN_ENOENT && r2 == 1, rc);
    got = xenbus_wait_event("tw", NULL, 0, NOW() + MILLISECS(200));
    tx_check("no watch event after an abort", !got, got);

    /* a write outside the transaction to a node it read */
    rc = xenbus_transaction_start(&t);
    r2 = xenbus_read_tx(t, "tx/a", v, sizeof v);
    if (rc == 0)
        rc = xenbus_write_tx(t, "tx/d", "4");
    if (rc == 0)
        rc = xenbus_write("tx/a", "changed");
    if (rc == 0)
        rc = xenbus_transaction_end(t, false);
    tx_check("a write to a node it read, from outside: commit EAGAIN", r2 == 1 && rc == -XB_EAGAIN, rc);
    rc = xenbus_read("tx/d", v, sizeof v);
    tx_check("nothing of it applied", rc == -XEN_ENOENT, rc);
    drain_events("tw");

    /* dom0 changes a node it read: the backend's state, as the ring-test device closes */
    rc = ringfront_connect(&tx_ring, NOW() + CONNECT_TIMEOUT);
    tx_check("vtest connected (details and state published in one transaction)", rc == 0, rc);
    rc = xenbus_transaction_start(&t);
    snprintf(path, sizeof path, "%s/state", tx_ring.dev.backend);
    r2 = xenbus_read_tx(t, path, v, sizeof v);
    if (rc == 0)
        rc = xenbus_write_tx(t, "tx/e", "5");
    int dc = ringfront_disconnect(&tx_ring, NOW() + CONNECT_TIMEOUT);
    if (rc == 0)
        rc = xenbus_transaction_end(t, false);
    tx_check("dom0 wrote the backend state it read: commit EAGAIN", dc == 0 && r2 == 1 && rc == -XB_EAGAIN, rc);
    rc = xenbus_read("tx/e", v, sizeof v);
    tx_check("nothing of that one applied", rc == -XEN_ENOENT, rc);

    /* the usual retry loop, with a conflict on the first attempt */
    unsigned int attempts = 0;
    do {
        rc = xenbus_transaction_start(&t);
        if (rc < 0)
            break;
        (void)xenbus_read_tx(t, "tx/a", v, sizeof v);
        (void)xenbus_printf_tx(t, "tx/f", "%u", attempts);
        if (attempts == 0)
            (void)xenbus_write("tx/a", "again");
        rc = xenbus_transaction_end(t, false);
        attempts++;
    } while (rc == -XB_EAGAIN && attempts < 5);
    r2 = xenbus_read("tx/f", v, sizeof v);
    tx_check("the retry loop commits at the second attempt", rc == 0 && attempts == 2 && strcmp(v, "1") == 0,
             attempts);
    (void)xenbus_unwatch("tx", "tw");

    /* limits */
    xenbus_transaction_t many[5];
    unsigned int open = 0;
    for (unsigned int i = 0; i < 5; i++) {
        rc = xenbus_transaction_start(&many[i]);
        if (rc < 0)
            break;
        open++;
    }
    tx_check("a fifth open transaction refused (ENOSPC)", open == 4 && rc == -XEN_ENOSPC, rc);
    unsigned int made = 0;
    for (unsigned int i = 0; i < 20; i++) {
        snprintf(path, sizeof path, "tx/m%u", i);
        rc = xenbus_write_tx(many[0], path, "m");
        if (rc < 0)
            break;
        made++;
    }
    tx_check("16 changes in a transaction, the 17th refused (ENOSPC)", made == 16 && rc == -XEN_ENOSPC, made);
    char big[120];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rc = xenbus_write_tx(many[1], "tx/big", big);
    r2 = xenbus_write_tx(many[1], "/local/domain/0/tx", "1");
    tx_check("an oversized value (E2BIG) and dom0's node (EACCES) refused in it", rc == -XB_E2BIG && r2 == -XB_EACCES,
             rc);
    uint32_t type = 0;
    (void)xenbus_raw_tx(many[1], XS_TRANSACTION_END, "X", 2, &type, v, sizeof v);
    rc = xenbus_read_tx(many[1], "tx/big", v + 16, sizeof v - 16);
    tx_check("an end that is neither T nor F: EINVAL, the transaction stays",
             type == XS_ERROR && strcmp(v, "EINVAL") == 0 && rc == -XEN_ENOENT, rc);
    rc = xenbus_read_tx(0x5eed, "tx/a", v, sizeof v);
    tx_check("an unknown transaction id: ENOENT", rc == -XEN_ENOENT, rc);
    rc = xenbus_transaction_end(many[1], false);
    r2 = xenbus_read("tx/big", v, sizeof v);
    tx_check("its commit applies nothing of the refused writes", rc == 0 && r2 == -XEN_ENOENT, r2);
    rc = xenbus_transaction_end(many[0], false);
    tx_check("the 16 changes commit", rc == 0 && xenbus_read("tx/m15", v, sizeof v) == 1, rc);
    /* Fill the node quota, free two nodes, then commit three new ones. */
    unsigned int filled = 0;
    for (unsigned int i = 0; i < 80; i++) {
        snprintf(path, sizeof path, "tx/q%u", i);
        if (xenbus_write(path, "q") < 0)
            break;
        filled++;
    }
    (void)xenbus_rm("tx/q0");
    (void)xenbus_rm("tx/q1");
    rc = xenbus_transaction_start(&t);
    for (unsigned int i = 0; rc == 0 && i < 3; i++) {
        snprintf(path, sizeof path, "tx/n%u", i);
        rc = xenbus_write_tx(t, path, "n");
    }
    if (rc == 0)
        rc = xenbus_transaction_end(t, false);
    r2 = xenbus_read("tx/n0", v, sizeof v);
    tx_check("a commit over the node quota: ENOSPC, nothing applied",
             filled > 10 && filled < 64 && rc == -XEN_ENOSPC && r2 == -XEN_ENOENT, rc);
    rc = xenbus_transaction_start(&t);
    for (unsigned int i = 0; rc == 0 && i < 2; i++) {
        snprintf(path, sizeof path, "tx/n%u", i);
        rc = xenbus_write_tx(t, path, "n");
    }
    if (rc == 0)
        rc = xenbus_transaction_end(t, false);
    tx_check("one that fits commits", rc == 0 && xenbus_read("tx/n1", v, sizeof v) == 1, rc);
    (void)xenbus_rm("tx");
    /* many[2] and many[3] stay open: dom0 drops them when this domain goes. */
    if (failures == before)
        printk("storetx: ok\n");
}

/* ---- ring ---- */

static void test_ring(uint32_t count)
{
    struct ringfront rf;
    int rc = ringfront_connect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        {
        fail("ring", "connect", rc);
        return;
    }
    printk("ring: connected, %u slots\n", rf.ring.nr_ents);
    struct ringfront_stats st;
    const s_time_t t0 = NOW();
    rc = ringfront_run(&rf, count, &st, NOW() + MILLISECS(60000));
    const s_time_t t1 = NOW();
    if (rc != 0)
        fail("ring", "run", rc);
    printk("ring: %u answered, %u lost, %u duplicated, %u wrong, %u out of order\n", (unsigned int)st.answered,
           (unsigned int)st.lost, (unsigned int)st.duplicated, (unsigned int)st.bad_sum,
           (unsigned int)st.out_of_order);
    printk("ring: back-pressure: ring full %u times; %u sleeps, %u notifications sent\n",
           (unsigned int)st.full_waits, (unsigned int)st.sleeps, (unsigned int)st.notifies);
    print_rate("ring", st.answered, t1 - t0);
    if (st.answered != count || st.lost != 0 || st.duplicated != 0 || st.bad_sum != 0 || st.out_of_order != 0)
        fail("ring", "requests lost, duplicated or wrong", (long long)st.lost);
    if (count > 2 * rf.ring.nr_ents && st.full_waits == 0)
        fail("ring", "the ring never filled up", 0);
    rc = ringfront_disconnect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        fail("ring", "disconnect", rc);
    if (failures == 0)
        printk("ring: ok\n");
}

/* ---- block ---- */

/* The RAM-disk image's contents (domains/mkramdisk.py writes them; dom0 serves them from
 * the boot image): word i of sector s of guest d's slice. */
static uint32_t initial_word(uint32_t dom, uint32_t sector, uint32_t word)
{
    return 0xD15C0000U ^ (dom << 24) ^ (sector << 7) ^ word;
}

/* zlib's CRC-32, continued over several buffers (start with crc = 0): the test compares
 * it with the image file's slice. Four bits at a time. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static const uint32_t nibble[16] = {
        0x00000000U, 0x1DB71064U, 0x3B6E20C8U, 0x26D930ACU, 0x76DC4190U, 0x6B6B51F4U, 0x4DB26158U, 0x5005713CU,
        0xEDB88320U, 0xF00F9344U, 0xD6D6A3E8U, 0xCB61B38CU, 0x9B64C2B0U, 0x86D3D2D4U, 0xA00AE278U, 0xBDBDF21CU,
    };
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ nibble[crc & 0xFU];
        crc = (crc >> 4) ^ nibble[crc & 0xFU];
    }
    return ~crc;
}

static uint32_t test_word(uint32_t dom, uint32_t sector, uint32_t word)
{
    return 0xB10C0000U ^ (dom << 20) ^ (sector * 2654435761U) ^ (word * 40503U);
}

static bool blk_fill_check(uint32_t *buf, uint32_t first, uint32_t n, bool check,
                           uint32_t (*pattern)(uint32_t, uint32_t, uint32_t))
{
    const uint32_t dom = domain_id();
    const uint32_t words = XEN_BLKIF_SECTOR_SIZE / 4;
    for (uint32_t s = 0; s < n; s++) {
        for (uint32_t i = 0; i < words; i++) {
            const uint32_t want = pattern(dom, first + s, i);
            if (!check)
                buf[s * words + i] = want;
            else if (buf[s * words + i] != want)
                return false;
        }
    }
    return true;
}

static int blk_bad(struct blkfront *bf, struct blkif_request req)
{
    struct blkif_response rsp;
    req.id = 0xBAD;
    int rc = blkfront_submit(bf, &req, &rsp);
    return rc != 0 ? rc : rsp.status;
}

static void test_blk(void)
{
    struct blkfront bf;
    int rc = blkfront_connect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        {
        fail("blk", "connect", rc);
        return;
    }
    const unsigned int before = failures;
    printk("blk: connected: %u sectors of %u bytes\n", (unsigned int)bf.sectors, (unsigned int)bf.sector_size);
    const uint32_t chunk_max = 32; /* sectors per request: 4 pages */
    uint32_t *buf = alloc_pages(chunk_max * XEN_BLKIF_SECTOR_SIZE / PAGE_SIZE);
    if (buf == NULL)
        {
        fail("blk", "out of memory", 0);
        return;
    }

    /* Initial contents: the disk image's pattern, unless this slice was written before. */
    uint32_t initial = 0, crc = 0;
    for (uint32_t s = 0; s < bf.sectors; s += chunk_max) {
        const uint32_t n = bf.sectors - s < chunk_max ? bf.sectors - s : chunk_max;
        rc = blkfront_io(&bf, BLKIF_OP_READ, s, buf, n);
        if (rc != BLKIF_RSP_OKAY)
            {
        fail("blk", "read", rc);
        return;
    }
        for (uint32_t k = 0; k < n; k++)
            initial += blk_fill_check(buf + k * XEN_BLKIF_SECTOR_SIZE / 4, s + k, 1, true, initial_word) ? 1U : 0U;
        crc = crc32_update(crc, (const uint8_t *)buf, n * XEN_BLKIF_SECTOR_SIZE);
    }
    printk("blk: %u of %u sectors hold the disk image's pattern; crc32 0x%08x\n", (unsigned int)initial,
           (unsigned int)bf.sectors, (unsigned int)crc);

    /* Write a pattern over the whole disk in requests of varying length, read it back
     * in other lengths. */
    static const uint32_t write_sizes[] = {1, 8, 13, 32, 3, 24, 7};
    static const uint32_t read_sizes[] = {32, 5, 16, 1, 9};
    uint32_t s = 0;
    for (unsigned int k = 0; s < bf.sectors; k++) {
        uint32_t n = write_sizes[k % ARRAY_SIZE(write_sizes)];
        if (n > bf.sectors - s)
            n = bf.sectors - s;
        (void)blk_fill_check(buf, s, n, false, test_word);
        rc = blkfront_io(&bf, BLKIF_OP_WRITE, s, buf, n);
        if (rc != BLKIF_RSP_OKAY)
            {
        fail("blk", "write", rc);
        return;
    }
        s += n;
    }
    rc = blkfront_flush(&bf);
    if (rc != BLKIF_RSP_OKAY)
        fail("blk", "flush", rc);
    uint32_t bad = 0;
    s = 0;
    for (unsigned int k = 0; s < bf.sectors; k++) {
        uint32_t n = read_sizes[k % ARRAY_SIZE(read_sizes)];
        if (n > bf.sectors - s)
            n = bf.sectors - s;
        memset(buf, 0, n * XEN_BLKIF_SECTOR_SIZE);
        rc = blkfront_io(&bf, BLKIF_OP_READ, s, buf, n);
        if (rc != BLKIF_RSP_OKAY)
            {
        fail("blk", "read back", rc);
        return;
    }
        for (uint32_t j = 0; j < n; j++)
            bad += blk_fill_check(buf + j * XEN_BLKIF_SECTOR_SIZE / 4, s + j, 1, true, test_word) ? 0U : 1U;
        s += n;
    }
    printk("blk: wrote and read back %u sectors: %u differ\n", (unsigned int)bf.sectors, (unsigned int)bad);
    if (bad != 0)
        fail("blk", "sectors differ after write/read-back", bad);

    /* Bad requests: each rejected, nothing else disturbed. */
    rc = blkfront_io(&bf, BLKIF_OP_READ, bf.sectors, buf, 1);
    printk("blk: read sector %u (one past the end): %d\n", (unsigned int)bf.sectors, rc);
    if (rc != BLKIF_RSP_ERROR)
        fail("blk", "read past the end accepted", rc);
    rc = blkfront_io(&bf, BLKIF_OP_WRITE, bf.sectors - 1, buf, 2);
    printk("blk: write sectors %u..%u (across the end): %d\n", (unsigned int)bf.sectors - 1,
           (unsigned int)bf.sectors, rc);
    if (rc != BLKIF_RSP_ERROR)
        fail("blk", "write across the end accepted", rc);
    rc = blkfront_io(&bf, BLKIF_OP_READ, 0xFFFFFFFF00000000ULL, buf, 1);
    printk("blk: read sector 2^64 - 2^32: %d\n", rc);
    if (rc != BLKIF_RSP_ERROR)
        fail("blk", "huge sector accepted", rc);
    rc = blk_bad(&bf, (struct blkif_request){.operation = 77, .nr_segments = 1});
    printk("blk: unknown operation: %d\n", rc);
    if (rc != BLKIF_RSP_EOPNOTSUPP)
        fail("blk", "unknown operation", rc);

    /* Round trip: one-sector reads. */
    const unsigned int rounds = 64;
    const s_time_t t0 = NOW();
    for (unsigned int k = 0; k < rounds; k++) {
        rc = blkfront_io(&bf, BLKIF_OP_READ, k % bf.sectors, buf, 1);
        if (rc != BLKIF_RSP_OKAY)
            {
        fail("blk", "timed read", rc);
        return;
    }
    }
    const uint64_t ns = (uint64_t)(NOW() - t0) / rounds;
    printk("blk: round trip (1-sector read): %llu ns = %llu instructions\n", (unsigned long long)ns,
           (unsigned long long)(ns / NS_PER_INSN));
    /* The data is still there after all that. */
    rc = blkfront_io(&bf, BLKIF_OP_READ, 0, buf, 8);
    if (rc != BLKIF_RSP_OKAY || !blk_fill_check(buf, 0, 8, true, test_word))
        fail("blk", "data changed by rejected requests", rc);
    rc = blkfront_disconnect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        fail("blk", "disconnect", rc);
    free_pages(buf, chunk_max * XEN_BLKIF_SECTOR_SIZE / PAGE_SIZE);
    if (failures == before)
        printk("blk: ok\n");
}

/* ---- network ---- */

#define ETH_TYPE_TEST 0x88B5U /* IEEE local experimental */
#define MAGIC_PING 0x50494E47U
#define MAGIC_PONG 0x504F4E47U

struct test_frame {
    uint8_t dst[6], src[6];
    uint8_t type[2];
    uint8_t pad[2];
    uint32_t magic, seq, len, sum;
    uint8_t data[XA_NETIF_MTU_FRAME - 34]; /* 1512 bytes in all */
};

static struct netfront net;
static bool net_up;
static struct test_frame frame_buf, reply_buf;

static uint32_t checksum(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0x12345678U;
    for (uint32_t i = 0; i < n; i++)
        c = ((c << 5) | (c >> 27)) ^ p[i];
    return c;
}

static bool frame_ok(const struct test_frame *f, int len)
{
    return len >= 32 && f->type[0] == (ETH_TYPE_TEST >> 8) && f->type[1] == (ETH_TYPE_TEST & 0xFF) &&
           f->len <= sizeof f->data && (uint32_t)len == 32 + f->len && checksum(f->data, f->len) == f->sum;
}

static int net_connect(void)
{
    if (net_up)
        return 0;
    int rc = netfront_connect(&net, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        return rc;
    net_up = true;
    printk("net: connected, mac %02x:%02x:%02x:%02x:%02x:%02x\n", net.mac[0], net.mac[1], net.mac[2], net.mac[3],
           net.mac[4], net.mac[5]);
    return 0;
}

/* Sends n echo requests to dom peer, of varying sizes (fixed_len 0) or all with
 * fixed_len bytes of data; returns how many came back right (0 if any came back wrong). */
static uint32_t ping(uint32_t peer, uint32_t n, bool wait_for_peer, uint32_t fixed_len)
{
    struct test_frame *f = &frame_buf;
    const struct test_frame *r = &reply_buf;
    uint32_t answered = 0, bad = 0;
    uint64_t total_ns = 0;
    for (uint32_t seq = 1; seq <= n; seq++) {
        const uint32_t len = fixed_len != 0 ? fixed_len : 28 + (seq * 397U) % (sizeof f->data - 28);
        static const uint8_t oui[3] = {0x00, 0x16, 0x3e};
        memcpy(f->dst, oui, 3);
        f->dst[3] = 0;
        f->dst[4] = 0;
        f->dst[5] = (uint8_t)peer;
        memcpy(f->src, net.mac, 6);
        f->type[0] = ETH_TYPE_TEST >> 8;
        f->type[1] = ETH_TYPE_TEST & 0xFF;
        f->magic = MAGIC_PING;
        f->seq = seq;
        f->len = len;
        for (uint32_t i = 0; i < len; i++)
            f->data[i] = (uint8_t)(seq * 31U + i * 7U);
        f->sum = checksum(f->data, len);
        /* The first one may find the peer not connected yet: try it for a while. */
        const unsigned int tries = seq == 1 && wait_for_peer ? 100U : 1U;
        bool got = false;
        for (unsigned int t = 0; t < tries && !got; t++) {
            const s_time_t t0 = NOW();
            if (netfront_send(&net, f, (uint16_t)(32 + len), NOW() + MILLISECS(1000)) != 0) {
                bad++;
                break;
            }
            for (;;) {
                int rlen = netfront_recv(&net, &reply_buf, sizeof reply_buf, t0 + MILLISECS(100));
                if (rlen == 0)
                    break;
                if (!frame_ok(r, rlen) || r->magic != MAGIC_PONG) {
                    bad++;
                    continue;
                }
                if (r->seq != seq)
                    continue; /* a late answer to an earlier try */
                if (r->len != len || memcmp(r->data, f->data, len) != 0)
                    bad++;
                else
                    got = true;
                total_ns += (uint64_t)(NOW() - t0);
                break;
            }
        }
        answered += got ? 1U : 0U;
    }
    printk("net: ping dom %u: %u/%u answered (%s frames), %u bad frames", (unsigned int)peer,
           (unsigned int)answered, (unsigned int)n, fixed_len != 0 ? "60-byte" : "14..1512-byte",
           (unsigned int)bad);
    if (answered != 0) {
        const uint64_t ns = total_ns / answered;
        printk(", round trip %llu ns = %llu instructions\n", (unsigned long long)ns,
               (unsigned long long)(ns / NS_PER_INSN));
    } else {
        printk("\n");
    }
    return bad == 0 ? answered : 0;
}

/* Answers echo requests until n were answered (0: for ever). */
static void echo(uint32_t n)
{
    struct test_frame *f = &frame_buf;
    uint32_t done = 0, bad = 0;
    while (n == 0 || done < n) {
        int len = netfront_recv(&net, &frame_buf, sizeof frame_buf, 0);
        if (!frame_ok(f, len) || f->magic != MAGIC_PING) {
            bad++;
            continue;
        }
        memcpy(f->dst, f->src, 6);
        memcpy(f->src, net.mac, 6);
        f->magic = MAGIC_PONG;
        if (netfront_send(&net, f, (uint16_t)len, NOW() + MILLISECS(1000)) != 0)
            bad++;
        done++;
    }
    printk("net: echo: %u frames answered, %u bad\n", (unsigned int)done, (unsigned int)bad);
}

static void echo_thread(void *arg)
{
    UNUSED(arg);
    echo(0);
}

static void test_net(const char *mode)
{
    int rc = net_connect();
    if (rc != 0)
        {
        fail("net", "connect", rc);
        return;
    }
    if (strcmp(mode, "ping") == 0) {
        const uint32_t peer = cmdline_get_u32("peer", 2);
        const uint32_t frames = cmdline_get_u32("frames", 10);
        /* frames of every size for the checks, then minimum-size ones for the timing */
        if (ping(peer, frames, true, 0) != frames || ping(peer, frames, false, 28) != frames)
            fail("net", "echo requests unanswered or wrong", 0);
        else
            printk("net: ok\n");
    } else if (strcmp(mode, "echo") == 0) {
        const uint32_t frames = cmdline_get_u32("frames", 0);
        if (frames == 0 && cmdline_get_u32("stay", 0) != 0)
            (void)create_thread("echo", echo_thread, NULL);
        else
            echo(frames);
    } else {
        fail("net", "net= must be ping or echo", 0);
    }
}

/* ---- a malicious frontend ---- */

static void check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("attack: %s: ok\n", what);
    else
        fail("attack", what, got);
}

static int backend_state_after_abuse(struct xenbus_device *dev)
{
    return xenbus_wait_backend(dev, XB_STATE(XenbusStateClosed), NOW() + MILLISECS(5000));
}

static void attack_store(void)
{
    char v[64];
    int rc = xenbus_write("/local/domain/0/name", "owned");
    check("store: write dom0's node refused", rc == -XB_EACCES, rc);
    rc = xenbus_read("/local/domain/0/name", v, sizeof v);
    check("store: read dom0's node refused", rc == -XB_EACCES, rc);
    rc = xenbus_write("/local/domain/0/backend/vbd/1/0/state", "4");
    check("store: write a backend node refused", rc == -XB_EACCES, rc);
    rc = xenbus_read("bad//path", v, sizeof v);
    check("store: malformed path refused", rc == -XEN_EINVAL, rc);
    rc = xenbus_watch("/local/domain/0", "spy");
    check("store: watch on dom0's nodes refused", rc == -XB_EACCES, rc);
    uint32_t type = 0;
    rc = xenbus_raw(XS_SET_PERMS, "x", 2, &type, v, sizeof v);
    check("store: unknown message answered ENOSYS", type == XS_ERROR && strcmp(v, "ENOSYS") == 0, type);
    rc = xenbus_raw(XS_READ, "name", 4, &type, v, sizeof v); /* no NUL */
    check("store: unterminated path refused", type == XS_ERROR, type);
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rc = xenbus_write("junk", big);
    check("store: oversized value refused", rc == -XB_E2BIG, rc);
    unsigned int made = 0;
    for (; made < 100; made++) {
        char node[24];
        snprintf(node, sizeof node, "flood/%u", made);
        if (xenbus_write(node, "x") != 0)
            break;
    }
    check("store: node quota stops a flood", made > 20 && made < 64, made);
    (void)xenbus_rm("flood");
    rc = xenbus_read("name", v, sizeof v);
    check("store: still served afterwards", rc > 0, rc);
}

static void attack_vbd(void)
{
    struct blkfront bf;
    int rc = blkfront_connect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        {
        fail("attack", "vbd connect", rc);
        return;
    }
    struct blkif_request req = {.operation = BLKIF_OP_READ, .nr_segments = 1, .sector_number = 0};
    req.seg[0] = (struct blkif_request_segment){.gref = 9999, .first_sect = 0, .last_sect = 0};
    rc = blk_bad(&bf, req);
    check("vbd: grant ref 9999 refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].gref = 300; /* in range, never granted */
    rc = blk_bad(&bf, req);
    check("vbd: ungranted ref refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].gref = GNTTAB_RESERVED_XENSTORE; /* granted, but to dom0 for the store */
    req.seg[0].last_sect = 9;
    rc = blk_bad(&bf, req);
    check("vbd: last_sect 9 refused", rc == BLKIF_RSP_ERROR, rc);
    req.seg[0].last_sect = 0;
    req.nr_segments = 200;
    rc = blk_bad(&bf, req);
    check("vbd: 200 segments refused", rc == BLKIF_RSP_ERROR, rc);
    req.nr_segments = 0;
    rc = blk_bad(&bf, req);
    check("vbd: 0 segments refused", rc == BLKIF_RSP_ERROR, rc);
    /* Then indices no frontend could produce: req_prod far beyond the ring. */
    struct blkif_sring *s = bf.sring;
    s->req_prod = bf.ring.req_prod_pvt + 1000U;
    (void)notify_remote_via_evtchn(bf.port);
    rc = backend_state_after_abuse(&bf.dev);
    check("vbd: impossible req_prod: backend closed the ring", rc == XenbusStateClosed, rc);
    (void)xenbus_close_evtchn(bf.port);
    (void)xenbus_switch_state(&bf.dev, XenbusStateClosed);
    frontend_free_page(bf.sring, bf.ring_ref);
}

static void attack_vif(void)
{
    int rc = net_connect();
    if (rc != 0)
        {
        fail("attack", "vif connect", rc);
        return;
    }
    struct netif_tx_request tx = {.gref = net.tx_ref[0], .offset = 0, .size = 5000};
    rc = netfront_send_raw(&net, &tx);
    tx.size = 64;
    tx.offset = 4090;
    if (rc == 0)
        rc = netfront_send_raw(&net, &tx);
    tx.offset = 0;
    tx.gref = 9999;
    if (rc == 0)
        rc = netfront_send_raw(&net, &tx);
    tx.gref = 301;
    if (rc == 0)
        rc = netfront_send_raw(&net, &tx);
    /* Wait for the four answers. */
    const s_time_t deadline = NOW() + MILLISECS(2000);
    while (net.tx_errors < 4 && NOW() < deadline) {
        uint8_t ok_frame[64] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x99}; /* nobody's */
        (void)netfront_send(&net, ok_frame, sizeof ok_frame, deadline); /* reclaims answers */
        msleep(1);
    }
    check("vif: oversized, overhanging and unmapped frames refused", rc == 0 && net.tx_errors == 4,
          (long long)net.tx_errors);
}

static void attack_vtest(void)
{
    struct ringfront rf;
    int rc = ringfront_connect(&rf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        {
        fail("attack", "vtest connect", rc);
        return;
    }
    struct ringtest_sring *s = rf.sring;
    s->req_prod = rf.ring.req_prod_pvt - 1U; /* "behind": 2^32 - 1 outstanding */
    (void)notify_remote_via_evtchn(rf.port);
    rc = backend_state_after_abuse(&rf.dev);
    check("vtest: req_prod behind the responses: backend closed the ring", rc == XenbusStateClosed, rc);
    (void)xenbus_close_evtchn(rf.port);
    (void)xenbus_switch_state(&rf.dev, XenbusStateClosed);
    frontend_free_page(rf.sring, rf.ring_ref);
}

static void attack_store_framing(void)
{
    /* A header claiming a 64 KiB payload: dom0 must drop the connection, not wait or
     * overflow. Sent by hand into the ring. */
    const start_info_t *si = pv_start_info();
    volatile struct xenstore_domain_interface *intf = arch_mach_to_virt(si->store_mfn);
    struct xsd_sockmsg h = {XS_WRITE, 0xBAD, 0, 0x10000};
    const XENSTORE_RING_IDX prod = intf->req_prod;
    for (uint32_t i = 0; i < sizeof h; i++)
        intf->req[MASK_XENSTORE_IDX(prod + i)] = ((const char *)&h)[i];
    barrier();
    intf->req_prod = prod + sizeof h;
    (void)notify_remote_via_evtchn(si->store_evtchn);
    printk("attack: store: sent a header with a 65536-byte payload\n");
}

static void attack_all(void)
{
    attack_store();
    attack_vbd();
    attack_vif();
    attack_vtest();
    attack_store_framing(); /* last: the store connection is gone after it */
    printk(failures == 0 ? "attack: contained\n" : "attack: FAILED\n");
}

/* ---- devices kept connected ---- */

static struct blkfront held_blk;
static struct ringfront held_ring;

static void hold_devices(void)
{
    const s_time_t deadline = NOW() + CONNECT_TIMEOUT;
    int rc = blkfront_connect(&held_blk, deadline);
    if (rc != 0) {
        fail("hold", "vbd", rc);
        return;
    }
    rc = net_connect();
    if (rc != 0) {
        fail("hold", "vif", rc);
        return;
    }
    rc = ringfront_connect(&held_ring, deadline);
    if (rc != 0) {
        fail("hold", "vtest", rc);
        return;
    }
    printk("guest: vbd (%u sectors), vif and vtest connected\n", (unsigned int)held_blk.sectors);
}

/* ---- console commands ---- */

static void console_loop(void)
{
    char line[80];
    printk("guest: console commands: ping <dom> <n>, blk, echo <text>, quit\n");
    for (;;) {
        if (!xencons_read_line(line, sizeof line, 0))
            continue;
        printk("guest: > %s\n", line);
        if (strncmp(line, "ping ", 5) == 0) {
            uint32_t peer = 0, n = 0;
            char *sp = line + 5;
            while (*sp != ' ' && *sp != '\0')
                sp++;
            if (*sp == ' ')
                *sp++ = '\0';
            if (!parse_u32(line + 5, &peer) || !parse_u32(sp, &n)) {
                printk("guest: usage: ping <dom> <n>\n");
                continue;
            }
            if (net_connect() != 0)
                printk("guest: no network\n");
            else
                (void)ping(peer, n, false, 0);
        } else if (strcmp(line, "blk") == 0) {
            test_blk();
        } else if (strncmp(line, "echo ", 5) == 0) {
            printk("guest: %s\n", line + 5);
        } else if (strcmp(line, "quit") == 0) {
            return;
        } else {
            printk("guest: unknown command '%s'\n", line);
        }
    }
}

static void guest_main(void)
{
    xencons_bind_input();
    int rc = xenbus_init();
    if (rc != 0) {
        fail("guest", "no store", rc);
        return;
    }
    char name[32];
    if (xenbus_read("name", name, sizeof name) > 0)
        printk("guest: dom %u, store says my name is '%s'\n", domain_id(), name);
    if (cmdline_get_u32("store", 0) != 0)
        test_store();
    if (cmdline_get_u32("storetx", 0) != 0)
        test_store_tx();
    const uint32_t ring = cmdline_get_u32("ring", 0);
    if (ring != 0)
        test_ring(ring);
    if (cmdline_get_u32("blk", 0) != 0)
        test_blk();
    const char *net_mode = cmdline_get("net");
    if (net_mode != NULL)
        test_net(net_mode);
    const char *attack = cmdline_get("attack");
    if (attack != NULL)
        attack_all();
    if (cmdline_get_u32("hold", 0) != 0)
        hold_devices();
    printk("guest: done, %u failure(s)\n", failures);
    if (cmdline_get_u32("stay", 0) != 0)
        console_loop();
    if (net_up && attack == NULL) { /* an attacker's store connection is gone */
        rc = netfront_disconnect(&net, NOW() + CONNECT_TIMEOUT);
        if (rc != 0)
            fail("net", "disconnect", rc);
    }
}
MINIOS_APP("guest", guest_main);
