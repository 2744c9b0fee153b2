// The VMM's event channels: per-domain port tables and Xen's 2-level delivery onto each
// domain's shared_info page. Hardware independent (host-tested); the hypercall layer copies
// the EVTCHNOP_* struct in from the guest, calls the matching operation, copies it back on
// success and returns to_int(err) in r0.
//
// Domains: attach() registers a domain id (< kMaxDomains) with its shared_info page; ops on
// an id that is not attached fail with kErrSrch, as Xen's lookup of a missing domain does.
//
// Errors (Xen's choices, from xen/common/event_channel.c):
//   -ESRCH   the domain named by a dom field (or the caller) does not exist
//   -EPERM   status/alloc_unbound on another domain without privilege; bind_virq of a
//            virq that is not the caller's to bind (virq_bindable)
//   -EINVAL  port out of range, port in the wrong state (free/reserved/not unbound for us),
//            virq out of range, global virq on vCPU != 0
//   -ENOENT  vCPU does not exist (bind_virq)
//   -EEXIST  virq already bound in this domain
//   -ENOSPC  no free port
// On error nothing changes (neither the tables nor any shared_info).
//
// Concurrency: the VMM is uniprocessor and runs these with the guests stopped, so plain
// read-modify-write of the shared bitmaps is atomic with respect to the guest.
#pragma once

#include <xen-arm/event_channel.h>
#include <xen-arm/shared_info.h>

#include "types.hh"

namespace xa {

// Which VIRQs a domain may bind. The privileged domain: all of them. Another domain: its
// own per-vCPU ones (VIRQ_TIMER, and the profiling ones the VMM never raises), and
// XA_VIRQ_PASSTHROUGH only while it owns a passed-through device; not VIRQ_DEBUG (a
// request from the VMM's console) and no global VIRQ (VIRQ_CONSOLE, VIRQ_DOM_EXC, ...):
// those report on the whole system and are dom0's, as in Xen.
constexpr bool virq_bindable(u32 virq, bool privileged, bool has_device) {
    if (privileged) return true;
    if (virq == XA_VIRQ_PASSTHROUGH) return has_device;
    return virq == VIRQ_TIMER || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU || virq == XA_VIRQ_ROLLED_BACK;
}

// Xen errnos that Err does not (yet) name.
inline constexpr Err kErrSrch = static_cast<Err>(-XEN_ESRCH);
inline constexpr Err kErrNoSpc = static_cast<Err>(-XEN_ENOSPC);

// "Someone needs to look at this domain": set when an operation newly set a domain's
// evtchn_upcall_pending. The caller wakes/reschedules that domain (Xen's vcpu_kick).
struct Kick {
    bool needed = false;
    DomId dom{};
};

class EventChannels {
  public:
    static constexpr u32 kMaxDomains = 8;
    // Ports per domain in the VMM's table (the 2-level ABI would allow 1024). Port 0 is
    // reserved, as in Xen, so a domain has kPortsPerDomain - 1 usable ports.
    static constexpr u32 kPortsPerDomain = 64;
    static_assert(kPortsPerDomain <= XA_EVTCHN_2L_NR_PORTS);
    static constexpr u32 kVcpus = XA_MAX_VCPUS;

    enum class State : u8 {
        free,         // never bound or closed (status: EVTCHNSTAT_closed)
        reserved,     // port 0 (status: EVTCHNSTAT_closed)
        unbound,      // allocated for remote_dom to bind to
        interdomain,  // connected to (remote_dom, remote_port)
        virq,         // bound to VIRQ virq
    };

    struct Port {
        State state = State::free;
        u16 remote_dom = 0;   // unbound, interdomain
        u16 remote_port = 0;  // interdomain
        u8 virq = 0;          // virq
    };

    EventChannels() = default;
    EventChannels(const EventChannels&) = delete;
    EventChannels& operator=(const EventChannels&) = delete;

