// The SWI entry's C++ side: trace markers, system calls bounced to the guest kernel, and
// the hypercall table. Every hypercall validates its number, every guest pointer (against
// the caller's own page table, with the caller's virtual-mode permissions) and every
// field before acting, and returns a Xen errno (negative) in r0.
#include <xen-arm/xen-arm.h>

#include "arch/arm/cpu.hh"
#include "board.hh"
#include "console.hh"
#include "domain.hh"
#include "exit_status.hh"
#include "guest_copy.hh"
#include "hypercall_checks.hh"
#include "layout.hh"
#include "libc.hh"
#include "mmu.hh"
#include "passthrough.hh"
#include "sched.hh"
#include "traps.hh"
#include "version.hh"
#include "vmm.hh"

namespace xa {
namespace {

// A handler that has rewritten the whole frame (restore_trap_frame, shutdown) returns
// this instead of a value for r0.
constexpr i32 kFrameRewritten = static_cast<i32>(0x80000000u);

i32 err(Err e) { return to_int(e); }

// ---- guest memory ---------------------------------------------------------------------
// Hypercalls come only from the current domain in virtual kernel mode, so the MMU checks
// its pointers with the kernel DACR in force (guest_copy.hh): guest kernel and user pages
// are reachable, the VMM's never.

domid_t resolve(const Domain& d, domid_t dom) { return dom == DOMID_SELF ? d.id.value() : dom; }

// ---- page tables ---------------------------------------------------------------------------
// The VIVT caches hold lines by virtual address: before a page's translation goes away,
// write back and drop its lines, then drop the TLB entry.
void forget_page(VirtAddr va, bool current) {
    if (current) cpu::clean_invalidate_dcache_range(va.value(), kPageSize);
    cpu::invalidate_tlb_entry(va.value());
}

Err update_mapping(Domain& d, u32 va, xa_pte_t pte) {
    FrameTable& ft = vmm::frame_table();
    PageTable& t = *d.table;
    if (pte == 0) {
        const Err e = checks::check_guest_page_va(va);
        if (e != Err::ok) return e;
        const auto tr = t.translate(VirtAddr(va));
        if (!tr || tr->kind != Translation::Kind::page) return Err::noent;
        // A grant map is taken down by GNTTABOP_unmap_grant_ref only. Unmapping it here
        // would leave its maptrack record (the later grant unmap fails) and the granter's
        // GTF_reading/GTF_writing set for good. Xen crashes a domain that implicitly unmaps
        // a granted PTE; refusing is enough here, since nothing changes: the map, its
        // handle and the granter's flags stay as they were, and the caller can still undo
        // it properly.
        if (vmm::grants().maps_at(d.id, VirtAddr(va))) return Err::perm;
        forget_page(VirtAddr(va), &d == domains::current());
        const Err u = t.unmap_page(VirtAddr(va));
        if (u != Err::ok) return u;
        if (ft.contains(tr->pa)) (void)ft.put_mapping(tr->pa.align_down(kPageSize));
        return Err::ok;
    }
    const auto m = checks::check_pte(va, pte);
    if (!m) return m.error();
    if (!ft.contains(m->frame)) return Err::inval;
    if (t.translate(VirtAddr(va))) return Err::exist;
    const Err owned = ft.get_guest_mapping(m->frame, d.id);
    if (owned != Err::ok) return owned;
    const Err e = t.map_page(VirtAddr(va), m->frame, m->domain, m->ap, m->mem);
    if (e != Err::ok) {
        (void)ft.put_mapping(m->frame);
        return e;
    }
    cpu::invalidate_tlb_entry(va);
    return Err::ok;
}

// ---- grant-table environment --------------------------------------------------------------
class VmmGrantEnv final : public GrantEnv {
public:
    bool domain_exists(DomId id) override {
        Domain* d = domains::get(id);
        return d != nullptr && d->alive();
    }
    grant_entry_v1* grant_entries(DomId id) override {
        Domain* d = domains::get(id);
        return d != nullptr ? domains::grant_entries(*d) : nullptr;
    }
    bool frame_is_ordinary_memory_of(PhysAddr frame, DomId id) override {
        const FrameInfo* fi = vmm::frame_table().info(frame);
        return fi != nullptr && fi->type == FrameType::guest && fi->owner == id.value();
    }
    // Read-only maps are ARM domain 4 pages in MiBs of their own (grant_table.hh).
    bool host_addr_ok(DomId mapper, VirtAddr va, bool readonly) override {
        Domain* d = domains::get(mapper);
        return d != nullptr && grant_host_addr_ok(*d->table, va, readonly);
    }
    Err map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) override {
        Domain* d = domains::get(mapper);
        if (d == nullptr) return kErrSrch;
        Err e = d->table->map_page(va, frame, grant_map_domain(readonly), grant_map_ap(readonly), mmu::Mem::write_back);
        if (e != Err::ok) return e;
        e = vmm::frame_table().get_mapping(frame);
        if (e != Err::ok) {
            (void)d->table->unmap_page(va);
            return e;
        }
        cpu::invalidate_tlb_entry(va.value());
        return Err::ok;
    }
    Err unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) override {
        Domain* d = domains::get(mapper);
        if (d == nullptr) return kErrSrch;
        const auto tr = d->table->translate(va);
        if (!tr || tr->kind != Translation::Kind::page || tr->pa.align_down(kPageSize) != frame) return Err::inval;
        forget_page(va, d == domains::current());
        const Err e = d->table->unmap_page(va);
        if (e != Err::ok) return e;
        return vmm::frame_table().put_mapping(frame);
    }
};

