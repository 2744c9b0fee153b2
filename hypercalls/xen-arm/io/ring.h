/*
 * xen-arm I/O rings: one shared page between a frontend (in a guest) and a backend (in
 * the driver domain), carrying fixed-size requests one way and responses the other.
 *
 * ABI choice: the page layout and the index protocol are exactly those of Xen's public
 * io/ring.h (not a fork), so a Xen split driver's ring would look the same in memory:
 *
 *   offset 0   RING_IDX req_prod     written by the frontend: requests published so far
 *   offset 4   RING_IDX req_event    written by the backend: "notify me when req_prod
 *                                    passes this"
 *   offset 8   RING_IDX rsp_prod     written by the backend: responses published so far
 *   offset 12  RING_IDX rsp_event    written by the frontend: the same for responses
 *   offset 16  48 bytes of padding (Xen's __pad / pvt), zero
 *   offset 64  the slots: a union of one request and one response each
 *
 *   - Slot count = the largest power of two that fits in (page - 64) / slot size.
 *   - Indices are free-running 32-bit counters: slot = index & (count - 1), and every
 *     comparison is a wrap-safe unsigned difference.
 *   - Each side keeps private indices: the frontend the next request it will publish
 *     (req_prod_pvt) and the next response to consume (rsp_cons); the backend the mirror
 *     pair (rsp_prod_pvt, req_cons). A response reuses the slot of a request already
 *     consumed; the frontend must never have more than `count` requests outstanding
 *     (free_requests() says how many it may still add: that is the back-pressure).
 *   - Publish: fill the slots, write barrier, store the producer index; then a full
 *     barrier and compare with the peer's event index: notify (event channel) only if the
 *     event index lies within the batch just published, i.e.
 *     (new - event) < (new - old), computed modulo 2^32.
 *   - Final check before sleeping: a consumer that found nothing sets its event index to
 *     consumed + 1, full barrier, and looks again; only if there is still nothing may it
 *     sleep (the producer will see the event index and notify).
 *   - Hardening for the backend (the frontend is not trusted): copy each request into
 *     private memory before looking at it (copy_request), and treat a req_prod more than
 *     `count` ahead of the responses produced as a broken peer (request_prod_overflow).
 *     The backend never reads a slot a second time.
 *
 * Usage: XA_DEFINE_RING_TYPES(name, request type, response type) defines
 *   union name_sring_entry, struct name_sring (the shared page), struct name_front_ring,
 *   struct name_back_ring and the static inline functions name_*() below.
 * Usable from C99/C11 and C++. Barriers: on ARMv5 (one CPU, no reordering the program
 * could observe: the VMM runs between instructions and cleans the caches on every domain
 * switch) a compiler barrier; elsewhere (host tests with real threads) the GCC/Clang
 * atomic fences. Define XA_RING_MB/XA_RING_WMB/XA_RING_RMB first to override.
 */
#ifndef XEN_ARM_IO_RING_H
#define XEN_ARM_IO_RING_H

#include "../abi.h"

typedef uint32_t RING_IDX;

#define XA_RING_PAGE_SIZE 4096U
#define XA_RING_HEADER_SIZE 64U /* offset of the first slot */

#if !defined(XA_RING_MB)
#if defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH < 6
#define XA_RING_MB() __asm__ __volatile__("" ::: "memory")
#define XA_RING_WMB() __asm__ __volatile__("" ::: "memory")
#define XA_RING_RMB() __asm__ __volatile__("" ::: "memory")
#else
#define XA_RING_MB() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define XA_RING_WMB() __atomic_thread_fence(__ATOMIC_RELEASE)
#define XA_RING_RMB() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#endif

/* Shared indices are read and written exactly once per use, as the peer may change them. */
#define XA_RING_LOAD(field) (*(const volatile RING_IDX *)&(field))
#define XA_RING_STORE(field, v) (*(volatile RING_IDX *)&(field) = (RING_IDX)(v))

/* Largest power of two <= x (x < 2^16), as a constant expression. */
#define XA_RING_RD2(x) (((x)&0x2U) ? 0x2U : ((x)&0x1U))
#define XA_RING_RD4(x) (((x)&0xCU) ? (XA_RING_RD2((x) >> 2) << 2) : XA_RING_RD2(x))
#define XA_RING_RD8(x) (((x)&0xF0U) ? (XA_RING_RD4((x) >> 4) << 4) : XA_RING_RD4(x))
#define XA_RING_RD16(x) (((x)&0xFF00U) ? (XA_RING_RD8((x) >> 8) << 8) : XA_RING_RD8(x))
#define XA_RING_POW2_FLOOR(x) XA_RING_RD16((unsigned int)(x))

