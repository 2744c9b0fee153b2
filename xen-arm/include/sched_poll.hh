// sched_op poll's decision, pure so the host tests pin it: given the ports the guest asked
// for, whether the call is refused, returns at once, or blocks the domain.
#pragma once

#include <xen-arm/shared_info.h>

#include "types.hh"

namespace xa::sched {

enum class PollOutcome : u8 {
    bad_port,  // a port out of the 2-level range before any pending one: -EINVAL
    ready,     // a port is pending, or the timeout has passed: return 0 at once
    block,     // wait for one of the ports or the timeout
};

// Ports are checked in order: the first pending one wins, so a bad port after it is not
// reported. timeout_ns 0 means none; now() is read only when a timeout is given.
template <typename Pending, typename Now>
PollOutcome poll_outcome(const u32* ports, u32 count, u64 timeout_ns, Pending pending, Now now) {
    for (u32 i = 0; i < count; ++i) {
        if (ports[i] >= XA_EVTCHN_2L_NR_PORTS) return PollOutcome::bad_port;
        if (pending(ports[i])) return PollOutcome::ready;
    }
    if (timeout_ns != 0 && timeout_ns <= now()) return PollOutcome::ready;
    return PollOutcome::block;
}

}  // namespace xa::sched