// ---- the hypercalls ------------------------------------------------------------------------
using Handler = i32 (*)(Domain& d, TrapFrame& f);

i32 hc_set_trap_table(Domain& d, TrapFrame& f) {
    u32 table[XA_TRAP_COUNT];
    if (copy_from_current_guest(table, f.r[0], sizeof table) != Err::ok) return err(Err::fault);
    if (checks::check_trap_table(table) != Err::ok) return err(Err::inval);
    memcpy(d.trap_table, table, sizeof table);
    return 0;
}

// The batched page-table hypercalls (mmu_update, mmuext_op): r0 = the requests, r1 = count,
// r2 = where to store how many were done (or 0), r3 = DOMID_SELF. Requests run in order;
// the first failure stops the batch and is the result.
template <typename Req, typename Fn>
i32 run_batch(Domain& d, const TrapFrame& f, u32 max, bool allow_empty, Fn apply) {
    const u32 reqs = f.r[0], count = f.r[1], done_va = f.r[2];
    const domid_t dom = static_cast<domid_t>(f.r[3]);
    if (dom != DOMID_SELF && dom != d.id.value()) return err(Err::perm);
    if ((count == 0 && !allow_empty) || count > max) return err(Err::inval);
    // The done count is an output: unwritable, nothing is applied (a batch whose progress
    // cannot be reported must not change anything).
    if (done_va != 0 && probe_guest(done_va, sizeof(u32), true) != Err::ok) return err(Err::fault);
    u32 done = 0;
    Err result = Err::ok;
    for (; done < count; ++done) {
        Req req;
        result = copy_from_current_guest(&req, reqs + done * sizeof req, sizeof req);
        if (result == Err::ok) result = apply(req);
        if (result != Err::ok) break;
    }
    if (done_va != 0 && copy_to_current_guest(done_va, &done, sizeof done) != Err::ok) return err(Err::fault);
    return err(result);
}

i32 hc_mmu_update(Domain& d, TrapFrame& f) {
    return run_batch<mmu_update>(d, f, XA_MMU_MAX_BATCH, true, [&d](const mmu_update& req) {
        if ((req.ptr & 3u) != MMU_NORMAL_PT_UPDATE) return Err::nosys;
        return update_mapping(d, req.ptr & ~3u, req.val);
    });
}

Err mmuext_one(const mmuext_op& op) {
    switch (op.cmd) {
    case MMUEXT_TLB_FLUSH_LOCAL:
        cpu::flush_tlb();
        return Err::ok;
    case MMUEXT_INVLPG_LOCAL:
        cpu::invalidate_tlb_entry(op.arg1);
        return Err::ok;
    case MMUEXT_FLUSH_CACHE:
        cpu::flush_caches();
        return Err::ok;
    case XA_MMUEXT_SYNC_ICACHE:
        if (op.arg2 > XA_MMUEXT_SYNC_MAX) return Err::inval;
        // An empty range is empty wherever it starts: nothing to check, no cache line to
        // touch (not even one of the VMM's at arg1).
        if (op.arg2 == 0) return Err::ok;
        // Only the caller's own readable memory: the MMU checks it (a cache operation by
        // address on an unmapped address would be a VMM data abort). The probe refuses a
        // range running past 4 GiB, so the cache loops below never see one.
        if (probe_guest(op.arg1, op.arg2, false) != Err::ok) return Err::fault;
        cpu::sync_icache_range(op.arg1, op.arg2);
        return Err::ok;
    default:
        return Err::nosys;
    }
}

