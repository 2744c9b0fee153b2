/*
 * The host shim under mini-OS's dom0 code (shim.h says what it fakes and how). Only what
 * the store (store_*.c) and the ring backends call is here; everything else of mini-OS is
 * absent, so a new dependency of theirs shows up as a link error, not as silently
 * different code.
 */
#define _GNU_SOURCE
#include "shim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "minios/console.h"
#include "minios/events.h"
#include "minios/gnttab.h"
#include "minios/mm.h"

struct shim_stats shim_stats;
bool dom0_verbose;
bool dom0_auto_exit;

static struct guest guest_table[DOM0_MAX_DOMS];
struct guest* guests = guest_table;
static uint8_t guest_mem[DOM0_MAX_DOMS][SHIM_GUEST_PAGES][PAGE_SIZE];

#define WINDOW_BYTES (2U * 0x100000U) /* the read-write and the read-only MiB */
#define WINDOW_PAGES (WINDOW_BYTES / PAGE_SIZE)
#define HANDLES 64U

struct shim_map {
    bool used;
    domid_t dom;
    uint32_t ref;
    uintptr_t va;
    bool readonly;
};
static struct shim_map maps[HANDLES];
static bool window_mapped[WINDOW_PAGES];
static bool window_ready;

#define ALLOCS_MAX 16U
static void* allocs[ALLOCS_MAX];

static void window_init(void) {
    if (window_ready) return;
    void* p = mmap((void*)(uintptr_t)DOM0_MAP_BASE, WINDOW_BYTES, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void*)(uintptr_t)DOM0_MAP_BASE) {
        fprintf(stderr, "shim: cannot reserve dom0's mapping window at %p\n", (void*)(uintptr_t)DOM0_MAP_BASE);
        abort();
    }
    window_ready = true;
}

static void protect(uintptr_t va, int prot) {
    if (mprotect((void*)va, PAGE_SIZE, prot) != 0) abort();
}

void shim_reset(void) {
    window_init();
    for (unsigned int h = 0; h < HANDLES; h++) {
        if (maps[h].used) protect(maps[h].va, PROT_NONE);
    }
    memset(maps, 0, sizeof maps);
    memset(window_mapped, 0, sizeof window_mapped);
    for (unsigned int i = 0; i < ALLOCS_MAX; i++) {
        free(allocs[i]);
        allocs[i] = NULL;
    }
    memset(guest_table, 0, sizeof guest_table);
    memset(&shim_stats, 0, sizeof shim_stats);
    dom0_verbose = false;
}

struct guest* shim_add_guest(unsigned int domid) {
    if (domid == 0 || domid >= DOM0_MAX_DOMS) abort();
    struct guest* g = &guest_table[domid];
    memset(g, 0, sizeof *g);
    g->used = true;
    g->booted = true;
    g->domid = (domid_t)domid;
    snprintf(g->name, sizeof g->name, "guest%u", domid);
    g->store_port = (evtchn_port_t)(10 + domid);
    memset(guest_mem[domid], 0, sizeof guest_mem[domid]);
    return g;
}

uint8_t* shim_guest_page(unsigned int domid, unsigned int page) {
    return guest_mem[domid % DOM0_MAX_DOMS][page % SHIM_GUEST_PAGES];
}

unsigned int shim_live_maps(void) {
    unsigned int n = 0;
    for (unsigned int h = 0; h < HANDLES; h++) n += maps[h].used ? 1U : 0U;
    return n;
}

bool shim_is_mapped(uintptr_t va) {
    return va >= DOM0_MAP_BASE && va - DOM0_MAP_BASE < WINDOW_BYTES && window_mapped[(va - DOM0_MAP_BASE) / PAGE_SIZE];
}

/* ---- grant maps ---- */

