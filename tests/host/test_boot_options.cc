// The VMM command line (include/boot_options.hh): tests drive the VMM through it, and a
// typo must be reported, not ignored.
#include <gtest/gtest.h>

#include "boot_options.hh"

namespace {

using xa::FaultInjection;
using xa::parse_boot_options;

TEST(BootOptions, EmptyMeansRunForever) {
    const auto o = parse_boot_options("");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_EQ(o.exit_after_ticks, 0u);
    EXPECT_EQ(o.fault, FaultInjection::none);
}

TEST(BootOptions, KernelPathFirstIsSkipped) {
    const auto o = parse_boot_options("build/goldfish/xen-arm.elf ticks=10");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_EQ(o.exit_after_ticks, 10u);
}

TEST(BootOptions, OnlyThePath) {
    const auto o = parse_boot_options("/x/xen-arm.elf");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_EQ(o.exit_after_ticks, 0u);
}

TEST(BootOptions, Faults) {
    EXPECT_EQ(parse_boot_options("k fault=dabt").fault, FaultInjection::data_abort);
    EXPECT_EQ(parse_boot_options("k fault=pabt").fault, FaultInjection::prefetch_abort);
    EXPECT_EQ(parse_boot_options("k  fault=undef\tticks=3").fault, FaultInjection::undefined);
    EXPECT_NE(parse_boot_options("k fault=dab").error, nullptr);
    EXPECT_NE(parse_boot_options("k fault=dabtx").error, nullptr);
    EXPECT_NE(parse_boot_options("k fault=").error, nullptr);
}

TEST(BootOptions, TicksRange) {
    EXPECT_EQ(parse_boot_options("k ticks=9999999").exit_after_ticks, 9999999u);
    EXPECT_NE(parse_boot_options("k ticks=0").error, nullptr);
    EXPECT_NE(parse_boot_options("k ticks=10000000").error, nullptr);
    EXPECT_NE(parse_boot_options("k ticks=").error, nullptr);
    EXPECT_NE(parse_boot_options("k ticks=1x").error, nullptr);
    EXPECT_NE(parse_boot_options("k ticks=-1").error, nullptr);
}

TEST(BootOptions, UnknownAndMalformedAreErrors) {
    EXPECT_NE(parse_boot_options("k tick=5").error, nullptr);
    EXPECT_NE(parse_boot_options("k ticks").error, nullptr);
    EXPECT_NE(parse_boot_options("ticks=5 stray").error, nullptr);
}

TEST(BootOptions, FirstWordMayAlreadyBeAnOption) {
    // QEMU's -semihosting-config arg= form has no kernel path in front.
    EXPECT_EQ(parse_boot_options("ticks=7").exit_after_ticks, 7u);
}

static_assert(parse_boot_options("k ticks=12").exit_after_ticks == 12, "usable at compile time");

}  // namespace

TEST(BootOptionsWallclock, SecondsSinceTheEpoch) {
    const auto o = xa::parse_boot_options("kernel wallclock=1795305600");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_EQ(o.wallclock_s, 1795305600ull);
    EXPECT_EQ(xa::parse_boot_options("k").wallclock_s, 0ull);
    EXPECT_EQ(xa::parse_boot_options("k wallclock=999999999999").wallclock_s, 999999999999ull);
}

TEST(BootOptionsWallclock, RejectsBadValues) {
    EXPECT_NE(xa::parse_boot_options("k wallclock=").error, nullptr);
    EXPECT_NE(xa::parse_boot_options("k wallclock=12x").error, nullptr);
    EXPECT_NE(xa::parse_boot_options("k wallclock=-1").error, nullptr);
    EXPECT_NE(xa::parse_boot_options("k wallclock=1000000000000").error, nullptr);  // 13 digits
}

TEST(BootOptionsSwitch, KeepByDefaultCleanOnRequest) {
    EXPECT_FALSE(xa::parse_boot_options("k").clean_every_switch);
    EXPECT_FALSE(xa::parse_boot_options("k switch=keep").clean_every_switch);
    const auto o = xa::parse_boot_options("k switch=clean ticks=3");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_TRUE(o.clean_every_switch);
    EXPECT_EQ(o.exit_after_ticks, 3u);
    EXPECT_STREQ(xa::parse_boot_options("k switch=flush").error, "switch= takes keep or clean");
    EXPECT_STREQ(xa::parse_boot_options("k switch=").error, "switch= takes keep or clean");
}

TEST(BootOptionsFtFaults, DefaultIsTheFailureWindowsOwn) {
    const auto o = xa::parse_boot_options("k");
    EXPECT_EQ(o.ft_fault_limit, xa::ft::kFtFaultLimit);
    EXPECT_EQ(o.ft_fault_window_ns, xa::ft::kFtFaultWindowNs);
}

TEST(BootOptionsFtFaults, LimitAndWindowInMilliseconds) {
    const auto o = xa::parse_boot_options("k ft_faults=8/50 ticks=2");
    EXPECT_EQ(o.error, nullptr);
    EXPECT_EQ(o.ft_fault_limit, 8u);
    EXPECT_EQ(o.ft_fault_window_ns, 50ull * 1000 * 1000);
    EXPECT_EQ(o.exit_after_ticks, 2u);
    const auto longest = xa::parse_boot_options("k ft_faults=1/999999");
    EXPECT_EQ(longest.ft_fault_limit, 1u);
    EXPECT_EQ(longest.ft_fault_window_ns, 999999ull * 1000 * 1000);
}

TEST(BootOptionsFtFaults, RejectsBadValues) {
    for (const char* bad : {"k ft_faults=", "k ft_faults=3", "k ft_faults=3/", "k ft_faults=/100", "k ft_faults=0/100",
                            "k ft_faults=9/100", "k ft_faults=10/100", "k ft_faults=3/0", "k ft_faults=3/1000000",
                            "k ft_faults=3/1x", "k ft_faults=3/100/2", "k ft_faults=-1/100"}) {
        EXPECT_STREQ(xa::parse_boot_options(bad).error, "ft_faults= takes N/MS: 1 to 8 rollbacks within 1 to 999999 ms")
            << bad;
    }
}

static_assert(xa::parse_boot_options("k ft_faults=5/20").ft_fault_limit == 5, "usable at compile time");
