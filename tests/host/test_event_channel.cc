// EventChannels: every EVTCHNOP_* operation, Xen's 2-level pending/mask/selector semantics
// on the shared_info page, close of either side, VIRQs, and every error path (with the
// check that an error changes nothing).
#include <gtest/gtest.h>

#include <string.h>

#include <xen-arm/hypercall.h>

#include "event_channel.hh"

namespace xa {
namespace {

constexpr DomId kD0(0);  // privileged
constexpr DomId kD1(1);
constexpr DomId kD2(2);
constexpr u32 kPorts = EventChannels::kPortsPerDomain;

class EvtchnTest : public ::testing::Test {
  protected:
    void SetUp() override {
        memset(shared_, 0, sizeof shared_);
        ASSERT_EQ(ec_.attach(kD0, &shared_[0], true), Err::ok);
        ASSERT_EQ(ec_.attach(kD1, &shared_[1]), Err::ok);
        ASSERT_EQ(ec_.attach(kD2, &shared_[2]), Err::ok);
    }

    shared_info& si(DomId d) { return shared_[d.value()]; }
    vcpu_info& vi(DomId d) { return shared_[d.value()].vcpu[0]; }
    bool pending(DomId d, u32 p) { return (si(d).evtchn_pending[p / 32] >> (p % 32)) & 1; }
    void mask(DomId d, u32 p) { si(d).evtchn_mask[p / 32] |= 1u << (p % 32); }

    u32 alloc(DomId caller, domid_t dom, domid_t remote) {
        evtchn_alloc_unbound a{dom, remote, 0xFFFF};
        EXPECT_EQ(ec_.alloc_unbound(caller, a), Err::ok);
        return a.port;
    }
    // A connected pair: port in `a` (returned .first) and port in `b` (.second).
    std::pair<u32, u32> connect(DomId a, DomId b) {
        const u32 pa = alloc(a, DOMID_SELF, b.value());
        evtchn_bind_interdomain bi{a.value(), pa, 0xFFFF};
        Kick k;
        EXPECT_EQ(ec_.bind_interdomain(b, bi, k), Err::ok);
        return {pa, bi.local_port};
    }
    Err send(DomId caller, u32 port, Kick* out = nullptr) {
        Kick k;
        const Err e = ec_.send(caller, evtchn_send{port}, k);
        if (out) *out = k;
        return e;
    }
    Err unmask(DomId caller, u32 port, Kick* out = nullptr) {
        Kick k;
        const Err e = ec_.unmask(caller, evtchn_unmask{port}, k);
        if (out) *out = k;
        return e;
    }
    evtchn_status status(DomId caller, domid_t dom, u32 port, Err expect = Err::ok) {
        evtchn_status s{};
        s.dom = dom;
        s.port = port;
        EXPECT_EQ(ec_.status(caller, s), expect);
        return s;
    }
    // Everything an error must leave alone.
    struct Snapshot {
        shared_info shared[3];
        EventChannels::Port ports[3][kPorts];
    };
    Snapshot snap() {
        Snapshot s;
        memcpy(s.shared, shared_, sizeof shared_);
        for (u16 d = 0; d < 3; ++d)
            for (u32 p = 0; p < kPorts; ++p) s.ports[d][p] = *ec_.port(DomId(d), p);
        return s;
    }
    void expect_unchanged(const Snapshot& s) {
        EXPECT_EQ(memcmp(s.shared, shared_, sizeof shared_), 0);
        for (u16 d = 0; d < 3; ++d)
            for (u32 p = 0; p < kPorts; ++p) {
                const EventChannels::Port& now = *ec_.port(DomId(d), p);
                EXPECT_EQ(now.state, s.ports[d][p].state) << d << ":" << p;
                EXPECT_EQ(now.remote_dom, s.ports[d][p].remote_dom);
                EXPECT_EQ(now.remote_port, s.ports[d][p].remote_port);
                EXPECT_EQ(now.virq, s.ports[d][p].virq);
            }
    }
    // Allocates every remaining port of d.
    void fill_ports(DomId d) {
        evtchn_alloc_unbound a{DOMID_SELF, 0, 0};
        while (ec_.alloc_unbound(d, a) == Err::ok) {
        }
        EXPECT_EQ(ec_.alloc_unbound(d, a), kErrNoSpc);
    }

