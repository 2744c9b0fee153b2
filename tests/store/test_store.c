/*
 * Host unit tests of dom0's store (minios/dom0/store_*.c), built against the mini-OS shim
 * of tests/fuzz (tests/fuzz/build.mk: make store-test). Guests 1 and 2 talk to the store
 * through their real store rings, as a frontend would; dom0 calls store_service.
 *
 * Each test states one rule of the store and fails when that rule is broken:
 * permissions, EAGAIN on conflicting commits, per-guest quotas, watches firing on commit
 * only, and hostile ring input closing only the offending guest's connection.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define NGUESTS 2U

struct msg {
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* What a guest has received and not yet looked at. */
struct side {
    uint8_t stream[2 * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)];
    uint32_t stream_len;
    struct msg events[32];
    unsigned int nevents;
    struct msg replies[8];
    unsigned int nreplies;
};

static struct guest *guest[NGUESTS + 1];
static struct side sides[NGUESTS + 1];
static uint32_t next_req = 100;
static unsigned int failures;
static const char *current;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "  %s: %s:%d: %s\n", current, __FILE__, __LINE__, #cond);                                  \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static volatile struct xenstore_domain_interface *ring(unsigned int d)
{
    uintptr_t va = dom0_map_va(d, SLOT_STORE);
    return shim_is_mapped(va) ? (volatile struct xenstore_domain_interface *)va : NULL;
}

static void setup(void)
{
    shim_reset();
    memset(sides, 0, sizeof sides);
    if (store_init() != 0)
        abort();
    for (unsigned int d = 1; d <= NGUESTS; d++) {
        guest[d] = shim_add_guest(d);
        if (store_connect(guest[d]) != 0)
            abort();
    }
    /* dom0's own nodes: a private one, and backend nodes for each guest */
    store_write("/tool/secret", "dom0");
    store_write("/local/domain/0/backend/vbd/1/state", "4");
    store_write("/local/domain/0/backend/vbd/2/state", "4");
    store_write("/local/domain/0/backend/vbd/12/state", "4");
}

static void teardown(void)
{
    for (unsigned int d = 1; d <= NGUESTS; d++)
        store_disconnect(guest[d]);
    if (shim_live_maps() != 0) {
        fprintf(stderr, "  %s: mappings left after disconnecting\n", current);
        failures++;
    }
}

/* The guest puts raw bytes into its request ring (as far as there is room). */
static void put(unsigned int d, const void *bytes, size_t n)
{
    volatile struct xenstore_domain_interface *r = ring(d);
    if (r == NULL)
        return;
    XENSTORE_RING_IDX prod = r->req_prod;
    for (size_t i = 0; i < n && prod - r->req_cons < XENSTORE_RING_SIZE; i++, prod++)
        r->req[MASK_XENSTORE_IDX(prod)] = ((const char *)bytes)[i];
    r->req_prod = prod;
}

/* The guest takes what dom0 answered: events and replies, sorted. */
static void take(unsigned int d)
{
    volatile struct xenstore_domain_interface *r = ring(d);
    struct side *s = &sides[d];
    if (r == NULL)
        return;
    XENSTORE_RING_IDX cons = r->rsp_cons;
    const XENSTORE_RING_IDX prod = r->rsp_prod;
    while (cons != prod && s->stream_len < sizeof s->stream)
        s->stream[s->stream_len++] = (uint8_t)r->rsp[MASK_XENSTORE_IDX(cons++)];
    r->rsp_cons = cons;
    for (;;) {
        struct msg m;
        if (s->stream_len < sizeof m.h)
            return;
        memcpy(&m.h, s->stream, sizeof m.h);
        if (m.h.len > XENSTORE_PAYLOAD_MAX || s->stream_len < sizeof m.h + m.h.len)
            return;
        memcpy(m.body, s->stream + sizeof m.h, m.h.len);
        m.body[m.h.len] = '\0';
        memmove(s->stream, s->stream + sizeof m.h + m.h.len, s->stream_len - sizeof m.h - m.h.len);
        s->stream_len -= (uint32_t)(sizeof m.h + m.h.len);
        if (m.h.type == XS_WATCH_EVENT && s->nevents < 32)
            s->events[s->nevents++] = m;
        else if (m.h.type != XS_WATCH_EVENT && s->nreplies < 8)
            s->replies[s->nreplies++] = m;
    }
}

