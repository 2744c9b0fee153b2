// The scheduling policies (sched_rr.cc, sched_fp.cc, sched_credit.cc, sched_sedf.cc)
// through their Policy operations, with this test as the mechanism: it picks, "runs" the
// choice for the time granted on a simulated clock, and charges it, as sched.cc does.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "fake_vmm.hh"
#include "sched_policy.hh"

namespace {

using namespace xa;
using sched::Choice;
using sched::Policy;
using sched::SchedParams;

constexpr u64 kMs = 1'000'000;

class PolicyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();  // the console the policies print to, among the rest
        for (u32 i = 0; i < Domain::kMaxDomains; ++i) {
            domains::slot(i) = Domain{};
            domains::slot(i).id = DomId(static_cast<u16>(i));
        }
        fake::clock_ns() = 1000 * kMs;
    }
    void TearDown() override {
        for (u32 i : added_) policy_->remove(domains::slot(i));
    }

    void use(const Policy& p) { policy_ = &p; }
    Domain& dom(u32 i) { return domains::slot(i); }
    void add(u32 i, SchedParams p, bool wake = true) {
        if (p.timeslice_ns == 0) p.timeslice_ns = 10 * kMs;
        if (p.weight == 0) p.weight = 256;
        policy_->add(dom(i), p);
        added_.push_back(i);
        if (wake) (void)policy_->wake(dom(i), nullptr);
    }
    u32 pick_slot(u64* run_ns = nullptr) {
        const Choice c = policy_->pick(now());
        if (run_ns != nullptr) *run_ns = c.run_ns;
        return c.next == nullptr ? ~0u : c.next->id.value();
    }
    u64& now() { return fake::clock_ns(); }

    // Runs the CPU for `total` ns as the mechanism would; returns each slot's CPU time.
    // `on_decision` may wake or put to sleep domains between decisions.
    std::map<u32, u64> run(u64 total, const std::function<void()>& on_decision = {}) {
        std::map<u32, u64> ran;
        const u64 end = now() + total;
        while (now() < end) {
            if (on_decision) on_decision();
            const Choice c = policy_->pick(policy_->timed ? now() : 0);
            if (c.next == nullptr) {
                now() += c.run_ns != 0 && c.run_ns < end - now() ? c.run_ns : end - now();
                continue;
            }
            EXPECT_NE(c.run_ns, 0u);
            const u64 r = c.run_ns < end - now() ? c.run_ns : end - now();
            ran[c.next->id.value()] += r;
            now() += r;
            if (policy_->charge != nullptr) policy_->charge(*c.next, r);
        }
        return ran;
    }

    const Policy* policy_ = &sched::kRoundRobin;
    std::vector<u32> added_;
};

// ---- round-robin -----------------------------------------------------------------------

TEST_F(PolicyTest, RoundRobinTakesTurnsInIdOrderForEachTimeslice) {
    use(sched::kRoundRobin);
    add(1, {4 * kMs});
    add(3, {6 * kMs});
    add(6, {2 * kMs});
    std::vector<u32> order;
    std::vector<u64> runs;
    for (int i = 0; i < 6; ++i) {
        u64 r;
        order.push_back(pick_slot(&r));
        runs.push_back(r);
    }
    // The first choice continues from wherever the queue's last pick was: compare a cycle.
    EXPECT_EQ(order[3], order[0]);
    EXPECT_EQ(order[4], order[1]);
    for (int i = 0; i < 6; ++i) {
        const u32 next = order[(i + 1) % 6];
        EXPECT_EQ(next, order[i] == 1 ? 3u : order[i] == 3 ? 6u : 1u);
        EXPECT_EQ(runs[i], order[i] == 1 ? 4 * kMs : order[i] == 3 ? 6 * kMs : 2 * kMs);
    }
    EXPECT_FALSE(sched::kRoundRobin.wake(dom(1), &dom(3)));  // never preempts
}

TEST_F(PolicyTest, RoundRobinSkipsSleepersAndIdlesWhenNobodyCanRun) {
    use(sched::kRoundRobin);
    add(2, {});
    add(5, {});
    sched::kRoundRobin.sleep(dom(2));
    EXPECT_EQ(pick_slot(), 5u);
    EXPECT_EQ(pick_slot(), 5u);
    sched::kRoundRobin.sleep(dom(5));
    EXPECT_EQ(pick_slot(), ~0u);
    (void)sched::kRoundRobin.wake(dom(2), nullptr);
    EXPECT_EQ(pick_slot(), 2u);
}

// ---- fixed priority --------------------------------------------------------------------

TEST_F(PolicyTest, FixedPriorityRunsTheHighestAndRotatesEqualsByTimeslice) {
    use(sched::kFixedPriority);
    add(1, {10 * kMs, 50});
    add(2, {10 * kMs, 50});
    add(3, {10 * kMs, 90});
    const auto ran = run(100 * kMs);
    EXPECT_EQ(ran.at(1), 50 * kMs);
    EXPECT_EQ(ran.at(2), 50 * kMs);
    EXPECT_EQ(ran.count(3), 0u);  // lower priority: starved while the others run
}

