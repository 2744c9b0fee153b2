// Event channels (see event_channel.hh for the contract and the error choices).
//
// Every operation validates everything first and changes state only once nothing can fail,
// so an error leaves the tables and the shared pages untouched.
#include "event_channel.hh"

namespace xa {

// The Err values the hypercall layer returns are the ABI's errnos, negated.
static_assert(to_int(Err::perm) == -XEN_EPERM);
static_assert(to_int(Err::noent) == -XEN_ENOENT);
static_assert(to_int(Err::nomem) == -XEN_ENOMEM);
static_assert(to_int(Err::fault) == -XEN_EFAULT);
static_assert(to_int(Err::busy) == -XEN_EBUSY);
static_assert(to_int(Err::exist) == -XEN_EEXIST);
static_assert(to_int(Err::inval) == -XEN_EINVAL);
static_assert(to_int(Err::nosys) == -XEN_ENOSYS);
static_assert(to_int(kErrSrch) == -3 && to_int(kErrNoSpc) == -28);

namespace {

constexpr u32 word_of(u32 port) { return port / XA_EVTCHN_WORD_BITS; }
constexpr u32 bit_of(u32 port) { return 1u << (port % XA_EVTCHN_WORD_BITS); }

// Per-vCPU VIRQs (Xen's virq_is_global() == false); the rest may only be bound on vCPU 0.
constexpr bool virq_is_per_vcpu(u32 virq) {
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

}  // namespace

EventChannels::Domain* EventChannels::find(DomId dom) {
    if (dom.value() >= kMaxDomains || !domains_[dom.value()].present) return nullptr;
    return &domains_[dom.value()];
}

const EventChannels::Domain* EventChannels::find(DomId dom) const {
    if (dom.value() >= kMaxDomains || !domains_[dom.value()].present) return nullptr;
    return &domains_[dom.value()];
}

bool EventChannels::exists(DomId dom) const { return find(dom) != nullptr; }

bool EventChannels::is_pending(DomId dom, u32 port) const {
    const Domain* d = find(dom);
    if (d == nullptr || port >= XA_EVTCHN_2L_NR_PORTS) return false;
    return (shared_of(dom, *d).evtchn_pending[word_of(port)] & bit_of(port)) != 0;
}

DomId EventChannels::resolve(DomId caller, domid_t dom) { return dom == DOMID_SELF ? caller : DomId(dom); }

u32 EventChannels::free_port(const Domain& d) {
    for (u32 p = 1; p < kPortsPerDomain; ++p) {
        if (d.ports[p].state == State::free) return p;
    }
    return 0;
}

const EventChannels::Port* EventChannels::port(DomId dom, u32 port) const {
    const Domain* d = find(dom);
    if (d == nullptr || port >= kPortsPerDomain) return nullptr;
    return &d->ports[port];
}

Err EventChannels::attach(DomId dom, shared_info* shared, bool privileged) {
    if (dom.value() >= kMaxDomains || shared == nullptr) return Err::inval;
    Domain& d = domains_[dom.value()];
    if (d.present) return Err::exist;
    d = Domain{};
    d.present = true;
    d.privileged = privileged;
    d.shared = shared;
    d.ports[0].state = State::reserved;
    return Err::ok;
}

Err EventChannels::detach(DomId dom) {
    Domain* d = find(dom);
    if (d == nullptr) return kErrSrch;
    for (u32 p = 1; p < kPortsPerDomain; ++p) {
        if (d->ports[p].state != State::free) close_port(dom, *d, p);
    }
    *d = Domain{};
    return Err::ok;
}

void EventChannels::set_pending(DomId dom, Domain& d, u32 port, Kick& kick) {
    shared_info& s = shared_of(dom, d);
    vcpu_info& v = s.vcpu[0];
    const u32 w = word_of(port);
    const u32 b = bit_of(port);

    if (s.evtchn_pending[w] & b) return;  // already pending: coalesces
    s.evtchn_pending[w] |= b;
    if (s.evtchn_mask[w] & b) return;              // masked: pending only, no upcall
    if (v.evtchn_pending_sel & (1u << w)) return;  // selector already set: guest will scan
    v.evtchn_pending_sel |= 1u << w;
    if (v.evtchn_upcall_pending) return;
    v.evtchn_upcall_pending = 1;
    kick.needed = true;
    kick.dom = dom;
}

void EventChannels::close_port(DomId dom, Domain& d, u32 port) {
    Port& p = d.ports[port];
    switch (p.state) {
        case State::interdomain: {
            // The peer exists: interdomain ports are only created between attached domains and
            // detach closes them before a domain goes away.
            Domain* peer = find(DomId(p.remote_dom));
            if (peer != nullptr) {
                Port& rp = peer->ports[p.remote_port];
                rp.state = State::unbound;
                rp.remote_dom = dom.value();
                rp.remote_port = 0;
            }
            break;
        }
        case State::virq: d.virq_to_port[p.virq] = 0; break;
        case State::free:
        case State::reserved:
        case State::unbound: break;
    }
    p = Port{};
    // A stale pending bit would fire on the port's next user (Xen clears it too).
    shared_of(dom, d).evtchn_pending[word_of(port)] &= ~bit_of(port);
}

bool EventChannels::close_if_peer(DomId owner, u32 port, DomId peer) {
    Domain* d = find(owner);
    if (d == nullptr || port == 0 || port >= kPortsPerDomain) return false;
    const Port& p = d->ports[port];
    if ((p.state != State::interdomain && p.state != State::unbound) || p.remote_dom != peer.value()) return false;
    close_port(owner, *d, port);
    return true;
}

// Xen: -ESRCH no such dom, -EPERM dom is another domain and caller unprivileged,
// -ENOSPC no free port. remote_dom is not checked (as in Xen): it only names who may bind.
Err EventChannels::alloc_unbound(DomId caller, evtchn_alloc_unbound& arg) {
    const Domain* c = find(caller);
    if (c == nullptr) return kErrSrch;
    const DomId dom = resolve(caller, arg.dom);
    Domain* d = find(dom);
    if (d == nullptr) return kErrSrch;
    if (dom != caller && !c->privileged) return Err::perm;
    const u32 port = free_port(*d);
    if (port == 0) return kErrNoSpc;

    Port& p = d->ports[port];
    p.state = State::unbound;
    p.remote_dom = resolve(caller, arg.remote_dom).value();
    arg.port = port;
    return Err::ok;
}

// Xen order: -ESRCH remote domain, -ENOSPC no local port, -EINVAL remote port out of range
// or not unbound for the caller.
Err EventChannels::bind_interdomain(DomId caller, evtchn_bind_interdomain& arg, Kick& kick) {
    Domain* ld = find(caller);
    if (ld == nullptr) return kErrSrch;
    const DomId rdom = resolve(caller, arg.remote_dom);
    Domain* rd = find(rdom);
    if (rd == nullptr) return kErrSrch;
    const u32 lport = free_port(*ld);
    if (lport == 0) return kErrNoSpc;
    const u32 rport = arg.remote_port;
    if (rport >= kPortsPerDomain) return Err::inval;
    Port& rp = rd->ports[rport];
    if (rp.state != State::unbound || rp.remote_dom != caller.value()) return Err::inval;

    Port& lp = ld->ports[lport];
    lp.state = State::interdomain;
    lp.remote_dom = rdom.value();
    lp.remote_port = static_cast<u16>(rport);
    rp.state = State::interdomain;
    rp.remote_dom = caller.value();
    rp.remote_port = static_cast<u16>(lport);
    arg.local_port = lport;
    set_pending(caller, *ld, lport, kick);
    return Err::ok;
}

// Xen order: -EINVAL virq out of range or global virq on vCPU != 0, -ENOENT no such vCPU,
// then -EPERM a virq the caller may not bind (virq_bindable), -EEXIST virq already bound,
// -ENOSPC no free port.
Err EventChannels::bind_virq(DomId caller, evtchn_bind_virq& arg, bool has_device) {
    Domain* d = find(caller);
    if (d == nullptr) return kErrSrch;
    if (arg.virq >= NR_VIRQS) return Err::inval;
    if (!virq_is_per_vcpu(arg.virq) && arg.vcpu != 0) return Err::inval;
    if (arg.vcpu >= kVcpus) return Err::noent;
    if (!virq_bindable(arg.virq, d->privileged, has_device)) return Err::perm;
    if (d->virq_to_port[arg.virq] != 0) return Err::exist;
    const u32 port = free_port(*d);
    if (port == 0) return kErrNoSpc;

    Port& p = d->ports[port];
    p.state = State::virq;
    p.virq = static_cast<u8>(arg.virq);
    d->virq_to_port[arg.virq] = static_cast<u16>(port);
    arg.port = port;
    return Err::ok;
}

// Xen: -EINVAL port out of range, free or reserved.
Err EventChannels::close(DomId caller, const evtchn_close& arg) {
    Domain* d = find(caller);
    if (d == nullptr) return kErrSrch;
    if (arg.port >= kPortsPerDomain) return Err::inval;
    const State s = d->ports[arg.port].state;
    if (s == State::free || s == State::reserved) return Err::inval;
    close_port(caller, *d, arg.port);
    return Err::ok;
}

// Xen: -EINVAL port out of range or not interdomain/unbound; unbound drops the event.
// A virq port cannot be sent on (only the VMM raises it).
Err EventChannels::send(DomId caller, const evtchn_send& arg, Kick& kick) {
    Domain* d = find(caller);
    if (d == nullptr) return kErrSrch;
    if (arg.port >= kPortsPerDomain) return Err::inval;
    const Port& p = d->ports[arg.port];
    switch (p.state) {
        case State::interdomain: {
            Domain* rd = find(DomId(p.remote_dom));
            if (rd != nullptr) set_pending(DomId(p.remote_dom), *rd, p.remote_port, kick);
            return Err::ok;
        }
        case State::unbound: return Err::ok;
        case State::free:
        case State::reserved:
        case State::virq: break;
    }
    return Err::inval;
}

// Xen: -ESRCH no such dom, -EPERM another domain without privilege, -EINVAL port range.
Err EventChannels::status(DomId caller, evtchn_status& arg) const {
    const Domain* c = find(caller);
    if (c == nullptr) return kErrSrch;
    const DomId dom = resolve(caller, arg.dom);
    const Domain* d = find(dom);
    if (d == nullptr) return kErrSrch;
    if (dom != caller && !c->privileged) return Err::perm;
    if (arg.port >= kPortsPerDomain) return Err::inval;

    const Port& p = d->ports[arg.port];
    arg.vcpu = 0;
    arg.u.interdomain.dom = 0;
    arg.u.interdomain.port = 0;
    switch (p.state) {
        case State::free:
        case State::reserved: arg.status = EVTCHNSTAT_closed; break;
        case State::unbound:
            arg.status = EVTCHNSTAT_unbound;
            arg.u.unbound.dom = p.remote_dom;
            break;
        case State::interdomain:
            arg.status = EVTCHNSTAT_interdomain;
            arg.u.interdomain.dom = p.remote_dom;
            arg.u.interdomain.port = p.remote_port;
            break;
        case State::virq:
            arg.status = EVTCHNSTAT_virq;
            arg.u.virq = p.virq;
            break;
    }
    return Err::ok;
}

// Xen (2-level): -EINVAL port out of range only. Re-raises only if the port was masked,
// is pending and its selector bit was clear.
Err EventChannels::unmask(DomId caller, const evtchn_unmask& arg, Kick& kick) {
    Domain* d = find(caller);
    if (d == nullptr) return kErrSrch;
    if (arg.port >= kPortsPerDomain) return Err::inval;

    shared_info& s = shared_of(caller, *d);
    vcpu_info& v = s.vcpu[0];
    const u32 w = word_of(arg.port);
    const u32 b = bit_of(arg.port);
    const bool was_masked = (s.evtchn_mask[w] & b) != 0;
    s.evtchn_mask[w] &= ~b;
    if (!was_masked || (s.evtchn_pending[w] & b) == 0) return Err::ok;
    if (v.evtchn_pending_sel & (1u << w)) return Err::ok;
    v.evtchn_pending_sel |= 1u << w;
    if (!v.evtchn_upcall_pending) {
        v.evtchn_upcall_pending = 1;
        kick.needed = true;
        kick.dom = caller;
    }
    return Err::ok;
}

Err EventChannels::raise_virq(DomId dom, u32 virq, Kick& kick) {
    Domain* d = find(dom);
    if (d == nullptr) return kErrSrch;
    if (virq >= NR_VIRQS) return Err::inval;
    const u32 port = d->virq_to_port[virq];
    if (port != 0) set_pending(dom, *d, port, kick);
    return Err::ok;
}

}  // namespace xa
