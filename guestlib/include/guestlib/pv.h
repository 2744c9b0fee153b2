/*
 * What every paravirtual guest of xen-arm does the same way, beside the hypercall wrappers
 * (guestlib/hypercall.h): check and read start_info, write to the VMM's console, read the
 * time the VMM publishes in vcpu_info.
 */
#ifndef GUESTLIB_PV_H
#define GUESTLIB_PV_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestlib/hypercall.h"
#include "guestlib/window.h"
#include "guestlib/xen_error.h"

/* Orders memory accesses as seen by the compiler: a guest runs on one CPU, and the VMM only
 * looks at shared memory between guest instructions, so program order is enough. */
#define gl_barrier() atomic_signal_fence(memory_order_seq_cst)

/* The domain's name and command line from start_info, NUL-terminated. */
struct gl_start_strings {
    char name[sizeof((start_info_t *)0)->name + 1];
    char cmdline[sizeof((start_info_t *)0)->cmd_line + 1];
};

/* Whether si carries XA_START_INFO_MAGIC; if so, its strings are copied into out. */
bool gl_start_info_read(const start_info_t *si, struct gl_start_strings *out);

/* console_io(CONSOLEIO_write) of all of buf, in as many calls as the VMM's per-call budget
 * needs; stops early if the VMM takes nothing. Inline: it is each guest's console path. */
static inline void gl_console_io_write(const char *buf, size_t len)
{
    while (len > 0) {
        const uint32_t n = len > XA_CONSOLEIO_MAX ? XA_CONSOLEIO_MAX : (uint32_t)len;
        /* The VMM may take fewer bytes than asked (its per-call console budget). */
        const int taken = HYPERVISOR_console_io(CONSOLEIO_write, n, buf);
        if (taken <= 0)
            return;
        buf += taken;
        len -= (size_t)taken;
    }
}

static inline volatile shared_info_t *gl_shared_info(void)
{
    return (volatile shared_info_t *)(gl_window() + XA_SHARED_INFO_OFFSET);
}
static inline volatile vcpu_info_t *gl_pv_vcpu(void) { return &gl_shared_info()->vcpu[0]; }

/* vcpu_info.system_time_ns. The VMM bumps time_version before and after it writes the
 * time: a read is good when the version was even and did not move across it. */
static inline uint64_t gl_pv_time_ns(void)
{
    volatile vcpu_info_t *v = gl_pv_vcpu();
    uint32_t version;
    uint64_t t;
    do {
        version = v->time_version;
        gl_barrier();
        t = v->system_time_ns;
        gl_barrier();
    } while ((version & 1) != 0 || version != v->time_version);
    return t;
}

#endif /* GUESTLIB_PV_H */
