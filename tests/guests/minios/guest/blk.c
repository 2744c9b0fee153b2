/*
 * app=guest: blk=1, the block device: initial contents, write/read-back patterns over
 * the whole disk, bad requests rejected, flush, round-trip cost (guest.h).
 */
#include "guest.h"

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

int blk_bad(struct blkfront *bf, struct blkif_request req)
{
    struct blkif_response rsp;
    req.id = 0xBAD;
    int rc = blkfront_submit(bf, &req, &rsp);
    return rc != 0 ? rc : rsp.status;
}

void test_blk(void)
{
    struct blkfront bf;
    int rc = blkfront_connect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0) {
        guest_fail("blk", "connect", rc);
        return;
    }
    const unsigned int before = guest_failures;
    printk("blk: connected: %u sectors of %u bytes\n", (unsigned int)bf.sectors, (unsigned int)bf.sector_size);
    const uint32_t chunk_max = 32; /* sectors per request: 4 pages */
    uint32_t *buf = alloc_pages(chunk_max * XEN_BLKIF_SECTOR_SIZE / PAGE_SIZE);
    if (buf == NULL) {
        guest_fail("blk", "out of memory", 0);
        return;
    }

    /* Initial contents: the disk image's pattern, unless this slice was written before. */
    uint32_t initial = 0, crc = 0;
    for (uint32_t s = 0; s < bf.sectors; s += chunk_max) {
        const uint32_t n = bf.sectors - s < chunk_max ? bf.sectors - s : chunk_max;
        rc = blkfront_io(&bf, BLKIF_OP_READ, s, buf, n);
        if (rc != BLKIF_RSP_OKAY) {
            guest_fail("blk", "read", rc);
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
        if (rc != BLKIF_RSP_OKAY) {
            guest_fail("blk", "write", rc);
            return;
        }
        s += n;
    }
    rc = blkfront_flush(&bf);
    if (rc != BLKIF_RSP_OKAY)
        guest_fail("blk", "flush", rc);
    uint32_t bad = 0;
    s = 0;
    for (unsigned int k = 0; s < bf.sectors; k++) {
        uint32_t n = read_sizes[k % ARRAY_SIZE(read_sizes)];
        if (n > bf.sectors - s)
            n = bf.sectors - s;
        memset(buf, 0, n * XEN_BLKIF_SECTOR_SIZE);
        rc = blkfront_io(&bf, BLKIF_OP_READ, s, buf, n);
        if (rc != BLKIF_RSP_OKAY) {
            guest_fail("blk", "read back", rc);
            return;
        }
        for (uint32_t j = 0; j < n; j++)
            bad += blk_fill_check(buf + j * XEN_BLKIF_SECTOR_SIZE / 4, s + j, 1, true, test_word) ? 0U : 1U;
        s += n;
    }
    printk("blk: wrote and read back %u sectors: %u differ\n", (unsigned int)bf.sectors, (unsigned int)bad);
    if (bad != 0)
        guest_fail("blk", "sectors differ after write/read-back", bad);

    /* Bad requests: each rejected, nothing else disturbed. */
    rc = blkfront_io(&bf, BLKIF_OP_READ, bf.sectors, buf, 1);
    printk("blk: read sector %u (one past the end): %d\n", (unsigned int)bf.sectors, rc);
    if (rc != BLKIF_RSP_ERROR)
        guest_fail("blk", "read past the end accepted", rc);
    rc = blkfront_io(&bf, BLKIF_OP_WRITE, bf.sectors - 1, buf, 2);
    printk("blk: write sectors %u..%u (across the end): %d\n", (unsigned int)bf.sectors - 1, (unsigned int)bf.sectors,
           rc);
    if (rc != BLKIF_RSP_ERROR)
        guest_fail("blk", "write across the end accepted", rc);
    rc = blkfront_io(&bf, BLKIF_OP_READ, 0xFFFFFFFF00000000ULL, buf, 1);
    printk("blk: read sector 2^64 - 2^32: %d\n", rc);
    if (rc != BLKIF_RSP_ERROR)
        guest_fail("blk", "huge sector accepted", rc);
    rc = blk_bad(&bf, (struct blkif_request){.operation = 77, .nr_segments = 1});
    printk("blk: unknown operation: %d\n", rc);
    if (rc != BLKIF_RSP_EOPNOTSUPP)
        guest_fail("blk", "unknown operation", rc);

    /* Round trip: one-sector reads. */
    const unsigned int rounds = 64;
    const s_time_t t0 = NOW();
    for (unsigned int k = 0; k < rounds; k++) {
        rc = blkfront_io(&bf, BLKIF_OP_READ, k % bf.sectors, buf, 1);
        if (rc != BLKIF_RSP_OKAY) {
            guest_fail("blk", "timed read", rc);
            return;
        }
    }
    const uint64_t ns = (uint64_t)(NOW() - t0) / rounds;
    printk("blk: round trip (1-sector read): %llu ns = %llu instructions\n", (unsigned long long)ns,
           (unsigned long long)(ns / NS_PER_INSN));
    /* The data is still there after all that. */
    rc = blkfront_io(&bf, BLKIF_OP_READ, 0, buf, 8);
    if (rc != BLKIF_RSP_OKAY || !blk_fill_check(buf, 0, 8, true, test_word))
        guest_fail("blk", "data changed by rejected requests", rc);
    rc = blkfront_disconnect(&bf, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        guest_fail("blk", "disconnect", rc);
    free_pages(buf, chunk_max * XEN_BLKIF_SECTOR_SIZE / PAGE_SIZE);
    if (guest_failures == before)
        printk("blk: ok\n");
}