static int16_t map_one(domid_t dom, uint32_t ref, uint64_t host_addr, bool readonly, grant_handle_t* handle) {
    window_init();
    if (dom == 0 || dom >= DOM0_MAX_DOMS || !guest_table[dom].used) return GNTST_bad_domain;
    if (ref >= XA_GRANT_ENTRIES) return GNTST_bad_gntref;
    if (host_addr < DOM0_MAP_BASE || host_addr - DOM0_MAP_BASE >= WINDOW_BYTES || host_addr % PAGE_SIZE != 0)
        return GNTST_bad_virt_addr;
    const uintptr_t va = (uintptr_t)host_addr;
    const unsigned int page = (unsigned int)((va - DOM0_MAP_BASE) / PAGE_SIZE);
    const bool ro_mib = va >= DOM0_MAP_RO_BASE;
    if (window_mapped[page] || ro_mib != readonly) {
        shim_stats.refused_maps++;
        return GNTST_bad_virt_addr;
    }
    if (ref >= SHIM_REFS) return GNTST_permission_denied;                      /* not granted */
    if (ref >= SHIM_FIRST_RO_REF && !readonly) return GNTST_permission_denied; /* GTF_readonly, mapped writable */
    unsigned int h = 0;
    while (h < HANDLES && maps[h].used) h++;
    if (h == HANDLES) return GNTST_no_device_space;
    protect(va, PROT_READ | PROT_WRITE);
    memcpy((void*)va, guest_mem[dom][ref % SHIM_GUEST_PAGES], PAGE_SIZE);
    if (readonly) protect(va, PROT_READ);
    maps[h] = (struct shim_map){true, dom, ref, va, readonly};
    window_mapped[page] = true;
    *handle = h;
    shim_stats.maps++;
    return GNTST_okay;
}

static int16_t unmap_one(grant_handle_t handle, uint64_t host_addr) {
    if (handle >= HANDLES || !maps[handle].used) {
        shim_stats.bad_unmaps++;
        return GNTST_bad_handle;
    }
    struct shim_map* m = &maps[handle];
    if (host_addr != m->va) {
        shim_stats.bad_unmaps++;
        return GNTST_bad_virt_addr;
    }
    if (!m->readonly) memcpy(guest_mem[m->dom][m->ref % SHIM_GUEST_PAGES], (const void*)m->va, PAGE_SIZE);
    protect(m->va, PROT_NONE);
    window_mapped[(m->va - DOM0_MAP_BASE) / PAGE_SIZE] = false;
    m->used = false;
    shim_stats.unmaps++;
    return GNTST_okay;
}

int HYPERVISOR_grant_table_op(int cmd, void* ops, uint32_t count) {
    if (cmd == GNTTABOP_map_grant_ref) {
        struct gnttab_map_grant_ref* op = ops;
        for (uint32_t i = 0; i < count; i++) {
            if ((op[i].flags & ~GNTMAP_readonly) != GNTMAP_host_map) {
                op[i].status = GNTST_general_error;
                continue;
            }
            grant_handle_t h = 0;
            op[i].status = map_one(op[i].dom, op[i].ref, op[i].host_addr, (op[i].flags & GNTMAP_readonly) != 0, &h);
            if (op[i].status == GNTST_okay) {
                op[i].handle = h;
                op[i].dev_bus_addr = 0x01000000U + op[i].ref * PAGE_SIZE;
            }
        }
        return 0;
    }
    if (cmd == GNTTABOP_unmap_grant_ref) {
        struct gnttab_unmap_grant_ref* op = ops;
        for (uint32_t i = 0; i < count; i++) op[i].status = unmap_one(op[i].handle, op[i].host_addr);
        return 0;
    }
    return -XEN_ENOSYS;
}

int gnttab_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t* handle) {
    return map_one(dom, ref, va, false, handle);
}

int gnttab_map_readonly(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t* handle) {
    return map_one(dom, ref, va, true, handle);
}

int gnttab_unmap(grant_handle_t handle, uintptr_t va) { return unmap_one(handle, va); }

int dom0_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t* handle) {
    return gnttab_map(dom, ref, va, handle);
}