/* dom0 services guest d a few times, and the guest reads its ring each time. */
static void pump(unsigned int d)
{
    for (int i = 0; i < 4; i++) {
        store_service(guest[d]);
        take(d);
    }
}

/* One request from guest d; its reply in *out. false: no reply came. */
static bool request(unsigned int d, uint32_t type, uint32_t tx, const void *payload, uint32_t len, struct msg *out)
{
    uint8_t buf[sizeof(struct xsd_sockmsg) + 512];
    struct xsd_sockmsg h = {type, next_req++, tx, len};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, payload, len);
    put(d, buf, sizeof h + len);
    pump(d);
    struct side *s = &sides[d];
    for (unsigned int i = 0; i < s->nreplies; i++) {
        if (s->replies[i].h.req_id == h.req_id) {
            *out = s->replies[i];
            s->replies[i] = s->replies[--s->nreplies];
            return true;
        }
    }
    return false;
}

/* The reply's text: the value, "OK", or the error name. "" when none came. */
static char text[XENSTORE_PAYLOAD_MAX + 1];

static const char *xs(unsigned int d, uint32_t type, uint32_t tx, const char *a, const char *b, bool b_nul)
{
    char payload[512];
    size_t al = strlen(a) + 1, bl = b != NULL ? strlen(b) + (b_nul ? 1 : 0) : 0;
    memcpy(payload, a, al);
    if (b != NULL)
        memcpy(payload + al, b, bl);
    struct msg m;
    if (!request(d, type, tx, payload, (uint32_t)(al + bl), &m))
        return strcpy(text, "");
    memcpy(text, m.body, m.h.len + 1);
    return text;
}

static const char *xs_read(unsigned int d, uint32_t tx, const char *p) { return xs(d, XS_READ, tx, p, NULL, false); }
static const char *xs_write(unsigned int d, uint32_t tx, const char *p, const char *v)
{
    return xs(d, XS_WRITE, tx, p, v, false);
}
static const char *xs_rm(unsigned int d, uint32_t tx, const char *p) { return xs(d, XS_RM, tx, p, NULL, false); }
static const char *xs_watch(unsigned int d, const char *p, const char *tok) { return xs(d, XS_WATCH, 0, p, tok, true); }
static uint32_t xs_start(unsigned int d)
{
    const char *r = xs(d, XS_TRANSACTION_START, 0, "", NULL, false);
    return (uint32_t)strtoul(r, NULL, 10);
}
static const char *xs_end(unsigned int d, uint32_t tx, bool commit)
{
    return xs(d, XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL, false);
}

static bool is(const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return true;
    fprintf(stderr, "  %s: got \"%s\", wanted \"%s\"\n", current, got, want);
    return false;
}

static bool dom0_sees(const char *path, const char *want)
{
    char v[128];
    if (store_read(path, v, sizeof v) < 0)
        return want == NULL;
    return want != NULL && strcmp(v, want) == 0;
}

/* Events guest d received for path since last asked (and forgets them all). */
static unsigned int events_for(unsigned int d, const char *path)
{
    pump(d);
    unsigned int n = 0;
    for (unsigned int i = 0; i < sides[d].nevents; i++)
        n += strcmp(sides[d].events[i].body, path) == 0 ? 1U : 0U;
    sides[d].nevents = 0;
    return n;
}

/* ---- permissions ---- */

static void test_guest_cannot_read_another_guests_or_dom0s_nodes(void)
{
    CHECK(is(xs_write(2, 0, "data", "two"), "OK"));
    CHECK(is(xs_read(2, 0, "data"), "two"));
    CHECK(is(xs_read(1, 0, "/local/domain/2/data"), "EACCES"));
    CHECK(is(xs(1, XS_DIRECTORY, 0, "/local/domain/2", NULL, false), "EACCES"));
    CHECK(is(xs_read(1, 0, "/tool/secret"), "EACCES"));
    CHECK(is(xs(1, XS_DIRECTORY, 0, "/", NULL, false), "EACCES"));
    /* its own backend's nodes only: not guest 2's, nor guest 12's (a prefix of its id) */
    CHECK(is(xs_read(1, 0, "/local/domain/0/backend/vbd/1/state"), "4"));
    CHECK(is(xs_read(1, 0, "/local/domain/0/backend/vbd/2/state"), "EACCES"));
    CHECK(is(xs_read(1, 0, "/local/domain/0/backend/vbd/12/state"), "EACCES"));
    /* and not through a transaction either */
    uint32_t t = xs_start(1);
    CHECK(t != 0);
    CHECK(is(xs_read(1, t, "/local/domain/2/data"), "EACCES"));
    CHECK(is(xs_end(1, t, true), "OK"));
}

