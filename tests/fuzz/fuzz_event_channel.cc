// EventChannels driven by a sequence of operations from several domains (the input,
// decoded op by op), against the real class and plain shared_info pages, as the unit
// tests use it. After every operation:
//   - an error changed nothing (port tables and every shared_info byte);
//   - port 0 of every domain is reserved; an interdomain port's peer exists and points
//     back at it (no port is bound twice); no domain has two ports on one VIRQ;
//   - a free port has no pending bit; status() says what the table says;
//   - a Kick is reported exactly when an upcall_pending flag went from 0 to 1, for that
//     domain;
//   - after detach no port anywhere is still connected to the detached domain.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "event_channel.hh"

namespace {

using namespace xa;
using State = EventChannels::State;
constexpr u32 kDoms = EventChannels::kMaxDomains;
constexpr u32 kPorts = EventChannels::kPortsPerDomain;

[[noreturn]] void fail(const char* what, u32 a = 0, u32 b = 0) {
    std::fprintf(stderr, "event_channel: %s (%u, %u)\n", what, a, b);
    std::abort();
}

struct Snapshot {
    bool present[kDoms];
    EventChannels::Port ports[kDoms][kPorts];
    shared_info shared[kDoms];
};

struct World {
    EventChannels ec;
    shared_info shared[kDoms];
};

void take(const World& w, Snapshot& s) {
    std::memset(&s, 0, sizeof s);
    for (u32 d = 0; d < kDoms; ++d) {
        s.present[d] = w.ec.exists(DomId(static_cast<u16>(d)));
        for (u32 p = 0; s.present[d] && p < kPorts; ++p) s.ports[d][p] = *w.ec.port(DomId(static_cast<u16>(d)), p);
    }
    std::memcpy(s.shared, w.shared, sizeof s.shared);
}

bool same(const Snapshot& a, const Snapshot& b) {
    for (u32 d = 0; d < kDoms; ++d) {
        if (a.present[d] != b.present[d]) return false;
        for (u32 p = 0; a.present[d] && p < kPorts; ++p) {
            const auto& x = a.ports[d][p];
            const auto& y = b.ports[d][p];
            if (x.state != y.state || x.remote_dom != y.remote_dom || x.remote_port != y.remote_port ||
                x.virq != y.virq)
                return false;
        }
    }
    return std::memcmp(a.shared, b.shared, sizeof a.shared) == 0;
}

bool pending(const shared_info& s, u32 p) { return (s.evtchn_pending[p / 32] >> (p % 32)) & 1u; }

void check_invariants(World& w) {
    for (u32 d = 0; d < kDoms; ++d) {
        const DomId dd(static_cast<u16>(d));
        if (!w.ec.exists(dd)) {
            if (w.ec.port(dd, 0) != nullptr) fail("a port of a domain that is not attached", d);
            continue;
        }
        if (w.ec.port(dd, kPorts) != nullptr) fail("a port out of range", d);
        if (w.ec.port(dd, 0)->state != State::reserved) fail("port 0 not reserved", d);
        bool virq_used[NR_VIRQS] = {};
        for (u32 p = 1; p < kPorts; ++p) {
            const EventChannels::Port& port = *w.ec.port(dd, p);
            switch (port.state) {
                case State::reserved: fail("a reserved port other than 0", d, p);
                case State::free:
                    if (pending(w.shared[d], p)) fail("a free port is pending", d, p);
                    break;
                case State::unbound: break;
                case State::interdomain: {
                    const DomId rd(port.remote_dom);
                    if (!w.ec.exists(rd) || port.remote_port >= kPorts) fail("interdomain peer missing", d, p);
                    const EventChannels::Port& peer = *w.ec.port(rd, port.remote_port);
                    if (peer.state != State::interdomain || peer.remote_dom != d || peer.remote_port != p)
                        fail("interdomain peer does not point back", d, p);
                    if (rd.value() == d && port.remote_port == p) fail("a port connected to itself", d, p);
                    break;
                }
                case State::virq:
                    if (port.virq >= NR_VIRQS || virq_used[port.virq])
                        fail("virq bound twice or out of range", d, port.virq);
                    virq_used[port.virq] = true;
                    break;
            }
            // status() as the domain itself sees it.
            {
                evtchn_status st{};
                st.dom = DOMID_SELF;
                st.port = p;
                if (w.ec.status(dd, st) != Err::ok) fail("status of an existing port failed", d, p);
                const u32 want = port.state == State::free          ? EVTCHNSTAT_closed
                                 : port.state == State::unbound     ? EVTCHNSTAT_unbound
                                 : port.state == State::interdomain ? EVTCHNSTAT_interdomain
                                                                    : EVTCHNSTAT_virq;
                if (st.status != want) fail("status disagrees with the table", d, p);
            }
        }
    }
}

domid_t pick_dom(FuzzedDataProvider& in) {
    const u8 b = in.ConsumeIntegral<u8>();
    if (b < 200) return static_cast<domid_t>(b % (kDoms + 1));  // 8: a domain id out of range
    if (b < 240) return DOMID_SELF;
    return in.ConsumeIntegral<u16>();
}

u32 pick_port(FuzzedDataProvider& in) {
    const u8 b = in.ConsumeIntegral<u8>();
    return b < 250 ? b % (kPorts + 2) : in.ConsumeIntegral<u32>();
}

DomId caller_of(FuzzedDataProvider& in) { return DomId(static_cast<u16>(in.ConsumeIntegralInRange<u32>(0, kDoms))); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    FuzzedDataProvider in(data, size);
    static World* w = nullptr;
    if (w == nullptr) w = static_cast<World*>(std::malloc(sizeof(World)));
    new (&w->ec) EventChannels();
    std::memset(w->shared, 0, sizeof w->shared);
    for (u16 d = 0; d < 4; ++d) {
        if (w->ec.attach(DomId(d), &w->shared[d], d == 0) != Err::ok) fail("attach at start", d);
    }
    Snapshot before, after;
    for (u32 steps = 0; steps < 256 && in.remaining_bytes() > 0; ++steps) {
        take(*w, before);
        Kick kick;
        Err e = Err::ok;
        bool may_change_on_error = false;
        const u8 op = in.ConsumeIntegralInRange<u8>(0, 12);
        const DomId caller = caller_of(in);
        switch (op) {
            case 0: {
                const u16 d = static_cast<u16>(in.ConsumeIntegralInRange<u32>(0, kDoms));
                e = w->ec.attach(DomId(d), d < kDoms ? &w->shared[d] : nullptr, in.ConsumeBool());
                break;
            }
            case 1: {
                e = w->ec.detach(caller);
                if (e == Err::ok) {
                    if (w->ec.exists(caller)) fail("detached domain still exists", caller.value());
                    for (u32 d = 0; d < kDoms; ++d) {
                        for (u32 p = 0; w->ec.exists(DomId(static_cast<u16>(d))) && p < kPorts; ++p) {
                            const auto* port = w->ec.port(DomId(static_cast<u16>(d)), p);
                            if (port->state == State::interdomain && port->remote_dom == caller.value())
                                fail("a port still connected to a detached domain", d, p);
                        }
                    }
                    // Its shared_info belongs to the builder again: the fuzz world clears it.
                    if (caller.value() < kDoms) std::memset(&w->shared[caller.value()], 0, sizeof(shared_info));
                }
                break;
            }
            case 2: {
                evtchn_alloc_unbound a{pick_dom(in), pick_dom(in), 0xFFFF};
                e = w->ec.alloc_unbound(caller, a);
                if (e == Err::ok) {
                    const DomId where = a.dom == DOMID_SELF ? caller : DomId(a.dom);
                    const auto* port = w->ec.port(where, a.port);
                    if (port == nullptr || port->state != State::unbound ||
                        before.ports[where.value()][a.port].state != State::free)
                        fail("alloc_unbound did not take a free port", where.value(), a.port);
                }
                break;
            }
            case 3: {
                evtchn_bind_interdomain b{pick_dom(in), pick_port(in), 0xFFFF};
                e = w->ec.bind_interdomain(caller, b, kick);
                break;
            }
            case 4: {
                evtchn_bind_virq b{in.ConsumeIntegralInRange<u32>(0, NR_VIRQS + 1),
                                   in.ConsumeIntegralInRange<u32>(0, 2), 0xFFFF};
                e = w->ec.bind_virq(caller, b);
                break;
            }
            case 5: e = w->ec.close(caller, evtchn_close{pick_port(in)}); break;
            case 6: e = w->ec.send(caller, evtchn_send{pick_port(in)}, kick); break;
            case 7: {
                evtchn_status st{};
                st.dom = pick_dom(in);
                st.port = pick_port(in);
                e = w->ec.status(caller, st);
                break;
            }
            case 8: e = w->ec.unmask(caller, evtchn_unmask{pick_port(in)}, kick); break;
            case 9: e = w->ec.raise_virq(caller, in.ConsumeIntegralInRange<u32>(0, NR_VIRQS + 1), kick); break;
            case 10: {  // the guest masks a port (a plain write to its shared_info)
                const u32 p = in.ConsumeIntegralInRange<u32>(0, kPorts - 1);
                if (caller.value() < kDoms) w->shared[caller.value()].evtchn_mask[p / 32] |= 1u << (p % 32);
                may_change_on_error = true;
                break;
            }
            case 11: {  // the guest's upcall handler: clears the flag, the selector, the pending bits
                if (caller.value() < kDoms) {
                    shared_info& s = w->shared[caller.value()];
                    s.vcpu[0].evtchn_upcall_pending = 0;
                    s.vcpu[0].evtchn_pending_sel = 0;
                    const u32 which = in.ConsumeIntegral<u32>();
                    for (u32 i = 0; i < kPorts / 32; ++i) s.evtchn_pending[i] &= which;
                }
                may_change_on_error = true;
                break;
            }
            case 12: {  // the guest unmasks everything by hand
                if (caller.value() < kDoms)
                    std::memset(w->shared[caller.value()].evtchn_mask, 0, sizeof w->shared[0].evtchn_mask);
                may_change_on_error = true;
                break;
            }
        }
        take(*w, after);
        if (e != Err::ok && !may_change_on_error && !same(before, after))
            fail("an error changed state", op, static_cast<u32>(-to_int(e)));
        // Kicks: exactly the domains whose upcall flag went 0 -> 1.
        if (!may_change_on_error) {
            for (u32 d = 0; d < kDoms; ++d) {
                const bool rose = before.shared[d].vcpu[0].evtchn_upcall_pending == 0 &&
                                  after.shared[d].vcpu[0].evtchn_upcall_pending != 0;
                const bool kicked = kick.needed && kick.dom.value() == d;
                if (rose != kicked) fail("a kick differs from the upcall flag", op, d);
            }
        }
        check_invariants(*w);
    }
    // Releasing everything: every domain detached, nothing left anywhere.
    for (u16 d = 0; d < kDoms; ++d) (void)w->ec.detach(DomId(d));
    for (u16 d = 0; d < kDoms; ++d) {
        if (w->ec.exists(DomId(d))) fail("a domain survives detach", d);
    }
    w->ec.~EventChannels();
    return 0;
}
