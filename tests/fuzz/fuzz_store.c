/*
 * dom0's store (minios/dom0/store_*.c, unchanged) served to two hostile guests over their
 * store rings, through the host shim. The input is a sequence of guest actions: well-formed
 * requests (a type, a path from a list or from the input, a value or token), raw bytes,
 * dom0 servicing a guest, the guest reading its responses, index corruption, reconnects.
 *
 * Checked throughout:
 *   - dom0 never puts more than a ring's worth of responses in a ring, and each response
 *     is a well-formed message (length within XENSTORE_PAYLOAD_MAX);
 *   - no guest ever receives a value it may not read: dom0's own nodes hold canaries
 *     (bytes a guest cannot write: the harness never lets 0x7F into a ring), and
 *     each guest's responses are searched for the canaries it must not see;
 *   - dom0's nodes outside the guests' homes are never changed, and the guests' nodes
 *     stay within their quota;
 *   - after a disconnect the guest's ring is unmapped; at the end nothing is mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "shim.h"

#include "minios/console.h"

#define NGUESTS 2U
#define CANARY_NOT1 \
    "\x7f"          \
    "c1\x7f" /* guest 1 may not read it */
#define CANARY_NOT2 \
    "\x7f"          \
    "c2\x7f" /* guest 2 may not read it */

struct seeded {
    const char *path, *value;
};
/* dom0's nodes: what each guest may read follows store_tree.c's rule (its home, and dom0's
 * backend nodes for its id). */
static const struct seeded seeded[] = {
    {"/tool/secret", CANARY_NOT1 CANARY_NOT2},
    {"/local/domain/0/private", CANARY_NOT1 CANARY_NOT2},
    {"/local/domain/3/secret", CANARY_NOT1 CANARY_NOT2},
    {"/local/domain/12/secret", CANARY_NOT1 CANARY_NOT2},
    {"/local/domain/0/backend/vbd/1/state", "4" CANARY_NOT2},
    {"/local/domain/0/backend/vbd/2/state", "4" CANARY_NOT1},
    {"/local/domain/0/backend/vbd/12/key", CANARY_NOT1 CANARY_NOT2},
    {"/local/domain/0/backend/vif/2/mac", "00:16:3e:00:00:02" CANARY_NOT1},
    {"/local/domain/0/backend1/x", CANARY_NOT1 CANARY_NOT2},
};

static const char* const paths[] = {
    "device/vbd/0/state",
    "device/vif/0/mac",
    "name",
    "data",
    "data/a",
    "data/a/b",
    "/local/domain/1",
    "/local/domain/1/data",
    "/local/domain/2/data",
    "/local/domain/0/backend/vbd/1/state",
    "/local/domain/0/backend/vbd/2/state",
    "/local/domain/0/backend/vbd/1",
    "/local/domain/0/backend/vbd",
    "/local/domain/0/backend/vbd/12/key",
    "/local/domain/0/backend1/x",
    "/local/domain/12/secret",
    "/local/domain/3/secret",
    "/local/domain/0",
    "/tool/secret",
    "/tool",
    "/",
    "/local",
    "1",
    "/local/domain/1/",
    "//x",
    "a b",
    "@releaseDomain",
    "",
};

static const uint32_t types[] = {XS_READ,
                                 XS_WRITE,
                                 XS_MKDIR,
                                 XS_RM,
                                 XS_DIRECTORY,
                                 XS_WATCH,
                                 XS_UNWATCH,
                                 XS_TRANSACTION_START,
                                 XS_TRANSACTION_END,
                                 XS_GET_DOMAIN_PATH};

static void fail(const char* what, unsigned int a) {
    fprintf(stderr, "store: %s (%u)\n", what, a);
    abort();
}