static void test_guest_cannot_write_or_remove_another_guests_or_dom0s_nodes(void)
{
    CHECK(is(xs_write(2, 0, "data", "two"), "OK"));
    CHECK(is(xs_write(1, 0, "/local/domain/2/data", "one"), "EACCES"));
    CHECK(is(xs(1, XS_MKDIR, 0, "/local/domain/2/new", NULL, false), "EACCES"));
    /* and the same answer for nodes that exist: mkdir is no way to learn what is there */
    CHECK(is(xs(1, XS_MKDIR, 0, "/local/domain/2/data", NULL, false), "EACCES"));
    CHECK(is(xs(1, XS_MKDIR, 0, "/tool/secret", NULL, false), "EACCES"));
    CHECK(is(xs_rm(1, 0, "/local/domain/2/data"), "EACCES"));
    CHECK(is(xs_write(1, 0, "/local/domain/0/backend/vbd/1/state", "6"), "EACCES")); /* read only */
    CHECK(is(xs_write(1, 0, "/tool/secret", "x"), "EACCES"));
    uint32_t t = xs_start(1);
    CHECK(is(xs_write(1, t, "/local/domain/2/data", "one"), "EACCES"));
    CHECK(is(xs_rm(1, t, "/tool"), "EACCES"));
    CHECK(is(xs_end(1, t, true), "OK"));
    CHECK(dom0_sees("/local/domain/2/data", "two"));
    CHECK(dom0_sees("/local/domain/2/new", NULL));
    CHECK(dom0_sees("/local/domain/0/backend/vbd/1/state", "4"));
    CHECK(dom0_sees("/tool/secret", "dom0"));
    /* a relative path is the guest's own home */
    CHECK(is(xs_write(1, 0, "data", "one"), "OK"));
    CHECK(dom0_sees("/local/domain/1/data", "one"));
}

static void test_guest_cannot_watch_another_guests_or_dom0s_nodes(void)
{
    CHECK(is(xs_watch(1, "/local/domain/2", "t"), "EACCES"));
    CHECK(is(xs_watch(1, "/tool", "t"), "EACCES"));
    CHECK(is(xs_watch(1, "/", "t"), "EACCES"));
    events_for(1, "");
    CHECK(is(xs_write(2, 0, "data", "two"), "OK"));
    store_write("/tool/secret", "changed");
    pump(1);
    CHECK(sides[1].nevents == 0);
    /* its own home and its backend's nodes it may watch */
    CHECK(is(xs_watch(1, "/local/domain/0/backend/vbd/1", "b"), "OK"));
    CHECK(is(xs_watch(1, "data", "d"), "OK"));
}

/* ---- transactions ---- */

