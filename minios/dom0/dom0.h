/*
 * dom0 of a split-driver system (app=dom0): the toolstack, the store, the console
 * multiplexer, the block, network and ring-test backends and the shell, all in mini-OS.
 *
 * Threads: the io thread services every event (store, consoles, device rings, frontend
 * state changes, domain exits); the shell thread reads the console and runs commands.
 * Event handlers only set a guest's work bits and wake the io thread.
 *
 * Address map for other domains' pages: each guest id has a window of DOM0_MAP_PAGES
 * pages at DOM0_MAP_BASE + id * DOM0_MAP_PAGES pages (one second-level table covers all
 * windows); the slots below are fixed, so nothing is ever mapped twice. Read-only maps
 * (GNTMAP_readonly: a block write's data pages, a transmitted frame) go to the same slots of a second window,
 * DOM0_MAP_RO_BASE, the next MiB: the VMM keeps read-only maps in MiBs without read-write
 * pages (hypercalls/xen-arm/grant_table.h).
 */
#ifndef MINIOS_DOM0_H
#define MINIOS_DOM0_H

#include <xen-arm/io/blkif.h>
#include <xen-arm/io/console.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>
#include <xen-arm/io/xs_wire.h>

#include "minios/sched.h"
#include "pv.h"

#define DOM0_MAX_DOMS 8U
/* The RAM disk from the boot image (blkback.c), mapped here: up to 3 MiB. */
#define DOM0_RAMDISK_VA 0xD0000000U
#define DOM0_RAMDISK_MAX_PAGES 768U
/* A host build of these sources (tests/fuzz) may put the window elsewhere; mini-OS never does. */
#ifndef DOM0_MAP_BASE
#define DOM0_MAP_BASE 0xE0000000U
#endif
#define DOM0_MAP_PAGES 32U
enum map_slot {
    SLOT_STORE = 0,
    SLOT_CONSOLE = 1,
    SLOT_VBD_RING = 2,
    SLOT_VIF_TX = 3,
    SLOT_VIF_RX = 4,
    SLOT_VTEST_RING = 5,
    SLOT_VBD_DATA = 8, /* .. 8 + BLKIF_MAX_SEGMENTS_PER_REQUEST - 1 */
    SLOT_NET_SRC = 20, /* a tx frame of this guest (read-only window) */
    SLOT_NET_DST = 21, /* an rx buffer of this guest */
};
static inline uintptr_t dom0_map_va(unsigned int domid, enum map_slot slot)
{
    return DOM0_MAP_BASE + (domid * DOM0_MAP_PAGES + (unsigned int)slot) * PAGE_SIZE;
}
#define DOM0_MAP_RO_BASE (DOM0_MAP_BASE + DOM0_MAX_DOMS * DOM0_MAP_PAGES * PAGE_SIZE) /* 0xE0100000 */
_Static_assert(DOM0_MAP_RO_BASE % 0x100000U == 0 && DOM0_MAX_DOMS * DOM0_MAP_PAGES * PAGE_SIZE == 0x100000U,
               "the read-write and read-only windows are one MiB each");
static inline uintptr_t dom0_map_ro_va(unsigned int domid, enum map_slot slot)
{
    return dom0_map_va(domid, slot) - DOM0_MAP_BASE + DOM0_MAP_RO_BASE;
}

/* Work bits (struct guest.work), set by event handlers. */
#define W_STORE (1U << 0)
#define W_CONSOLE (1U << 1)
#define W_VBD (1U << 2)
#define W_VIF (1U << 3)
#define W_VTEST (1U << 4)
#define W_FRONTEND (1U << 5) /* the guest wrote under its device/ nodes */

/* ---- per-device backend state ---- */
struct backend_common {
    bool offered;   /* nodes written: the guest may connect */
    bool connected; /* ring mapped, channel bound */
    int state;      /* our XenbusState */
    int fe_state;   /* the frontend's, as last seen (for verbose logs) */
    evtchn_port_t port;
    uint32_t requests, errors;
};

struct blkback {
    struct backend_common c;
    struct blkif_back_ring ring;
    grant_handle_t ring_handle;
    uint8_t *disk; /* the guest's slice of the RAM disk */
    uint32_t sectors;
};

struct netback {
    struct backend_common c;
    struct netif_tx_back_ring tx;
    struct netif_rx_back_ring rx;
    grant_handle_t tx_handle, rx_handle;
    uint8_t mac[6];
    uint32_t tx_frames, rx_frames, rx_dropped;
    uint32_t tx_ro_maps;  /* tx frames read through a read-only map (GNTMAP_readonly) */
    bool tx_grant_probed; /* verbose: told whether its tx grants are read-only */
};

struct ringback {
    struct backend_common c;
    struct ringtest_back_ring ring;
    grant_handle_t ring_handle;
    uint32_t batches;
};

/* ---- the store connection of a guest ---- */
#define STORE_OUT_MAX (2U * (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX))
struct store_conn {
    bool up, broken;
    volatile struct xenstore_domain_interface *intf;
    grant_handle_t handle;
    struct {
        struct xsd_sockmsg hdr;
        char body[XENSTORE_PAYLOAD_MAX + 1];
    } in;
    uint32_t in_len;
    XENSTORE_RING_IDX msg_start; /* the request index where the message in `in` began */
    char out[STORE_OUT_MAX];     /* replies and events not yet in the ring */
    uint32_t out_len;
    uint32_t requests, events_dropped;
};