i32 hc_mmuext_op(Domain& d, TrapFrame& f) {
    return run_batch<mmuext_op>(d, f, XA_MMUEXT_MAX_BATCH, false, mmuext_one);
}

i32 hc_update_va_mapping(Domain& d, TrapFrame& f) {
    if (checks::check_uvmf_flags(f.r[2]) != Err::ok) return err(Err::inval);
    return err(update_mapping(d, f.r[0], f.r[1]));
}

i32 hc_set_timer_op(Domain& d, TrapFrame& f) {
    d.timer_deadline_ns = (static_cast<u64>(f.r[1]) << 32) | f.r[0];
    sched::timer_set(d.timer_deadline_ns);
    return 0;
}

// Whether d has a passed-through device (its interrupt is XA_VIRQ_PASSTHROUGH).
bool owns_device(const Domain& d) {
    const char* name;
    u32 phys, irq;
    u16 owner;
    for (u32 i = 0; passthrough::describe(i, name, phys, irq, owner); ++i) {
        if (owner == d.id.value()) return true;
    }
    return false;
}

// The EVTCHNOP structs with an output (copied back on success): alloc_unbound, bind_*,
// status. close, send and unmask only read theirs.
template <typename T>
constexpr bool kEvtchnHasOutput = true;
template <>
constexpr bool kEvtchnHasOutput<evtchn_close> = false;
template <>
constexpr bool kEvtchnHasOutput<evtchn_send> = false;
template <>
constexpr bool kEvtchnHasOutput<evtchn_unmask> = false;

template <typename T>
i32 evtchn_call(Domain& d, u32 va, Err (*op)(Domain&, T&, Kick&)) {
    T arg;
    // An output is checked writable before the op acts, so a port is never made that the
    // caller cannot learn of.
    if constexpr (kEvtchnHasOutput<T>) {
        if (probe_guest(va, sizeof arg, true) != Err::ok) return err(Err::fault);
    }
    if (copy_from_current_guest(&arg, va, sizeof arg) != Err::ok) return err(Err::fault);
    Kick k;
    const Err e = op(d, arg, k);
    if constexpr (kEvtchnHasOutput<T>) {
        if (e == Err::ok && copy_to_current_guest(va, &arg, sizeof arg) != Err::ok) return err(Err::fault);
    }
    sched::event_raised(k);
    return err(e);
}

i32 hc_event_channel_op(Domain& d, TrapFrame& f) {
    switch (f.r[0]) {
    case EVTCHNOP_alloc_unbound:
        return evtchn_call<evtchn_alloc_unbound>(d, f.r[1], [](Domain& d, evtchn_alloc_unbound& a, Kick&) {
            return vmm::evtchn().alloc_unbound(d.id, a);
        });
    case EVTCHNOP_bind_interdomain:
        return evtchn_call<evtchn_bind_interdomain>(d, f.r[1], [](Domain& d, evtchn_bind_interdomain& a, Kick& k) {
            return vmm::evtchn().bind_interdomain(d.id, a, k);
        });
    case EVTCHNOP_bind_virq:
        return evtchn_call<evtchn_bind_virq>(d, f.r[1], [](Domain& d, evtchn_bind_virq& a, Kick&) {
            return vmm::evtchn().bind_virq(d.id, a, owns_device(d));
        });
    case EVTCHNOP_close:
        return evtchn_call<evtchn_close>(d, f.r[1], [](Domain& d, evtchn_close& a, Kick&) {
            return vmm::evtchn().close(d.id, a);
        });
    case EVTCHNOP_send:
        return evtchn_call<evtchn_send>(d, f.r[1], [](Domain& d, evtchn_send& a, Kick& k) {
            return vmm::evtchn().send(d.id, a, k);
        });
    case EVTCHNOP_status:
        return evtchn_call<evtchn_status>(d, f.r[1], [](Domain& d, evtchn_status& a, Kick&) {
            return vmm::evtchn().status(d.id, a);
        });
    case EVTCHNOP_unmask:
        return evtchn_call<evtchn_unmask>(d, f.r[1], [](Domain& d, evtchn_unmask& a, Kick& k) {
            return vmm::evtchn().unmask(d.id, a, k);
        });
    default:
        return err(Err::nosys);
    }
}