static void test_commit_is_eagain_after_a_write_outside_it(void)
{
    CHECK(is(xs_write(1, 0, "data/a", "1"), "OK"));
    uint32_t t = xs_start(1);
    CHECK(is(xs_read(1, t, "data/a"), "1"));
    CHECK(is(xs_write(1, 0, "data/a", "2"), "OK")); /* outside the transaction */
    CHECK(is(xs_write(1, t, "data/b", "from-tx"), "OK"));
    CHECK(is(xs_end(1, t, true), "EAGAIN"));
    CHECK(dom0_sees("/local/domain/1/data/b", NULL)); /* nothing applied */
    /* dom0 writing counts as much as the guest itself */
    t = xs_start(1);
    CHECK(is(xs_read(1, t, "data/a"), "2"));
    store_write("/local/domain/1/data/a", "3");
    CHECK(is(xs_write(1, t, "data/b", "from-tx"), "OK"));
    CHECK(is(xs_end(1, t, true), "EAGAIN"));
    CHECK(dom0_sees("/local/domain/1/data/b", NULL));
    /* a removal under a listed directory too */
    CHECK(is(xs_write(1, 0, "dir/x", "1"), "OK"));
    t = xs_start(1);
    CHECK(xs(1, XS_DIRECTORY, t, "dir", NULL, false)[0] == 'x');
    CHECK(store_rm("/local/domain/1/dir/x") == 0);
    CHECK(is(xs_write(1, t, "dir/y", "1"), "OK"));
    CHECK(is(xs_end(1, t, true), "EAGAIN"));
    CHECK(dom0_sees("/local/domain/1/dir/y", NULL));
    /* a node removed after the start, then found absent: the removal counts */
    CHECK(is(xs_write(1, 0, "gone", "1"), "OK"));
    t = xs_start(1);
    CHECK(store_rm("/local/domain/1/gone") == 0);
    CHECK(is(xs_read(1, t, "gone"), "ENOENT"));
    CHECK(is(xs_write(1, t, "data/b", "from-tx"), "OK"));
    CHECK(is(xs_end(1, t, true), "EAGAIN"));
    CHECK(dom0_sees("/local/domain/1/data/b", NULL));
}

static void test_of_two_conflicting_transactions_the_second_commit_is_eagain(void)
{
    CHECK(is(xs_write(1, 0, "count", "0"), "OK"));
    uint32_t a = xs_start(1), b = xs_start(1);
    CHECK(a != 0 && b != 0 && a != b);
    CHECK(is(xs_read(1, a, "count"), "0"));
    CHECK(is(xs_read(1, b, "count"), "0"));
    CHECK(is(xs_write(1, a, "count", "a"), "OK"));
    CHECK(is(xs_write(1, b, "count", "b"), "OK"));
    CHECK(is(xs_read(1, 0, "count"), "0")); /* neither is visible before its commit */
    CHECK(is(xs_end(1, a, true), "OK"));
    CHECK(is(xs_end(1, b, true), "EAGAIN"));
    CHECK(dom0_sees("/local/domain/1/count", "a"));
    /* without a conflict both commit */
    a = xs_start(1);
    b = xs_start(1);
    CHECK(is(xs_write(1, a, "x", "a"), "OK"));
    CHECK(is(xs_write(1, b, "y", "b"), "OK"));
    CHECK(is(xs_end(1, a, true), "OK"));
    CHECK(is(xs_end(1, b, true), "OK"));
    CHECK(dom0_sees("/local/domain/1/x", "a") && dom0_sees("/local/domain/1/y", "b"));
    /* an id the guest does not hold */
    CHECK(is(xs_read(1, a, "x"), "ENOENT"));
    uint32_t other = xs_start(2);
    CHECK(is(xs_read(1, other, "x"), "ENOENT"));
    CHECK(is(xs_end(2, other, false), "OK"));
}

/* What each request type does with a transaction id it was given. */
static void test_transaction_ids_by_request_type(void)
{
    uint32_t t = xs_start(1);
    CHECK(is(xs(1, XS_TRANSACTION_START, t, "", NULL, false), "EINVAL")); /* no nesting */
    CHECK(is(xs_end(1, 0, true), "EINVAL"));
    CHECK(is(xs_end(1, t + 1000, true), "ENOENT"));
    CHECK(is(xs(1, 99, t + 1000, "x", NULL, false), "ENOENT")); /* the id before the type */
    CHECK(is(xs(1, XS_TRANSACTION_END, t, "X", NULL, false), "EINVAL"));
    /* watches and domain paths run outside transactions, whatever the id */
    CHECK(is(xs(1, XS_WATCH, t + 1000, "data", "w", true), "OK"));
    CHECK(is(xs(1, XS_GET_DOMAIN_PATH, t + 1000, "7", NULL, false), "/local/domain/7"));
    CHECK(is(xs(1, XS_UNWATCH, t + 1000, "data", "w", true), "OK"));
    CHECK(is(xs(1, XS_UNWATCH, 0, "data", "w", true), "ENOENT"));
    /* the transaction survived the malformed end */
    CHECK(is(xs_write(1, t, "kept", "1"), "OK"));
    CHECK(is(xs_end(1, t, true), "OK"));
    CHECK(dom0_sees("/local/domain/1/kept", "1"));
}