/* ---- the console of a guest ---- */
struct cons_back {
    bool up, broken;
    volatile struct xencons_interface *intf;
    grant_handle_t handle;
    char line[120];
    uint32_t len;
    XENCONS_RING_IDX out_seen; /* our out_cons as we last wrote it (a rollback restores the guest's) */
    bool seen_valid;
};

struct guest {
    bool used;
    domid_t domid;
    char name[16];
    bool booted;                            /* false: created by the shell, paused until 'boot' */
    evtchn_port_t store_port, console_port; /* dom0's ends (the VMM made them) */
    volatile uint32_t work;
    struct store_conn store;
    struct cons_back cons;
    struct blkback vbd;
    struct netback vif;
    struct ringback vtest;
    uint32_t ft_rollbacks; /* the VMM's rollback count of it (XA_DOMCTL_ftinfo) when last looked at */
};

/* dom0.c: the guests and the io thread */
extern struct guest *guests;                    /* [DOM0_MAX_DOMS], allocated at start of day */
struct guest *guest_get(unsigned int domid);    /* NULL unless introduced */
void dom0_kick(struct guest *g, uint32_t bits); /* from handlers too */
int dom0_introduce(domid_t domid, bool booted);
int dom0_release(struct guest *g, const char *why);    /* disconnects, then destroys */
void dom0_guest_event(evtchn_port_t port, void *data); /* data = bits | guest */
int dom0_domctl(uint32_t cmd, domid_t dom, struct xen_domctl *out);
int dom0_map(domid_t dom, grant_ref_t ref, uintptr_t va, grant_handle_t *handle);
void dom0_unmap(grant_handle_t *handle, uintptr_t va);
int dom0_bind(domid_t dom, evtchn_port_t remote, evtchn_port_t *local, struct guest *g, uint32_t bits);
void dom0_unbind(evtchn_port_t *port);
unsigned int dom0_ports_in_use(void);
unsigned int dom0_maps_in_use(void);
void dom0_stop(int status);
/* The VMM rolled a guest back and the io thread has not reset its connections yet: no
 * ring is served meanwhile (dom0.c). */
bool dom0_rollback_pending(void); /* ends dom0 (and with it the system once guests are gone) */
extern bool dom0_auto_exit;
extern bool dom0_verbose; /* verbose=1: log every device state change */

/* store.h, store_*.c */
int store_init(void);                                 /* allocates the tables: 0 or -XEN_ENOMEM */
int store_write(const char *path, const char *value); /* as dom0 */
int store_printf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int store_read(const char *path, char *value, size_t size);
int store_read_u32(const char *path, uint32_t *out);
int store_rm(const char *path);
unsigned int store_nodes(void);
int store_connect(struct guest *g);
void store_service(struct guest *g);
void store_disconnect(struct guest *g);
void store_rolled_back(struct guest *g); /* its ring's indices went back: read from there */

/* console_back.c */
void mux_init(void);
void mux_line(const char *name, const char *text, size_t len);
void mux_raw(const char *text, size_t len);
void mux_prompt_shown(bool shown);
bool mux_take_reprompt(bool now); /* the prompt must be shown again (now: a key was typed) */
s_time_t mux_reprompt_due(void);  /* when a cut prompt is to be shown again; 0: none owed */
int cons_connect(struct guest *g);
void cons_service(struct guest *g);
void cons_disconnect(struct guest *g);
size_t cons_input(struct guest *g, const char *buf, size_t len);
void cons_rolled_back(struct guest *g); /* its ring's indices went back: skip what was printed */

/* devices: backend nodes, the handshake, the rings */
void devices_offer(struct guest *g);
void devices_frontend_changed(struct guest *g);
void devices_remove(struct guest *g);
const char *device_state(const struct backend_common *c);
void backend_set_state(struct guest *g, const char *type, struct backend_common *c, int state);
int frontend_state(struct guest *g, const char *type);
int frontend_u32(struct guest *g, const char *type, const char *key, uint32_t *out);
void backend_fail(struct guest *g, const char *type, const char *why);
/* The guest was rolled back to a checkpoint: every backend drops its connection (ring
 * unmapped, channel closed, requests not yet taken forgotten) and waits for the frontend
 * to connect again, as for a new one. */
void devices_rolled_back(struct guest *g);

int blkback_init(uint32_t sectors_per_guest); /* 0: the boot image's RAM disk in 7 equal slices */
uint32_t blkback_sectors(void);
int blkback_connect(struct guest *g);
void blkback_disconnect(struct guest *g);
void blkback_service(struct guest *g);
uint8_t *blkback_slice(unsigned int domid);

int netback_connect(struct guest *g);
void netback_disconnect(struct guest *g);
void netback_service(struct guest *g);
void netback_stats(uint32_t *switched, uint32_t *unknown, uint32_t *no_buffer);

int ringback_connect(struct guest *g);
void ringback_disconnect(struct guest *g);
void ringback_service(struct guest *g);

/* shell.c */
void shell_start(void);
/* The shell's "assign <id> <dev>", also dom0's assign=ID:DEV at start of day. */
void shell_assign(int id, const char *dev);
void shell_prompt_cut(void);     /* output ended the prompt line: wakes the shell to redraw it */
extern unsigned int input_focus; /* 0: dom0's shell; else the guest that gets console input */

/* irqrelay.c: dom0's irqrelay=ID:DEV, relaying a device's interrupts to a guest. */
void irqrelay_start(const char *spec, uint32_t period_us);
void irqrelay_release(domid_t guest); /* the guest is going: stop the device, say how many */

#endif /* MINIOS_DOM0_H */