/* What each guest's harness side knows. */
struct side {
    uint8_t stream[2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
    uint32_t stream_len;
    uint32_t last_tx; /* the id of its last XS_TRANSACTION_START reply */
    bool corrupted;   /* it broke its own response indices: only canaries are looked for */
};
static struct side sides[NGUESTS + 1];

static volatile struct xenstore_domain_interface* ring_of(unsigned int d) {
    uintptr_t va = dom0_map_va(d, SLOT_STORE);
    return shim_is_mapped(va) ? (volatile struct xenstore_domain_interface*)va : NULL;
}

/* The guest writes bytes into its request ring, as far as there is room. */
static void put(unsigned int d, const uint8_t* bytes, size_t n) {
    volatile struct xenstore_domain_interface* r = ring_of(d);
    if (r == NULL) return;
    XENSTORE_RING_IDX prod = r->req_prod;
    const XENSTORE_RING_IDX cons = r->req_cons;
    for (size_t i = 0; i < n && prod - cons < XENSTORE_RING_SIZE; i++, prod++)
        r->req[MASK_XENSTORE_IDX(prod)] = (char)(bytes[i] == 0x7F ? 0x7E : bytes[i]);
    r->req_prod = prod;
}

static bool contains(const uint8_t* hay, size_t n, const char* needle) {
    const size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        if (hay[i] == 0x7F && memcmp(hay + i, needle, k) == 0) return true;
    }
    return false;
}

/* The guest reads what dom0 answered and checks every complete message. */
static void consume(unsigned int d) {
    volatile struct xenstore_domain_interface* r = ring_of(d);
    if (r == NULL) return;
    struct side* s = &sides[d];
    const XENSTORE_RING_IDX prod = r->rsp_prod;
    XENSTORE_RING_IDX cons = r->rsp_cons;
    if (s->corrupted) {
        uint8_t raw[XENSTORE_RING_SIZE];
        for (uint32_t i = 0; i < XENSTORE_RING_SIZE; i++) raw[i] = (uint8_t)r->rsp[i];
        if (contains(raw, sizeof raw, d == 1 ? CANARY_NOT1 : CANARY_NOT2))
            fail("a guest received a value it may not read", d);
        return;
    }
    if (prod - cons > XENSTORE_RING_SIZE) fail("more responses in the ring than it holds", prod - cons);
    while (cons != prod && s->stream_len < sizeof s->stream)
        s->stream[s->stream_len++] = (uint8_t)r->rsp[MASK_XENSTORE_IDX(cons++)];
    r->rsp_cons = cons;
    for (;;) {
        struct xsd_sockmsg h;
        if (s->stream_len < sizeof h) break;
        memcpy(&h, s->stream, sizeof h);
        if (h.len > XENSTORE_PAYLOAD_MAX) fail("a response longer than XENSTORE_PAYLOAD_MAX", h.len);
        if (s->stream_len < sizeof h + h.len) break;
        const uint8_t* body = s->stream + sizeof h;
        if (contains(body, h.len, d == 1 ? CANARY_NOT1 : CANARY_NOT2))
            fail("a guest received a value it may not read", d);
        if (h.type == XS_TRANSACTION_START && h.len > 0 && body[h.len - 1] == '\0') {
            uint32_t id = 0;
            for (uint32_t i = 0; i + 1 < h.len && body[i] >= '0' && body[i] <= '9'; i++)
                id = id * 10 + (uint32_t)(body[i] - '0');
            s->last_tx = id;
        }
        memmove(s->stream, s->stream + sizeof h + h.len, s->stream_len - sizeof h - h.len);
        s->stream_len -= (uint32_t)(sizeof h + h.len);
    }
}