i32 hc_xen_version(Domain&, TrapFrame& f) {
    const u32 out = f.r[1];
    switch (f.r[0]) {
    case XENVER_version:
        return static_cast<i32>((kVersionMajor << 16) | kVersionMinor);
    case XENVER_extraversion: {
        xen_extraversion_t v = {};
        snprintk(v, sizeof v, ".%u-xen-arm", kVersionPatch);
        return copy_to_current_guest(out, v, sizeof v) == Err::ok ? 0 : err(Err::fault);
    }
    case XENVER_capabilities: {
        static const char caps[] = "xen-arm-armv5-pv";
        // Only the string and its NUL: the rest of the guest's 1 KiB buffer is left alone.
        return copy_to_current_guest(out, caps, sizeof caps) == Err::ok ? 0 : err(Err::fault);
    }
    case XENVER_pagesize:
        return static_cast<i32>(kPageSize);
    case XENVER_get_features: {
        xen_feature_info fi;
        if (copy_from_current_guest(&fi, out, sizeof fi) != Err::ok) return err(Err::fault);
        fi.submap = 0;
        return copy_to_current_guest(out, &fi, sizeof fi) == Err::ok ? 0 : err(Err::fault);
    }
    default:
        return err(Err::nosys);
    }
}

// "[" name "] " and "\r\n" around a line, with the longest name a domain can have.
constexpr u32 kConsoleLineOverhead = 1 + (sizeof Domain{}.name - 1) + 2 + 2;

// Prints d's buffered line as "[name] text"; returns at most how many bytes that put on
// the console: the line and "\r\n", with the prefix counted at its longest name (no
// strlen on the console path; the budget below only needs an upper bound).
u32 console_flush(Domain& d) {
    d.con_line[d.con_len] = '\0';
    printk("[%s] %s\n", d.name, d.con_line);
    const u32 printed = d.con_len + kConsoleLineOverhead;
    d.con_len = 0;
    return printed;
}

// The VMM runs with interrupts masked and the board consoles are written byte by byte,
// so a console_io write holds interrupts off for as long as the UART needs for its output
// (87 us a byte at 115,200 baud). Each write stops taking input once it has put
// XA_CONSOLEIO_WRITE_BUDGET bytes on the console and returns how many it took; the guest
// calls again for the rest (as write(2) returns a partial count). A CONSOLEIO_write call
// therefore prints at most the budget plus one line ("[name] ", 119 characters, "\r\n"):
// 127 + 139 bytes, about 23 ms at 115,200 baud (a 4 KiB write of newlines would
// otherwise print 45 KB or more: 3.9 s).
constexpr u32 kConsoleBudget = XA_CONSOLEIO_WRITE_BUDGET;

i32 hc_console_io(Domain& d, TrapFrame& f) {
    const u32 count = f.r[1], buf = f.r[2];
    if (count > XA_CONSOLEIO_MAX) return err(Err::inval);
    switch (f.r[0]) {
    case CONSOLEIO_write: {
        if (probe_guest(buf, count, false) != Err::ok) return err(Err::fault);
        char chunk[64];
        u32 printed = 0;
        // The budget is checked only where output happens (a flush), so a character costs
        // what it did without one.
        for (u32 done = 0; done < count;) {
            const u32 n = count - done < sizeof chunk ? count - done : sizeof chunk;
            memcpy(chunk, reinterpret_cast<const char*>(buf + done), n);
            for (u32 i = 0; i < n;) {
                const char c = chunk[i++];
                if (c == '\n') {
                    printed += console_flush(d);
                } else if (c == '\r') {
                    continue;
                } else {
                    d.con_line[d.con_len++] = c;
                    if (d.con_len != sizeof d.con_line - 1) continue;
                    printed += console_flush(d);
                }
                if (printed >= kConsoleBudget) return static_cast<i32>(done + i);
            }
            done += n;
        }
        return static_cast<i32>(count);
    }
    case CONSOLEIO_read: {
        if (!d.privileged) return err(Err::perm);
        if (probe_guest(buf, count, true) != Err::ok) return err(Err::fault);
        u32 n = 0;
        for (int c; n < count && (c = board::console_getc()) >= 0; ++n) reinterpret_cast<char*>(buf)[n] = static_cast<char>(c);
        sched::console_input_read();
        return static_cast<i32>(n);
    }
    case XA_CONSOLEIO_write_raw: {  // dom0's console multiplexer: no prefix, no buffering
        if (!d.privileged) return err(Err::perm);
        if (probe_guest(buf, count, false) != Err::ok) return err(Err::fault);
        // The same budget as CONSOLEIO_write, counted in bytes taken (so at most twice
        // that printed, if every one is a '\n'): the loop costs a character what it did.
        const u32 n = count < kConsoleBudget ? count : kConsoleBudget;
        for (u32 i = 0; i < n; ++i) {
            const char c = reinterpret_cast<const char*>(buf)[i];
            if (c == '\n') board::console_putc('\r');  // as printk sends it
            board::console_putc(c);
        }
        return static_cast<i32>(n);
    }
    default:
        return err(Err::nosys);
    }
}

