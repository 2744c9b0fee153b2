/*
 * xen-arm virtual block device: requests and responses on an I/O ring (ring.h), Xen's
 * public io/blkif.h layout (as on Xen's ARM ABI, 64-bit fields 8-byte aligned): 112-byte
 * requests, 16-byte responses, 32 slots in one page.
 *
 * A request names up to BLKIF_MAX_SEGMENTS_PER_REQUEST granted pages of the frontend; in
 * each, sectors first_sect..last_sect (512 bytes each, 0..7) are transferred to or from
 * consecutive disk sectors starting at sector_number. BLKIF_OP_FLUSH_DISKCACHE has no
 * segments. The backend answers every request exactly once, with the request's id and
 * operation and a status: BLKIF_RSP_OKAY, BLKIF_RSP_ERROR (bad sector range, bad
 * segment, a grant that cannot be mapped) or BLKIF_RSP_EOPNOTSUPP (unknown operation).
 *
 * Store keys (under the device paths, Xen's names):
 *   backend:  sectors (decimal), sector-size (512), info (0), feature-flush-cache (1),
 *             state
 *   frontend: ring-ref, event-channel, state
 */
#ifndef XEN_ARM_IO_BLKIF_H
#define XEN_ARM_IO_BLKIF_H

#include "../grant_table.h"
#include "ring.h"

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_WRITE_BARRIER 2
#define BLKIF_OP_FLUSH_DISKCACHE 3

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define XEN_BLKIF_SECTOR_SIZE 512U
#define XEN_BLKIF_SECTORS_PER_PAGE 8U

struct blkif_request_segment {
    grant_ref_t gref;   /* the page */
    uint8_t first_sect; /* 0..7 */
    uint8_t last_sect;  /* first_sect..7 */
    uint16_t pad0;
};
XA_ABI_SIZE(struct blkif_request_segment, 8);

struct blkif_request {
    uint8_t operation;   /* BLKIF_OP_* */
    uint8_t nr_segments; /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST (0 for a flush) */
    blkif_vdev_t handle; /* the device (0) */
    uint32_t pad0;
    uint64_t id; /* echoed in the response */
    blkif_sector_t sector_number;
    struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
XA_ABI_SIZE(struct blkif_request, 112);
XA_ABI_OFFSET(struct blkif_request, id, 8);
XA_ABI_OFFSET(struct blkif_request, sector_number, 16);
XA_ABI_OFFSET(struct blkif_request, seg, 24);

struct blkif_response {
    uint64_t id;
    uint8_t operation;
    uint8_t pad0;
    int16_t status; /* BLKIF_RSP_* */
    uint32_t pad1;
};
XA_ABI_SIZE(struct blkif_response, 16);
XA_ABI_OFFSET(struct blkif_response, status, 10);

#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_OKAY 0

XA_DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);
XA_RING_ASSERT_LAYOUT(blkif, 112, 32);

#endif /* XEN_ARM_IO_BLKIF_H */
