// The write buffer model (src/wbuf.hh): four address entries, sixteen words, entries going
// out one after another, drain, no forwarding to reads.
#include <gtest/gtest.h>

#include "../src/wbuf.hh"

namespace xatrace {
namespace {

TEST(WriteBuffer, FourEntriesThenAStall) {
    WriteBuffer b(4, 16, 8, 2);  // an entry of one word: 10 cycles to memory
    for (int i = 0; i < 4; ++i) EXPECT_EQ(b.write(100, 0x10 + i), 0u);
    // Out at 110, 120, 130, 140: the fifth waits for the first.
    EXPECT_EQ(b.write(100, 0x20), 10u);
    EXPECT_EQ(b.pending_words(), 4u);
}

TEST(WriteBuffer, EntriesDrainWhileTheCoreRuns) {
    WriteBuffer b(4, 16, 8, 2);
    EXPECT_EQ(b.write(0, 1), 0u);
    EXPECT_EQ(b.write(0, 2), 0u);
    EXPECT_EQ(b.drain(15), 5u);  // the second is out at 20
    EXPECT_EQ(b.pending_words(), 0u);
    EXPECT_EQ(b.drain(30), 0u);
}

TEST(WriteBuffer, StmWordsExtendTheirEntry) {
    WriteBuffer b(4, 16, 8, 2);
    EXPECT_EQ(b.write(0, 1), 0u);
    for (int i = 0; i < 7; ++i) b.extend();  // 8 words: 8 + 16 cycles
    EXPECT_EQ(b.pending_words(), 8u);
    EXPECT_EQ(b.drain(0), 24u);
}

TEST(WriteBuffer, SixteenWordsFill) {
    WriteBuffer b(4, 16, 8, 2);
    EXPECT_EQ(b.write(0, 1), 0u);
    for (int i = 0; i < 15; ++i) b.extend();  // done at 8 + 32 = 40
    EXPECT_EQ(b.write(0, 2), 40u);            // no word free until the first entry is out
}

TEST(WriteBuffer, ReadOfAPendingLineWaits) {
    WriteBuffer b(4, 16, 8, 2);
    EXPECT_EQ(b.write(0, 7), 0u);
    EXPECT_EQ(b.write(0, 9), 0u);  // out at 20
    EXPECT_EQ(b.read(4, 8), 0u);   // another line: no wait
    EXPECT_EQ(b.read(4, 7), 6u);   // its write is out at 10
}

TEST(WriteBuffer, NoneWithoutAddressEntries) {
    WriteBuffer b(0, 16, 8, 2);
    EXPECT_FALSE(b.enabled());
}

}  // namespace
}  // namespace xatrace
