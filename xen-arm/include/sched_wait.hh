// A domain's wait in sched_op block and poll, pure so the host tests pin the bookkeeping.
// The scheduler counts the domains polling right now so that every event operation can
// skip the poll recheck with one load; every way into and out of a wait must keep that
// count exact. A polling domain is always blocked too (poll sets polling, then blocks).
#pragma once

#include "domain.hh"
#include "types.hh"

namespace xa::sched {

// d stops running until an event (or its poll timeout); a poller counts once.
inline void enter_wait(Domain& d, u32& pollers) {
    d.blocked = true;
    if (d.polling) ++pollers;
}

// Ends d's wait, if it has one: returns false (nothing changed) for a domain not blocked.
inline bool leave_wait(Domain& d, u32& pollers) {
    if (!d.blocked) return false;
    d.blocked = false;
    if (d.polling) --pollers;
    d.polling = false;
    return true;
}

}  // namespace xa::sched