static void test_a_disconnect_drops_the_guests_transactions_and_watches(void)
{
    for (unsigned int i = 0; i < 4; i++)
        CHECK(xs_start(1) != 0);
    CHECK(is(xs_watch(1, "data", "w"), "OK"));
    store_disconnect(guest[1]);
    CHECK(ring(1) == NULL);
    memset(shim_guest_page(1, GNTTAB_RESERVED_XENSTORE), 0, PAGE_SIZE); /* a fresh ring */
    memset(&sides[1], 0, sizeof sides[1]);
    CHECK(store_connect(guest[1]) == 0);
    CHECK(xs_start(1) != 0); /* the old four are gone */
    store_write("/local/domain/1/data", "x");
    CHECK(events_for(1, "/local/domain/1/data") == 0);
    CHECK(is(xs_watch(1, "data", "w"), "OK")); /* not EEXIST */
}

/* ---- quotas ---- */

static void test_node_quota_per_guest(void)
{
    char p[32];
    for (unsigned int i = 0; i < 64; i++) {
        snprintf(p, sizeof p, "n/%u", i);
        CHECK(is(xs_write(1, 0, p, "v"), "OK"));
    }
    CHECK(is(xs_write(1, 0, "n/64", "v"), "ENOSPC"));
    CHECK(is(xs(1, XS_MKDIR, 0, "n/65", NULL, false), "ENOSPC"));
    CHECK(is(xs_write(1, 0, "n/0", "rewritten"), "OK")); /* an existing node is no new one */
    uint32_t t = xs_start(1);
    CHECK(is(xs_write(1, t, "n/66", "v"), "OK"));
    CHECK(is(xs_end(1, t, true), "ENOSPC"));
    CHECK(dom0_sees("/local/domain/1/n/64", NULL) && dom0_sees("/local/domain/1/n/66", NULL));
    /* the other guest's quota is its own */
    CHECK(is(xs_write(2, 0, "n/0", "v"), "OK"));
    /* freeing one makes room for one */
    CHECK(is(xs_rm(1, 0, "n/1"), "OK"));
    CHECK(is(xs_write(1, 0, "n/64", "v"), "OK"));
}

static void test_value_size_limit(void)
{
    char v[200];
    memset(v, 'x', sizeof v);
    v[95] = '\0';
    CHECK(is(xs_write(1, 0, "big", v), "OK"));
    v[95] = 'x';
    v[96] = '\0';
    CHECK(is(xs_write(1, 0, "big", v), "E2BIG"));
    uint32_t t = xs_start(1);
    CHECK(is(xs_write(1, t, "big2", v), "E2BIG"));
    CHECK(is(xs_end(1, t, true), "OK"));
    CHECK(dom0_sees("/local/domain/1/big2", NULL));
    char got[128];
    CHECK(store_read("/local/domain/1/big", got, sizeof got) == 95);
    /* a path too long for the store */
    char p[120];
    memset(p, 'p', sizeof p);
    p[sizeof p - 1] = '\0';
    CHECK(is(xs_write(1, 0, p, "v"), "EINVAL"));
}

static void test_watch_quota_per_guest(void)
{
    char tok[16];
    for (unsigned int i = 0; i < 16; i++) {
        snprintf(tok, sizeof tok, "t%u", i);
        CHECK(is(xs_watch(1, "data", tok), "OK"));
    }
    CHECK(is(xs_watch(1, "data", "t16"), "ENOSPC"));
    CHECK(is(xs_watch(1, "data", "t0"), "EEXIST"));
    CHECK(is(xs_watch(2, "data", "t0"), "OK")); /* the other guest's quota is its own */
    CHECK(is(xs(1, XS_UNWATCH, 0, "data", "t3", true), "OK"));
    CHECK(is(xs_watch(1, "data", "t16"), "OK"));
    char longtok[40];
    memset(longtok, 'k', sizeof longtok);
    longtok[sizeof longtok - 1] = '\0';
    CHECK(is(xs_watch(2, "data", longtok), "EINVAL"));
}

