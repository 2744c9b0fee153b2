// The policies' run queues (sched_queues.hh): round-robin order, fixed-priority order,
// rotation among equals and what a preemption does to it.
#include <gtest/gtest.h>

#include <vector>

#include "sched_queues.hh"

namespace {

using xa::u32;
using xa::sched::kNoSlot;
using xa::sched::PriorityQueues;
using xa::sched::RoundRobinQueue;

std::vector<u32> picks(RoundRobinQueue& q, int n) {
    std::vector<u32> out;
    for (int i = 0; i < n; ++i) out.push_back(q.pick());
    return out;
}

TEST(RoundRobinQueue, EmptyPicksNothing) {
    RoundRobinQueue q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.pick(), kNoSlot);
}

TEST(RoundRobinQueue, SlotOrderWrapping) {
    RoundRobinQueue q;
    for (u32 s : {5u, 0u, 7u, 2u}) q.insert(s);
    EXPECT_EQ(picks(q, 9), (std::vector<u32>{0, 2, 5, 7, 0, 2, 5, 7, 0}));
}

TEST(RoundRobinQueue, AloneRunsAgain) {
    RoundRobinQueue q;
    q.insert(7);
    EXPECT_EQ(picks(q, 3), (std::vector<u32>{7, 7, 7}));
    q.insert(0);
    EXPECT_EQ(q.pick(), 0u);  // after 7 comes 0 (wrap)
}

TEST(RoundRobinQueue, RemovedSlotIsSkippedAndOrderKept) {
    RoundRobinQueue q;
    for (u32 s = 0; s < 4; ++s) q.insert(s);
    EXPECT_EQ(q.pick(), 0u);
    EXPECT_EQ(q.pick(), 1u);
    q.remove(2);
    EXPECT_EQ(q.pick(), 3u);
    q.insert(2);  // a woken slot takes its place in slot order, not at the end
    EXPECT_EQ(q.pick(), 0u);
    EXPECT_EQ(q.pick(), 1u);
    EXPECT_EQ(q.pick(), 2u);
    q.remove(0), q.remove(1), q.remove(2), q.remove(3);
    EXPECT_EQ(q.pick(), kNoSlot);
}

TEST(PriorityQueues, EmptyPicksNothing) {
    PriorityQueues q;
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.pick(), kNoSlot);
}

TEST(PriorityQueues, LowestNumberFirstAcrossBitmapWords) {
    PriorityQueues q;
    q.insert(0, 255);
    EXPECT_EQ(q.pick(), 0u);
    q.insert(1, 200);
    EXPECT_EQ(q.pick(), 1u);
    q.insert(2, 31);
    q.insert(3, 32);
    EXPECT_EQ(q.pick(), 2u);
    q.remove(2);
    EXPECT_EQ(q.pick(), 3u);
    q.insert(4, 0);
    EXPECT_EQ(q.pick(), 4u);
    q.remove(4), q.remove(3), q.remove(1);
    EXPECT_EQ(q.pick(), 0u);
    q.remove(0);
    EXPECT_TRUE(q.empty());
}

TEST(PriorityQueues, EqualsRotate) {
    PriorityQueues q;
    for (u32 s : {3u, 1u, 4u}) q.insert(s, 7);
    q.insert(6, 9);
    std::vector<u32> order;
    for (int i = 0; i < 6; ++i) {
        const u32 s = q.pick();
        order.push_back(s);
        q.rotate(s);
    }
    EXPECT_EQ(order, (std::vector<u32>{3, 1, 4, 3, 1, 4}));
}

TEST(PriorityQueues, PreemptedDomainResumesFirst) {
    // Two equals and a higher one that wakes at every turn: the equals must still
    // alternate. (A scan that restarted after the preemptor's slot ran the same one of the
    // two every time.)
    PriorityQueues q;
    q.insert(1, 10);
    q.insert(2, 10);
    std::vector<u32> ran;
    for (int turn = 0; turn < 6; ++turn) {
        const u32 s = q.pick();
        ran.push_back(s);
        q.insert(0, 1);  // the high one wakes, preempts...
        EXPECT_EQ(q.pick(), 0u);
        q.remove(0);             // ...and blocks again
        EXPECT_EQ(q.pick(), s);  // the preempted one continues its turn
        q.rotate(s);             // its turn ends
    }
    EXPECT_EQ(ran, (std::vector<u32>{1, 2, 1, 2, 1, 2}));
}

TEST(PriorityQueues, RemoveFromMiddleAndTailKeepsOrder) {
    PriorityQueues q;
    for (u32 s = 0; s < 5; ++s) q.insert(s, 50);
    q.remove(2);
    q.remove(4);
    std::vector<u32> order;
    for (int i = 0; i < 4; ++i) {
        order.push_back(q.pick());
        q.rotate(order.back());
    }
    EXPECT_EQ(order, (std::vector<u32>{0, 1, 3, 0}));
    q.insert(4, 50);  // back in: at the tail
    EXPECT_EQ(q.pick(), 1u);
    q.rotate(1);
    EXPECT_EQ(q.pick(), 3u);
    q.rotate(3);
    EXPECT_EQ(q.pick(), 0u);
    q.rotate(0);
    EXPECT_EQ(q.pick(), 4u);
}

TEST(PriorityQueues, InsertAndRemoveAreIdempotent) {
    PriorityQueues q;
    q.insert(3, 5);
    q.insert(3, 5);
    q.insert(1, 5);
    q.rotate(3);
    EXPECT_EQ(q.pick(), 1u);
    q.remove(1);
    q.remove(1);
    EXPECT_EQ(q.pick(), 3u);
    q.remove(3);
    EXPECT_TRUE(q.empty());
    q.rotate(3);  // not queued: nothing happens
    EXPECT_TRUE(q.empty());
}

TEST(PriorityQueues, EightSlotsAllLevels) {
    PriorityQueues q;
    for (u32 s = 0; s < 8; ++s) q.insert(s, 255 - 32 * s);
    for (u32 s = 8; s-- > 0;) {
        EXPECT_EQ(q.pick(), s);
        q.remove(s);
    }
    EXPECT_TRUE(q.empty());
}

}  // namespace

namespace {

TEST(Turn, UsedUpInPiecesThenRenewed) {
    xa::sched::Turn t{10, 10};
    EXPECT_FALSE(t.use(4));
    EXPECT_EQ(t.left_ns, 6u);
    EXPECT_FALSE(t.use(5));
    EXPECT_EQ(t.left_ns, 1u);
    EXPECT_TRUE(t.use(1));  // exactly used up: over, and the next turn is whole
    EXPECT_EQ(t.left_ns, 10u);
    EXPECT_TRUE(t.use(1ull << 40));  // far past the end (ran long with nobody else)
    EXPECT_EQ(t.left_ns, 10u);
    t.left_ns = 3;
    t.renew();
    EXPECT_EQ(t.left_ns, 10u);
}

}  // namespace
