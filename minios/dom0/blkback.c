/*
 * dom0's block backend: a RAM disk owned by dom0, one slice per guest id, served over
 * each guest's blkif ring (hypercalls/xen-arm/io/blkif.h).
 *
 * The RAM disk is the image loaded with the boot image (dom0's `ramdisk = FILE` in the
 * configuration): the VMM gives dom0 its frames as ordinary memory and says where they
 * are in start_info (ramdisk_base, ramdisk_size); dom0 maps them at DOM0_RAMDISK_VA with
 * update_va_mapping at start of day and serves the guests' disks from there, without
 * touching the contents. Guest id d (1..DOM0_MAX_DOMS - 1) gets slice d - 1: the disk
 * split in DOM0_MAX_DOMS - 1 equal slices of whole sectors, or disk_sectors=N sectors
 * each if dom0's command line says so (all slices must fit). A boot image without a RAM
 * disk for dom0 is an error (dom0 stops, saying so). A slice keeps its contents when its
 * guest is destroyed and created again, as a disk would.
 *
 * Every request is copied out of the ring before it is checked; the data pages a request
 * names are mapped for that request only (one batched map and unmap), so nothing of a
 * guest stays mapped between requests but its ring. Errors a frontend can cause
 * (operation, segment count or bounds, sector range, unmappable grants) cost it an error
 * response, never dom0's state; impossible ring indices disconnect it.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"
#include "minios/mm.h"

static uint8_t *ramdisk;
static uint32_t slice_sectors;

uint32_t blkback_sectors(void) { return slice_sectors; }

int blkback_init(uint32_t sectors)
{
    const start_info_t *si = pv_start_info();
    const uint32_t slices = DOM0_MAX_DOMS - 1;
    if (si->ramdisk_size == 0) {
        printk("blk: no RAM disk in the boot image: give dom0 'ramdisk = FILE' in its [domain] section\n");
        return -XEN_ENOENT;
    }
    const uint32_t total = si->ramdisk_size / XEN_BLKIF_SECTOR_SIZE;
    if (sectors == 0)
        sectors = total / slices;
    if (sectors == 0 || sectors > total / slices) {
        printk("blk: a RAM disk of %u sectors does not hold %u slices of %u sectors\n", (unsigned int)total,
               (unsigned int)slices, (unsigned int)(sectors != 0 ? sectors : 1));
        return -XEN_EINVAL;
    }
    const uint32_t pages = (si->ramdisk_size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages > DOM0_RAMDISK_MAX_PAGES) {
        printk("blk: a RAM disk of %u pages does not fit its window\n", (unsigned int)pages);
        return -XEN_EINVAL;
    }
    for (uint32_t i = 0; i < pages; i++) {
        const xa_pte_t pte = (si->ramdisk_base + i * PAGE_SIZE) | XA_PTE_PRESENT | XA_PTE_RW;
        const int rc = HYPERVISOR_update_va_mapping(DOM0_RAMDISK_VA + i * PAGE_SIZE, pte, 0);
        if (rc != 0) {
            printk("blk: mapping RAM-disk frame 0x%08x: %s\n", (unsigned int)(si->ramdisk_base + i * PAGE_SIZE),
                   gl_xen_error(rc));
            return rc;
        }
    }
    ramdisk = (uint8_t *)DOM0_RAMDISK_VA;
    slice_sectors = sectors;
    printk("blk: RAM disk from the boot image: %u sectors at machine 0x%08x, mapped at 0x%08x; %u slices of %u "
           "sectors\n",
           (unsigned int)total, (unsigned int)si->ramdisk_base, DOM0_RAMDISK_VA, (unsigned int)slices,
           (unsigned int)sectors);
    return 0;
}

uint8_t *blkback_slice(unsigned int domid)
{
    return ramdisk + (size_t)(domid - 1) * slice_sectors * XEN_BLKIF_SECTOR_SIZE;
}

int blkback_connect(struct guest *g)
{
    struct blkback *b = &g->vbd;
    uint32_t ref, port;
    if (frontend_u32(g, "vbd", "ring-ref", &ref) != 0 || frontend_u32(g, "vbd", "event-channel", &port) != 0)
        return -XEN_ENOENT;
    const uintptr_t va = dom0_map_va(g->domid, SLOT_VBD_RING);
    int st = dom0_map(g->domid, ref, va, &b->ring_handle);
    if (st != GNTST_okay)
        return st;
    blkif_back_init(&b->ring, (struct blkif_sring *)va, PAGE_SIZE);
    int rc = dom0_bind(g->domid, port, &b->c.port, g, W_VBD);
    if (rc != 0) {
        dom0_unmap(&b->ring_handle, va);
        return rc;
    }
    dom0_kick(g, W_VBD); /* requests queued before we came */
    return 0;
}