    shared_info shared_[3];
    EventChannels ec_;
};

// ---- ABI --------------------------------------------------------------------------------

TEST(EvtchnAbi, NumbersAreXens) {
    EXPECT_EQ(EVTCHNOP_bind_interdomain, 0);
    EXPECT_EQ(EVTCHNOP_bind_virq, 1);
    EXPECT_EQ(EVTCHNOP_close, 3);
    EXPECT_EQ(EVTCHNOP_send, 4);
    EXPECT_EQ(EVTCHNOP_status, 5);
    EXPECT_EQ(EVTCHNOP_alloc_unbound, 6);
    EXPECT_EQ(EVTCHNOP_unmask, 9);
    EXPECT_EQ(XA_HYPERCALL_event_channel_op, 16);
    EXPECT_EQ(XA_HYPERCALL_domctl, 36);
    EXPECT_GT(XA_HYPERCALL_trace_marker, 48);
    EXPECT_EQ(XA_HYPERCALL_COUNT, XA_HYPERCALL_trace_marker + 1);
    EXPECT_EQ(DOMID_SELF, 0x7FF0);
    EXPECT_EQ(to_int(kErrSrch), -XEN_ESRCH);
    EXPECT_EQ(to_int(Err::inval), -XEN_EINVAL);
    EXPECT_LE(sizeof(shared_info), 4096u);
    EXPECT_EQ(XA_EVTCHN_2L_NR_PORTS, 1024);
}

// ---- attach / detach --------------------------------------------------------------------

TEST_F(EvtchnTest, AttachValidates) {
    shared_info other{};
    EXPECT_EQ(ec_.attach(kD1, &other), Err::exist);
    EXPECT_EQ(ec_.attach(DomId(EventChannels::kMaxDomains), &other), Err::inval);
    EXPECT_EQ(ec_.attach(DomId(3), nullptr), Err::inval);
    EXPECT_FALSE(ec_.exists(DomId(3)));
    EXPECT_EQ(ec_.attach(DomId(7), &other), Err::ok);
    EXPECT_TRUE(ec_.exists(DomId(7)));
    EXPECT_EQ(ec_.port(DomId(7), 0)->state, EventChannels::State::reserved);
    EXPECT_EQ(ec_.port(DomId(7), kPorts), nullptr);
    EXPECT_EQ(ec_.port(DomId(3), 1), nullptr);
}

TEST_F(EvtchnTest, DetachClosesPortsAndPeersRevert) {
    auto [p1, p2] = connect(kD1, kD2);
    EXPECT_EQ(ec_.detach(kD1), Err::ok);
    EXPECT_FALSE(ec_.exists(kD1));
    const evtchn_status s = status(kD2, DOMID_SELF, p2);
    EXPECT_EQ(s.status, u32(EVTCHNSTAT_unbound));
    EXPECT_EQ(s.u.unbound.dom, 1);
    EXPECT_EQ(ec_.detach(kD1), kErrSrch);
    si(kD2).evtchn_pending[0] = 0;      // the bind's notification
    EXPECT_EQ(send(kD2, p2), Err::ok);  // unbound: dropped
    EXPECT_FALSE(pending(kD2, p2));
    (void)p1;
}

// ---- alloc_unbound ----------------------------------------------------------------------

TEST_F(EvtchnTest, AllocUnboundLowestFreePortFrom1) {
    EXPECT_EQ(alloc(kD1, DOMID_SELF, 2), 1u);
    EXPECT_EQ(alloc(kD1, 1, DOMID_SELF), 2u);
    const evtchn_status s1 = status(kD1, DOMID_SELF, 1);
    EXPECT_EQ(s1.status, u32(EVTCHNSTAT_unbound));
    EXPECT_EQ(s1.u.unbound.dom, 2);
    EXPECT_EQ(status(kD1, DOMID_SELF, 2).u.unbound.dom, 1);                // remote DOMID_SELF -> caller
    EXPECT_EQ(status(kD1, DOMID_SELF, 0).status, u32(EVTCHNSTAT_closed));  // reserved
}

TEST_F(EvtchnTest, AllocUnboundPrivilegedForOtherDomain) {
    const u32 p = alloc(kD0, 2, 1);  // dom0 allocates in dom2 for dom1
    EXPECT_EQ(p, 1u);
    EXPECT_EQ(ec_.port(kD2, p)->state, EventChannels::State::unbound);
    EXPECT_EQ(ec_.port(kD0, 1)->state, EventChannels::State::free);
}

TEST_F(EvtchnTest, AllocUnboundErrors) {
    const Snapshot s = snap();
    evtchn_alloc_unbound a{2, 1, 0xABCD};
    EXPECT_EQ(ec_.alloc_unbound(kD1, a), Err::perm);  // unprivileged, other domain
    a.dom = 5;
    EXPECT_EQ(ec_.alloc_unbound(kD1, a), kErrSrch);  // no such domain
    a.dom = 0x7000;
    EXPECT_EQ(ec_.alloc_unbound(kD0, a), kErrSrch);
    a.dom = DOMID_SELF;
    EXPECT_EQ(ec_.alloc_unbound(DomId(5), a), kErrSrch);  // caller not attached
    EXPECT_EQ(a.port, 0xABCDu);                           // OUT untouched on error
    expect_unchanged(s);
}

TEST_F(EvtchnTest, AllocUnboundNoSpace) {
    fill_ports(kD1);
    const Snapshot s = snap();
    evtchn_alloc_unbound a{DOMID_SELF, 0, 0};
    EXPECT_EQ(ec_.alloc_unbound(kD1, a), kErrNoSpc);
    expect_unchanged(s);
    EXPECT_EQ(ec_.close(kD1, evtchn_close{17}), Err::ok);
    EXPECT_EQ(alloc(kD1, DOMID_SELF, 0), 17u);  // closed port is reused
}

// ---- bind_interdomain -------------------------------------------------------------------

TEST_F(EvtchnTest, BindInterdomainConnectsBothSides) {
    const u32 p1 = alloc(kD1, DOMID_SELF, 2);
    alloc(kD2, DOMID_SELF, 0);  // so dom2's local port is 2, not 1
    evtchn_bind_interdomain b{1, p1, 0};
    Kick k;
    ASSERT_EQ(ec_.bind_interdomain(kD2, b, k), Err::ok);
    EXPECT_EQ(b.local_port, 2u);
    const evtchn_status s1 = status(kD1, DOMID_SELF, p1);
    EXPECT_EQ(s1.status, u32(EVTCHNSTAT_interdomain));
    EXPECT_EQ(s1.u.interdomain.dom, 2);
    EXPECT_EQ(s1.u.interdomain.port, 2u);
    const evtchn_status s2 = status(kD2, DOMID_SELF, 2);
    EXPECT_EQ(s2.status, u32(EVTCHNSTAT_interdomain));
    EXPECT_EQ(s2.u.interdomain.dom, 1);
    EXPECT_EQ(s2.u.interdomain.port, p1);
    EXPECT_EQ(s2.vcpu, 0u);
    // Xen sets the new local port pending (lost notifications) and raises the upcall.
    EXPECT_TRUE(pending(kD2, 2));
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 1u);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(k.dom, kD2);
    EXPECT_FALSE(pending(kD1, p1));
}

TEST_F(EvtchnTest, BindInterdomainLoopback) {
    const u32 a = alloc(kD1, DOMID_SELF, DOMID_SELF);
    evtchn_bind_interdomain b{DOMID_SELF, a, 0};
    Kick k;
    ASSERT_EQ(ec_.bind_interdomain(kD1, b, k), Err::ok);
    EXPECT_NE(b.local_port, a);
    vi(kD1).evtchn_upcall_pending = 0;
    vi(kD1).evtchn_pending_sel = 0;
    si(kD1).evtchn_pending[0] = 0;
    EXPECT_EQ(send(kD1, b.local_port, &k), Err::ok);
    EXPECT_TRUE(pending(kD1, a));
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(k.dom, kD1);
}

TEST_F(EvtchnTest, BindInterdomainErrors) {
    const u32 for2 = alloc(kD1, DOMID_SELF, 2);  // unbound for dom2
    const u32 for0 = alloc(kD1, DOMID_SELF, 0);  // unbound for dom0
    auto [c1, c2] = connect(kD1, kD2);           // already interdomain
    (void)c2;
    const Snapshot s = snap();
    Kick k;
    auto bind = [&](DomId caller, domid_t rdom, u32 rport) {
        evtchn_bind_interdomain b{rdom, rport, 0xABCD};
        const Err e = ec_.bind_interdomain(caller, b, k);
        EXPECT_EQ(b.local_port, 0xABCDu);
        return e;
    };
    EXPECT_EQ(bind(kD2, 5, for2), kErrSrch);       // remote domain missing
    EXPECT_EQ(bind(DomId(6), 1, for2), kErrSrch);  // caller missing
    EXPECT_EQ(bind(kD2, 1, kPorts), Err::inval);   // remote port out of range
    EXPECT_EQ(bind(kD2, 1, 0xFFFFFFFF), Err::inval);
    EXPECT_EQ(bind(kD2, 1, 0), Err::inval);              // reserved
    EXPECT_EQ(bind(kD2, 1, 40), Err::inval);             // free
    EXPECT_EQ(bind(kD2, 1, for0), Err::inval);           // unbound, but for dom0
    EXPECT_EQ(bind(kD2, 1, c1), Err::inval);             // already interdomain
    EXPECT_EQ(bind(kD2, DOMID_SELF, for2), Err::inval);  // port is dom1's, not dom2's
    EXPECT_FALSE(k.needed);
    expect_unchanged(s);
    fill_ports(kD2);
    const Snapshot s2 = snap();
    EXPECT_EQ(bind(kD2, 1, for2), kErrNoSpc);  // no local port (checked first)
    EXPECT_EQ(bind(kD2, 1, 40), kErrNoSpc);
    expect_unchanged(s2);
}

// ---- send: 2-level semantics ------------------------------------------------------------

TEST_F(EvtchnTest, SendSetsPendingSelectorUpcallAndKicks) {
    auto [p1, p2] = connect(kD1, kD2);
    memset(&shared_[2], 0, sizeof(shared_info));
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_TRUE(pending(kD2, p2));
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 1u << (p2 / 32));
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(k.dom, kD2);
    // Nothing on the sender's side.
    EXPECT_FALSE(pending(kD1, p1));
}

