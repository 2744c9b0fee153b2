// The VMM's printf (include/format.hh): the banner and every report go through it.
#include <gtest/gtest.h>

#include <string>

#include "format.hh"

namespace {

struct StringSink {
    std::string out;
    void put(char c) { out.push_back(c); }
};

std::string fmt(const char* f, ...) {
    StringSink sink;
    __builtin_va_list args;
    __builtin_va_start(args, f);
    xa::format(sink, f, args);
    __builtin_va_end(args);
    return sink.out;
}

TEST(Format, PlainTextAndPercent) { EXPECT_EQ(fmt("a%%b"), "a%b"); }

TEST(Format, Decimal) {
    EXPECT_EQ(fmt("%d", 0), "0");
    EXPECT_EQ(fmt("%d", -42), "-42");
    EXPECT_EQ(fmt("%i", 2147483647), "2147483647");
    EXPECT_EQ(fmt("%d", -2147483647 - 1), "-2147483648");
    EXPECT_EQ(fmt("%u", 4294967295u), "4294967295");
}

TEST(Format, Width) {
    EXPECT_EQ(fmt("%5d|", 42), "   42|");
    EXPECT_EQ(fmt("%05d|", -42), "-0042|");
    EXPECT_EQ(fmt("%5d|", -42), "  -42|");
    EXPECT_EQ(fmt("%08x", 0xbeefu), "0000beef");
    EXPECT_EQ(fmt("%2u", 123u), "123");
}

TEST(Format, Hex) {
    EXPECT_EQ(fmt("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(fmt("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(fmt("%x", 0u), "0");
}

TEST(Format, SixtyFourBit) {
    EXPECT_EQ(fmt("%llu", 18446744073709551615ull), "18446744073709551615");
    EXPECT_EQ(fmt("%llx", 0x123456789abcdefull), "123456789abcdef");
    EXPECT_EQ(fmt("%lld", -9223372036854775807ll - 1), "-9223372036854775808");
}

TEST(Format, StringsAndChars) {
    EXPECT_EQ(fmt("[%s]", "abc"), "[abc]");
    EXPECT_EQ(fmt("[%5s]", "abc"), "[  abc]");
    EXPECT_EQ(fmt("[%-5s]", "abc"), "[abc  ]");
    EXPECT_EQ(fmt("[%s]", static_cast<const char*>(nullptr)), "[(null)]");
    EXPECT_EQ(fmt("%c%c", 'o', 'k'), "ok");
}

TEST(Format, UnknownConversionIsShownNotGuessed) { EXPECT_EQ(fmt("%q"), "%q"); }

TEST(Format, TrailingPercentStops) { EXPECT_EQ(fmt("abc%"), "abc"); }

}  // namespace

namespace {
TEST(Format, LeftJustifiedNumbers) {
    EXPECT_EQ(fmt("[%-4u]", 7u), "[7   ]");
    EXPECT_EQ(fmt("[%-4d]", -7), "[-7  ]");
    EXPECT_EQ(fmt("[%-2u]", 123u), "[123]");
}
}  // namespace