static void test_transaction_quota_per_guest(void)
{
    uint32_t t[4];
    for (unsigned int i = 0; i < 4; i++) {
        t[i] = xs_start(1);
        CHECK(t[i] != 0);
    }
    CHECK(is(xs(1, XS_TRANSACTION_START, 0, "", NULL, false), "ENOSPC"));
    uint32_t other = xs_start(2);
    CHECK(other != 0); /* the other guest's quota is its own */
    CHECK(is(xs_end(1, t[0], false), "OK"));
    CHECK(xs_start(1) != 0);
    /* the changes one transaction may hold */
    CHECK(is(xs_end(2, other, false), "OK"));
    other = xs_start(2);
    char p[16];
    for (unsigned int i = 0; i < 16; i++) {
        snprintf(p, sizeof p, "c%u", i);
        CHECK(is(xs_write(2, other, p, "v"), "OK"));
    }
    CHECK(is(xs_write(2, other, "c16", "v"), "ENOSPC"));
    CHECK(is(xs_end(2, other, true), "OK"));
    CHECK(dom0_sees("/local/domain/2/c15", "v") && dom0_sees("/local/domain/2/c16", NULL));
}

/* ---- watches ---- */

static void test_watches_fire_on_commit_only(void)
{
    CHECK(is(xs_watch(1, "data", "w"), "OK"));
    CHECK(events_for(1, "/local/domain/1/data") == 1); /* once, when set */
    uint32_t t = xs_start(1);
    CHECK(is(xs_write(1, t, "data/x", "1"), "OK"));
    CHECK(is(xs_rm(1, t, "data/old"), "ENOENT"));
    CHECK(is(xs(1, XS_MKDIR, t, "data/d", NULL, false), "OK"));
    CHECK(events_for(1, "/local/domain/1/data/x") == 0);
    CHECK(events_for(1, "/local/domain/1/data/d") == 0);
    CHECK(is(xs_end(1, t, true), "OK"));
    CHECK(events_for(1, "/local/domain/1/data/x") == 1);
    /* an aborted transaction: none */
    t = xs_start(1);
    CHECK(is(xs_write(1, t, "data/y", "1"), "OK"));
    CHECK(is(xs_end(1, t, false), "OK"));
    CHECK(events_for(1, "/local/domain/1/data/y") == 0);
    /* a failed commit: none for its writes */
    t = xs_start(1);
    CHECK(is(xs_read(1, t, "data/x"), "1"));
    CHECK(is(xs_write(1, t, "data/z", "1"), "OK"));
    store_write("/local/domain/1/data/x", "2");
    CHECK(is(xs_end(1, t, true), "EAGAIN"));
    CHECK(events_for(1, "/local/domain/1/data/z") == 0);
    /* outside a transaction: at once */
    CHECK(is(xs_write(1, 0, "data/now", "1"), "OK"));
    CHECK(events_for(1, "/local/domain/1/data/now") == 1);
}

/* ---- hostile rings ---- */

/* Guest d is cut off; the other guest is still served. */
static void check_only_this_one_closed(unsigned int d)
{
    const unsigned int other = d == 1 ? 2 : 1;
    CHECK(guest[d]->store.broken);
    CHECK(!guest[other]->store.broken);
    CHECK(is(xs_write(d, 0, "after", "1"), "")); /* no reply any more */
    CHECK(dom0_sees(d == 1 ? "/local/domain/1/after" : "/local/domain/2/after", NULL));
    CHECK(is(xs_write(other, 0, "after", "1"), "OK"));
    CHECK(is(xs_read(other, 0, "after"), "1"));
}

static void test_a_message_longer_than_the_limit_closes_only_that_connection(void)
{
    struct xsd_sockmsg h = {XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1};
    put(1, &h, sizeof h);
    put(1, "data\0x", 6);
    pump(1);
    CHECK(sides[1].nreplies == 0);
    check_only_this_one_closed(1);
}

