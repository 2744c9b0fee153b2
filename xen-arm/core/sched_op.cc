// sched_op: yield, block, shutdown and poll. The scheduler (sched.cc) does the switching;
// this decides, for the calling domain, whether it sleeps and what it is told.
#include "console.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "sched.hh"
#include "sched_poll.hh"
#include "timer.hh"
#include "vmm.hh"

namespace xa::hypercalls {
namespace {

HcResult block(Domain& d, TrapFrame& f) {
    vcpu_info& v = domains::shared(d)->vcpu[0];
    v.evtchn_upcall_mask = 0;
    if (v.evtchn_upcall_pending == 0) {
        f.r[0] = 0;
        sched::block(d);
    }
    return 0;
}

HcResult shutdown(Domain& d, TrapFrame& f) {
    sched_shutdown s;
    if (copy_from_current_guest(&s, f.r[1], sizeof s) != Err::ok) return Err::fault;
    if (s.reason > SHUTDOWN_crash) return Err::inval;
    // Only a live domain runs hypercalls (a crashed one is switched away before it
    // could), but shutdown must never overwrite how a domain stopped: checked anyway.
    if (d.state != DomState::alive) return Err::inval;
    if (d.con_len != 0) console_flush(d);
    static const char* const kReasons[] = {"poweroff", "reboot", "suspend", "crash"};
    printk("xen-arm: dom%u '%s' shut down (%s) at %llu ns\n", d.id.value(), d.name, kReasons[s.reason],
           timer::now_ns());
    d.state = s.reason == SHUTDOWN_crash ? DomState::crashed : DomState::shutdown;
    d.shutdown_reason = s.reason;
    sched::domain_stopped(d);
    return HcResult::keep_frame(f);
}

HcResult poll(Domain& d, TrapFrame& f) {
    sched_poll p;
    if (copy_from_current_guest(&p, f.r[1], sizeof p) != Err::ok) return Err::fault;
    if (p.nr_ports == 0 || p.nr_ports > XA_SCHED_POLL_MAX_PORTS) return Err::inval;
    if (copy_from_current_guest(d.poll_ports, p.ports, p.nr_ports * 4) != Err::ok) return Err::fault;
    const EventChannels& ev = vmm::evtchn();
    switch (sched::poll_outcome(
        d.poll_ports, p.nr_ports, p.timeout, [&](u32 port) { return ev.is_pending(d.id, port); },
        [] { return timer::now_ns(); })) {
        case sched::PollOutcome::bad_port: return Err::inval;
        case sched::PollOutcome::ready: return 0;
        case sched::PollOutcome::block: break;
    }
    d.poll_count = p.nr_ports;
    d.poll_timeout_ns = p.timeout;
    d.polling = true;
    f.r[0] = 0;
    sched::block(d);
    return 0;
}

}  // namespace

HcResult sched_op(Domain& d, TrapFrame& f) {
    switch (f.r[0]) {
        case SCHEDOP_yield: sched::yield(); return 0;
        case SCHEDOP_block: return block(d, f);
        case SCHEDOP_shutdown: return shutdown(d, f);
        case SCHEDOP_poll: return poll(d, f);
        default: return Err::nosys;
    }
}

}  // namespace xa::hypercalls