static void request(unsigned int d, struct in* in) {
    uint8_t msg[sizeof(struct xsd_sockmsg) + 300];
    struct xsd_sockmsg h;
    const uint8_t t = take(in);
    h.type = t < 200 ? types[t % (sizeof types / sizeof types[0])] : t - 200U;
    h.req_id = take(in);
    const uint8_t tx = take(in);
    h.tx_id = tx < 128 ? 0 : tx < 240 ? sides[d].last_tx : tx;
    size_t len = 0;
    uint8_t* body = msg + sizeof h;
    const uint8_t psel = take(in);
    if (psel < 200) {
        const char* p = paths[psel % (sizeof paths / sizeof paths[0])];
        memcpy(body, p, strlen(p) + 1);
        len = strlen(p) + 1;
    } else {
        for (unsigned int n = psel - 200U; n > 0 && len < 100; n--) body[len++] = take(in);
        body[len++] = '\0';
    }
    /* Then a value or token: from the input, NUL-terminated or not. */
    const uint8_t vlen = take(in);
    for (unsigned int i = 0; i < (vlen & 0x7FU) && len < 290; i++) body[len++] = take(in);
    if (vlen & 0x80U) body[len++] = '\0';
    h.len = (uint32_t)len;
    memcpy(msg, &h, sizeof h);
    put(d, msg, sizeof h + len);
}

static void check_seeded(void) {
    char v[128];
    for (size_t i = 0; i < sizeof seeded / sizeof seeded[0]; i++) {
        if (store_read(seeded[i].path, v, sizeof v) < 0 || strcmp(v, seeded[i].value) != 0)
            fail("a node of dom0's was changed by a guest", (unsigned int)i);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    struct in in = {data, size};
    shim_reset();
    memset(sides, 0, sizeof sides);
    if (store_init() != 0) fail("store_init", 0);
    for (size_t i = 0; i < sizeof seeded / sizeof seeded[0]; i++) {
        if (store_write(seeded[i].path, seeded[i].value) != 0) fail("seeding", (unsigned int)i);
    }
    const unsigned int seeded_nodes = store_nodes();
    struct guest* g[NGUESTS + 1] = {NULL};
    for (unsigned int d = 1; d <= NGUESTS; d++) {
        g[d] = shim_add_guest(d);
        if (store_connect(g[d]) != 0) fail("store_connect", d);
    }
    dom0_verbose = size % 2 == 0;

    for (unsigned int steps = 0; steps < 200 && in.n > 0; steps++) {
        const uint8_t op = take(&in);
        const unsigned int d = 1U + ((op >> 3) & 1U);
        switch (op & 7U) {
            case 0:
            case 1:
            case 2: request(d, &in); break;
            case 3: { /* raw bytes */
                uint8_t raw[64];
                const unsigned int n = take(&in) % sizeof raw;
                for (unsigned int i = 0; i < n; i++) raw[i] = take(&in);
                put(d, raw, n);
                break;
            }
            case 4: store_service(g[d]); break;
            case 5: consume(d); break;
            case 6: { /* the guest corrupts an index */
                volatile struct xenstore_domain_interface* r = ring_of(d);
                if (r == NULL) break;
                const uint8_t b = take(&in);
                if (b & 1U)
                    r->req_prod += (uint32_t)b << 4;
                else {
                    r->rsp_cons -= (uint32_t)b << 3;
                    sides[d].corrupted = true;
                }
                break;
            }
            case 7: /* the connection goes and comes back */
                store_disconnect(g[d]);
                if (ring_of(d) != NULL) fail("the store ring stays mapped after a disconnect", d);
                memset(&sides[d], 0, sizeof sides[d]);
                memset(shim_guest_page(d, GNTTAB_RESERVED_XENSTORE), 0, PAGE_SIZE); /* a fresh ring */
                if ((op & 0x10U) == 0 && store_connect(g[d]) != 0) fail("store_connect again", d);
                break;
        }
        if (op & 0x80U) {
            check_seeded();
            if (store_nodes() > seeded_nodes + NGUESTS * 64U)
                fail("the guests hold more nodes than their quota", store_nodes());
        }
    }
    for (unsigned int d = 1; d <= NGUESTS; d++) {
        for (int i = 0; i < 4; i++) {
            store_service(g[d]);
            consume(d);
        }
    }
    check_seeded();
    if (store_nodes() > seeded_nodes + NGUESTS * 64U)
        fail("the guests hold more nodes than their quota", store_nodes());
    for (unsigned int d = 1; d <= NGUESTS; d++) store_disconnect(g[d]);
    if (shim_live_maps() != 0) fail("mappings left after every disconnect", shim_live_maps());
    return 0;
}