TEST_F(PolicyTest, FixedPriorityPreemptedDomainResumesWithTheRestOfItsTurn) {
    use(sched::kFixedPriority);
    add(1, {10 * kMs, 50});
    add(2, {10 * kMs, 50});
    add(0, {10 * kMs, 0}, false);
    u64 r;
    ASSERT_EQ(pick_slot(&r), 1u);
    EXPECT_EQ(r, 10 * kMs);
    now() += 4 * kMs;
    sched::kFixedPriority.charge(dom(1), 4 * kMs);
    EXPECT_TRUE(sched::kFixedPriority.wake(dom(0), &dom(1)));   // higher: preempts
    EXPECT_FALSE(sched::kFixedPriority.wake(dom(2), &dom(1)));  // equal: waits (already queued)
    ASSERT_EQ(pick_slot(), 0u);
    sched::kFixedPriority.charge(dom(0), kMs);
    sched::kFixedPriority.sleep(dom(0));
    ASSERT_EQ(pick_slot(&r), 1u);  // not 2: 1's turn was interrupted, not over
    EXPECT_EQ(r, 6 * kMs);
    sched::kFixedPriority.charge(dom(1), 6 * kMs);
    EXPECT_EQ(pick_slot(&r), 2u);
    EXPECT_EQ(r, 10 * kMs);
}

TEST_F(PolicyTest, FixedPriorityYieldEndsTheTurn) {
    use(sched::kFixedPriority);
    add(4, {10 * kMs, 7});
    add(5, {10 * kMs, 7});
    ASSERT_EQ(pick_slot(), 4u);
    sched::kFixedPriority.charge(dom(4), kMs);
    sched::kFixedPriority.yield(dom(4));
    EXPECT_EQ(pick_slot(), 5u);
}

// ---- credit ----------------------------------------------------------------------------

TEST_F(PolicyTest, CreditSharesTheCpuByWeight) {
    use(sched::kCredit);
    SchedParams light{10 * kMs};
    light.weight = 100;
    SchedParams heavy{10 * kMs};
    heavy.weight = 300;
    add(1, light);
    add(2, heavy);
    const auto ran = run(3000 * kMs);
    const double share = static_cast<double>(ran.at(2)) / static_cast<double>(ran.at(1) + ran.at(2));
    EXPECT_NEAR(share, 0.75, 0.02);
}

TEST_F(PolicyTest, CreditCapLimitsADomainEvenWithTheCpuIdle) {
    use(sched::kCredit);
    SchedParams capped{10 * kMs};
    capped.cap_pct = 25;
    add(1, capped);
    const auto ran = run(3000 * kMs);
    EXPECT_NEAR(static_cast<double>(ran.at(1)) / (3000.0 * kMs), 0.25, 0.01);
}

TEST_F(PolicyTest, CreditBoostsAWokenDomainOverAComputingOne) {
    use(sched::kCredit);
    add(1, {10 * kMs});
    add(2, {10 * kMs}, false);
    (void)run(100 * kMs);  // accounting has happened, 1 has been computing
    EXPECT_TRUE(sched::kCredit.wake(dom(2), &dom(1)));
    EXPECT_EQ(pick_slot(), 2u);
    sched::kCredit.charge(dom(2), kMs);  // demoted at its first charge
    sched::kCredit.sleep(dom(2));
    EXPECT_EQ(pick_slot(), 1u);
}

TEST_F(PolicyTest, CreditSaysNothingAboutWhen) {
    // Equal weights, 30 ms slices: a domain that needs 1 ms every 10 ms gets its share in
    // the long run but can wait a whole slice of the other: credit bounds how much, not when.
    use(sched::kCredit);
    add(1, {30 * kMs});
    add(2, {30 * kMs});
    u64 longest_wait = 0, waited_since = now();
    u32 last = ~0u;
    for (int i = 0; i < 200; ++i) {
        u64 r;
        const u32 s = pick_slot(&r);
        if (s == 2 && last != 2) longest_wait = std::max(longest_wait, now() - waited_since);
        if (s != 2 && last == 2) waited_since = now();
        now() += r;
        sched::kCredit.charge(dom(s), r);
        last = s;
    }
    EXPECT_GE(longest_wait, 10 * kMs);
}

// ---- sedf ------------------------------------------------------------------------------

SchedParams server(u64 period, u64 budget, bool extra = false) {
    SchedParams p{10 * kMs};
    p.period_ns = static_cast<u32>(period);
    p.budget_ns = static_cast<u32>(budget);
    p.extra = extra;
    return p;
}

