/*
 * app=guest: storetx=1, store transactions: commit, abort, isolation, watches on
 * commit, limits; leaves two transactions open for dom0 to drop (guest.h).
 */
#include "guest.h"

static void tx_check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("storetx: %s: ok\n", what);
    else
        guest_fail("storetx", what, got);
}

static void drain_events(const char *token)
{
    while (xenbus_wait_event(token, NULL, 0, NOW() + MILLISECS(100)))
        ;
}

static struct ringfront tx_ring;

void test_store_tx(void)
{
    const unsigned int before = guest_failures;
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
    tx_check("the retry loop commits at the second attempt", rc == 0 && attempts == 2 && strcmp(v, "1") == 0, attempts);
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
    if (guest_failures == before)
        printk("storetx: ok\n");
}