// Grant ops: each struct is copied in, handled, and copied back (its status says how it
// went); only an unreachable array fails the hypercall itself. The whole array must be
// writable before any op runs: a map whose handle cannot be written back would be a map
// nobody can undo.
template <typename Op, typename Fn>
i32 for_each_grant_op(u32 uop, u32 count, Fn handle) {
    if (probe_guest(uop, count * sizeof(Op), true) != Err::ok) return err(Err::fault);
    for (u32 i = 0; i < count; ++i) {
        Op op;
        const u32 va = uop + i * sizeof op;
        if (copy_from_current_guest(&op, va, sizeof op) != Err::ok) return err(Err::fault);
        handle(op);
        if (copy_to_current_guest(va, &op, sizeof op) != Err::ok) return err(Err::fault);
    }
    return 0;
}

void setup_table(Domain& d, gnttab_setup_table& op) {
    if (resolve(d, op.dom) != d.id.value()) {
        op.status = GNTST_permission_denied;
    } else if (op.nr_frames > XA_GRANT_FRAMES) {
        op.status = GNTST_general_error;
    } else {
        op.status = GNTST_okay;
        for (u32 k = 0; k < op.nr_frames && op.status == GNTST_okay; ++k) {
            const u32 frame = d.grants_pa.value() + k * kPageSize;
            if (copy_to_current_guest(op.frame_list + k * 4, &frame, 4) != Err::ok) op.status = GNTST_bad_virt_addr;
        }
    }
}

void query_size(Domain& d, gnttab_query_size& op) {
    const domid_t target = resolve(d, op.dom);
    if (target != d.id.value() && !d.privileged) {
        op.status = GNTST_permission_denied;
    } else if (domains::get(DomId(target)) == nullptr) {
        op.status = GNTST_bad_domain;
    } else {
        op.nr_frames = XA_GRANT_FRAMES;
        op.max_nr_frames = XA_GRANT_FRAMES;
        op.status = GNTST_okay;
    }
}

i32 hc_grant_table_op(Domain& d, TrapFrame& f) {
    const u32 cmd = f.r[0], uop = f.r[1], count = f.r[2];
    if (count == 0 || count > XA_GNTTAB_MAX_OPS) return err(Err::inval);
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return for_each_grant_op<gnttab_map_grant_ref>(uop, count, [&d](auto& op) { vmm::grants().map(d.id, op); });
    case GNTTABOP_unmap_grant_ref:
        return for_each_grant_op<gnttab_unmap_grant_ref>(uop, count,
                                                         [&d](auto& op) { vmm::grants().unmap(d.id, op); });
    case GNTTABOP_setup_table:
        return for_each_grant_op<gnttab_setup_table>(uop, count, [&d](auto& op) { setup_table(d, op); });
    case GNTTABOP_query_size:
        return for_each_grant_op<gnttab_query_size>(uop, count, [&d](auto& op) { query_size(d, op); });
    default:
        return err(Err::nosys);
    }
}

i32 hc_restore_trap_frame(Domain& d, TrapFrame& f) {
    const Err e = traps::restore(d, f, f.r[0]);
    return e == Err::ok ? kFrameRewritten : err(e);
}

