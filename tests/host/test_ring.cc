// The I/O ring of hypercalls/xen-arm/io/ring.h (and the device rings built on it): the
// page layout Xen's io/ring.h has, the notify and final-check rules, back-pressure, a
// frontend that lies about its indices, and 100,000 requests between two threads with
// every request answered exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
#include <xen-arm/io/blkif.h>
#include <xen-arm/io/console.h>
#include <xen-arm/io/netif.h>
#include <xen-arm/io/ringtest.h>
#include <xen-arm/io/xs_wire.h>
}

namespace {

struct alignas(4096) Page {
    unsigned char bytes[XA_RING_PAGE_SIZE];
};

TEST(RingLayout, HeaderIsXensSixtyFourBytes) {
    EXPECT_EQ(offsetof(ringtest_sring, req_prod), 0u);
    EXPECT_EQ(offsetof(ringtest_sring, req_event), 4u);
    EXPECT_EQ(offsetof(ringtest_sring, rsp_prod), 8u);
    EXPECT_EQ(offsetof(ringtest_sring, rsp_event), 12u);
    EXPECT_EQ(offsetof(ringtest_sring, ring), 64u);
    EXPECT_EQ(offsetof(blkif_sring, ring), 64u);
    EXPECT_EQ(offsetof(netif_tx_sring, ring), 64u);
    EXPECT_EQ(offsetof(netif_rx_sring, ring), 64u);
}

TEST(RingLayout, SlotCountsAreXens) {
    // Largest power of two of (4096 - 64) / slot size: Xen's __RING_SIZE.
    EXPECT_EQ(blkif_ring_slots(XA_RING_PAGE_SIZE), 32u);      // BLK_RING_SIZE
    EXPECT_EQ(netif_tx_ring_slots(XA_RING_PAGE_SIZE), 256u);  // NET_TX_RING_SIZE
    EXPECT_EQ(netif_rx_ring_slots(XA_RING_PAGE_SIZE), 256u);  // NET_RX_RING_SIZE
    EXPECT_EQ(ringtest_ring_slots(XA_RING_PAGE_SIZE), 64u);
    EXPECT_EQ(XA_RING_POW2_FLOOR(1u), 1u);
    EXPECT_EQ(XA_RING_POW2_FLOOR(255u), 128u);
    EXPECT_EQ(XA_RING_POW2_FLOOR(256u), 256u);
    EXPECT_EQ(XA_RING_POW2_FLOOR(4032u), 2048u);
    EXPECT_EQ(XA_RING_POW2_FLOOR(0xFFFFu), 0x8000u);
}

TEST(RingLayout, ConsoleAndStorePagesAreXens) {
    EXPECT_EQ(offsetof(xencons_interface, in), 0u);
    EXPECT_EQ(offsetof(xencons_interface, out), 1024u);
    EXPECT_EQ(offsetof(xencons_interface, in_cons), 3072u);
    EXPECT_EQ(offsetof(xencons_interface, in_prod), 3076u);
    EXPECT_EQ(offsetof(xencons_interface, out_cons), 3080u);
    EXPECT_EQ(offsetof(xencons_interface, out_prod), 3084u);
    EXPECT_EQ(offsetof(xenstore_domain_interface, rsp), 1024u);
    EXPECT_EQ(offsetof(xenstore_domain_interface, req_cons), 2048u);
    EXPECT_EQ(offsetof(xenstore_domain_interface, req_prod), 2052u);
    EXPECT_EQ(offsetof(xenstore_domain_interface, rsp_cons), 2056u);
    EXPECT_EQ(offsetof(xenstore_domain_interface, rsp_prod), 2060u);
    EXPECT_EQ(sizeof(xsd_sockmsg), 16u);
    EXPECT_EQ(XS_WRITE, 11);
    EXPECT_EQ(XS_WATCH_EVENT, 15);
    EXPECT_EQ(XS_ERROR, 16);
    EXPECT_EQ(XenbusStateConnected, 4);
    EXPECT_EQ(XenbusStateClosed, 6);
}

class RingTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::memset(page.bytes, 0xEE, sizeof page.bytes);
        s = reinterpret_cast<ringtest_sring*>(page.bytes);
        ringtest_sring_init(s);
        ringtest_front_init(&front, s, XA_RING_PAGE_SIZE);
        ringtest_back_init(&back, s, XA_RING_PAGE_SIZE);
    }
    // Queues one request (no publish).
    void queue(uint32_t seq) {
        ringtest_request* r = ringtest_next_request(&front);
        *r = ringtest_request{seq, seq, {seq, 1, 2, 3, 4, 5}};
        front.req_prod_pvt++;
    }
    // Answers everything the backend may consume now; returns how many.
    int answer_all() {
        RING_IDX prod;
        int n = ringtest_unconsumed_requests(&back, &prod);
        for (int i = 0; i < n; ++i) {
            ringtest_request r;
            ringtest_copy_request(&back, &r);
            *ringtest_next_response_slot(&back) = ringtest_response{r.id, r.seq, r.seq + 15, 0};
            back.rsp_prod_pvt++;
        }
        return n;
    }

    Page page;
    ringtest_sring* s = nullptr;
    ringtest_front_ring front{};
    ringtest_back_ring back{};
};