TEST_F(EvtchnTest, SendCoalesces) {
    auto [p1, p2] = connect(kD1, kD2);
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);  // p2 pending from the bind already
    EXPECT_FALSE(k.needed);
    // Guest clears upcall_pending and the selector but not yet the port: still coalesces.
    vi(kD2).evtchn_upcall_pending = 0;
    vi(kD2).evtchn_pending_sel = 0;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_FALSE(k.needed);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 0);
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 0u);
    // Once the guest clears the pending bit, the next send delivers again.
    si(kD2).evtchn_pending[p2 / 32] = 0;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);
}

TEST_F(EvtchnTest, SendSelectorAlreadySetNoUpcall) {
    auto [p1, p2] = connect(kD1, kD2);
    si(kD2).evtchn_pending[0] = 0;
    vi(kD2).evtchn_upcall_pending = 0;
    vi(kD2).evtchn_pending_sel = 1u << (p2 / 32);  // guest has yet to scan this word
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_TRUE(pending(kD2, p2));
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 0);
    EXPECT_FALSE(k.needed);
}

TEST_F(EvtchnTest, SendUpcallAlreadyPendingNoKick) {
    auto [p1, p2] = connect(kD1, kD2);
    si(kD2).evtchn_pending[0] = 0;
    vi(kD2).evtchn_pending_sel = 0;
    vi(kD2).evtchn_upcall_pending = 1;
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 1u);
    EXPECT_FALSE(k.needed);  // upcall_pending was not newly set
}