    // Registers a domain with an empty port table. The shared_info is not cleared (the
    // builder owns its contents). -EINVAL for a bad id or null page, -EEXIST if attached.
    Err attach(DomId dom, shared_info* shared, bool privileged = false);
    // Closes every port of the domain (interdomain peers revert to unbound, as with close)
    // and forgets it. -ESRCH if not attached.
    Err detach(DomId dom);
    bool exists(DomId dom) const;

    // EVTCHNOP_* on behalf of `caller`. OUT fields are written only on success.
    Err alloc_unbound(DomId caller, evtchn_alloc_unbound& arg);
    // Also sets the new local port pending (Xen does so, since notifications sent while the
    // remote port was unbound were dropped); `kick` reports the caller's upcall.
    Err bind_interdomain(DomId caller, evtchn_bind_interdomain& arg, Kick& kick);
    // has_device: the caller owns a passed-through device (XA_VIRQ_PASSTHROUGH is its).
    Err bind_virq(DomId caller, evtchn_bind_virq& arg, bool has_device = false);
    Err close(DomId caller, const evtchn_close& arg);
    // Closes `owner`'s port only if it still belongs to a channel with `peer`: connected to
    // it, or unbound and offered to it. The VMM keeps port numbers of channels it made
    // (dom0's end of a domain's console and store); their owner may have closed one and
    // reused the number meanwhile. Returns whether the port was closed.
    bool close_if_peer(DomId owner, u32 port, DomId peer);
    // Interdomain: pending on the peer; unbound: dropped (returns ok); else -EINVAL.
    Err send(DomId caller, const evtchn_send& arg, Kick& kick);
    Err status(DomId caller, evtchn_status& arg) const;
    // Any in-range port may be unmasked (Xen checks range only); may kick the caller.
    Err unmask(DomId caller, const evtchn_unmask& arg, Kick& kick);

    // The VMM raises VIRQ `virq` in `dom`: a no-op if the domain has no port bound to it.
    // -ESRCH unknown domain, -EINVAL virq out of range.
    Err raise_virq(DomId dom, u32 virq, Kick& kick);

    // Whether `port` (any 2-level port number, below XA_EVTCHN_2L_NR_PORTS) is pending in
    // dom's shared_info, masked or not: what sched_op poll waits for. The guest may set
    // bits itself, so this reads the page rather than the VMM's port table. false for an
    // unknown domain or a port out of range.
    bool is_pending(DomId dom, u32 port) const;

    // Where the VMM should touch a domain's shared_info right now. ARM926 caches are
    // virtually indexed: while a domain runs, the VMM must use the same virtual address as
    // the guest (its shared_info mapping), not the DIRECTMAP alias it attached with. The
    // hook gets the domain and the attached pointer and returns the one to use; without a
    // hook (host tests) the attached pointer is used.
    using SharedView = shared_info* (*)(DomId dom, shared_info* attached);
    void set_shared_view(SharedView view) { view_ = view; }

    // Read-only view of a port's table entry, for tests and debugging (nullptr if the
    // domain or port does not exist).
    const Port* port(DomId dom, u32 port) const;

  private:
    struct Domain {
        bool present = false;
        bool privileged = false;
        shared_info* shared = nullptr;
        Port ports[kPortsPerDomain];
        u16 virq_to_port[NR_VIRQS] = {};  // 0 = unbound (port 0 is never bound)
    };

    Domain* find(DomId dom);
    const Domain* find(DomId dom) const;
    // DOMID_SELF -> caller.
    static DomId resolve(DomId caller, domid_t dom);
    // Lowest free port, or 0 if none.
    static u32 free_port(const Domain& d);
    // Returns port to free, clearing its pending bit; an interdomain peer reverts to
    // unbound for this domain; a virq binding is dropped.
    void close_port(DomId dom, Domain& d, u32 port);
    // 2-level set-pending on (dom, port); sets kick if upcall_pending was newly set.
    void set_pending(DomId dom, Domain& d, u32 port, Kick& kick);
    shared_info& shared_of(DomId dom, const Domain& d) const { return view_ ? *view_(dom, d.shared) : *d.shared; }

    Domain domains_[kMaxDomains];
    SharedView view_ = nullptr;
};

}  // namespace xa