TEST_F(RingTest, InitialisedPageMatchesSharedRingInit) {
    EXPECT_EQ(s->req_prod, 0u);
    EXPECT_EQ(s->rsp_prod, 0u);
    EXPECT_EQ(s->req_event, 1u);
    EXPECT_EQ(s->rsp_event, 1u);
    for (unsigned char b : s->pad) EXPECT_EQ(b, 0);
    EXPECT_EQ(ringtest_free_requests(&front), 64u);
}

TEST_F(RingTest, FirstPushNotifiesThenOnlyWhenTheBackendAsks) {
    queue(0);
    EXPECT_TRUE(ringtest_push_requests(&front));  // req_event = 1 lies in (0, 1]
    queue(1);
    EXPECT_FALSE(ringtest_push_requests(&front));  // backend has not re-armed: no notify
    EXPECT_EQ(answer_all(), 2);
    EXPECT_TRUE(ringtest_push_responses(&back));  // rsp_event = 1
    // Backend found nothing more: final check re-arms req_event = req_cons + 1.
    EXPECT_EQ(ringtest_final_check_requests(&back), 0);
    EXPECT_EQ(s->req_event, 3u);
    queue(2);
    queue(3);
    EXPECT_TRUE(ringtest_push_requests(&front));  // event 3 lies in (2, 4]
}

TEST_F(RingTest, FinalCheckSeesWorkThatRacedIn) {
    EXPECT_EQ(ringtest_final_check_responses(&front), 0);
    EXPECT_EQ(s->rsp_event, 1u);
    queue(0);
    (void)ringtest_push_requests(&front);
    EXPECT_EQ(ringtest_final_check_requests(&back), 1);
}

TEST_F(RingTest, FullRingPushesBack) {
    for (uint32_t i = 0; i < 64; ++i) {
        ASSERT_FALSE(ringtest_full(&front));
        queue(i);
    }
    EXPECT_TRUE(ringtest_full(&front));
    EXPECT_EQ(ringtest_free_requests(&front), 0u);
    (void)ringtest_push_requests(&front);
    EXPECT_EQ(answer_all(), 64);
    (void)ringtest_push_responses(&back);
    EXPECT_TRUE(ringtest_full(&front));  // still full until the responses are consumed
    EXPECT_EQ(ringtest_unconsumed_responses(&front), 64u);
    for (uint32_t i = 0; i < 64; ++i) {
        EXPECT_EQ(ringtest_next_response(&front)->seq, i);
        front.rsp_cons++;
    }
    EXPECT_EQ(ringtest_free_requests(&front), 64u);
}

TEST_F(RingTest, IndicesWrapAround) {
    // Start every index just below 2^32.
    const RING_IDX start = 0xFFFFFFF0u;
    s->req_prod = s->rsp_prod = start;
    ringtest_front_init(&front, s, XA_RING_PAGE_SIZE);
    front.req_prod_pvt = front.rsp_cons = start;
    ringtest_back_init(&back, s, XA_RING_PAGE_SIZE);
    uint32_t seq = 0, got = 0;
    for (int round = 0; round < 10; ++round) {
        while (!ringtest_full(&front)) queue(seq++);
        (void)ringtest_push_requests(&front);
        EXPECT_EQ(answer_all(), 64);
        (void)ringtest_push_responses(&back);
        while (ringtest_unconsumed_responses(&front) != 0) {
            EXPECT_EQ(ringtest_next_response(&front)->seq, got);
            front.rsp_cons++;
            ++got;
        }
    }
    EXPECT_EQ(got, 640u);
    EXPECT_LT(front.req_prod_pvt, start);  // wrapped
}

TEST_F(RingTest, BackendNeverConsumesMoreThanItCanAnswer) {
    for (uint32_t i = 0; i < 64; ++i) queue(i);
    (void)ringtest_push_requests(&front);
    RING_IDX prod;
    // Consume 64 without answering: no room for a 65th even if req_prod claimed one.
    for (int i = 0; i < 64; ++i) {
        ringtest_request r;
        ringtest_copy_request(&back, &r);
    }
    EXPECT_EQ(ringtest_unconsumed_requests(&back, &prod), 0);
}