TEST_F(EvtchnTest, SendUpcallMaskDoesNotSuppressUpcallPending) {
    auto [p1, p2] = connect(kD1, kD2);
    memset(&shared_[2], 0, sizeof(shared_info));
    vi(kD2).evtchn_upcall_mask = 1;
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);  // delivered when the guest unmasks
    EXPECT_TRUE(k.needed);
    EXPECT_TRUE(pending(kD2, p2));
}

TEST_F(EvtchnTest, MaskedSendOnlySetsPending) {
    auto [p1, p2] = connect(kD1, kD2);
    memset(&shared_[2], 0, sizeof(shared_info));
    mask(kD2, p2);
    Kick k;
    ASSERT_EQ(send(kD1, p1, &k), Err::ok);
    EXPECT_TRUE(pending(kD2, p2));
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 0u);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 0);
    EXPECT_FALSE(k.needed);
    // Unmask re-raises selector and upcall, and kicks the unmasking domain itself.
    ASSERT_EQ(unmask(kD2, p2, &k), Err::ok);
    EXPECT_EQ(si(kD2).evtchn_mask[0], 0u);
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 1u);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(k.dom, kD2);
}

TEST_F(EvtchnTest, SelectorWordForHighPort) {
    // Ports 32.. live in word 1 / selector bit 1.
    for (u32 i = 1; i < 40; ++i) alloc(kD2, DOMID_SELF, 0);
    auto [p1, p2] = connect(kD1, kD2);
    ASSERT_EQ(p2, 40u);
    memset(&shared_[2], 0, sizeof(shared_info));
    ASSERT_EQ(send(kD1, p1), Err::ok);
    EXPECT_EQ(si(kD2).evtchn_pending[0], 0u);
    EXPECT_EQ(si(kD2).evtchn_pending[1], 1u << 8);
    EXPECT_EQ(vi(kD2).evtchn_pending_sel, 2u);
    EXPECT_EQ(vi(kD2).evtchn_upcall_pending, 1);
}

