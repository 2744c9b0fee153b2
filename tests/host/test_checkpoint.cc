// Fault tolerance bookkeeping (checkpoint.hh): the dirty set and its copy runs, the
// checkpoint/rollback protocol of a Tracker, the failure window and the checkpoint policy.
#include <gtest/gtest.h>

#include <vector>

#include "checkpoint.hh"

namespace xa::ft {
namespace {

constexpr u32 kFrames = 70;  // three words, the last one partial
constexpr u32 kWords = DirtySet::words_for(kFrames);
static_assert(kWords == 3);

std::vector<CopyRun> runs_of(const DirtySet& s, u32 max_run) {
    std::vector<CopyRun> runs;
    s.for_each_run(max_run, [&](CopyRun r) { runs.push_back(r); });
    return runs;
}

class DirtySetTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (u32& w : dirty_) w = 0xA5A5A5A5;
        for (u32& w : pinned_) w = 0x5A5A5A5A;
        ASSERT_EQ(set_.init(kFrames, dirty_, pinned_, kWords + 1), Err::ok);
    }

    u32 dirty_[kWords + 1];  // one guard word past the tracked ones
    u32 pinned_[kWords + 1];
    DirtySet set_;
};

TEST(DirtySetInit, RefusesBadStorage) {
    u32 a[4], b[4];
    DirtySet s;
    EXPECT_EQ(s.init(0, a, b, 4), Err::inval);
    EXPECT_EQ(s.init(129, a, b, 4), Err::inval) << "129 frames need 5 words";
    EXPECT_EQ(s.init(10, nullptr, b, 4), Err::inval);
    EXPECT_EQ(s.init(10, a, nullptr, 4), Err::inval);
    EXPECT_EQ(s.init(10, a, a, 4), Err::inval);
    EXPECT_EQ(s.frames(), 0u);
    EXPECT_EQ(s.init(128, a, b, 4), Err::ok);
    EXPECT_EQ(s.frames(), 128u);
}

TEST_F(DirtySetTest, StartsCleanAndLeavesTheGuardAlone) {
    EXPECT_EQ(set_.count(), 0u);
    for (u32 i = 0; i < kFrames; ++i) EXPECT_FALSE(set_.dirty(i) || set_.pinned(i)) << i;
    EXPECT_EQ(dirty_[kWords], 0xA5A5A5A5u);
    EXPECT_EQ(pinned_[kWords], 0x5A5A5A5Au);
    EXPECT_TRUE(runs_of(set_, 16).empty());
}

TEST_F(DirtySetTest, MarkReportsOnlyTheFirstWrite) {
    EXPECT_TRUE(set_.mark(5));
    EXPECT_FALSE(set_.mark(5)) << "already dirty: no second unprotect";
    EXPECT_TRUE(set_.dirty(5));
    EXPECT_FALSE(set_.mark(kFrames)) << "past the domain's memory";
    EXPECT_FALSE(set_.dirty(kFrames));
    EXPECT_EQ(set_.count(), 1u);
    EXPECT_EQ(dirty_[kWords], 0xA5A5A5A5u);
}

TEST_F(DirtySetTest, MarkAllStopsAtTheLastFrame) {
    set_.mark_all();
    EXPECT_EQ(set_.count(), kFrames);
    EXPECT_EQ(dirty_[2], (1u << (kFrames - 64)) - 1) << "no bit past frame 69";
    EXPECT_EQ(dirty_[kWords], 0xA5A5A5A5u);
    EXPECT_EQ(runs_of(set_, 1000), (std::vector<CopyRun>{{0, kFrames}}));
    set_.clear();
    EXPECT_EQ(set_.count(), 0u);
}

TEST_F(DirtySetTest, RunsAreMaximalAndSplitAtTheWindow) {
    for (u32 i : {0u, 1u, 2u, 31u, 32u, 33u, 40u, 69u}) set_.mark(i);
    EXPECT_EQ(runs_of(set_, 16), (std::vector<CopyRun>{{0, 3}, {31, 3}, {40, 1}, {69, 1}}));
    EXPECT_EQ(runs_of(set_, 2), (std::vector<CopyRun>{{0, 2}, {2, 1}, {31, 2}, {33, 1}, {40, 1}, {69, 1}}));
    EXPECT_EQ(runs_of(set_, 0), runs_of(set_, 1)) << "a window of 0 is a window of 1";
    u32 frames = 0;
    for (const CopyRun& r : runs_of(set_, 1)) frames += r.count;
    EXPECT_EQ(frames, set_.count());
}