/* Slots in a ring of `bytes` bytes (normally one page) whose slot is `slot_size` bytes. */
#define XA_RING_SLOTS(bytes, slot_size) XA_RING_POW2_FLOOR(((bytes)-XA_RING_HEADER_SIZE) / (slot_size))

/* The shared header alone (what every ring page starts with). */
struct xa_sring_header {
    RING_IDX req_prod, req_event;
    RING_IDX rsp_prod, rsp_event;
    uint8_t pad[48];
};
XA_ABI_SIZE(struct xa_sring_header, 64);
XA_ABI_OFFSET(struct xa_sring_header, req_prod, 0);
XA_ABI_OFFSET(struct xa_sring_header, req_event, 4);
XA_ABI_OFFSET(struct xa_sring_header, rsp_prod, 8);
XA_ABI_OFFSET(struct xa_sring_header, rsp_event, 12);

/* Wrap-safe: does the event index lie in (old, new]? Then the peer asked to be told. */
static inline int xa_ring_should_notify(RING_IDX old_prod, RING_IDX new_prod, RING_IDX event)
{
    return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old_prod);
}

#define XA_DEFINE_RING_TYPES(name, req_t, rsp_t)                                                                       \
    union name##_sring_entry {                                                                                         \
        req_t req;                                                                                                     \
        rsp_t rsp;                                                                                                     \
    };                                                                                                                 \
    struct name##_sring {                                                                                              \
        RING_IDX req_prod, req_event;                                                                                  \
        RING_IDX rsp_prod, rsp_event;                                                                                  \
        uint8_t pad[48];                                                                                               \
        union name##_sring_entry ring[1]; /* really as many as fit: see nr_ents */                                     \
    };                                                                                                                 \
    struct name##_front_ring {                                                                                         \
        RING_IDX req_prod_pvt; /* next request to publish */                                                           \
        RING_IDX rsp_cons;     /* next response to consume */                                                          \
        unsigned int nr_ents;                                                                                          \
        struct name##_sring *sring;                                                                                    \
    };                                                                                                                 \
    struct name##_back_ring {                                                                                          \
        RING_IDX rsp_prod_pvt; /* next response to publish */                                                          \
        RING_IDX req_cons;     /* next request to consume */                                                           \
        unsigned int nr_ents;                                                                                          \
        struct name##_sring *sring;                                                                                    \
    };                                                                                                                 \
    /* Slots in a ring of `bytes` bytes. */                                                                            \
    static inline unsigned int name##_ring_slots(unsigned int bytes)                                                   \
    {                                                                                                                  \
        return XA_RING_SLOTS(bytes, (unsigned int)sizeof(union name##_sring_entry));                                   \
    }                                                                                                                  \
    static inline union name##_sring_entry *name##_slot(struct name##_sring *s, unsigned int nr_ents, RING_IDX i)      \
    {                                                                                                                  \
        return (union name##_sring_entry *)((char *)s + XA_RING_HEADER_SIZE) + (i & (nr_ents - 1U));                   \
    }                                                                                                                  \
    /* The frontend initialises the shared page (Xen's SHARED_RING_INIT). */                                           \
    static inline void name##_sring_init(struct name##_sring *s)                                                       \
    {                                                                                                                  \
        unsigned int i;                                                                                                \
        XA_RING_STORE(s->req_prod, 0);                                                                                 \
        XA_RING_STORE(s->rsp_prod, 0);                                                                                 \
        XA_RING_STORE(s->req_event, 1);                                                                                \
        XA_RING_STORE(s->rsp_event, 1);                                                                                \
        for (i = 0; i < sizeof s->pad; i++)                                                                            \
            ((volatile uint8_t *)s->pad)[i] = 0;                                                                       \
    }                                                                                                                  \
    static inline void name##_front_init(struct name##_front_ring *f, struct name##_sring *s, unsigned int bytes)      \
    {                                                                                                                  \
        f->req_prod_pvt = 0;                                                                                           \
        f->rsp_cons = 0;                                                                                               \
        f->nr_ents = name##_ring_slots(bytes);                                                                         \
        f->sring = s;                                                                                                  \
    }                                                                                                                  \
    /* The backend attaches to a page the frontend initialised: it starts from the        \
     * producer indices it finds there (Xen's BACK_RING_ATTACH). */                            \
    static inline void name##_back_init(struct name##_back_ring *b, struct name##_sring *s, unsigned int bytes)        \
    {                                                                                                                  \
        b->rsp_prod_pvt = XA_RING_LOAD(s->rsp_prod);                                                                   \
        b->req_cons = b->rsp_prod_pvt;                                                                                 \
        b->nr_ents = name##_ring_slots(bytes);                                                                         \
        b->sring = s;                                                                                                  \
    }                                                                                                                  \
    /* ---- frontend ---- */                                                                                           \
    /* Requests the frontend may still queue before it must wait for responses. */                                     \
    static inline unsigned int name##_free_requests(const struct name##_front_ring *f)                                 \
    {                                                                                                                  \
        return f->nr_ents - (unsigned int)(f->req_prod_pvt - f->rsp_cons);                                             \
    }                                                                                                                  \
    static inline int name##_full(const struct name##_front_ring *f) { return name##_free_requests(f) == 0; }          \
    /* The slot of the next request (fill it, then req_prod_pvt++). */                                                 \
    static inline req_t *name##_next_request(struct name##_front_ring *f)                                              \
    {                                                                                                                  \
        return &name##_slot(f->sring, f->nr_ents, f->req_prod_pvt)->req;                                               \
    }                                                                                                                  \
    /* Publishes the queued requests; returns 1 if the backend must be notified. */                                    \
    static inline int name##_push_requests(struct name##_front_ring *f)                                                \
    {                                                                                                                  \
        const RING_IDX old_prod = XA_RING_LOAD(f->sring->req_prod);                                                    \
        const RING_IDX new_prod = f->req_prod_pvt;                                                                     \
        XA_RING_WMB(); /* the slots before the index */                                                                \
        XA_RING_STORE(f->sring->req_prod, new_prod);                                                                   \
        XA_RING_MB(); /* the index before reading req_event */                                                         \
        return xa_ring_should_notify(old_prod, new_prod, XA_RING_LOAD(f->sring->req_event));                           \
    }                                                                                                                  \
    /* Responses published and not consumed yet. */                                                                    \
    static inline unsigned int name##_unconsumed_responses(const struct name##_front_ring *f)                          \
    {                                                                                                                  \
        const RING_IDX prod = XA_RING_LOAD(f->sring->rsp_prod);                                                        \
        XA_RING_RMB(); /* the index before the slots */                                                                \
        return (unsigned int)(prod - f->rsp_cons);                                                                     \
    }                                                                                                                  \
    /* The response at rsp_cons (read it, then rsp_cons++). */                                                         \
    static inline const rsp_t *name##_next_response(struct name##_front_ring *f)                                       \
    {                                                                                                                  \
        return &name##_slot(f->sring, f->nr_ents, f->rsp_cons)->rsp;                                                   \
    }                                                                                                                  \
    /* Nothing left to consume: ask to be notified, then look once more (1 = more). */                                 \
    static inline int name##_final_check_responses(struct name##_front_ring *f)                                        \
    {                                                                                                                  \
        if (name##_unconsumed_responses(f) != 0)                                                                       \
            return 1;                                                                                                  \
        XA_RING_STORE(f->sring->rsp_event, f->rsp_cons + 1U);                                                          \
        XA_RING_MB();                                                                                                  \
        return name##_unconsumed_responses(f) != 0;                                                                    \
    }                                                                                                                  \
    /* ---- backend ---- */                                                                                            \
    /* A producer index the frontend cannot legitimately have written: more requests    \
     * outstanding than the ring has slots. */                              \
    static inline int name##_request_prod_overflow(const struct name##_back_ring *b, RING_IDX prod)                    \
    {                                                                                                                  \
        return (RING_IDX)(prod - b->rsp_prod_pvt) > b->nr_ents;                                                        \
    }                                                                                                                  \
    /* Requests the backend may consume now: published ones, but never more than it has   \
     * slots left to answer in (Xen's RING_HAS_UNCONSUMED_REQUESTS). Reads req_prod       \
     * once into *prod; returns -1 (and consumes nothing) if it is impossible. */                            \
    static inline int name##_unconsumed_requests(const struct name##_back_ring *b, RING_IDX *prod)                     \
    {                                                                                                                  \
        const RING_IDX p = XA_RING_LOAD(b->sring->req_prod);                                                           \
        unsigned int published, room;                                                                                  \
        XA_RING_RMB();                                                                                                 \
        *prod = p;                                                                                                     \
        if (name##_request_prod_overflow(b, p))                                                                        \
            return -1;                                                                                                 \
        published = (unsigned int)(p - b->req_cons);                                                                   \
        room = b->nr_ents - (unsigned int)(b->req_cons - b->rsp_prod_pvt);                                             \
        return (int)(published < room ? published : room);                                                             \
    }                                                                                                                  \
    /* Copies the request at req_cons into private memory and advances req_cons; the      \
     * caller validates the copy only (Xen's RING_COPY_REQUEST). */                            \
    static inline void name##_copy_request(struct name##_back_ring *b, req_t *out)                                     \
    {                                                                                                                  \
        const volatile void *src = &name##_slot(b->sring, b->nr_ents, b->req_cons)->req;                               \
        unsigned int i;                                                                                                \
        if (sizeof(req_t) % 4U == 0) { /* slots are 4-byte aligned: copy words */                                      \
            const volatile uint32_t *s = (const volatile uint32_t *)src;                                               \
            uint32_t *d = (uint32_t *)(void *)out;                                                                     \
            for (i = 0; i < sizeof(req_t) / 4U; i++)                                                                   \
                d[i] = s[i];                                                                                           \
        } else {                                                                                                       \
            const volatile unsigned char *s = (const volatile unsigned char *)src;                                     \
            unsigned char *d = (unsigned char *)out;                                                                   \
            for (i = 0; i < sizeof(req_t); i++)                                                                        \
                d[i] = s[i];                                                                                           \
        }                                                                                                              \
        b->req_cons++;                                                                                                 \
    }                                                                                                                  \
    /* The slot of the next response (fill it, then rsp_prod_pvt++). */                                                \
    static inline rsp_t *name##_next_response_slot(struct name##_back_ring *b)                                         \
    {                                                                                                                  \
        return &name##_slot(b->sring, b->nr_ents, b->rsp_prod_pvt)->rsp;                                               \
    }                                                                                                                  \
    /* Publishes the responses; returns 1 if the frontend must be notified. */                                         \
    static inline int name##_push_responses(struct name##_back_ring *b)                                                \
    {                                                                                                                  \
        const RING_IDX old_prod = XA_RING_LOAD(b->sring->rsp_prod);                                                    \
        const RING_IDX new_prod = b->rsp_prod_pvt;                                                                     \
        XA_RING_WMB();                                                                                                 \
        XA_RING_STORE(b->sring->rsp_prod, new_prod);                                                                   \
        XA_RING_MB();                                                                                                  \
        return xa_ring_should_notify(old_prod, new_prod, XA_RING_LOAD(b->sring->rsp_event));                           \
    }                                                                                                                  \
    /* Nothing left: ask to be notified of new requests, then look once more. Returns     \
     * > 0 more work, 0 none (sleep), -1 broken peer (see unconsumed_requests). */                            \
    static inline int name##_final_check_requests(struct name##_back_ring *b)                                          \
    {                                                                                                                  \
        RING_IDX prod;                                                                                                 \
        int n = name##_unconsumed_requests(b, &prod);                                                                  \
        if (n != 0)                                                                                                    \
            return n;                                                                                                  \
        XA_RING_STORE(b->sring->req_event, b->req_cons + 1U);                                                          \
        XA_RING_MB();                                                                                                  \
        return name##_unconsumed_requests(b, &prod);                                                                   \
    }                                                                                                                  \
    typedef int name##_ring_defined_

/* Compile-time layout checks for a ring defined above: slot size and slot count in one
 * page, and the slots at offset 64. */
#define XA_RING_ASSERT_LAYOUT(name, slot_size, slots)                                                                  \
    XA_ABI_SIZE(union name##_sring_entry, slot_size);                                                                  \
    XA_ABI_OFFSET(struct name##_sring, ring, XA_RING_HEADER_SIZE);                                                     \
    XA_ABI_ASSERT(XA_RING_SLOTS(XA_RING_PAGE_SIZE, slot_size) == (slots), #name " slots")

#endif /* XEN_ARM_IO_RING_H */