TEST_F(EvtchnTest, SendOnUnboundIsDroppedAndOtherStatesInvalid) {
    const u32 u = alloc(kD1, DOMID_SELF, 2);
    const Snapshot s = snap();
    Kick k;
    EXPECT_EQ(send(kD1, u, &k), Err::ok);
    EXPECT_FALSE(k.needed);
    expect_unchanged(s);
    evtchn_bind_virq v{VIRQ_TIMER, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD1, v), Err::ok);
    const Snapshot s2 = snap();
    EXPECT_EQ(send(kD1, v.port), Err::inval);  // virq ports are raised by the VMM only
    EXPECT_EQ(send(kD1, 0), Err::inval);       // reserved
    EXPECT_EQ(send(kD1, 30), Err::inval);      // free
    EXPECT_EQ(send(kD1, kPorts), Err::inval);  // out of range
    EXPECT_EQ(send(kD1, 1023), Err::inval);
    EXPECT_EQ(send(DomId(4), 1), kErrSrch);
    expect_unchanged(s2);
}

// ---- unmask -----------------------------------------------------------------------------

TEST_F(EvtchnTest, UnmaskNotPendingOnlyClearsMask) {
    mask(kD1, 5);
    Kick k;
    ASSERT_EQ(unmask(kD1, 5, &k), Err::ok);  // free port: Xen checks the range only
    EXPECT_EQ(si(kD1).evtchn_mask[0], 0u);
    EXPECT_EQ(vi(kD1).evtchn_pending_sel, 0u);
    EXPECT_EQ(vi(kD1).evtchn_upcall_pending, 0);
    EXPECT_FALSE(k.needed);
}

TEST_F(EvtchnTest, UnmaskNotMaskedDoesNotReRaise) {
    si(kD1).evtchn_pending[0] = 1u << 5;  // pending, not masked, guest cleared selector
    Kick k;
    ASSERT_EQ(unmask(kD1, 5, &k), Err::ok);
    EXPECT_EQ(vi(kD1).evtchn_pending_sel, 0u);
    EXPECT_EQ(vi(kD1).evtchn_upcall_pending, 0);
    EXPECT_FALSE(k.needed);
}

TEST_F(EvtchnTest, UnmaskSelectorAlreadySet) {
    si(kD1).evtchn_pending[1] = 1u << 3;
    mask(kD1, 35);
    vi(kD1).evtchn_pending_sel = 2;
    Kick k;
    ASSERT_EQ(unmask(kD1, 35, &k), Err::ok);
    EXPECT_EQ(si(kD1).evtchn_mask[1], 0u);
    EXPECT_EQ(vi(kD1).evtchn_upcall_pending, 0);
    EXPECT_FALSE(k.needed);
}

TEST_F(EvtchnTest, UnmaskUpcallAlreadyPendingNoKick) {
    si(kD1).evtchn_pending[0] = 1u << 7;
    mask(kD1, 7);
    vi(kD1).evtchn_upcall_pending = 1;
    Kick k;
    ASSERT_EQ(unmask(kD1, 7, &k), Err::ok);
    EXPECT_EQ(vi(kD1).evtchn_pending_sel, 1u);
    EXPECT_FALSE(k.needed);
}

TEST_F(EvtchnTest, UnmaskErrors) {
    mask(kD1, 63);
    const Snapshot s = snap();
    EXPECT_EQ(unmask(kD1, kPorts), Err::inval);
    EXPECT_EQ(unmask(kD1, 0xFFFFFFFF), Err::inval);
    EXPECT_EQ(unmask(DomId(3), 1), kErrSrch);
    expect_unchanged(s);
    EXPECT_EQ(unmask(kD1, 63), Err::ok);
}

// ---- close ------------------------------------------------------------------------------

