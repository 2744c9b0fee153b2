/*
 * app=guest: hold=1, vbd, vif and vtest connected and kept (guest.h).
 */
#include "guest.h"

static struct blkfront held_blk;
static struct ringfront held_ring;

void hold_devices(void)
{
    const s_time_t deadline = NOW() + CONNECT_TIMEOUT;
    int rc = blkfront_connect(&held_blk, deadline);
    if (rc != 0) {
        guest_fail("hold", "vbd", rc);
        return;
    }
    rc = net_connect();
    if (rc != 0) {
        guest_fail("hold", "vif", rc);
        return;
    }
    rc = ringfront_connect(&held_ring, deadline);
    if (rc != 0) {
        guest_fail("hold", "vtest", rc);
        return;
    }
    printk("guest: vbd (%u sectors), vif and vtest connected\n", (unsigned int)held_blk.sectors);
}