TEST_F(DirtySetTest, PinnedFramesAreCopiedEveryTime) {
    set_.pin(10);
    set_.pin(11);
    set_.mark(11);
    set_.mark(12);
    EXPECT_EQ(set_.count(), 3u) << "a pinned dirty frame counts once";
    EXPECT_EQ(runs_of(set_, 16), (std::vector<CopyRun>{{10, 3}}));
    set_.clear();
    EXPECT_EQ(runs_of(set_, 16), (std::vector<CopyRun>{{10, 2}})) << "clear keeps pins";
    EXPECT_TRUE(set_.mark(10)) << "a pin does not make the first write fault pointless to report";
    set_.clear();
    set_.unpin(10);
    set_.unpin(11);
    set_.pin(kFrames);  // ignored
    EXPECT_TRUE(runs_of(set_, 16).empty());
    EXPECT_EQ(pinned_[kWords], 0x5A5A5A5Au);
}

TEST(FailureWindow, AllowsTheLimitWithinTheWindow) {
    FailureWindow w(3, 1000);
    EXPECT_TRUE(w.allow(0));
    EXPECT_TRUE(w.allow(10));
    EXPECT_TRUE(w.allow(20));
    EXPECT_EQ(w.recent(20), 3u);
    EXPECT_FALSE(w.allow(999)) << "a fourth fault within 1000 of the first";
    EXPECT_EQ(w.recent(999), 3u) << "a refused fault is not counted";
    EXPECT_TRUE(w.allow(1000)) << "the first has left the window";
    EXPECT_FALSE(w.allow(1009));
    EXPECT_TRUE(w.allow(1010));
    EXPECT_EQ(w.recent(1010), 3u);
    EXPECT_EQ(w.recent(5000), 0u);
    EXPECT_TRUE(w.allow(5000));
}

TEST(FailureWindow, LimitIsClamped) {
    FailureWindow none(0, 100);
    EXPECT_TRUE(none.allow(0)) << "a limit of 0 is 1";
    EXPECT_FALSE(none.allow(1));
    FailureWindow many(100, 100);
    for (u32 i = 0; i < kFtFaultLimitMax; ++i) EXPECT_TRUE(many.allow(i)) << i;
    EXPECT_FALSE(many.allow(kFtFaultLimitMax));
}

TEST(Policy, SwitchPeriodAndManual) {
    const Policy every(0);
    EXPECT_TRUE(every.on_every_switch());
    EXPECT_FALSE(every.manual());
    EXPECT_TRUE(every.due(5, true, true, 5));
    EXPECT_TRUE(every.due(5, true, false, 0));
    EXPECT_FALSE(every.due(5, false, false, 0)) << "only when the domain leaves the CPU";
    const Policy period(50'000);  // 50 ms
    EXPECT_FALSE(period.on_every_switch());
    EXPECT_EQ(period.period_ns(), 50'000'000u);
    EXPECT_TRUE(period.due(0, false, false, 0)) << "no checkpoint yet: one is due at once";
    EXPECT_FALSE(period.due(49'999'999, true, true, 0));
    EXPECT_TRUE(period.due(50'000'000, true, true, 0));
    EXPECT_TRUE(period.due(50'000'000, false, true, 0)) << "also at the end of a time slice";
    const Policy manual(boot_image::kCheckpointManual);
    EXPECT_TRUE(manual.manual());
    EXPECT_FALSE(manual.on_every_switch());
    EXPECT_FALSE(manual.due(0, true, false, 0));
    EXPECT_FALSE(manual.due(~0ull, true, true, 0));
}

class TrackerTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_EQ(set_.init(kFrames, dirty_, pinned_, kWords), Err::ok); }

    u32 plan(Tracker& t, u32 max_run = 16) {
        runs_.clear();
        return t.plan(max_run, [&](CopyRun r) { runs_.push_back(r); });
    }

    u32 dirty_[kWords];
    u32 pinned_[kWords];
    DirtySet set_;
    std::vector<CopyRun> runs_;
};

