/*
 * app=guest: what the harness (main.c) and its parts, one file per command-line key,
 * share. A failed check is counted with guest_fail(), which prints "<part>: FAIL ...".
 */
#ifndef TESTS_MINIOS_GUEST_H
#define TESTS_MINIOS_GUEST_H

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

/* main.c: the failures so far, and one more. */
extern unsigned int guest_failures;
void guest_fail(const char *part, const char *what, long long got);

/* The parts, in the order the harness runs them. */
void test_store(void);           /* store.c: store=1 */
void test_store_tx(void);        /* storetx.c: storetx=1 */
void test_ring(uint32_t count);  /* ring.c: ring=N */
void test_blk(void);             /* blk.c: blk=1 (and stay=1's "blk") */
void test_net(const char *mode); /* net.c: net=ping|echo */
void attack_all(void);           /* attack.c: attack=all */
void hold_devices(void);         /* hold.c: hold=1 */
void console_loop(void);         /* stay.c: stay=1 */

/* blk.c: one request, expected to be refused; its status (or a frontend error). */
int blk_bad(struct blkfront *bf, struct blkif_request req);

/* net.c: the network frontend, shared by net=, attack=, hold= and stay=; connected once. */
extern struct netfront guest_net;
extern bool guest_net_up;
int net_connect(void);
/* n echo requests to dom peer; how many came back right (0 if any came back wrong) */
uint32_t net_ping(uint32_t peer, uint32_t n, bool wait_for_peer, uint32_t fixed_len);

#endif /* TESTS_MINIOS_GUEST_H */