TEST_F(EvtchnTest, CloseUnbound) {
    const u32 p = alloc(kD1, DOMID_SELF, 2);
    ASSERT_EQ(ec_.close(kD1, evtchn_close{p}), Err::ok);
    EXPECT_EQ(status(kD1, DOMID_SELF, p).status, u32(EVTCHNSTAT_closed));
    evtchn_bind_interdomain b{1, p, 0};
    Kick k;
    EXPECT_EQ(ec_.bind_interdomain(kD2, b, k), Err::inval);
}

TEST_F(EvtchnTest, CloseEitherSideRevertsPeerToUnbound) {
    for (int side = 0; side < 2; ++side) {
        auto [p1, p2] = connect(kD1, kD2);
        const DomId closer = side == 0 ? kD1 : kD2;
        const DomId peer = side == 0 ? kD2 : kD1;
        const u32 cport = side == 0 ? p1 : p2;
        const u32 pport = side == 0 ? p2 : p1;
        si(closer).evtchn_pending[0] |= 1u << cport;
        ASSERT_EQ(ec_.close(closer, evtchn_close{cport}), Err::ok) << side;
        EXPECT_FALSE(pending(closer, cport));  // cleared for the port's next user
        EXPECT_EQ(status(closer, DOMID_SELF, cport).status, u32(EVTCHNSTAT_closed));
        const evtchn_status ps = status(peer, DOMID_SELF, pport);
        EXPECT_EQ(ps.status, u32(EVTCHNSTAT_unbound));
        EXPECT_EQ(ps.u.unbound.dom, closer.value());
        // The peer's send is now dropped; the closer can bind to it again.
        memset(shared_, 0, sizeof shared_);
        Kick k;
        EXPECT_EQ(send(peer, pport, &k), Err::ok);
        EXPECT_FALSE(k.needed);
        EXPECT_FALSE(pending(closer, cport));
        evtchn_bind_interdomain b{peer.value(), pport, 0};
        ASSERT_EQ(ec_.bind_interdomain(closer, b, k), Err::ok);
        EXPECT_EQ(b.local_port, cport);  // lowest free port again
        EXPECT_EQ(ec_.close(closer, evtchn_close{cport}), Err::ok);
        EXPECT_EQ(ec_.close(peer, evtchn_close{pport}), Err::ok);
    }
}

TEST_F(EvtchnTest, CloseErrors) {
    alloc(kD1, DOMID_SELF, 0);
    const Snapshot s = snap();
    EXPECT_EQ(ec_.close(kD1, evtchn_close{0}), Err::inval);       // reserved
    EXPECT_EQ(ec_.close(kD1, evtchn_close{2}), Err::inval);       // free
    EXPECT_EQ(ec_.close(kD1, evtchn_close{kPorts}), Err::inval);  // out of range
    EXPECT_EQ(ec_.close(kD2, evtchn_close{1}), Err::inval);       // not the caller's
    EXPECT_EQ(ec_.close(DomId(3), evtchn_close{1}), kErrSrch);
    expect_unchanged(s);
    EXPECT_EQ(ec_.close(kD1, evtchn_close{1}), Err::ok);
    EXPECT_EQ(ec_.close(kD1, evtchn_close{1}), Err::inval);  // twice
}

// ---- virq -------------------------------------------------------------------------------

TEST_F(EvtchnTest, BindVirqAndRaise) {
    evtchn_bind_virq v{VIRQ_TIMER, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD1, v), Err::ok);
    EXPECT_EQ(v.port, 1u);
    const evtchn_status s = status(kD1, DOMID_SELF, v.port);
    EXPECT_EQ(s.status, u32(EVTCHNSTAT_virq));
    EXPECT_EQ(s.u.virq, u32(VIRQ_TIMER));
    Kick k;
    ASSERT_EQ(ec_.raise_virq(kD1, VIRQ_TIMER, k), Err::ok);
    EXPECT_TRUE(pending(kD1, 1));
    EXPECT_EQ(vi(kD1).evtchn_upcall_pending, 1);
    EXPECT_TRUE(k.needed);
    EXPECT_EQ(k.dom, kD1);
    Kick k2;
    ASSERT_EQ(ec_.raise_virq(kD1, VIRQ_TIMER, k2), Err::ok);  // coalesces
    EXPECT_FALSE(k2.needed);
    // Same virq in another domain is independent.
    evtchn_bind_virq v2{VIRQ_TIMER, 0, 0};
    EXPECT_EQ(ec_.bind_virq(kD2, v2), Err::ok);
    EXPECT_FALSE(pending(kD2, v2.port));
}

