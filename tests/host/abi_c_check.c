/* Proves the guest ABI headers are C99: this file is compiled as C99 (-pedantic) by CMake.
 * It includes every header in hypercalls/xen-arm/ (twice, to exercise the include guards)
 * and uses each struct, so the layout asserts run in C as well as in C++. */
#include <xen-arm/abi.h>
#include <xen-arm/domctl.h>
#include <xen-arm/event_channel.h>
#include <xen-arm/hypercall.h>
#include <xen-arm/io/blkif.h>
#include <xen-arm/io/console.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>
#include <xen-arm/io/xs_wire.h>
#include <xen-arm/physdev.h>
#include <xen-arm/shared_info.h>

#include <xen-arm/abi.h>
#include <xen-arm/domctl.h>
#include <xen-arm/event_channel.h>
#include <xen-arm/hypercall.h>
#include <xen-arm/io/blkif.h>
#include <xen-arm/io/console.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>
#include <xen-arm/io/xs_wire.h>
#include <xen-arm/physdev.h>
#include <xen-arm/shared_info.h>

XA_ABI_ASSERT(XA_HYPERCALL_COUNT > XA_HYPERCALL_trace_marker, "dispatch table covers all");
XA_ABI_ASSERT(sizeof(domid_t) == 2 && sizeof(evtchn_port_t) == 4, "id widths");

uint32_t xa_abi_c_check(void);
uint32_t xa_abi_c_check(void) {
    static struct shared_info s;
    struct evtchn_alloc_unbound a = {DOMID_SELF, 0, 0};
    struct evtchn_bind_interdomain b = {DOMID_SELF, 1, 0};
    struct evtchn_bind_virq v = {VIRQ_TIMER, 0, 0};
    struct evtchn_close c = {1};
    struct evtchn_send snd = {1};
    struct evtchn_status st;
    struct evtchn_unmask u = {1};
    st.dom = DOMID_SELF;
    st.port = 1;
    st.u.virq = VIRQ_CONSOLE;
    s.vcpu[0].evtchn_upcall_pending = 1;
    return a.port + b.local_port + v.port + c.port + snd.port + st.u.virq + u.port + s.vcpu[0].evtchn_upcall_pending +
           (uint32_t)-XEN_EINVAL + EVTCHNOP_unmask;
}
