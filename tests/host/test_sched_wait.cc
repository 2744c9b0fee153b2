// The wait bookkeeping of sched_op block and poll (sched_wait.hh): the count of polling
// domains stays exact through block, poll, wake and a domain stopping while it waits.
#include <gtest/gtest.h>

#include "sched_wait.hh"

namespace xa::sched {
namespace {

TEST(SchedWait, BlockAndWake) {
    Domain d;
    u32 pollers = 0;
    enter_wait(d, pollers);
    EXPECT_TRUE(d.blocked);
    EXPECT_EQ(pollers, 0u);  // blocked, not polling
    EXPECT_TRUE(leave_wait(d, pollers));
    EXPECT_FALSE(d.blocked);
    EXPECT_EQ(pollers, 0u);
}

TEST(SchedWait, PollCountsOnceAndWakeUncounts) {
    Domain a, b;
    u32 pollers = 0;
    a.polling = true;
    enter_wait(a, pollers);
    b.polling = true;
    enter_wait(b, pollers);
    EXPECT_EQ(pollers, 2u);
    EXPECT_TRUE(leave_wait(a, pollers));
    EXPECT_FALSE(a.polling);
    EXPECT_FALSE(a.blocked);
    EXPECT_EQ(pollers, 1u);
    // A second wake (an event and the timeout together) changes nothing.
    EXPECT_FALSE(leave_wait(a, pollers));
    EXPECT_EQ(pollers, 1u);
    EXPECT_TRUE(leave_wait(b, pollers));
    EXPECT_EQ(pollers, 0u);
}

TEST(SchedWait, WakingARunningDomainChangesNothing) {
    Domain d;
    u32 pollers = 3;
    EXPECT_FALSE(leave_wait(d, pollers));
    EXPECT_EQ(pollers, 3u);
    EXPECT_FALSE(d.blocked);
}

}  // namespace
}  // namespace xa::sched