TEST_F(EvtchnTest, RaiseUnboundVirqIsNoOp) {
    const Snapshot s = snap();
    Kick k;
    EXPECT_EQ(ec_.raise_virq(kD1, VIRQ_CONSOLE, k), Err::ok);
    EXPECT_FALSE(k.needed);
    EXPECT_EQ(ec_.raise_virq(kD1, NR_VIRQS, k), Err::inval);
    EXPECT_EQ(ec_.raise_virq(DomId(3), VIRQ_TIMER, k), kErrSrch);
    EXPECT_EQ(ec_.raise_virq(DomId(EventChannels::kMaxDomains), VIRQ_TIMER, k), kErrSrch);
    expect_unchanged(s);
}

TEST_F(EvtchnTest, BindVirqErrors) {
    evtchn_bind_virq t{VIRQ_TIMER, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD1, t), Err::ok);
    const Snapshot s = snap();
    auto bind = [&](DomId caller, u32 virq, u32 vcpu) {
        evtchn_bind_virq v{virq, vcpu, 0xABCD};
        const Err e = ec_.bind_virq(caller, v);
        EXPECT_EQ(v.port, 0xABCDu);
        return e;
    };
    EXPECT_EQ(bind(kD1, VIRQ_TIMER, 0), Err::exist);  // one port per virq
    EXPECT_EQ(bind(kD1, NR_VIRQS, 0), Err::inval);
    EXPECT_EQ(bind(kD1, 0xFFFFFFFF, 0), Err::inval);
    EXPECT_EQ(bind(kD1, VIRQ_CONSOLE, 1), Err::inval);  // global virq, vcpu != 0
    EXPECT_EQ(bind(kD1, VIRQ_DEBUG, 1), Err::noent);    // per-vcpu virq, no vcpu 1
    EXPECT_EQ(bind(kD1, VIRQ_TIMER, 1), Err::noent);    // (vcpu checked before EEXIST)
    EXPECT_EQ(bind(DomId(3), VIRQ_TIMER, 0), kErrSrch);
    expect_unchanged(s);
    fill_ports(kD2);
    const Snapshot s2 = snap();
    EXPECT_EQ(bind(kD2, VIRQ_XENOPROF, 0), kErrNoSpc);
    expect_unchanged(s2);
}

TEST_F(EvtchnTest, UnprivilegedDomainsBindOnlyTheirOwnVirqs) {
    const Snapshot s = snap();
    auto bind = [&](DomId caller, u32 virq, bool has_device = false) {
        evtchn_bind_virq v{virq, 0, 0xABCD};
        const Err e = ec_.bind_virq(caller, v, has_device);
        if (e != Err::ok) {
            EXPECT_EQ(v.port, 0xABCDu);
        }
        return e;
    };
    for (u32 virq :
         {VIRQ_DEBUG, VIRQ_CONSOLE, VIRQ_DOM_EXC, VIRQ_TBUF, VIRQ_ENOMEM, XA_VIRQ_PASSTHROUGH, VIRQ_ARCH_7}) {
        EXPECT_EQ(bind(kD2, virq), Err::perm) << virq;
    }
    expect_unchanged(s);
    EXPECT_EQ(bind(kD2, XA_VIRQ_PASSTHROUGH, true), Err::ok);  // its device's interrupt
    EXPECT_EQ(bind(kD2, VIRQ_XENOPROF), Err::ok);
    EXPECT_EQ(bind(kD0, VIRQ_DOM_EXC), Err::ok);  // the privileged domain: any
    EXPECT_EQ(bind(kD0, VIRQ_DEBUG), Err::ok);
    EXPECT_EQ(bind(kD0, XA_VIRQ_PASSTHROUGH), Err::ok);
    static_assert(virq_bindable(VIRQ_TIMER, false, false));
    static_assert(!virq_bindable(VIRQ_CONSOLE, false, true));
    static_assert(virq_bindable(XA_VIRQ_ROLLED_BACK, false, false), "its own rollback");
    static_assert(!virq_bindable(XA_VIRQ_DOM_ROLLBACK, false, false), "dom0's");
}

