// The fixed-priority policy's choice (sched_pick.hh), over arrays of (runnable, priority).
#include <gtest/gtest.h>

#include <vector>

#include "sched_pick.hh"

namespace {

using xa::u32;
using xa::sched::PickEntry;

constexpr u32 kNone = ~0u;  // no previous choice

u32 pick(const std::vector<PickEntry>& e, u32 previous) {
    const u32 n = static_cast<u32>(e.size());
    const u32 i = xa::sched::fixed_priority_pick([&](u32 k) { return e[k]; }, n, previous == kNone ? n : previous);
    return i == n ? kNone : i;
}

TEST(FixedPriorityPick, NothingRunnable) {
    EXPECT_EQ(pick({{false, 0}, {false, 5}, {false, 255}}, kNone), kNone);
    EXPECT_EQ(pick({{false, 0}, {false, 5}}, 1), kNone);
    EXPECT_EQ(xa::sched::fixed_priority_pick([](u32) { return PickEntry{true, 0}; }, 0, 0), 0u);
}

TEST(FixedPriorityPick, LowestNumberWins) {
    EXPECT_EQ(pick({{true, 10}, {true, 0}, {true, 5}}, kNone), 1u);
    EXPECT_EQ(pick({{true, 10}, {true, 0}, {true, 5}}, 1), 1u);  // alone at the top: again
    EXPECT_EQ(pick({{true, 255}, {true, 254}}, 0), 1u);
    EXPECT_EQ(pick({{true, 255}, {true, 254}}, 1), 1u);
}

TEST(FixedPriorityPick, BlockedHigherPriorityIsSkipped) {
    EXPECT_EQ(pick({{true, 200}, {false, 0}, {true, 100}}, kNone), 2u);
    EXPECT_EQ(pick({{true, 200}, {false, 0}, {false, 100}}, 2), 0u);
}

TEST(FixedPriorityPick, EqualsShareRoundRobin) {
    const std::vector<PickEntry> e{{true, 7}, {true, 3}, {false, 3}, {true, 3}, {true, 3}, {true, 9}};
    u32 prev = kNone;
    std::vector<u32> order;
    for (int k = 0; k < 6; ++k) order.push_back(prev = pick(e, prev));
    EXPECT_EQ(order, (std::vector<u32>{1, 3, 4, 1, 3, 4}));
}

TEST(FixedPriorityPick, PreviousOfLowerPriorityStartsTheScanAfterIt) {
    // dom2 (priority 0) ran last and now sleeps: the priority-5 domains continue after it.
    EXPECT_EQ(pick({{true, 5}, {false, 1}, {false, 0}, {true, 5}}, 2), 3u);
    EXPECT_EQ(pick({{true, 5}, {false, 1}, {false, 0}, {true, 5}}, 3), 0u);
}

TEST(FixedPriorityPick, EightSlotsLikeTheVmm) {
    std::vector<PickEntry> e(8, PickEntry{false, 128});
    e[7] = {true, 128};
    EXPECT_EQ(pick(e, kNone), 7u);
    EXPECT_EQ(pick(e, 7), 7u);
    e[0] = {true, 128};
    EXPECT_EQ(pick(e, 7), 0u);
    e[4] = {true, 127};
    EXPECT_EQ(pick(e, 0), 4u);
}

TEST(FixedPriorityPreempts, OnlyStrictlyHigher) {
    EXPECT_TRUE(xa::sched::fixed_priority_preempts(0, 1));
    EXPECT_TRUE(xa::sched::fixed_priority_preempts(0, 255));
    EXPECT_FALSE(xa::sched::fixed_priority_preempts(5, 5));
    EXPECT_FALSE(xa::sched::fixed_priority_preempts(6, 5));
}

static_assert(xa::sched::fixed_priority_pick([](u32 k) { return PickEntry{k != 1, k == 2 ? 0u : 9u}; }, 4, 4) == 2);

}  // namespace