i32 hc_vcpu_op(Domain& d, TrapFrame& f) {
    if (f.r[1] != 0) return err(Err::noent);
    switch (f.r[0]) {
    case VCPUOP_is_up:
        return 1;
    case VCPUOP_get_runstate_info: {
        vcpu_runstate_info info{};
        const u64 now = sched::now_ns();
        info.state = static_cast<int32_t>(d.runstate);
        info.state_entry_time = d.runstate_entry_ns;
        for (u32 i = 0; i < 4; ++i) info.time[i] = d.runstate_ns[i];
        if (d.runstate < 4) info.time[d.runstate] += now - d.runstate_entry_ns;
        return copy_to_current_guest(f.r[2], &info, sizeof info) == Err::ok ? 0 : err(Err::fault);
    }
    default:
        return err(Err::nosys);
    }
}

bool port_pending(Domain& d, u32 port) {
    const shared_info* s = domains::shared(d);
    return port < XA_EVTCHN_2L_NR_PORTS && (s->evtchn_pending[port / 32] & (1u << (port % 32))) != 0;
}

i32 hc_sched_op(Domain& d, TrapFrame& f) {
    switch (f.r[0]) {
    case SCHEDOP_yield:
        sched::yield();
        return 0;
    case SCHEDOP_block: {
        vcpu_info& v = domains::shared(d)->vcpu[0];
        v.evtchn_upcall_mask = 0;
        if (v.evtchn_upcall_pending == 0) {
            f.r[0] = 0;
            sched::block(d);
        }
        return 0;
    }
    case SCHEDOP_shutdown: {
        sched_shutdown s;
        if (copy_from_current_guest(&s, f.r[1], sizeof s) != Err::ok) return err(Err::fault);
        if (s.reason > SHUTDOWN_crash) return err(Err::inval);
        // Only a live domain runs hypercalls (a crashed one is switched away before it
        // could), but shutdown must never overwrite how a domain stopped: checked anyway.
        if (d.state != DomState::alive) return err(Err::inval);
        if (d.con_len != 0) console_flush(d);
        static const char* const kReasons[] = {"poweroff", "reboot", "suspend", "crash"};
        printk("xen-arm: dom%u '%s' shut down (%s) at %llu ns\n", d.id.value(), d.name, kReasons[s.reason],
               sched::now_ns());
        d.state = s.reason == SHUTDOWN_crash ? DomState::crashed : DomState::shutdown;
        d.shutdown_reason = s.reason;
        sched::domain_stopped(d);
        return kFrameRewritten;
    }
    case SCHEDOP_poll: {
        sched_poll p;
        if (copy_from_current_guest(&p, f.r[1], sizeof p) != Err::ok) return err(Err::fault);
        if (p.nr_ports == 0 || p.nr_ports > XA_SCHED_POLL_MAX_PORTS) return err(Err::inval);
        if (copy_from_current_guest(d.poll_ports, p.ports, p.nr_ports * 4) != Err::ok) return err(Err::fault);
        for (u32 i = 0; i < p.nr_ports; ++i) {
            if (d.poll_ports[i] >= XA_EVTCHN_2L_NR_PORTS) return err(Err::inval);
            if (port_pending(d, d.poll_ports[i])) return 0;
        }
        if (p.timeout != 0 && p.timeout <= sched::now_ns()) return 0;
        d.poll_count = p.nr_ports;
        d.poll_timeout_ns = p.timeout;
        d.polling = true;
        f.r[0] = 0;
        sched::block(d);
        return 0;
    }
    default:
        return err(Err::nosys);
    }
}

void fill_domaininfo(Domain& t, const Domain& caller, xen_domctl_getdomaininfo& gi) {
    gi = xen_domctl_getdomaininfo{};
    gi.domain = t.id.value();
    gi.flags = (t.state == DomState::shutdown ? XEN_DOMINF_shutdown : 0u) |
               (t.state == DomState::crashed ? XEN_DOMINF_crashed | XEN_DOMINF_shutdown : 0u) |
               (t.pause_count != 0 ? XEN_DOMINF_paused : 0u) | (t.blocked ? XEN_DOMINF_blocked : 0u) |
               (&t == &caller ? XEN_DOMINF_running : 0u) | (t.privileged ? XEN_DOMINF_privileged : 0u);
    gi.nr_pages = t.nr_pages;
    gi.shutdown_reason = t.shutdown_reason;
    u64 cpu = t.runstate_ns[RUNSTATE_running];
    if (t.runstate == RUNSTATE_running) cpu += sched::now_ns() - t.runstate_entry_ns;
    gi.cpu_time = cpu;
    memcpy(gi.name, t.name, sizeof gi.name);
    gi.store_port = t.store_port_dom0;
    gi.console_port = t.console_port_dom0;
}