static void test_a_truncated_message_waits_and_malformed_payloads_are_refused(void)
{
    /* half a header, then the rest of the message later: handled once complete */
    struct xsd_sockmsg h = {XS_WRITE, 7, 0, 8};
    put(1, &h, 10);
    pump(1);
    CHECK(sides[1].nreplies == 0 && !guest[1]->store.broken);
    put(1, (const char *)&h + 10, sizeof h - 10);
    put(1, "data\0ab", 7);
    pump(1);
    CHECK(sides[1].nreplies == 0 && !guest[1]->store.broken); /* one byte short */
    CHECK(is(xs_write(2, 0, "meanwhile", "1"), "OK"));
    put(1, "c", 1);
    pump(1);
    CHECK(sides[1].nreplies == 1 && sides[1].replies[0].h.req_id == 7 && is(sides[1].replies[0].body, "OK"));
    sides[1].nreplies = 0;
    CHECK(dom0_sees("/local/domain/1/data", "abc"));
    /* payloads without their NULs, an empty one, a bad path: refused, connection kept */
    struct msg m;
    CHECK(request(1, XS_READ, 0, "data", 4, &m) && is(m.body, "EINVAL"));
    CHECK(request(1, XS_WATCH, 0, "data\0tok", 8, &m) && is(m.body, "EINVAL"));
    CHECK(request(1, XS_READ, 0, "", 0, &m) && is(m.body, "EINVAL"));
    CHECK(request(1, XS_READ, 0, "a//b", 5, &m) && is(m.body, "EINVAL"));
    CHECK(request(1, XS_TRANSACTION_END, 0, "T", 2, &m) && is(m.body, "EINVAL"));
    CHECK(request(1, 99, 0, "x", 2, &m) && is(m.body, "ENOSYS"));
    CHECK(!guest[1]->store.broken);
    CHECK(is(xs_read(1, 0, "data"), "abc"));
}

static void test_bad_request_indices_close_only_that_connection(void)
{
    volatile struct xenstore_domain_interface *r = ring(2);
    r->req_prod = r->req_cons + XENSTORE_RING_SIZE + 1; /* more than a ring ahead */
    pump(2);
    check_only_this_one_closed(2);
}

static void test_bad_response_indices_close_only_that_connection(void)
{
    CHECK(is(xs_write(1, 0, "data", "1"), "OK"));
    volatile struct xenstore_domain_interface *r = ring(1);
    r->rsp_cons = r->rsp_prod - XENSTORE_RING_SIZE - 4; /* claims more unread than a ring */
    struct xsd_sockmsg h = {XS_READ, 1, 0, 5};
    put(1, &h, sizeof h);
    put(1, "data", 5);
    store_service(guest[1]);
    check_only_this_one_closed(1);
}

static void test_a_flood_of_requests_is_answered_in_order_without_loss(void)
{
    /* more replies than the response ring holds: the guest reads as it goes */
    for (unsigned int i = 0; i < 200; i++) {
        char v[16];
        snprintf(v, sizeof v, "%u", i);
        CHECK(is(xs_write(1, 0, "flood", v), "OK"));
    }
    CHECK(is(xs_read(1, 0, "flood"), "199"));
    CHECK(guest[1]->store.events_dropped == 0);
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
#define T(f)                                                                                                           \
    {                                                                                                                  \
#f, f                                                                                                          \
    }
    T(test_guest_cannot_read_another_guests_or_dom0s_nodes),
    T(test_guest_cannot_write_or_remove_another_guests_or_dom0s_nodes),
    T(test_guest_cannot_watch_another_guests_or_dom0s_nodes),
    T(test_commit_is_eagain_after_a_write_outside_it),
    T(test_of_two_conflicting_transactions_the_second_commit_is_eagain),
    T(test_transaction_ids_by_request_type),
    T(test_a_disconnect_drops_the_guests_transactions_and_watches),
    T(test_node_quota_per_guest),
    T(test_value_size_limit),
    T(test_watch_quota_per_guest),
    T(test_transaction_quota_per_guest),
    T(test_watches_fire_on_commit_only),
    T(test_a_message_longer_than_the_limit_closes_only_that_connection),
    T(test_a_truncated_message_waits_and_malformed_payloads_are_refused),
    T(test_bad_request_indices_close_only_that_connection),
    T(test_bad_response_indices_close_only_that_connection),
    T(test_a_flood_of_requests_is_answered_in_order_without_loss),
#undef T
};

int main(int argc, char **argv)
{
    unsigned int failed = 0, n = sizeof tests / sizeof tests[0];
    for (unsigned int i = 0; i < n; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
            continue;
        current = tests[i].name;
        const unsigned int before = failures;
        setup();
        tests[i].fn();
        teardown();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", tests[i].name);
        failed += failures != before ? 1U : 0U;
    }
    printf("store-test: %u of %u failed\n", failed, n);
    return failed != 0;
}
