// Fault injection into a domain off the CPU (fault_inject.hh).
#include "fault_inject.hh"

#include "address_space.hh"
#include "arch/arm/cpu.hh"
#include "fault_tolerance.hh"
#include "vmm_memory.hh"

namespace xa::fault_inject {
namespace {

constexpr u32 kRegisters = 16;  // r0-r12, sp, lr, pc

u32& reg_of(TrapFrame& f, u32 index) {
    if (index < 13) return f.r[index];
    return index == 13 ? f.sp : index == 14 ? f.lr : f.pc;
}

bool in_memory(const Domain& d, u32 offset) { return offset % 4 == 0 && offset < d.nr_pages * kPageSize; }

// Reads the word at `offset` of d's memory, lets change(word) return its new value, writes
// that back through d's own mapping (marked written for fault tolerance), and makes the
// caches agree with RAM: the table switches
// clean and invalidate everything (so none of d's dirty lines is left to be written back
// over the new word later), and the I-cache line is invalidated for code. Returns the
// word's virtual address.
template <typename Change>
u32 rewrite_word(Domain& d, u32 offset, uint32_t& old, uint32_t& now, Change&& change) {
    const u32 va = d.window.value() + offset;
    const u32 prev_ttbr = cpu::read_ttbr();
    const u32 prev_dacr = cpu::read_dacr();
    cpu::switch_ttbr(d.table->l1().value());
    cpu::write_dacr(d.dacr_kernel);
    // A fault-tolerant domain's write tracking must see the change as a write (the VMM's
    // own writes are priv_rw through its protection): the page is then copied by the next
    // checkpoint and put back by a rollback, as if the domain had written it.
    if (d.fault_tolerance == boot_image::kFtVm) (void)ft::unprotect_for_vmm(d, va, 4);
    volatile u32* word = reinterpret_cast<volatile u32*>(vmm_memory::current_va(va));
    old = *word;
    now = change(old);
    *word = now;
    cpu::sync_icache_range(va, 4);
    cpu::write_dacr(prev_dacr);
    cpu::switch_ttbr(prev_ttbr);
    space::flushed();  // both table switches cleaned the caches and the TLB
    return va;
}

}  // namespace

Err inject(Domain& target, xa_domctl_inject_fault& op) {
    switch (op.kind) {
        case XA_INJECT_mem_flip:
            if (!in_memory(target, op.offset) || op.bit > 31) return Err::inval;
            op.va = rewrite_word(target, op.offset, op.old, op.now, [&](u32 w) { return w ^ (1u << op.bit); });
            return Err::ok;
        case XA_INJECT_mem_write:
            if (!in_memory(target, op.offset)) return Err::inval;
            op.va = rewrite_word(target, op.offset, op.old, op.now, [&](u32) { return op.value; });
            return Err::ok;
        case XA_INJECT_reg_flip: {
            if (op.reg >= kRegisters || op.bit > 31) return Err::inval;
            u32& r = reg_of(target.ctx, op.reg);
            op.old = r;
            r ^= 1u << op.bit;
            op.now = r;
            op.va = 0;
            return Err::ok;
        }
        case XA_INJECT_undef: {
            // Unsigned: a pc below the window wraps past its end.
            const u32 offset = target.ctx.pc - target.window.value();
            if (!in_memory(target, offset)) return Err::inval;
            op.va = rewrite_word(target, offset, op.old, op.now, [](u32) { return XA_INJECT_UNDEF_INSN; });
            return Err::ok;
        }
        case XA_INJECT_jump:
            if (op.value % 4 != 0) return Err::inval;
            op.va = op.old = target.ctx.pc;
            target.ctx.pc = op.now = op.value;
            return Err::ok;
        default: return Err::inval;
    }
}

}  // namespace xa::fault_inject