i32 hc_domctl(Domain& d, TrapFrame& f) {
    if (!d.privileged) return err(Err::perm);
    xen_domctl op;
    // Every command's result goes back into the struct (createdomain's new id,
    // assign_device's address and line): writable first, or nothing is done.
    if (probe_guest(f.r[0], sizeof op, true) != Err::ok) return err(Err::fault);
    if (copy_from_current_guest(&op, f.r[0], sizeof op) != Err::ok) return err(Err::fault);
    if (op.interface_version != XA_DOMCTL_INTERFACE_VERSION) return err(Err::inval);
    Domain* target = domains::get(DomId(op.domain));
    Err e = Err::ok;
    switch (op.cmd) {
    case XEN_DOMCTL_createdomain: {
        const BootImageView* img = vmm::boot_image();
        // Compare as the boot image stores names: NUL-padded to 16 bytes.
        char* name = op.u.createdomain.name;
        name[sizeof op.u.createdomain.name - 1] = '\0';
        for (u32 i = strlen(name); i < sizeof op.u.createdomain.name; ++i) name[i] = '\0';
        u32 index = 0;
        while (img != nullptr && index < img->domain_count &&
               memcmp(img->domains[index].name, op.u.createdomain.name, sizeof op.u.createdomain.name) != 0) {
            ++index;
        }
        if (img == nullptr || index == img->domain_count) return err(Err::noent);
        const char* problem = nullptr;
        e = domains::build(index, problem);
        if (e != Err::ok) {
            printk("xen-arm: dom%u: createdomain '%s' failed: %s\n", d.id.value(), op.u.createdomain.name, problem);
            return err(e);
        }
        op.domain = static_cast<domid_t>(index);
        break;
    }
    case XEN_DOMCTL_destroydomain:
        if (target == nullptr) return err(kErrSrch);
        if (target == &d) return err(Err::perm);
        e = domains::destroy(*target);
        break;
    case XEN_DOMCTL_pausedomain:
        if (target == nullptr || !target->alive()) return err(kErrSrch);
        if (target == &d) return err(Err::inval);
        ++target->pause_count;
        sched::pause_changed(*target);
        break;
    case XEN_DOMCTL_unpausedomain:
        if (target == nullptr || !target->alive()) return err(kErrSrch);
        if (target->pause_count == 0) return err(Err::inval);
        --target->pause_count;
        sched::pause_changed(*target);
        break;
    case XEN_DOMCTL_getdomaininfo: {
        Domain* found = nullptr;
        for (u32 i = op.domain; i < Domain::kMaxDomains && found == nullptr; ++i) found = domains::get(DomId(static_cast<u16>(i)));
        if (found == nullptr) return err(kErrSrch);
        fill_domaininfo(*found, d, op.u.getdomaininfo);
        op.domain = found->id.value();
        break;
    }
    case XEN_DOMCTL_assign_device: {
        if (target == nullptr || !target->alive()) return err(kErrSrch);
        xen_domctl_assign_device& a = op.u.assign_device;
        a.name[sizeof a.name - 1] = '\0';
        u32 va = 0, irq = 0;
        e = passthrough::assign(*target, a.name, va, irq);
        a.va = va;
        a.irq = irq;
        break;
    }
    case XA_DOMCTL_getconfig: {
        const BootImageView* img = vmm::boot_image();
        const u32 index = op.domain;
        if (img == nullptr || index >= img->domain_count) return err(Err::noent);
        const boot_image::BootDomain& bd = img->domains[index];
        xa_domctl_getconfig& c = op.u.getconfig;
        c = xa_domctl_getconfig{};
        memcpy(c.name, bd.name, sizeof c.name - 1);
        c.memory_kb = bd.memory_kb;
        c.flags = (domains::get(DomId(static_cast<u16>(index))) != nullptr ? XA_CONFIG_exists : 0u) |
                  ((bd.flags & boot_image::kDomPrivileged) != 0 ? XA_CONFIG_privileged : 0u) |
                  ((bd.flags & boot_image::kDomAutostart) != 0 ? XA_CONFIG_autostart : 0u);
        break;
    }
    case XA_DOMCTL_getdevice: {
        xa_domctl_getdevice& g = op.u.getdevice;
        const char* name = nullptr;
        u32 phys = 0, irq = 0;
        u16 owner = DOMID_INVALID;
        if (!passthrough::describe(g.index, name, phys, irq, owner)) return err(Err::noent);
        memset(g.name, 0, sizeof g.name);
        for (u32 i = 0; i + 1 < sizeof g.name && name[i] != '\0'; ++i) g.name[i] = name[i];
        g.phys = phys;
        g.irq = irq;
        g.owner = owner;
        g.pad0 = 0;
        break;
    }
    default:
        return err(Err::nosys);
    }
    if (e != Err::ok) return err(e);
    return copy_to_current_guest(f.r[0], &op, sizeof op) == Err::ok ? 0 : err(Err::fault);
}

