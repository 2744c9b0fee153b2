// sched_op poll's decision (sched_poll.hh) with EventChannels::is_pending as its source,
// and domctl's permission rules (hypercall_checks.hh).
#include <gtest/gtest.h>

#include <string.h>

#include <vector>

#include "event_channel.hh"
#include "hypercall_checks.hh"
#include "sched_poll.hh"

namespace xa {
namespace {

using sched::PollOutcome;

constexpr DomId kD0(0);
constexpr DomId kD1(1);

class PollTest : public ::testing::Test {
  protected:
    void SetUp() override {
        memset(shared_, 0, sizeof shared_);
        ASSERT_EQ(ec_.attach(kD0, &shared_[0], true), Err::ok);
        ASSERT_EQ(ec_.attach(kD1, &shared_[1]), Err::ok);
    }

    PollOutcome poll(const std::vector<u32>& ports, u64 timeout = 0, u64 now = 1000) {
        now_reads_ = 0;
        return sched::poll_outcome(
            ports.data(), static_cast<u32>(ports.size()), timeout, [this](u32 p) { return ec_.is_pending(kD1, p); },
            [&] {
                ++now_reads_;
                return now;
            });
    }

    shared_info shared_[2];
    EventChannels ec_;
    u32 now_reads_ = 0;
};

TEST_F(PollTest, IsPendingReadsTheSharedInfoBits) {
    EXPECT_FALSE(ec_.is_pending(kD1, 5));
    shared_[1].evtchn_pending[0] |= 1u << 5;
    EXPECT_TRUE(ec_.is_pending(kD1, 5));
    EXPECT_FALSE(ec_.is_pending(kD0, 5));
    // Masked ports count: poll ignores masks.
    shared_[1].evtchn_mask[0] |= 1u << 5;
    EXPECT_TRUE(ec_.is_pending(kD1, 5));
    // A bit the guest set itself beyond the VMM's port table still counts.
    shared_[1].evtchn_pending[31] |= 1u << 31;
    EXPECT_TRUE(ec_.is_pending(kD1, 1023));
    EXPECT_FALSE(ec_.is_pending(kD1, 1024));
    EXPECT_FALSE(ec_.is_pending(DomId(2), 5));  // not attached
}

TEST_F(PollTest, IsPendingFollowsSend) {
    evtchn_alloc_unbound a{DOMID_SELF, kD0.value(), 0};
    ASSERT_EQ(ec_.alloc_unbound(kD1, a), Err::ok);
    evtchn_bind_interdomain b{kD1.value(), a.port, 0};
    Kick k;
    ASSERT_EQ(ec_.bind_interdomain(kD0, b, k), Err::ok);
    shared_[1].evtchn_pending[0] = 0;
    EXPECT_FALSE(ec_.is_pending(kD1, a.port));
    evtchn_send s{b.local_port};
    ASSERT_EQ(ec_.send(kD0, s, k), Err::ok);
    EXPECT_TRUE(ec_.is_pending(kD1, a.port));
}

TEST_F(PollTest, NothingPendingBlocks) {
    EXPECT_EQ(poll({1, 2, 3}), PollOutcome::block);
    EXPECT_EQ(now_reads_, 0u);  // no timeout: the clock is not read
}

TEST_F(PollTest, APendingPortReturnsAtOnce) {
    shared_[1].evtchn_pending[0] |= 1u << 2;
    EXPECT_EQ(poll({1, 2, 3}), PollOutcome::ready);
    EXPECT_EQ(poll({2}), PollOutcome::ready);
}

TEST_F(PollTest, ABadPortIsRefusedUnlessAPendingOneComesFirst) {
    EXPECT_EQ(poll({1, 1024}), PollOutcome::bad_port);
    EXPECT_EQ(poll({0xFFFFFFFFu}), PollOutcome::bad_port);
    shared_[1].evtchn_pending[0] |= 1u << 1;
    EXPECT_EQ(poll({1, 1024}), PollOutcome::ready);
    EXPECT_EQ(poll({1024, 1}), PollOutcome::bad_port);
}

TEST_F(PollTest, TimeoutsInThePastReturnInTheFutureBlock) {
    EXPECT_EQ(poll({1}, 999, 1000), PollOutcome::ready);
    EXPECT_EQ(poll({1}, 1000, 1000), PollOutcome::ready);
    EXPECT_EQ(now_reads_, 1u);
    EXPECT_EQ(poll({1}, 1001, 1000), PollOutcome::block);
}

TEST(DomctlChecks, OnlyAPrivilegedCallerMayUseDomctl) {
    EXPECT_EQ(checks::check_domctl_caller(false), Err::perm);
    EXPECT_EQ(checks::check_domctl_caller(true), Err::ok);
}

TEST(DomctlChecks, AnUnprivilegedCallerMayOnlyAskForItsOwnFaultToleranceInfo) {
    EXPECT_EQ(checks::check_domctl_unprivileged(XA_DOMCTL_ftinfo, true), Err::ok);
    EXPECT_EQ(checks::check_domctl_unprivileged(XA_DOMCTL_ftinfo, false), Err::perm);
    for (const u32 cmd : {XEN_DOMCTL_createdomain, XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain,
                          XEN_DOMCTL_unpausedomain, XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_assign_device,
                          XA_DOMCTL_getconfig, XA_DOMCTL_getdevice, XA_DOMCTL_checkpoint, XA_DOMCTL_rollback, 0xFFFF}) {
        EXPECT_EQ(checks::check_domctl_unprivileged(cmd, true), Err::perm) << cmd;
        EXPECT_EQ(checks::check_domctl_unprivileged(cmd, false), Err::perm) << cmd;
    }
}

TEST(DomctlChecks, NoDomainDestroysOrPausesItself) {
    EXPECT_EQ(checks::check_domctl_self(XEN_DOMCTL_destroydomain, true), Err::perm);
    EXPECT_EQ(checks::check_domctl_self(XEN_DOMCTL_pausedomain, true), Err::inval);
    for (const u32 cmd : {XEN_DOMCTL_destroydomain, XEN_DOMCTL_pausedomain, XEN_DOMCTL_unpausedomain,
                          XEN_DOMCTL_getdomaininfo, XEN_DOMCTL_createdomain}) {
        EXPECT_EQ(checks::check_domctl_self(cmd, false), Err::ok) << cmd;
    }
    EXPECT_EQ(checks::check_domctl_self(XEN_DOMCTL_getdomaininfo, true), Err::ok);
    EXPECT_EQ(checks::check_domctl_self(XEN_DOMCTL_unpausedomain, true), Err::ok);
}

}  // namespace
}  // namespace xa
