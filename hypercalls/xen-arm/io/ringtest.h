/*
 * xen-arm ring test device ("vtest"): the I/O ring (ring.h) exercised on its own, with
 * no data pages: the frontend sends numbered requests, dom0's backend answers each with
 * the same id and sequence number and a checksum of the request's words. Used to stress
 * the ring (none lost, none duplicated, back-pressure when full) and to measure its
 * throughput. 32-byte slots, 64 of them in one page.
 *
 * Store keys: frontend ring-ref, event-channel, state; backend state.
 */
#ifndef XEN_ARM_IO_RINGTEST_H
#define XEN_ARM_IO_RINGTEST_H

#include "ring.h"

struct ringtest_request {
    uint32_t id;      /* echoed */
    uint32_t seq;     /* echoed */
    uint32_t data[6]; /* summed */
};
XA_ABI_SIZE(struct ringtest_request, 32);

struct ringtest_response {
    uint32_t id;
    uint32_t seq;
    uint32_t sum;   /* seq + data[0] + ... + data[5], modulo 2^32 */
    int32_t status; /* 0 */
};
XA_ABI_SIZE(struct ringtest_response, 16);

XA_DEFINE_RING_TYPES(ringtest, struct ringtest_request, struct ringtest_response);
XA_RING_ASSERT_LAYOUT(ringtest, 32, 64);

#endif /* XEN_ARM_IO_RINGTEST_H */