i32 hc_physdev_op(Domain& d, TrapFrame& f) {
    if (f.r[0] != PHYSDEVOP_eoi) return err(Err::nosys);
    physdev_eoi eoi;
    if (copy_from_current_guest(&eoi, f.r[1], sizeof eoi) != Err::ok) return err(Err::fault);
    return err(passthrough::eoi(d, eoi.irq));
}

i32 hc_trace_marker(Domain& d, TrapFrame& f) {
    printk("xen-arm: trace dom%u marker 0x%08x at %llu ns\n", d.id.value(), f.r[0], sched::now_ns());
    return 0;
}

// The dispatch table: every number below XA_HYPERCALL_COUNT has a slot, empty ones
// answer -ENOSYS.
struct HypercallTable {
    Handler h[XA_HYPERCALL_COUNT] = {};
};
constexpr HypercallTable kHypercalls = [] {
    HypercallTable t;
    t.h[XA_HYPERCALL_set_trap_table] = hc_set_trap_table;
    t.h[XA_HYPERCALL_mmu_update] = hc_mmu_update;
    t.h[XA_HYPERCALL_update_va_mapping] = hc_update_va_mapping;
    t.h[XA_HYPERCALL_mmuext_op] = hc_mmuext_op;
    t.h[XA_HYPERCALL_set_timer_op] = hc_set_timer_op;
    t.h[XA_HYPERCALL_event_channel_op] = hc_event_channel_op;
    t.h[XA_HYPERCALL_xen_version] = hc_xen_version;
    t.h[XA_HYPERCALL_console_io] = hc_console_io;
    t.h[XA_HYPERCALL_grant_table_op] = hc_grant_table_op;
    t.h[XA_HYPERCALL_restore_trap_frame] = hc_restore_trap_frame;
    t.h[XA_HYPERCALL_vcpu_op] = hc_vcpu_op;
    t.h[XA_HYPERCALL_sched_op] = hc_sched_op;
    t.h[XA_HYPERCALL_physdev_op] = hc_physdev_op;
    t.h[XA_HYPERCALL_domctl] = hc_domctl;
    t.h[XA_HYPERCALL_trace_marker] = hc_trace_marker;
    return t;
}();

}  // namespace

GrantEnv& vmm_grant_env() {
    static VmmGrantEnv env;
    return env;
}

}  // namespace xa

// SWI from a guest (arch/arm/vectors.S). f->pc is the instruction after the SWI.
extern "C" void xa_swi(xa::TrapFrame* f) {
    using namespace xa;
    Domain* d = domains::current();
    if (d == nullptr) xa_panic("SWI with no current domain");
    if ((f->cpsr & 0x20u) != 0) {  // Thumb: guests run ARM code only
        traps::crash(*d, *f, "SWI", "issued in Thumb state");
        sched::leave(*f);
        return;
    }
    // The SWI was just fetched from this address by the guest, so it is mapped and the VMM
    // (privileged) can read it.
    const u32 imm = *reinterpret_cast<const u32*>(f->pc - 4) & 0x00FFFFFFu;
    if (imm >= XA_TRACE_SWI_BASE) return;  // trace marker: nothing changes
    if (d->mode == VirtMode::user) {
        const char* why = nullptr;
        if (!traps::bounce(*d, *f, XA_TRAP_SWI, why)) traps::crash(*d, *f, "system call", why);
        sched::leave(*f);
        return;
    }
    const Handler h = imm < XA_HYPERCALL_COUNT ? kHypercalls.h[imm] : nullptr;
    const i32 r = h != nullptr ? h(*d, *f) : to_int(Err::nosys);
    if (r != kFrameRewritten) f->r[0] = static_cast<u32>(r);
    sched::leave(*f);
}
