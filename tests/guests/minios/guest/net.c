/*
 * app=guest: net=ping peer=D frames=N / net=echo [frames=N], test frames through dom0's
 * switch (guest.h).
 */
#include "guest.h"

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

struct netfront guest_net;
bool guest_net_up;
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

int net_connect(void)
{
    if (guest_net_up)
        return 0;
    int rc = netfront_connect(&guest_net, NOW() + CONNECT_TIMEOUT);
    if (rc != 0)
        return rc;
    guest_net_up = true;
    printk("net: connected, mac %02x:%02x:%02x:%02x:%02x:%02x\n", guest_net.mac[0], guest_net.mac[1], guest_net.mac[2],
           guest_net.mac[3], guest_net.mac[4], guest_net.mac[5]);
    return 0;
}

/* Sends n echo requests to dom peer, of varying sizes (fixed_len 0) or all with
 * fixed_len bytes of data; returns how many came back right (0 if any came back wrong). */
uint32_t net_ping(uint32_t peer, uint32_t n, bool wait_for_peer, uint32_t fixed_len)
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
        memcpy(f->src, guest_net.mac, 6);
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
            if (netfront_send(&guest_net, f, (uint16_t)(32 + len), NOW() + MILLISECS(1000)) != 0) {
                bad++;
                break;
            }
            for (;;) {
                int rlen = netfront_recv(&guest_net, &reply_buf, sizeof reply_buf, t0 + MILLISECS(100));
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
    printk("net: ping dom %u: %u/%u answered (%s frames), %u bad frames", (unsigned int)peer, (unsigned int)answered,
           (unsigned int)n, fixed_len != 0 ? "60-byte" : "14..1512-byte", (unsigned int)bad);
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
        int len = netfront_recv(&guest_net, &frame_buf, sizeof frame_buf, 0);
        if (!frame_ok(f, len) || f->magic != MAGIC_PING) {
            bad++;
            continue;
        }
        memcpy(f->dst, f->src, 6);
        memcpy(f->src, guest_net.mac, 6);
        f->magic = MAGIC_PONG;
        if (netfront_send(&guest_net, f, (uint16_t)len, NOW() + MILLISECS(1000)) != 0)
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

void test_net(const char *mode)
{
    int rc = net_connect();
    if (rc != 0) {
        guest_fail("net", "connect", rc);
        return;
    }
    if (strcmp(mode, "ping") == 0) {
        const uint32_t peer = cmdline_get_u32("peer", 2);
        const uint32_t frames = cmdline_get_u32("frames", 10);
        /* frames of every size for the checks, then minimum-size ones for the timing */
        if (net_ping(peer, frames, true, 0) != frames || net_ping(peer, frames, false, 28) != frames)
            guest_fail("net", "echo requests unanswered or wrong", 0);
        else
            printk("net: ok\n");
    } else if (strcmp(mode, "echo") == 0) {
        const uint32_t frames = cmdline_get_u32("frames", 0);
        if (frames == 0 && cmdline_get_u32("stay", 0) != 0)
            (void)create_thread("echo", echo_thread, NULL);
        else
            echo(frames);
    } else {
        guest_fail("net", "net= must be ping or echo", 0);
    }
}