TEST_F(RingTest, LyingProducerIndexIsDetected) {
    RING_IDX prod;
    s->req_prod = 65;  // more outstanding than slots
    EXPECT_EQ(ringtest_unconsumed_requests(&back, &prod), -1);
    EXPECT_EQ(prod, 65u);
    EXPECT_EQ(ringtest_final_check_requests(&back), -1);
    s->req_prod = 0xFFFFFFFFu;  // "behind" the backend: a huge difference
    EXPECT_EQ(ringtest_unconsumed_requests(&back, &prod), -1);
    s->req_prod = 64;  // exactly full is legal
    EXPECT_EQ(ringtest_unconsumed_requests(&back, &prod), 64);
    EXPECT_EQ(back.req_cons, 0u);  // nothing consumed by looking
}

TEST_F(RingTest, CopiedRequestIsImmuneToLaterChanges) {
    queue(7);
    (void)ringtest_push_requests(&front);
    ringtest_request r;
    ringtest_copy_request(&back, &r);
    // The frontend rewrites the slot after the backend took its copy.
    ringtest_slot(s, 64, 0)->req.seq = 99;
    EXPECT_EQ(r.seq, 7u);
    EXPECT_EQ(back.req_cons, 1u);
}

// Both ends on their own thread, each sleeping on an "event channel" (a flag and a
// condition variable) only after its final check says there is nothing to do.
class Channel {
  public:
    void notify() {
        std::lock_guard<std::mutex> l(m_);
        pending_ = true;
        cv_.notify_one();
    }
    void wait() {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return pending_; });
        pending_ = false;
    }
    std::atomic<unsigned> sent{0};

  private:
    std::mutex m_;
    std::condition_variable cv_;
    bool pending_ = false;
};

TEST_F(RingTest, HundredThousandRequestsBetweenTwoThreadsNoneLostNoneDuplicated) {
    constexpr uint32_t kRequests = 100000;
    Channel to_back, to_front;
    std::atomic<bool> done{false};
    std::vector<uint8_t> seen(kRequests, 0);
    unsigned full_waits = 0, front_sleeps = 0;
    std::atomic<unsigned> back_sleeps{0};

    std::thread backend([&] {
        while (!done.load()) {
            RING_IDX prod;
            int n = ringtest_unconsumed_requests(&back, &prod);
            ASSERT_GE(n, 0);
            for (int i = 0; i < n; ++i) {
                ringtest_request r;
                ringtest_copy_request(&back, &r);
                uint32_t sum = r.seq;
                for (uint32_t w : r.data) sum += w;
                *ringtest_next_response_slot(&back) = ringtest_response{r.id, r.seq, sum, 0};
                back.rsp_prod_pvt++;
            }
            if (n > 0 && ringtest_push_responses(&back)) {
                to_front.sent++;
                to_front.notify();
            }
            if (n == 0 && ringtest_final_check_requests(&back) == 0) {
                back_sleeps++;
                to_back.wait();
            }
        }
    });

    uint32_t next = 0, answered = 0;
    while (answered < kRequests) {
        bool queued = false;
        while (next < kRequests && !ringtest_full(&front)) {
            ringtest_request* r = ringtest_next_request(&front);
            *r = ringtest_request{next ^ 0x5A5A0000u, next, {next, next * 3, 7, 0, 1, next >> 3}};
            front.req_prod_pvt++;
            ++next;
            queued = true;
        }
        if (queued && ringtest_push_requests(&front)) {
            to_back.sent++;
            to_back.notify();
        }
        if (next < kRequests && ringtest_full(&front)) ++full_waits;
        unsigned got = 0;
        while (ringtest_unconsumed_responses(&front) != 0) {
            const ringtest_response rsp = *ringtest_next_response(&front);
            front.rsp_cons++;
            ++got;
            ASSERT_LT(rsp.seq, kRequests);
            ASSERT_EQ(rsp.id, rsp.seq ^ 0x5A5A0000u);
            ASSERT_EQ(rsp.sum, rsp.seq + rsp.seq + rsp.seq * 3 + 7 + 0 + 1 + (rsp.seq >> 3));
            ASSERT_EQ(seen[rsp.seq], 0) << "duplicate response " << rsp.seq;
            ASSERT_EQ(rsp.seq, answered) << "out of order";
            seen[rsp.seq] = 1;
            ++answered;
        }
        if (got == 0 && answered < kRequests && ringtest_final_check_responses(&front) == 0) {
            ++front_sleeps;
            to_front.wait();
        }
    }
    done = true;
    to_back.notify();
    backend.join();

    for (uint32_t i = 0; i < kRequests; ++i) ASSERT_EQ(seen[i], 1) << "lost request " << i;
    EXPECT_EQ(front.req_prod_pvt, kRequests);
    EXPECT_EQ(back.req_cons, kRequests);
    // Notifications are suppressed while the other side is busy: far fewer than requests.
    EXPECT_LT(to_back.sent.load(), kRequests);
    EXPECT_LT(to_front.sent.load(), kRequests);
    RecordProperty("full_waits", static_cast<int>(full_waits));
    RecordProperty("front_sleeps", static_cast<int>(front_sleeps));
    RecordProperty("back_sleeps", static_cast<int>(back_sleeps.load()));
}

}  // namespace
