// TickDeadline: the periodic tick's deadlines on goldfish and Versatile/PB.
#include <gtest/gtest.h>

#include "tick_deadline.hh"

namespace {

TEST(TickDeadline, FirstDeadlineIsOnePeriodAfterStart) {
    xa::TickDeadline t;
    t.start(1'234, 100);
    EXPECT_EQ(t.period_ns(), 10'000'000u);
    EXPECT_EQ(t.next_ns(), 10'001'234u);
}

TEST(TickDeadline, OnTimeInterruptCountsOnePeriod) {
    xa::TickDeadline t;
    t.start(0, 100);
    EXPECT_EQ(t.advance(10'000'000), 1u);
    EXPECT_EQ(t.next_ns(), 20'000'000u);
}

TEST(TickDeadline, LateInterruptDoesNotDrift) {
    xa::TickDeadline t;
    t.start(0, 100);
    EXPECT_EQ(t.advance(10'004'000), 1u);  // served 4 us late
    EXPECT_EQ(t.next_ns(), 20'000'000u);   // next deadline keeps the phase
}

TEST(TickDeadline, MissedPeriodsAreCounted) {
    xa::TickDeadline t;
    t.start(0, 1000);
    EXPECT_EQ(t.advance(3'500'000), 3u);
    EXPECT_EQ(t.next_ns(), 4'000'000u);
}

TEST(TickDeadline, EarlyCallCountsNothing) {
    xa::TickDeadline t;
    t.start(0, 100);
    EXPECT_EQ(t.advance(9'999'999), 0u);
    EXPECT_EQ(t.next_ns(), 10'000'000u);
}

}  // namespace
