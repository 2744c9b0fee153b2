// run_batch (batch.hh), the loop of mmu_update and mmuext_op, over a fake guest memory:
// requests in order, the first failure stops the batch and is the result, the done count
// reports how many succeeded, and a batch whose count cannot be written changes nothing.
#include <gtest/gtest.h>

#include <string.h>

#include <vector>

#include "batch.hh"

namespace xa {
namespace {

constexpr DomId kCaller(3);

// A window of guest memory at kBase; anything outside faults, as does the read-only part.
class FakeMemory {
  public:
    static constexpr u32 kBase = 0xC0000000u;
    static constexpr u32 kSize = 4096;

    Err probe_write(u32 va, u32 len) { return writable(va, len) ? Err::ok : Err::fault; }
    Err read(void* dst, u32 va, u32 len) {
        ++reads;
        if (!inside(va, len)) return Err::fault;
        memcpy(dst, &bytes[va - kBase], len);
        return Err::ok;
    }
    Err write(u32 va, const void* src, u32 len) {
        if (!writable(va, len)) return Err::fault;
        memcpy(&bytes[va - kBase], src, len);
        return Err::ok;
    }
    u32 word(u32 va) const {
        u32 w;
        memcpy(&w, &bytes[va - kBase], 4);
        return w;
    }

    u8 bytes[kSize] = {};
    u32 readonly_from = kSize;  // offsets at or above are read-only
    u32 reads = 0;

  private:
    static bool inside(u32 va, u32 len) { return va >= kBase && len <= kSize && va - kBase <= kSize - len; }
    bool writable(u32 va, u32 len) const { return inside(va, len) && va - kBase + len <= readonly_from; }
};

struct Req {
    u32 value;
};

constexpr u32 kReqs = FakeMemory::kBase;
constexpr u32 kDone = FakeMemory::kBase + 0x800;

void put_requests(FakeMemory& m, const std::vector<u32>& values) {
    for (size_t i = 0; i < values.size(); ++i) memcpy(&m.bytes[i * sizeof(Req)], &values[i], 4);
}

// Applies requests, failing with `fail_with` on the value 0xBAD.
struct Recorder {
    std::vector<u32> applied;
    Err fail_with = Err::inval;
    Err operator()(const Req& r) {
        if (r.value == 0xBAD) return fail_with;
        applied.push_back(r.value);
        return Err::ok;
    }
};

Err run(FakeMemory& m, Recorder& rec, BatchArgs a, BatchLimits lim = {8, false}) {
    return run_batch<Req>(m, kCaller, a, lim, [&rec](const Req& r) { return rec(r); });
}

TEST(RunBatch, AppliesEveryRequestInOrderAndReportsTheCount) {
    FakeMemory m;
    put_requests(m, {1, 2, 3});
    Recorder rec;
    EXPECT_EQ(run(m, rec, {kReqs, 3, kDone, DOMID_SELF}), Err::ok);
    EXPECT_EQ(rec.applied, (std::vector<u32>{1, 2, 3}));
    EXPECT_EQ(m.word(kDone), 3u);
}

TEST(RunBatch, TheFirstErrorStopsTheBatchAndIsTheResult) {
    FakeMemory m;
    put_requests(m, {1, 2, 0xBAD, 4});
    Recorder rec;
    rec.fail_with = Err::perm;
    EXPECT_EQ(run(m, rec, {kReqs, 4, kDone, kCaller.value()}), Err::perm);
    EXPECT_EQ(rec.applied, (std::vector<u32>{1, 2}));
    EXPECT_EQ(m.word(kDone), 2u);
}

TEST(RunBatch, AnUnreadableRequestStopsWithFault) {
    FakeMemory m;
    put_requests(m, {1, 2});
    Recorder rec;
    // Requests from the last two words of memory on: the third lies outside it.
    const u32 reqs = FakeMemory::kBase + FakeMemory::kSize - 2 * sizeof(Req);
    memcpy(&m.bytes[FakeMemory::kSize - 8], "\x05\0\0\0\x06\0\0\0", 8);
    EXPECT_EQ(run(m, rec, {reqs, 3, kDone, DOMID_SELF}), Err::fault);
    EXPECT_EQ(rec.applied, (std::vector<u32>{5, 6}));
    EXPECT_EQ(m.word(kDone), 2u);
}

TEST(RunBatch, NoDoneAddressIsAllowed) {
    FakeMemory m;
    put_requests(m, {1, 0xBAD});
    Recorder rec;
    EXPECT_EQ(run(m, rec, {kReqs, 2, 0, DOMID_SELF}), Err::inval);
    EXPECT_EQ(rec.applied, (std::vector<u32>{1}));
}

TEST(RunBatch, AnUnwritableDoneCountChangesNothing) {
    FakeMemory m;
    put_requests(m, {1, 2});
    m.readonly_from = 0x800;  // kDone is read-only
    Recorder rec;
    EXPECT_EQ(run(m, rec, {kReqs, 2, kDone, DOMID_SELF}), Err::fault);
    EXPECT_TRUE(rec.applied.empty());
    EXPECT_EQ(m.reads, 0u);
    Recorder rec2;
    EXPECT_EQ(run(m, rec2, {kReqs, 2, 0x1000, DOMID_SELF}), Err::fault);  // unmapped
    EXPECT_TRUE(rec2.applied.empty());
}

TEST(RunBatch, AnotherDomainIsRefused) {
    FakeMemory m;
    put_requests(m, {1});
    Recorder rec;
    EXPECT_EQ(run(m, rec, {kReqs, 1, kDone, 0}), Err::perm);
    EXPECT_EQ(run(m, rec, {kReqs, 1, kDone, static_cast<domid_t>(kCaller.value() + 1)}), Err::perm);
    EXPECT_TRUE(rec.applied.empty());
    EXPECT_EQ(m.word(kDone), 0u);
}

TEST(RunBatch, CountLimits) {
    FakeMemory m;
    put_requests(m, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    Recorder rec;
    EXPECT_EQ(run(m, rec, {kReqs, 0, kDone, DOMID_SELF}, {8, false}), Err::inval);
    EXPECT_EQ(run(m, rec, {kReqs, 9, kDone, DOMID_SELF}, {8, true}), Err::inval);
    EXPECT_TRUE(rec.applied.empty());
    m.bytes[0x800] = 0xEE;
    EXPECT_EQ(run(m, rec, {kReqs, 0, kDone, DOMID_SELF}, {8, true}), Err::ok);
    EXPECT_EQ(m.word(kDone), 0u);  // an empty batch reports zero done
    EXPECT_EQ(run(m, rec, {kReqs, 8, kDone, DOMID_SELF}, {8, false}), Err::ok);
    EXPECT_EQ(m.word(kDone), 8u);
}

}  // namespace
}  // namespace xa