TEST_F(PolicyTest, SedfGivesEachServerItsBudgetInEveryPeriod) {
    use(sched::kSedf);
    add(1, server(10 * kMs, 3 * kMs));
    add(2, server(20 * kMs, 5 * kMs));
    add(3, server(0, 0, true));  // background hog
    // Period by period: every 10 ms window gives 1 exactly 3 ms, every 20 ms one gives 2 5 ms.
    for (int k = 0; k < 10; ++k) {
        const auto ran = run(20 * kMs);
        EXPECT_EQ(ran.at(1), 6 * kMs) << k;
        EXPECT_EQ(ran.at(2), 5 * kMs) << k;
        EXPECT_EQ(ran.at(3), 9 * kMs) << k;
    }
}

TEST_F(PolicyTest, SedfEarliestDeadlineFirst) {
    use(sched::kSedf);
    add(1, server(40 * kMs, 10 * kMs));
    now() += 5 * kMs;
    add(2, server(10 * kMs, 2 * kMs));  // deadline now + 10 ms: earlier than 1's
    u64 r;
    EXPECT_EQ(pick_slot(&r), 2u);
    EXPECT_EQ(r, 2 * kMs);
}

TEST_F(PolicyTest, SedfIdlingServerKeepsItsPlaceAndBackgroundRunsMeanwhile) {
    use(sched::kSedf);
    add(1, server(10 * kMs, 4 * kMs));
    add(3, server(0, 0, true));
    ASSERT_EQ(pick_slot(), 1u);
    now() += kMs;
    sched::kSedf.sleep(dom(1));  // blocks with 3 ms left: its budget idles on
    u64 r;
    EXPECT_EQ(pick_slot(&r), 3u);
    EXPECT_EQ(r, 3 * kMs);  // until 1's budget would be spent
    now() += kMs;
    EXPECT_TRUE(sched::kSedf.wake(dom(1), &dom(3)));  // takes the CPU back at once
    EXPECT_EQ(pick_slot(&r), 1u);
    EXPECT_EQ(r, 2 * kMs);  // 4 - 1 run - 1 idled
}

TEST_F(PolicyTest, SedfWithoutExtraTheCpuIdlesUntilTheNextRefill) {
    use(sched::kSedf);
    add(1, server(10 * kMs, 2 * kMs));
    u64 r;
    ASSERT_EQ(pick_slot(&r), 1u);
    now() += r;
    EXPECT_EQ(pick_slot(&r), ~0u);
    EXPECT_EQ(r, 8 * kMs);  // ask again at the refill
    now() += r;
    EXPECT_EQ(pick_slot(&r), 1u);
    EXPECT_EQ(r, 2 * kMs);
}

TEST_F(PolicyTest, SedfYieldGivesUpTheRestOfThePeriod) {
    use(sched::kSedf);
    add(1, server(10 * kMs, 5 * kMs));
    add(2, server(0, 0, true));
    ASSERT_EQ(pick_slot(), 1u);
    now() += kMs;
    sched::kSedf.yield(dom(1));
    EXPECT_EQ(pick_slot(), 2u);
}

TEST_F(PolicyTest, SedfBudgetCountsFromWhenTheDomainStartsNotTheSwitch) {
    use(sched::kSedf);
    add(1, server(10 * kMs, 4 * kMs));
    add(2, server(0, 0, true));
    u64 r;
    ASSERT_EQ(pick_slot(&r), 1u);
    EXPECT_EQ(r, 4 * kMs);
    now() += 50'000;  // the switch to it: the VMM's time
    sched::kSedf.started(dom(1), now());
    now() += 4 * kMs - 1;
    EXPECT_EQ(pick_slot(&r), 1u);  // one nanosecond of its budget left
    EXPECT_EQ(r, 1u);
    now() += 1;
    EXPECT_EQ(pick_slot(), 2u);  // spent: background work
}

TEST_F(PolicyTest, SedfAdmissionCountsTheVmmsOverheadPerPeriod) {
    use(sched::kSedf);
    // 1 ms of overhead-inclusive bandwidth per period is budget + 20 us.
    EXPECT_EQ(sched::sedf_bandwidth_ppm(10 * kMs, 5 * kMs), 502000u);
    add(1, server(10 * kMs, 5 * kMs));
    EXPECT_EQ(sched::kSedf.admit(server(10 * kMs, 4 * kMs)), Err::ok);
    add(2, server(10 * kMs, 4 * kMs));
    // 50.2 % + 40.2 % used: 9.6 % is left, less than 9.8 ms / 100 ms + overhead.
    EXPECT_EQ(sched::kSedf.admit(server(100 * kMs, 9500 * 1000)), Err::ok);
    fake::console().clear();
    EXPECT_EQ(sched::kSedf.admit(server(100 * kMs, 9600 * 1000)), Err::nospc);
    EXPECT_EQ(fake::console(),
              "xen-arm: sedf: 9600 us every 100000 us needs 9.62% of the CPU (with the VMM's 20 us per period); "
              "reserved: dom1 50.20% dom2 40.20%, 9.60% left\n");
    EXPECT_EQ(sched::kSedf.admit(server(0, 0, true)), Err::ok);  // background reserves nothing
}

}  // namespace
