// ARM926EJ-S privileged operations (CP15, CPSR, WFI) for the VMM's C++ code.
// The only inline assembly in the VMM lives here, in arch/.
#pragma once

#include <arm926/cpu.h>

#include "addr_range.hh"
#include "types.hh"

namespace xa::cpu {

extern "C" void xa_copy_frame68(void* dst, const void* src);  // string.S

// A trap frame's registers (r0-r12, sp, lr, pc, cpsr: the first 68 bytes of a TrapFrame,
// trap_frame.h, and all of the guest's xa_trap_frame) copied in LDM/STM bursts: a domain
// switch copies two frames, every bounce one. Word-aligned, not overlapping; a TrapFrame's
// padding word is not copied.
template <typename Dst, typename Src>
inline void copy_frame_registers(Dst& dst, const Src& src) {
    static_assert(sizeof(Dst) >= 68 && sizeof(Src) >= 68);
    xa_copy_frame68(&dst, &src);
}

inline u32 read_control() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(v));
    return v;
}
inline void write_control(u32 v) { asm volatile("mcr p15, 0, %0, c1, c0, 0" ::"r"(v) : "memory"); }
inline u32 read_ttbr() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c2, c0, 0" : "=r"(v));
    return v;
}
inline u32 read_dacr() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c3, c0, 0" : "=r"(v));
    return v;
}
inline void write_dacr(u32 v) { asm volatile("mcr p15, 0, %0, c3, c0, 0" ::"r"(v) : "memory"); }
inline u32 read_dfsr() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c5, c0, 0" : "=r"(v));
    return v;
}
inline u32 read_ifsr() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c5, c0, 1" : "=r"(v));
    return v;
}
inline u32 read_far() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c6, c0, 0" : "=r"(v));
    return v;
}
inline u32 read_main_id() {
    u32 v;
    asm volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(v));
    return v;
}
inline u32 read_cpsr() {
    u32 v;
    asm volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

// Clean and invalidate the whole D-cache (test-and-clean loop), invalidate the I-cache,
// drain the write buffer: what an ARM926 needs before its VIVT caches see a new mapping.
inline void flush_caches() {
    asm volatile(
        "1: mrc p15, 0, r15, c7, c14, 3\n"  // test, clean and invalidate D-cache
        "   bne 1b\n"
        "   mov r0, #0\n"
        "   mcr p15, 0, r0, c7, c5, 0\n"   // invalidate I-cache
        "   mcr p15, 0, r0, c7, c10, 4\n"  // drain write buffer
        ::
            : "r0", "cc", "memory");
}

// The ARM926EJ-S's cache line.
inline constexpr u32 kCacheLine = 32;

// Calls op(line) for each 32-byte cache line of [va, va + len), by modified virtual address.
// The lines come from unit_span (addr_range.hh): an empty range touches no line, and a range
// past 4 GiB (callers refuse it first) touches none either instead of wrapping around forever.
template <typename Op>
inline void each_cache_line(u32 va, u32 len, Op op) {
    UnitSpan s;
    (void)unit_span(va, len, kCacheLine, s);
    u32 line = s.first;
    for (u32 i = 0; i < s.count; ++i, line += kCacheLine) op(line);
}

inline void drain_write_buffer() { asm volatile("mcr p15, 0, %0, c7, c10, 4" ::"r"(0) : "memory"); }

// Clean and invalidate the D-cache lines of [va, va + len) (CP15 c7, c14, 1), then drain
// the write buffer.
inline void clean_invalidate_dcache_range(u32 va, u32 len) {
    each_cache_line(va, len, [](u32 line) { asm volatile("mcr p15, 0, %0, c7, c14, 1" ::"r"(line) : "memory"); });
    drain_write_buffer();
}

// Clean the D-cache lines of [va, va + len) to memory (CP15 c7, c10, 1) and drain the write
// buffer: for data that something other than the CPU's loads reads next (the MMU's table
// walks).
inline void clean_dcache_range(u32 va, u32 len) {
    each_cache_line(va, len, [](u32 line) { asm volatile("mcr p15, 0, %0, c7, c10, 1" ::"r"(line) : "memory"); });
    drain_write_buffer();
}

// Make freshly written code in [va, va + len) executable: clean its D-cache lines and drain
// the write buffer (clean_dcache_range), then invalidate its I-cache lines (c7, c5, 1).
inline void sync_icache_range(u32 va, u32 len) {
    clean_dcache_range(va, len);
    each_cache_line(va, len, [](u32 line) { asm volatile("mcr p15, 0, %0, c7, c5, 1" ::"r"(line) : "memory"); });
}

// Drop the TLB entry for one page (CP15 c8, c7, 1: invalidate unified TLB single entry).
inline void invalidate_tlb_entry(u32 va) { asm volatile("mcr p15, 0, %0, c8, c7, 1" ::"r"(va & ~0xFFFu) : "memory"); }

inline void flush_tlb() { asm volatile("mcr p15, 0, %0, c8, c7, 0" ::"r"(0) : "memory"); }

// Loads a first-level table, nothing else: the caller has made sure that no cache line or
// TLB entry can be hit wrongly under the new table (address_space.hh).
inline void set_ttbr(u32 l1_phys) { asm volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"(l1_phys) : "memory"); }

// Switches to a new first-level table: caches are virtually indexed, so clean them first.
inline void switch_ttbr(u32 l1_phys) {
    flush_caches();
    asm volatile("mcr p15, 0, %0, c2, c0, 0" ::"r"(l1_phys) : "memory");
    flush_tlb();
}

inline void irq_enable() {
    asm volatile("mrs r0, cpsr\n bic r0, r0, %[i]\n msr cpsr_c, r0" ::[i] "i"(ARM_PSR_I) : "r0", "memory");
}
inline void irq_disable() {
    asm volatile("mrs r0, cpsr\n orr r0, r0, %[i]\n msr cpsr_c, r0" ::[i] "i"(ARM_PSR_I) : "r0", "memory");
}

// Wait for interrupt (ARM926EJ-S: CP15 c7, c0, 4). Under -icount QEMU then skips virtual
// time to the next timer deadline, so idling costs no host time and stays deterministic.
inline void wait_for_interrupt() { asm volatile("mcr p15, 0, %0, c7, c0, 4" ::"r"(0) : "memory"); }

template <typename T>
inline T mmio_read(u32 va) {
    return *reinterpret_cast<volatile T*>(va);
}
template <typename T>
inline void mmio_write(u32 va, T value) {
    *reinterpret_cast<volatile T*>(va) = value;
}

}  // namespace xa::cpu