void blkback_disconnect(struct guest *g)
{
    struct blkback *b = &g->vbd;
    dom0_unbind(&b->c.port);
    dom0_unmap(&b->ring_handle, dom0_map_va(g->domid, SLOT_VBD_RING));
}

/* One request, already copied and owned by us. Returns a BLKIF_RSP_* status. */
static int16_t do_request(struct guest *g, const struct blkif_request *req)
{
    struct blkback *b = &g->vbd;
    if (req->operation == BLKIF_OP_FLUSH_DISKCACHE)
        return BLKIF_RSP_OKAY; /* RAM: nothing is cached */
    if (req->operation != BLKIF_OP_READ && req->operation != BLKIF_OP_WRITE)
        return BLKIF_RSP_EOPNOTSUPP;
    const unsigned int nseg = req->nr_segments;
    if (nseg == 0 || nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    uint64_t total = 0;
    for (unsigned int i = 0; i < nseg; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        if (s->first_sect > s->last_sect || s->last_sect >= XEN_BLKIF_SECTORS_PER_PAGE)
            return BLKIF_RSP_ERROR;
        total += (uint64_t)(s->last_sect - s->first_sect + 1U);
    }
    if (req->sector_number >= b->sectors || total > b->sectors - req->sector_number)
        return BLKIF_RSP_ERROR;

    /* A write only reads the guest's pages: mapped read-only (its frontend grants them
     * GTF_readonly), in the read-only window. */
    const bool readonly = req->operation == BLKIF_OP_WRITE;
    struct gnttab_map_grant_ref maps[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    for (unsigned int i = 0; i < nseg; i++) {
        const enum map_slot slot = (enum map_slot)(SLOT_VBD_DATA + i);
        maps[i] = (struct gnttab_map_grant_ref){
            .host_addr = readonly ? dom0_map_ro_va(g->domid, slot) : dom0_map_va(g->domid, slot),
            .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0U),
            .ref = req->seg[i].gref,
            .dom = g->domid,
        };
    }
    int16_t status = BLKIF_RSP_OKAY;
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, maps, nseg) != 0)
        return BLKIF_RSP_ERROR;
    for (unsigned int i = 0; i < nseg; i++) {
        if (maps[i].status != GNTST_okay)
            status = BLKIF_RSP_ERROR;
    }
    if (status == BLKIF_RSP_OKAY) {
        uint8_t *disk = b->disk + req->sector_number * XEN_BLKIF_SECTOR_SIZE;
        for (unsigned int i = 0; i < nseg; i++) {
            const struct blkif_request_segment *s = &req->seg[i];
            uint8_t *page = (uint8_t *)(uintptr_t)maps[i].host_addr + s->first_sect * XEN_BLKIF_SECTOR_SIZE;
            const size_t bytes = (size_t)(s->last_sect - s->first_sect + 1U) * XEN_BLKIF_SECTOR_SIZE;
            if (req->operation == BLKIF_OP_READ)
                memcpy(page, disk, bytes);
            else
                memcpy(disk, page, bytes);
            disk += bytes;
        }
    }
    struct gnttab_unmap_grant_ref unmaps[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    unsigned int nmapped = 0;
    for (unsigned int i = 0; i < nseg; i++) {
        if (maps[i].status == GNTST_okay)
            unmaps[nmapped++] =
                (struct gnttab_unmap_grant_ref){.host_addr = maps[i].host_addr, .handle = maps[i].handle};
    }
    if (nmapped != 0)
        (void)HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, unmaps, nmapped);
    return status;
}

void blkback_service(struct guest *g)
{
    struct blkback *b = &g->vbd;
    for (;;) {
        if (!b->c.connected || dom0_rollback_pending())
            return; /* a rolled-back guest's ring is not served from the old state */
        RING_IDX prod;
        int n = blkif_unconsumed_requests(&b->ring, &prod);
        if (n < 0) {
            char why[64];
            snprintf(why, sizeof why, "ring overflow (req_prod %u, responses %u)", (unsigned int)prod,
                     (unsigned int)b->ring.rsp_prod_pvt);
            backend_fail(g, "vbd", why);
            return;
        }
        for (int i = 0; i < n; i++) {
            struct blkif_request req;
            blkif_copy_request(&b->ring, &req);
            const int16_t status = do_request(g, &req);
            b->c.requests++;
            if (status != BLKIF_RSP_OKAY)
                b->c.errors++;
            struct blkif_response *rsp = blkif_next_response_slot(&b->ring);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = status;
            b->ring.rsp_prod_pvt++;
        }
        if (n > 0 && blkif_push_responses(&b->ring))
            (void)notify_remote_via_evtchn(b->c.port);
        int more = blkif_final_check_requests(&b->ring);
        if (more == 0)
            return;
        if (more < 0)
            continue; /* reported at the top */
    }
}