TEST_F(EvtchnTest, CloseIfPeerClosesOnlyAChannelStillLeadingToThePeer) {
    using S = EventChannels::State;
    // Connected to the peer: closed, the peer's end becomes unbound.
    auto [p0, p1] = connect(kD0, kD1);
    EXPECT_TRUE(ec_.close_if_peer(kD0, p0, kD1));
    EXPECT_EQ(ec_.port(kD0, p0)->state, S::free);
    EXPECT_EQ(ec_.port(kD1, p1)->state, S::unbound);
    // Unbound and offered to the peer (the peer closed its end): closed too.
    auto [q0, q1] = connect(kD0, kD1);
    ASSERT_EQ(ec_.close(kD1, evtchn_close{q1}), Err::ok);
    EXPECT_TRUE(ec_.close_if_peer(kD0, q0, kD1));
    EXPECT_EQ(ec_.port(kD0, q0)->state, S::free);
    // The number reused for a channel with someone else, or for a VIRQ: left alone.
    auto [r0, r2] = connect(kD0, kD2);
    EXPECT_FALSE(ec_.close_if_peer(kD0, r0, kD1));
    EXPECT_EQ(ec_.port(kD0, r0)->state, S::interdomain);
    EXPECT_EQ(ec_.port(kD2, r2)->state, S::interdomain);
    const u32 own = alloc(kD0, DOMID_SELF, DOMID_SELF);
    EXPECT_FALSE(ec_.close_if_peer(kD0, own, kD1));
    EXPECT_EQ(ec_.port(kD0, own)->state, S::unbound);
    evtchn_bind_virq v{VIRQ_DOM_EXC, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD0, v), Err::ok);
    EXPECT_FALSE(ec_.close_if_peer(kD0, v.port, kD1));
    EXPECT_EQ(ec_.port(kD0, v.port)->state, S::virq);
    // Free, reserved, out of range, unknown owner: nothing.
    EXPECT_FALSE(ec_.close_if_peer(kD0, p0, kD1));
    EXPECT_FALSE(ec_.close_if_peer(kD0, 0, kD1));
    EXPECT_FALSE(ec_.close_if_peer(kD0, EventChannels::kPortsPerDomain, kD1));
    EXPECT_FALSE(ec_.close_if_peer(DomId(7), 1, kD1));
}

TEST_F(EvtchnTest, CloseVirqAllowsRebind) {
    evtchn_bind_virq v{VIRQ_CONSOLE, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD0, v), Err::ok);
    ASSERT_EQ(ec_.close(kD0, evtchn_close{v.port}), Err::ok);
    Kick k;
    ASSERT_EQ(ec_.raise_virq(kD0, VIRQ_CONSOLE, k), Err::ok);  // unbound now: dropped
    EXPECT_FALSE(pending(kD0, v.port));
    EXPECT_FALSE(k.needed);
    alloc(kD0, DOMID_SELF, 1);  // takes the old port
    evtchn_bind_virq again{VIRQ_CONSOLE, 0, 0};
    ASSERT_EQ(ec_.bind_virq(kD0, again), Err::ok);
    EXPECT_EQ(again.port, 2u);
    ASSERT_EQ(ec_.raise_virq(kD0, VIRQ_CONSOLE, k), Err::ok);
    EXPECT_TRUE(pending(kD0, 2));
    EXPECT_FALSE(pending(kD0, 1));
}

// ---- status -----------------------------------------------------------------------------

TEST_F(EvtchnTest, StatusOfOtherDomainNeedsPrivilege) {
    const u32 p = alloc(kD2, DOMID_SELF, 1);
    const evtchn_status s = status(kD0, 2, p);
    EXPECT_EQ(s.status, u32(EVTCHNSTAT_unbound));
    EXPECT_EQ(s.u.unbound.dom, 1);
    evtchn_status before{};
    before.dom = 2;
    before.port = p;
    before.status = 0xEEEE;
    evtchn_status st = before;
    EXPECT_EQ(ec_.status(kD1, st), Err::perm);
    EXPECT_EQ(st.status, 0xEEEEu);  // OUT untouched on error
    st.dom = 6;
    EXPECT_EQ(ec_.status(kD0, st), kErrSrch);
    st.dom = DOMID_SELF;
    st.port = kPorts;
    EXPECT_EQ(ec_.status(kD1, st), Err::inval);
    EXPECT_EQ(st.status, 0xEEEEu);
    st.port = 1;
    EXPECT_EQ(ec_.status(DomId(5), st), kErrSrch);
    EXPECT_EQ(status(kD1, DOMID_SELF, kPorts - 1).status, u32(EVTCHNSTAT_closed));
}

}  // namespace
}  // namespace xa