TEST_F(TrackerTest, FirstCheckpointCopiesEverythingThenOnlyWhatChanged) {
    Tracker t(set_, Policy(0), false);
    EXPECT_FALSE(t.has_checkpoint());
    EXPECT_FALSE(t.may_roll_back(0)) << "no checkpoint: crash as without fault tolerance";
    EXPECT_TRUE(t.checkpoint_due(0, true));
    EXPECT_EQ(plan(t, 64), kFrames);
    EXPECT_EQ(runs_, (std::vector<CopyRun>{{0, 64}, {64, 6}}));
    t.commit_checkpoint(100);
    EXPECT_TRUE(t.has_checkpoint());
    EXPECT_EQ(set_.count(), 0u);

    EXPECT_TRUE(t.dirty().mark(7));
    EXPECT_TRUE(t.dirty().mark(8));
    EXPECT_EQ(plan(t), 2u);
    EXPECT_EQ(runs_, (std::vector<CopyRun>{{7, 2}}));
    t.commit_checkpoint(200);
    EXPECT_EQ(t.stats().checkpoints, 2u);
    EXPECT_EQ(t.stats().last_copied, 2u);
    EXPECT_EQ(t.stats().frames_copied, u64(kFrames) + 2);
}

TEST_F(TrackerTest, RollbackCopiesWhatChangedSinceTheCheckpoint) {
    Tracker t(set_, Policy(0), false, FailureWindow(2, 1000));
    plan(t);
    t.commit_checkpoint(0);
    t.dirty().mark(3);
    t.dirty().mark(69);
    ASSERT_TRUE(t.may_roll_back(10));
    EXPECT_EQ(plan(t), 2u);
    EXPECT_EQ(runs_, (std::vector<CopyRun>{{3, 1}, {69, 1}}));
    t.commit_rollback();
    EXPECT_EQ(set_.count(), 0u) << "active equals backup again";
    EXPECT_EQ(t.stats().rollbacks, 1u);
    EXPECT_TRUE(t.has_checkpoint()) << "the checkpoint stays for the next fault";

    EXPECT_TRUE(t.may_roll_back(20));
    EXPECT_EQ(plan(t), 0u) << "nothing written since: nothing to copy";
    t.commit_rollback();
    EXPECT_FALSE(t.may_roll_back(30)) << "a third fault within the window crashes the domain";
    EXPECT_FALSE(t.may_roll_back(1009)) << "the fault at 10 is still in the window";
    EXPECT_TRUE(t.may_roll_back(1010));
}

TEST_F(TrackerTest, FullCopyBaselineCopiesEverythingEveryTime) {
    Tracker t(set_, Policy(0), true);
    EXPECT_TRUE(t.full_copy());
    EXPECT_EQ(plan(t), kFrames);
    t.commit_checkpoint(0);
    EXPECT_EQ(plan(t), kFrames) << "no write tracking: every frame may have changed";
    t.commit_checkpoint(1);
    ASSERT_TRUE(t.may_roll_back(2));
    EXPECT_EQ(plan(t), kFrames);
    t.commit_rollback();
    EXPECT_EQ(t.stats().frames_copied, 3u * kFrames);
}

TEST_F(TrackerTest, PeriodicPolicy) {
    Tracker t(set_, Policy(1000), false);  // 1 ms
    EXPECT_TRUE(t.checkpoint_due(0, false));
    EXPECT_EQ(t.last_checkpoint_ns(), 0u);
    plan(t);
    t.commit_checkpoint(5'000'000);
    EXPECT_EQ(t.last_checkpoint_ns(), 5'000'000u);
    EXPECT_FALSE(t.checkpoint_due(5'999'999, true));
    EXPECT_TRUE(t.checkpoint_due(6'000'000, false));
}

}  // namespace
}  // namespace xa::ft
