/*
 * app=guest (pv): a guest of a split-driver system, using dom0's devices through its
 * frontends. Run with console=ring so that its console goes through dom0 too.
 *
 *   store=1            the store: read, write, directory, rm, watches, permissions
 *   storetx=1          store transactions: commit, abort, isolation (conflicts with
 *                      our own and dom0's writes: EAGAIN), watches on commit, limits;
 *                      leaves two transactions open for dom0 to drop
 *   ring=N             N requests through the ring-test device: prints what came back
 *                      (lost, duplicated, wrong) and the ring's throughput; ring_ms=M
 *                      repeats batches of N until M ms of system time (steady traffic;
 *                      ring_gap=G sleeps G ms between batches: bursts)
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
 *
 * This file is the harness: it reads the keys and runs the parts in the order above. Each
 * part is a file of its own, named by its key (store.c, storetx.c, ring.c, blk.c, net.c,
 * attack.c, hold.c, stay.c); guest.h is what they share.
 */
#include "guest.h"

unsigned int guest_failures;

void guest_fail(const char *part, const char *what, long long got)
{
    printk("%s: FAIL %s (got %lld)\n", part, what, got);
    guest_failures++;
}

static void guest_main(void)
{
    xencons_bind_input();
    int rc = xenbus_init();
    if (rc != 0) {
        guest_fail("guest", "no store", rc);
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
    printk("guest: done, %u failure(s)\n", guest_failures);
    if (cmdline_get_u32("stay", 0) != 0)
        console_loop();
    if (guest_net_up && attack == NULL) { /* an attacker's store connection is gone */
        rc = netfront_disconnect(&guest_net, NOW() + CONNECT_TIMEOUT);
        if (rc != 0)
            guest_fail("net", "disconnect", rc);
    }
}
MINIOS_APP("guest", guest_main);