void dom0_unmap(grant_handle_t* handle, uintptr_t va) { (void)gnttab_unmap(*handle, va); }

int HYPERVISOR_update_va_mapping(uint32_t va, xa_pte_t pte, uint32_t flags) {
    (void)va;
    (void)pte;
    (void)flags;
    fprintf(stderr, "shim: update_va_mapping is not part of what the fuzz targets run\n");
    abort();
}

const start_info_t* pv_start_info(void) {
    static start_info_t si;
    return &si;
}

/* ---- events, guests, devices ---- */

int notify_remote_via_evtchn(evtchn_port_t port) {
    (void)port;
    shim_stats.notifies++;
    return 0;
}

struct guest* guest_get(unsigned int domid) {
    return domid < DOM0_MAX_DOMS && guest_table[domid].used ? &guest_table[domid] : NULL;
}

void dom0_kick(struct guest* g, uint32_t bits) { g->work |= bits; }

bool dom0_rollback_pending(void) { return false; }

int dom0_bind(domid_t dom, evtchn_port_t remote, evtchn_port_t* local, struct guest* g, uint32_t bits) {
    (void)remote;
    (void)g;
    (void)bits;
    *local = (evtchn_port_t)(20 + dom);
    return 0;
}

void dom0_unbind(evtchn_port_t* port) { *port = 0; }

/* The frontend's store keys: fixed refs (SHIM_REF_*) and port (the store target fuzzes
 * the store itself). */
int frontend_u32(struct guest* g, const char* type, const char* key, uint32_t* out) {
    (void)g;
    if (strcmp(key, "ring-ref") == 0)
        *out = strcmp(type, "vbd") == 0 ? SHIM_REF_VBD_RING : SHIM_REF_VTEST_RING;
    else if (strcmp(key, "tx-ring-ref") == 0)
        *out = SHIM_REF_VIF_TX;
    else if (strcmp(key, "rx-ring-ref") == 0)
        *out = SHIM_REF_VIF_RX;
    else if (strcmp(key, "event-channel") == 0)
        *out = 5;
    else
        return -XEN_ENOENT;
    return 0;
}

/* As devices.c: a connected backend of that type disconnects (and its nodes say why). */
void backend_fail(struct guest* g, const char* type, const char* why) {
    (void)why;
    struct backend_common* c = NULL;
    void (*disconnect)(struct guest*) = NULL;
    if (strcmp(type, "vbd") == 0) {
        c = &g->vbd.c;
        disconnect = blkback_disconnect;
    } else if (strcmp(type, "vif") == 0) {
        c = &g->vif.c;
        disconnect = netback_disconnect;
    } else if (strcmp(type, "vtest") == 0) {
        c = &g->vtest.c;
        disconnect = ringback_disconnect;
    }
    if (c == NULL || !c->connected) return;
    disconnect(g);
    c->connected = false;
    shim_stats.backend_failures++;
}

/* ---- memory and console ---- */

void* alloc_pages(unsigned int count) {
    for (unsigned int i = 0; i < ALLOCS_MAX; i++) {
        if (allocs[i] == NULL) {
            allocs[i] = aligned_alloc(PAGE_SIZE, (size_t)count * PAGE_SIZE);
            if (allocs[i] != NULL) memset(allocs[i], 0, (size_t)count * PAGE_SIZE); /* as mm.c */
            return allocs[i];
        }
    }
    return NULL;
}

void free_pages(void* p, unsigned int count) {
    (void)count;
    for (unsigned int i = 0; i < ALLOCS_MAX; i++) {
        if (allocs[i] == p) {
            free(p);
            allocs[i] = NULL;
        }
    }
}

void vprintk(const char* fmt, va_list ap) {
    static int verbose = -1;
    if (verbose < 0) verbose = getenv("FUZZ_PRINTK") != NULL;
    if (verbose) vfprintf(stderr, fmt, ap);
}

void printk(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}
